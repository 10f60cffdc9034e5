//! IAM action globs (`s3:Get*`) and the mapping from a CloudTrail event's
//! (eventSource, eventName) to the IAM actions it stands for.
//!
//! OWNER: actions helper. Interface below is what the filter and the fetcher use.

use std::fmt;

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

/// Compiled set of action globs; an event matches when any glob matches.
#[derive(Debug, Clone)]
pub struct ActionMatcher {
    globs: Vec<String>,
}

impl ActionMatcher {
    /// Compile the positional IAM_ACTION arguments. No globs = every event.
    pub fn new<S: AsRef<str>>(globs: &[S]) -> Result<Self, ActionGlobError> {
        Ok(ActionMatcher {
            globs: globs.iter().map(|g| g.as_ref().to_string()).collect(),
        })
    }

    /// True when every event matches (no globs, or `*`).
    pub fn matches_all(&self) -> bool {
        self.globs.is_empty()
    }

    /// Does an event with this eventSource and eventName match?
    pub fn matches(&self, _event_source: &str, _event_name: &str) -> bool {
        todo!("actions helper")
    }

    /// LookupEvents queries whose union is a superset of the matching events;
    /// None when no narrowing is possible (a wildcard in a service, or `*`).
    pub fn lookup_narrowing(&self) -> Option<Vec<Narrowing>> {
        None
    }
}
