
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'spitzel-fetch' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'spitzel-fetch'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'spitzel-fetch' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Keep events at or after this time (YYYY-MM-DD, ''YYYY-MM-DD HH:MM[:SS]'', RFC 3339, @EPOCH_SECONDS; UTC unless an offset is given)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Keep events at or before this time (formats of --from; a date or a time to the minute covers all of that day or minute)')
            [CompletionResult]::new('--last-minute', '--last-minute', [CompletionResultType]::ParameterName, 'Keep events of the last N minutes')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Keep events of the last DURATION (90s, 90m, 3h, 7d, 2w, 1h30m)')
            [CompletionResult]::new('--lookup', '--lookup', [CompletionResultType]::ParameterName, 'Server-side narrowing, repeatable (union): EventId, EventName, EventSource, Username, ResourceType, ResourceName, AccessKeyId or ReadOnly')
            [CompletionResult]::new('--event-category', '--event-category', [CompletionResultType]::ParameterName, 'Event category to look up')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region to read, repeatable or comma-separated [default: the configured region]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send requests to this endpoint instead of AWS''s (also AWS_ENDPOINT_URL_CLOUDTRAIL)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second per region (0.001 to 10000; the pace adapts under it)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout')
            [CompletionResult]::new('--max-events', '--max-events', [CompletionResultType]::ParameterName, 'Stop after writing N events')
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Save progress to FILE after every page; rerun to resume')
            [CompletionResult]::new('--trailing-window', '--trailing-window', [CompletionResultType]::ParameterName, 'With --follow: each poll re-reads this many minutes before the newest event seen, for events delivered late (1 to 1440; LookupEvents only)')
            [CompletionResult]::new('--poll-interval', '--poll-interval', [CompletionResultType]::ParameterName, 'With --follow: seconds between polls of a region (0 to 3600; 0 = as fast as --rate allows; with --s3, between listings of the day folders)')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts per request for errors other than throttling')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request in seconds (0.001 to 86400)')
            [CompletionResult]::new('--s3', '--s3', [CompletionResultType]::ParameterName, 'Read the trail''s log files from this bucket (and prefix) instead of LookupEvents')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account to read (--s3), repeatable or comma-separated [default: every account found]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'GET requests in flight (--s3)')
            [CompletionResult]::new('--all-regions', '--all-regions', [CompletionResultType]::ParameterName, 'Read every region enabled for the account (needs account:ListRegions)')
            [CompletionResult]::new('--envelope', '--envelope', [CompletionResultType]::ParameterName, 'Write the whole LookupEvents event (EventId, Username, Resources, ...), with CloudTrailEvent parsed into an object')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress display')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress display')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'After the window, keep polling every region (with --s3: its day folders) for new events until interrupted (Ctrl-C saves the checkpoint; a rerun resumes the follow)')
            [CompletionResult]::new('--s3-path-style', '--s3-path-style', [CompletionResultType]::ParameterName, 'Address the bucket in the path, not the host name (--s3; automatic for an endpoint on an IP address or localhost)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
