//! Correlations tied to what they refer to: detection rules by index,
//! other correlations (chains) in an order where the inner comes first,
//! and `group-by` / `field` resolved through the aliases for each of them.

use super::load::CorrelationRule;
use crate::error::RuleError;
use crate::model::{Level, Rule};
use std::collections::HashMap;

/// What a correlation refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A detection rule, by its number in the rule set.
    Rule(u32),
    /// Another correlation, by its number in [`Correlations::list`].
    Correlation(usize),
}

#[derive(Debug, Clone)]
pub struct Correlation {
    pub rule: CorrelationRule,
    pub sources: Vec<Source>,
    /// Per source, per `group-by` entry: the dotted field read.
    pub group_fields: Vec<Vec<String>>,
    /// Per source: the field value_count counts (empty for other types).
    pub value_fields: Vec<String>,
    /// Its hits are output (its level is kept, and it is not only the inner
    /// part of a chain without `generate`).
    pub writes: bool,
}

/// The correlations to decide, inner before outer, and which detection
/// rules write their own matches.
#[derive(Debug, Clone, Default)]
pub struct Correlations {
    pub list: Vec<Correlation>,
    /// Per rule of the set: false when only correlations without
    /// `generate` use it (or it is below --sigma-level and kept for them).
    pub rule_writes: Vec<bool>,
}

/// What resolving leaves.
pub struct Resolved {
    pub rules: Vec<Rule>,
    pub correlations: Correlations,
    pub below_level: usize,
    /// Correlations left out because they refer to a rule of another log
    /// source.
    pub other_logsource: usize,
}

#[derive(Clone, Copy)]
enum Target {
    Rule(usize),
    Correlation(usize),
    OtherLogsource,
}

fn level_kept(level: Option<Level>, min: Option<Level>) -> bool {
    min.is_none_or(|min| level.is_some_and(|level| level >= min))
}

