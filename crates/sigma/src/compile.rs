//! One `field|modifiers: values` entry to an [`Item`], modifiers applied in
//! the order written, as the specification says. Whatever cannot be run
//! exactly is refused with a message.

use crate::model::{Item, Modifier, RuleValue};
use crate::pattern::{self, TextMatcher, Token};
use crate::textset::TextSet;
use crate::value_test::{CompareOp, RefMode, Test};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use regex::RegexBuilder;
use spitzel_core::net::Network;

/// A value part-way through the modifiers: text tokens, or bytes after a
/// UTF-16 modifier, which only base64 can turn back into text.
enum Stage {
    Tokens(Vec<Token>),
    Bytes(Vec<u8>),
}

/// `key` is the map key (`field|mod|mod`, or `|mod` / empty for keywords).
pub fn compile_item(key: &str, values: Vec<RuleValue>, keyword: bool) -> Result<Item, String> {
    let mut parts = key.split('|');
    let field = parts.next().unwrap_or_default();
    let mut modifiers = Vec::new();
    for name in parts {
        match Modifier::parse(name) {
            Some(m) => modifiers.push(m),
            None => return Err(unsupported_modifier(name)),
        }
    }
    let field = if keyword || field.is_empty() {
        None
    } else {
        Some(field.to_owned())
    };
    if values.is_empty() {
        return Err("an empty list of values".into());
    }
    if values.len() > 1 && values.contains(&RuleValue::Null) {
        return Err("null cannot be part of a list of values (the specification: give it its own selection)".into());
    }
    let has = |m: Modifier| modifiers.contains(&m);
    let all = has(Modifier::All);
    if all && values.len() == 1 {
        return Err("'all' needs a list of two or more values".into());
    }
    let negated = has(Modifier::Neq);
    let cased = has(Modifier::Cased);
    let path = field
        .as_deref()
        .map(|f| f.split('.').map(str::to_owned).collect())
        .unwrap_or_default();
    let kind = classify(&modifiers)?;
    if field.is_none() && !matches!(kind, Kind::Strings | Kind::Regex) {
        return Err("keywords take string modifiers only".into());
    }
    let mut tests = Vec::with_capacity(values.len());
    for value in &values {
        tests.push(match kind {
            Kind::Exists => vec![exists_test(value, values.len())?],
            Kind::Regex => vec![regex_test(value, &modifiers)?],
            Kind::Cidr => vec![cidr_test(value)?],
            Kind::Compare(op) => vec![compare_test(value, op)?],
            Kind::FieldRef => vec![fieldref_test(value, &modifiers, cased)?],
            Kind::Strings => string_tests(value, &modifiers, cased, field.is_none())?,
        });
    }
    let text_set = TextSet::build(&tests, all);
    Ok(Item {
        field,
        path,
        modifiers,
        values,
        all,
        negated,
        tests,
        text_set,
    })
}

