use super::*;
use std::ops::ControlFlow;

/// Decoded records with their start lines, the blocks' sizes, the faults
/// reported on the way and the first of them.
struct Out {
    records: Vec<(String, u64)>,
    blocks: Vec<RecordBlock>,
    faults: Vec<DecodeError>,
    error: Option<DecodeError>,
}

fn decode_with(input: &[u8], block_bytes: usize) -> Out {
    let mut src = input;
    let mut blocks = Vec::new();
    let mut faults = Vec::new();
    let end = decode_stream(&mut src, block_bytes, Limits::default(), &mut |item| {
        match item {
            Decoded::Records(b) => blocks.push(b),
            Decoded::Fault(f) => faults.push(f),
        }
        ControlFlow::Continue(())
    });
    faults.extend(end.err());
    let error = faults.first().cloned();
    let mut records = Vec::new();
    for block in &blocks {
        let lines = block.lines.as_ref().expect("decoded blocks carry lines");
        assert_eq!(block.first_line, lines[0]);
        let texts: Vec<&[u8]> = block.data.split(|&b| b == b'\n').collect();
        assert_eq!(texts.last(), Some(&&b""[..]), "block ends in a newline");
        assert_eq!(texts.len() - 1, lines.len());
        for (text, &line) in texts.iter().zip(lines) {
            records.push((String::from_utf8(text.to_vec()).unwrap(), line));
        }
    }
    Out {
        records,
        blocks,
        faults,
        error,
    }
}

fn decode(input: &str) -> Out {
    decode_with(input.as_bytes(), 1 << 16)
}

fn texts(out: &Out) -> Vec<&str> {
    out.records.iter().map(|(r, _)| r.as_str()).collect()
}

fn lines(out: &Out) -> Vec<u64> {
    out.records.iter().map(|&(_, l)| l).collect()
}

/// A record whose every value has a spelling a re-serializer would change.
const TRICKY: &str = r#"{"eventVersion":"1.08","z":1.0e3,"a":-0,"big":123456789012345678901234567890,"f":1.50,"s":"q\"b\\s\u00e9\ud83d\ude00\/","n":[1,[2,{"x":null}],{}],"t":true}"#;

