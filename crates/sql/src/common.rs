//! Pieces every dialect shares: action classes, the time window, globs,
//! numbers and IPv4 networks, given how a dialect spells its functions.

use super::{Dialect, Refusal, str_lit};
use spitzel_core::actions::{EventPredicate, OperationPredicate, SourcePredicate};
use spitzel_core::expr::Network;
use spitzel_core::window::{NANOS_PER_SECOND, TimeWindow, UnixNanos};
use std::net::IpAddr;

/// `s` matches the (already translated) regex `re`, searching.
pub fn regex_match(d: Dialect, s: &str, re: &str) -> String {
    match d {
        Dialect::Duckdb => format!("regexp_matches({s}, {})", str_lit(d, re)),
        Dialect::Athena => format!("regexp_like({s}, {})", str_lit(d, re)),
        Dialect::Spark => format!("({s} RLIKE {})", str_lit(d, re)),
    }
}

/// `s` holds `part` as a substring (the empty string is in every string).
pub fn str_contains(d: Dialect, s: &str, part: &str) -> String {
    match d {
        Dialect::Duckdb => format!("contains({s}, {})", str_lit(d, part)),
        Dialect::Athena => format!("(strpos({s}, {}) > 0)", str_lit(d, part)),
        Dialect::Spark => format!("(instr({s}, {}) > 0)", str_lit(d, part)),
    }
}

