//! `spitzel-fetch --s3 --follow` against moto gaining files during the run,
//! in today's UTC day folders of two regions: every record is written
//! exactly once, across a SIGINT and a resume too, a file delivered again
//! with the same events adds nothing, and a late file (an earlier delivery
//! minute than files already read) is still read.

use crate::fetch_s3::{Moto, Object, Tree, gz};
use crate::support::{Fetch, Running, lines_in};

use spitzel_core::calendar::{civil_from_days, format_rfc3339};
use spitzel_testsupport::stderr;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const LIMIT: Duration = Duration::from_secs(60);
const ACCOUNT: &str = "111111111111";

const EVENT_AGO: i64 = 1800;

thread_local! {
    /// The test's clock, fixed at its start.
    static START: i64 = start();
}

fn start() -> i64 {
    let now = now_secs();
    // Far enough from midnight UTC that every file is in today's folder.
    if now.rem_euclid(86_400) < 3 * 3600 {
        now - now.rem_euclid(86_400) + 3 * 3600
    } else {
        now
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Files CloudTrail would deliver, written for `Moto::fill`.
struct Batch {
    tree: Tree,
    ids: Vec<String>,
}

/// One file per (region, delivery time `at` in seconds, name `tag`,
/// eventIDs); every record's eventTime is EVENT_AGO before the test's
/// start, so that a file delivered again carries the same records.
fn batch(files: &[(&str, i64, &str, Vec<String>)]) -> Batch {
    let event_at = START.with(|s| *s) - EVENT_AGO;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    let mut objects = Vec::new();
    let mut all = Vec::new();
    for (region, at, tag, ids) in files {
        let (y, m, d) = civil_from_days(at.div_euclid(86_400));
        let (hour, minute) = (at.rem_euclid(86_400) / 3600, at.rem_euclid(3600) / 60);
        let records: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| {
                serde_json::json!({
                    "eventVersion": "1.08",
                    "eventTime": format_rfc3339(event_at).unwrap(),
                    "eventSource": "iam.amazonaws.com",
                    "eventName": "ListUsers",
                    "awsRegion": region,
                    "eventID": id,
                    "recipientAccountId": ACCOUNT,
                })
            })
            .collect();
        let key = format!(
            "AWSLogs/{ACCOUNT}/CloudTrail/{region}/{y:04}/{m:02}/{d:02}/{ACCOUNT}_CloudTrail_{region}_{y:04}{m:02}{d:02}T{hour:02}{minute:02}Z_{tag}.json.gz"
        );
        let path = root.join(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let doc = serde_json::to_vec(&serde_json::json!({ "Records": records })).unwrap();
        std::fs::write(path, gz(&doc)).unwrap();
        objects.push(Object {
            key,
            gzip_header: false,
        });
        all.extend(ids.iter().cloned());
    }
    Batch {
        tree: Tree {
            root,
            objects,
            _dir: dir,
        },
        ids: all,
    }
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i:03}")).collect()
}

/// The eventIDs in `path`, in order.
fn ids_in(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["eventID"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Upload `tree` as `Moto::fill` does; when the last upload was answered
/// (UNIX seconds, as the uploader saw it).
fn upload(moto: &Moto, tree: &Tree) -> f64 {
    let manifest: Vec<serde_json::Value> = tree
        .objects
        .iter()
        .map(|o| serde_json::json!({"key": o.key, "file": tree.root.join(&o.key)}))
        .collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/support/s3_fill.py");
    let mut child = Command::new(&moto.python)
        .arg(script)
        .args([&moto.endpoint(), "live", "us-east-1", "--report-time"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&manifest).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "uploading failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("the uploader's time")
}

/// Wait until `path` holds `lines` lines; when it did (UNIX seconds).
fn wait_lines(run: &mut Running, path: &Path, lines: usize) -> f64 {
    let began = Instant::now();
    while lines_in(path) < lines {
        if let Some(status) = run.child.try_wait().unwrap() {
            panic!("the follow ended by itself with {status}");
        }
        assert!(
            began.elapsed() < LIMIT,
            "{} of {lines} lines",
            lines_in(path)
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[test]
fn s3_follow_reads_each_new_file_once_across_sigint_and_resume() {
    let Some(moto) = Moto::start() else { return };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out.ndjson");
    let ckpt = work.path().join("ckpt.json");
    let now = START.with(|s| *s);
    let from = format_rfc3339(now - 2 * 3600).unwrap();
    let follow = || {
        Fetch::bare()
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL_S3", moto.endpoint())
            .args([
                "--s3",
                "s3://live",
                "--follow",
                "--poll-interval",
                "0.2",
                "--from",
                &from,
            ])
            .output_file(&out)
            .checkpoint(&ckpt)
            .spawn()
    };
    let mut want: BTreeSet<String> = BTreeSet::new();
    let mut latencies = Vec::new();
    let mut deliver = |run: &mut Running, b: Batch, want: &mut BTreeSet<String>| {
        want.extend(b.ids.iter().cloned());
        let uploaded = upload(&moto, &b.tree);
        latencies.push(wait_lines(run, &out, want.len()) - uploaded);
    };

    // The window: files before the run.
    let first = batch(&[
        ("us-east-1", now - 600, "w1", ids("w1", 5)),
        ("eu-west-1", now - 600, "w2", ids("w2", 5)),
    ]);
    want.extend(first.ids.iter().cloned());
    moto.fill("live", "us-east-1", &first.tree);
    let mut run = follow();
    wait_lines(&mut run, &out, want.len());
    // Files delivered while it follows, in both regions; one a late file
    // whose name sorts before those already read.
    for (i, at) in [now - 300, now - 240, now - 900].into_iter().enumerate() {
        let tag = format!("a{i}");
        deliver(
            &mut run,
            batch(&[
                (
                    "us-east-1",
                    at,
                    &format!("{tag}e"),
                    ids(&format!("{tag}e"), 4),
                ),
                (
                    "eu-west-1",
                    at,
                    &format!("{tag}w"),
                    ids(&format!("{tag}w"), 3),
                ),
            ]),
            &mut want,
        );
    }
    // A redelivery: a new file with the same records as one read before,
    // and one new record that shows it was read.
    let mut again = ids("a0e", 4);
    again.push("r1-000".to_string());
    want.insert("r1-000".to_string());
    let redelivered = batch(&[("us-east-1", now - 200, "r1", again)]);
    moto.fill("live", "us-east-1", &redelivered.tree);
    wait_lines(&mut run, &out, want.len());

    run.signal("INT");
    let stopped = run.wait();
    let err = stderr(&stopped);
    assert_eq!(stopped.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted (SIGINT); progress saved to"),
        "{err}"
    );

    // Files delivered while it was stopped, then the resumed follow.
    let down = batch(&[
        ("us-east-1", now - 120, "d1", ids("d1", 3)),
        ("eu-west-1", now - 1200, "d2", ids("d2", 2)),
    ]);
    want.extend(down.ids.iter().cloned());
    moto.fill("live", "us-east-1", &down.tree);
    let mut run = follow();
    wait_lines(&mut run, &out, want.len());
    // Single files, for the latency from upload to output.
    for i in 0..12 {
        let tag = format!("b{i}");
        deliver(
            &mut run,
            batch(&[("eu-west-1", now - 60 + i, &tag, ids(&tag, 2))]),
            &mut want,
        );
    }
    // A redelivery after the resume of a file read before the SIGINT.
    let mut again = ids("a1w", 3);
    again.push("r2-000".to_string());
    want.insert("r2-000".to_string());
    moto.fill(
        "live",
        "us-east-1",
        &batch(&[("eu-west-1", now - 30, "r2", again)]).tree,
    );
    wait_lines(&mut run, &out, want.len());
    // Nothing more comes while it polls on.
    std::thread::sleep(Duration::from_millis(800));
    run.signal("INT");
    let stopped = run.wait();
    assert_eq!(stopped.status.code(), Some(130), "{}", stderr(&stopped));

    let got = ids_in(&out);
    let unique: BTreeSet<String> = got.iter().cloned().collect();
    assert_eq!(unique.len(), got.len(), "a record written twice: {got:?}");
    assert_eq!(unique, want);

    latencies.sort_by(f64::total_cmp);
    // A figure for the documentation, not a check (speed is measured, not
    // asserted).
    eprintln!(
        "upload answered to line in the output (--poll-interval 0.2, {} deliveries): median {:.3} s, max {:.3} s",
        latencies.len(),
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1]
    );
}

/// SIGINT while the window (the backlog before the follow) is being read:
/// the checkpoint is saved, and the same command resumes the window where
/// it stopped, then follows; every eventID is written exactly once over
/// both runs, the files delivered meanwhile and after included.
#[test]
fn s3_follow_sigint_during_the_window_resumes_each_record_once() {
    let Some(moto) = Moto::start() else { return };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out.ndjson");
    let ckpt = work.path().join("ckpt.json");
    let now = START.with(|s| *s);
    let from = format_rfc3339(now - 2 * 3600).unwrap();
    let follow = || {
        Fetch::bare()
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL_S3", moto.endpoint())
            .args([
                "--s3",
                "s3://live",
                "--follow",
                "--poll-interval",
                "0.2",
                "--concurrency",
                "2",
                "--from",
                &from,
            ])
            .output_file(&out)
            .checkpoint(&ckpt)
            .spawn()
    };
    // A window long enough to be stopped inside: 120 files of 5 records,
    // one a minute over the last hour in each of two regions.
    let mut files = Vec::new();
    for minute in 0..60i64 {
        for region in ["us-east-1", "eu-west-1"] {
            let tag = format!("w{minute:02}{}", &region[..2]);
            files.push((region, now - 3600 + minute * 60, tag.clone(), ids(&tag, 5)));
        }
    }
    let files: Vec<(&str, i64, &str, Vec<String>)> = files
        .iter()
        .map(|(region, at, tag, ids)| (*region, *at, tag.as_str(), ids.clone()))
        .collect();
    let window = batch(&files);
    let mut want: BTreeSet<String> = window.ids.iter().cloned().collect();
    moto.fill("live", "us-east-1", &window.tree);

    let mut run = follow();
    wait_lines(&mut run, &out, 40);
    run.signal("INT");
    let stopped = run.wait();
    let err = stderr(&stopped);
    assert_eq!(stopped.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted (SIGINT); progress saved to"),
        "{err}"
    );
    let written = lines_in(&out);
    assert!(
        written < want.len(),
        "the window was read to the end before the SIGINT ({written} lines)"
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ckpt).unwrap()).unwrap();
    // Saved inside the window: exactly the lines written, not yet following.
    assert_eq!(saved["written"].as_u64(), Some(written as u64), "{saved}");
    assert_eq!(saved["follow"]["watching"], false, "{saved}");

    // A file delivered while it was stopped, then the resumed run: the
    // rest of the window, that file, and one delivered while it follows.
    let down = batch(&[("eu-west-1", now - 120, "d1", ids("d1", 3))]);
    want.extend(down.ids.iter().cloned());
    moto.fill("live", "us-east-1", &down.tree);
    let mut run = follow();
    wait_lines(&mut run, &out, want.len());
    let later = batch(&[("us-east-1", now - 30, "n1", ids("n1", 2))]);
    want.extend(later.ids.iter().cloned());
    upload(&moto, &later.tree);
    wait_lines(&mut run, &out, want.len());
    // Nothing more comes while it polls on.
    std::thread::sleep(Duration::from_millis(800));
    run.signal("INT");
    let stopped = run.wait();
    assert_eq!(stopped.status.code(), Some(130), "{}", stderr(&stopped));

    let got = ids_in(&out);
    let unique: BTreeSet<String> = got.iter().cloned().collect();
    assert_eq!(unique.len(), got.len(), "a record written twice");
    assert_eq!(unique, want);
}

/// `| head` that closes while no file comes: the follow ends with 0 and
/// says nothing, without waiting for a file to write.
#[test]
fn s3_follow_ends_with_0_when_its_reader_goes_while_idle() {
    use std::io::{BufRead, BufReader};
    let Some(moto) = Moto::start() else { return };
    let now = START.with(|s| *s);
    let files = batch(&[("us-east-1", now - 600, "w1", ids("w1", 3))]);
    moto.fill("live", "us-east-1", &files.tree);
    let from = format_rfc3339(now - 2 * 3600).unwrap();
    let mut run = Fetch::bare()
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL_S3", moto.endpoint())
        .args([
            "--s3",
            "s3://live",
            "--follow",
            "--poll-interval",
            "0.2",
            "--from",
            &from,
        ])
        .spawn();
    let stdout = run.child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    for _ in 0..3 {
        let line = lines.next().expect("a line").unwrap();
        assert!(line.starts_with('{'), "{line}");
    }
    drop(lines);
    let out = run.wait();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}