#[test]
fn records_document_keeps_bytes_exactly() {
    let out = decode(&format!(r#"{{"Records":[{TRICKY},{{"b":2,"a":1}}]}}"#));
    assert!(out.error.is_none());
    assert_eq!(texts(&out), [TRICKY, r#"{"b":2,"a":1}"#]);
}

#[test]
fn pretty_records_are_compacted_but_strings_kept() {
    let input = "{\n  \"Records\" : [\n    {\n      \"b\" : \"two  words\",\n      \"a\" : [ 1 , 2 ]\n    },\n    { \"c\" : { } }\n  ]\n}\n";
    let out = decode(input);
    assert!(out.error.is_none());
    assert_eq!(
        texts(&out),
        [r#"{"b":"two  words","a":[1,2]}"#, r#"{"c":{}}"#]
    );
    assert_eq!(lines(&out), [3, 7]);
}

#[test]
fn other_keys_around_records_are_ignored() {
    let out = decode(r#"{"meta":{"x":[1]},"Records":[{"a":1}],"NextToken":"abc"}"#);
    assert!(out.error.is_none());
    assert_eq!(texts(&out), [r#"{"a":1}"#]);
}

#[test]
fn empty_records_and_empty_array_give_nothing() {
    let out = decode("{\"Records\":[]}\n[ ]\n{\"Records\" : [\n]}");
    assert!(out.error.is_none());
    assert!(out.records.is_empty());
    assert!(out.blocks.is_empty());
}

#[test]
fn pretty_array_of_records() {
    let input = "[\n   {\n      \"awsRegion\": \"us-east-1\",\n      \"n\": 1\n   },\n   {\n      \"n\": 2\n   }\n]\n";
    let out = decode(input);
    assert!(out.error.is_none());
    assert_eq!(
        texts(&out),
        [r#"{"awsRegion":"us-east-1","n":1}"#, r#"{"n":2}"#]
    );
    assert_eq!(lines(&out), [2, 6]);
}

#[test]
fn several_documents_in_a_row() {
    let input =
        "{\"Records\":[{\"a\":1}]}\n{\"Records\":[{\"a\":2},{\"a\":3}]}[{\"a\":4}]\n\n{\"a\":5}\n";
    let out = decode(input);
    assert!(out.error.is_none());
    assert_eq!(
        texts(&out),
        [
            r#"{"a":1}"#,
            r#"{"a":2}"#,
            r#"{"a":3}"#,
            r#"{"a":4}"#,
            r#"{"a":5}"#
        ]
    );
    assert_eq!(lines(&out), [1, 2, 2, 2, 4]);
}

#[test]
fn bare_records_one_a_line_decode_like_ndjson() {
    let out = decode("{\"a\":1}\r\n{ \"b\" : 2 }\r\n");
    assert!(out.error.is_none());
    assert_eq!(texts(&out), [r#"{"a":1}"#, r#"{"b":2}"#]);
    assert_eq!(lines(&out), [1, 2]);
}

#[test]
fn lookup_events_with_epoch_and_iso_event_time() {
    let inner = TRICKY.replace('\\', "\\\\").replace('"', "\\\"");
    let input = format!(
        "{{\n  \"Events\": [\n    {{\n      \"EventId\": \"e1\",\n      \"EventTime\": 1688990556.0,\n      \"CloudTrailEvent\": \"{inner}\"\n    }},\n    {{\n      \"EventId\": \"e2\",\n      \"EventTime\": \"2023-07-10T12:00:00+00:00\",\n      \"Resources\": [],\n      \"CloudTrailEvent\": \"{{\\\"eventID\\\":\\\"e2\\\",\\\"x\\\": [1, 2]}}\"\n    }}\n  ],\n  \"NextToken\": \"tok\"\n}}\n"
    );
    let out = decode(&input);
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(texts(&out), [TRICKY, r#"{"eventID":"e2","x":[1,2]}"#]);
    assert_eq!(lines(&out), [3, 8]);
}

#[test]
fn envelope_lines_with_object_or_string() {
    let input = concat!(
        r#"{"EventId":"1","EventTime":"2023-07-10T12:00:00Z","CloudTrailEvent":{"b":1,"a":[2.50]}}"#,
        "\n",
        r#"{"EventId":"2","CloudTrailEvent":"{\"c\":\"\\u00e9\"}","Username":"x"}"#,
        "\n"
    );
    let out = decode(input);
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(texts(&out), [r#"{"b":1,"a":[2.50]}"#, r#"{"c":"\u00e9"}"#]);
    assert_eq!(lines(&out), [1, 2]);
}

#[test]
fn envelope_string_that_is_not_a_record_is_an_error() {
    let out = decode(r#"{"Events":[{"CloudTrailEvent":"{\"a\":1}"},{"CloudTrailEvent":"[1]"}]}"#);
    assert_eq!(texts(&out), [r#"{"a":1}"#]);
    let err = out.error.unwrap();
    assert!(err.reason.contains("does not hold a JSON object"), "{err}");
}

/// Found by the input_decode fuzz target: a record inside Records with a
/// CloudTrailEvent member was taken for an envelope and reported, where an
/// NDJSON line with a string eventName is judged as the record it is.
#[test]
fn a_record_with_a_string_event_name_is_no_envelope() {
    let input = r#"{"Records":[{"eventName":"A","CloudTrailEvent":"203.0.113.3"},{"eventName":5,"CloudTrailEvent":"{\"x\":1}"}]}"#;
    let out = decode(input);
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(
        texts(&out),
        [
            r#"{"eventName":"A","CloudTrailEvent":"203.0.113.3"}"#,
            r#"{"x":1}"#
        ]
    );
    let out = decode("{\n\"eventName\": \"B\",\n\"CloudTrailEvent\": 7\n}\n");
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(texts(&out), [r#"{"eventName":"B","CloudTrailEvent":7}"#]);
}

#[test]
fn bom_and_crlf() {
    let out = decode("\u{feff}{\"Records\":[\r\n{\"a\":1},\r\n{\"a\":2}\r\n]}\r\n");
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(texts(&out), [r#"{"a":1}"#, r#"{"a":2}"#]);
    assert_eq!(lines(&out), [2, 3]);
}

#[test]
fn truncated_records_keeps_what_came_before() {
    let out = decode("{\"Records\":[\n{\"a\":1},\n{\"a\":2},\n{\"a\":");
    assert_eq!(texts(&out), [r#"{"a":1}"#, r#"{"a":2}"#]);
    let err = out.error.unwrap();
    assert_eq!(
        err.to_string(),
        "line 4: truncated: the Records array is not closed"
    );
}

#[test]
fn records_array_not_closed_after_last_element() {
    let out = decode("{\"Records\":[{\"a\":1}");
    assert_eq!(texts(&out), [r#"{"a":1}"#]);
    assert_eq!(
        out.error.unwrap().reason,
        "truncated: the Records array is not closed"
    );
}

#[test]
fn truncated_array_and_object() {
    let out = decode("[\n{\"a\":1},\n{\"a\"");
    assert_eq!(texts(&out), [r#"{"a":1}"#]);
    assert_eq!(
        out.error.unwrap().to_string(),
        "line 3: truncated: the array is not closed"
    );
    let out = decode("{\"a\":1}\n{\"b\":\"x");
    assert_eq!(texts(&out), [r#"{"a":1}"#]);
    assert_eq!(
        out.error.unwrap().to_string(),
        "line 2: truncated: the object is not closed"
    );
}

#[test]
fn garbage_after_a_document() {
    let out = decode("{\"Records\":[{\"a\":1}]}\nxyz");
    assert_eq!(texts(&out), [r#"{"a":1}"#]);
    assert_eq!(
        out.error.unwrap().to_string(),
        "line 2: expected a JSON object or array, found 'x'"
    );
}

#[test]
fn non_object_element_in_records() {
    let out = decode("{\"Records\":[{\"a\":1},\n\"oops\"]}");
    assert_eq!(texts(&out), [r#"{"a":1}"#]);
    assert_eq!(
        out.error.unwrap().to_string(),
        "line 2: expected a record object in the Records array, found a string"
    );
}

#[test]
fn structural_faults_are_reported() {
    for (input, want) in [
        ("{\"a\" 1}", "expected ':' after a member name, found '1'"),
        (
            "{\"a\":1 \"b\":2}",
            "expected ',' or '}' after a member, found '\"'",
        ),
        (
            "[{\"a\":1} {\"a\":2}]",
            "expected ',' or ']' in the array, found '{'",
        ),
        ("{\"a\":[1}}", "unexpected '}'"),
        ("{\"a\":\"x\ny\"}", "line break inside a string"),
        ("{1:2}", "expected a member name, found '1'"),
        (
            "[{\"a\":1},]",
            "expected a record object in the array, found ']'",
        ),
    ] {
        let err = decode(input).error.unwrap_or_else(|| panic!("{input}"));
        assert_eq!(err.reason, want, "{input}");
    }
}

#[test]
fn stop_when_emit_says_so() {
    let input = "[{\"a\":1},{\"a\":2},{\"a\":3}, this is never read";
    let mut src = input.as_bytes();
    let mut seen = 0;
    let result = decode_stream(&mut src, 1, Limits::default(), &mut |_| {
        seen += 1;
        ControlFlow::Break(())
    });
    assert_eq!(result, Ok(()));
    assert_eq!(seen, 1);
}

#[test]
fn blocks_are_cut_near_block_bytes() {
    let input = format!("[{}]", vec![r#"{"a":12345}"#; 100].join(","));
    let out = decode_with(input.as_bytes(), 50);
    assert!(out.error.is_none());
    assert_eq!(out.records.len(), 100);
    // 12 bytes a record: each block closes at the first record reaching 50 bytes.
    assert!(out.blocks.iter().all(|b| b.data.len() == 60));
}

#[test]
fn io_errors_surface_after_earlier_records() {
    struct Failing<'a>(&'a [u8]);
    impl std::io::Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("gzip: unexpected end of file"));
            }
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut src = std::io::BufReader::new(Failing(b"{\"Records\":[{\"a\":1},{\"a\":2}"));
    let mut records = 0;
    let err = decode_stream(&mut src, 1, Limits::default(), &mut |item| {
        let Decoded::Records(b) = item else {
            panic!("{item:?}")
        };
        records += b.lines.unwrap().len();
        ControlFlow::Continue(())
    })
    .unwrap_err();
    assert_eq!(records, 2);
    assert_eq!(err.reason, "gzip: unexpected end of file");
}

/// Produces a large pretty Records document piece by piece without holding it.
struct Synthetic {
    count: usize,
    /// Next piece: 0 the head, 1..=count the records, count + 1 the tail.
    next: usize,
    pending: Vec<u8>,
    at: usize,
}

impl Synthetic {
    fn piece(&self, i: usize) -> Option<String> {
        if i == 0 {
            return Some("{\"Records\": [\n".into());
        }
        if i > self.count + 1 {
            return None;
        }
        if i == self.count + 1 {
            return Some("]}\n".into());
        }
        let n = self.count - i;
        let sep = if n == 0 { "" } else { "," };
        Some(format!(
            "  {{\"eventVersion\": \"1.08\", \"n\": {n}, \"pad\": \"{}\"}}{sep}\n",
            "x".repeat(n % 700)
        ))
    }
}

impl std::io::Read for Synthetic {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            let Some(piece) = self.piece(self.next) else {
                return Ok(0);
            };
            self.next += 1;
            self.pending = piece.into_bytes();
            self.at = 0;
        }
        let n = (self.pending.len() - self.at).min(buf.len());
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn fifty_megabyte_document_streams_in_bounded_blocks() {
    let count = 140_000; // about 50 MB of input
    let mut src = std::io::BufReader::new(Synthetic {
        count,
        next: 0,
        pending: Vec::new(),
        at: 0,
    });
    let block_bytes = 64 * 1024;
    let largest_record = 800;
    let mut records = 0usize;
    let mut input_bytes = 0usize;
    let mut next_n = count;
    decode_stream(&mut src, block_bytes, Limits::default(), &mut |item| {
        let Decoded::Records(block) = item else {
            panic!("{item:?}")
        };
        assert!(block.data.len() < block_bytes + largest_record);
        assert!(block.data.capacity() < 2 * (block_bytes + largest_record));
        for record in block.data.split(|&b| b == b'\n').filter(|r| !r.is_empty()) {
            next_n -= 1;
            let want = format!("\"n\":{next_n},");
            assert!(memchr::memmem::find(record, want.as_bytes()).is_some());
            input_bytes += record.len() + 8;
        }
        records += block.lines.unwrap().len();
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(records, count);
    assert!(input_bytes > 50_000_000, "{input_bytes}");
}

fn expanded(records: &[&[u8]], faults: &[&str]) -> Option<Expanded> {
    Some(Expanded {
        records: records.iter().map(|r| r.to_vec()).collect(),
        faults: faults.iter().map(|f| f.to_string()).collect(),
    })
}

#[test]
fn expand_line_unwraps_wrappers_only() {
    assert_eq!(expand_line(br#"{"eventVersion":"1.08","a":1}"#), None);
    assert_eq!(
        expand_line(br#"{"Records":[{"a":1},{"b":[2, 3]}]}"#),
        expanded(&[br#"{"a":1}"#, br#"{"b":[2,3]}"#], &[])
    );
    assert_eq!(
        expand_line(br#"{"EventId":"x","CloudTrailEvent":"{\"a\":1.0}"}"#),
        expanded(&[br#"{"a":1.0}"#], &[])
    );
    assert_eq!(
        expand_line(br#"{"Events":[{"CloudTrailEvent":"{}"}],"NextToken":null}"#),
        expanded(&[b"{}"], &[])
    );
    assert_eq!(
        expand_line(b"{\"Records\":[{\"a\":1}\r\n"),
        expanded(
            &[br#"{"a":1}"#],
            &["truncated: the Records array is not closed"]
        )
    );
}

#[test]
fn expand_line_reports_what_is_not_a_record() {
    // Starts like a wrapper but Records is not an array: not a record either.
    assert_eq!(
        expand_line(br#"{"Records":null,"a":1}"#),
        expanded(&[], &["Records is not an array: found null"])
    );
    assert_eq!(
        expand_line(br#"{"Records":{}}"#),
        expanded(&[], &["Records is not an array: found an object"])
    );
    assert_eq!(
        expand_line(br#"{"Records":[{"a":1},null,{"b":2},7,"s",[1],{"c":3}]}"#),
        expanded(
            &[br#"{"a":1}"#, br#"{"b":2}"#, br#"{"c":3}"#],
            &[
                "expected a record object in the Records array, found null",
                "expected a record object in the Records array, found a number",
                "expected a record object in the Records array, found a string",
                "expected a record object in the Records array, found an array",
            ]
        )
    );
}

#[test]
fn an_array_element_holding_records_is_no_record_inside_a_record() {
    let r = |n: u32| format!(r#"{{"eventVersion":"1.08","n":{n}}}"#);
    let doc = format!(r#"{{"Records":[{},[{},{}],{}]}}"#, r(6), r(7), r(70), r(8));
    let out = decode(&doc);
    assert_eq!(texts(&out), [r(6), r(8)]);
    assert_eq!(
        out.faults
            .iter()
            .map(|f| f.reason.as_str())
            .collect::<Vec<_>>(),
        ["expected a record object in the Records array, found an array"]
    );
    let line = expand_line(doc.as_bytes());
    assert_eq!(
        line,
        expanded(
            &[r(6).as_bytes(), r(8).as_bytes()],
            &["expected a record object in the Records array, found an array"]
        )
    );
    // Deeper inside a record the next element's start still means its end was lost.
    let cut = format!(
        r#"{{"Records":[{{"eventVersion":"1.08","a":[{},{}]}}]}}"#,
        r(7),
        r(8)
    );
    let out = decode(&cut);
    assert_eq!(texts(&out), [r(7), r(8)]);
    assert_eq!(
        out.faults[0].reason,
        "a record inside a record: the one before it is cut short"
    );
}

#[test]
fn a_broken_element_costs_only_itself() {
    // Pretty: the next element is found at the indentation of the others.
    let out = decode("[\n  {\"k\":1,\"a\":2},\n  {\"k\":2,\"a\":\"x},\n  {\"k\":3}\n]\n");
    assert_eq!(texts(&out), [r#"{"k":1,"a":2}"#, r#"{"k":3}"#]);
    assert_eq!(lines(&out), [2, 4]);
    assert_eq!(out.faults.len(), 1);
    assert_eq!(
        out.faults[0].to_string(),
        "line 3: line break inside a string"
    );
    // Minified: by the first member the elements share.
    let out = decode(r#"{"Records":[{"k":1},{"k":2,"a":[1}]},{"k":3},{"k":4}]}"#);
    assert_eq!(texts(&out), [r#"{"k":1}"#, r#"{"k":3}"#, r#"{"k":4}"#]);
    assert_eq!(out.faults.len(), 1, "{:?}", out.faults);
    // A lost closing brace: the fault shows at the next element, which stays.
    let out = decode("[\n  {\"k\":1,\n  {\"k\":2}\n]");
    assert_eq!(texts(&out), [r#"{"k":2}"#]);
    assert_eq!(
        out.faults[0].to_string(),
        "line 2: expected a member name, found '{' (at line 3)"
    );
}

#[test]
fn a_record_closed_early_is_not_written_in_part() {
    // A stray `}` ends the record before its members: neither half is a record.
    let out = decode(r#"{"Records":[{"k":1},{"k":2}"a":3},{"k":4}]}"#);
    assert_eq!(texts(&out), [r#"{"k":1}"#, r#"{"k":4}"#]);
    assert_eq!(out.faults.len(), 1, "{:?}", out.faults);
    let out = decode(r#"{"Records":[{"k":1},{"k":2},"a":3},{"k":4}]}"#);
    assert_eq!(texts(&out), [r#"{"k":1}"#, r#"{"k":4}"#]);
    // But a record that lost its `{` leaves the one before it whole.
    let out = decode(r#"{"Records":[{"k":1},"k":2},{"k":3}]}"#);
    assert_eq!(texts(&out), [r#"{"k":1}"#, r#"{"k":3}"#]);
    assert!(out.faults[0].reason.contains("found a member name"));
}

#[test]
fn a_broken_top_level_document_costs_only_itself() {
    let out = decode("{\"a\":1}\n{\"b\":[}\n{\"c\":3}\n");
    assert_eq!(texts(&out), [r#"{"a":1}"#, r#"{"c":3}"#]);
    assert_eq!(out.faults[0].to_string(), "line 2: unexpected '}'");
    // Garbage between documents is one fault, not one a byte.
    let out = decode("{\"a\":1}\nnot json at all\nstill not\n{\"c\":3}\n");
    assert_eq!(texts(&out), [r#"{"a":1}"#, r#"{"c":3}"#]);
    assert_eq!(out.faults.len(), 1);
    // A Records array cut short, then a new file (`cat a.json b.json`).
    let out = decode("{\"Records\":[{\"k\":1},{\"k\":\n{\"Records\":[{\"k\":2}]}\n");
    assert_eq!(texts(&out), [r#"{"k":1}"#, r#"{"k":2}"#]);
}
