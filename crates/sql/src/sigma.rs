//! Sigma items as SQL, with the filter's semantics (crates/sigma/src/eval.rs).
//!
//! Wildcard values and `re` values are parsed by regex-syntax exactly as
//! the filter's regex crate reads them (same flags, Unicode simple case
//! folding already expanded into classes), and that parsed form is written
//! out for the engine by the writer `--match` patterns share (regex.rs).
//!
//! The filter tests a number's or an object's JSON *text*, which the
//! engines do not keep (they re-serialise numbers). So a text or regex test
//! is decided at emission time for those kinds: numbers never match when
//! the pattern cannot match any text made of `0-9 + - . e E`; objects never
//! match when an anchored pattern cannot start with `{`; otherwise the item
//! is refused. Booleans are tested at emission time on "true" and "false".

use super::athena_table;
use super::json::{Kind, Render};
use super::{Dialect, Refusal, common, regex, str_lit};
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use spitzel_sigma::Test;
use spitzel_sigma::model::{Item, Rule};
use spitzel_sigma::pattern::Token;

/// The characters of any JSON number's text.
const NUMBER_CHARS: &str = "0123456789+-.eE";

fn refusal(rule: &Rule, what: &str, d: Dialect) -> Refusal {
    Refusal::new(format!("{}: {what}", rule.path.display()), d)
}

/// A wildcard value as the filter's TextMatcher reads it: anchored, `*`
/// and `?` across newlines, case-insensitive unless cased.
fn text_hir(tokens: &[Token], cased: bool) -> Result<Hir, String> {
    let mut source = String::from(if cased { "(?s)^" } else { "(?si)^" });
    for token in tokens {
        match token {
            Token::Lit(s) => source.push_str(&regex_syntax::escape(s)),
            Token::AnyRun => source.push_str(".*"),
            Token::AnyChar => source.push('.'),
            Token::Dash => source.push_str("[-/\u{2013}\u{2014}\u{2015}]"),
        }
    }
    source.push('$');
    regex_syntax::Parser::new()
        .parse(&source)
        .map_err(|e| format!("the value {source:?}: {e}"))
}

/// A `re` value with its flags, as the filter's RegexBuilder reads it.
fn regex_hir(source: &str, i: bool, m: bool, s: bool) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(i)
        .multi_line(m)
        .dot_matches_new_line(s)
        .build()
        .parse(source)
        .map_err(|e| format!("the regex {source:?}: {e}"))
}

/// Whether some text made only of `allowed` characters could hold a match
/// (assertions taken as satisfiable: an over-estimate, which only refuses
/// more).
fn could_match_over(hir: &Hir, allowed: &str) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => std::str::from_utf8(&lit.0)
            .map(|t| t.chars().all(|c| allowed.contains(c)))
            .unwrap_or(true),
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .any(|r| allowed.chars().any(|c| r.start() <= c && c <= r.end())),
        HirKind::Class(Class::Bytes(_)) => true,
        HirKind::Repetition(rep) => rep.min == 0 || could_match_over(&rep.sub, allowed),
        HirKind::Capture(cap) => could_match_over(&cap.sub, allowed),
        HirKind::Concat(items) => items.iter().all(|h| could_match_over(h, allowed)),
        HirKind::Alternation(items) => items.iter().any(|h| could_match_over(h, allowed)),
    }
}

/// Whether the regex could match the empty string (over-estimate).
fn nullable(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => lit.0.is_empty(),
        HirKind::Class(_) => false,
        HirKind::Repetition(rep) => rep.min == 0 || nullable(&rep.sub),
        HirKind::Capture(cap) => nullable(&cap.sub),
        HirKind::Concat(items) => items.iter().all(nullable),
        HirKind::Alternation(items) => items.iter().any(nullable),
    }
}

/// Whether a match could begin with the character `c` (over-estimate).
fn could_start_with(hir: &Hir, c: char) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => std::str::from_utf8(&lit.0)
            .map(|t| t.starts_with(c))
            .unwrap_or(true),
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .any(|r| r.start() <= c && c <= r.end()),
        HirKind::Class(Class::Bytes(_)) => true,
        HirKind::Repetition(rep) => rep.max != Some(0) && could_start_with(&rep.sub, c),
        HirKind::Capture(cap) => could_start_with(&cap.sub, c),
        HirKind::Concat(items) => {
            for item in items {
                if could_start_with(item, c) {
                    return true;
                }
                if !nullable(item) {
                    return false;
                }
            }
            false
        }
        HirKind::Alternation(items) => items.iter().any(|h| could_start_with(h, c)),
    }
}

