
use builtin;
use str;

set edit:completion:arg-completer[spitzel-fetch] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'spitzel-fetch'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'spitzel-fetch'= {
            cand --from 'Keep events at or after this time (YYYY-MM-DD, ''YYYY-MM-DD HH:MM[:SS]'', RFC 3339, @EPOCH_SECONDS; UTC unless an offset is given)'
            cand --to 'Keep events at or before this time (formats of --from; a date or a time to the minute covers all of that day or minute)'
            cand --last-minute 'Keep events of the last N minutes'
            cand --last 'Keep events of the last DURATION (90s, 90m, 3h, 7d, 2w, 1h30m)'
            cand --lookup 'Server-side narrowing, repeatable (union): EventId, EventName, EventSource, Username, ResourceType, ResourceName, AccessKeyId or ReadOnly'
            cand --event-category 'Event category to look up'
            cand --region 'Region to read, repeatable or comma-separated [default: the configured region]'
            cand --profile 'Named profile from the AWS config files'
            cand --endpoint-url 'Send requests to this endpoint instead of AWS''s (also AWS_ENDPOINT_URL_CLOUDTRAIL)'
            cand --rate 'Requests per second per region (0.001 to 10000; the pace adapts under it)'
            cand -o 'Write to FILE instead of stdout'
            cand --output 'Write to FILE instead of stdout'
            cand --max-events 'Stop after writing N events'
            cand --checkpoint 'Save progress to FILE after every page; rerun to resume'
            cand --trailing-window 'With --follow: each poll re-reads this many minutes before the newest event seen, for events delivered late (1 to 1440; LookupEvents only)'
            cand --poll-interval 'With --follow: seconds between polls of a region (0 to 3600; 0 = as fast as --rate allows; with --s3, between listings of the day folders)'
            cand --max-attempts 'Attempts per request for errors other than throttling'
            cand --timeout 'Timeout of one request in seconds (0.001 to 86400)'
            cand --s3 'Read the trail''s log files from this bucket (and prefix) instead of LookupEvents'
            cand --account 'Account to read (--s3), repeatable or comma-separated [default: every account found]'
            cand --concurrency 'GET requests in flight (--s3)'
            cand --all-regions 'Read every region enabled for the account (needs account:ListRegions)'
            cand --envelope 'Write the whole LookupEvents event (EventId, Username, Resources, ...), with CloudTrailEvent parsed into an object'
            cand -q 'No progress display'
            cand --quiet 'No progress display'
            cand --follow 'After the window, keep polling every region (with --s3: its day folders) for new events until interrupted (Ctrl-C saves the checkpoint; a rerun resumes the follow)'
            cand --s3-path-style 'Address the bucket in the path, not the host name (--s3; automatic for an endpoint on an IP address or localhost)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
