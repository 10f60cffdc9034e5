//! Inputs that once hung, blew up or printed wrongly (issue 10, findings 8,
//! 9, 10, 11 and 22's input side), through the real spitzel-filter binary.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::gzip;

fn filter() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spitzel-filter"));
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// The finished run; a run that does not end at all fails the test rather
/// than hanging it (these inputs once never ended).
fn finish(mut child: Child) -> Output {
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(stdout.map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err = drain(stderr.map(|p| Box::new(p) as Box<dyn Read + Send>));
    let began = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if began.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("spitzel-filter did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = filter().args(args).stdin(Stdio::piped()).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = finish(child);
    feeder.join().unwrap();
    output
}

fn run_on(args: &[&str], path: &Path) -> Output {
    finish(filter().args(args).arg("-i").arg(path).spawn().unwrap())
}

fn err_text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn record(id: u32) -> String {
    format!(r#"{{"eventVersion":"1.08","eventName":"GetObject","eventID":"id-{id}"}}"#)
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
fn a_line_longer_than_a_block_is_written_whole() {
    // Finding 8: the search for line breaks once rescanned the whole buffer
    // on every read. Correctness here; the speed is in the report.
    let long = format!(
        r#"{{"eventVersion":"1.08","eventName":"GetObject","pad":"{}"}}"#,
        "x".repeat(5 << 20)
    );
    let input = format!("{}\n{long}\n{}\n", record(1), record(2));
    let out = run(&[], input.as_bytes());
    assert_eq!(out.stdout, input.as_bytes(), "{}", err_text(&out));
    assert!(out.stderr.is_empty(), "{}", err_text(&out));
}

#[test]
fn a_line_over_the_size_limit_is_reported_and_skipped() {
    let long = format!(r#"{{"pad":"{}"}}"#, "x".repeat(300 << 10));
    let input = format!("{}\n{long}\n{}\n", record(1), record(2));
    let out = run(&["--max-record-size", "100K"], input.as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n{}\n", record(1), record(2))
    );
    let err = err_text(&out);
    assert!(
        err.contains("<stdin>:2: line longer than 100 KiB (--max-record-size): skipped"),
        "{err}"
    );
    assert!(err.contains("skipped 1 bad record"), "{err}");
    // The default is far above any real record.
    let out = run(&[], input.as_bytes());
    assert_eq!(out.stdout, input.as_bytes());
}

#[test]
fn a_record_over_the_size_limit_in_a_document_is_reported_and_skipped() {
    let long = format!(
        r#"{{"eventVersion":"1.08","pad":"{}"}}"#,
        "x".repeat(300 << 10)
    );
    let doc = format!("{{\"Records\":[{},{long},{}]}}", record(1), record(2));
    let out = run(&["--max-record-size", "100K"], doc.as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n{}\n", record(1), record(2))
    );
    assert!(
        err_text(&out).contains("<stdin>:1: record longer than 100 KiB (--max-record-size)"),
        "{}",
        err_text(&out)
    );
}

#[test]
fn bad_size_limits_are_usage_errors() {
    for bad in ["0", "lots", "1.5M"] {
        let out = run(&["--max-record-size", bad], b"");
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            err_text(&out).contains("--max-record-size"),
            "{}",
            err_text(&out)
        );
    }
}

#[test]
fn dev_zero_ends_with_an_error() {
    // Finding 9: endless input once grew memory without end.
    let out = run_on(&["--max-record-size", "64K"], Path::new("/dev/zero"));
    let err = err_text(&out);
    assert!(
        err.contains("/dev/zero:1: line longer than 64 KiB (--max-record-size): skipped"),
        "{err}"
    );
    assert!(
        err.contains(
            "/dev/zero:1: no line break in the 256 KiB after an over-long line: \
             the rest of this input is not read"
        ),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_gzip_bomb_ends_with_an_error_and_the_next_input_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.json.gz");
    fs::write(&bomb, gzip(&vec![0u8; 16 << 20])).unwrap();
    let fine = dir.path().join("fine.json");
    fs::write(&fine, format!("{}\n", record(1))).unwrap();
    let out = finish(
        filter()
            .args(["--max-record-size", "64K", "-i"])
            .arg(&bomb)
            .arg("-i")
            .arg(&fine)
            .spawn()
            .unwrap(),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", record(1))
    );
    let err = err_text(&out);
    assert!(
        err.contains("bomb.json.gz:1: line longer than 64 KiB"),
        "{err}"
    );
    assert!(err.contains("the rest of this input is not read"), "{err}");
}

#[test]
fn endless_white_space_ends_with_an_error() {
    // One long "line" of spaces on the NDJSON path...
    let spaces = vec![b' '; 2 << 20];
    let out = run(&["--max-record-size", "64K"], &spaces);
    assert!(
        err_text(&out).contains("the rest of this input is not read"),
        "{}",
        err_text(&out)
    );
    // ...and between the records of a document.
    let mut doc = b"{\"Records\":[".to_vec();
    doc.extend_from_slice(&spaces);
    doc.extend_from_slice(record(1).as_bytes());
    doc.extend_from_slice(b"]}");
    let out = run(&["--max-record-size", "64K"], &doc);
    assert!(
        err_text(&out).contains(
            "<stdin>:1: no record in the next 256 KiB: the rest of this input is not read"
        ),
        "{}",
        err_text(&out)
    );
    // Within the bound it is only white space.
    let out = run(&["--max-record-size", "1M"], &doc);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n", record(1))
    );
    assert!(out.stderr.is_empty(), "{}", err_text(&out));
}

#[test]
fn fifos_and_devices_in_a_tree_are_skipped_and_reported() {
    // Finding 10: a FIFO named *.json once blocked the run for ever.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.json"), format!("{}\n", record(1))).unwrap();
    mkfifo(&dir.path().join("b.json"));
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("c.json")).unwrap();
    fs::write(dir.path().join("d.json"), format!("{}\n", record(2))).unwrap();
    let out = run_on(&[], dir.path());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n{}\n", record(1), record(2))
    );
    let err = err_text(&out);
    let b = dir.path().join("b.json");
    let c = dir.path().join("c.json");
    assert!(
        err.contains(&format!(
            "{}: a FIFO, not a regular file: skipped",
            b.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: a character device, not a regular file: skipped",
            c.display()
        )),
        "{err}"
    );
    // Something under the directory was not read: as for an unreadable
    // subdirectory, the exit status says so.
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_fifo_named_with_dash_i_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("live.json");
    mkfifo(&fifo);
    let child = filter().arg("-i").arg(&fifo).spawn().unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut pipe = fs::OpenOptions::new().write(true).open(fifo).unwrap();
            for id in 1..=3 {
                writeln!(pipe, "{}", record(id)).unwrap();
            }
        })
    };
    let out = finish(child);
    writer.join().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n{}\n{}\n", record(1), record(2), record(3))
    );
}

