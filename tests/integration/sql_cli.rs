//! --emit-sql without an engine: what the statement is told about the
//! input files, and the one-line refusals (tests/sql/run.py runs the
//! statements on the engines).

use crate::util::{gzip, run};
use spitzel_testsupport::{stderr, stdout};

const RECORD: &[u8] = b"{\"eventName\":\"A\"}\n";

#[test]
fn duckdb_reads_each_file_with_the_compression_its_bytes_show() {
    let dir = tempfile::tempdir().unwrap();
    let gzip_inside = dir.path().join("dump.ndjson");
    let text_inside = dir.path().join("dump.ndjson.gz");
    std::fs::write(&gzip_inside, gzip(RECORD)).unwrap();
    std::fs::write(&text_inside, RECORD).unwrap();
    let out = run(
        &[
            "--emit-sql",
            "duckdb",
            "-i",
            gzip_inside.to_str().unwrap(),
            "-i",
            text_inside.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sql = stdout(&out);
    let gzip_read = format!(
        "read_json_objects(['{}'], format = 'auto', compression = 'gzip')",
        gzip_inside.display()
    );
    let text_read = format!(
        "read_json_objects(['{}'], format = 'auto', compression = 'none')",
        text_inside.display()
    );
    assert!(sql.contains(&gzip_read), "{sql}");
    assert!(sql.contains(&text_read), "{sql}");
}

#[test]
fn spark_refuses_files_whose_name_belies_their_compression() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("dump.ndjson", gzip(RECORD), "gzip without a .gz name"),
        (
            "dump.ndjson.gz",
            RECORD.to_vec(),
            "not compressed, but Spark decompresses a .gz name",
        ),
        (
            "dump.ndjson.bz2",
            RECORD.to_vec(),
            "not compressed, but Spark decompresses a .bz2 name",
        ),
    ];
    for (name, bytes, why) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = run(&["--emit-sql", "spark", "-i", path.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty(), "{name}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("--emit-sql spark: cannot translate exactly: the file")
                && err.contains(why),
            "{name}: {err}"
        );
    }
    // Named for what it holds: translated.
    let path = dir.path().join("good.ndjson.gz");
    std::fs::write(&path, gzip(RECORD)).unwrap();
    let out = run(&["--emit-sql", "spark", "-i", path.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("raise_error("), "{}", stdout(&out));
}

#[test]
fn file_names_reach_the_engines_with_their_glob_characters_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ev[1]?.ndjson");
    std::fs::write(&path, RECORD).unwrap();
    let base = dir.path().display();
    for (dialect, quoted) in [
        ("duckdb", format!("'{base}/ev[[]1][?].ndjson'")),
        ("spark", format!("text.`{base}/ev\\[1\\]\\?.ndjson`")),
    ] {
        let out = run(&["--emit-sql", dialect, "-i", path.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stdout(&out).contains(&quoted),
            "{dialect}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn a_date_only_to_in_the_emitted_window_covers_its_day() {
    // 2024-05-01T00:00:00Z is 1714521600; its last second 1714607999.
    let out = run(
        &[
            "--emit-sql",
            "athena",
            "--from",
            "2024-05-01",
            "--to",
            "2024-05-01",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sql = stdout(&out);
    assert!(
        sql.contains("(_et_s > 1714521600 OR (_et_s = 1714521600 AND _et_n >= 0))"),
        "{sql}"
    );
    assert!(
        sql.contains("(_et_s < 1714607999 OR (_et_s = 1714607999 AND _et_n <= 999999999))"),
        "{sql}"
    );
}

#[test]
fn a_bad_match_is_quoted_as_the_filter_quotes_it() {
    let expression = format!("$.a == '{}' and $.b =! 1", "x".repeat(100_000));
    let filtered = run(&["-m", &expression], b"");
    assert_eq!(filtered.status.code(), Some(2));
    for dialect in ["athena", "spark", "duckdb"] {
        let emitted = run(&["--emit-sql", dialect, "-m", &expression], b"");
        assert_eq!(emitted.status.code(), Some(2), "{dialect}");
        assert_eq!(stderr(&emitted), stderr(&filtered), "{dialect}");
    }
    assert!(stderr(&filtered).len() < 400, "{}", stderr(&filtered));
}

#[test]
fn unknown_dialects_and_levels_are_usage_errors() {
    for args in [
        &["--emit-sql", "mysql"][..],
        &["--emit-sql", "Spark"],
        &["--sigma", "rules", "--sigma-level", "severe"],
    ] {
        let out = run(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("invalid value"), "{args:?}: {err}");
        assert!(err.contains("possible values"), "{args:?}: {err}");
    }
}

#[test]
fn a_sigma_network_with_host_bits_is_the_same_network_in_sql() {
    // 10.0.0.1/8 means 10.0.0.0/8 to the filter, so the SQL range must run
    // from 10.0.0.0 (167772160) to 10.255.255.255 (184549375).
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("rule.yml");
    std::fs::write(
        &rule,
        "title: t\nlogsource:\n  product: aws\n  service: cloudtrail\n\
         detection:\n  sel:\n    sourceIPAddress|cidr: 10.0.0.1/8\n  condition: sel\n",
    )
    .unwrap();
    let records = b"{\"sourceIPAddress\":\"10.0.0.0\"}\n{\"sourceIPAddress\":\"11.0.0.0\"}\n";
    let filtered = run(&["--sigma", rule.to_str().unwrap()], records);
    assert_eq!(filtered.status.code(), Some(0), "{}", stderr(&filtered));
    assert_eq!(stdout(&filtered), "{\"sourceIPAddress\":\"10.0.0.0\"}\n");
    for dialect in ["athena", "spark", "duckdb"] {
        let out = run(
            &[
                "--emit-sql",
                dialect,
                "--sigma",
                rule.to_str().unwrap(),
                "-i",
                "dump.ndjson",
            ],
            b"",
        );
        assert_eq!(out.status.code(), Some(0), "{dialect}: {}", stderr(&out));
        let sql = stdout(&out);
        assert!(
            sql.contains("BETWEEN 167772160 AND 184549375"),
            "{dialect}: {sql}"
        );
    }
}

#[test]
fn numbers_no_dialect_compares_exactly_are_refused_alike_in_each() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.ndjson");
    std::fs::write(&path, RECORD).unwrap();
    for (expression, construct) in [
        ("$.errorCode == 1e400", "a number literal no double holds"),
        (
            "$.errorCode in ['AccessDenied', -1e400]",
            "a number literal no double holds",
        ),
        (
            "$.errorCode != [1, {'k': 1e999}]",
            "a number literal no double holds",
        ),
        (
            "$.errorCode == 340282366920938463463374607431768211456",
            "the integer 340282366920938463463374607431768211456, which no SQL integer holds",
        ),
    ] {
        for dialect in ["athena", "duckdb", "spark"] {
            let mut args = vec!["--emit-sql", dialect, "-m", expression];
            if dialect != "athena" {
                args.extend(["-i", path.to_str().unwrap()]);
            }
            let out = run(&args, b"");
            assert_eq!(out.status.code(), Some(2), "{dialect} {expression}");
            let err = stderr(&out);
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.starts_with(&format!(
                    "spitzel-filter: --emit-sql {dialect}: cannot translate exactly: {construct}"
                )),
                "{err}"
            );
        }
    }
}

#[test]
fn athena_returns_the_tables_columns_and_orders_by_time_when_asked() {
    let out = run(
        &["--emit-sql", "athena", "s3:Get*", "--sql-order", "time"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sql = stdout(&out);
    let outer = sql.lines().nth(1).unwrap();
    assert!(
        outer.starts_with("SELECT eventversion, useridentity, eventtime, "),
        "{sql}"
    );
    assert!(
        sql.trim_end()
            .ends_with("ORDER BY _et_s NULLS LAST, _et_n NULLS LAST"),
        "{sql}"
    );
    // The order is the statement's: the filter itself has none to give.
    let out = run(&["--sql-order", "time"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn athena_warns_of_what_it_cannot_prune_and_still_prints_the_statement() {
    let no_partition = "spitzel-filter: warning: --emit-sql athena: no partition predicate";
    let no_account = "spitzel-filter: warning: --emit-sql athena: no account pinned";
    let pinned = "$.recipientAccountId == '111122223333'";
    for (args, warning) in [
        (vec!["s3:Get*"], Some(no_partition)),
        (
            vec!["s3:Get*", "--from", "2026-03-01", "-m", pinned, "-v"],
            Some(no_partition),
        ),
        (vec!["s3:Get*", "--from", "2026-03-01"], Some(no_account)),
        (vec!["-m", "$.awsRegion == 'us-east-1'"], Some(no_account)),
        (vec!["s3:Get*", "-m", pinned], None),
        (vec!["--from", "2026-03-01", "-m", pinned], None),
    ] {
        let mut all = vec!["--emit-sql", "athena"];
        all.extend(&args);
        let out = run(&all, b"");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(stdout(&out).contains("FROM"), "{args:?}");
        let err = stderr(&out);
        match warning {
            Some(start) => {
                assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
                assert!(err.starts_with(start), "{args:?}: {err}");
            }
            None => assert_eq!(err, "", "{args:?}"),
        }
    }
    // DuckDB and Spark read the files named: nothing to warn of.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.ndjson");
    std::fs::write(&path, RECORD).unwrap();
    for dialect in ["duckdb", "spark"] {
        let out = run(&["--emit-sql", dialect, "-i", path.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(stderr(&out), "", "{dialect}");
    }
}

#[test]
fn the_statement_opens_with_the_command_as_typed_on_one_comment_line() {
    let dir = tempfile::tempdir().unwrap();
    // A line break in an argument would end the comment and let the rest
    // of the argument run as SQL: it is written as an escape.
    let path = dir.path().join("a\nDROP TABLE x; --.ndjson");
    std::fs::write(&path, RECORD).unwrap();
    let out = run(
        &[
            "s3:Get*",
            "--match",
            "$.errorCode == \"Access'Denied\"",
            "--emit-sql",
            "duckdb",
            "-i",
            path.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sql = stdout(&out);
    let mut lines = sql.lines();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "-- spitzel-filter {version}: spitzel-filter 's3:Get*' --match \
             '$.errorCode == \"Access'\\''Denied\"' --emit-sql duckdb -i $'{}/a\\nDROP TABLE x; --.ndjson'",
            dir.path().display()
        )
    );
    assert!(lines.next().unwrap().starts_with("SELECT "), "{sql}");
}

#[test]
fn sql_skip_refused_translates_the_rules_it_can_and_names_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, detection: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "title: {name}\nlogsource:\n  product: aws\n  service: cloudtrail\n\
                 detection:\n{detection}\n  condition: sel\n"
            ),
        )
        .unwrap();
        path.to_str().unwrap().to_owned()
    };
    let good = write("good.yml", "  sel:\n    eventName: StopLogging");
    let bad = write("bad.yml", "  sel:\n    eventName|fieldref: errorCode");
    let reason = format!("{bad}: fieldref on eventName");
    // Without the option one rule refuses the set.
    let out = run(
        &["--sigma", &good, "--sigma", &bad, "--emit-sql", "athena"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&reason), "{}", stderr(&out));
    let out = run(
        &[
            "--sigma",
            &good,
            "--sigma",
            &bad,
            "--emit-sql",
            "athena",
            "--sql-skip-refused",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sql = stdout(&out);
    let left_out = format!("left out (no exact translation): {reason}");
    assert_eq!(sql.lines().nth(1).unwrap(), format!("-- {left_out}"));
    assert!(sql.contains("[Ss\\x{17F}][Tt][Oo][Pp]"), "{sql}");
    assert!(
        stderr(&out)
            .lines()
            .any(|l| l == format!("spitzel-filter: warning: --emit-sql athena: {left_out}")),
        "{}",
        stderr(&out)
    );
    // A set of which nothing translates is still refused.
    let out = run(
        &[
            "--sigma",
            &bad,
            "--emit-sql",
            "athena",
            "--sql-skip-refused",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

/// A trail folder with what the filter's walk leaves out beside it.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let put = |rel: &str, bytes: Vec<u8>| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    put("a.ndjson", RECORD.to_vec());
    put("b/c.ndjson.gz", gzip(RECORD));
    put(
        "t/123456789012_CloudTrail_us-east-1_20260314T0800Z_early.json.gz",
        gzip(RECORD),
    );
    put(".hidden.ndjson", RECORD.to_vec());
    put(".git/x.ndjson", RECORD.to_vec());
    put(
        "d/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20260314T1200Z.json.gz",
        gzip(RECORD),
    );
    put("notes.txt", RECORD.to_vec());
    dir
}

#[test]
fn a_directory_is_read_as_the_files_the_filters_walk_reads() {
    let dir = tree();
    let root = dir.path().to_str().unwrap();
    let early = "t/123456789012_CloudTrail_us-east-1_20260314T0800Z_early.json.gz";
    for (dialect, from) in [
        ("duckdb", None),
        ("spark", None),
        ("duckdb", Some("2026-03-14T09:00:00Z")),
    ] {
        let mut args = vec!["--emit-sql", dialect, "-i", root];
        if let Some(from) = from {
            args.extend(["--from", from]);
        }
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let sql = stdout(&out);
        let file = |rel: &str| dir.path().join(rel).display().to_string();
        let (plain, gzipped) = (file("a.ndjson"), file("b/c.ndjson.gz"));
        if dialect == "duckdb" {
            // One read per compression, each file on its own line.
            let plain_read =
                format!("read_json_objects(['{plain}'], format = 'auto', compression = 'none')");
            assert!(sql.contains(&plain_read), "{sql}");
            let gzip_read = match from {
                Some(_) => format!("read_json_objects(['{gzipped}'], format"),
                None => format!(
                    "read_json_objects(['{gzipped}',\n      '{}'], format",
                    file(early)
                ),
            };
            assert!(sql.contains(&gzip_read), "{sql}");
        } else {
            for f in [&plain, &gzipped] {
                assert!(sql.contains(&format!("text.`{f}`")), "{sql}");
            }
        }
        assert_eq!(sql.contains("_early.json.gz"), from.is_none(), "{sql}");
        for left_out in [".hidden", ".git", "Digest", "notes.txt"] {
            assert!(!sql.contains(left_out), "{left_out} in {sql}");
        }
    }
}

#[test]
fn trees_and_prefixes_no_engine_can_read_as_the_filter_does_are_refused_in_one_line() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), RECORD).unwrap();
    let misnamed = tempfile::tempdir().unwrap();
    std::fs::write(misnamed.path().join("dump.ndjson"), gzip(RECORD)).unwrap();
    let cases = [
        (
            "duckdb",
            "s3://trail-bucket/AWSLogs/",
            "the S3 prefix s3://trail-bucket/AWSLogs/ (which of its objects spitzel-fetch --s3 reads",
        ),
        (
            "spark",
            "s3://trail-bucket",
            "the S3 prefix s3://trail-bucket (",
        ),
        (
            "duckdb",
            empty.path().to_str().unwrap(),
            "(no file under it to read: 0 digest, 0 left out by delivery time, 1 of other names)",
        ),
        (
            "spark",
            misnamed.path().to_str().unwrap(),
            "gzip without a .gz name, which Spark would read as text",
        ),
    ];
    for (dialect, input, why) in cases {
        let out = run(&["--emit-sql", dialect, "-i", input], b"");
        assert_eq!(out.status.code(), Some(2), "{input}: {}", stdout(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!(
                "spitzel-filter: --emit-sql {dialect}: cannot translate exactly: "
            )) && err.contains(why),
            "{err}"
        );
    }
    // One object is a file, read as before.
    let object = "s3://my-dumps/2026-03/events.ndjson.gz";
    let out = run(&["--emit-sql", "spark", "-i", object], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("text.`{object}`")));
}
