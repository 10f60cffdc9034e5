//! Pieces every dialect shares: action classes, the time window, globs,
//! numbers and IPv4 networks, given how a dialect spells its functions.

use super::{Dialect, Refusal, str_lit};
use spitzel_core::actions::{EventPredicate, OperationPredicate, SourcePredicate};
use spitzel_core::calendar::civil_from_days;
use spitzel_core::net::Network;
use spitzel_core::window::{NANOS_PER_SECOND, TimeWindow, UnixNanos};
use std::net::IpAddr;

/// `s` matches the (already translated) regex `re`, searching.
pub(crate) fn regex_match(d: Dialect, s: &str, re: &str) -> String {
    match d {
        Dialect::Duckdb => format!("regexp_matches({s}, {})", str_lit(d, re)),
        Dialect::Athena => format!("regexp_like({s}, {})", str_lit(d, re)),
        Dialect::Spark => format!("({s} RLIKE {})", str_lit(d, re)),
    }
}

/// `s` holds `part` as a substring (the empty string is in every string).
pub(crate) fn str_contains(d: Dialect, s: &str, part: &str) -> String {
    match d {
        Dialect::Duckdb => format!("contains({s}, {})", str_lit(d, part)),
        Dialect::Athena => format!("(strpos({s}, {}) > 0)", str_lit(d, part)),
        Dialect::Spark => format!("(instr({s}, {}) > 0)", str_lit(d, part)),
    }
}

/// An fnmatch glob (lowercase; `*`, `?`, `[...]`, `[!...]`) as an anchored
/// regex matching ASCII-case-insensitively, as the action matcher does.
pub(crate) fn glob_regex(glob: &str) -> String {
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
    let (lambda, cloudfront) = api_suffix_cuts(d, en);
    format!(
        "(CASE WHEN {} THEN {lambda} WHEN {} THEN {cloudfront} ELSE {en} END)",
        regex_match(d, prefix, &literal_regex("lambda")),
        regex_match(d, prefix, &literal_regex("cloudfront")),
    )
}

/// eventName cut as Lambda's and as CloudFront's API suffix are cut.
fn api_suffix_cuts(d: Dialect, en: &str) -> (String, String) {
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
    (lambda, cloudfront)
}

/// A relation with derived columns added step by step: `base` (a table
/// name or a parenthesised query), then each named step adding its columns
/// (`SELECT *, expr AS column FROM previous step`), written as a WITH so
/// that each derived value stands on its own line under a name saying what
/// it is (`iam_prefix`, `operation`, `instant_s`).
pub(crate) fn stepped(base: &str, steps: &[(&str, Vec<(&str, String)>)]) -> String {
    if steps.is_empty() {
        return base.to_owned();
    }
    let mut ctes = vec![format!("    records AS (SELECT * FROM {base})")];
    let mut previous = "records";
    for (step, columns) in steps {
        let added: Vec<String> = columns
            .iter()
            .map(|(name, expr)| format!("{expr} AS {name}"))
            .collect();
        ctes.push(format!(
            "    {step} AS (SELECT *, {} FROM {previous})",
            added.join(", ")
        ));
        previous = step;
    }
    format!(
        "(\n  WITH\n{}\n  SELECT * FROM {previous}\n)",
        ctes.join(",\n")
    )
}

/// The steps a statement computes for the window and the action
/// predicates, over eventTime, eventSource and eventName expressions.
pub(crate) fn derived_steps(
    d: Dialect,
    window: Option<&str>,
    actions: Actions,
    es: &str,
    en: &str,
) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let mut steps = Vec::new();
    if let Some(et) = window {
        let [text, ok, seconds, nanos] = window_columns(d, et);
        steps.push(("event_time", vec![text]));
        steps.push(("event_time_read", vec![ok]));
        steps.push(("instant", vec![seconds, nanos]));
    }
    if actions != Actions::None {
        steps.push((
            "service_and_name",
            vec![(ES, es.to_owned()), (EN, en.to_owned())],
        ));
    }
    if actions == Actions::Derived {
        let [prefix, label, op] = action_columns(d);
        steps.push(("iam_prefix", vec![prefix, label]));
        steps.push(("operation", vec![op]));
    }
    steps
}

