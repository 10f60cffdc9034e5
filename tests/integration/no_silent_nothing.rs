//! A question asked wrong, or input left unread, is said on stderr and in
//! the exit status (issue 22): the new user's mistakes, their exact line and
//! status.

use crate::util::{run, stderr, stdout};
use std::path::Path;

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_directory_with_no_input_file_is_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    for name in ["events.gz", "events.log", "events.txt"] {
        std::fs::write(logs.join(name), "{}\n").unwrap();
    }
    let out = run(&["-i", path(&logs)], b"");
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!(
            "spitzel-filter: no input files under {0}: 3 names skipped: {0}/events.gz, \
             {0}/events.log, {0}/events.txt (reading *.json, *.jsonl, *.ndjson and their .gz)\n",
            logs.display()
        )
    );
    assert_eq!(out.status.code(), Some(2));
    // -c and -q say the same, instead of a clean "0" / exit 1.
    let out = run(&["-c", "-i", path(&logs)], b"");
    assert_eq!((stdout(&out).as_str(), out.status.code()), ("0\n", Some(2)));
    assert_eq!(run(&["-q", "-i", path(&logs)], b"").status.code(), Some(2));

    // A wrong folder with more names than shown; an empty one.
    std::fs::write(logs.join("notes.md"), "").unwrap();
    let out = run(&["-i", path(&logs)], b"");
    assert!(
        stderr(&out).contains(": 4 names skipped: ") && stderr(&out).contains(", ... (reading"),
        "{}",
        stderr(&out)
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = run(&["-i", path(&empty)], b"");
    assert_eq!(
        stderr(&out),
        format!(
            "spitzel-filter: no input files under {}: nothing else there \
             (reading *.json, *.jsonl, *.ndjson and their .gz)\n",
            empty.display()
        )
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_tree_of_digests_only_reads_nothing_but_one_left_out_by_date_is_judged() {
    let dir = tempfile::tempdir().unwrap();
    let digest = dir
        .path()
        .join("111122223333_CloudTrail-Digest_us-east-1_x_20240501T1300Z.json.gz");
    std::fs::write(&digest, b"").unwrap();
    let out = run(&["-i", path(dir.path())], b"");
    assert_eq!(
        stderr(&out),
        format!(
            "spitzel-filter: no input files under {}: 1 CloudTrail digest file skipped \
             (reading *.json, *.jsonl, *.ndjson and their .gz)\n",
            dir.path().display()
        )
    );
    assert_eq!(out.status.code(), Some(2));
    // A log file delivered before --from holds nothing inside the window:
    // a verdict on its events, so "no match", exit 1.
    std::fs::write(
        dir.path()
            .join("111122223333_CloudTrail_us-east-1_20240501T0005Z_a.json.gz"),
        crate::util::gzip(b"{\"Records\":[]}"),
    )
    .unwrap();
    let out = run(&["-i", path(dir.path()), "--from", "2024-06-01"], b"");
    assert_eq!(stderr(&out), "");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn names_skipped_beside_inputs_are_one_closing_line_and_no_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        "{\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\"}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "# trail\n").unwrap();
    std::fs::write(dir.path().join("b.log"), "").unwrap();
    let out = run(&["-i", path(dir.path()), "--stats"], b"");
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some(
            format!(
                "spitzel-filter: 2 names skipped in directories (not *.json, *.jsonl, *.ndjson \
                 and their .gz): {0}/README.md, {0}/b.log",
                dir.path().display()
            )
            .as_str()
        )
    );
    assert!(
        err.contains(
            "stats: files not read: delivered before --from 0, digests 0, other names 2\n"
        ),
        "{err}"
    );
    // Nothing matched there: still 1, the names do not change the status.
    let out = run(&["dynamodb:*", "-i", path(dir.path())], b"");
    assert_eq!(out.status.code(), Some(1));
}

fn s3_get(id: u32) -> String {
    format!(
        "{{\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\",\"eventID\":\"id-{id}\"}}\n"
    )
}

#[test]
fn dash_i_takes_every_path_the_shell_expands() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = (1..=3)
        .map(|n| {
            let file = dir.path().join(format!("{n}.json.gz"));
            std::fs::write(&file, crate::util::gzip(s3_get(n).as_bytes())).unwrap();
            path(&file).to_string()
        })
        .collect();
    let mut args = vec!["s3:Get*", "-i"];
    args.extend(files.iter().map(String::as_str));
    let out = run(&args, b"");
    assert_eq!(
        stdout(&out),
        format!("{}{}{}", s3_get(1), s3_get(2), s3_get(3))
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // -- ends the paths; stdin among them with -.
    let out = run(
        &["-i", &files[2], "-", "--", "s3:Get*"],
        s3_get(9).as_bytes(),
    );
    assert_eq!(stdout(&out), format!("{}{}", s3_get(3), s3_get(9)));
    // -i still repeats.
    let out = run(&["-c", "-i", &files[0], "-i", &files[1]], b"");
    assert_eq!(stdout(&out), "2\n");
}

#[test]
fn an_action_after_the_paths_or_a_file_as_an_action_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.json");
    std::fs::write(&file, s3_get(1)).unwrap();
    // The new user's order: paths, then the action.
    let out = run(&["-i", path(&file), "s3:Get*"], b"");
    assert_eq!(
        stderr(&out),
        "spitzel-filter: -i 's3:Get*': no such file, and it looks like an IAM action glob: \
         give action globs before -i, or end the -i paths with --\n"
    );
    assert_eq!((stdout(&out).as_str(), out.status.code()), ("", Some(2)));
    // The forgotten -i: `spitzel-filter tree/*.json`.
    let out = run(&[path(&file)], b"");
    assert_eq!(
        stderr(&out),
        format!(
            "spitzel-filter: '{0}' is a file, not an IAM action glob: did you mean -i {0}?\n",
            file.display()
        )
    );
    assert_eq!(out.status.code(), Some(2));
    // A missing path that is no action keeps its own message.
    let out = run(&["-i", "nope.json"], b"");
    assert_eq!(
        stderr(&out),
        "spitzel-filter: nope.json: No such file or directory\n"
    );
}

