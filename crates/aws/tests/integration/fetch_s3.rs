//! `spitzel-fetch --s3` against a real S3 API: moto's server, started by each
//! test on 127.0.0.1 and filled the way CloudTrail writes a trail. Skipped
//! with a message when moto[server] is not installed (CI installs it through
//! .ci/run and fails instead of skipping).

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(120);

/// A Python that has moto's server and boto3, or None (with a message).
fn python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates: Vec<PathBuf> = std::env::var_os("SPITZEL_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            root.join("../../.ci/venv/bin/python"),
            PathBuf::from("python3"),
        ])
        .collect();
    for python in candidates {
        let ok = Command::new(&python)
            .args(["-c", "import moto.server, boto3, flask"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(python);
        }
    }
    let message = "moto[server] and boto3 not found (pip install 'moto[server]', or run .ci/run)";
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    None
}

struct Moto {
    child: Child,
    port: u16,
    log: PathBuf,
    python: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    fn start() -> Option<Moto> {
        let python = python()?;
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("moto.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start moto");
        let began = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(began.elapsed() < LIMIT, "moto did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Moto {
            child,
            port,
            log,
            python,
            _dir: dir,
        })
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn fill(&self, bucket: &str, region: &str, tree: &Tree) {
        let manifest: Vec<serde_json::Value> = tree
            .objects
            .iter()
            .map(|o| {
                serde_json::json!({
                    "key": o.key,
                    "file": tree.root.join(&o.key),
                    "gzip_header": o.gzip_header,
                })
            })
            .collect();
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/support/s3_fill.py");
        let mut child = Command::new(&self.python)
            .arg(script)
            .args([&self.endpoint(), bucket, region])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(serde_json::to_string(&manifest).unwrap().as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "filling the bucket failed");
    }

    /// The request lines the server logged so far.
    fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split('"').nth(1).map(str::to_string))
            .collect()
    }

    /// Keys fetched with GetObject since `from` requests.
    fn gets(&self, bucket: &str, from: usize) -> Vec<String> {
        let prefix = format!("GET /{bucket}/");
        self.requests()[from..]
            .iter()
            .filter_map(|r| r.strip_prefix(&prefix))
            .filter_map(|r| r.split_once("?x-id=GetObject").map(|(k, _)| k.to_string()))
            .collect()
    }
}

struct Object {
    key: String,
    gzip_header: bool,
}

/// A trail written to disk (for spitzel-filter -i) and uploaded as is.
struct Tree {
    root: PathBuf,
    objects: Vec<Object>,
    _dir: tempfile::TempDir,
}

/// Minutes since 2023-06-30T00:00:00Z as `YYYYMMDDTHHMMZ` and `YYYY/MM/DD`.
fn stamp(minute: i64) -> (String, String) {
    let at = time::OffsetDateTime::from_unix_timestamp(1_688_083_200 + minute * 60).unwrap();
    let (y, m, d) = (at.year(), u8::from(at.month()), at.day());
    (
        format!("{y:04}{m:02}{d:02}T{:02}{:02}Z", at.hour(), at.minute()),
        format!("{y:04}/{m:02}/{d:02}"),
    )
}

