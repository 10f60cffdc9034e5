//! One bad line (or record) costs only itself: files with one random
//! corruption each, through the real spitzel-filter binary, must still give
//! every valid record, byte for byte and in order, and report the bad one
//! with its line (issue 10, findings 1, 2 and 20).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::Filter;
use spitzel_testsupport::stderr;

/// splitmix64: a fixed seed gives the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A CloudTrail-like record: nested objects, an array of objects, escapes,
/// non-ASCII text, numbers, literals, white space inside strings.
fn record(i: usize, rng: &mut Rng) -> String {
    let names = ["GetObject", "PutObject", "DescribeInstances", "AssumeRole"];
    let sources = ["s3.amazonaws.com", "ec2.amazonaws.com", "sts.amazonaws.com"];
    let agents = [
        "aws-cli/2.15.0 Python/3.11.6 Linux/6.5 exe/x86_64.ubuntu.22",
        "Mozilla/5.0 (X11; Linux x86_64) \\\"quoted\\\" caf\u{e9}",
        "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.5",
    ];
    format!(
        concat!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDA{i:05}","#,
            r#""arn":"arn:aws:iam::123456789012:user/user {i}","accountId":"123456789012","#,
            r#""sessionContext":{{"sessionIssuer":{{}},"attributes":{{"mfaAuthenticated":"false"}}}}}},"#,
            r#""eventTime":"2024-05-01T12:{m:02}:{s:02}Z","eventSource":"{src}","eventName":"{name}","#,
            r#""awsRegion":"us-east-1","sourceIPAddress":"10.0.{a}.{b}","userAgent":"{agent}","#,
            r#""requestParameters":{{"bucketName":"bucket-{i}","key":"a\\b/c {i}.txt","maxKeys":{n}}},"#,
            r#""responseElements":null,"resources":[{{"ARN":"arn:aws:s3:::bucket-{i}","type":"AWS::S3::Bucket"}},"#,
            r#"{{"ARN":"arn:aws:s3:::bucket-{i}/k","type":"AWS::S3::Object"}}],"readOnly":{ro},"#,
            r#""bytes":[{n},-{n},0.5],"eventID":"evt-{i}","eventType":"AwsApiCall"}}"#
        ),
        i = i,
        m = i % 60,
        s = (i * 7) % 60,
        src = rng.pick(&sources),
        name = rng.pick(&names),
        a = rng.below(256),
        b = rng.below(256),
        agent = rng.pick(&agents),
        n = rng.below(100_000),
        ro = if rng.below(2) == 0 { "true" } else { "false" },
    )
}

fn is_object(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| v.is_object())
}

/// The white space outside strings dropped, as the document decoder writes records.
fn compact(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !b" \t\r\n".contains(&b) {
            out.push(b);
            in_string = b == b'"';
        }
    }
    out
}

fn run_filter(inputs: &[&Path]) -> Output {
    let mut filter = Filter::new().args(["-j", "2"]);
    for input in inputs {
        filter = filter.args([std::ffi::OsStr::new("-i"), input.as_os_str()]);
    }
    filter.output()
}

fn out_lines(output: &Output) -> Vec<Vec<u8>> {
    output
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// The lines stderr names for `path`, in order.
fn reported_lines(output: &Output, path: &Path) -> Vec<u64> {
    let prefix = format!("spitzel-filter: {}:", path.display());
    stderr(output)
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|rest| rest.split(':').next()?.parse().ok())
        .collect()
}

fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() > 300 {
        format!("{}...", &text[..text.floor_char_boundary(300)])
    } else {
        text.into_owned()
    }
}

