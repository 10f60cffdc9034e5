//! Regexes written for the SQL engines from the parsed form the filter's
//! engines run: regex-syntax's (a `--match` pattern as `PyRegex` read it,
//! Python's meaning already spelled out; a Sigma value as the regex crate
//! reads it) or, for Spark's lookaround, fancy-regex's. Nothing is left to
//! the engine's interpretation: every character an explicit code point,
//! every class its ranges, anchors `\A`/`\z`. What has no such spelling is
//! refused, alike in every dialect except where the engine has it (Java's
//! lookaround). RE2 (DuckDB, and the Athena test) and java.util.regex
//! (Spark) read the same output.

use super::{Dialect, Refusal};
use fancy_regex::{Assertion, Expr, LookAround};
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use spitzel_core::expr::{Parsed, PyRegex};

/// A `--match` pattern for `d`'s engine, or the refusal naming the
/// construct.
pub fn write(re: &PyRegex, d: Dialect) -> Result<String, Refusal> {
    let mut out = String::new();
    let written = match re.parsed() {
        Parsed::Linear(hir) => write_hir(&hir, d, &mut out),
        Parsed::Backtracking(expr) => write_expr(&expr, d, &mut out),
    };
    written
        .map(|()| out)
        .map_err(|what| Refusal::new(format!("regex {what} in {:?}", re.source()), d))
}

/// One character, spelled so no engine reads it as syntax.
fn push_char(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

fn push_repeat(min: u32, max: Option<u32>, d: Dialect, out: &mut String) -> Result<(), String> {
    // RE2 takes counts up to 1000.
    if d != Dialect::Spark && max.unwrap_or(min).max(min) > 1000 {
        return Err("repetition count above 1000".into());
    }
    match (min, max) {
        (0, None) => out.push('*'),
        (1, None) => out.push('+'),
        (0, Some(1)) => out.push('?'),
        (min, None) => out.push_str(&format!("{{{min},}}")),
        (min, Some(max)) if min == max => out.push_str(&format!("{{{min}}}")),
        (min, Some(max)) => out.push_str(&format!("{{{min},{max}}}")),
    }
    Ok(())
}

/// The parsed regex written for `d`'s engine, or what cannot be written.
pub(crate) fn write_hir(hir: &Hir, d: Dialect, out: &mut String) -> Result<(), String> {
    match hir.kind() {
        HirKind::Empty => out.push_str("(?:)"),
        HirKind::Literal(lit) => {
            let text = std::str::from_utf8(&lit.0).map_err(|_| "a non-UTF-8 literal")?;
            text.chars().for_each(|c| push_char(c, out));
        }
        HirKind::Class(Class::Unicode(class)) => {
            if class.ranges().is_empty() {
                return Err("class that matches nothing".into());
            }
            out.push('[');
            for r in class.ranges() {
                push_char(r.start(), out);
                if r.end() != r.start() {
                    out.push('-');
                    push_char(r.end(), out);
                }
            }
            out.push(']');
        }
        HirKind::Class(Class::Bytes(_)) => return Err("byte class".into()),
        HirKind::Look(Look::Start) => out.push_str(r"\A"),
        HirKind::Look(Look::End) => out.push_str(r"\z"),
        HirKind::Look(Look::StartLF | Look::EndLF | Look::StartCRLF | Look::EndCRLF) => {
            return Err("multi-line anchor (?m) (engines differ on line ends)".into());
        }
        HirKind::Look(_) => {
            return Err(r"word boundary \b or \B (engines define words differently)".into());
        }
        HirKind::Repetition(rep) => {
            out.push_str("(?:");
            write_hir(&rep.sub, d, out)?;
            out.push(')');
            push_repeat(rep.min, rep.max, d, out)?;
        }
        HirKind::Capture(cap) => {
            out.push_str("(?:");
            write_hir(&cap.sub, d, out)?;
            out.push(')');
        }
        HirKind::Concat(items) => {
            for item in items {
                write_hir(item, d, out)?;
            }
        }
        HirKind::Alternation(items) => {
            out.push_str("(?:");
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push('|');
                }
                write_hir(item, d, out)?;
            }
            out.push(')');
        }
    }
    Ok(())
}

