//! The verdict on one record: parse it, then actions, time window and
//! --match expressions, cheapest first.

use crate::bad::BadReason;
use crate::sigma::SigmaCriterion;
use spitzel_core::actions::ActionMatcher;
use spitzel_core::doc::{Doc, DocView};
use spitzel_core::expr::Expression;
use spitzel_core::window::{TimeWindow, WindowCheck};

/// Everything a record is tested against, compiled once.
pub struct Criteria {
    pub actions: ActionMatcher,
    pub window: TimeWindow,
    pub expressions: Vec<Expression>,
    /// --sigma: at least one rule must match (tested last, the dearest).
    pub sigma: Option<SigmaCriterion>,
}

/// The record's requestParameters, read only when a conditional implied
/// permission needs them.
fn request_parameters(doc: &Doc<'_>) -> Option<serde_json::Value> {
    match doc.view() {
        DocView::Raw(root) => root.member("requestParameters").map(|v| v.to_value()),
        DocView::Tree(tree) => tree.get("requestParameters").cloned(),
    }
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
    /// `event_name` is the record's eventName, already looked up by the caller.
    /// `hits` receives the Sigma rules that matched (empty unless every
    /// other criterion held). An error when an expression or a Sigma rule
    /// cannot decide on the record (which is then a bad record, neither
    /// written nor filtered out).
    pub(crate) fn judge(
        &self,
        doc: &Doc<'_>,
        event_name: Option<&str>,
        hits: &mut Vec<u32>,
    ) -> Result<Verdict, BadReason> {
        hits.clear();
        if !self.actions.matches_all() {
            let source = doc.top_str("eventSource").unwrap_or("");
            let name = event_name.unwrap_or("");
            if !self
                .actions
                .matches_record(source, name, || request_parameters(doc))
            {
                return Ok(Verdict::NoMatch);
            }
        }
        if !self.window.is_unbounded() {
            match self.window.check(doc.top_str("eventTime")) {
                WindowCheck::Inside => {}
                WindowCheck::Outside => return Ok(Verdict::NoMatch),
                WindowCheck::Unreadable => return Ok(Verdict::NoTime),
            }
        }
        for expression in &self.expressions {
            if !expression.judge(doc)? {
                return Ok(Verdict::NoMatch);
            }
        }
        if let Some(sigma) = &self.sigma {
            sigma.hits(doc, event_name, hits)?;
            if hits.is_empty() {
                return Ok(Verdict::NoMatch);
            }
        }
        Ok(Verdict::Match)
    }
}
