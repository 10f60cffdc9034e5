//! Sigma filters (specification v2.1.0): a selection and condition that a
//! filter document adds to the rules it names, by id or name.
//!
//! Direction: the filter's condition is ANDed onto the rule, as pySigma
//! and rsigma do, so a filter that leaves out the CI role is written
//! `condition: not selection`. (The specification's own example reads the
//! other way; the tools people run the filters on decide here.)

use crate::error::RuleError;
use crate::model::{Condition, Detection, Rule};
use crate::yaml::{Kind, Node};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Filter {
    pub path: PathBuf,
    pub title: String,
    /// The rules it applies to (id or name), with their lines.
    pub rules: Vec<(String, usize)>,
    pub detection: Detection,
}

/// The filter document `doc`, whose `filter:` is `node`; `detection`
/// loads search identifiers and condition as a rule's are.
pub fn load_filter(
    file: &Path,
    doc: &Node,
    node: &Node,
    detection: impl Fn(&Node) -> Result<Detection, RuleError>,
) -> Result<Filter, RuleError> {
    let err = |line: usize, key: &str, message: &str| RuleError::at(file, line, key, message);
    let Some(members) = node.as_map() else {
        return Err(err(node.line, "filter", "must be a mapping"));
    };
    let title = doc
        .get("title")
        .and_then(Node::as_text)
        .ok_or_else(|| err(doc.line, "title", "missing"))?;
    let rules_node = node
        .get("rules")
        .ok_or_else(|| err(node.line, "filter.rules", "missing"))?;
    let rules = match &rules_node.kind {
        Kind::Seq(items) if !items.is_empty() => items
            .iter()
            .map(|item| {
                item.as_text()
                    .map(|text| (text, item.line))
                    .ok_or_else(|| err(item.line, "filter.rules", "must be rule ids or names"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        Kind::Scalar(_) if rules_node.as_text().is_some() => {
            vec![(rules_node.as_text().unwrap_or_default(), rules_node.line)]
        }
        _ => {
            return Err(err(
                rules_node.line,
                "filter.rules",
                "must be a list of rule ids or names",
            ));
        }
    };
    // The rest of `filter:` is a detection section of its own.
    let rest = Node {
        line: node.line,
        kind: Kind::Map(
            members
                .iter()
                .filter(|(key, _)| key != "rules")
                .cloned()
                .collect(),
        ),
    };
    Ok(Filter {
        path: file.to_path_buf(),
        title,
        rules,
        detection: detection(&rest)?,
    })
}

/// Apply every filter to the rules it names; the names no rule answers to
/// (and that no rule of another log source has, in `elsewhere`) are
/// returned as warnings.
pub fn apply(filters: &[Filter], rules: &mut [Rule], elsewhere: &[String]) -> Vec<String> {
    let mut warnings = Vec::new();
    for filter in filters {
        for (reference, line) in &filter.rules {
            let mut found = false;
            for rule in rules.iter_mut() {
                let named = [&rule.id, &rule.name]
                    .into_iter()
                    .flatten()
                    .any(|key| key == reference);
                if named {
                    add_to(&mut rule.detection, &filter.detection);
                    found = true;
                }
            }
            if !found && !elsewhere.contains(reference) {
                warnings.push(format!(
                    "{}:{line}: filter '{}': '{reference}' names no loaded rule; the filter does nothing for it",
                    filter.path.display(),
                    filter.title
                ));
            }
        }
    }
    warnings
}

/// `rule AND filter`: the filter's searches appended, its condition
/// renumbered to them.
fn add_to(rule: &mut Detection, filter: &Detection) {
    let offset = rule.searches.len();
    rule.searches.extend(filter.searches.iter().cloned());
    let condition = renumber(&filter.condition, offset);
    let own = std::mem::replace(&mut rule.condition, Condition::And(Vec::new()));
    rule.condition = Condition::And(vec![own, condition]);
}

fn renumber(condition: &Condition, offset: usize) -> Condition {
    match condition {
        Condition::Search(index) => Condition::Search(index + offset),
        Condition::Not(inner) => Condition::Not(Box::new(renumber(inner, offset))),
        Condition::And(terms) => {
            Condition::And(terms.iter().map(|t| renumber(t, offset)).collect())
        }
        Condition::Or(terms) => Condition::Or(terms.iter().map(|t| renumber(t, offset)).collect()),
    }
}
