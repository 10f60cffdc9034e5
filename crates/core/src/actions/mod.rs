//! IAM action globs (`s3:Get*`) and the mapping from a CloudTrail event's
//! (eventSource, eventName) to the IAM actions it stands for.
//!
//! An event's actions are its own `<first-label>:<eventName>` (what the
//! Python original matched), `<iam-prefix>:<eventName>`, the name without a
//! Lambda/CloudFront API date, and the same-service actions the generated
//! table lists for the operation (`s3:ListObjects` needs `s3:ListBucket`).

mod cache;
mod glob;
mod mapping;
mod table;

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use glob::ActionGlob;

/// A usage error in an action glob; `Display` is one line, with a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionGlobError(pub String);

impl fmt::Display for ActionGlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ActionGlobError {}

/// One server-side LookupEvents narrowing: attribute key and value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Narrowing {
    EventSource(String),
    EventName(String),
}

/// Above this many eventNames for one glob, one query per eventSource host
/// is cheaper than one per name (`apigateway:POST` stands for dozens).
const MAX_EVENT_NAME_QUERIES: usize = 8;

static NEXT_MATCHER_ID: AtomicU64 = AtomicU64::new(1);

/// Compiled set of action globs; an event matches when any glob matches.
#[derive(Debug, Clone)]
pub struct ActionMatcher {
    compiled: Vec<ActionGlob>,
    matches_everything: bool,
    /// Identifies this glob set in the per-thread verdict cache.
    id: u64,
}

impl ActionMatcher {
    /// Compile the positional IAM_ACTION arguments. No globs = every event.
    pub fn new<S: AsRef<str>>(globs: &[S]) -> Result<Self, ActionGlobError> {
        let globs: Vec<String> = globs.iter().map(|g| g.as_ref().to_string()).collect();
        let matches_everything = globs.is_empty() || globs.iter().any(|g| g == "*");
        let compiled = globs
            .iter()
            .filter(|g| *g != "*")
            .map(|g| ActionGlob::parse(g))
            .collect::<Result<_, _>>()?;
        Ok(ActionMatcher {
            compiled,
            matches_everything,
            id: NEXT_MATCHER_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// True when every event matches (no globs, or `*`).
    pub fn matches_all(&self) -> bool {
        self.matches_everything
    }

    /// Does an event with this eventSource and eventName match? Pass "" for a
    /// missing field: such an event matches only `*` (or no globs).
    pub fn matches(&self, event_source: &str, event_name: &str) -> bool {
        if self.matches_everything {
            return true;
        }
        if event_source.is_empty() || event_name.is_empty() {
            return false;
        }
        cache::verdict(self.id, event_source, event_name, || {
            self.evaluate(event_source, event_name)
        })
    }

    fn evaluate(&self, event_source: &str, event_name: &str) -> bool {
        mapping::any_action(event_source, event_name, |prefix, action| {
            self.compiled.iter().any(|g| g.matches(prefix, action))
        })
    }

    /// LookupEvents queries whose union is a superset of the matching events;
    /// None when no narrowing is possible (a wildcard in a service, or `*`).
    pub fn lookup_narrowing(&self) -> Option<Vec<Narrowing>> {
        if self.matches_everything || self.compiled.iter().any(|g| g.service_has_wildcard()) {
            return None;
        }
        let mut seen = HashSet::new();
        let mut queries = Vec::new();
        for glob in &self.compiled {
            for query in narrowing_for(glob) {
                if seen.insert(query.clone()) {
                    queries.push(query);
                }
            }
        }
        Some(queries)
    }
}

/// Queries for one glob whose service part has no wildcard.
fn narrowing_for(glob: &ActionGlob) -> Vec<Narrowing> {
    let prefix = glob.service_str();
    if let Some(names) = event_names_for(glob) {
        return names.into_iter().map(Narrowing::EventName).collect();
    }
    mapping::hosts_for_prefix(prefix)
        .into_iter()
        .map(Narrowing::EventSource)
        .collect()
}

/// Every eventName an event matching `glob` can have, when that list is known
/// and short. LookupEvents compares names case-sensitively, so the name as
/// written is trusted only in AWS's PascalCase; Lambda and CloudFront names
/// carry API versions no list can foresee.
fn event_names_for(glob: &ActionGlob) -> Option<Vec<String>> {
    let prefix = glob.service_str();
    if glob.action_has_wildcard() || mapping::has_versioned_event_names(prefix) {
        return None;
    }
    let written = glob.written_action.as_str();
    let mut names: Vec<String> = mapping::event_names_needing(prefix, written)
        .into_iter()
        .map(str::to_string)
        .collect();
    let canonical_known = names.iter().any(|n| n.eq_ignore_ascii_case(written));
    if !canonical_known {
        if !written.starts_with(|c: char| c.is_ascii_uppercase()) {
            return None;
        }
        names.push(written.to_string());
    }
    names.sort();
    names.dedup();
    (names.len() <= MAX_EVENT_NAME_QUERIES).then_some(names)
}

#[cfg(test)]
mod tests;
