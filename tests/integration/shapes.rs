//! Every input shape through the library decoders and, end to end, through
//! the spitzel-filter binary.

use std::collections::BTreeMap;
use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use spitzel_input::Limits;
use spitzel_input::decode::{Decoded, decode_stream};
use spitzel_input::gz::GzReader;
use spitzel_input::sniff::{self, Shape};

/// ../shared/data/cloudtrail (or under $SPITZEL_SHARED); the tests that
/// call this are ignored unless asked for, and fail without it.
fn shared_cloudtrail() -> PathBuf {
    let dir = crate::util::shared_dir().join("data/cloudtrail");
    assert!(
        dir.is_dir(),
        "{} not found (this test needs ../shared)",
        dir.display()
    );
    dir
}

/// All records of a file through sniffing and decoding, as the filter reads them.
fn decode_file(path: &Path) -> Vec<Vec<u8>> {
    let bytes = fs::read(path).unwrap();
    let data = if sniff::is_gzip(&bytes) {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut GzReader::new(&bytes[..]), &mut out).unwrap();
        out
    } else {
        bytes
    };
    assert_eq!(sniff::shape(&data), Shape::Documents, "{}", path.display());
    let mut records = Vec::new();
    decode_stream(
        &mut BufReader::new(&data[..]),
        1 << 16,
        Limits::default(),
        &mut |item| {
            let block = match item {
                Decoded::Records(block) => block,
                Decoded::Fault(fault) => panic!("{}: {fault}", path.display()),
            };
            records.extend(
                block
                    .data
                    .split(|&b| b == b'\n')
                    .filter(|r| !r.is_empty())
                    .map(<[u8]>::to_vec),
            );
            std::ops::ControlFlow::Continue(())
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    records
}

fn event_id(record: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(record).unwrap();
    value["eventID"].as_str().unwrap().to_string()
}

/// Each eventID with how often it occurs.
fn id_counts<'a>(records: impl Iterator<Item = &'a [u8]>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for record in records {
        *counts.entry(event_id(record)).or_default() += 1;
    }
    counts
}

fn check_folder_against_ndjson(dataset: &Path, folder: &str) {
    let mut files: Vec<PathBuf> = fs::read_dir(dataset.join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let decoded: Vec<Vec<u8>> = files.iter().flat_map(|f| decode_file(f)).collect();
    let ndjson = fs::read(dataset.join("events.ndjson")).unwrap();
    let lines: Vec<&[u8]> = ndjson
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(decoded.len(), lines.len(), "{folder}");
    assert_eq!(
        id_counts(decoded.iter().map(Vec::as_slice)),
        id_counts(lines.iter().copied()),
        "{folder}"
    );
    // events.ndjson holds the same records minified: the decoded ones must be
    // byte-identical to its lines (as a multiset; file order differs).
    let mut want: Vec<&[u8]> = lines.clone();
    let mut got: Vec<&[u8]> = decoded.iter().map(Vec::as_slice).collect();
    want.sort_unstable();
    got.sort_unstable();
    assert!(want == got, "{folder}: records differ from events.ndjson");
}

#[test]
#[ignore = "needs ../shared"]
fn shared_invictus_records_match_events_ndjson() {
    let dir = shared_cloudtrail();
    check_folder_against_ndjson(&dir.join("invictus-aws-dataset"), "records");
}

#[test]
#[ignore = "needs ../shared"]
fn shared_stratus_arrays_match_events_ndjson() {
    let dir = shared_cloudtrail();
    check_folder_against_ndjson(&dir.join("stratus-red-team-detonation-logs"), "arrays");
}

// ---- through the binary ----

use crate::util::{gzip, run};
use spitzel_testsupport::{stderr, stdout};

/// A compact record with an id and a time, and spellings that must survive.
fn record(id: u32, time: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{time}","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"id-{id}","n":1.0e3,"s":"\u00e9\"x"}}"#
    )
}

