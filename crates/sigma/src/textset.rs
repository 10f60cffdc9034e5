//! An item's many string values tested in one pass: an Aho-Corasick
//! automaton over a literal each value requires picks the few values that
//! can match a text, and only those are tried. A rule listing 100,000
//! values then costs one scan of each field, not 100,000 comparisons.

use crate::budget::{self, Work};
use crate::value_test::Test;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;

/// Fewer values than this are tried one by one, as fast as a scan.
const MIN_VALUES: usize = 16;

#[derive(Debug, Clone)]
pub struct TextSet {
    automaton: AhoCorasick,
    /// Per automaton pattern, the tests (by their place in the item's
    /// flattened test list) that require it.
    by_pattern: Vec<Vec<u32>>,
    /// Tests with no usable literal: always tried.
    always: Vec<u32>,
    /// Each test's place in the item: value, then variant.
    places: Vec<(u32, u32)>,
    cased: bool,
}

impl TextSet {
    /// For an OR'd list of plain string tests (no `all`, nothing but
    /// [`Test::Text`]); None when the item is not one, or is short.
    pub fn build(tests: &[Vec<Test>], all: bool) -> Option<TextSet> {
        let places: Vec<(u32, u32)> = tests
            .iter()
            .enumerate()
            .flat_map(|(value, variants)| {
                (0..variants.len()).map(move |v| (value as u32, v as u32))
            })
            .collect();
        if all || places.len() < MIN_VALUES {
            return None;
        }
        let flat = places
            .iter()
            .map(|&(value, variant)| &tests[value as usize][variant as usize]);
        let mut cased = None;
        let mut patterns: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut by_pattern: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        for (number, test) in flat.enumerate() {
            let Test::Text {
                tokens, matcher, ..
            } = test
            else {
                return None;
            };
            if *cased.get_or_insert(matcher.is_cased()) != matcher.is_cased() {
                return None;
            }
            match matcher.required_literal(tokens) {
                Some(literal) => {
                    let key = if matcher.is_cased() {
                        literal.to_owned()
                    } else {
                        literal.to_ascii_lowercase()
                    };
                    let slot = *index.entry(key.clone()).or_insert_with(|| {
                        patterns.push(key);
                        by_pattern.push(Vec::new());
                        patterns.len() - 1
                    });
                    by_pattern[slot].push(number as u32);
                }
                None => always.push(number as u32),
            }
        }
        let cased = cased.unwrap_or(true);
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(!cased)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok()?;
        Some(TextSet {
            automaton,
            by_pattern,
            always,
            places,
            cased,
        })
    }

    /// Whether one of `tests` (the item's, as given to [`TextSet::build`])
    /// matches `text`, charging `work` for the scan and each value tried
    /// (true without deciding once it is exhausted, as `eval` does).
    pub fn is_match(&self, tests: &[Vec<Test>], text: &str, work: &Work) -> bool {
        let holds = |number: u32| {
            let (value, variant) = self.places[number as usize];
            match &tests[value as usize][variant as usize] {
                Test::Text { matcher, .. } => {
                    !work.spend(matcher.work(text)) || matcher.is_match(text)
                }
                _ => false,
            }
        };
        if !work.spend(budget::linear(text.len(), 0)) {
            return true;
        }
        // Case folded beyond ASCII can match text holding none of the
        // literals: every value is tried.
        if !self.cased && !text.is_ascii() {
            return (0..self.places.len() as u32).any(holds);
        }
        if self.always.iter().any(|&n| holds(n)) {
            return true;
        }
        let mut candidates: Vec<u32> = Vec::new();
        for found in self.automaton.find_overlapping_iter(text) {
            candidates.extend(&self.by_pattern[found.pattern().as_usize()]);
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates.into_iter().any(holds)
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::compile_item;
    use crate::model::RuleValue;
    use crate::value_test::Test;

    /// The set's verdict equals trying each value in turn.
    #[test]
    fn the_set_decides_as_the_values_one_by_one() {
        let mut values: Vec<RuleValue> = (0..40)
            .map(|i| RuleValue::Str(format!("Value{i}")))
            .collect();
        for extra in [
            "*Mid*dle*",
            "Pre*",
            "*suf",
            "a?c",
            "*",
            "straße",
            "K-x",
            "",
            "*ÄRGER*",
        ] {
            values.push(RuleValue::Str(extra.into()));
        }
        let texts = [
            "value7",
            "VALUE39",
            "value40",
            "xmidYYdlez",
            "prefix",
            "thesuf",
            "abc",
            "STRASSE",
            "Straße",
            "k-x",
            "\u{212A}-X",
            "",
            "ärger",
            "ein ärger hier",
            "none of them",
        ];
        for (key, keyword) in [
            ("f", false),
            ("f|cased", false),
            ("f|windash", false),
            ("", true),
        ] {
            let item = compile_item(key, values.clone(), keyword).unwrap();
            let set = item.text_set.as_ref().expect("a set for 49 values");
            for text in texts {
                let one_by_one = item.tests.iter().flatten().any(|t| match t {
                    Test::Text { matcher, .. } => matcher.is_match(text),
                    _ => false,
                });
                assert_eq!(
                    set.is_match(&item.tests, text, &crate::budget::Work::for_record()),
                    one_by_one,
                    "{key} on {text:?}"
                );
            }
        }
        // `all` keeps the one-by-one test.
        assert!(
            compile_item("f|all", values, false)
                .unwrap()
                .text_set
                .is_none()
        );
    }
}