/// An fnmatch glob (lowercase; `*`, `?`, `[...]`, `[!...]`) as an anchored
/// regex matching ASCII-case-insensitively, as the action matcher does.
pub fn glob_regex(glob: &str) -> String {
    let mut out = String::from(r"\A");
    let chars: Vec<char> = glob.chars().collect();
    let mut i = 0;
    let letter = |c: char, out: &mut String| {
        if c.is_ascii_alphabetic() {
            out.push(c.to_ascii_lowercase());
            out.push(c.to_ascii_uppercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push_str(&format!("\\x{{{:X}}}", c as u32));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' => out.push_str("(?s:.)*"),
            '?' => out.push_str("(?s:.)"),
            '[' => {
                let close = chars[i..]
                    .iter()
                    .enumerate()
                    .position(|(k, &c)| c == ']' && k > usize::from(chars.get(i) == Some(&'!')));
                let Some(close) = close.map(|n| i + n) else {
                    out.push_str(r"\[");
                    continue;
                };
                out.push('[');
                let mut j = i;
                if chars[j] == '!' {
                    out.push('^');
                    j += 1;
                }
                while j < close {
                    let c = chars[j];
                    if chars.get(j + 1) == Some(&'-') && j + 2 < close {
                        let hi = chars[j + 2];
                        for code in c as u32..=hi as u32 {
                            if let Some(ch) = char::from_u32(code) {
                                letter(ch, &mut out);
                            }
                        }
                        j += 3;
                    } else {
                        letter(c, &mut out);
                        j += 1;
                    }
                }
                out.push(']');
                i = close + 1;
            }
            c if c.is_ascii_alphabetic() => {
                out.push('[');
                letter(c, &mut out);
                out.push(']');
            }
            c if c.is_ascii_alphanumeric() => out.push(c),
            c => out.push_str(&format!("\\x{{{:X}}}", c as u32)),
        }
    }
    out.push_str(r"\z");
    out
}

/// Text matching `literal` ASCII-case-insensitively, as a regex.
fn literal_regex(literal: &str) -> String {
    let escaped: String = literal
        .chars()
        .map(|c| match c {
            '*' | '?' | '[' => format!("[{c}]"),
            c => c.to_string(),
        })
        .collect();
    glob_regex(&escaped)
}

/// The first label of eventSource: up to the first `.`, or all of it.
fn first_label(es: &str) -> String {
    format!("split_part({es}, '.', 1)")
}

/// The IAM prefix of eventSource: the renamed hosts' prefix (hosts compared
/// ASCII-case-insensitively), else the first label.
fn iam_prefix(d: Dialect, es: &str) -> String {
    let mut out = String::from("(CASE");
    for (host, prefix) in spitzel_core::actions::renamed_hosts() {
        out.push_str(&format!(
            " WHEN {} THEN {}",
            regex_match(d, es, &literal_regex(host)),
            str_lit(d, prefix)
        ));
    }
    out.push_str(&format!(" ELSE {} END)", first_label(es)));
    out
}

/// eventName without the API date Lambda and CloudFront append, as
/// `actions::strip_api_suffix` cuts it.
fn operation(d: Dialect, prefix: &str, en: &str) -> String {
    let cut = |re: &str| match d {
        Dialect::Duckdb | Dialect::Athena | Dialect::Spark => {
            format!("regexp_replace({en}, {}, '')", str_lit(d, re))
        }
    };
    let lambda = format!(
        "(CASE WHEN {} THEN (CASE WHEN {} THEN {} ELSE {en} END) WHEN {} THEN {} ELSE {en} END)",
        regex_match(d, en, r"[0-9]{8}v[0-9]+\z"),
        regex_match(d, en, r"\A(?s:.)+[0-9]{8}v[0-9]+\z"),
        cut(r"[0-9]{8}v[0-9]+\z"),
        regex_match(d, en, r"\A(?s:.)+[0-9]{8}\z"),
        cut(r"[0-9]{8}\z"),
    );
    let cloudfront = format!(
        "(CASE WHEN {} THEN {} ELSE {en} END)",
        regex_match(d, en, r"\A(?s:.)+[0-9]{4}_[0-9]{2}_[0-9]{2}\z"),
        cut(r"[0-9]{4}_[0-9]{2}_[0-9]{2}\z"),
    );
    format!(
        "(CASE WHEN {} THEN {lambda} WHEN {} THEN {cloudfront} ELSE {en} END)",
        regex_match(d, prefix, &literal_regex("lambda")),
        regex_match(d, prefix, &literal_regex("cloudfront")),
    )
}

/// The column names a statement computes once per record for the action
/// predicates (they are long expressions).
pub const ES: &str = "_es";
pub const EN: &str = "_en";
pub const PREFIX: &str = "_prefix";
pub const LABEL: &str = "_label";
pub const OP: &str = "_op";

/// `expr`, ASCII-lowercased, equals `lowercase` (SQL's `lower()` folds
/// more than ASCII, hence the ASCII guard).
fn ascii_eq(d: Dialect, expr: &str, lowercase: &str) -> String {
    format!(
        "(lower({expr}) = {} AND {})",
        str_lit(d, lowercase),
        regex_match(d, expr, r"\A[\x{0}-\x{7F}]*\z")
    )
}

/// The derived columns, in the order a statement must compute them (each
/// may use the ones before): name and expression.
pub fn action_columns(d: Dialect) -> [(&'static str, String); 3] {
    [
        (PREFIX, iam_prefix(d, ES)),
        (LABEL, first_label(ES)),
        (OP, operation(d, PREFIX, EN)),
    ]
}

/// One action predicate over the derived columns.
pub fn event_predicate(d: Dialect, p: &EventPredicate) -> String {
    let source = match &p.source {
        SourcePredicate::PrefixOrLabel(g) => {
            let re = glob_regex(&g.glob);
            format!(
                "({} OR {})",
                regex_match(d, PREFIX, &re),
                regex_match(d, LABEL, &re)
            )
        }
        SourcePredicate::Prefix(name) => ascii_eq(d, PREFIX, name),
    };
    let name = match &p.operation {
        OperationPredicate::Glob(g) => regex_match(d, OP, &glob_regex(&g.glob)),
        OperationPredicate::Exact(name) => ascii_eq(d, OP, name),
    };
    format!("({source} AND {name})")
}

/// The whole action condition: both fields non-empty strings, and a
/// predicate holds.
pub fn actions(d: Dialect, predicates: &[EventPredicate]) -> String {
    if predicates.is_empty() {
        return "FALSE".into();
    }
    let parts: Vec<String> = predicates.iter().map(|p| event_predicate(d, p)).collect();
    format!(
        "COALESCE({ES} <> '' AND {EN} <> '' AND ({}), FALSE)",
        parts.join(" OR ")
    )
}

/// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whole seconds as CloudTrail writes them, `YYYY-MM-DDTHH:MM:SSZ`; None
/// outside years 0000-9999.
pub fn canonical_time(seconds: i64) -> Option<String> {
    let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    (0..=9999).contains(&y).then(|| {
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    })
}

/// The `YYYY/MM/DD` of a time, as CloudTrail's S3 key layout has it.
pub fn key_date(t: UnixNanos) -> Option<String> {
    let (y, m, d) = civil_from_days(t.div_euclid(NANOS_PER_SECOND).div_euclid(86_400));
    (0..=9999)
        .contains(&y)
        .then(|| format!("{y:04}/{m:02}/{d:02}"))
}

/// eventTime as CloudTrail writes it, with a real calendar date (leap
/// years included) and optionally a fraction of a second.
const CANONICAL_EVENT_TIME: &str = concat!(
    r"\A(?:[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)",
    r"|(?:0[13578]|1[02])-31)|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)",
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?Z\z"
);

/// The window over the eventTime string expression `et`: exact for the
/// `YYYY-MM-DDTHH:MM:SS[.f]Z` form CloudTrail writes. The other spellings
/// spitzel also reads (an offset, a space for `T`) count as outside.
pub fn window(d: Dialect, w: &TimeWindow, et: &str) -> String {
    // A fixed-width key orders as time: seconds, then nanoseconds.
    let key = format!(
        "(substr({et}, 1, 19) || '.' || rpad(regexp_extract({et}, {}, 1), 9, '0'))",
        str_lit(d, r"\.([0-9]+)Z\z")
    );
    let bound = |t: UnixNanos| {
        canonical_time(t.div_euclid(NANOS_PER_SECOND))
            .map(|s| format!("{}.{:09}", &s[..19], t.rem_euclid(NANOS_PER_SECOND)))
    };
    let mut parts = vec![regex_match(d, et, CANONICAL_EVENT_TIME)];
    if let Some(from) = w.from {
        match bound(from) {
            Some(text) => parts.push(format!("{key} >= {}", str_lit(d, &text))),
            None if from > 0 => return "FALSE".into(),
            None => {}
        }
    }
    if let Some(to) = w.to {
        match bound(to) {
            Some(text) => parts.push(format!("{key} <= {}", str_lit(d, &text))),
            None if to < 0 => return "FALSE".into(),
            None => {}
        }
    }
    format!("COALESCE({}, FALSE)", parts.join(" AND "))
}

/// An integer literal that `f64` holds exactly, or None.
pub fn exact_f64(n: i128) -> Option<f64> {
    let f = n as f64;
    (f.abs() < 1.7e38 && f as i128 == n).then_some(f)
}

/// A float literal's text that parses back to the same double.
pub fn float_text(f: f64) -> String {
    format!("{f:?}")
}

/// Integer `x` compared with float `f` as integers: the operator and the
/// integer to compare with, or a constant verdict.
pub enum IntCmp {
    Const(bool),
    With(&'static str, i128),
}

/// `x OP f` for integer x: `op` is one of `=`, `<`, `<=`, `>`, `>=`.
pub fn int_vs_float(op: &'static str, f: f64) -> IntCmp {
    const LIMIT: f64 = 1.7014118346046923e38;
    if f >= LIMIT {
        return IntCmp::Const(matches!(op, "<" | "<="));
    }
    if f < -LIMIT {
        return IntCmp::Const(matches!(op, ">" | ">="));
    }
    if f.fract() == 0.0 {
        return IntCmp::With(op, f as i128);
    }
    match op {
        "=" => IntCmp::Const(false),
        "<" | "<=" => IntCmp::With("<=", f.floor() as i128),
        _ => IntCmp::With(">=", f.ceil() as i128),
    }
}

/// A refusal for a float literal no JSON number can equal (inf, nan).
pub fn check_float(d: Dialect, f: f64) -> Result<(), Refusal> {
    if f.is_finite() {
        Ok(())
    } else {
        Err(Refusal::new(format!("non-finite number literal {f}"), d))
    }
}

/// `s` (a string expression) is an IPv4 address in one of the networks, as
/// Rust's parser reads addresses (dotted quad, no leading zeros).
pub fn cidr(d: Dialect, s: &str, networks: &[Network]) -> Result<String, Refusal> {
    let octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    let quad = format!(r"\A{octet}\.{octet}\.{octet}\.{octet}\z");
    let part = |k: usize| match d {
        Dialect::Spark => format!("CAST(split_part({s}, '.', {k}) AS BIGINT)"),
        _ => format!("CAST(split_part({s}, '.', {k}) AS BIGINT)"),
    };
    let number = format!(
        "({} * 16777216 + {} * 65536 + {} * 256 + {})",
        part(1),
        part(2),
        part(3),
        part(4)
    );
    let mut ranges = Vec::new();
    for n in networks {
        let IpAddr::V4(base) = n.base() else {
            return Err(Refusal::new(
                format!("cidr with the IPv6 network {}/{}", n.base(), n.prefix_len()),
                d,
            ));
        };
        let low = u64::from(u32::from(base));
        let size = 1u64 << (32 - u32::from(n.prefix_len()));
        ranges.push(format!("{number} BETWEEN {low} AND {}", low + size - 1));
    }
    // The CASE keeps the casts away from strings that are not addresses.
    Ok(format!(
        "(CASE WHEN {} THEN ({}) ELSE FALSE END)",
        regex_match(d, s, &quad),
        ranges.join(" OR ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_times() {
        assert_eq!(canonical_time(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(
            canonical_time(1_688_989_356).unwrap(),
            "2023-07-10T11:42:36Z"
        );
        assert_eq!(
            key_date(1_688_989_356 * NANOS_PER_SECOND).unwrap(),
            "2023/07/10"
        );
    }

    #[test]
    fn globs_fold_ascii_case() {
        assert_eq!(glob_regex("get*"), r"\A[gG][eE][tT](?s:.)*\z");
        assert_eq!(glob_regex("[!a-b]?"), r"\A[^aAbB](?s:.)\z");
    }
}
