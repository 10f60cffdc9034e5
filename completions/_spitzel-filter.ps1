
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'spitzel-filter' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'spitzel-filter'
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
        'spitzel-filter' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Keep events where EXPR holds, e.g. ''$.errorCode == "AccessDenied"'' (repeatable: all must hold)')
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Keep events where EXPR holds, e.g. ''$.errorCode == "AccessDenied"'' (repeatable: all must hold)')
            [CompletionResult]::new('--sigma', '--sigma', [CompletionResultType]::ParameterName, 'Keep events that match a Sigma rule in PATH: a rule file, or a directory searched for .yml/.yaml (repeatable)')
            [CompletionResult]::new('--sigma-level', '--sigma-level', [CompletionResultType]::ParameterName, 'Use only the Sigma rules at LEVEL or above')
            [CompletionResult]::new('--sigma-memory', '--sigma-memory', [CompletionResultType]::ParameterName, 'Stop when the memory kept for events held by Sigma correlation rules passes SIZE MiB (200 to 600 bytes an event: its place, rules and the fields the correlations read; its bytes go to $TMPDIR). Default 1024')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Read these files or directories (''-'' is stdin; several, repeatable). Default: stdin')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Read these files or directories (''-'' is stdin; several, repeatable). Default: stdin')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Keep events at or after this time (YYYY-MM-DD, ''YYYY-MM-DD HH:MM[:SS]'', RFC 3339, @EPOCH_SECONDS; UTC unless an offset is given)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Keep events at or before this time (formats of --from; a date or a time to the minute covers all of that day or minute)')
            [CompletionResult]::new('--last-minute', '--last-minute', [CompletionResultType]::ParameterName, 'Keep events of the last N minutes')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Keep events of the last DURATION (90s, 90m, 3h, 7d, 2w, 1h30m)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N matching events')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 256 (default: all cores)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads, 1 to 256 (default: all cores)')
            [CompletionResult]::new('--max-record-size', '--max-record-size', [CompletionResultType]::ParameterName, 'Skip (and report) any record longer than SIZE; SIZE is bytes or K, M, G')
            [CompletionResult]::new('--emit-sql', '--emit-sql', [CompletionResultType]::ParameterName, 'Print one SQL statement selecting the same events, read no records')
            [CompletionResult]::new('--sql-table', '--sql-table', [CompletionResultType]::ParameterName, 'The Athena table --emit-sql athena queries')
            [CompletionResult]::new('--sql-order', '--sql-order', [CompletionResultType]::ParameterName, 'With --emit-sql: order the statement''s rows (time: by eventTime''s UTC instant)')
            [CompletionResult]::new('--sql-ddl', '--sql-ddl', [CompletionResultType]::ParameterName, 'With --emit-sql athena: print the CREATE EXTERNAL TABLE for this trail location instead')
            [CompletionResult]::new('--implied', '--implied', [CompletionResultType]::ParameterName, 'Also match the permissions each call needed (iam:PassRole on RunInstances with a profile, ...)')
            [CompletionResult]::new('--annotate', '--annotate', [CompletionResultType]::ParameterName, 'Append "sigma":[{"id","title","level","author"},...] to each written event, naming the rules it matched')
            [CompletionResult]::new('--sigma-alerts', '--sigma-alerts', [CompletionResultType]::ParameterName, 'With Sigma correlation rules: write one NDJSON line per correlation hit instead of the events')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'With Sigma correlation rules: write a hit''s events as soon as it fires, not when the input ends (behind spitzel-fetch --follow)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Write the events that do NOT match')
            [CompletionResult]::new('--invert-match', '--invert-match', [CompletionResultType]::ParameterName, 'Write the events that do NOT match')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Print only the number of matching events')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print only the number of matching events')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; exit 0 at the first match')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; exit 0 at the first match')
            [CompletionResult]::new('--unique', '--unique', [CompletionResultType]::ParameterName, 'Drop a record equal to one already written under its eventID (a redelivery); say other records sharing one')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Make the first bad input line, or an action glob the IAM table does not know, fatal (exit 2)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print statistics to stderr at the end')
            [CompletionResult]::new('--sql-skip-refused', '--sql-skip-refused', [CompletionResultType]::ParameterName, 'With --emit-sql and --sigma: leave out the rules with no exact translation, listing them')
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
