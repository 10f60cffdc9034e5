//! The record parser against serde_json, its reference.

use super::*;

fn error_of(record: &[u8]) -> String {
    match DocParser::new().parse(record) {
        Ok(_) => panic!("{:?} parsed", String::from_utf8_lossy(record)),
        Err(e) => e.to_string(),
    }
}

#[test]
fn top_level_strings() {
    let mut parser = DocParser::new();
    let doc = parser
        .parse(br#"{"eventName":"Get\u004fbject","n":1,"eventSource":"s3.amazonaws.com","o":{"eventName":"x"}}"#)
        .unwrap();
    assert_eq!(doc.top_str("eventName"), Some("GetObject"));
    assert_eq!(doc.top_str("eventSource"), Some("s3.amazonaws.com"));
    assert_eq!(doc.top_str("n"), None);
    assert_eq!(doc.top_str("o"), None);
    assert_eq!(doc.top_str("missing"), None);
}

#[test]
fn repeated_keys_resolve_to_the_last_like_serde_json() {
    let mut parser = DocParser::new();
    let doc = parser
        .parse(br#"{"a":"first","b":[1],"a":"last"}"#)
        .unwrap();
    assert_eq!(doc.top_str("a"), Some("last"));
    assert_eq!(doc.tree()["a"], "last");
}

#[test]
fn the_parser_is_reused_across_records() {
    let mut parser = DocParser::new();
    let long = format!(r#"{{"k":"{}"}}"#, "x".repeat(10_000));
    for record in [long.as_str(), r#"{"k":"short"}"#, "[1]", r#"{"k":"again"}"#] {
        let got = parser
            .parse(record.as_bytes())
            .ok()
            .and_then(|d| d.top_str("k").map(str::len));
        let want = serde_json::from_str::<Value>(record)
            .ok()
            .and_then(|v| v["k"].as_str().map(str::len));
        assert_eq!(got, want, "{record:.20}");
    }
}

#[test]
fn tree_matches_serde_json() {
    let record = r#"{"a":[1,-2,3.5,1e2,true,null,"s\n"],"b":{"c":{}},"d":18446744073709551615}"#;
    let mut parser = DocParser::new();
    let doc = parser.parse(record.as_bytes()).unwrap();
    let expected: Value = serde_json::from_str(record).unwrap();
    assert_eq!(doc.tree(), &expected);
    let DocView::Raw(root) = doc.view() else {
        panic!("raw view expected")
    };
    let a = root.member("a").unwrap();
    assert_eq!(a.element(-1).unwrap().to_value(), "s\n");
    assert_eq!(a.element(1).unwrap().to_value(), -2);
    assert!(a.element(7).is_none() && a.element(-8).is_none());
    assert!(a.member("x").is_none() && root.element(0).is_none());
}

#[test]
fn non_objects_are_refused_by_kind() {
    assert_eq!(error_of(b"[1]"), "not a JSON object (found an array)");
    assert_eq!(error_of(b"3"), "not a JSON object (found a number)");
    assert_eq!(error_of(b"\"s\""), "not a JSON object (found a string)");
    assert_eq!(error_of(b"null"), "not a JSON object (found null)");
    assert_eq!(error_of(b" true "), "not a JSON object (found a boolean)");
    assert_eq!(
        error_of(b"[123456789012345678901234567890]"),
        "not a JSON object (found an array)"
    );
}

#[test]
fn syntax_errors_say_what_and_where() {
    assert_eq!(
        error_of(br#"{"a":1 "b":2}"#),
        "invalid JSON: expected ',' or '}' at byte 8"
    );
    assert_eq!(
        error_of(br#"{"a":[1,2}"#),
        "invalid JSON: expected ',' or ']' at byte 10"
    );
    assert_eq!(
        error_of(br#"{"a":1} x"#),
        "invalid JSON: trailing data after the object at byte 9"
    );
    assert_eq!(
        error_of(br#"{"a":1}{}"#),
        "invalid JSON: trailing data after the object at byte 8"
    );
    assert_eq!(
        error_of(br#"{"a":"x"#),
        "invalid JSON: end of record while parsing a string at byte 7"
    );
    assert_eq!(error_of(b""), "invalid JSON: empty record");
    assert_eq!(
        error_of(br#"{"a":tru}"#),
        "invalid JSON: invalid literal at byte 9"
    );
    assert!(error_of(br#"{"a":01}"#).starts_with("invalid JSON: invalid number"));
    assert!(error_of(br#"{"a":"\ud800"}"#).starts_with("invalid JSON"));
    assert!(error_of(b"{\"a\":\"\x00\"}").starts_with("invalid JSON"));
}

#[test]
fn invalid_utf8_is_named() {
    assert_eq!(error_of(b"{\"a\":\"\xff\"}"), "invalid UTF-8");
    assert_eq!(error_of(b"{\"a\":\"\xed\xa0\x80\"}"), "invalid UTF-8");
}

#[test]
fn depth_bombs_are_refused_without_crashing() {
    let bomb = "[".repeat(100_000);
    assert_eq!(error_of(bomb.as_bytes()), "nesting deeper than 256 levels");
    let objects = r#"{"a":"#.repeat(100_000);
    assert_eq!(
        error_of(objects.as_bytes()),
        "nesting deeper than 256 levels"
    );
    let ok = format!("{{\"a\":{}1{}}}", "[".repeat(255), "]".repeat(255));
    let mut parser = DocParser::new();
    let doc = parser.parse(ok.as_bytes()).unwrap();
    // Deeper than serde_json's own limit of 128, which the tree lifts.
    let mut innermost = &doc.tree()["a"];
    for _ in 0..255 {
        innermost = &innermost[0];
    }
    assert_eq!(innermost, 1);
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(256), "]".repeat(256));
    assert_eq!(error_of(deep.as_bytes()), "nesting deeper than 256 levels");
}

#[test]
fn records_with_numbers_a_tree_may_not_hold_are_marked() {
    let mut parser = DocParser::new();
    for (record, wide) in [
        (
            &br#"{"a":1,"b":[2.5,-3],"c":"123456789012345678901234567890"}"#[..],
            false,
        ),
        (br#"{"a":{"b":[123456789012345678901234567890]}}"#, true),
        (br#"{"a":1e400}"#, true),
        (br#"{"a":{"b":1E2}}"#, true),
        (br#"{"a":0.10000000000000001}"#, true),
    ] {
        let doc = parser.parse(record).unwrap();
        assert_eq!(
            doc.has_wide_numbers(),
            wide,
            "{}",
            String::from_utf8_lossy(record)
        );
    }
}

#[test]
fn numbers_beyond_f64_are_valid_json_and_pass() {
    let mut parser = DocParser::new();
    for record in [
        &br#"{"a":1e400,"b":"x"}"#[..],
        br#"{"a":-1E+400,"b":"x"}"#,
        br#"{"a":[1.7976931348623159e308],"b":"x"}"#,
        br#"{"b":"x","a":{"c":123e456789}}"#,
    ] {
        let doc = parser.parse(record).unwrap();
        assert_eq!(doc.top_str("b"), Some("x"));
        // The tree exists (a general path reads it), the huge number clamped.
        assert_eq!(doc.tree()["b"], "x");
        assert!(!doc.tree()["a"].is_null());
    }
}

#[test]
fn integers_beyond_64_bits_still_parse() {
    let mut parser = DocParser::new();
    let doc = parser
        .parse(br#"{"big":123456789012345678901234567890,"s":"x"}"#)
        .unwrap();
    assert!(matches!(doc.view(), DocView::Raw(_)));
    assert_eq!(doc.top_str("s"), Some("x"));
    assert!(doc.tree()["big"].as_f64().is_some_and(|f| f > 1.2e29));
}

#[test]
fn garbage_never_panics() {
    let mut parser = DocParser::new();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let alphabet = b"{}[]\":,\\ 0123456789.eE-+truefalsnul\xff\xc3\xa9abc";
    for len in 0..400 {
        let record: Vec<u8> = (0..len % 64)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                alphabet[(seed % alphabet.len() as u64) as usize]
            })
            .collect();
        let ours = parser.parse(&record).map(|d| d.tree().clone());
        let reference = serde_json::from_slice::<Value>(&record);
        match (&ours, &reference) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Ok(v)) => {
                assert!(!v.is_object(), "{:?}", String::from_utf8_lossy(&record))
            }
            (Ok(_), Err(_)) => panic!("accepted {:?}", String::from_utf8_lossy(&record)),
            (Err(_), Err(_)) => {}
        }
    }
}

/// A small deterministic generator of JSON texts near CloudTrail's shapes,
/// with the escapes, numbers and white space a scanner can get wrong.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'s>(&mut self, choices: &[&'s str]) -> &'s str {
        choices[(self.next() % choices.len() as u64) as usize]
    }

    fn space(&mut self, out: &mut String) {
        if self.next().is_multiple_of(8) {
            out.push_str(self.pick(&[" ", "\t", "\r\n ", "  "]));
        }
    }

    fn string(&mut self, out: &mut String) {
        out.push('"');
        for _ in 0..self.next() % 6 {
            out.push_str(self.pick(&[
                "eventName",
                "a",
                "é",
                "\\n",
                "\\\"",
                "\\\\",
                "\\/",
                "\\u00e9",
                "\\ud83d\\ude00",
                "arn:aws:iam::1:user/x",
                "0123456789abcdef0123456789",
                " ",
                "😀",
            ]));
        }
        out.push('"');
    }

    fn value(&mut self, out: &mut String, depth: u32) {
        self.space(out);
        match self.next() % if depth < 4 { 9 } else { 6 } {
            0 | 1 => self.string(out),
            2 => out.push_str(self.pick(&[
                "0",
                "-0",
                "1",
                "-17",
                "3.25",
                "1e2",
                "-2.5E-3",
                "18446744073709551615",
                "9223372036854775808",
                "-9223372036854775809",
                "123456789012345678901234567890",
                "1.7976931348623157e308",
                "5e-324",
            ])),
            3 => out.push_str(self.pick(&["true", "false", "null"])),
            4 | 5 => self.string(out),
            6 => {
                out.push('[');
                for i in 0..self.next() % 4 {
                    if i > 0 {
                        out.push(',');
                    }
                    self.value(out, depth + 1);
                }
                self.space(out);
                out.push(']');
            }
            _ => self.object(out, depth + 1),
        }
        self.space(out);
    }

    fn object(&mut self, out: &mut String, depth: u32) {
        out.push('{');
        for i in 0..self.next() % 6 {
            if i > 0 {
                out.push(',');
            }
            self.space(out);
            match self.next() % 6 {
                0 => self.string(out),
                _ => {
                    let key = self.pick(&[
                        "eventName",
                        "eventSource",
                        "eventTime",
                        "k",
                        "userIdentity",
                        "event\\u004eame",
                    ]);
                    out.push('"');
                    out.push_str(key);
                    out.push('"');
                }
            }
            self.space(out);
            out.push(':');
            self.value(out, depth);
        }
        self.space(out);
        out.push('}');
    }

    /// A record, sometimes damaged by one byte.
    fn record(&mut self) -> Vec<u8> {
        let mut text = String::new();
        self.space(&mut text);
        self.object(&mut text, 0);
        let mut bytes = text.into_bytes();
        if self.next().is_multiple_of(3) && !bytes.is_empty() {
            let at = (self.next() % bytes.len() as u64) as usize;
            let noise = b"{}[]\":,\\ 0-.eEtfnu\x01\x7f\xff\xc3";
            let byte = noise[(self.next() % noise.len() as u64) as usize];
            match self.next() % 3 {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        bytes
    }
}

#[test]
fn records_read_exactly_as_serde_json_reads_them() {
    let mut generator = Gen(0x9e37_79b9_7f4a_7c15);
    let mut parser = DocParser::new();
    let (mut accepted, mut refused, mut huge) = (0, 0, 0);
    for _ in 0..20_000 {
        let record = generator.record();
        let shown = String::from_utf8_lossy(&record).into_owned();
        let reference = serde_json::from_slice::<Value>(&record);
        let doc = match (parser.parse(&record), reference) {
            (Err(_), Err(_)) => {
                refused += 1;
                continue;
            }
            (Err(e), Ok(v)) => {
                assert!(!v.is_object(), "refused {shown}: {e}");
                refused += 1;
                continue;
            }
            (Ok(doc), Err(e)) => {
                // serde_json refuses numbers beyond f64's range, which JSON
                // allows and the scanner passes: the one deliberate
                // difference. The tree holds them clamped to the largest
                // finite f64 (comparisons read them from the text instead).
                assert!(
                    e.to_string().starts_with("number out of range"),
                    "accepted {shown} ({e})"
                );
                let clamped = raw::clamp_huge_numbers(std::str::from_utf8(&record).unwrap());
                let reference: Value = serde_json::from_str(&clamped).expect("clamped parses");
                accepted += 1;
                huge += 1;
                (doc, reference)
            }
            (Ok(doc), Ok(v)) => {
                accepted += 1;
                assert!(matches!(doc.view(), DocView::Raw(_)), "{shown}");
                (doc, v)
            }
        };
        let (doc, reference) = doc;
        let DocView::Raw(root) = doc.view() else {
            unreachable!()
        };
        let map = reference.as_object().unwrap();
        for key in [
            "eventName",
            "eventSource",
            "eventTime",
            "k",
            "userIdentity",
            "missing",
        ] {
            assert_eq!(
                doc.top_str(key),
                map.get(key).and_then(Value::as_str),
                "{key} {shown}"
            );
            let raw = root.member(key).map(|r| r.to_value());
            assert_eq!(raw.as_ref(), map.get(key), "{key} {shown}");
            if let Some(Value::Object(inner)) = map.get(key) {
                let raw_inner = root.member(key).unwrap();
                for inner_key in ["eventName", "k", "event\u{4e}ame", "x"] {
                    let got = raw_inner.member(inner_key).map(|r| r.to_value());
                    assert_eq!(
                        got.as_ref(),
                        inner.get(inner_key),
                        "{key}.{inner_key} {shown}"
                    );
                }
            }
        }
        assert_eq!(doc.tree(), &reference, "{shown}");
    }
    assert!(
        accepted > 5_000 && refused > 2_000 && huge > 10,
        "{accepted} {refused} {huge}"
    );
}