/// Cases per property test: 240, or `SPITZEL_CORRUPTION_CASES` for a
/// longer run.
fn cases() -> usize {
    std::env::var("SPITZEL_CORRUPTION_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(240)
}

#[derive(Debug, Clone, Copy)]
enum Corruption {
    TruncateLine,
    DeleteByte,
    InsertByte,
    FlipBit,
    StrayComma,
    NotAnObject,
    Bom,
    TruncateFile,
}

const CORRUPTIONS: [Corruption; 8] = [
    Corruption::TruncateLine,
    Corruption::DeleteByte,
    Corruption::InsertByte,
    Corruption::FlipBit,
    Corruption::StrayComma,
    Corruption::NotAnObject,
    Corruption::Bom,
    Corruption::TruncateFile,
];

/// Bytes that matter to a JSON scanner, and a few that do not.
const INSERTS: &[u8] = b"{}[]\",:\\\n \x00\xff7ex";

const NOT_OBJECTS: [&str; 7] = [
    "null",
    "12",
    "-0.5",
    "\"text\"",
    "[1,2]",
    "[{\"a\":1}]",
    "true",
];

/// Apply `kind` to `bytes[start..end]` (a record's span; `end` is where its
/// line break or separator stands).
fn corrupt(bytes: &mut Vec<u8>, start: usize, end: usize, kind: Corruption, rng: &mut Rng) {
    let len = end - start;
    match kind {
        Corruption::TruncateLine => {
            let keep = rng.below(len);
            bytes.drain(start + keep..end);
        }
        Corruption::DeleteByte => {
            bytes.remove(start + rng.below(len + 1));
        }
        Corruption::InsertByte => {
            let b = *rng.pick(INSERTS);
            bytes.insert(start + rng.below(len + 1), b);
        }
        Corruption::FlipBit => {
            bytes[start + rng.below(len)] ^= 1 << rng.below(8);
        }
        Corruption::StrayComma => {
            bytes.insert(start + rng.below(len + 1), b',');
        }
        Corruption::NotAnObject => {
            let value = rng.pick(&NOT_OBJECTS).as_bytes();
            bytes.splice(start..end, value.iter().copied());
        }
        Corruption::Bom => {
            bytes.splice(start..start, b"\xEF\xBB\xBF".iter().copied());
        }
        Corruption::TruncateFile => {
            bytes.truncate(start + rng.below(len + 1));
        }
    }
}

fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// What the filter must make of one NDJSON line: Some(record) to write,
/// None to report (blank lines are neither).
fn judge_line(line: &[u8]) -> Option<Option<Vec<u8>>> {
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(is_object(line).then(|| line.to_vec()))
}

/// Checks one corrupted NDJSON file against what the filter did with it.
fn check_ndjson(case: &str, path: &Path, original: &[&[u8]], corrupted: &[u8], output: &Output) {
    let lines = split_lines(corrupted);
    // The changed stretch: lines equal to the original before and after it.
    let same_head = lines
        .iter()
        .zip(original)
        .take_while(|(a, b)| a == b)
        .count();
    let same_tail = lines
        .iter()
        .rev()
        .zip(original.iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(lines.len() - same_head);
    let region = same_head..lines.len() - same_tail;
    let mut want_out = Vec::new();
    let mut want_bad = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        match judge_line(line) {
            Some(Some(record)) => want_out.push(record),
            Some(None) => want_bad.push(i as u64 + 1),
            None => {}
        }
    }
    let got_out = out_lines(output);
    let got_bad = reported_lines(output, path);
    if got_out == want_out && got_bad == want_bad {
        return;
    }
    // The other reading of a changed first line: as JSON documents (a
    // record over two lines read as one pretty-printed record, a first line
    // that became an array of records), which costs nothing either.
    if region.start == 0 {
        let joined = lines[region.clone()].join(&b'\n');
        let values: Result<Vec<serde_json::Value>, _> =
            serde_json::Deserializer::from_slice(&joined)
                .into_iter()
                .collect();
        if let Ok(values) = values {
            let mut want_out: Vec<Vec<u8>> = Vec::new();
            for value in values {
                match value {
                    serde_json::Value::Array(items) => want_out.extend(
                        items
                            .iter()
                            .filter(|v| v.is_object())
                            .map(|v| serde_json::to_vec(v).unwrap()),
                    ),
                    other => want_out.push(serde_json::to_vec(&other).unwrap()),
                }
            }
            want_out.extend(lines[region.end..].iter().map(|l| l.to_vec()));
            let in_region = got_bad.iter().all(|&l| l as usize <= region.end);
            if got_out == want_out && in_region {
                return;
            }
        }
    }
    panic!(
        "{case}: lines {region:?} changed\n{}\nwritten {} records, want {}\nreported lines {got_bad:?}, want {want_bad:?}\nfirst difference: {:?}\nstderr:\n{}",
        lines[region.clone()]
            .iter()
            .map(|l| show(l))
            .collect::<Vec<_>>()
            .join("\n"),
        got_out.len(),
        want_out.len(),
        got_out
            .iter()
            .zip(&want_out)
            .position(|(a, b)| a != b)
            .map(|i| (show(&got_out[i]), show(&want_out[i]))),
        stderr(output)
    );
}

#[test]
fn ndjson_with_one_corruption_keeps_every_valid_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5EED_0010);
    let cases = cases();
    for case in 0..cases {
        let count = 3 + rng.below(6);
        let records: Vec<String> = (0..count)
            .map(|i| record(case * 10 + i, &mut rng))
            .collect();
        let original: Vec<&[u8]> = records.iter().map(|r| r.as_bytes()).collect();
        let mut bytes: Vec<u8> = records
            .iter()
            .flat_map(|r| format!("{r}\n").into_bytes())
            .collect();
        // The first line often: a broken first line once swallowed the file.
        let target = if rng.below(3) == 0 {
            0
        } else {
            rng.below(count)
        };
        let start: usize = records[..target].iter().map(|r| r.len() + 1).sum();
        let end = start + records[target].len();
        let kind = *rng.pick(&CORRUPTIONS);
        corrupt(&mut bytes, start, end, kind, &mut rng);
        let path = dir.path().join(format!("case{case}.ndjson"));
        fs::write(&path, &bytes).unwrap();
        let output = run_filter(&[&path]);
        check_ndjson(
            &format!("case {case} ({kind:?} in line {})", target + 1),
            &path,
            &original,
            &bytes,
            &output,
        );
    }
}