/// The criteria one per line: a top-level AND's terms each on its own line
/// (joined by `AND` after `indent`), anything else as one.
pub(crate) fn criteria_lines(
    cond: &crate::cond::Cond<'_>,
    indent: &str,
    render: &dyn Fn(&crate::cond::Cond<'_>) -> Result<String, Refusal>,
) -> Result<String, Refusal> {
    match cond {
        crate::cond::Cond::And(items) if !items.is_empty() => {
            let parts = items.iter().map(render).collect::<Result<Vec<_>, _>>()?;
            Ok(format!("({})", parts.join(&format!("\n{indent}AND "))))
        }
        _ => render(cond),
    }
}

/// The column names a statement computes once per record for the action
/// predicates (they are long expressions).
pub(crate) const ES: &str = "_es";
pub(crate) const EN: &str = "_en";
pub(crate) const PREFIX: &str = "_prefix";
pub(crate) const LABEL: &str = "_label";
pub(crate) const OP: &str = "_op";

/// `expr`, ASCII-lowercased, equals `lowercase` (SQL's `lower()` folds
/// more than ASCII, hence the ASCII guard).
fn ascii_eq(d: Dialect, expr: &str, lowercase: &str) -> String {
    format!(
        "(lower({expr}) = {} AND {})",
        str_lit(d, lowercase),
        regex_match(d, expr, ASCII_ONLY)
    )
}

/// A text of ASCII characters only.
const ASCII_ONLY: &str = r"\A[\x{0}-\x{7F}]*\z";

/// The derived columns, in the order a statement must compute them (each
/// may use the ones before): name and expression.
pub(crate) fn action_columns(d: Dialect) -> [(&'static str, String); 3] {
    [
        (PREFIX, iam_prefix(d, ES)),
        (LABEL, first_label(ES)),
        (OP, operation(d, PREFIX, EN)),
    ]
}

/// What a statement computes for its action predicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Actions {
    /// No action predicate.
    None,
    /// eventSource and eventName only: every predicate names its service.
    Names,
    /// Also the IAM prefix, first label and operation of every record: a
    /// service glob (`s?`, `*`) can match any service.
    Derived,
}

/// Whether some predicate needs every record's IAM prefix (its service is
/// a glob), rather than tests of the services it names.
pub(crate) fn needs_derived(predicates: &[EventPredicate]) -> bool {
    predicates.iter().any(|p| match &p.source {
        SourcePredicate::PrefixOrLabel(g) => named_service(&g.glob).is_none(),
        SourcePredicate::Prefix(_) => false,
    })
}

/// A service glob that names one service (`s3`, `iam`: no `*`, `?` or
/// `[`), when the operation of every event it selects is known without
/// the record's IAM prefix: the event's prefix is then the name, or (for a
/// host renamed away from the name) a prefix whose API suffix is not cut.
fn named_service(glob: &str) -> Option<&str> {
    if glob.contains(['*', '?', '[']) {
        return None;
    }
    let cuts = |p: &str| p.eq_ignore_ascii_case("lambda") || p.eq_ignore_ascii_case("cloudfront");
    let renamed_away_to_cut =
        spitzel_core::actions::renamed_hosts()
            .iter()
            .any(|(host, prefix)| {
                let label = host.split('.').next().unwrap_or_default();
                label.eq_ignore_ascii_case(glob) && cuts(prefix) != cuts(glob)
            });
    (!renamed_away_to_cut).then_some(glob)
}

/// The hosts renamed to the IAM prefix `name`.
fn renamed_to(name: &str) -> Vec<&'static str> {
    spitzel_core::actions::renamed_hosts()
        .iter()
        .filter(|(_, prefix)| prefix.eq_ignore_ascii_case(name))
        .map(|(host, _)| *host)
        .collect()
}