/// A pattern only the backtracking engine runs: written for Spark, whose
/// Java engine has lookaround, the one construct of those it shares.
fn write_expr(expr: &Expr, d: Dialect, out: &mut String) -> Result<(), String> {
    match expr {
        Expr::Empty => out.push_str("(?:)"),
        Expr::Any { newline, .. } => out.push_str(if *newline {
            r"[\x{0}-\x{10FFFF}]"
        } else {
            r"[\x{0}-\x{9}\x{B}-\x{10FFFF}]"
        }),
        Expr::Assertion(Assertion::StartText) => out.push_str(r"\A"),
        Expr::Assertion(Assertion::EndText) => out.push_str(r"\z"),
        Expr::Assertion(Assertion::StartLine { .. } | Assertion::EndLine { .. }) => {
            return Err("multi-line anchor (?m) (engines differ on line ends)".into());
        }
        Expr::Assertion(Assertion::LeftWordBoundary | Assertion::RightWordBoundary)
        | Expr::Assertion(Assertion::WordBoundary | Assertion::NotWordBoundary) => {
            return Err(r"word boundary \b or \B (engines define words differently)".into());
        }
        Expr::Literal { val, casei: false } => val.chars().for_each(|c| push_char(c, out)),
        Expr::Delegate {
            inner,
            casei: false,
        } => {
            let hir = regex_syntax::Parser::new()
                .parse(inner)
                .map_err(|_| format!("construct {inner:?}"))?;
            write_hir(&hir, d, out)?;
        }
        Expr::Concat(items) => {
            for item in items {
                write_expr(item, d, out)?;
            }
        }
        Expr::Alt(items) => {
            out.push_str("(?:");
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push('|');
                }
                write_expr(item, d, out)?;
            }
            out.push(')');
        }
        Expr::Group(sub) => {
            out.push_str("(?:");
            write_expr(sub, d, out)?;
            out.push(')');
        }
        Expr::LookAround(sub, kind) if d == Dialect::Spark => {
            out.push_str(match kind {
                LookAround::LookAhead => "(?=",
                LookAround::LookAheadNeg => "(?!",
                LookAround::LookBehind => "(?<=",
                LookAround::LookBehindNeg => "(?<!",
            });
            write_expr(sub, d, out)?;
            out.push(')');
        }
        Expr::LookAround(..) => return Err("lookaround".into()),
        Expr::Repeat { child, lo, hi, .. } => {
            out.push_str("(?:");
            write_expr(child, d, out)?;
            out.push(')');
            let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            let max = (*hi != usize::MAX).then(|| count(*hi));
            push_repeat(count(*lo), max, d, out)?;
        }
        Expr::Backref { .. } | Expr::BackrefWithRelativeRecursionLevel { .. } => {
            return Err("backreference".into());
        }
        Expr::AtomicGroup(_) => {
            return Err("atomic group or possessive quantifier".into());
        }
        other => return Err(format!("construct {other:?}")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pattern: &str, d: Dialect) -> Result<String, Refusal> {
        write(&PyRegex::new(pattern).unwrap(), d)
    }

    #[test]
    fn anchors_dot_and_counts_are_spelled_out() {
        let d = Dialect::Duckdb;
        assert_eq!(
            t("^a.b$", d).unwrap(),
            r"\Aa[\x{0}-\x{9}\x{B}-\x{10FFFF}]b(?:\x{A})?\z"
        );
        assert_eq!(t(r"(?a)\d{2,}", d).unwrap(), r"(?:[0-9]){2,}");
        assert_eq!(t("a{,3}x{y}", d).unwrap(), r"(?:a){0,3}x\x{7B}y\x{7D}");
    }

    #[test]
    fn case_folding_is_pythons_and_explicit() {
        let d = Dialect::Duckdb;
        assert_eq!(t("(?i)ki", d).unwrap(), r"[Kk\x{212A}][Ii\x{130}-\x{131}]");
        assert_eq!(t("(?i)€", d).unwrap(), r"\x{20AC}");
        assert_eq!(t("(?i:a)b", d).unwrap(), "[Aa]b");
    }

    #[test]
    fn a_negated_class_escape_inside_a_class_is_written_for_every_dialect() {
        for d in [Dialect::Duckdb, Dialect::Spark, Dialect::Athena] {
            let written = t(r"[\Wa]", d).unwrap();
            assert!(written.starts_with(r"[\x{0}-"), "{written}");
        }
    }

    #[test]
    fn what_has_no_exact_spelling_is_refused() {
        for p in [r"\bx", "(?=a)", r"(a)\1", "(?m)^a", "a++", "(?>a)"] {
            assert!(t(p, Dialect::Duckdb).is_err(), "{p}");
        }
        assert_eq!(t("(?=a)", Dialect::Spark).unwrap(), "(?=a)");
        assert_eq!(
            t("^(?!.*Alice)", Dialect::Duckdb).unwrap_err().construct,
            r#"regex lookaround in "^(?!.*Alice)""#
        );
    }
}
