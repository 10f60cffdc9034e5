//! Python 3.11's `re` meaning of IGNORECASE and of `\w`, `\s`, `\d`,
//! written out as explicit classes for the Rust engines, whose own `(?i)`
//! (Unicode simple case folding) and classes differ from Python's.
//!
//! Python (sre_compile, `_sre`) folds by lowercasing: a cased literal `c`
//! matches `t` when `lower(t)` is `lower(c)` or one of the extra cases
//! `re._casefix` lists for it (`i` and dotless `ı`, `s` and long `ſ`, ...);
//! a class matches `t` when `lower(t)` is in the class's lowered members.
//! `lower` is the first character of the full lowercase mapping (so `İ`
//! lowers to `i`). An uncased character matches only itself. Under `(?a)`
//! only ASCII letters fold.

use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};
use std::sync::OnceLock;

/// Python's `\w` (`str.isalnum()` or `_`) and `\s` (`str.isspace()`), as
/// class items; `\d` is `\p{Nd}` in both.
pub(crate) const WORD: &str = r"\p{L}\p{N}_";
pub(crate) const SPACE: &str = r"\t\n\x{B}\f\r\x{1C}-\x{1F} \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}";
pub(crate) const DIGIT: &str = r"\p{Nd}";
/// The same under `(?a)`.
pub(crate) const ASCII_WORD: &str = "a-zA-Z0-9_";
pub(crate) const ASCII_SPACE: &str = r"\t\n\x{B}\f\r ";
pub(crate) const ASCII_DIGIT: &str = "0-9";

/// A class as the translation writes it, without the class escapes
/// (`\w`, `\W`, ... as spelled above).
pub(crate) fn without_categories(class: &str) -> String {
    let mut text = class.to_owned();
    for items in [WORD, SPACE, DIGIT, ASCII_WORD, ASCII_SPACE, ASCII_DIGIT] {
        text = text.replace(&format!("[^{items}]"), "");
        text = text.replace(&format!("[{items}]"), "");
        text = text.replace(items, "");
    }
    text
}

/// `re._casefix._EXTRA_CASES` of Python 3.11: lowercase letters that
/// match each other beyond sharing a lowercase form.
const EXTRA_CASES: &[&[char]] = &[
    &['i', '\u{131}'],
    &['s', '\u{17F}'],
    &['\u{B5}', '\u{3BC}'],
    &['\u{345}', '\u{3B9}', '\u{1FBE}'],
    &['\u{390}', '\u{1FD3}'],
    &['\u{3B0}', '\u{1FE3}'],
    &['\u{3B2}', '\u{3D0}'],
    &['\u{3B5}', '\u{3F5}'],
    &['\u{3B8}', '\u{3D1}'],
    &['\u{3BA}', '\u{3F0}'],
    &['\u{3C0}', '\u{3D6}'],
    &['\u{3C1}', '\u{3F1}'],
    &['\u{3C2}', '\u{3C3}'],
    &['\u{3C6}', '\u{3D5}'],
    &['\u{432}', '\u{1C80}'],
    &['\u{434}', '\u{1C81}'],
    &['\u{43E}', '\u{1C82}'],
    &['\u{441}', '\u{1C83}'],
    &['\u{442}', '\u{1C84}', '\u{1C85}'],
    &['\u{44A}', '\u{1C86}'],
    &['\u{463}', '\u{1C87}'],
    &['\u{1C88}', '\u{A64B}'],
    &['\u{1E61}', '\u{1E9B}'],
    &['\u{FB05}', '\u{FB06}'],
];

/// Python's `lower` of one character.
fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn upper(c: char) -> char {
    c.to_uppercase().next().unwrap_or(c)
}

/// What folding needs, computed once: every character whose lowercase is
/// another one, with that lowercase; and the cased characters.
struct Tables {
    lowers: Vec<(char, char)>,
    changed: ClassUnicode,
    cased: ClassUnicode,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut lowers = Vec::new();
        let mut cased = Vec::new();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let l = lower(c);
            if l != c {
                lowers.push((c, l));
            }
            if l != c || upper(c) != c {
                cased.push(ClassUnicodeRange::new(c, c));
            }
        }
        let changed = ClassUnicode::new(lowers.iter().map(|&(c, _)| ClassUnicodeRange::new(c, c)));
        Tables {
            lowers,
            changed,
            cased: ClassUnicode::new(cased),
        }
    })
}