/// eventSource's IAM prefix is `name` (ASCII-case-insensitively), written
/// with only the renamed hosts that concern `name`: those renamed to it,
/// and those whose first label is `name` but which are renamed away
/// (`monitoring.amazonaws.com` is `cloudwatch`, not `monitoring`).
fn prefix_is(d: Dialect, name: &str) -> String {
    let hosts = spitzel_core::actions::renamed_hosts();
    let label_of = |host: &str| host.split('.').next().unwrap_or_default().to_owned();
    let renamed_to = renamed_to(name);
    let renamed_away: Vec<&str> = hosts
        .iter()
        .filter(|(host, prefix)| {
            label_of(host).eq_ignore_ascii_case(name) && !prefix.eq_ignore_ascii_case(name)
        })
        .map(|(host, _)| *host)
        .collect();
    let mut by_label = ascii_eq(d, &first_label(ES), name);
    if !renamed_away.is_empty() {
        by_label = format!("({by_label} AND NOT {})", ascii_in(d, ES, &renamed_away));
    }
    if renamed_to.is_empty() {
        by_label
    } else {
        format!("({} OR {by_label})", ascii_in(d, ES, &renamed_to))
    }
}

/// `expr`, ASCII-lowercased, is one of `lowercase`.
fn ascii_in(d: Dialect, expr: &str, lowercase: &[&str]) -> String {
    if let [one] = lowercase {
        return ascii_eq(d, expr, one);
    }
    let list: Vec<String> = lowercase.iter().map(|s| str_lit(d, s)).collect();
    format!(
        "(lower({expr}) IN ({}) AND {})",
        list.join(", "),
        regex_match(d, expr, ASCII_ONLY)
    )
}

/// The operation of an eventName whose IAM prefix is known to be `prefix`.
fn operation_of(d: Dialect, prefix: &str, en: &str) -> String {
    let (lambda, cloudfront) = api_suffix_cuts(d, en);
    if prefix.eq_ignore_ascii_case("lambda") {
        lambda
    } else if prefix.eq_ignore_ascii_case("cloudfront") {
        cloudfront
    } else {
        en.to_owned()
    }
}

/// One action predicate as (the service test, the operation expression):
/// over eventSource and eventName when it names its service, over the
/// derived columns when its service is a glob.
fn source_and_operation(d: Dialect, p: &EventPredicate) -> (String, String) {
    let (source, op) = match &p.source {
        // The IAM prefix or the first label is the name: a host renamed
        // to it, or the label (whatever a host so labelled is renamed to).
        SourcePredicate::PrefixOrLabel(g) if let Some(name) = named_service(&g.glob) => {
            let by_label = ascii_eq(d, &first_label(ES), name);
            let hosts = renamed_to(name);
            let source = if hosts.is_empty() {
                by_label
            } else {
                format!("({} OR {by_label})", ascii_in(d, ES, &hosts))
            };
            (source, operation_of(d, name, EN))
        }
        SourcePredicate::PrefixOrLabel(g) => {
            let re = glob_regex(&g.glob);
            (
                format!(
                    "({} OR {})",
                    regex_match(d, PREFIX, &re),
                    regex_match(d, LABEL, &re)
                ),
                OP.to_owned(),
            )
        }
        SourcePredicate::Prefix(name) => (prefix_is(d, name), operation_of(d, name, EN)),
    };
    (source, op)
}

