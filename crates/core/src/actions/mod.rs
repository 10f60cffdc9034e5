//! IAM action globs (`s3:Get*`) and the mapping from a CloudTrail event's
//! (eventSource, eventName) to the IAM actions it stands for.
//!
//! By default an event matches a glob when its own action does: the IAM
//! prefix of its eventSource joined to its eventName without a Lambda or
//! CloudFront API date (the host's first label is accepted as the prefix
//! too, as the Python original matched it). Only an event whose name is no
//! IAM action of its service also stands for the actions doing its work
//! (`STAND_INS`: CopyObject is s3:GetObject and s3:PutObject). With
//! `implied`, an event also matches every permission its call needed per
//! the mapping, conditions evaluated on its requestParameters.
//! README "Action globs" states the rules; `event_predicates` gives them to
//! translators.

mod cache;
mod glob;
mod implied;
mod lint;
mod mapping;
mod predicates;
mod table;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

use glob::ActionGlob;
pub use implied::{Cond, Implied};
pub use lint::{Unknown, UnknownGlob};
pub use mapping::{first_label, iam_prefix, strip_api_suffix};
pub use predicates::{EventPredicate, GlobPattern, OperationPredicate, SourcePredicate};

/// eventSource host -> IAM prefix where the prefix is not the host's first
/// label (lowercase hosts, sorted).
pub fn renamed_hosts() -> &'static [(&'static str, &'static str)] {
    table::HOST_PREFIXES
}

/// (prefix, operation, actions of that prefix): the events whose name is no
/// IAM action and the actions they stand for (man/action-stand-ins.md).
pub fn stand_in_table() -> &'static [(&'static str, &'static str, &'static [&'static str])] {
    table::STAND_INS
}

/// (prefix, operation, permissions): what `--implied` adds, per call.
pub fn implied_table() -> &'static [(&'static str, &'static str, &'static [Implied])] {
    table::IMPLIED
}

/// A usage error in an action glob; `Display` is one line, with a hint.
/// Each holds the argument as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionGlobError {
    #[error("action '{0}' has no service prefix: write service:Action, e.g. s3:GetObject")]
    NoService(String),
    #[error("action '{arg}' has an empty service part: write service:Action, e.g. s3:{action}")]
    EmptyService { arg: String, action: String },
    #[error("action '{arg}' has an empty action part: write service:Action, e.g. {service}:*")]
    EmptyAction { arg: String, service: String },
    #[error("action '{0}' has a second ':': write service:Action, e.g. s3:GetObject")]
    SecondColon(String),
    #[error(
        "action '{arg}': {what} in the {part} part; globs take letters, digits, \
         '-', '_', '.', and the wildcards * ? [...] [!...]"
    )]
    BadPattern {
        arg: String,
        what: String,
        part: String,
    },
}

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
    implied: bool,
    /// Identifies this glob set in the per-thread verdict cache.
    id: u64,
}

/// The verdict on an (eventSource, eventName) pair, memoised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    No,
    Yes,
    /// Only through conditional permissions of this IMPLIED row: the
    /// record's requestParameters decide.
    Check(u32),
}

impl ActionMatcher {
    /// Compile the positional IAM_ACTION arguments. No globs = every event.
    pub fn new<S: AsRef<str>>(globs: &[S]) -> Result<Self, ActionGlobError> {
        Self::with_implied(globs, false)
    }

    /// Like `new`; with `implied`, events also match on the permissions their
    /// call needed (`--implied`), judged by `matches_record`.
    pub fn with_implied<S: AsRef<str>>(
        globs: &[S],
        implied: bool,
    ) -> Result<Self, ActionGlobError> {
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
            implied,
            id: NEXT_MATCHER_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The globs the IAM table cannot vouch for (an unknown service, or an
    /// action matching no name the mapping knows for its service), in the
    /// order given: most often typos that would match nothing.
    pub fn unknown_globs(&self) -> Vec<UnknownGlob> {
        self.compiled.iter().filter_map(lint::check).collect()
    }

    /// True when every event matches (no globs, or `*`).
    pub fn matches_all(&self) -> bool {
        self.matches_everything
    }

    /// True when built with `implied`.
    pub fn is_implied(&self) -> bool {
        self.implied
    }

    /// Does an event with this eventSource and eventName match by its own
    /// action or stand-ins (and, with `implied`, by unconditional implied
    /// permissions)? Pass "" for a missing field: such an event matches only
    /// `*` (or no globs). Conditional permissions need `matches_record`.
    pub fn matches(&self, event_source: &str, event_name: &str) -> bool {
        self.verdict(event_source, event_name) == Verdict::Yes
    }

    /// The full verdict: `request_parameters` is called only when a
    /// conditional implied permission decides, so the plain glob query never
    /// reads them.
    pub fn matches_record(
        &self,
        event_source: &str,
        event_name: &str,
        request_parameters: impl FnOnce() -> Option<serde_json::Value>,
    ) -> bool {
        match self.verdict(event_source, event_name) {
            Verdict::Yes => true,
            Verdict::No => false,
            Verdict::Check(row) => {
                let params = request_parameters();
                mapping::implied_at(row as usize).iter().any(|permission| {
                    let (prefix, action) = permission.split();
                    self.compiled.iter().any(|g| g.matches(prefix, action))
                        && permission.when.holds(params.as_ref())
                })
            }
        }
    }

    fn verdict(&self, event_source: &str, event_name: &str) -> Verdict {
        if self.matches_everything {
            return Verdict::Yes;
        }
        if event_source.is_empty() || event_name.is_empty() {
            return Verdict::No;
        }
        cache::verdict(self.id, event_source, event_name, || {
            self.evaluate(event_source, event_name)
        })
    }

    fn evaluate(&self, event_source: &str, event_name: &str) -> Verdict {
        let label = first_label(event_source);
        let prefix = iam_prefix(event_source);
        let operation = strip_api_suffix(prefix, event_name);
        let own = self.compiled.iter().any(|g| {
            (g.service.matches(prefix) || g.service.matches(label)) && g.action.matches(operation)
        });
        let stand_ins = mapping::stand_ins(prefix, operation);
        let standing = || {
            self.compiled
                .iter()
                .any(|g| g.service.matches(prefix) && stand_ins.iter().any(|a| g.action.matches(a)))
        };
        if own || standing() {
            return Verdict::Yes;
        }
        if !self.implied {
            return Verdict::No;
        }
        let Some(row) = mapping::implied_row(prefix, operation) else {
            return Verdict::No;
        };
        let mut conditional = false;
        for permission in mapping::implied_at(row) {
            let (p, a) = permission.split();
            if self.compiled.iter().any(|g| g.matches(p, a)) {
                if permission.when == Cond::Always {
                    return Verdict::Yes;
                }
                conditional = true;
            }
        }
        if conditional {
            Verdict::Check(row as u32)
        } else {
            Verdict::No
        }
    }

    /// For a translator (`--emit-sql`): predicates on (eventSource,
    /// eventName) whose disjunction selects exactly the events `matches`
    /// accepts in the default mode. None when every event matches.
    pub fn event_predicates(&self) -> Option<Vec<EventPredicate>> {
        if self.matches_everything {
            return None;
        }
        Some(predicates::for_globs(&self.compiled))
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
    mapping::hosts_for_prefix(&prefix)
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
    if glob.action_has_wildcard() || mapping::has_versioned_event_names(&prefix) {
        return None;
    }
    let written = glob.written_action.as_str();
    let mut names: Vec<String> = mapping::event_names_needing(&prefix, written)
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