fn records_file(ids: &[u32]) -> String {
    let records: Vec<String> = ids
        .iter()
        .map(|id| s3_get(*id).trim_end().to_string())
        .collect();
    format!("{{\"Records\":[\n{}\n]}}\n", records.join(",\n"))
}

#[test]
fn unique_drops_a_redelivered_file_and_says_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path();
    // The same log file delivered twice, and another record under id-2.
    std::fs::write(
        tree.join("a.json.gz"),
        crate::util::gzip(records_file(&[1, 2]).as_bytes()),
    )
    .unwrap();
    std::fs::write(
        tree.join("b.json.gz"),
        crate::util::gzip(records_file(&[1, 2]).as_bytes()),
    )
    .unwrap();
    let other = "{\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\",\"eventID\":\"id-2\",\"errorCode\":\"AccessDenied\"}\n";
    std::fs::write(tree.join("c.json"), other).unwrap();
    // Without --unique both deliveries are written.
    let out = run(&["-c", "-i", path(tree)], b"");
    assert_eq!(stdout(&out), "5\n");
    let out = run(&["--unique", "--stats", "-i", path(tree)], b"");
    assert_eq!(stdout(&out), format!("{}{}{other}", s3_get(1), s3_get(2)));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "spitzel-filter: --unique: 1 record written under an eventID already written with a \
             different record (at {}:1)\n",
            tree.join("c.json").display()
        )),
        "{err}"
    );
    assert!(
        err.contains("spitzel-filter: stats: unique: duplicates dropped 2, conflicts written 1\n"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(0));
    // Counted the same way; and refused where it has no translation.
    let out = run(&["--unique", "-c", "-i", path(tree)], b"");
    assert_eq!(stdout(&out), "3\n");
    let out = run(&["--unique", "--emit-sql", "duckdb", "-i", path(tree)], b"");
    assert_eq!(
        stderr(&out),
        "spitzel-filter: --emit-sql duckdb: cannot translate exactly: --unique (the duplicate \
         rule follows input order, which a table has not)\n"
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unique_keeps_input_order_on_many_threads() {
    // 120,000 records over many blocks: each id appears three times, the
    // second time equal (dropped), the third time different (written).
    let mut input = String::new();
    let mut expected = String::new();
    for round in 0..3 {
        for id in 0..40_000u32 {
            let line = if round == 2 {
                format!(
                    "{{\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\",\"eventID\":\"id-{id}\",\"round\":2}}\n"
                )
            } else {
                s3_get(id)
            };
            if round != 1 {
                expected.push_str(&line);
            }
            input.push_str(&line);
        }
    }
    for threads in ["1", "4"] {
        let out = run(&["--unique", "-j", threads, "--stats"], input.as_bytes());
        assert!(stdout(&out) == expected, "-j {threads}: output differs");
        let err = stderr(&out);
        assert!(
            err.starts_with(
                "spitzel-filter: --unique: 40000 records written under an eventID already \
                 written with a different record (at <stdin>:80001, <stdin>:80002, <stdin>:80003, ...)\n"
            ),
            "{err}"
        );
        assert!(
            err.contains("unique: duplicates dropped 40000, conflicts written 40000\n"),
            "{err}"
        );
    }
}
