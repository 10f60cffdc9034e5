//! The Python-regex translation: never panics, compiles or refuses, and
//! where the pattern runs on the linear engine, the backtracking engine
//! given the same translated pattern agrees on random haystacks (two
//! independent engines on one dialect).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spitzel_core::expr::pyregex::PyRegex;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Pattern and haystacks are separated by NUL bytes.
    let mut parts = text.split('\0');
    let pattern = parts.next().unwrap_or("");
    if pattern.len() > 200 {
        return;
    }
    let Ok(re) = PyRegex::new(pattern) else {
        return;
    };
    let other = fancy_regex::RegexBuilder::new(&PyRegex::translate(pattern))
        .backtrack_limit(100_000)
        .build()
        .ok();
    for haystack in parts.take(8) {
        let ours = re.is_match(haystack);
        if let (Ok(ours), true, Some(other)) = (&ours, re.is_linear(), &other) {
            if let Ok(theirs) = other.is_match(haystack) {
                assert_eq!(*ours, theirs, "{pattern:?} on {haystack:?}");
            }
        }
    }
});
