complete -c spitzel-filter -s m -l match -d 'Keep events where EXPR holds, e.g. \'$.errorCode == "AccessDenied"\' (repeatable: all must hold)' -r
complete -c spitzel-filter -l sigma -d 'Keep events that match a Sigma rule in PATH: a rule file, or a directory searched for .yml/.yaml (repeatable)' -r -F
complete -c spitzel-filter -l sigma-level -d 'Use only the Sigma rules at LEVEL or above' -r -f -a "informational\t''
low\t''
medium\t''
high\t''
critical\t''"
complete -c spitzel-filter -l sigma-memory -d 'Stop when the memory kept for events held by Sigma correlation rules passes SIZE MiB (200 to 600 bytes an event: its place, rules and the fields the correlations read; its bytes go to $TMPDIR). Default 1024' -r
complete -c spitzel-filter -s i -l input -d 'Read these files or directories (\'-\' is stdin; several, repeatable). Default: stdin' -r
complete -c spitzel-filter -l from -d 'Keep events at or after this time (YYYY-MM-DD, \'YYYY-MM-DD HH:MM[:SS]\', RFC 3339, @EPOCH_SECONDS; UTC unless an offset is given)' -r
complete -c spitzel-filter -l to -d 'Keep events at or before this time (formats of --from; a date or a time to the minute covers all of that day or minute)' -r
complete -c spitzel-filter -l last-minute -d 'Keep events of the last N minutes' -r
complete -c spitzel-filter -l last -d 'Keep events of the last DURATION (90s, 90m, 3h, 7d, 2w, 1h30m)' -r
complete -c spitzel-filter -l limit -d 'Stop after N matching events' -r
complete -c spitzel-filter -s j -l threads -d 'Worker threads, 1 to 256 (default: all cores)' -r
complete -c spitzel-filter -l max-record-size -d 'Skip (and report) any record longer than SIZE; SIZE is bytes or K, M, G' -r
complete -c spitzel-filter -l emit-sql -d 'Print one SQL statement selecting the same events, read no records' -r -f -a "athena\t''
spark\t''
duckdb\t''"
complete -c spitzel-filter -l sql-table -d 'The Athena table --emit-sql athena queries' -r
complete -c spitzel-filter -l sql-order -d 'With --emit-sql: order the statement\'s rows (time: by eventTime\'s UTC instant)' -r -f -a "time\t''"
complete -c spitzel-filter -l sql-ddl -d 'With --emit-sql athena: print the CREATE EXTERNAL TABLE for this trail location instead' -r
complete -c spitzel-filter -l implied -d 'Also match the permissions each call needed (iam:PassRole on RunInstances with a profile, ...)'
complete -c spitzel-filter -l annotate -d 'Append "sigma":[{"id","title","level","author"},...] to each written event, naming the rules it matched'
complete -c spitzel-filter -l sigma-alerts -d 'With Sigma correlation rules: write one NDJSON line per correlation hit instead of the events'
complete -c spitzel-filter -l live -d 'With Sigma correlation rules: write a hit\'s events as soon as it fires, not when the input ends (behind spitzel-fetch --follow)'
complete -c spitzel-filter -s v -l invert-match -d 'Write the events that do NOT match'
complete -c spitzel-filter -s c -l count -d 'Print only the number of matching events'
complete -c spitzel-filter -s q -l quiet -d 'Print nothing; exit 0 at the first match'
complete -c spitzel-filter -l unique -d 'Drop a record equal to one already written under its eventID (a redelivery); say other records sharing one'
complete -c spitzel-filter -l strict -d 'Make the first bad input line, or an action glob the IAM table does not know, fatal (exit 2)'
complete -c spitzel-filter -l stats -d 'Print statistics to stderr at the end'
complete -c spitzel-filter -l sql-skip-refused -d 'With --emit-sql and --sigma: leave out the rules with no exact translation, listing them'
complete -c spitzel-filter -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spitzel-filter -s V -l version -d 'Print version'