/// The same record pretty-printed, as the Records files of other tools are.
fn pretty(id: u32, time: &str) -> String {
    format!(
        "  {{\n    \"eventVersion\": \"1.08\",\n    \"eventTime\": \"{time}\",\n    \"eventSource\": \"s3.amazonaws.com\",\n    \"eventName\": \"GetObject\",\n    \"eventID\": \"id-{id}\",\n    \"n\": 1.0e3,\n    \"s\": \"\\u00e9\\\"x\"\n  }}"
    )
}

fn records_doc(records: &[String]) -> String {
    format!("{{\"Records\":[{}]}}", records.join(","))
}

fn expected(records: &[String]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

const ACCOUNT: &str = "123456789012";

/// A CloudTrail file name delivered at `stamp` (YYYYMMDDTHHMMZ).
fn trail_name(stamp: &str, id: &str) -> String {
    format!("{ACCOUNT}_CloudTrail_us-east-1_{stamp}_{id}.json.gz")
}

fn write(path: &Path, data: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

#[test]
fn s3_tree_of_gzip_files_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let day = |d: &str| {
        root.join(format!(
            "AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2024/05/{d}"
        ))
    };
    let a = [
        record(1, "2024-05-01T10:00:00Z"),
        record(2, "2024-05-01T10:01:00Z"),
    ];
    let b = [record(3, "2024-05-01T10:06:00Z")];
    let c = [
        record(4, "2024-05-02T00:01:00Z"),
        record(5, "2024-05-02T00:02:00Z"),
    ];
    // Written out of order: the walk must sort them.
    write(
        &day("02").join(trail_name("20240502T0005Z", "c")),
        &gzip(records_doc(&c).as_bytes()),
    );
    write(
        &day("01").join(trail_name("20240501T1010Z", "b")),
        &gzip(records_doc(&b).as_bytes()),
    );
    write(
        &day("01").join(trail_name("20240501T1005Z", "a")),
        &gzip(records_doc(&a).as_bytes()),
    );
    write(&root.join("AWSLogs/notes.txt"), b"not an input");
    let out = run(&["-i", root.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let all: Vec<String> = a.iter().chain(&b).chain(&c).cloned().collect();
    assert_eq!(stdout(&out), expected(&all));
    // The name left out is said once at the end, and is no error.
    assert_eq!(
        stderr(&out),
        format!(
            "spitzel-filter: 1 name skipped in directories (not *.json, *.jsonl, *.ndjson and their .gz): {}\n",
            root.join("AWSLogs/notes.txt").display()
        )
    );
}

#[test]
fn stats_count_the_files_a_tree_leaves_unread() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir
        .path()
        .join(format!("AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2024/05/01"));
    let late = [record(2, "2024-05-01T12:00:00Z")];
    write(
        &day.join(trail_name("20240501T0005Z", "early")),
        &gzip(records_doc(&[record(1, "2024-05-01T00:01:00Z")]).as_bytes()),
    );
    write(
        &day.join(trail_name("20240501T1205Z", "late")),
        &gzip(records_doc(&late).as_bytes()),
    );
    write(
        &dir.path().join(format!(
            "AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/2024/05/01/{ACCOUNT}_CloudTrail-Digest_us-east-1_x_20240501T1300Z.json.gz"
        )),
        &gzip(b"{}"),
    );
    let root = dir.path().to_str().unwrap();
    let out = run(
        &["-i", root, "--from", "2024-05-01T10:00:00Z", "--stats"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), expected(&late));
    assert!(
        stderr(&out).contains(
            "stats: files not read: delivered before --from 1, digests 1, other names 0\n"
        ),
        "{}",
        stderr(&out)
    );
    // A window from before the first delivery reads every trail file.
    let out = run(&["-i", root, "--stats", "--from", "2024-04-01"], b"");
    assert!(
        stderr(&out)
            .contains("files not read: delivered before --from 0, digests 1, other names 0\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn many_files_and_a_large_one_keep_path_order() {
    // More files than one parallel batch, and one file above the size read
    // whole in parallel, which is streamed in its place instead.
    let dir = tempfile::tempdir().unwrap();
    let mut want = Vec::new();
    for i in 0..40u32 {
        let count = if i == 17 { 9000 } else { 3 };
        let records: Vec<String> = (0..count)
            .map(|j| record(i * 10_000 + j, "2024-05-01T10:00:00Z"))
            .collect();
        let doc = records_doc(&records);
        let path = dir.path().join(format!("f{i:03}.json"));
        if i == 17 {
            assert!(doc.len() > 1 << 20, "the large file is large");
            write(&path, doc.as_bytes());
        } else {
            write(&path.with_extension("json.gz"), &gzip(doc.as_bytes()));
        }
        want.extend(records);
    }
    let out = run(&["-i", dir.path().to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out) == expected(&want), "records out of order");
}

#[test]
fn gzip_on_stdin_with_several_members_and_documents() {
    let one = [record(1, "2024-05-01T10:00:00Z")];
    let two = [
        record(2, "2024-05-01T10:00:00Z"),
        record(3, "2024-05-01T10:00:00Z"),
    ];
    let mut input = gzip(records_doc(&one).as_bytes());
    input.extend(gzip(format!("\n{}\n", records_doc(&two)).as_bytes()));
    let out = run(&[], &input);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        expected(&[one[0].clone(), two[0].clone(), two[1].clone()])
    );
}

#[test]
fn pretty_arrays_lookup_events_and_envelopes_on_stdin() {
    let r: Vec<String> = (1..=5).map(|i| record(i, "2024-05-01T10:00:00Z")).collect();
    let escaped = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let pretty_array = format!(
        "[\n{},\n{}\n]\n",
        pretty(1, "2024-05-01T10:00:00Z"),
        pretty(2, "2024-05-01T10:00:00Z")
    );
    let lookup = format!(
        "{{\n  \"Events\": [\n    {{\"EventId\": \"e3\", \"EventTime\": 1714557600.0, \"CloudTrailEvent\": \"{}\"}},\n    {{\"EventId\": \"e4\", \"EventTime\": \"2024-05-01T10:00:00+00:00\", \"CloudTrailEvent\": \"{}\"}}\n  ],\n  \"NextToken\": \"t\"\n}}\n",
        escaped(&r[2]),
        escaped(&r[3])
    );
    for (name, input, want) in [
        ("pretty array", pretty_array.clone(), &r[0..2]),
        ("lookup-events", lookup.clone(), &r[2..4]),
        (
            "documents in a row",
            format!("{pretty_array}{lookup}{{\"Records\":[{}]}}", r[4]),
            &r[..],
        ),
    ] {
        let out = run(&[], input.as_bytes());
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert_eq!(stdout(&out), expected(want), "{name}");
    }
    // --envelope lines from spitzel-fetch, one a line.
    let envelopes = format!(
        "{{\"EventId\":\"e1\",\"CloudTrailEvent\":{}}}\n{{\"EventId\":\"e2\",\"CloudTrailEvent\":\"{}\"}}\n",
        r[0],
        escaped(&r[1])
    );
    let out = run(&[], envelopes.as_bytes());
    assert_eq!(out.status.code(), Some(0), "envelopes: {}", stderr(&out));
    assert_eq!(stdout(&out), expected(&r[0..2]), "envelopes");
}

#[test]
fn wrapper_lines_inside_ndjson_are_unwrapped() {
    let r: Vec<String> = (1..=4).map(|i| record(i, "2024-05-01T10:00:00Z")).collect();
    let input = format!(
        "{}\n{{\"Records\":[{},{}]}}\n{{\"EventId\":\"e4\",\"CloudTrailEvent\":{}}}\n",
        r[0], r[1], r[2], r[3]
    );
    let out = run(&[], input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), expected(&r));
}

#[test]
fn wrapper_lines_are_told_by_their_top_level_keys() {
    let r: Vec<String> = (1..=3).map(|i| record(i, "2024-05-01T10:00:00Z")).collect();
    // Not a wrapper: CloudTrailEvent and Records below the top level.
    let nested = r#"{"a":{"CloudTrailEvent":1,"Records":[]}}"#;
    let input = format!(
        "{}\n{{ \"Records\" : [ {} ] }}\n{{\"note\":\"x\",\"Records\":[{}]}}\n{nested}\n",
        r[0], r[1], r[2]
    );
    let out = run(&[], input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}{nested}\n", expected(&r)));
}

#[test]
fn bom_and_crlf_before_a_pretty_array() {
    let r = [
        record(1, "2024-05-01T10:00:00Z"),
        record(2, "2024-05-01T10:00:00Z"),
    ];
    let body = format!(
        "[\n{},\n{}\n]\n",
        pretty(1, "2024-05-01T10:00:00Z"),
        pretty(2, "2024-05-01T10:00:00Z")
    );
    let input = format!("\u{feff}{}", body.replace('\n', "\r\n"));
    let out = run(&[], input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), expected(&r));
}

#[test]
fn bad_inputs_name_the_file_and_keep_earlier_records() {
    let dir = tempfile::tempdir().unwrap();
    let good: Vec<String> = (1..=3).map(|i| record(i, "2024-05-01T10:00:00Z")).collect();
    // Big enough that half the gzip still holds complete records.
    let many: Vec<String> = (100..400)
        .map(|i| record(i, "2024-05-01T10:00:00Z"))
        .collect();
    let full = gzip(records_doc(&many).as_bytes());
    let cut_gz = dir.path().join("a-cut.json.gz");
    fs::write(&cut_gz, &full[..full.len() / 2]).unwrap();
    let cut_doc = dir.path().join("b-cut.json");
    fs::write(
        &cut_doc,
        format!("{{\"Records\":[\n{},\n{}", good[0], &good[1][..20]),
    )
    .unwrap();
    let garbage = dir.path().join("c-garbage.json");
    fs::write(&garbage, "{\"Records\":[]}\nthis is not json\n").unwrap();
    let fine = dir.path().join("d-fine.json");
    fs::write(&fine, records_doc(&good[2..])).unwrap();

    let out = run(&["-i", dir.path().to_str().unwrap()], b"");
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:", cut_gz.display()))
            && err.contains("gzip: unexpected end of file"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}:3: truncated: the Records array is not closed",
            cut_doc.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}:2: expected a JSON object or array, found 't'",
            garbage.display()
        )),
        "{err}"
    );
    let text = stdout(&out);
    let got: Vec<&str> = text.lines().collect();
    // The cut gzip gave the first of its records, then the others in order.
    let prefix = got
        .iter()
        .take_while(|l| many.iter().any(|m| m == *l))
        .count();
    assert!(prefix > 0, "records before the gzip fault are written");
    assert_eq!(got[..prefix], many[..prefix]);
    assert_eq!(got[prefix..], [good[0].as_str(), good[2].as_str()]);

    let strict = run(
        &[
            "--strict",
            "-i",
            cut_doc.to_str().unwrap(),
            "-i",
            fine.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
}

#[test]
fn from_skips_files_delivered_before_it_without_opening_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let day = root.join(format!("AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2024/05/01"));
    // Delivered at 09:00, long before --from: corrupt, and never opened.
    write(
        &day.join(trail_name("20240501T0900Z", "old")),
        b"\x1f\x8b corrupt",
    );
    let late = [
        record(7, "2024-05-01T09:55:00Z"),
        record(8, "2024-05-01T10:03:00Z"),
    ];
    write(
        &day.join(trail_name("20240501T1005Z", "new")),
        &gzip(records_doc(&late).as_bytes()),
    );
    let out = run(
        &[
            "--from",
            "2024-05-01 10:00:00",
            "-i",
            root.to_str().unwrap(),
        ],
        b"",
    );
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), expected(&late[1..]));
    // Without --from the corrupt file is read and reported.
    let out = run(&["-i", root.to_str().unwrap()], b"");
    assert!(stderr(&out).contains("_old.json.gz"), "{}", stderr(&out));
}

