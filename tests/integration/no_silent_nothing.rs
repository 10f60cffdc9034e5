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
            "spitzel-filter: no input files under {}: 1 CloudTrail digest files skipped \
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
    let out = run(&["-i", path(dir.path()), "dynamodb:*"], b"");
    assert_eq!(out.status.code(), Some(1));
}