fn unsupported_modifier(name: &str) -> String {
    match name {
        "expand" => "modifier 'expand' (placeholders) is not supported: placeholders need a pipeline to resolve them".into(),
        "minute" | "hour" | "day" | "week" | "month" | "year" => {
            format!("time modifier '{name}' is not supported")
        }
        _ => format!("unknown modifier '{name}'"),
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Strings,
    Regex,
    Cidr,
    Exists,
    Compare(CompareOp),
    FieldRef,
}

/// Which family of test the modifiers make, refusing mixtures.
fn classify(modifiers: &[Modifier]) -> Result<Kind, String> {
    use Modifier::*;
    let generic = |m: &Modifier| matches!(m, All | Neq | Cased);
    let only = |allowed: &dyn Fn(&Modifier) -> bool, what: &str| -> Result<(), String> {
        match modifiers.iter().find(|m| !allowed(m) && !generic(m)) {
            Some(other) => Err(format!(
                "modifier '{}' cannot be combined with '{what}'",
                name(*other)
            )),
            None => Ok(()),
        }
    };
    let position = |wanted: Modifier| modifiers.iter().position(|m| *m == wanted);
    if let Some(at) = position(Exists) {
        if modifiers.len() > 1 {
            let other = modifiers
                .iter()
                .enumerate()
                .find(|(i, _)| *i != at)
                .map(|(_, m)| *m);
            return Err(format!(
                "modifier '{}' cannot be combined with 'exists'",
                other.map(name).unwrap_or("?")
            ));
        }
        return Ok(Kind::Exists);
    }
    if let Some(at) = position(Re) {
        only(
            &|m| matches!(m, Re | ReInsensitive | ReMultiLine | ReDotAll),
            "re",
        )?;
        if modifiers[..at]
            .iter()
            .any(|m| matches!(m, ReInsensitive | ReMultiLine | ReDotAll))
        {
            return Err("'i', 'm' and 's' go after 're'".into());
        }
        return Ok(Kind::Regex);
    }
    if let Some(m) = modifiers
        .iter()
        .find(|m| matches!(m, ReInsensitive | ReMultiLine | ReDotAll))
    {
        return Err(format!("modifier '{}' needs 're' before it", name(*m)));
    }
    if position(Cidr).is_some() {
        only(&|m| *m == Cidr, "cidr")?;
        return Ok(Kind::Cidr);
    }
    let compares: Vec<_> = modifiers
        .iter()
        .filter(|m| matches!(m, Gt | Gte | Lt | Lte))
        .collect();
    if let Some(first) = compares.first() {
        if compares.len() > 1 {
            return Err("only one of 'gt', 'gte', 'lt', 'lte' per field".into());
        }
        let what = name(**first);
        only(&|m| matches!(m, Gt | Gte | Lt | Lte), what)?;
        let op = match first {
            Gt => CompareOp::Gt,
            Gte => CompareOp::Gte,
            Lt => CompareOp::Lt,
            _ => CompareOp::Lte,
        };
        return Ok(Kind::Compare(op));
    }
    if position(FieldRef).is_some() {
        only(
            &|m| matches!(m, FieldRef | Contains | StartsWith | EndsWith),
            "fieldref",
        )?;
        return Ok(Kind::FieldRef);
    }
    Ok(Kind::Strings)
}

pub fn name(m: Modifier) -> &'static str {
    use Modifier::*;
    match m {
        Contains => "contains",
        StartsWith => "startswith",
        EndsWith => "endswith",
        All => "all",
        Re => "re",
        ReInsensitive => "i",
        ReMultiLine => "m",
        ReDotAll => "s",
        Cidr => "cidr",
        Exists => "exists",
        Cased => "cased",
        FieldRef => "fieldref",
        Gt => "gt",
        Gte => "gte",
        Lt => "lt",
        Lte => "lte",
        Neq => "neq",
        Base64 => "base64",
        Base64Offset => "base64offset",
        Utf16Le => "utf16le",
        Utf16Be => "utf16be",
        Utf16 => "utf16",
        Wide => "wide",
        Windash => "windash",
    }
}

fn string_of(value: &RuleValue, what: &str) -> Result<String, String> {
    match value {
        RuleValue::Str(s) => Ok(s.clone()),
        RuleValue::Number(n) => Ok(n.clone()),
        RuleValue::Bool(b) => Ok(b.to_string()),
        RuleValue::Null => Err(format!("'{what}' needs a value, not null")),
    }
}

/// `cidr`: set host bits are cleared, not refused, as they always were here.
fn cidr_test(value: &RuleValue) -> Result<Test, String> {
    let text = string_of(value, "cidr")?;
    Network::parse_clearing_host_bits(&text)
        .map(Test::Cidr)
        .map_err(|e| e.to_string())
}

fn exists_test(value: &RuleValue, count: usize) -> Result<Test, String> {
    if count != 1 {
        return Err("'exists' takes one value, true or false".into());
    }
    match value {
        RuleValue::Bool(b) => Ok(Test::Exists(*b)),
        RuleValue::Str(s) if s == "true" || s == "false" => Ok(Test::Exists(s == "true")),
        _ => Err("'exists' takes true or false".into()),
    }
}