fn event_time(minute: i64, second: i64) -> String {
    let at =
        time::OffsetDateTime::from_unix_timestamp(1_688_083_200 + minute * 60 + second).unwrap();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

const ACTIONS: [(&str, &str); 3] = [
    ("s3.amazonaws.com", "GetObject"),
    ("iam.amazonaws.com", "ListUsers"),
    ("dynamodb.amazonaws.com", "PutItem"),
];

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The trail: `big` files a day in 111111111111/us-east-1, 12 a day
/// elsewhere, over 2023-06-30 and 07-01; an organization path with two
/// accounts and a single-account trail beside it; digests; one corrupt
/// object; one foreign file; a duplicate delivery.
fn trail(big: usize) -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    let mut objects = Vec::new();
    let mut put = |key: String, body: Vec<u8>, gzip_header: bool| {
        let path = root.join(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
        objects.push(Object { key, gzip_header });
    };
    let units = [
        ("o-abc123/111111111111", "us-east-1", big),
        ("o-abc123/111111111111", "eu-west-1", 12),
        ("o-abc123/222222222222", "us-east-1", 12),
        ("o-abc123/222222222222", "eu-west-1", 12),
        ("333333333333", "us-east-1", 12),
    ];
    let mut n = 0u64;
    for (path, region, per_day) in units {
        let account = path.rsplit('/').next().unwrap();
        for day in 0..2i64 {
            for i in 0..per_day as i64 {
                // Deliveries spread over the day; events a few minutes earlier.
                let minute = day * 1440 + i * 1440 / per_day as i64;
                let (st, folder) = stamp(minute);
                let mut records = Vec::new();
                for r in 0..2i64 {
                    n += 1;
                    let (source, name) = ACTIONS[(n % 3) as usize];
                    records.push(serde_json::json!({
                        "eventVersion": "1.08",
                        "eventTime": event_time(minute - 3, r * 7),
                        "eventSource": source,
                        "eventName": name,
                        "awsRegion": region,
                        "eventID": format!("{account}-{region}-{n:08}"),
                        "recipientAccountId": account,
                        "requestParameters": {"bucketName": "data", "n": 1.50},
                    }));
                }
                if path == "333333333333" && day == 1 && i == 0 {
                    // A redelivery of the previous file's events.
                    records.push(records[0].clone());
                    let mut dup = records[1].clone();
                    dup["eventID"] = format!("{account}-{region}-{:08}", n - 2).into();
                    records.push(dup);
                }
                let doc =
                    serde_json::to_vec_pretty(&serde_json::json!({"Records": records})).unwrap();
                let key = format!(
                    "AWSLogs/{path}/CloudTrail/{region}/{folder}/{account}_CloudTrail_{region}_{st}_f{i:04}.json.gz"
                );
                let mut body = gz(&doc);
                if path == "333333333333" && day == 1 && i == 5 {
                    body.truncate(body.len() * 2 / 3);
                }
                put(key, body, i % 2 == 1);
            }
            let (st, folder) = stamp(day * 1440 + 60);
            put(
                format!(
                    "AWSLogs/{path}/CloudTrail-Digest/{region}/{folder}/{account}_CloudTrail-Digest_{region}_trail_{region}_{st}.json.gz"
                ),
                gz(b"{\"digestStartTime\":\"x\"}"),
                false,
            );
        }
    }
    put(
        "AWSLogs/333333333333/CloudTrail/us-east-1/2023/07/01/notes.txt".into(),
        b"not a log file".to_vec(),
        false,
    );
    Tree {
        root,
        objects,
        _dir: dir,
    }
}

fn fetch(moto: &Moto, home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spitzel-fetch"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_S3", moto.endpoint())
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let began = Instant::now();
    let id = child.id();
    let waiter = std::thread::spawn(move || child.wait_with_output().unwrap());
    while !waiter.is_finished() {
        if began.elapsed() > LIMIT {
            // SAFETY: our own child's pid.
            unsafe { libc::kill(id as i32, libc::SIGKILL) };
            panic!("spitzel-fetch did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    waiter.join().unwrap()
}

/// What `spitzel-filter -i TREE` writes (its pipeline, run here), under the
/// duplicate rule: a line equal to one before it with the same eventID is
/// dropped; a different record under a seen eventID is kept.
fn expected(tree: &Tree, args: &[&str]) -> String {
    use spitzel_pipeline::{Done, Keep, Pipeline, Sink};
    struct Collect(Vec<u8>);
    impl Sink for Collect {
        fn take(&mut self, done: Done) -> std::ops::ControlFlow<()> {
            if let Done::Block { outcome, .. } = done {
                self.0.extend_from_slice(&outcome.out);
            }
            std::ops::ControlFlow::Continue(())
        }
        fn idle(&mut self) {}
    }
    let arg = |name: &str| {
        args.iter()
            .position(|a| *a == name)
            .map(|i| args[i + 1].to_string())
    };
    let time = spitzel_cli::common::TimeArgs {
        from: arg("--from"),
        to: arg("--to"),
        ..Default::default()
    };
    let criteria = spitzel_pipeline::Criteria {
        actions: spitzel_core::actions::ActionMatcher::new::<&str>(&[]).unwrap(),
        window: time.window(0).unwrap(),
        expressions: Vec::new(),
        sigma: None,
    };
    let pipeline = Pipeline {
        criteria: std::sync::Arc::new(criteria),
        invert: false,
        keep: Keep::Lines,
        in_flight: 8,
        limits: spitzel_input::Limits::default(),
    };
    let mut sink = Collect(Vec::new());
    pipeline.run(vec![tree.root.display().to_string()], &mut sink);
    let mut seen = HashSet::new();
    String::from_utf8(sink.0)
        .unwrap()
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            match v["eventID"].as_str() {
                Some(id) => seen.insert((id.to_string(), l.to_string())),
                None => true,
            }
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A copy of the tree with only the keys `keep` accepts.
fn subset(tree: &Tree, keep: impl Fn(&str) -> bool) -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    let mut objects = Vec::new();
    for o in tree.objects.iter().filter(|o| keep(&o.key)) {
        let to = root.join(&o.key);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(tree.root.join(&o.key), to).unwrap();
        objects.push(Object {
            key: o.key.clone(),
            gzip_header: o.gzip_header,
        });
    }
    Tree {
        root,
        objects,
        _dir: dir,
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn minute_of(key: &str) -> Option<String> {
    let name = key.rsplit('/').next()?;
    let parts: Vec<&str> = name.split('_').collect();
    (parts.len() == 5 && parts[1] == "CloudTrail").then(|| parts[3].to_string())
}

#[test]
fn s3_trail_reads_like_filter_and_prunes_by_key() {
    let Some(moto) = Moto::start() else { return };
    let home = tempfile::tempdir().unwrap();
    // 2,200 files in one region: its day folders need two listing pages each.
    let tree = trail(1100);
    moto.fill("trail", "us-east-1", &tree);

    // The whole trail: as spitzel-filter -i reads it, duplicates dropped,
    // the corrupt object named, everything else read.
    let before = moto.requests().len();
    let out = run(fetch(&moto, home.path()).args(["--s3", "s3://trail"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let want = expected(&tree, &[]);
    assert_eq!(text(&out.stdout), want);
    assert!(
        stderr.contains("s3://trail/AWSLogs/333333333333/CloudTrail/us-east-1/2023/07/01/333333333333_CloudTrail_us-east-1_20230701T")
            && stderr.contains("f0005.json.gz"),
        "{stderr}"
    );
    assert!(stderr.contains("3 CloudTrail-Digest/ folders"), "{stderr}");
    assert!(stderr.contains("1 keys or folders outside"), "{stderr}");
    let gets = moto.gets("trail", before);
    let readable = tree
        .objects
        .iter()
        .filter(|o| minute_of(&o.key).is_some())
        .count();
    assert_eq!(gets.len(), readable);
    assert!(
        moto.requests()[before..]
            .iter()
            .all(|r| !r.contains("CloudTrail-Digest")),
        "a digest was listed or read"
    );
    // The day folder of 1,100 keys was listed in pages.
    assert!(
        moto.requests()[before..]
            .iter()
            .any(|r| r.contains("continuation-token=")),
        "no second listing page"
    );

    // A window of 30 minutes across the month boundary: only the day folders
    // and the files whose delivery minute can hold its events are fetched.
    let window = [
        "--from",
        "2023-06-30T23:50:00Z",
        "--to",
        "2023-07-01T00:20:00Z",
    ];
    let before = moto.requests().len();
    let out = run(fetch(&moto, home.path())
        .args(["--s3", "s3://trail"])
        .args(window));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected(&tree, &window));
    assert!(!out.stdout.is_empty());
    let fetched: BTreeSet<String> = moto.gets("trail", before).into_iter().collect();
    // The rule, independently: a file delivered at 23:44 holds events up to
    // 23:44:59, 23:49:59 with the 5-minute margin, so 23:45 is the first
    // delivery minute read; the last is an hour after the end.
    let want: BTreeSet<String> = tree
        .objects
        .iter()
        .filter_map(|o| minute_of(&o.key).map(|m| (o, m)))
        .filter(|(_, m)| m.as_str() >= "20230630T2345Z" && m.as_str() <= "20230701T0120Z")
        .map(|(o, _)| o.key.clone())
        .collect();
    let wrong: Vec<_> = fetched.symmetric_difference(&want).collect();
    assert!(wrong.is_empty(), "fetched or missed by mistake: {wrong:?}");
    assert!(
        fetched.len() < readable / 10,
        "{} of {readable}",
        fetched.len()
    );
    let lists: Vec<String> = moto.requests()[before..]
        .iter()
        .filter(|r| r.contains("list-type=2"))
        .cloned()
        .collect();
    assert!(
        lists
            .iter()
            .all(|r| !r.contains("2023/06/29") && !r.contains("2023/07/02"))
    );
    assert!(lists.iter().any(|r| r.contains("2023/06/30/")));

    // --account, --region and IAM_ACTION narrow the read.
    let out = run(fetch(&moto, home.path()).args([
        "--s3",
        "s3://trail/",
        "--account",
        "222222222222",
        "--region",
        "eu-west-1",
        "dynamodb:Put*",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = text(&out.stdout);
    assert!(!lines.is_empty());
    for line in lines.lines() {
        assert!(
            line.contains("\"eventName\":\"PutItem\"") && line.contains("222222222222-eu-west-1"),
            "{line}"
        );
    }
    assert_eq!(lines.lines().count(), 2 * 12 * 2 / 3);
}

#[test]
fn s3_errors_are_one_line_each() {
    let Some(moto) = Moto::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let tree = trail(2);
    moto.fill("small", "us-east-1", &tree);
    let out = run(fetch(&moto, home.path()).args(["--s3", "s3://no-such-bucket"]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "spitzel-fetch: s3://no-such-bucket: no such bucket (NoSuchBucket)\n"
    );
    let out = run(fetch(&moto, home.path()).args(["--s3", "s3://small/elsewhere"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("nothing under elsewhere/AWSLogs/"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let out = run(fetch(&moto, home.path()).args(["--s3", "bucket"]));
    assert_eq!(out.status.code(), Some(2));
    let out = run(fetch(&moto, home.path()).args(["--s3", "s3://small", "--account", "12"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("12-digit"));
    // An account that is not there is reported; the rest is read.
    let out = run(fetch(&moto, home.path()).args([
        "--s3",
        "s3://small",
        "--account",
        "999999999999,222222222222",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--account 999999999999: no such account"));
    assert!(!out.stdout.is_empty());
}

#[test]
fn s3_resume_after_sigkill_writes_every_record_once() {
    let Some(moto) = Moto::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let tree = trail(150);
    moto.fill("resume", "us-east-1", &tree);
    let work = tempfile::tempdir().unwrap();
    let out_path = work.path().join("out.ndjson");
    let ckpt = work.path().join("ckpt.json");
    let args = |c: &mut Command| {
        c.args(["--s3", "s3://resume", "--concurrency", "2", "-o"])
            .arg(&out_path)
            .arg("--checkpoint")
            .arg(&ckpt);
    };
    for kills in 0..2 {
        let mut command = fetch(&moto, home.path());
        args(&mut command);
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill once some objects are recorded as complete.
        let began = Instant::now();
        loop {
            let saved = std::fs::read_to_string(&ckpt).unwrap_or_default();
            let done: serde_json::Value = serde_json::from_str(&saved).unwrap_or_default();
            let written = done["written"].as_u64().unwrap_or(0);
            if written > 40 + 200 * kills {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "finished before the kill"
            );
            assert!(began.elapsed() < LIMIT);
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let mut command = fetch(&moto, home.path());
    args(&mut command);
    let out = run(&mut command);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let got = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(got, expected(&tree, &[]));
}

/// S3 answers that moto cannot give, in front of it: `answer` sees each
/// request line and its signing region and may reply instead of moto (S3's
/// 301 for a wrong region, AccessDenied, SlowDown); the rest pass through.
/// Records each request line and signing region.
struct Gate {
    port: u16,
    seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

fn read_head(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    use std::io::Read;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    buf.extend_from_slice(&body);
    Some((head, buf))
}

type Answer = dyn Fn(&str, &str) -> Option<(u16, String, String)> + Send + Sync;

fn reply(status: u16, extra_headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} Error\r\n{extra_headers}Content-Type: application/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn s3_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
}

impl Gate {
    fn start(upstream: u16, answer: Box<Answer>) -> Gate {
        let answer: std::sync::Arc<Answer> = answer.into();
        use std::io::Read;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let log = log.clone();
                let answer = answer.clone();
                std::thread::spawn(move || {
                    while let Some((head, request)) = read_head(&mut stream) {
                        let line = head.lines().next().unwrap_or_default().to_string();
                        let region = head
                            .split("Credential=")
                            .nth(1)
                            .and_then(|c| c.split('/').nth(2))
                            .unwrap_or_default()
                            .to_string();
                        log.lock().unwrap().push((line.clone(), region.clone()));
                        if let Some((status, headers, body)) = answer(&line, &region) {
                            let body = if line.starts_with("HEAD") {
                                String::new()
                            } else {
                                body
                            };
                            if stream
                                .write_all(reply(status, &headers, &body).as_bytes())
                                .is_err()
                            {
                                return;
                            }
                            continue;
                        }
                        // moto closes every connection after its answer.
                        let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)) else {
                            return;
                        };
                        let mut answer = Vec::new();
                        if up.write_all(&request).is_err() || up.read_to_end(&mut answer).is_err() {
                            return;
                        }
                        let _ = stream.write_all(&answer);
                        return;
                    }
                });
            }
        });
        Gate { port, seen }
    }
}

#[test]
fn s3_bucket_in_another_region_is_followed() {
    let Some(moto) = Moto::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let tree = trail(3);
    moto.fill("faraway", "eu-west-1", &tree);
    let gate = Gate::start(
        moto.port,
        Box::new(|_, region| {
            (region != "eu-west-1").then(|| {
                (
                    301,
                    "x-amz-bucket-region: eu-west-1\r\n".to_string(),
                    s3_error("PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint."),
                )
            })
        }),
    );
    let out = run(fetch(&moto, home.path())
        .env(
            "AWS_ENDPOINT_URL_S3",
            format!("http://127.0.0.1:{}", gate.port),
        )
        .args(["--s3", "s3://faraway"]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected(&tree, &[]));
    let seen = gate.seen.lock().unwrap();
    // One request in the configured region, refused; all others in the bucket's.
    let wrong: Vec<_> = seen.iter().filter(|(_, r)| r != "eu-west-1").collect();
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(wrong[0].0.starts_with("HEAD /faraway"), "{wrong:?}");
    assert!(
        seen.iter()
            .filter(|(l, _)| l.contains("x-id=GetObject"))
            .count()
            > 10
    );
}

#[test]
fn s3_denials_and_slowdowns() {
    let Some(moto) = Moto::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let tree = trail(2);
    moto.fill("guarded", "us-east-1", &tree);
    let slowed = std::sync::Mutex::new(HashSet::new());
    let gate = Gate::start(
        moto.port,
        Box::new(move |line, _| {
            let denied = || {
                Some((
                    403,
                    String::new(),
                    s3_error("AccessDenied", "Access Denied"),
                ))
            };
            if line.contains("prefix=AWSLogs%2Fo-abc123%2F222222222222%2F") {
                return denied();
            }
            if line.contains("x-id=GetObject") {
                if line.contains("111111111111_CloudTrail_eu-west-1_20230630T0200Z_f0001") {
                    return Some((
                        403,
                        String::new(),
                        s3_error(
                            "AccessDenied",
                            "User: arn:aws:iam::111111111111:user/r is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext",
                        ),
                    ));
                }
                if line.contains("_f0001") {
                    return denied();
                }
                // The first GET of every other object is throttled once.
                if slowed.lock().unwrap().insert(line.to_string()) {
                    return Some((
                        503,
                        String::new(),
                        s3_error("SlowDown", "Please reduce your request rate."),
                    ));
                }
            }
            None
        }),
    );
    let out = run(fetch(&moto, home.path())
        .env(
            "AWS_ENDPOINT_URL_S3",
            format!("http://127.0.0.1:{}", gate.port),
        )
        .args(["--s3", "s3://guarded", "-q"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.contains(&"spitzel-fetch: s3://guarded/AWSLogs/o-abc123/222222222222/: access denied: listing needs s3:ListBucket on arn:aws:s3:::guarded"), "{stderr}");
    assert!(lines.iter().any(|l| l.starts_with("spitzel-fetch: s3://guarded/AWSLogs/o-abc123/111111111111/CloudTrail/eu-west-1/2023/06/30/")
        && l.contains("_f0001.json.gz: access denied: the trail is encrypted with SSE-KMS and reading it needs kms:Decrypt")), "{stderr}");
    // One object with its own cause is named on its line; the same denial on
    // five (f0001 of each day in 111111111111/us-east-1, /eu-west-1 on the
    // second, 333333333333/us-east-1) is one line with the count and the
    // first three keys.
    let get_denied: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("reading needs s3:GetObject"))
        .collect();
    assert_eq!(
        get_denied,
        [
            &"spitzel-fetch: s3://guarded: access denied: reading needs s3:GetObject on arn:aws:s3:::guarded/* (and kms:Decrypt for an SSE-KMS trail): 5 objects, the first: \
            AWSLogs/333333333333/CloudTrail/us-east-1/2023/06/30/333333333333_CloudTrail_us-east-1_20230630T0200Z_f0001.json.gz, \
            AWSLogs/333333333333/CloudTrail/us-east-1/2023/07/01/333333333333_CloudTrail_us-east-1_20230701T0200Z_f0001.json.gz, \
            AWSLogs/o-abc123/111111111111/CloudTrail/eu-west-1/2023/07/01/111111111111_CloudTrail_eu-west-1_20230701T0200Z_f0001.json.gz"
        ],
        "{stderr}"
    );
    // Everything else arrives despite one SlowDown per object.
    let readable = subset(&tree, |key| {
        !key.contains("/o-abc123/222222222222/") && !key.contains("_f0001")
    });
    assert_eq!(text(&out.stdout), expected(&readable, &[]));
    let retried = gate
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(l, _)| l.contains("x-id=GetObject"))
        .count();
    assert!(retried > 2 * 10, "{retried}");
}

/// `--event-category insight`: CloudTrail-Insight/ files are pruned by their
/// delivery minute as log files are, with a day's margin after `--to`; the
/// log files beside them are not read.
#[test]
fn s3_insight_files_are_pruned_by_delivery_minute() {
    let Some(moto) = Moto::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    let mut objects = Vec::new();
    let account = "111111111111";
    let region = "us-east-1";
    // Over three days from 2023-06-30, an Insights file every two hours
    // (a start and an end event, 2 and 0 minutes before delivery) and a log
    // file beside each.
    for i in 0..36i64 {
        let minute = i * 120 + 7;
        let (st, folder) = stamp(minute);
        for (dir_name, kind) in [
            ("CloudTrail-Insight", "CloudTrail-Insight"),
            ("CloudTrail", "CloudTrail"),
        ] {
            let records: Vec<serde_json::Value> = (0..2i64)
                .map(|r| {
                    serde_json::json!({
                        "eventVersion": "1.08",
                        "eventTime": event_time(minute - 2 * (1 - r), 0),
                        "eventType": "AwsCloudTrailInsight",
                        "eventCategory": "Insight",
                        "eventSource": "iam.amazonaws.com",
                        "eventName": "ListUsers",
                        "awsRegion": region,
                        "eventID": format!("{kind}-{i:04}-{r}"),
                        "recipientAccountId": account,
                    })
                })
                .collect();
            let key = format!(
                "AWSLogs/{account}/{dir_name}/{region}/{folder}/{account}_{kind}_{region}_{st}_i{i:04}.json.gz"
            );
            let path = root.join(&key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(
                &path,
                gz(&serde_json::to_vec(&serde_json::json!({"Records": records})).unwrap()),
            )
            .unwrap();
            objects.push(Object {
                key,
                gzip_header: i % 2 == 0,
            });
        }
    }
    let tree = Tree {
        root,
        objects,
        _dir: dir,
    };
    moto.fill("insight", region, &tree);
    let insights = subset(&tree, |k| k.contains("/CloudTrail-Insight/"));

    let window = [
        "--from",
        "2023-06-30T10:00:00Z",
        "--to",
        "2023-06-30T14:00:00Z",
    ];
    let before = moto.requests().len();
    let out = run(fetch(&moto, home.path())
        .args(["--s3", "s3://insight", "--event-category", "insight"])
        .args(window));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected(&insights, &window));
    assert_eq!(text(&out.stdout).lines().count(), 4);
    let fetched: BTreeSet<String> = moto.gets("insight", before).into_iter().collect();
    // The rule, independently: delivered at 09:55 or later (09:54 holds
    // events up to 09:54:59, 09:59:59 with the 5-minute margin) and at most
    // a day after 14:00.
    let want: BTreeSet<String> = insights
        .objects
        .iter()
        .filter(|o| {
            let name = o.key.rsplit('/').next().unwrap();
            let st = name.split('_').nth(3).unwrap();
            ("20230630T0955Z"..="20230701T1400Z").contains(&st)
        })
        .map(|o| o.key.clone())
        .collect();
    let wrong: Vec<_> = fetched.symmetric_difference(&want).collect();
    assert!(wrong.is_empty(), "fetched or missed by mistake: {wrong:?}");
    assert_eq!(want.len(), 14);
    // The third day's folder is past the margin: never listed.
    let lists: Vec<String> = moto.requests()[before..]
        .iter()
        .filter(|r| r.contains("list-type=2"))
        .cloned()
        .collect();
    assert!(lists.iter().any(|r| r.contains("2023/07/01/")), "{lists:?}");
    assert!(lists.iter().all(|r| !r.contains("2023/07/02")), "{lists:?}");
}

/// SIGINT and SIGTERM during a read: the checkpoint is saved (covering
/// exactly the lines in the output), the exit status is 128 + the signal,
/// and a rerun writes every record exactly once.
#[test]
fn s3_sigint_and_sigterm_save_the_checkpoint_and_resume_once() {
    use crate::support::{Fetch, lines_in};
    let Some(moto) = Moto::start() else { return };
    let tree = trail(150);
    moto.fill("signals", "us-east-1", &tree);
    let fetch_into = |out_path: &Path, ckpt: &Path| {
        Fetch::bare()
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL_S3", moto.endpoint())
            .args(["--s3", "s3://signals", "--concurrency", "2"])
            .output_file(out_path)
            .checkpoint(ckpt)
    };
    // The uninterrupted run: what every interrupted-then-resumed run must
    // write, record for record, in the same (key) order.
    let whole = tempfile::tempdir().unwrap();
    let whole_out = whole.path().join("out.ndjson");
    fetch_into(&whole_out, &whole.path().join("ckpt.json")).exits(2);
    let want = std::fs::read_to_string(&whole_out).unwrap();
    assert_eq!(want, expected(&tree, &[]), "the uninterrupted run");
    let want_ids = event_ids(&want);
    assert!(want_ids.len() > 100, "{}", want_ids.len());
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let work = tempfile::tempdir().unwrap();
        let out_path = work.path().join("out.ndjson");
        let ckpt = work.path().join("ckpt.json");
        let fetch = || fetch_into(&out_path, &ckpt);
        let mut running = fetch().spawn();
        let began = Instant::now();
        while lines_in(&out_path) < 40 {
            assert!(
                running.child.try_wait().unwrap().is_none(),
                "finished before SIG{signal}"
            );
            assert!(began.elapsed() < LIMIT);
            std::thread::sleep(Duration::from_millis(5));
        }
        running.signal(signal);
        let out = running.wait();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "SIG{signal}: {stderr}");
        assert!(
            stderr.contains(&format!("interrupted (SIG{signal}); progress saved to")),
            "{stderr}"
        );
        let saved: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&ckpt).unwrap()).unwrap();
        let written = lines_in(&out_path);
        assert_eq!(
            saved["written"].as_u64(),
            Some(written as u64),
            "SIG{signal}"
        );
        assert!(
            written < want.lines().count(),
            "SIG{signal}: read to the end"
        );
        assert!(want.starts_with(&std::fs::read_to_string(&out_path).unwrap()));

        // The corrupt object is reported again; everything else is read once.
        let out = fetch().exits(2);
        assert!(text(&out.stderr).contains("f0005.json.gz"));
        let got = std::fs::read_to_string(&out_path).unwrap();
        let got_ids = event_ids(&got);
        // The trail's one eventID with two different records is two lines.
        let unique: HashSet<&str> = got.lines().collect();
        assert_eq!(unique.len(), got_ids.len(), "SIG{signal}: a record twice");
        let wanted: HashSet<&str> = want.lines().collect();
        let missing = wanted.difference(&unique).count();
        let extra = unique.difference(&wanted).count();
        assert_eq!(
            (missing, extra),
            (0, 0),
            "SIG{signal}: records missing, extra"
        );
        assert_eq!(
            got_ids, want_ids,
            "SIG{signal}: not in the uninterrupted order"
        );
        // And every line byte for byte as the uninterrupted run wrote it.
        assert_eq!(got, want, "SIG{signal}");
    }
}

/// The eventID of every line, in order.
fn event_ids(ndjson: &str) -> Vec<String> {
    ndjson
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["eventID"].as_str().unwrap().to_string()
        })
        .collect()
}

/// With stderr a pipe (not a terminal) there is no progress display: only
/// the summary line, which -q silences too.
#[test]
fn s3_progress_is_not_drawn_into_a_pipe() {
    let Some(moto) = Moto::start() else { return };
    let home = tempfile::tempdir().unwrap();
    let tree = trail(2);
    moto.fill("piped", "us-east-1", &tree);
    let out =
        run(fetch(&moto, home.path()).args(["--s3", "s3://piped", "--account", "222222222222"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("spitzel-fetch: s3://piped: read 48 objects"),
        "{stderr}"
    );
    assert!(stderr.contains("wrote 96 records"), "{stderr}");
    let quiet = run(fetch(&moto, home.path()).args([
        "--s3",
        "s3://piped",
        "--account",
        "222222222222",
        "-q",
    ]));
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(text(&quiet.stderr), "");
    assert_eq!(quiet.stdout, out.stdout);
}

/// On a terminal (a pseudo-terminal from script(1)) the progress line is
/// drawn in place, counts only grow, and it is cleared before the summary.
#[test]
fn s3_progress_on_a_terminal() {
    let Some(moto) = Moto::start() else { return };
    let ok = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: script(1) not found");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let tree = trail(150);
    moto.fill("tty", "us-east-1", &tree);
    let out_path = home.path().join("out.ndjson");
    let shown = |extra: &str| {
        let line = format!(
            "{} --s3 s3://tty --concurrency 2 -o {} {extra}",
            env!("CARGO_BIN_EXE_spitzel-fetch"),
            out_path.display()
        );
        let base = fetch(&moto, home.path());
        let mut script = Command::new("script");
        script.args(["-qec", &line, "/dev/null"]).env_clear();
        for (key, value) in base.get_envs() {
            if let Some(value) = value {
                script.env(key, value);
            }
        }
        let out = run(script.stdin(Stdio::null()));
        // The run's own status (2: the corrupt object) comes through script -e.
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
        assert_eq!(
            std::fs::read_to_string(&out_path).unwrap(),
            expected(&tree, &[])
        );
        text(&out.stdout)
    };
    let screen = shown("");
    let (frames, after) = screen
        .rsplit_once("\r\x1b[K")
        .expect("no progress line drawn");
    let frames: Vec<&str> = frames
        .split("\r\x1b[K")
        .filter(|f| f.starts_with("spitzel-fetch: ") && f.contains(" objects, "))
        .collect();
    assert!(!frames.is_empty(), "{screen:?}");
    let numbers = |frame: &str| -> Vec<f64> {
        frame
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter_map(|n| n.parse().ok())
            .collect()
    };
    let mut last = vec![0.0; 5];
    for frame in &frames {
        // "N of M objects, X MB read, R records written, S skipped by time",
        // and nothing after it: the corrupt object's message is on a line
        // of its own.
        assert!(
            frame.contains(" MB read, ")
                && frame.contains(" records written, ")
                && frame.ends_with(" skipped by time"),
            "{frame:?}"
        );
        let now = numbers(frame);
        assert_eq!(now.len(), 5, "{frame:?}");
        assert!(now.iter().zip(&last).all(|(n, l)| n >= l), "{frames:?}");
        assert!(now[0] <= now[1], "{frame:?}");
        last = now;
    }
    // Cleared, then the summary at the start of the line.
    assert!(
        after.starts_with("spitzel-fetch: s3://tty: read "),
        "{after:?}"
    );
    let records: f64 = expected(&tree, &[]).lines().count() as f64;
    assert!(last[3] <= records);
    assert!(
        after.contains(&format!("wrote {records} records")),
        "{after:?}"
    );
    assert!(
        screen.contains("\r\x1b[Kspitzel-fetch: s3://tty/AWSLogs/333333333333/"),
        "{screen:?}"
    );
    let quiet = shown("-q");
    assert!(!quiet.contains("objects"), "{quiet:?}");
}

#[test]
fn s3_exit_status_is_0_with_records_and_1_with_none() {
    let Some(moto) = Moto::start() else { return };
    let home = tempfile::tempdir().unwrap();
    moto.fill("statuses", "us-east-1", &trail(2));
    let read = |extra: &[&str]| {
        run(fetch(&moto, home.path())
            .args(["--s3", "s3://statuses", "--account", "222222222222", "-q"])
            .args(extra))
    };
    let out = read(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!out.stdout.is_empty());
    // Every key read or pruned, none in the window.
    let out = read(&["--from", "2001-01-01", "--to", "2001-01-02"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(text(&out.stderr), "");
}

/// No Rust Debug text in a message: braces, `Some(`, struct dumps.
fn assert_in_words(stderr: &str) {
    for fragment in ["{", "}", "Some(", "Unknown", "HttpInfo", "ns }"] {
        assert!(!stderr.contains(fragment), "{fragment:?} in: {stderr}");
    }
}

#[test]
fn s3_setup_errors_are_said_in_words_with_status_2() {
    let Some(moto) = Moto::start() else { return };
    let home = tempfile::tempdir().unwrap();
    moto.fill("words", "us-east-1", &trail(2));
    type Reply = Option<(u16, String, String)>;
    let cases: Vec<(&str, Box<Answer>, &[&str])> = vec![
        (
            "an expired token",
            Box::new(|line: &str, _: &str| -> Reply {
                Some(if line.starts_with("HEAD") {
                    (400, String::new(), String::new())
                } else {
                    (
                        400,
                        String::new(),
                        s3_error("ExpiredToken", "The provided token has expired."),
                    )
                })
            }),
            &["ExpiredToken", "The provided token has expired"],
        ),
        (
            "a 301 without a region header",
            Box::new(|_: &str, _: &str| -> Reply {
                Some((
                    301,
                    String::new(),
                    s3_error("PermanentRedirect", "Use the bucket's endpoint."),
                ))
            }),
            &["PermanentRedirect"],
        ),
        (
            "an HTML listing",
            Box::new(|line: &str, _: &str| -> Reply {
                (!line.starts_with("HEAD")).then(|| {
                    (
                        200,
                        "content-type: text/html\r\n".to_string(),
                        "<html><body>Sign in to continue</body></html>".to_string(),
                    )
                })
            }),
            &["s3://words"],
        ),
    ];
    for (what, answer, needles) in cases {
        let gate = Gate::start(moto.port, answer);
        let out = run(fetch(&moto, home.path())
            .env(
                "AWS_ENDPOINT_URL_S3",
                format!("http://127.0.0.1:{}", gate.port),
            )
            .args(["--s3", "s3://words", "-q"]));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        assert!(!stderr.is_empty(), "{what}");
        assert_in_words(&stderr);
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "{what}: {needle:?} not in {stderr}"
            );
        }
    }
}

#[test]
fn s3_a_refused_connection_is_said_at_once() {
    let home = tempfile::tempdir().unwrap();
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_spitzel-fetch"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--s3", "s3://closed", "--endpoint-url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .stdin(Stdio::null());
    let out = run(&mut command);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "spitzel-fetch: s3://closed: cannot reach the S3 endpoint http://127.0.0.1:{port}: connection refused\n"
        )
    );
}