/// The regex only matches at the start of the text.
fn anchored_at_start(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(Look::Start) => true,
        HirKind::Concat(items) => items.first().is_some_and(anchored_at_start),
        HirKind::Capture(cap) => anchored_at_start(&cap.sub),
        HirKind::Alternation(items) => items.iter().all(anchored_at_start),
        _ => false,
    }
}

/// A text or regex test, ready for any dialect: the engine regex, and what
/// it does on the kinds whose text the engine does not keep.
struct TextTest {
    regex: String,
    on_true: bool,
    on_false: bool,
}

fn text_test(
    rule: &Rule,
    test: &Test,
    d: Dialect,
    check_others: bool,
) -> Result<TextTest, Refusal> {
    let (hir, anchored, on_true, on_false) = match test {
        Test::Text {
            tokens,
            cased,
            matcher,
        } => (
            text_hir(tokens, *cased),
            true,
            matcher.is_match("true"),
            matcher.is_match("false"),
        ),
        Test::Regex {
            source,
            insensitive,
            multi_line,
            dot_all,
            regex,
        } => (
            regex_hir(source, *insensitive, *multi_line, *dot_all),
            false,
            regex.is_match("true"),
            regex.is_match("false"),
        ),
        _ => unreachable!("text_test on a text or regex test"),
    };
    let hir = hir.map_err(|e| refusal(rule, &e, d))?;
    let what = match test {
        Test::Regex { source, .. } => format!("the regex {source:?}"),
        _ => format!("the value {:?}", shown(test)),
    };
    let mut regex = String::new();
    regex::write_hir(&hir, d, &mut regex)
        .map_err(|e| refusal(rule, &format!("{e} in {what}"), d))?;
    if check_others {
        if could_match_over(&hir, NUMBER_CHARS) {
            return Err(refusal(
                rule,
                &format!(
                    "{what}, which could match a number's JSON text (the engine re-serialises numbers)"
                ),
                d,
            ));
        }
        if !(anchored || anchored_at_start(&hir)) || could_start_with(&hir, '{') {
            return Err(refusal(
                rule,
                &format!(
                    "{what}, which could match an object's compact JSON text (the engine's differs)"
                ),
                d,
            ));
        }
    }
    Ok(TextTest {
        regex,
        on_true,
        on_false,
    })
}

/// A value that is `*` alone (or only `*`s): any text at all.
fn matches_everything(tokens: &[Token]) -> bool {
    !tokens.is_empty() && tokens.iter().all(|t| *t == Token::AnyRun)
}

/// A wildcard value's tokens written back, for messages.
fn shown(test: &Test) -> String {
    let Test::Text { tokens, .. } = test else {
        return String::new();
    };
    tokens
        .iter()
        .map(|t| match t {
            Token::Lit(s) => s
                .replace('\\', "\\\\")
                .replace('*', "\\*")
                .replace('?', "\\?"),
            Token::AnyRun => "*".into(),
            Token::AnyChar => "?".into(),
            Token::Dash => "-".into(),
        })
        .collect()
}

fn unsupported(rule: &Rule, item: &Item, test: &Test, d: Dialect) -> Option<Refusal> {
    let field = item.field.as_deref().unwrap_or("");
    let what = match test {
        Test::Compare { .. } => format!("gt/gte/lt/lte on {field}"),
        Test::FieldRef { .. } => format!("fieldref on {field}"),
        _ => return None,
    };
    Some(refusal(rule, &what, d))
}

/// Combine an item's per-value predicates as the filter does.
fn combine(item: &Item, per_value: Vec<String>) -> String {
    let holds = if per_value.is_empty() {
        if item.all { "TRUE" } else { "FALSE" }.to_owned()
    } else {
        format!(
            "({})",
            per_value.join(if item.all { " AND " } else { " OR " })
        )
    };
    if item.negated {
        format!("(NOT {holds})")
    } else {
        holds
    }
}