/// The whole action condition: both fields non-empty strings, and a
/// predicate holds. Predicates on one service are tested under one service
/// test, and the operation names they list as one `IN` (`s3:Get*` is one
/// test of the service, a glob and its stand-in operations).
pub(crate) fn actions(d: Dialect, predicates: &[EventPredicate]) -> String {
    if predicates.is_empty() {
        return "FALSE".into();
    }
    // (service test, [(operation expression, names, globs)]), in order.
    type Ops = Vec<(String, Vec<String>, Vec<String>)>;
    let mut services: Vec<(String, Ops)> = Vec::new();
    for p in predicates {
        let (source, op) = source_and_operation(d, p);
        let at = match services.iter().position(|(s, _)| *s == source) {
            Some(at) => at,
            None => {
                services.push((source, Vec::new()));
                services.len() - 1
            }
        };
        let ops = &mut services[at].1;
        let at = match ops.iter().position(|(o, _, _)| *o == op) {
            Some(at) => at,
            None => {
                ops.push((op, Vec::new(), Vec::new()));
                ops.len() - 1
            }
        };
        let (_, names, globs) = &mut ops[at];
        match &p.operation {
            // A glob without wildcards is a name, ASCII-case-insensitively.
            OperationPredicate::Glob(g) if !g.glob.contains(['*', '?', '[']) => {
                names.push(g.glob.clone());
            }
            OperationPredicate::Glob(g) => globs.push(glob_regex(&g.glob)),
            OperationPredicate::Exact(name) => names.push(name.clone()),
        }
    }
    let parts: Vec<String> = services
        .iter()
        .map(|(source, ops)| {
            let mut tests = Vec::new();
            for (op, names, globs) in ops {
                if !names.is_empty() {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    tests.push(ascii_in(d, op, &names));
                }
                tests.extend(globs.iter().map(|re| regex_match(d, op, re)));
            }
            let tests = if tests.len() == 1 {
                tests.remove(0)
            } else {
                format!("({})", tests.join(" OR "))
            };
            format!("({source} AND {tests})")
        })
        .collect();
    format!(
        "COALESCE({ES} <> '' AND {EN} <> '' AND ({}), FALSE)",
        parts.join(" OR ")
    )
}

/// The `YYYY/MM/DD` of a time, as CloudTrail's S3 key layout has it.
pub(crate) fn key_date(t: UnixNanos) -> Option<String> {
    let (y, m, d) = civil_from_days(t.div_euclid(NANOS_PER_SECOND).div_euclid(86_400));
    (0..=9999)
        .contains(&y)
        .then(|| format!("{y:04}/{m:02}/{d:02}"))
}

/// A calendar date `YYYY-MM-DD` with a real day (leap years included).
const DATE_RE: &str = concat!(
    r"[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)",
    r"|(?:0[13578]|1[02])-31)|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
);

/// Every eventTime spelling `window::parse_event_time` reads:
/// `YYYY-MM-DD[Tt ]HH:MM:SS[.f{1,9}][Z|z|±HH:MM|±HHMM]` (no offset: UTC).
fn event_time_re() -> String {
    format!(
        r"\A(?:{DATE_RE})[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{{1,9}})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?\z"
    )
}

/// `a` divided by the positive constant `b`, rounded down, for `a >= 0`:
/// an exact division, so it is the same whether the engine's `/` divides
/// integers or doubles.
fn div_floor(a: &str, b: i64) -> String {
    format!("(({a}) - ({a}) % {b}) / {b}")
}

/// Days from 1970-01-01 by the proleptic Gregorian calendar, counted as
/// [`days_formula`] does: years shifted by 400 so every operand stays
/// positive, March as the first month so the leap day ends the year.
const SHIFT_YEARS: i64 = 400;

/// The day count `days_sql` computes, in Rust, for the unit test that
/// pins its constant against the one calendar (`spitzel_core::calendar`).
#[cfg(test)]
fn days_formula(y: i64, m: i64, d: i64) -> i64 {
    let yy = y + SHIFT_YEARS - i64::from(m <= 2);
    let mp = (m + 9) % 12;
    yy * 365 + yy / 4 - yy / 100 + yy / 400 + (153 * mp + 2) / 5 + d - 1 - DAYS_OFFSET
}

/// `days_formula(1970, 1, 1)` without the offset.
const DAYS_OFFSET: i64 = {
    let yy = 1970 + SHIFT_YEARS - 1;
    let mp = 10; // January, counted from March
    yy * 365 + yy / 4 - yy / 100 + yy / 400 + (153 * mp + 2) / 5
};

