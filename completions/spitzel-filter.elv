
use builtin;
use str;

set edit:completion:arg-completer[spitzel-filter] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'spitzel-filter'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'spitzel-filter'= {
            cand -m 'Keep events where EXPR holds, e.g. ''$.errorCode == "AccessDenied"'' (repeatable: all must hold)'
            cand --match 'Keep events where EXPR holds, e.g. ''$.errorCode == "AccessDenied"'' (repeatable: all must hold)'
            cand --sigma 'Keep events that match a Sigma rule in PATH: a rule file, or a directory searched for .yml/.yaml (repeatable)'
            cand --sigma-level 'Use only the Sigma rules at LEVEL or above'
            cand --sigma-memory 'Stop when the memory kept for events held by Sigma correlation rules passes SIZE MiB (200 to 600 bytes an event: its place, rules and the fields the correlations read; its bytes go to $TMPDIR). Default 1024'
            cand -i 'Read these files or directories (''-'' is stdin; several, repeatable). Default: stdin'
            cand --input 'Read these files or directories (''-'' is stdin; several, repeatable). Default: stdin'
            cand --from 'Keep events at or after this time (YYYY-MM-DD, ''YYYY-MM-DD HH:MM[:SS]'', RFC 3339, @EPOCH_SECONDS; UTC unless an offset is given)'
            cand --to 'Keep events at or before this time (formats of --from; a date or a time to the minute covers all of that day or minute)'
            cand --last-minute 'Keep events of the last N minutes'
            cand --last 'Keep events of the last DURATION (90s, 90m, 3h, 7d, 2w, 1h30m)'
            cand --limit 'Stop after N matching events'
            cand -j 'Worker threads, 1 to 256 (default: all cores)'
            cand --threads 'Worker threads, 1 to 256 (default: all cores)'
            cand --max-record-size 'Skip (and report) any record longer than SIZE; SIZE is bytes or K, M, G'
            cand --emit-sql 'Print one SQL statement selecting the same events, read no records'
            cand --sql-table 'The Athena table --emit-sql athena queries'
            cand --sql-order 'With --emit-sql: order the statement''s rows (time: by eventTime''s UTC instant)'
            cand --sql-ddl 'With --emit-sql athena: print the CREATE EXTERNAL TABLE for this trail location instead'
            cand --implied 'Also match the permissions each call needed (iam:PassRole on RunInstances with a profile, ...)'
            cand --annotate 'Append "sigma":[{"id","title","level","author"},...] to each written event, naming the rules it matched'
            cand --sigma-alerts 'With Sigma correlation rules: write one NDJSON line per correlation hit instead of the events'
            cand --live 'With Sigma correlation rules: write a hit''s events as soon as it fires, not when the input ends (behind spitzel-fetch --follow)'
            cand -v 'Write the events that do NOT match'
            cand --invert-match 'Write the events that do NOT match'
            cand -c 'Print only the number of matching events'
            cand --count 'Print only the number of matching events'
            cand -q 'Print nothing; exit 0 at the first match'
            cand --quiet 'Print nothing; exit 0 at the first match'
            cand --unique 'Drop a record equal to one already written under its eventID (a redelivery); say other records sharing one'
            cand --strict 'Make the first bad input line, or an action glob the IAM table does not know, fatal (exit 2)'
            cand --stats 'Print statistics to stderr at the end'
            cand --sql-skip-refused 'With --emit-sql and --sigma: leave out the rules with no exact translation, listing them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