#[test]
fn threads_are_bounded() {
    // Finding 11: `-j 10000` once took over a minute on 5 lines.
    let five: String = (1..=5).map(|i| format!("{}\n", record(i))).collect();
    for bad in ["0", "257", "10000"] {
        let out = run(&["-j", bad, "-c"], five.as_bytes());
        assert_eq!(out.status.code(), Some(2), "-j {bad}");
        assert!(
            err_text(&out).contains(&format!("{bad} is not in 1..=256")),
            "{}",
            err_text(&out)
        );
    }
    let out = run(&["-j", "256", "-c"], five.as_bytes());
    assert_eq!(out.stdout, b"5\n");
}

#[test]
fn file_names_are_printed_escaped() {
    // Finding 22: a name holding a line break or an escape sequence was
    // printed raw, breaking the one-line message or driving the terminal.
    let dir = tempfile::tempdir().unwrap();
    let name = "a\nb\u{1b}[31m.json";
    fs::write(dir.path().join(name), "not json\n").unwrap();
    let out = run_on(&[], dir.path());
    let err = err_text(&out);
    let shown = format!("{:?}", dir.path().join(name).display().to_string());
    assert!(
        err.contains(&format!("spitzel-filter: {shown}:1: invalid JSON")),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert_eq!(err.lines().count(), 2, "{err:?}");
    // A name given with -i, missing.
    let missing = dir.path().join("gone\n.json");
    let out = run_on(&[], &missing);
    let err = err_text(&out);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.contains("gone\\n.json"), "{err:?}");
}

#[test]
fn stats_after_head_counts_what_was_read() {
    // Finding 22: `--stats | head` once said "lines 0".
    let input: String = (0..100_000).map(|i| format!("{}\n", record(i))).collect();
    let mut child = filter()
        .arg("--stats")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    // Like `head -1`: one line, then the pipe is closed.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let n = stdout.read(&mut first).unwrap();
    assert!(n > 0);
    drop(stdout);
    let output = finish(child);
    feeder.join().unwrap();
    let err = err_text(&output);
    let lines: u64 = err
        .split("stats: lines ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no stats in {err}"));
    assert!(lines > 0, "{err}");
    assert_eq!(output.status.code(), Some(0), "{err}");
}