fn contains(class: &ClassUnicode, c: char) -> bool {
    class
        .ranges()
        .binary_search_by(|r| {
            if r.end() < c {
                std::cmp::Ordering::Less
            } else if r.start() > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The characters a class (not negated) matches under Python's IGNORECASE;
/// a literal is the class of one character.
pub(crate) fn fold(class: &ClassUnicode, ascii: bool) -> ClassUnicode {
    if ascii {
        let mut folded = class.clone();
        folded.union(&ClassUnicode::new(class.ranges().iter().flat_map(|r| {
            let letters = ['a'..='z', 'A'..='Z'];
            letters.into_iter().filter_map(move |span| {
                let (start, end) = (r.start().max(*span.start()), r.end().min(*span.end()));
                (start <= end).then(|| {
                    let swap = |c: char| char::from(c as u8 ^ 0x20);
                    ClassUnicodeRange::new(swap(start), swap(end))
                })
            })
        })));
        return folded;
    }
    let t = tables();
    let mut cased = class.clone();
    cased.intersect(&t.cased);
    if cased.ranges().is_empty() {
        return class.clone();
    }
    // The members lowered, with their extra cases.
    let mut lowered = class.clone();
    lowered.difference(&t.changed);
    let lowered_changed = t
        .lowers
        .iter()
        .filter(|&&(c, _)| contains(class, c))
        .map(|&(_, l)| ClassUnicodeRange::new(l, l));
    lowered.union(&ClassUnicode::new(lowered_changed));
    let extra = EXTRA_CASES
        .iter()
        .filter(|cases| cases.iter().any(|&c| contains(&lowered, c)))
        .flat_map(|cases| cases.iter().map(|&c| ClassUnicodeRange::new(c, c)));
    lowered.union(&ClassUnicode::new(extra));
    // Every character whose lowercase is one of them.
    let mut matched = lowered.clone();
    matched.difference(&t.changed);
    matched.union(&ClassUnicode::new(
        t.lowers
            .iter()
            .filter(|&&(_, l)| contains(&lowered, l))
            .map(|&(c, _)| ClassUnicodeRange::new(c, c)),
    ));
    matched
}

/// A class written for the engines: every character a code point escape.
pub(crate) fn write_class(class: &ClassUnicode, out: &mut String) {
    if class.ranges().is_empty() {
        // Matches nothing, as an empty Python class would.
        out.push_str(r"[^\x{0}-\x{10FFFF}]");
        return;
    }
    out.push('[');
    for r in class.ranges() {
        out.push_str(&format!("\\x{{{:X}}}", r.start() as u32));
        if r.end() != r.start() {
            out.push_str(&format!("-\\x{{{:X}}}", r.end() as u32));
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(c: char) -> ClassUnicode {
        ClassUnicode::new([ClassUnicodeRange::new(c, c)])
    }

    fn fold_char(c: char, ascii: bool) -> ClassUnicode {
        fold(&single(c), ascii)
    }

    fn members(class: &ClassUnicode) -> String {
        class
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .collect()
    }

    #[test]
    fn literals_fold_as_python_lowercases() {
        assert_eq!(members(&fold_char('I', false)), "Iiİı");
        assert_eq!(members(&fold_char('ı', false)), "Iiİı");
        assert_eq!(members(&fold_char('ǅ', false)), "Ǆǅǆ");
        assert_eq!(members(&fold_char('K', false)), "Kk\u{212A}");
        assert_eq!(members(&fold_char('€', false)), "€");
        assert_eq!(members(&fold_char('K', true)), "Kk");
        assert_eq!(members(&fold_char('\u{212A}', true)), "\u{212A}");
    }

    #[test]
    fn classes_fold_their_members() {
        let class = ClassUnicode::new([ClassUnicodeRange::new('a', 'c')]);
        assert_eq!(members(&fold(&class, false)), "ABCabc");
        assert_eq!(members(&fold(&class, true)), "ABCabc");
        let dotted = single('İ');
        assert_eq!(members(&fold(&dotted, false)), "Iiİı");
    }
}
