//! The Sigma condition language: parsing never panics or overflows the
//! stack; an error is one line; what parses names only existing search
//! identifiers and nests no deeper than the parser allows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spitzel_sigma::Condition;
use spitzel_sigma::condition::{MAX_NESTING, parse};

const NAMES: [&str; 5] = ["sel", "sel_2", "filter", "_hidden", "keywords"];

/// Nesting of `not` (parentheses leave no node of their own).
fn depth(condition: &Condition) -> usize {
    match condition {
        Condition::Search(_) => 0,
        Condition::Not(inner) => 1 + depth(inner),
        Condition::And(terms) | Condition::Or(terms) => {
            terms.iter().map(depth).max().unwrap_or(0) + 1
        }
    }
}

fn searches_exist(condition: &Condition) -> bool {
    match condition {
        Condition::Search(index) => *index < NAMES.len(),
        Condition::Not(inner) => searches_exist(inner),
        Condition::And(terms) | Condition::Or(terms) => terms.iter().all(searches_exist),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let names: Vec<String> = NAMES.iter().map(|n| n.to_string()).collect();
    match parse(text, &names) {
        Err(message) => assert!(!message.contains('\n'), "{message:?}"),
        Ok(condition) => {
            assert!(searches_exist(&condition), "{condition:?}");
            // And/Or levels come from parentheses or `not`s too.
            assert!(depth(&condition) <= 2 * MAX_NESTING + 2, "{condition:?}");
        }
    }
});
