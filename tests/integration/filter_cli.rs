//! spitzel-filter through its binary: real pipes, real files.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use crate::util::{Filter, run, stderr, stdout};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Filter::new().command()
}

/// A compact CloudTrail-like record.
fn event(id: u32, source: &str, name: &str, time: &str, extra: &str) -> String {
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(",{extra}")
    };
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","eventID":"id-{id}"{extra}}}"#
    )
}

fn lines(records: &[String]) -> String {
    let mut text = records.join("\n");
    text.push('\n');
    text
}

fn sample() -> Vec<String> {
    vec![
        event(
            1,
            "s3.amazonaws.com",
            "GetObject",
            "2024-05-01T10:00:00Z",
            r#""sourceIPAddress":"10.1.2.3","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/MyRole/alice"},"errorCode":"AccessDenied","readOnly":true"#,
        ),
        event(
            2,
            "s3.amazonaws.com",
            "PutObject",
            "2024-05-01T11:00:00Z",
            r#""sourceIPAddress":"192.168.7.9","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob"},"readOnly":false"#,
        ),
        event(
            3,
            "ec2.amazonaws.com",
            "DescribeInstances",
            "2024-05-01T12:00:00Z",
            r#""sourceIPAddress":"AWS Internal","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Other/carol"},"readOnly":true"#,
        ),
        event(
            4,
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            "2024-05-01T13:00:00Z",
            r#""sourceIPAddress":"2001:db8::7","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/Alice"},"errorCode":"AccessDenied""#,
        ),
        event(
            5,
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            "2024-05-01T14:00:00Z",
            r#""sourceIPAddress":"10.9.9.9","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/MyRole/dave"},"resources":[{"type":"AWS::Lambda::Function","ARN":"arn:aws:lambda:us-east-1:111122223333:function:secret-fn"}]"#,
        ),
    ]
}

fn ids(text: &str) -> Vec<u32> {
    text.lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("output line is JSON");
            value["eventID"].as_str().unwrap()[3..].parse().unwrap()
        })
        .collect()
}

#[test]
fn writes_matching_lines_byte_for_byte_in_order() {
    let records = sample();
    let output = run(&["s3:*"], lines(&records).as_bytes());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{}\n{}\n", records[0], records[1]));
}

#[test]
fn no_arguments_keeps_every_event() {
    let records = sample();
    let output = run(&[], lines(&records).as_bytes());
    assert_eq!(stdout(&output), lines(&records));
}

