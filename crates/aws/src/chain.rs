//! A token chain that does not end: a token that comes back, or page after
//! page without an item (LookupEvents' NextToken and its events, a listing's
//! continuation token and its keys). Either would page forever, so the
//! chain is stopped with an error.

use std::collections::HashSet;

/// Pages in a row without an event before the chain is given up. Empty
/// pages with a NextToken are legitimate (a narrow lookup over a long
/// window), so the bound is generous: at 2 requests/s, about 8 minutes.
pub(crate) const MAX_EMPTY_PAGES: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChainFault {
    /// A token this chain had already been given.
    RepeatedToken,
    /// MAX_EMPTY_PAGES empty pages in a row.
    NoProgress,
}

impl ChainFault {
    /// The fault in words, naming the API's token and what a page holds.
    pub(crate) fn describe(&self, token: &str, item: &str) -> String {
        match self {
            ChainFault::RepeatedToken => format!(
                "the API returned a {token} it had returned before; paging would repeat forever"
            ),
            ChainFault::NoProgress => format!(
                "{MAX_EMPTY_PAGES} pages in a row without {item}, each with a new {token}; paging is not getting anywhere"
            ),
        }
    }
}

impl std::fmt::Display for ChainFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe("NextToken", "an event"))
    }
}

/// The tokens of one chain in this process, and the run of empty pages.
#[derive(Debug, Default)]
pub(crate) struct ChainGuard {
    seen: HashSet<String>,
    empty_run: u32,
}

impl ChainGuard {
    /// A refused token restarts the chain: what came before no longer counts.
    pub(crate) fn restart(&mut self) {
        *self = ChainGuard::default();
    }

    /// Record a page got with `sent` that held `events` events and `next`.
    pub(crate) fn page(
        &mut self,
        sent: Option<&str>,
        events: usize,
        next: Option<&str>,
    ) -> Result<(), ChainFault> {
        if let Some(sent) = sent {
            self.seen.insert(sent.to_string());
        }
        let Some(next) = next else {
            return Ok(());
        };
        if !self.seen.insert(next.to_string()) {
            return Err(ChainFault::RepeatedToken);
        }
        self.empty_run = if events == 0 { self.empty_run + 1 } else { 0 };
        if self.empty_run >= MAX_EMPTY_PAGES {
            return Err(ChainFault::NoProgress);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_and_empty_runs_are_caught() {
        let mut guard = ChainGuard::default();
        assert_eq!(guard.page(None, 50, Some("a")), Ok(()));
        assert_eq!(guard.page(Some("a"), 50, Some("b")), Ok(()));
        assert_eq!(
            guard.page(Some("b"), 3, Some("a")),
            Err(ChainFault::RepeatedToken)
        );
        let mut guard = ChainGuard::default();
        for i in 0..MAX_EMPTY_PAGES - 1 {
            assert_eq!(guard.page(None, 0, Some(&i.to_string())), Ok(()));
        }
        assert_eq!(guard.page(None, 1, Some("x")), Ok(()));
        assert_eq!(guard.page(None, 0, Some("y")), Ok(()));
        let mut guard = ChainGuard::default();
        let faults = (0..MAX_EMPTY_PAGES)
            .map(|i| guard.page(None, 0, Some(&i.to_string())))
            .filter(|r| r.is_err())
            .count();
        assert_eq!(faults, 1);
        assert_eq!(guard.page(None, 0, None), Ok(()));
    }
}
