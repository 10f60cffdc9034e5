//! Python's look-behind takes a pattern of one width only (`(?<=ab|c)`,
//! `(?<=a+)` are refused: "look-behind requires fixed-width pattern");
//! fancy-regex runs wider ones, and Spark's Java refuses them when the
//! query runs, so the pattern is refused as Python refuses it.

use super::pysyntax::syntax_indices;
use super::regex_error::RegexError;
use fancy_regex::{Expr, LookAround};

/// Refuse `translated` (the Rust dialect of `pattern`) when one of its
/// look-behinds can match texts of different lengths.
pub(crate) fn check(pattern: &str, translated: &str) -> Result<(), RegexError> {
    let Ok(tree) = Expr::parse_tree(translated) else {
        return Ok(()); // fancy-regex reports it
    };
    let mut behinds = 0;
    match first_variable(&tree.expr, &mut behinds) {
        Some(number) => Err(RegexError::LookBehindWidth {
            at: opening(pattern, number),
        }),
        None => Ok(()),
    }
}

/// How many characters an expression matches.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Width {
    Fixed(usize),
    Varies,
    /// Python decides by more than the text (a group reference): not refused.
    Unknown,
}

/// The number (in pattern order) of the first look-behind whose width varies.
fn first_variable(expr: &Expr, behinds: &mut usize) -> Option<usize> {
    if let Expr::LookAround(body, LookAround::LookBehind | LookAround::LookBehindNeg) = expr {
        let number = *behinds;
        *behinds += 1;
        if width(body) == Width::Varies {
            return Some(number);
        }
    }
    expr.children_iter()
        .find_map(|child| first_variable(child, behinds))
}

fn width(expr: &Expr) -> Width {
    match expr {
        Expr::Empty | Expr::Assertion(_) | Expr::LookAround(..) => Width::Fixed(0),
        // A delegate matches exactly one character (fancy-regex's rule).
        Expr::Any { .. } | Expr::Delegate { .. } => Width::Fixed(1),
        Expr::Literal { val, .. } => Width::Fixed(val.chars().count()),
        Expr::Concat(parts) => {
            parts
                .iter()
                .fold(Width::Fixed(0), |sum, part| match (sum, width(part)) {
                    (Width::Fixed(a), Width::Fixed(b)) => Width::Fixed(a + b),
                    (Width::Varies, _) | (_, Width::Varies) => Width::Varies,
                    _ => Width::Unknown,
                })
        }
        Expr::Alt(branches) => {
            let widths: Vec<Width> = branches.iter().map(width).collect();
            if widths.contains(&Width::Varies) || widths.windows(2).any(|w| w[0] != w[1]) {
                if widths.contains(&Width::Unknown) && !widths.contains(&Width::Varies) {
                    return Width::Unknown;
                }
                return Width::Varies;
            }
            widths.first().copied().unwrap_or(Width::Fixed(0))
        }
        Expr::Group(inner) => width(inner),
        Expr::AtomicGroup(inner) => width(inner),
        Expr::Repeat { child, lo, hi, .. } => match width(child) {
            Width::Fixed(0) => Width::Fixed(0),
            Width::Fixed(w) if lo == hi => Width::Fixed(lo * w),
            Width::Fixed(_) | Width::Varies => Width::Varies,
            Width::Unknown => Width::Unknown,
        },
        _ => Width::Unknown,
    }
}

/// The char index of look-behind `number` in `pattern` (escapes and
/// classes skipped), for the error's column.
fn opening(pattern: &str, number: usize) -> Option<usize> {
    let chars: Vec<char> = pattern.chars().collect();
    let is_opening = |i: usize| {
        chars[i..].starts_with(&['(', '?', '<']) && matches!(chars.get(i + 3), Some('=' | '!'))
    };
    syntax_indices(&chars)
        .filter(|&i| is_opening(i))
        .nth(number)
}

#[cfg(test)]
mod tests {
    use crate::expr::pyregex::PyRegex;

    #[test]
    fn look_behinds_of_one_width_only_as_in_python() {
        // python3 -c 'import re; re.compile(P)' refuses each of these.
        for (bad, at) in [
            ("(?<=a+)b", 0),
            ("x(?<!ab|c)", 1),
            ("(?<=a)(?<=a?)", 6),
            ("[(?<=]+(?<=a{1,2})", 7),
            (r"(?<=\d*)", 0),
        ] {
            let e = PyRegex::new(bad).unwrap_err();
            assert_eq!(
                e.to_string(),
                "invalid regex: look-behind requires fixed-width pattern",
                "{bad}"
            );
            assert_eq!(e.at(), Some(at), "{bad}");
        }
        // ... and accepts each of these.
        for good in [
            "(?<=arn:)aws",
            "(?<!ab|cd)x",
            "(?<=a{2})b",
            r"(?<=\d[a-z].)x",
            "(?<=(?:ab){3}|x{6})",
            "(?<=a(?=b*))b",
            "(?<=\\b)x",
        ] {
            assert!(PyRegex::new(good).is_ok(), "{good}");
        }
    }
}
