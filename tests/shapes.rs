//! Every input shape through the library decoders and, end to end, through
//! the spitzel-filter binary.

use std::collections::BTreeMap;
use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use spitzel::input::decode::decode_stream;
use spitzel::input::gz::GzReader;
use spitzel::input::sniff::{self, Shape};

fn shared_cloudtrail() -> Option<PathBuf> {
    let shared = std::env::var_os("SPITZEL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let dir = shared.join("data/cloudtrail");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found", dir.display());
        None
    }
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
    decode_stream(&mut BufReader::new(&data[..]), 1 << 16, &mut |block| {
        records.extend(
            block
                .data
                .split(|&b| b == b'\n')
                .filter(|r| !r.is_empty())
                .map(<[u8]>::to_vec),
        );
        true
    })
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
fn shared_invictus_records_match_events_ndjson() {
    let Some(dir) = shared_cloudtrail() else {
        return;
    };
    check_folder_against_ndjson(&dir.join("invictus-aws-dataset"), "records");
}

#[test]
fn shared_stratus_arrays_match_events_ndjson() {
    let Some(dir) = shared_cloudtrail() else {
        return;
    };
    check_folder_against_ndjson(&dir.join("stratus-red-team-detonation-logs"), "arrays");
}
