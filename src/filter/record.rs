//! The verdict on one record: parse it, then actions, time window and
//! --match expressions, cheapest first.

use crate::actions::ActionMatcher;
use crate::doc::{Doc, DocParser};
use crate::expr::Expression;
use crate::window::{TimeWindow, WindowCheck};

/// Everything a record is tested against, compiled once.
pub struct Criteria {
    pub actions: ActionMatcher,
    pub window: TimeWindow,
    pub expressions: Vec<Expression>,
}

/// What became of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Match,
    NoMatch,
    /// Outside the window because its eventTime is missing or unreadable.
    NoTime,
}

impl Criteria {
    /// True when every record matches, so records need only be validated.
    pub fn accepts_everything(&self) -> bool {
        self.actions.matches_all() && self.window.is_unbounded() && self.expressions.is_empty()
    }

    pub fn judge(&self, doc: &Doc<'_>) -> Verdict {
        if !self.actions.matches_all() {
            let source = doc.top_str("eventSource").unwrap_or("");
            let name = doc.top_str("eventName").unwrap_or("");
            if !self.actions.matches(source, name) {
                return Verdict::NoMatch;
            }
        }
        if !self.window.is_unbounded() {
            match self.window.check(doc.top_str("eventTime")) {
                WindowCheck::Inside => {}
                WindowCheck::Outside => return Verdict::NoMatch,
                WindowCheck::Unreadable => return Verdict::NoTime,
            }
        }
        if self.expressions.iter().all(|e| e.eval(doc)) {
            Verdict::Match
        } else {
            Verdict::NoMatch
        }
    }
}

/// Parse and judge one record's bytes (no line end).
pub fn judge_bytes(
    criteria: &Criteria,
    parser: &mut DocParser,
    record: &[u8],
) -> Result<Verdict, crate::doc::DocError> {
    let doc = parser.parse(record)?;
    Ok(criteria.judge(&doc))
}