fn regex_test(value: &RuleValue, modifiers: &[Modifier]) -> Result<Test, String> {
    let source = string_of(value, "re")?;
    let insensitive = modifiers.contains(&Modifier::ReInsensitive);
    let multi_line = modifiers.contains(&Modifier::ReMultiLine);
    let dot_all = modifiers.contains(&Modifier::ReDotAll);
    let regex = RegexBuilder::new(&source)
        .case_insensitive(insensitive)
        .multi_line(multi_line)
        .dot_matches_new_line(dot_all)
        .build()
        .map_err(|e| {
            let detail = e.to_string();
            let last = detail
                .lines()
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim();
            format!("invalid regular expression '{source}': {last}")
        })?;
    Ok(Test::Regex {
        source,
        insensitive,
        multi_line,
        dot_all,
        regex,
    })
}

fn compare_test(value: &RuleValue, op: CompareOp) -> Result<Test, String> {
    let number = match value {
        RuleValue::Number(n) => n.parse::<f64>().ok(),
        RuleValue::Str(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    };
    match number {
        Some(value) => Ok(Test::Compare { op, value }),
        None => Err(format!("'{}' needs a number", compare_name(op))),
    }
}

fn compare_name(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Gt => "gt",
        CompareOp::Gte => "gte",
        CompareOp::Lt => "lt",
        CompareOp::Lte => "lte",
    }
}

fn fieldref_test(value: &RuleValue, modifiers: &[Modifier], cased: bool) -> Result<Test, String> {
    let field = string_of(value, "fieldref")?;
    if field.is_empty() {
        return Err("'fieldref' needs a field name".into());
    }
    let mut mode = RefMode::Equal;
    for m in modifiers {
        mode = match (m, mode) {
            (Modifier::Contains, _) => RefMode::Contains,
            (Modifier::StartsWith, RefMode::EndsWith)
            | (Modifier::EndsWith, RefMode::StartsWith) => RefMode::Contains,
            (Modifier::StartsWith, RefMode::Equal) => RefMode::StartsWith,
            (Modifier::EndsWith, RefMode::Equal) => RefMode::EndsWith,
            _ => mode,
        };
    }
    Ok(Test::FieldRef {
        path: field.split('.').map(str::to_owned).collect(),
        field,
        mode,
        cased,
    })
}

/// The string family: wildcards read, then each modifier in order.
fn string_tests(
    value: &RuleValue,
    modifiers: &[Modifier],
    cased: bool,
    keyword: bool,
) -> Result<Vec<Test>, String> {
    use Modifier::*;
    let transforms = modifiers.iter().any(|m| !matches!(m, All | Neq | Cased));
    let text = match value {
        RuleValue::Null if transforms => {
            return Err("null cannot take string modifiers".into());
        }
        RuleValue::Null => return Ok(vec![Test::Null]),
        other => string_of(other, "value")?,
    };
    let mut stages = vec![Stage::Tokens(pattern::parse_wildcards(&text))];
    for m in modifiers {
        stages = match m {
            Contains | StartsWith | EndsWith => each_tokens(stages, name(*m), |mut t| {
                if matches!(m, Contains | EndsWith) {
                    t.insert(0, Token::AnyRun);
                }
                if matches!(m, Contains | StartsWith) {
                    t.push(Token::AnyRun);
                }
                vec![t]
            })?,
            Windash => each_tokens(stages, "windash", |t| vec![pattern::windash(t)])?,
            Utf16Le | Utf16Be | Utf16 | Wide => {
                let mut out = Vec::new();
                for stage in stages {
                    let Stage::Tokens(tokens) = stage else {
                        return Err(format!("'{}' after another UTF-16 modifier", name(*m)));
                    };
                    let plain = plain_text(&tokens, name(*m))?;
                    out.push(Stage::Bytes(utf16(&plain, *m)));
                }
                out
            }
            Base64 | Base64Offset => {
                let mut out = Vec::new();
                for stage in stages {
                    let bytes = match stage {
                        Stage::Tokens(tokens) => plain_text(&tokens, name(*m))?.into_bytes(),
                        Stage::Bytes(bytes) => bytes,
                    };
                    if *m == Base64 {
                        out.push(Stage::Tokens(pattern::literal(&STANDARD.encode(&bytes))));
                    } else {
                        for variant in base64_offsets(&bytes) {
                            out.push(Stage::Tokens(pattern::literal(&variant)));
                        }
                    }
                }
                out
            }
            All | Neq | Cased => stages,
            // classify() sent every other modifier elsewhere.
            other => return Err(format!("modifier '{}' does not apply here", name(*other))),
        };
    }
    // A keyword is searched for inside values unless anchored explicitly.
    let anchored = modifiers.iter().any(|m| matches!(m, StartsWith | EndsWith));
    let mut tests = Vec::with_capacity(stages.len());
    for stage in stages {
        let Stage::Tokens(mut tokens) = stage else {
            return Err("UTF-16 modifiers must be followed by 'base64' or 'base64offset'".into());
        };
        if keyword && !anchored {
            tokens.insert(0, Token::AnyRun);
            tokens.push(Token::AnyRun);
        }
        let tokens = pattern::normalize(tokens);
        let matcher = TextMatcher::new(&tokens, cased)?;
        tests.push(Test::Text {
            tokens,
            cased,
            matcher,
        });
    }
    Ok(tests)
}