/// eventIDs of the binary's output for `-i folder`, against events.ndjson.
fn check_folder_through_binary(dataset: &Path, folder: &str) {
    let out = run(&["-i", dataset.join(folder).to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let ndjson = fs::read(dataset.join("events.ndjson")).unwrap();
    let want = id_counts(ndjson.split(|&b| b == b'\n').filter(|l| !l.is_empty()));
    let got = id_counts(out.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()));
    assert_eq!(
        got.values().sum::<usize>(),
        want.values().sum::<usize>(),
        "{folder}"
    );
    assert_eq!(got, want, "{folder}");
}

#[test]
#[ignore = "needs ../shared"]
fn shared_folders_through_the_binary() {
    let dir = shared_cloudtrail();
    check_folder_through_binary(&dir.join("invictus-aws-dataset"), "records");
    check_folder_through_binary(&dir.join("stratus-red-team-detonation-logs"), "arrays");
}

// ---- issue 10: one bad line or element costs only itself ----

#[test]
fn a_first_line_cut_after_a_complete_value_loses_nothing_after_it() {
    // Finding 1: these once read as one broken pretty document, printing 0.
    for input in [
        "{\"eventVersion\":\"1.08\",\n{\"a\":1}\n{\"b\":2}\n",
        "{\n{\"a\":1}\n{\"b\":2}\n",
    ] {
        let out = run(&[], input.as_bytes());
        assert_eq!(stdout(&out), "{\"a\":1}\n{\"b\":2}\n", "{input:?}");
        let err = stderr(&out);
        assert!(err.starts_with("spitzel-filter: <stdin>:1: "), "{err}");
        assert!(
            err.contains("skipped 1 bad record (first at <stdin>:1)"),
            "{err}"
        );
        assert_eq!(run(&["-c"], input.as_bytes()).stdout, b"2\n");
    }
}

#[test]
fn a_broken_pretty_record_costs_only_itself() {
    // Concatenated pretty records (`jq .` output), the second one cut short.
    let input = "{\n  \"a\": 1\n}\n{\n  \"b\": \"cut\n{\n  \"c\": 3\n}\n";
    let out = run(&[], input.as_bytes());
    assert_eq!(stdout(&out), "{\"a\":1}\n{\"c\":3}\n");
    assert!(
        stderr(&out).contains("<stdin>:4: line break inside a string (at line 5)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn non_object_elements_are_reported_and_the_rest_kept() {
    // Finding 2: a null once ended the file (1 of 3 records written).
    let out = run(
        &["-c"],
        b"{\"Records\":[{\"a\":1},null,{\"b\":2},{\"c\":3}]}",
    );
    assert_eq!(stdout(&out), "3\n");
    assert!(
        stderr(&out)
            .contains("<stdin>:1: expected a record object in the Records array, found null"),
        "{}",
        stderr(&out)
    );
    let input = "[\n  {\"a\":1},\n  42,\n  \"s\",\n  [1],\n  {\"b\":2}\n]\n";
    let out = run(&[], input.as_bytes());
    assert_eq!(stdout(&out), "{\"a\":1}\n{\"b\":2}\n");
    let err = stderr(&out);
    for (line, kind) in [(3, "a number"), (4, "a string"), (5, "an array")] {
        let want = format!("<stdin>:{line}: expected a record object in the array, found {kind}");
        assert!(err.contains(&want), "{want} in {err}");
    }
    // The same inside one NDJSON line holding a whole Records document.
    let line = "{\"Records\":[{\"a\":1},true,{\"b\":2}]}\n{\"c\":3}\n";
    let out = run(&[], format!("{{\"x\":0}}\n{line}").as_bytes());
    assert_eq!(stdout(&out), "{\"x\":0}\n{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    assert!(
        stderr(&out)
            .contains("<stdin>:2: expected a record object in the Records array, found a boolean")
    );
}

/// Issue 21 item 8: an array element holding a record looked like a record
/// inside a record, so recovery wrote the inner record and lost the next.
#[test]
fn an_array_element_holding_a_record_is_reported_and_the_next_kept() {
    let r = |n: u32| format!(r#"{{"eventVersion":"1.08","eventName":"E{n}","n":{n}}}"#);
    let dir = tempfile::tempdir().unwrap();
    let minified = dir.path().join("trail.json");
    write(
        &minified,
        format!(r#"{{"Records":[{},[{}],{}]}}"#, r(6), r(7), r(8)).as_bytes(),
    );
    let pretty = dir.path().join("pretty.json");
    write(
        &pretty,
        format!(
            "{{\n  \"Records\": [\n    {},\n    [{}],\n    {}\n  ]\n}}\n",
            r(6),
            r(7),
            r(8)
        )
        .as_bytes(),
    );
    let wanted = format!("{}\n{}\n", r(6), r(8));
    for (path, line) in [(&minified, 1), (&pretty, 4)] {
        let path = path.to_str().unwrap();
        let out = run(&["-i", path], b"");
        assert_eq!(stdout(&out), wanted, "{path}: {}", stderr(&out));
        let err = stderr(&out);
        let report =
            format!("{path}:{line}: expected a record object in the Records array, found an array");
        assert!(err.contains(&report), "{report} in {err}");
        assert!(err.contains("skipped 1 bad record"), "{err}");
        assert_eq!(err.lines().count(), 2, "{err}");
        // A reported record is an error in grep's sense: 2, with the good
        // records still written.
        assert_eq!(out.status.code(), Some(2), "{err}");
        let strict = run(&["--strict", "-i", path], b"");
        assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
    }
    // The same document as one line among NDJSON records.
    let ndjson = format!("{}\n{{\"Records\":[{},[{}],{}]}}\n", r(5), r(6), r(7), r(8));
    let out = run(&[], ndjson.as_bytes());
    assert_eq!(
        stdout(&out),
        format!("{}\n{wanted}", r(5)),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out)
            .contains("<stdin>:2: expected a record object in the Records array, found an array"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn records_that_is_not_an_array_is_reported_not_written() {
    for (input, found) in [
        ("{\"Records\":null}", "null"),
        ("{\"Records\":{}}", "an object"),
        ("{\"Records\":\"x\"}\n", "a string"),
        ("{\"Events\":7}", "a number"),
    ] {
        let out = run(&[], input.as_bytes());
        assert_eq!(stdout(&out), "", "{input}");
        let name = if input.contains("Events") {
            "Events"
        } else {
            "Records"
        };
        let want = format!("<stdin>:1: {name} is not an array: found {found}");
        assert!(stderr(&out).contains(&want), "{want} in {}", stderr(&out));
        assert_eq!(out.status.code(), Some(2));
    }
    // As one line among NDJSON records.
    let out = run(&[], b"{\"a\":1}\n{\"Records\":null}\n{\"b\":2}\n");
    assert_eq!(stdout(&out), "{\"a\":1}\n{\"b\":2}\n");
    assert!(stderr(&out).contains("<stdin>:2: Records is not an array: found null"));
}

#[test]
fn a_broken_record_in_a_minified_records_file_costs_only_itself() {
    // CloudTrail's own layout, one line; the middle record lost a quote, so
    // its string runs over the next record's start.
    let r: Vec<String> = (1..=3).map(|i| record(i, "2024-05-01T10:00:00Z")).collect();
    let broken = r[1].replacen("\"}", "}", 1);
    assert_ne!(broken, r[1]);
    let input = format!("{{\"Records\":[{},{},{}]}}", r[0], broken, r[2]);
    let out = run(&[], input.as_bytes());
    assert_eq!(stdout(&out), expected(&[r[0].clone(), r[2].clone()]));
    assert!(stderr(&out).contains("skipped 1 bad record (first at <stdin>:1)"));
}

#[test]
fn a_truncated_record_line_is_reported_at_its_own_line() {
    // Finding 22: once reported at line 2, the line after it.
    let out = run(&[], b"{\"eventName\":\"x\"\n");
    assert!(
        stderr(&out).starts_with("spitzel-filter: <stdin>:1: truncated"),
        "{}",
        stderr(&out)
    );
}