/// The same count in SQL over the text `et` (already checked to start with
/// a valid date).
fn days_sql(et: &str) -> String {
    let part = |from: usize, len: usize| format!("CAST(substr({et}, {from}, {len}) AS BIGINT)");
    let (y, m, d) = (part(1, 4), part(6, 2), part(9, 2));
    let yy = format!(
        "({y} + {} - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)",
        SHIFT_YEARS
    );
    let mp = format!("(({m} + 9) % 12)");
    format!(
        "({yy} * 365 + {} - {} + {} + {} + {d} - 1 - {DAYS_OFFSET})",
        div_floor(&yy, 4),
        div_floor(&yy, 100),
        div_floor(&yy, 400),
        div_floor(&format!("153 * {mp} + 2"), 5),
    )
}

/// The UTC instant of a valid eventTime text `et`: whole seconds since the
/// epoch and nanoseconds, as two SQL integers.
fn instant_sql(d: Dialect, et: &str) -> (String, String) {
    let part = |from: usize| format!("CAST(substr({et}, {from}, 2) AS BIGINT)");
    let offset_part = |group: &str| {
        format!(
            "CAST(regexp_extract({et}, {}, 1) AS BIGINT)",
            str_lit(d, &format!(r"[+-]{group}\z"))
        )
    };
    let offset = format!(
        "({} * 3600 + {} * 60)",
        offset_part(r"([0-9]{2}):?[0-9]{2}"),
        offset_part(r"[0-9]{2}:?([0-9]{2})")
    );
    // The offset's cast runs only where the text has one.
    let offset = format!(
        "(CASE WHEN {} THEN {offset} WHEN {} THEN -{offset} ELSE 0 END)",
        regex_match(d, et, r"\+[0-9]{2}:?[0-9]{2}\z"),
        regex_match(d, et, r"-[0-9]{2}:?[0-9]{2}\z"),
    );
    let seconds = format!(
        "({} * 86400 + {} * 3600 + {} * 60 + {} - {offset})",
        days_sql(et),
        part(12),
        part(15),
        part(18)
    );
    // Trino's regexp_extract gives NULL without a match, DuckDB and Spark ''.
    let fraction = format!(
        "COALESCE(regexp_extract({et}, {}, 1), '')",
        str_lit(d, r"\A.{19}\.([0-9]+)")
    );
    let nanos = format!("CAST(rpad({fraction}, 9, '0') AS BIGINT)");
    (seconds, nanos)
}

/// The columns a statement computes once per record for the window:
/// eventTime's text, whether it is a time, and its UTC instant.
pub(crate) const ET: &str = "_et";
const ET_OK: &str = "_et_ok";
const ET_SECONDS: &str = "_et_s";
const ET_NANOS: &str = "_et_n";