#[derive(Debug, Clone, Copy)]
enum Layout {
    /// `{"Records":[...]}` on one line, as CloudTrail writes its files.
    Records,
    /// `[` then one indented record a line, then `]`.
    PrettyArray,
}

/// A document of `records`, and each record's span and line.
fn document(records: &[String], layout: Layout) -> (Vec<u8>, Vec<(usize, usize, u64)>) {
    let mut bytes = Vec::new();
    let mut spans = Vec::new();
    match layout {
        Layout::Records => bytes.extend_from_slice(b"{\"Records\":["),
        Layout::PrettyArray => bytes.extend_from_slice(b"[\n"),
    }
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            bytes.extend_from_slice(match layout {
                Layout::Records => b",",
                Layout::PrettyArray => b",\n",
            });
        }
        let line = match layout {
            Layout::Records => 1,
            Layout::PrettyArray => {
                bytes.extend_from_slice(b"  ");
                i as u64 + 2
            }
        };
        spans.push((bytes.len(), bytes.len() + r.len(), line));
        bytes.extend_from_slice(r.as_bytes());
    }
    bytes.extend_from_slice(match layout {
        Layout::Records => b"]}",
        Layout::PrettyArray => b"\n]\n",
    });
    (bytes, spans)
}

#[test]
fn documents_with_one_corruption_keep_every_valid_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5EED_0002);
    let kinds = [
        Corruption::TruncateLine,
        Corruption::DeleteByte,
        Corruption::InsertByte,
        Corruption::FlipBit,
        Corruption::StrayComma,
        Corruption::NotAnObject,
        Corruption::TruncateFile,
    ];
    let cases = cases();
    for case in 0..cases {
        let layout = if case % 2 == 0 {
            Layout::Records
        } else {
            Layout::PrettyArray
        };
        let count = 3 + rng.below(5);
        let records: Vec<String> = (0..count)
            .map(|i| record(case * 10 + i, &mut rng))
            .collect();
        let (mut bytes, spans) = document(&records, layout);
        let target = rng.below(count);
        let (start, end, line) = spans[target];
        let kind = *rng.pick(&kinds);
        // A stray value between two records rather than in one: `null,`.
        let between = rng.below(4) == 0 && matches!(kind, Corruption::NotAnObject);
        let before = bytes.len();
        if between {
            let value = format!("{},", rng.pick(&NOT_OBJECTS));
            bytes.splice(start..start, value.bytes());
        } else {
            // Inside the record: its first and last bytes stay reachable
            // for deletion and flips, insertions go between them.
            let (s, e) = match kind {
                Corruption::InsertByte | Corruption::StrayComma => (start + 1, end - 1),
                Corruption::DeleteByte => (start, end - 1),
                _ => (start, end),
            };
            corrupt(&mut bytes, s, e, kind, &mut rng);
        }
        // Where the target record's bytes now end.
        let grown = bytes.len() as isize - before as isize;
        let changed_end = (end as isize + grown).max(start as isize) as usize;
        let truncated = matches!(kind, Corruption::TruncateFile);
        let target_text = if truncated {
            &bytes[start.min(bytes.len())..]
        } else {
            &bytes[start..changed_end.min(bytes.len())]
        };
        let mut want_out: Vec<Vec<u8>> = records[..target]
            .iter()
            .map(|r| r.as_bytes().to_vec())
            .collect();
        // A file cut right after the record keeps it whole; the array is
        // still not closed, which is reported.
        let target_ok = !between && is_object(target_text);
        if between {
            want_out.push(records[target].as_bytes().to_vec());
        } else if target_ok {
            want_out.push(compact(target_text));
        }
        if !truncated {
            want_out.extend(records[target + 1..].iter().map(|r| r.as_bytes().to_vec()));
        }
        let want_bad: Vec<u64> = if target_ok && !truncated {
            vec![]
        } else {
            vec![line]
        };
        let path = dir.path().join(format!("doc{case}.json"));
        fs::write(&path, &bytes).unwrap();
        let output = run_filter(&[&path]);
        let got_out = out_lines(&output);
        let mut got_bad = reported_lines(&output, &path);
        got_bad.dedup();
        assert!(
            got_out == want_out && got_bad == want_bad,
            "case {case} ({kind:?}{}, {layout:?}, record {} of {count}, line {line}): \
             written {} records, want {}; reported lines {got_bad:?}, want {want_bad:?}\n\
             record now: {}\nfirst difference: {:?}\nstderr:\n{}",
            if between { " between records" } else { "" },
            target + 1,
            got_out.len(),
            want_out.len(),
            show(target_text),
            got_out
                .iter()
                .zip(&want_out)
                .position(|(a, b)| a != b)
                .map(|i| (show(&got_out[i]), show(&want_out[i]))),
            stderr(&output)
        );
    }
}