/// Resolve `documents` against `rules` (every CloudTrail rule loaded, level
/// not yet applied); `elsewhere` holds the ids and names of rules of other
/// log sources.
pub fn resolve(
    rules: Vec<Rule>,
    documents: Vec<CorrelationRule>,
    elsewhere: &[String],
    min_level: Option<Level>,
) -> Result<Resolved, RuleError> {
    let mut names: HashMap<&str, Vec<Target>> = HashMap::new();
    for (index, rule) in rules.iter().enumerate() {
        for key in [&rule.id, &rule.name].into_iter().flatten() {
            names.entry(key).or_default().push(Target::Rule(index));
        }
    }
    for (index, doc) in documents.iter().enumerate() {
        for key in [&doc.id, &doc.name].into_iter().flatten() {
            names
                .entry(key)
                .or_default()
                .push(Target::Correlation(index));
        }
    }
    for key in elsewhere {
        names.entry(key).or_default().push(Target::OtherLogsource);
    }
    let error = |doc: &CorrelationRule, line: usize, key: &str, message: String| {
        RuleError::at(&doc.path, line, key, message)
    };
    // Every reference of every correlation, resolved (one target each).
    let mut targets: Vec<Vec<Target>> = Vec::with_capacity(documents.len());
    for doc in &documents {
        let mut list = Vec::new();
        for (reference, line) in &doc.references {
            let found = names.get(reference.as_str()).map_or(&[][..], Vec::as_slice);
            let mut distinct: Vec<Target> = Vec::new();
            for target in found {
                let same = |t: &Target| match (t, target) {
                    (Target::Rule(a), Target::Rule(b)) => a == b,
                    (Target::Correlation(a), Target::Correlation(b)) => a == b,
                    (Target::OtherLogsource, Target::OtherLogsource) => true,
                    _ => false,
                };
                if !distinct.iter().any(same) {
                    distinct.push(*target);
                }
            }
            match distinct.as_slice() {
                [one] => list.push(*one),
                [] => {
                    return Err(error(
                        doc,
                        *line,
                        "correlation.rules",
                        format!("'{reference}' names no loaded rule (by id or name)"),
                    ));
                }
                _ => {
                    return Err(error(
                        doc,
                        *line,
                        "correlation.rules",
                        format!("'{reference}' names more than one rule"),
                    ));
                }
            }
        }
        targets.push(list);
    }
    // Which correlations run: those at the level asked, and what they need.
    let mut state = vec![Visit::New; documents.len()];
    let mut order = Vec::new();
    let mut other_logsource = 0;
    for index in 0..documents.len() {
        if level_kept(documents[index].level, min_level) {
            visit(index, &documents, &targets, &mut state, &mut order)?;
        }
    }
    // A correlation over a rule of another log source cannot run here, nor
    // can one built on it.
    let mut runnable = vec![false; documents.len()];
    for &index in &order {
        runnable[index] = targets[index].iter().all(|target| match target {
            Target::Rule(_) => true,
            Target::Correlation(inner) => runnable[*inner],
            Target::OtherLogsource => false,
        });
        if !runnable[index] {
            other_logsource += 1;
        }
    }
    let order: Vec<usize> = order.into_iter().filter(|&i| runnable[i]).collect();
    // Rules: kept when at the level asked or used by a kept correlation.
    let mut used = vec![false; rules.len()];
    let mut generated = vec![false; rules.len()];
    let mut inner_generated = vec![false; documents.len()];
    let mut inner_used = vec![false; documents.len()];
    for &index in &order {
        for target in &targets[index] {
            match *target {
                Target::Rule(rule) => {
                    used[rule] = true;
                    generated[rule] |= documents[index].generate;
                }
                Target::Correlation(inner) => {
                    inner_used[inner] = true;
                    inner_generated[inner] |= documents[index].generate;
                }
                Target::OtherLogsource => {}
            }
        }
    }
    let mut renumber = vec![u32::MAX; rules.len()];
    let mut kept = Vec::new();
    let mut rule_writes = Vec::new();
    let mut below_level = 0;
    for (index, rule) in rules.into_iter().enumerate() {
        let at_level = level_kept(rule.level, min_level);
        if !at_level && !used[index] {
            below_level += 1;
            continue;
        }
        renumber[index] = kept.len() as u32;
        rule_writes.push(at_level && (!used[index] || generated[index]));
        kept.push(rule);
    }
    let mut position = vec![usize::MAX; documents.len()];
    for (place, &index) in order.iter().enumerate() {
        position[index] = place;
    }
    below_level += (0..documents.len())
        .filter(|&i| {
            position[i] == usize::MAX && runnable[i] && !level_kept(documents[i].level, min_level)
        })
        .count();
    let mut list = Vec::with_capacity(order.len());
    for &index in &order {
        let doc = &documents[index];
        let sources: Vec<Source> = targets[index]
            .iter()
            .map(|target| match *target {
                Target::Rule(rule) => Source::Rule(renumber[rule]),
                Target::Correlation(inner) => Source::Correlation(position[inner]),
                Target::OtherLogsource => unreachable!("not runnable"),
            })
            .collect();
        let (group_fields, value_fields) =
            fields_per_source(doc, &kept, &documents, &targets[index], &renumber)?;
        list.push(Correlation {
            rule: doc.clone(),
            sources,
            group_fields,
            value_fields,
            writes: level_kept(doc.level, min_level)
                && (!inner_used[index] || inner_generated[index]),
        });
    }
    Ok(Resolved {
        rules: kept,
        correlations: Correlations { list, rule_writes },
        below_level,
        other_logsource,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    Open,
    Done,
}

/// Depth first: inner correlations before the ones that use them; a cycle
/// is an error naming where it closes.
fn visit(
    index: usize,
    documents: &[CorrelationRule],
    targets: &[Vec<Target>],
    state: &mut [Visit],
    order: &mut Vec<usize>,
) -> Result<(), RuleError> {
    match state[index] {
        Visit::Done => return Ok(()),
        Visit::Open => {
            let doc = &documents[index];
            return Err(RuleError::at(
                &doc.path,
                doc.line,
                "correlation.rules",
                format!("'{}' refers back to itself through a chain", doc.title),
            ));
        }
        Visit::New => {}
    }
    state[index] = Visit::Open;
    for target in &targets[index] {
        if let Target::Correlation(inner) = target {
            visit(*inner, documents, targets, state, order)?;
        }
    }
    state[index] = Visit::Done;
    order.push(index);
    Ok(())
}

/// For each source, the field every group-by entry (and value_count's
/// field) reads: the alias's field for that source, else the entry itself.
fn fields_per_source(
    doc: &CorrelationRule,
    rules: &[Rule],
    documents: &[CorrelationRule],
    targets: &[Target],
    renumber: &[u32],
) -> Result<(Vec<Vec<String>>, Vec<String>), RuleError> {
    let error = |key: String, message: String| RuleError::at(&doc.path, doc.line, &key, message);
    // The names a source answers to in an alias: its name and its id.
    let answers = |target: &Target| -> Vec<&str> {
        let (id, name) = match *target {
            Target::Rule(rule) => {
                let rule = &rules[renumber[rule] as usize];
                (&rule.id, &rule.name)
            }
            Target::Correlation(inner) => (&documents[inner].id, &documents[inner].name),
            Target::OtherLogsource => (&None, &None),
        };
        [id, name]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect()
    };
    for (alias, per_rule) in &doc.aliases {
        for (reference, _) in per_rule {
            let known = targets
                .iter()
                .any(|target| answers(target).contains(&reference.as_str()));
            if !known {
                return Err(error(
                    format!("correlation.aliases.{alias}.{reference}"),
                    format!("'{reference}' is not one of this correlation's rules"),
                ));
            }
        }
    }
    let field_for = |entry: &str, target: &Target| -> Result<String, RuleError> {
        let Some((_, per_rule)) = doc.aliases.iter().find(|(alias, _)| alias == entry) else {
            return Ok(entry.to_owned());
        };
        let names = answers(target);
        per_rule
            .iter()
            .find(|(reference, _)| names.contains(&reference.as_str()))
            .map(|(_, field)| field.clone())
            .ok_or_else(|| {
                error(
                    format!("correlation.aliases.{entry}"),
                    format!(
                        "the alias gives no field for rule '{}'",
                        names.first().copied().unwrap_or("(unnamed)")
                    ),
                )
            })
    };
    let mut group_fields = Vec::with_capacity(targets.len());
    let mut value_fields = Vec::with_capacity(targets.len());
    for target in targets {
        let mut fields = Vec::with_capacity(doc.group_by.len());
        for entry in &doc.group_by {
            fields.push(field_for(entry, target)?);
        }
        group_fields.push(fields);
        value_fields.push(match &doc.kind {
            super::Kind::ValueCount { field } => field_for(field, target)?,
            _ => String::new(),
        });
    }
    Ok((group_fields, value_fields))
}
