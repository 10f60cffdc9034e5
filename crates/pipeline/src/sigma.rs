//! --sigma: Sigma rules as one more criterion, on the record scanner's
//! values, and the --annotate member naming the rules that matched.

use serde_json::json;
use spitzel_core::doc::{Doc, DocView};
use spitzel_core::json_bytes::is_space;
use spitzel_sigma::{Level, RuleError, RuleSet, Undecided};
use std::io::Write;
use std::path::PathBuf;

/// The loaded rules and what the output needs of them.
pub struct SigmaCriterion {
    pub rules: RuleSet,
    /// Append the "sigma" member to written records.
    pub annotate: bool,
    /// Count matches per rule (--stats).
    pub count: bool,
    /// Each rule's entry of the "sigma" array, as JSON text.
    entries: Vec<String>,
    /// The fields correlations read (`Correlations::fields`), each split
    /// at its dots, and the rules they use (sorted): taken once here, read
    /// for every held record.
    pub(crate) correlation_fields: Vec<Vec<String>>,
    pub(crate) correlation_rules: Vec<u32>,
}

impl SigmaCriterion {
    pub fn load(
        paths: &[PathBuf],
        level: Option<Level>,
        annotate: bool,
        count: bool,
    ) -> Result<SigmaCriterion, RuleError> {
        let rules = RuleSet::load(paths, level)?;
        for warning in &rules.stats.warnings {
            eprintln!("spitzel-filter: --sigma: {warning}");
        }
        let entries = rules
            .rules
            .iter()
            .map(|rule| {
                json!({
                    "id": rule.id,
                    "title": rule.title,
                    "level": rule.level.map(Level::name),
                    "author": rule.author,
                })
                .to_string()
            })
            .collect();
        let correlation_fields = rules
            .correlations
            .fields()
            .iter()
            .map(|field| field.split('.').map(str::to_owned).collect())
            .collect();
        let correlation_rules = rules.correlations.used_rules();
        Ok(SigmaCriterion {
            rules,
            annotate,
            count,
            entries,
            correlation_fields,
            correlation_rules,
        })
    }

    /// Correlation rules are loaded: matches are held to the end.
    pub fn correlated(&self) -> bool {
        !self.rules.correlations.list.is_empty()
    }

    /// Rule `number`'s entry of the "sigma" array, as JSON text.
    pub(crate) fn entry(&self, number: u32) -> &str {
        &self.entries[number as usize]
    }

    /// The rules matching `doc` into `out` (load order); Err when a rule
    /// could not decide within the work allowed.
    pub(crate) fn hits(
        &self,
        doc: &Doc<'_>,
        event_name: Option<&str>,
        out: &mut Vec<u32>,
    ) -> Result<(), Undecided> {
        let source = doc.top_str("eventSource");
        match doc.view() {
            DocView::Raw(root) => self.rules.matching(root, event_name, source, out),
            DocView::Tree(tree) => self.rules.matching(tree, event_name, source, out),
        }
    }

    /// `record` with `"sigma":[...]` added as its last member.
    pub(crate) fn write_annotated(&self, record: &[u8], hits: &[u32], out: &mut Vec<u8>) {
        let entries: Vec<&str> = hits.iter().map(|&hit| self.entry(hit)).collect();
        append_member(record, &entries, out);
    }

    /// The per-rule part of --stats.
    pub fn print_stats(&self, counts: &[u64]) {
        let stats = &self.rules.stats;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "spitzel-filter: stats: sigma: {} rule files, {} rules run ({} on every record, the rest by eventName/eventSource), \
             {} skipped (logsource not AWS CloudTrail), {} below --sigma-level, {} filters",
            stats.files,
            self.rules.rules.len(),
            self.rules.unindexed(),
            stats.other_logsource,
            stats.below_level,
            stats.filters
        );
        for (number, rule) in self.rules.rules.iter().enumerate() {
            let _ = writeln!(
                err,
                "spitzel-filter: stats: sigma: {} {} [{}] {}",
                counts.get(number).copied().unwrap_or(0),
                rule.id.as_deref().unwrap_or("-"),
                rule.level.map_or("-", Level::name),
                rule.title
            );
        }
    }
}

/// `record` with `"sigma":[entries...]` added as its last member.
pub(crate) fn append_member<S: AsRef<str>>(record: &[u8], entries: &[S], out: &mut Vec<u8>) {
    // A validated object: its last byte other than white space is '}'.
    let close = record
        .iter()
        .rposition(|&b| b == b'}')
        .unwrap_or(record.len());
    let before = record[..close]
        .iter()
        .rposition(|&b| !is_space(b))
        .map(|at| record[at]);
    out.extend_from_slice(&record[..close]);
    if before != Some(b'{') {
        out.push(b',');
    }
    out.extend_from_slice(b"\"sigma\":[");
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(entry.as_ref().as_bytes());
    }
    out.extend_from_slice(b"]");
    out.extend_from_slice(&record[close..]);
}
