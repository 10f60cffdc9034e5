//! The default-mode verdict as a finite disjunction of predicates on
//! (eventSource, eventName), for translators such as `--emit-sql`. Each
//! predicate is `source AND operation`, where, as in `ActionMatcher::matches`,
//! `prefix = iam_prefix(eventSource)`, `label = first_label(eventSource)` and
//! `operation = strip_api_suffix(prefix, eventName)`; both fields must be
//! non-empty strings. All comparisons are ASCII-case-insensitive: compare the
//! lowercased columns with the lowercase texts and regexes here.

use super::glob::{ActionGlob, Pattern};
use super::mapping::stand_ins;
use super::table::STAND_INS;

/// A glob in two exact forms: the fnmatch text and an anchored regex over
/// the lowercased value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobPattern {
    /// fnmatch syntax, lowercase.
    pub glob: String,
    /// `^...$`, lowercase, valid in RE2 (DuckDB) and Java (Spark).
    pub regex: String,
}

impl GlobPattern {
    fn of(written: &str, pattern: &Pattern) -> Self {
        GlobPattern {
            glob: written.to_ascii_lowercase(),
            regex: pattern.to_regex(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourcePredicate {
    /// `prefix` or `label` matches the glob.
    PrefixOrLabel(GlobPattern),
    /// `prefix` equals this (lowercase).
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OperationPredicate {
    /// `operation` matches the glob.
    Glob(GlobPattern),
    /// `operation` equals this (lowercase).
    Exact(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventPredicate {
    pub source: SourcePredicate,
    pub operation: OperationPredicate,
}

impl EventPredicate {
    /// The predicate evaluated in Rust (the reference for translators).
    pub fn holds(&self, event_source: &str, event_name: &str) -> bool {
        if event_source.is_empty() || event_name.is_empty() {
            return false;
        }
        let prefix = super::iam_prefix(event_source);
        let label = super::first_label(event_source);
        let operation = super::strip_api_suffix(prefix, event_name);
        let source = match &self.source {
            SourcePredicate::PrefixOrLabel(g) => {
                let p = compile(&g.glob);
                p.matches(prefix) || p.matches(label)
            }
            SourcePredicate::Prefix(p) => prefix.eq_ignore_ascii_case(p),
        };
        source
            && match &self.operation {
                OperationPredicate::Glob(g) => compile(&g.glob).matches(operation),
                OperationPredicate::Exact(o) => operation.eq_ignore_ascii_case(o),
            }
    }
}

fn compile(glob: &str) -> Pattern {
    Pattern::parse(glob, glob, "predicate").expect("built from a parsed glob")
}

pub(super) fn for_globs(globs: &[ActionGlob]) -> Vec<EventPredicate> {
    let mut out: Vec<EventPredicate> = Vec::new();
    let mut push = |p: EventPredicate| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    for g in globs {
        let service_text = g.service_written();
        push(EventPredicate {
            source: SourcePredicate::PrefixOrLabel(GlobPattern::of(&service_text, &g.service)),
            operation: OperationPredicate::Glob(GlobPattern::of(&g.written_action, &g.action)),
        });
    }
    for (prefix, operation, _) in STAND_INS {
        let reached = globs.iter().any(|g| {
            g.service.matches(prefix)
                && stand_ins(prefix, operation)
                    .iter()
                    .any(|a| g.action.matches(a))
        });
        if reached {
            push(EventPredicate {
                source: SourcePredicate::Prefix(prefix.to_string()),
                operation: OperationPredicate::Exact(operation.to_ascii_lowercase()),
            });
        }
    }
    out
}