#[test]
fn action_globs_are_case_insensitive_and_any_of_several_matches() {
    let input = lines(&sample());
    assert_eq!(ids(&stdout(&run(&["S3:get*"], input.as_bytes()))), vec![1]);
    assert_eq!(
        ids(&stdout(&run(
            &["s3:GetObject", "ec2:Describe*"],
            input.as_bytes()
        ))),
        vec![1, 3]
    );
    assert_eq!(
        ids(&stdout(&run(&["*"], input.as_bytes()))),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(
        ids(&stdout(&run(&["s3:?utObject"], input.as_bytes()))),
        vec![2]
    );
}

#[test]
fn action_globs_know_iam_prefix_renames_and_name_suffixes() {
    let input = lines(&sample());
    assert_eq!(
        ids(&stdout(&run(
            &["cloudwatch:PutMetricAlarm"],
            input.as_bytes()
        ))),
        vec![4]
    );
    // The event's own host prefix still matches, as in the Python original.
    assert_eq!(
        ids(&stdout(&run(&["monitoring:Put*"], input.as_bytes()))),
        vec![4]
    );
    assert_eq!(
        ids(&stdout(&run(
            &["lambda:UpdateFunctionConfiguration"],
            input.as_bytes()
        ))),
        vec![5]
    );
}

#[test]
fn an_action_without_a_service_is_a_usage_error() {
    let output = run(&["GetObject"], b"");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.starts_with("spitzel-filter: "), "{err}");
    assert!(
        err.contains("GetObject") && err.contains("s3:GetObject"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn match_expressions_all_must_hold() {
    let input = lines(&sample());
    let out = run(
        &["--match", r#"$.errorCode == "AccessDenied""#],
        input.as_bytes(),
    );
    assert_eq!(ids(&stdout(&out)), vec![1, 4]);
    let out = run(
        &[
            "s3:*",
            "-m",
            r#"$.errorCode == "AccessDenied""#,
            "-m",
            "$.readOnly == True",
        ],
        input.as_bytes(),
    );
    assert_eq!(ids(&stdout(&out)), vec![1]);
}

#[test]
fn the_python_originals_examples_work() {
    let input = lines(&sample());
    let out = run(
        &["-m", r#"$.userIdentity.arn regex ".*/MyRole/.*""#],
        input.as_bytes(),
    );
    assert_eq!(ids(&stdout(&out)), vec![1, 5]);
    // The original README's lookahead pattern must compile (Python re syntax).
    let out = run(
        &["-m", r#"$.userIdentity.arn regex ".*:^((?!Alice).)""#],
        input.as_bytes(),
    );
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    let out = run(
        &["-m", r#"$.userIdentity.arn regex "^((?!Alice).)*$""#],
        input.as_bytes(),
    );
    assert_eq!(ids(&stdout(&out)), vec![1, 2, 3, 5]);
    let out = run(
        &["s3:Get*", "-m", "$.errorCode == 'AccessDenied'"],
        input.as_bytes(),
    );
    assert_eq!(ids(&stdout(&out)), vec![1]);
}

#[test]
fn a_missing_path_is_none() {
    let input = lines(&sample());
    assert_eq!(
        ids(&stdout(&run(
            &["-m", "$.errorCode == None"],
            input.as_bytes()
        ))),
        vec![2, 3, 5]
    );
    assert_eq!(
        ids(&stdout(&run(
            &["-m", "$.errorCode != None"],
            input.as_bytes()
        ))),
        vec![1, 4]
    );
}

#[test]
fn operators_through_the_binary() {
    let input = lines(&sample());
    let cases: &[(&str, &[u32])] = &[
        (r#"$.sourceIPAddress cidr "10.0.0.0/8""#, &[1, 5]),
        (
            r#"$.sourceIPAddress cidr ["192.168.0.0/16", "2001:db8::/32"]"#,
            &[2, 4],
        ),
        (r#"$.eventName in ["GetObject", "PutObject"]"#, &[1, 2]),
        (r#"$.eventName in ("GetObject",)"#, &[1]),
        (r#"$.userIdentity.arn contains "user/""#, &[2, 4]),
        (r#"$.eventTime >= "2024-05-01T13:00:00Z""#, &[4, 5]),
        (
            r#"$.resources[?@.type == 'AWS::Lambda::Function'].ARN regex "secret""#,
            &[5],
        ),
        (
            r#"$.readOnly == True and not $.eventSource == "ec2.amazonaws.com""#,
            &[1],
        ),
        (
            r#"($.eventName == "PutObject" or $.eventName == "GetObject") and $.readOnly == False"#,
            &[2],
        ),
        ("$.readOnly == 1", &[]),
    ];
    for (expression, expected) in cases {
        let out = run(&["-m", expression], input.as_bytes());
        assert_eq!(
            &ids(&stdout(&out)),
            expected,
            "{expression}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_bad_expression_names_the_column() {
    let output = run(&["--match", "$.a =! 3"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "spitzel-filter: --match '$.a =! 3': expected an operator: '=!' is none; did you mean '!='? at column 5\n"
    );
}

#[test]
fn time_window_is_inclusive_and_accepts_the_originals_format() {
    let input = lines(&sample());
    let out = run(
        &[
            "--from",
            "2024-05-01 11:00:00",
            "--to",
            "2024-05-01T13:00:00Z",
        ],
        input.as_bytes(),
    );
    assert_eq!(ids(&stdout(&out)), vec![2, 3, 4]);
    // 15:00 at +02:00 is 13:00 UTC.
    let out = run(&["--from", "2024-05-01T15:00:00+02:00"], input.as_bytes());
    assert_eq!(ids(&stdout(&out)), vec![4, 5]);
    let out = run(&["--to", "2024-04-30"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_date_only_to_covers_its_day_and_minutes_and_epoch_seconds_are_times() {
    let input = lines(&sample());
    // The original took a date-only --to as its midnight: an empty window.
    let out = run(
        &["--from", "2024-05-01", "--to", "2024-05-01"],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(ids(&stdout(&out)), vec![1, 2, 3, 4, 5]);
    // To the minute: a --to minute covers its 60 seconds.
    let out = run(
        &["--from", "2024-05-01 11:00", "--to", "2024-05-01T12:00"],
        input.as_bytes(),
    );
    assert_eq!(ids(&stdout(&out)), vec![2, 3]);
    // 2024-05-01T13:00:00Z is 1714568400.
    let out = run(&["--from", "@1714568400"], input.as_bytes());
    assert_eq!(ids(&stdout(&out)), vec![4, 5]);
    let out = run(&["--from", "@17145684OO"], input.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "spitzel-filter: --from: invalid time '@17145684OO' (accepted: 'YYYY-MM-DD', \
         'YYYY-MM-DD HH:MM[:SS]', 'YYYY-MM-DDTHH:MM[:SS]', optional fractional seconds, \
         optional 'Z' or offset like +05:30 (default UTC), or epoch seconds as '@1700000000')\n"
    );
}

#[test]
fn last_minute_and_last_count_back_from_now() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let stamp = |secs_ago: i64| {
        let t = time::OffsetDateTime::from_unix_timestamp(now - secs_ago).unwrap();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month() as u8,
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    };
    let records = vec![
        event(1, "s3.amazonaws.com", "GetObject", &stamp(60), ""),
        event(2, "s3.amazonaws.com", "GetObject", &stamp(3 * 3600), ""),
        event(3, "s3.amazonaws.com", "GetObject", &stamp(3 * 86400), ""),
    ];
    let input = lines(&records);
    assert_eq!(
        ids(&stdout(&run(&["--last-minute", "10"], input.as_bytes()))),
        vec![1]
    );
    assert_eq!(
        ids(&stdout(&run(&["--last", "4h"], input.as_bytes()))),
        vec![1, 2]
    );
    assert_eq!(
        ids(&stdout(&run(&["--last", "7d"], input.as_bytes()))),
        vec![1, 2, 3]
    );
}

#[test]
fn events_without_a_readable_time_are_outside_any_window_and_counted() {
    let records = vec![
        event(1, "s3.amazonaws.com", "GetObject", "redacted", ""),
        r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"id-2"}"#
            .to_string(),
        event(
            3,
            "s3.amazonaws.com",
            "GetObject",
            "2024-05-01T10:00:00Z",
            "",
        ),
    ];
    let out = run(
        &["--from", "2024-01-01", "--stats"],
        lines(&records).as_bytes(),
    );
    assert_eq!(ids(&stdout(&out)), vec![3]);
    assert!(stderr(&out).contains("no eventTime 2"), "{}", stderr(&out));
    // Without a window they are ordinary events.
    assert_eq!(
        ids(&stdout(&run(&[], lines(&records).as_bytes()))),
        vec![1, 2, 3]
    );
}

#[test]
fn crlf_blank_lines_bom_and_a_last_line_without_newline() {
    let records = sample();
    let input = format!(
        "\u{feff}{}\r\n\r\n   \n{}\r\n\n{}",
        records[0], records[1], records[2]
    );
    let out = run(&[], input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), lines(&records[..3]));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

#[test]
fn bad_lines_are_reported_with_their_place_and_skipped() {
    let records = sample();
    let mut input = Vec::new();
    input.extend_from_slice(format!("{}\n", records[0]).as_bytes());
    input.extend_from_slice(b"{\"eventName\": \n"); // line 2: invalid JSON
    input.extend_from_slice(b"[1,2,3]\n"); // 3: an array
    input.extend_from_slice(b"42\n"); // 4: a number
    input.extend_from_slice(b"{\"a\":\"\xff\xfe\"}\n"); // 5: invalid UTF-8
    input.extend_from_slice(&b"[".repeat(100_000)); // 6: a nesting bomb
    input.push(b'\n');
    input.extend_from_slice(format!("{}\n", records[1]).as_bytes()); // 7
    input.extend_from_slice(b"{\"eventName\":\"Get"); // 8: truncated last line
    let out = run(&[], &input);
    // Matches written, but not every record judged: 2, not 0.
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), lines(&records[..2]));
    let err = stderr(&out);
    for line in [2, 3, 4, 5, 6, 8] {
        assert!(
            err.contains(&format!("spitzel-filter: <stdin>:{line}: ")),
            "line {line}: {err}"
        );
    }
    assert!(err.contains("skipped 6 bad records"), "{err}");
}

#[test]
fn bad_lines_in_a_file_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.ndjson");
    std::fs::write(&path, format!("{}\nnot json\n", sample()[0])).unwrap();
    let out = run(&["-i", path.to_str().unwrap()], b"");
    assert!(
        stderr(&out).contains(&format!("spitzel-filter: {}:2: ", path.display())),
        "{}",
        stderr(&out)
    );
    assert_eq!(ids(&stdout(&out)), vec![1]);
}

#[test]
fn many_bad_lines_are_counted_not_all_printed() {
    let mut input = String::new();
    for _ in 0..500 {
        input.push_str("oops\n");
    }
    input.push_str(&sample()[0]);
    input.push('\n');
    let out = run(&[], input.as_bytes());
    assert_eq!(ids(&stdout(&out)), vec![1]);
    let err = stderr(&out);
    assert!(err.lines().count() < 30, "{err}");
    assert!(
        err.contains("skipped 500 bad records (first at <stdin>:1)"),
        "{err}"
    );
}

#[test]
fn strict_makes_the_first_bad_line_fatal() {
    let records = sample();
    let input = format!("{}\nbroken\n{}\n", records[0], records[1]);
    let out = run(&["--strict"], input.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), format!("{}\n", records[0]));
    assert!(stderr(&out).contains("<stdin>:2: "), "{}", stderr(&out));
}

#[test]
fn invert_count_quiet_and_limit() {
    let input = lines(&sample());
    assert_eq!(
        ids(&stdout(&run(&["-v", "s3:*"], input.as_bytes()))),
        vec![3, 4, 5]
    );
    let out = run(&["-c", "s3:*"], input.as_bytes());
    assert_eq!(stdout(&out), "2\n");
    let out = run(&["-c", "dynamodb:*"], input.as_bytes());
    assert_eq!((stdout(&out).as_str(), out.status.code()), ("0\n", Some(1)));
    let out = run(&["-q", "s3:*"], input.as_bytes());
    assert_eq!((out.stdout.len(), out.status.code()), (0, Some(0)));
    let out = run(&["-q", "dynamodb:*"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        ids(&stdout(&run(&["--limit", "2"], input.as_bytes()))),
        vec![1, 2]
    );
}

#[test]
fn limit_stops_without_reading_the_rest() {
    // stdin stays open: the filter must not wait for its end.
    let mut child = bin()
        .args(["--limit", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{}\n", sample()[0]).as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "spitzel-filter --limit 1 kept waiting for input"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(ids(&out), vec![1]);
    drop(stdin);
}

#[test]
fn output_order_is_input_order_whatever_the_thread_count() {
    // Several megabytes: many blocks in flight at once.
    let mut records = Vec::new();
    for i in 0..40_000u32 {
        let name = if i % 3 == 0 { "GetObject" } else { "PutObject" };
        let pad = "x".repeat((i % 97) as usize);
        records.push(event(
            i,
            "s3.amazonaws.com",
            name,
            "2024-05-01T10:00:00Z",
            &format!(r#""pad":"{pad}""#),
        ));
    }
    let input = lines(&records);
    let expected: Vec<u32> = (0..40_000).filter(|i| i % 3 == 0).collect();
    for threads in ["1", "2", "4", "8"] {
        let out = run(&["-j", threads, "s3:Get*"], input.as_bytes());
        assert_eq!(ids(&stdout(&out)), expected, "-j {threads}");
    }
}

#[test]
fn exit_status_follows_grep() {
    let input = lines(&sample());
    assert_eq!(run(&["s3:*"], input.as_bytes()).status.code(), Some(0));
    assert_eq!(
        run(&["dynamodb:*"], input.as_bytes()).status.code(),
        Some(1)
    );
    let out = run(&["-i", "/nonexistent/dump.ndjson"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "spitzel-filter: /nonexistent/dump.ndjson: No such file or directory\n"
    );
    let out = run(&["--bogus-flag"], b"");
    assert_eq!(out.status.code(), Some(2));

    // 2 whenever a record was not read or not judged, after writing what
    // could be: a bad line beside a match, and beside none.
    let with_bad = format!("{input}{{broken\n");
    let out = run(&["s3:*"], with_bad.as_bytes());
    assert_eq!(ids(&stdout(&out)), vec![1, 2]);
    assert_eq!(
        stderr(&out),
        "spitzel-filter: <stdin>:6: invalid JSON: key must be a string at byte 2\n\
         spitzel-filter: skipped 1 bad record (first at <stdin>:6)\n"
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        run(&["dynamodb:*"], with_bad.as_bytes()).status.code(),
        Some(2)
    );
    // -c prints its count of what was judged, and still says 2.
    let out = run(&["-c", "s3:*"], with_bad.as_bytes());
    assert_eq!((stdout(&out).as_str(), out.status.code()), ("2\n", Some(2)));
    // -q answers "is there a match?": a match is that answer whatever else
    // failed (as grep -q); without one the error stands.
    assert_eq!(
        run(&["-q", "s3:*"], with_bad.as_bytes()).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&["-q", "dynamodb:*"], with_bad.as_bytes())
            .status
            .code(),
        Some(2)
    );
    // -v writes the others; the bad line is judged by neither.
    assert_eq!(
        run(&["-v", "s3:*"], with_bad.as_bytes()).status.code(),
        Some(2)
    );

    // A record a comparison could not decide (a regex past its budget).
    let long = format!(r#"{{"eventName":"x","s":"{}"}}"#, "a".repeat(20_000));
    let out = run(&["-m", r#"$.s regex "(?=(a+)+$)|!""#], long.as_bytes());
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("<stdin>:1: undecided"),
        "{}",
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(2));

    // Input that is all garbage is not "no match": a text file, a binary.
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("Cargo.toml");
    std::fs::write(&toml, "[package]\nname = \"x\"\n").unwrap();
    let out = run(&["-i", toml.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).ends_with(&format!(
            "spitzel-filter: skipped 2 bad records (first at {}:1)\n",
            toml.display()
        )),
        "{}",
        stderr(&out)
    );
    let binary = dir.path().join("a.out");
    std::fs::write(&binary, b"\x7fELF\x02\x01\x01\x00\xff\xfe\x00\x00\n").unwrap();
    let out = run(&["-i", binary.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(&format!("spitzel-filter: {}:1: ", binary.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn emit_sql_into_a_closed_pipe_ends_quietly() {
    // `--emit-sql duckdb | head -c 300` once panicked on the broken pipe.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = bin()
        .args(["s3:Get*", "--emit-sql", "duckdb", "-i", "x.json"])
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(stderr(&out), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn several_inputs_are_read_in_order_and_dash_is_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let records = sample();
    let a = dir.path().join("a.ndjson");
    let b = dir.path().join("b.ndjson");
    std::fs::write(&a, lines(&records[3..])).unwrap();
    std::fs::write(&b, lines(&records[..1])).unwrap();
    let out = run(
        &[
            "-i",
            a.to_str().unwrap(),
            "-i",
            "-",
            "-i",
            b.to_str().unwrap(),
        ],
        lines(&records[1..3]).as_bytes(),
    );
    assert_eq!(ids(&stdout(&out)), vec![4, 5, 2, 3, 1]);
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let mut input = String::new();
    for i in 0..200_000u32 {
        input.push_str(&event(
            i,
            "s3.amazonaws.com",
            "GetObject",
            "2024-05-01T10:00:00Z",
            "",
        ));
        input.push('\n');
    }
    let mut child = bin()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn stats_report_lines_events_matches_and_bytes() {
    let input = format!("{}broken\n", lines(&sample()));
    let out = run(&["--stats", "s3:*"], input.as_bytes());
    let err = stderr(&out);
    let stats = err
        .lines()
        .find(|l| l.contains("stats:"))
        .expect("a stats line");
    for part in [
        "lines 6",
        "events 5",
        "matched 2",
        "skipped 1",
        &format!("bytes {}", input.len()),
        "MB/s",
    ] {
        assert!(stats.contains(part), "{part}: {stats}");
    }
}