/// The window's derived columns over the eventTime string expression `et`
/// (NULL when missing or no string), in the order a statement computes
/// them: the text is checked against every spelling spitzel reads, then
/// read as a UTC instant (offset applied) of seconds and nanoseconds.
pub(crate) fn window_columns(d: Dialect, et: &str) -> [(&'static str, String); 4] {
    let (seconds, nanos) = instant_sql(d, ET);
    // The CASEs keep the casts away from texts that are no time.
    [
        (ET, et.to_owned()),
        (
            ET_OK,
            format!("COALESCE({}, FALSE)", regex_match(d, ET, &event_time_re())),
        ),
        (
            ET_SECONDS,
            format!("(CASE WHEN {ET_OK} THEN {seconds} END)"),
        ),
        (ET_NANOS, format!("(CASE WHEN {ET_OK} THEN {nanos} END)")),
    ]
}

/// `--sql-order time` over the window's columns: the UTC instant, texts
/// that are no time last (Spark puts NULLs first unless told).
pub(crate) const ORDER_BY_TIME: &str = "ORDER BY _et_s NULLS LAST, _et_n NULLS LAST";

/// The window over the derived columns, compared with the bounds as
/// (seconds, nanoseconds); a text that is no time is outside, as in the
/// filter.
pub(crate) fn window(w: &TimeWindow) -> String {
    let split = |t: UnixNanos| {
        (
            t.div_euclid(NANOS_PER_SECOND),
            t.rem_euclid(NANOS_PER_SECOND),
        )
    };
    // An open end is the end of the nanosecond range: times beyond it are
    // unreadable to the filter, so outside any window.
    let (from_s, from_n) = split(w.from.unwrap_or(UnixNanos::MIN));
    let (to_s, to_n) = split(w.to.unwrap_or(UnixNanos::MAX));
    let (s, n) = (ET_SECONDS, ET_NANOS);
    format!(
        "COALESCE({ET_OK} AND ({s} > {from_s} OR ({s} = {from_s} AND {n} >= {from_n})) \
         AND ({s} < {to_s} OR ({s} = {to_s} AND {n} <= {to_n})), FALSE)"
    )
}

/// eventTime as nanoseconds since the epoch over the window's columns,
/// NULL where the filter reads no time (not a time, or outside the 64-bit
/// nanosecond range). DECIMAL(38,0): no engine overflows on the way.
pub(crate) fn event_nanos() -> String {
    let (s, n) = (ET_SECONDS, ET_NANOS);
    let nanos = format!("(CAST({s} AS DECIMAL(38,0)) * 1000000000 + {n})");
    format!(
        "(CASE WHEN COALESCE({ET_OK}, FALSE) AND {nanos} BETWEEN CAST('{}' AS DECIMAL(38,0)) \
         AND CAST('{}' AS DECIMAL(38,0)) THEN {nanos} END)",
        i64::MIN,
        i64::MAX
    )
}

/// An integer literal that `f64` holds exactly, or None.
pub(crate) fn exact_f64(n: i128) -> Option<f64> {
    let f = n as f64;
    (f.abs() < 1.7e38 && f as i128 == n).then_some(f)
}

/// The doubles just below and just above an integer no double holds
/// exactly (`exact_f64` gave None), so that for a double `x`, `x < n` is
/// `x <= below` and `x > n` is `x >= above`.
pub fn doubles_around(n: i128) -> (f64, f64) {
    const TWO_POW_127: f64 = 1.7014118346046923e38;
    let nearest = n as f64;
    // Past 2^53 a double is an integer; below 2^127 the cast back is exact.
    let nearest_above = nearest >= TWO_POW_127 || (nearest as i128) > n;
    if nearest_above {
        (nearest.next_down(), nearest)
    } else {
        (nearest, nearest.next_up())
    }
}

/// A float literal's text that parses back to the same double.
pub(crate) fn float_text(f: f64) -> String {
    format!("{f:?}")
}

/// Integer `x` compared with float `f` as integers: the operator and the
/// integer to compare with, or a constant verdict.
pub(crate) enum IntCmp {
    Const(bool),
    With(&'static str, i128),
}

/// `x OP f` for integer x: `op` is one of `=`, `<`, `<=`, `>`, `>=`.
pub(crate) fn int_vs_float(op: &'static str, f: f64) -> IntCmp {
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
pub(crate) fn check_float(d: Dialect, f: f64) -> Result<(), Refusal> {
    if f.is_finite() {
        Ok(())
    } else {
        Err(Refusal::new(
            format!("a number literal no double holds (it reads as {f})"),
            d,
        ))
    }
}

/// Number literals no dialect compares exactly are refused alike in every
/// dialect, before any renders: one past 128 bits (no SQL integer holds
/// it) and one no double holds (`1e400`, read as infinity), wherever the
/// literal sits (`in` lists, nested lists and dicts). Athena's string
/// columns would make such a comparison a constant, but a user moving the
/// query between engines should meet the same refusal in each.
pub(crate) fn check_numbers(d: Dialect, cond: &crate::cond::Cond<'_>) -> Result<(), Refusal> {
    use crate::cond::Cond;
    use spitzel_core::expr::{Literal, Op};
    fn literal(d: Dialect, lit: &Literal) -> Result<(), Refusal> {
        match lit {
            Literal::Float(f) => check_float(d, *f),
            Literal::BigInt(n) => Err(Refusal::new(
                format!("the integer {n}, which no SQL integer holds (past 128 bits)"),
                d,
            )),
            Literal::Seq(items) => items.iter().try_for_each(|l| literal(d, l)),
            Literal::Dict(entries) => entries
                .iter()
                .try_for_each(|(k, v)| literal(d, k).and_then(|()| literal(d, v))),
            _ => Ok(()),
        }
    }
    match cond {
        Cond::And(items) | Cond::Or(items) => items.iter().try_for_each(|c| check_numbers(d, c)),
        Cond::Not(inner) => check_numbers(d, inner),
        Cond::Compare { op, .. } => match op {
            Op::Eq(lit) | Op::Order(_, _, lit) | Op::Contains(lit) => literal(d, lit),
            Op::In(items) => items.iter().try_for_each(|l| literal(d, l)),
            Op::Regex(_) | Op::Cidr(_) => Ok(()),
        },
        _ => Ok(()),
    }
}

/// `s` (a string expression) is an IPv4 address in one of the networks, as
/// Rust's parser reads addresses (dotted quad, no leading zeros).
pub(crate) fn cidr(d: Dialect, s: &str, networks: &[Network]) -> Result<String, Refusal> {
    let octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    let quad = format!(r"\A{octet}\.{octet}\.{octet}\.{octet}\z");
    let part = |k: usize| format!("CAST(split_part({s}, '.', {k}) AS BIGINT)");
    let number = format!(
        "({} * 16777216 + {} * 65536 + {} * 256 + {})",
        part(1),
        part(2),
        part(3),
        part(4)
    );
    let mut ranges = Vec::new();
    for network in networks {
        let IpAddr::V4(base) = network.base() else {
            return Err(Refusal::new(
                format!("cidr with the IPv6 network {network}"),
                d,
            ));
        };
        let low = u64::from(u32::from(base));
        let size = 1u64 << (32 - u32::from(network.prefix_len()));
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
    fn key_dates() {
        assert_eq!(
            key_date(1_688_989_356 * NANOS_PER_SECOND).unwrap(),
            "2023/07/10"
        );
    }

    #[test]
    fn day_count_agrees_with_the_window_parser() {
        use spitzel_core::window::{NANOS_PER_DAY, parse_time_arg};
        for (y, m, d) in [
            (0, 1, 1),
            (0, 2, 29),
            (0, 3, 1),
            (1, 1, 1),
            (1899, 12, 31),
            (1900, 2, 28),
            (1900, 3, 1),
            (1969, 12, 31),
            (1970, 1, 1),
            (2000, 2, 29),
            (2024, 2, 29),
            (2024, 3, 1),
            (2026, 3, 14),
            (9999, 12, 31),
        ] {
            let days = days_formula(y, m, d);
            assert_eq!(civil_from_days(days), (y, m, d));
            assert_eq!(spitzel_core::calendar::date_days(y, m, d), Some(days));
            // The window's own count, where its nanoseconds reach.
            if let Ok(t) = parse_time_arg(&format!("{y:04}-{m:02}-{d:02}")) {
                assert_eq!(days, t / NANOS_PER_DAY, "{y}-{m}-{d}");
            }
        }
    }

    #[test]
    fn doubles_around_an_integer_are_its_neighbours() {
        for n in [
            9_007_199_254_740_993i128,
            -9_007_199_254_740_993,
            (1 << 64) + 1,
            i128::MAX,
            i128::MIN + 1,
        ] {
            let (below, above) = doubles_around(n);
            assert!(exact_f64(n).is_none());
            // `below < n < above`, with no double between them.
            assert!(below < above && below.next_up() == above, "{n}");
            let as_int = |f: f64| (f < 1.7014118346046923e38).then_some(f as i128);
            assert!(as_int(below).is_none_or(|b| b < n), "{n}");
            assert!(as_int(above).is_none_or(|a| a > n), "{n}");
        }
    }

    #[test]
    fn globs_fold_ascii_case() {
        assert_eq!(glob_regex("get*"), r"\A[gG][eE][tT](?s:.)*\z");
        assert_eq!(glob_regex("[!a-b]?"), r"\A[^aAbB](?s:.)\z");
    }
}