fn per_value(
    item: &Item,
    test: &mut dyn FnMut(&Test) -> Result<String, Refusal>,
) -> Result<Vec<String>, Refusal> {
    item.tests
        .iter()
        .map(|variants| {
            let parts = variants
                .iter()
                .map(&mut *test)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if parts.is_empty() {
                "FALSE".to_owned()
            } else {
                format!("({})", parts.join(" OR "))
            })
        })
        .collect()
}

impl Render {
    fn error(&self, message: &str) -> String {
        match self.d {
            Dialect::Spark => format!("raise_error({})", str_lit(self.d, message)),
            _ => format!("error({})", str_lit(self.d, message)),
        }
    }

    /// An array or object test that does not build the value's whole
    /// schema (Spark's schema_of_variant walks every nested member).
    fn shallow_is(&self, v: &str, kind: Kind) -> String {
        match (self.d, kind) {
            (Dialect::Spark, Kind::Array) => {
                format!("(try_variant_get({v}, '$', 'array<variant>') IS NOT NULL)")
            }
            (Dialect::Spark, Kind::Object) => {
                format!("(try_variant_get({v}, '$', 'map<string, variant>') IS NOT NULL)")
            }
            _ => self.is(v, kind),
        }
    }

    fn list_of(&self, v: &str) -> String {
        match self.d {
            Dialect::Spark => format!("array({v})"),
            _ => format!("[{v}]"),
        }
    }

    fn none_list(&self) -> String {
        match self.d {
            Dialect::Spark => "array(CAST(NULL AS VARIANT))".into(),
            _ => "[NULL::JSON]".into(),
        }
    }

    fn elements(&self, v: &str) -> String {
        match self.d {
            Dialect::Spark => format!("cast({v} AS array<variant>)"),
            _ => format!("json_extract({v}, '$[*]')"),
        }
    }

    fn nonempty_array(&self, v: &str) -> String {
        match self.d {
            Dialect::Spark => format!(
                "({} AND size(cast({v} AS array<variant>)) > 0)",
                self.shallow_is(v, Kind::Array)
            ),
            _ => format!(
                "({} AND json_array_length({v}) > 0)",
                self.shallow_is(v, Kind::Array)
            ),
        }
    }

    /// What the walk of `path` ends on, as a list: JSON values, or SQL
    /// NULL where a member is missing. Arrays on the way are walked element
    /// by element; an array directly inside such an array stops the query
    /// with an error rather than being read otherwise than the filter does.
    fn ends(&self, path: &[String]) -> Result<String, Refusal> {
        let mut list = self.list_of("j");
        for key in path {
            let (x, e) = (self.var(), self.var());
            let in_element = format!(
                "CASE WHEN {} THEN {} WHEN {} THEN {} ELSE NULL END",
                self.shallow_is(&e, Kind::Object),
                self.member(&e, key)?,
                self.nonempty_array(&e),
                self.error("spitzel: a Sigma field path crosses an array inside an array")
            );
            let step = format!(
                "CASE WHEN {x} IS NULL THEN {none} WHEN {} THEN {} WHEN {} THEN {} ELSE {none} END",
                self.shallow_is(&x, Kind::Object),
                self.list_of(&self.member(&x, key)?),
                self.nonempty_array(&x),
                self.map(&self.elements(&x), &e, &in_element),
                none = self.none_list(),
            );
            list = format!("flatten({})", self.map(&list, &x, &step));
        }
        Ok(list)
    }

    /// A test on one non-array present value.
    fn scalar_test(&self, rule: &Rule, test: &Test, x: &str) -> Result<String, Refusal> {
        let d = self.d;
        Ok(match test {
            Test::Null => self.is(x, Kind::Null),
            Test::Exists(want) => want.to_string().to_uppercase(),
            // `*` matches every text: every kind but null, whatever its text.
            Test::Text { tokens, .. } if matches_everything(tokens) => {
                format!("(NOT {})", self.is(x, Kind::Null))
            }
            Test::Text { .. } | Test::Regex { .. } => {
                let t = text_test(rule, test, d, true)?;
                let on_bool = match (t.on_true, t.on_false) {
                    (true, true) => "TRUE".to_owned(),
                    (false, false) => "FALSE".to_owned(),
                    (b, _) => self.bool_is(x, b),
                };
                let bool_branch = if on_bool == "FALSE" {
                    String::new()
                } else {
                    format!(
                        " WHEN {} THEN COALESCE({on_bool}, FALSE)",
                        self.is(x, Kind::Bool)
                    )
                };
                format!(
                    "(CASE WHEN {} THEN COALESCE({}, FALSE){bool_branch} ELSE FALSE END)",
                    self.is(x, Kind::Str),
                    common::regex_match(d, &self.as_str(x), &t.regex),
                )
            }
            Test::Cidr(net) => format!(
                "(CASE WHEN {} THEN {} ELSE FALSE END)",
                self.is(x, Kind::Str),
                common::cidr(d, &self.as_str(x), std::slice::from_ref(net))
                    .map_err(|r| refusal(rule, &r.construct, d))?
            ),
            Test::Compare { .. } | Test::FieldRef { .. } => {
                unreachable!("refused before rendering")
            }
        })
    }