fn each_tokens(
    stages: Vec<Stage>,
    what: &str,
    f: impl Fn(Vec<Token>) -> Vec<Vec<Token>>,
) -> Result<Vec<Stage>, String> {
    let mut out = Vec::new();
    for stage in stages {
        match stage {
            Stage::Tokens(tokens) => out.extend(f(tokens).into_iter().map(Stage::Tokens)),
            Stage::Bytes(_) => {
                return Err(format!(
                    "'{what}' after a UTF-16 modifier: put 'base64' or 'base64offset' between them"
                ));
            }
        }
    }
    Ok(out)
}

/// The text of tokens that are all literal; encodings of wildcards have no
/// meaning.
fn plain_text(tokens: &[Token], what: &str) -> Result<String, String> {
    let mut text = String::new();
    for token in tokens {
        match token {
            Token::Lit(s) => text.push_str(s),
            _ => {
                return Err(format!(
                    "'{what}' of a value with wildcards or windash cannot be matched (escape '*' and '?' as '\\*', '\\?')"
                ));
            }
        }
    }
    Ok(text)
}

fn utf16(text: &str, m: Modifier) -> Vec<u8> {
    let units = text.encode_utf16();
    let mut out = Vec::new();
    match m {
        Modifier::Utf16Be => units.for_each(|u| out.extend_from_slice(&u.to_be_bytes())),
        Modifier::Utf16 => {
            out.extend_from_slice(&[0xFF, 0xFE]);
            units.for_each(|u| out.extend_from_slice(&u.to_le_bytes()));
        }
        _ => units.for_each(|u| out.extend_from_slice(&u.to_le_bytes())),
    }
    out
}

/// The three base64 texts `bytes` can show inside a longer base64 string,
/// one per offset of its first byte modulo 3: the characters that also
/// depend on the bytes around it are cut off both ends.
pub fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::with_capacity(3);
    for shift in 0..3usize {
        let mut padded = vec![0u8; shift];
        padded.extend_from_slice(bytes);
        let encoded = STANDARD.encode(&padded);
        // Characters before the value's first full 6-bit group.
        let start = [0, 2, 3][shift];
        // At the end, a group left partial by the value is followed by other
        // bytes in the real string: its last character is not fixed, nor
        // is the padding.
        let cut = match padded.len() % 3 {
            0 => 0,
            1 => 3,
            _ => 2,
        };
        let end = encoded.len().saturating_sub(cut);
        out.push(encoded.get(start..end.max(start)).unwrap_or("").to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64offset_matches_the_specification_idea() {
        // The value inside any longer string, at each offset, encodes to a
        // text holding one of the three variants.
        let value = b"/bin/bash";
        let variants = base64_offsets(value);
        assert_eq!(variants.len(), 3);
        for before in ["", "x", "xy", "xyz"] {
            for after in ["", "q", "qr"] {
                let mut whole = before.as_bytes().to_vec();
                whole.extend_from_slice(value);
                whole.extend_from_slice(after.as_bytes());
                let encoded = STANDARD.encode(&whole);
                assert!(
                    variants
                        .iter()
                        .any(|v| !v.is_empty() && encoded.contains(v.as_str())),
                    "{before}/{after}: {encoded} vs {variants:?}"
                );
            }
        }
        // By hand: cGluZw== cut to cGluZ; AHBpbmc= to Bpbm; AABwaW5n to waW5n.
        assert_eq!(base64_offsets(b"ping"), vec!["cGluZ", "Bpbm", "waW5n"]);
    }
}