/// Every cut of `line` as the first line of a file, before whole records:
/// no cut may cost a later record, and each cut line is reported at line 1.
fn check_first_line_cuts(line: &str, dir: &Path) {
    let after: Vec<String> = (0..3)
        .map(|i| record(900 + i, &mut Rng(i as u64)))
        .collect();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut want_out: Vec<Vec<u8>> = Vec::new();
    let mut want_bad: Vec<(PathBuf, Vec<u64>)> = Vec::new();
    for cut in 1..line.len() {
        let mut bytes = line.as_bytes()[..cut].to_vec();
        bytes.push(b'\n');
        for r in &after {
            bytes.extend_from_slice(r.as_bytes());
            bytes.push(b'\n');
        }
        let path = dir.join(format!("cut{cut:05}.ndjson"));
        fs::write(&path, &bytes).unwrap();
        want_out.extend(after.iter().map(|r| r.as_bytes().to_vec()));
        want_bad.push((path.clone(), vec![1]));
        paths.push(path);
    }
    let inputs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let output = run_filter(&inputs);
    let got_out = out_lines(&output);
    let lost = want_out.len().saturating_sub(got_out.len());
    assert_eq!(
        lost,
        0,
        "{lost} of {} records after a cut first line were lost",
        want_out.len()
    );
    assert!(got_out == want_out, "records after the cuts differ");
    // The first 20 bad lines are printed one by one, the rest counted.
    for (path, want) in want_bad.iter().take(20) {
        assert_eq!(&reported_lines(&output, path), want, "{}", path.display());
    }
    let summary = format!(
        "skipped {} bad records (first at {}:1)",
        want_bad.len(),
        want_bad[0].0.display()
    );
    let stderr = stderr(&output);
    assert!(stderr.contains(&summary), "want {summary:?} in\n{stderr}");
}

#[test]
fn a_first_line_cut_anywhere_costs_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let line = record(1, &mut Rng(1));
    check_first_line_cuts(&line, dir.path());
}

#[test]
#[ignore = "needs ../shared"]
fn a_real_first_line_cut_anywhere_costs_only_itself() {
    let shared = crate::util::shared_dir();
    let events = shared.join("data/cloudtrail/invictus-aws-dataset/events.ndjson");
    let text = fs::read_to_string(&events).expect("the shared CloudTrail data");
    let line = text.lines().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    check_first_line_cuts(line, dir.path());
}

#[test]
fn a_bom_before_any_line_is_accepted() {
    // `cat a.json b.json` of files that each start with a BOM (finding 20).
    let dir = tempfile::tempdir().unwrap();
    let a = record(1, &mut Rng(1));
    let b = record(2, &mut Rng(2));
    let path = dir.path().join("cat.ndjson");
    fs::write(&path, format!("\u{feff}{a}\n\u{feff}{b}\n")).unwrap();
    let output = run_filter(&[&path]);
    assert_eq!(out_lines(&output), [a.into_bytes(), b.into_bytes()]);
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}