    /// A test on one present value: arrays hold when an element does.
    fn value_test(&self, rule: &Rule, test: &Test, v: &str) -> Result<String, Refusal> {
        if matches!(test, Test::Null | Test::Exists(_)) {
            return self.scalar_test(rule, test, v);
        }
        self.value_tests(rule, &[test], v)
    }

    /// Any of `tests` (none of them null or exists) on one present value.
    fn value_tests(&self, rule: &Rule, tests: &[&Test], v: &str) -> Result<String, Refusal> {
        let x = self.var();
        let scalar = tests
            .iter()
            .map(|t| self.scalar_test(rule, t, &x))
            .collect::<Result<Vec<_>, _>>()?;
        let in_element = format!(
            "CASE WHEN {x} IS NULL THEN FALSE WHEN {} THEN {} WHEN {} THEN FALSE ELSE ({}) END",
            self.nonempty_array(&x),
            self.error("spitzel: a Sigma value is an array inside an array"),
            self.shallow_is(&x, Kind::Array),
            scalar.join(" OR ")
        );
        let values = format!(
            "(CASE WHEN {} THEN {} ELSE {} END)",
            self.shallow_is(v, Kind::Array),
            self.elements(v),
            self.list_of(v)
        );
        Ok(self.any(&values, &x, &in_element))
    }

    /// An item whose values are linked by OR, none `exists`: one pass over
    /// the walk's ends and one over each end's values for all of them.
    fn any_value(&self, rule: &Rule, item: &Item, ends: &str) -> Result<String, Refusal> {
        let tests: Vec<&Test> = item.tests.iter().flatten().collect();
        let null = tests.iter().any(|t| matches!(t, Test::Null));
        let others: Vec<&Test> = tests
            .iter()
            .copied()
            .filter(|t| !matches!(t, Test::Null))
            .collect();
        let e = self.var();
        let mut present = Vec::new();
        if null {
            present.push(self.is(&e, Kind::Null));
        }
        if !others.is_empty() {
            present.push(self.value_tests(rule, &others, &e)?);
        }
        if present.is_empty() {
            present.push("FALSE".into());
        }
        let body = format!(
            "CASE WHEN {e} IS NULL THEN {} ELSE ({}) END",
            if null { "TRUE" } else { "FALSE" },
            present.join(" OR ")
        );
        let holds = self.any(ends, &e, &body);
        Ok(if item.negated {
            format!("(NOT {holds})")
        } else {
            holds
        })
    }

    pub(crate) fn sigma_item(&self, rule: &Rule, item: &Item) -> Result<String, Refusal> {
        let d = self.d;
        translatable(rule, item, d)?;
        let ends = self
            .ends(&item.path)
            .map_err(|r| refusal(rule, &r.construct, d))?;
        if !item.all
            && !item
                .tests
                .iter()
                .flatten()
                .any(|t| matches!(t, Test::Exists(_)))
        {
            return self.any_value(rule, item, &ends);
        }
        let parts = per_value(item, &mut |test| {
            let e = self.var();
            Ok(match test {
                Test::Exists(want) => {
                    let present = self.any(&ends, &e, &format!("{e} IS NOT NULL"));
                    if *want {
                        present
                    } else {
                        format!("(NOT {present})")
                    }
                }
                _ => {
                    let on_none = if matches!(test, Test::Null) {
                        "TRUE"
                    } else {
                        "FALSE"
                    };
                    let body = format!(
                        "CASE WHEN {e} IS NULL THEN {on_none} ELSE {} END",
                        self.value_test(rule, test, &e)?
                    );
                    self.any(&ends, &e, &body)
                }
            })
        })?;
        Ok(combine(item, parts))
    }
}

