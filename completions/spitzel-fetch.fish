complete -c spitzel-fetch -l from -d 'Keep events at or after this time (YYYY-MM-DD, \'YYYY-MM-DD HH:MM[:SS]\', RFC 3339, @EPOCH_SECONDS; UTC unless an offset is given)' -r
complete -c spitzel-fetch -l to -d 'Keep events at or before this time (formats of --from; a date or a time to the minute covers all of that day or minute)' -r
complete -c spitzel-fetch -l last-minute -d 'Keep events of the last N minutes' -r
complete -c spitzel-fetch -l last -d 'Keep events of the last DURATION (90s, 90m, 3h, 7d, 2w, 1h30m)' -r
complete -c spitzel-fetch -l lookup -d 'Server-side narrowing, repeatable (union): EventId, EventName, EventSource, Username, ResourceType, ResourceName, AccessKeyId or ReadOnly' -r
complete -c spitzel-fetch -l event-category -d 'Event category to look up' -r -f -a "management\t'Management events (the default)'
insight\t'CloudTrail Insights events'"
complete -c spitzel-fetch -l region -d 'Region to read, repeatable or comma-separated [default: the configured region]' -r
complete -c spitzel-fetch -l profile -d 'Named profile from the AWS config files' -r
complete -c spitzel-fetch -l endpoint-url -d 'Send requests to this endpoint instead of AWS\'s (also AWS_ENDPOINT_URL_CLOUDTRAIL)' -r
complete -c spitzel-fetch -l rate -d 'Requests per second per region (0.001 to 10000; the pace adapts under it)' -r
complete -c spitzel-fetch -s o -l output -d 'Write to FILE instead of stdout' -r -F
complete -c spitzel-fetch -l max-events -d 'Stop after writing N events' -r
complete -c spitzel-fetch -l checkpoint -d 'Save progress to FILE after every page; rerun to resume' -r -F
complete -c spitzel-fetch -l trailing-window -d 'With --follow: each poll re-reads this many minutes before the newest event seen, for events delivered late (1 to 1440; LookupEvents only)' -r
complete -c spitzel-fetch -l poll-interval -d 'With --follow: seconds between polls of a region (0 to 3600; 0 = as fast as --rate allows; with --s3, between listings of the day folders)' -r
complete -c spitzel-fetch -l max-attempts -d 'Attempts per request for errors other than throttling' -r
complete -c spitzel-fetch -l timeout -d 'Timeout of one request in seconds (0.001 to 86400)' -r
complete -c spitzel-fetch -l s3 -d 'Read the trail\'s log files from this bucket (and prefix) instead of LookupEvents' -r
complete -c spitzel-fetch -l account -d 'Account to read (--s3), repeatable or comma-separated [default: every account found]' -r
complete -c spitzel-fetch -l concurrency -d 'GET requests in flight (--s3)' -r
complete -c spitzel-fetch -l all-regions -d 'Read every region enabled for the account (needs account:ListRegions)'
complete -c spitzel-fetch -l envelope -d 'Write the whole LookupEvents event (EventId, Username, Resources, ...), with CloudTrailEvent parsed into an object'
complete -c spitzel-fetch -s q -l quiet -d 'No progress display'
complete -c spitzel-fetch -l follow -d 'After the window, keep polling every region (with --s3: its day folders) for new events until interrupted (Ctrl-C saves the checkpoint; a rerun resumes the follow)'
complete -c spitzel-fetch -l s3-path-style -d 'Address the bucket in the path, not the host name (--s3; automatic for an endpoint on an IP address or localhost)'
complete -c spitzel-fetch -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spitzel-fetch -s V -l version -d 'Print version'