/// The item's field, or the refusal of a keyword item or of a test `d`
/// cannot translate exactly.
fn translatable<'a>(rule: &Rule, item: &'a Item, d: Dialect) -> Result<&'a str, Refusal> {
    let Some(field) = item.field.as_deref() else {
        return Err(refusal(
            rule,
            "keywords (values searched in every field of the record)",
            d,
        ));
    };
    for test in item.tests.iter().flatten() {
        if let Some(refused) = unsupported(rule, item, test, d) {
            return Err(refused);
        }
    }
    Ok(field)
}

/// Athena: an item on a string (or boolean) column of the documented
/// table, where a missing member and a JSON null are both NULL.
pub(crate) fn athena_item(rule: &Rule, item: &Item) -> Result<String, Refusal> {
    let d = Dialect::Athena;
    let field = translatable(rule, item, d)?;
    let Some((column, is_bool)) = athena_table::scalar_column(field) else {
        return Err(refusal(
            rule,
            &format!(
                "the field {field} (not a string column of the Athena CloudTrail table; JSON-text columns and their members are not translated)"
            ),
            d,
        ));
    };
    let parts = per_value(item, &mut |test| {
        Ok(match test {
            Test::Null => format!("({column} IS NULL)"),
            Test::Exists(_) => {
                return Err(refusal(
                    rule,
                    &format!(
                        "exists on {field} (the table cannot tell a null member from a missing one)"
                    ),
                    d,
                ));
            }
            Test::Text { .. } | Test::Regex { .. } => {
                let t = text_test(rule, test, d, false)?;
                if is_bool {
                    match (t.on_true, t.on_false) {
                        (true, true) => format!("({column} IS NOT NULL)"),
                        (false, false) => "FALSE".to_owned(),
                        (b, _) => format!("COALESCE({column} = '{b}', FALSE)"),
                    }
                } else {
                    format!(
                        "COALESCE({}, FALSE)",
                        common::regex_match(d, column, &t.regex)
                    )
                }
            }
            Test::Cidr(_) if is_bool => "FALSE".to_owned(),
            Test::Cidr(net) => format!(
                "COALESCE({}, FALSE)",
                common::cidr(d, column, std::slice::from_ref(net)).map_err(|r| refusal(
                    rule,
                    &r.construct,
                    d
                ))?
            ),
            Test::Compare { .. } | Test::FieldRef { .. } => {
                unreachable!("refused before rendering")
            }
        })
    })?;
    Ok(combine(item, parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use spitzel_sigma::pattern::parse_wildcards;

    fn engine(value: &str, cased: bool) -> String {
        let mut out = String::new();
        regex::write_hir(
            &text_hir(&parse_wildcards(value), cased).unwrap(),
            Dialect::Duckdb,
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn wildcards_become_explicit_regexes() {
        assert_eq!(engine("ab", true), r"\Aab\z");
        // Simple case folding as the regex crate does it: k and KELVIN SIGN.
        assert_eq!(engine("k", false), r"\A[Kk\x{212A}]\z");
        assert!(engine("a*", true).starts_with(r"\Aa(?:[\x{0}-"));
    }

    #[test]
    fn numbers_and_objects_are_decided_from_the_pattern() {
        let h = |v: &str| text_hir(&parse_wildcards(v), false).unwrap();
        assert!(!could_match_over(&h("DeleteTrail"), NUMBER_CHARS));
        assert!(could_match_over(&h("1*"), NUMBER_CHARS));
        assert!(could_match_over(&h("e"), NUMBER_CHARS));
        assert!(!could_start_with(&h("abc*"), '{'));
        assert!(could_start_with(&h("*abc*"), '{'));
        assert!(could_start_with(&h("?abc"), '{'));
        let re = regex_hir("^a", false, false, false).unwrap();
        assert!(anchored_at_start(&re) && !could_start_with(&re, '{'));
        assert!(!anchored_at_start(
            &regex_hir("a", false, false, false).unwrap()
        ));
    }

    #[test]
    fn word_boundaries_are_refused() {
        let mut out = String::new();
        let hir = regex_hir(r"\bx", false, false, false).unwrap();
        assert!(regex::write_hir(&hir, Dialect::Duckdb, &mut out).is_err());
    }
}
