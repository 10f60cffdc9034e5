//! A set of rules loaded from files and directories, indexed by the
//! literal eventName / eventSource values they require, so a record is
//! tested only against the rules that can match it.

use crate::budget::{Undecided, Work};
use crate::correlation::{Correlations, resolve};
use crate::error::RuleError;
use crate::json::JsonValue;
use crate::load::{Loaded, load_text};
use crate::model::{Condition, Item, Level, Rule};
use crate::value_test::Test;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// What loading found besides the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub files: usize,
    /// Rules for another log source than AWS CloudTrail, not compiled.
    pub other_logsource: usize,
    /// Rules under `--sigma-level`, or without a level when one is asked.
    pub below_level: usize,
    /// Sigma filter documents applied.
    pub filters: usize,
    /// What loading reports without stopping (a filter naming no rule).
    pub warnings: Vec<String>,
}

/// A set that would run no rule: its run could only ever say "no match",
/// which a responder would take for an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NothingToRun {
    pub paths: Vec<PathBuf>,
    pub stats: LoadStats,
    pub min_level: Option<Level>,
}

impl fmt::Display for NothingToRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stats = &self.stats;
        if stats.files == 0 {
            let paths: Vec<String> = self.paths.iter().map(|p| p.display().to_string()).collect();
            return write!(f, "no rule file (.yml, .yaml) in {}", paths.join(", "));
        }
        let loaded = stats.other_logsource + stats.below_level;
        write!(
            f,
            "no rule to run: {loaded} {} in {} {}",
            plural(loaded, "rule", "rules"),
            stats.files,
            plural(stats.files, "file", "files")
        )?;
        let mut separator = ": ";
        if stats.other_logsource > 0 {
            write!(
                f,
                "{separator}{} for a logsource other than AWS CloudTrail (product: aws, service: cloudtrail)",
                stats.other_logsource
            )?;
            separator = ", ";
        }
        if stats.below_level > 0 {
            let level = self.min_level.map_or("", Level::name);
            write!(
                f,
                "{separator}{} below --sigma-level {level} (or without a level)",
                stats.below_level
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for NothingToRun {}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub stats: LoadStats,
    /// Correlation rules over `rules`, and which rules write on their own.
    pub correlations: Correlations,
    index: Index,
}

#[derive(Default)]
struct Index {
    by_name: HashMap<String, Vec<u32>>,
    by_source: HashMap<String, Vec<u32>>,
    always: Vec<u32>,
}

/// Longest eventName / eventSource the index looks up in a stack buffer.
const KEY_BUFFER: usize = 128;

impl RuleSet {
    /// Load every path (a rule file, or a directory searched recursively for
    /// `.yml` / `.yaml`), keeping rules at `min_level` or above.
    pub fn load(paths: &[PathBuf], min_level: Option<Level>) -> Result<RuleSet, RuleError> {
        let mut collected = Collected::default();
        for path in paths {
            collect_files(path, &mut collected)?;
        }
        let files = collected.files;
        let mut rules = Vec::new();
        let mut correlations = Vec::new();
        let mut elsewhere = Vec::new();
        let mut filters = Vec::new();
        let mut stats = LoadStats {
            files: files.len(),
            ..LoadStats::default()
        };
        for file in &files {
            let text =
                std::fs::read(file).map_err(|e| whole_file(file, format!("cannot read: {e}")))?;
            let text = String::from_utf8(text).map_err(|_| whole_file(file, "not UTF-8".into()))?;
            for loaded in load_text(file, &text)? {
                match loaded {
                    Loaded::OtherLogsource(names) => {
                        stats.other_logsource += 1;
                        elsewhere.extend(names);
                    }
                    Loaded::Rule(rule) => rules.push(*rule),
                    Loaded::Correlation(rule) => correlations.push(*rule),
                    Loaded::Filter(filter) => filters.push(*filter),
                }
            }
        }
        stats.filters = filters.len();
        stats.warnings = crate::filters::apply(&filters, &mut rules, &elsewhere);
        // --sigma-level applies here, where a rule below it that a kept
        // correlation uses can still be kept for it.
        let resolved = resolve(rules, correlations, &elsewhere, min_level)?;
        stats.below_level += resolved.below_level;
        stats.other_logsource += resolved.other_logsource;
        let mut set = RuleSet::new(resolved.rules, stats);
        set.correlations = resolved.correlations;
        Ok(set)
    }

    pub fn new(rules: Vec<Rule>, stats: LoadStats) -> RuleSet {
        let mut index = Index::default();
        for (number, rule) in rules.iter().enumerate() {
            let number = number as u32;
            let detection = &rule.detection;
            let keys = |field: &str| {
                required(&detection.condition, &|i| {
                    search_keys(&detection.searches[i].maps, field)
                })
            };
            if let Some(names) = keys("eventName") {
                for name in names {
                    index.by_name.entry(name).or_default().push(number);
                }
            } else if let Some(sources) = keys("eventSource") {
                for source in sources {
                    index.by_source.entry(source).or_default().push(number);
                }
            } else {
                index.always.push(number);
            }
        }
        let correlations = Correlations {
            list: Vec::new(),
            rule_writes: vec![true; rules.len()],
        };
        RuleSet {
            rules,
            stats,
            correlations,
            index,
        }
    }

    /// Refuse a set with no rule to run, saying why each loaded rule was
    /// left out (`paths` and `min_level` as given to [`RuleSet::load`]).
    pub fn require_rules(
        &self,
        paths: &[PathBuf],
        min_level: Option<Level>,
    ) -> Result<(), NothingToRun> {
        if !self.rules.is_empty() {
            return Ok(());
        }
        Err(NothingToRun {
            paths: paths.to_vec(),
            stats: self.stats.clone(),
            min_level,
        })
    }

    /// How many rules run on every record (the index cannot rule them out).
    pub fn unindexed(&self) -> usize {
        self.index.always.len()
    }

    /// The numbers (in load order) of the rules matching `record`, whose
    /// top-level eventName and eventSource the caller passes (it has them).
    /// Err: a rule could not decide within the work allowed (see `budget`),
    /// so neither can the record.
    pub fn matching<V: JsonValue>(
        &self,
        record: V,
        event_name: Option<&str>,
        event_source: Option<&str>,
        out: &mut Vec<u32>,
    ) -> Result<(), Undecided> {
        out.clear();
        let work = Work::for_record();
        let mut candidates: [&[u32]; 3] = [&self.index.always, &[], &[]];
        let mut all = false;
        for (slot, (key, map)) in [
            (event_name, &self.index.by_name),
            (event_source, &self.index.by_source),
        ]
        .into_iter()
        .enumerate()
        {
            let Some(key) = key else { continue };
            match lower_ascii(key) {
                Some((buffer, len)) => {
                    // The key is ASCII here: the buffer holds valid UTF-8.
                    let lowered = std::str::from_utf8(&buffer[..len]).unwrap_or("");
                    if let Some(rules) = map.get(lowered) {
                        candidates[slot + 1] = rules;
                    }
                }
                // Non-ASCII or very long: case folding beyond ASCII could
                // still equal a key, so every rule is tried.
                None => all = true,
            }
        }
        if all {
            for (number, rule) in self.rules.iter().enumerate() {
                if rule.matches_within(record, &work)? {
                    out.push(number as u32);
                }
            }
            return Ok(());
        }
        for list in candidates {
            for &number in list {
                if self.rules[number as usize].matches_within(record, &work)? {
                    out.push(number);
                }
            }
        }
        out.sort_unstable();
        Ok(())
    }
}

fn lower_ascii(key: &str) -> Option<([u8; KEY_BUFFER], usize)> {
    if key.len() > KEY_BUFFER || !key.is_ascii() {
        return None;
    }
    let mut buffer = [0u8; KEY_BUFFER];
    let lowered = &mut buffer[..key.len()];
    lowered.copy_from_slice(key.as_bytes());
    lowered.make_ascii_lowercase();
    Some((buffer, key.len()))
}

/// The values of `field` one of which a record must have (lowercased) for
/// the condition to hold, when the condition says so; None when it does not
/// constrain the field.
fn required(
    condition: &Condition,
    search: &dyn Fn(usize) -> Option<Vec<String>>,
) -> Option<Vec<String>> {
    match condition {
        Condition::Search(index) => search(*index),
        // Two-valued not: a negation never requires a value.
        Condition::Not(_) => None,
        Condition::And(terms) => terms
            .iter()
            .filter_map(|t| required(t, search))
            .min_by_key(|keys| keys.len()),
        Condition::Or(terms) => {
            let mut keys = Vec::new();
            for term in terms {
                keys.extend(required(term, search)?);
            }
            Some(keys)
        }
    }
}

/// As `required`, for one search identifier's maps (OR of ANDs).
fn search_keys(maps: &[Vec<Item>], field: &str) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    for map in maps {
        let found = map.iter().find_map(|item| item_keys(item, field))?;
        keys.extend(found);
    }
    Some(keys)
}

/// The literal values an item demands of `field`: plain values with no
/// wildcard, not negated, OR-linked (or a single value).
fn item_keys(item: &Item, field: &str) -> Option<Vec<String>> {
    if item.field.as_deref() != Some(field) || item.negated || (item.all && item.tests.len() > 1) {
        return None;
    }
    let mut keys = Vec::new();
    for variants in &item.tests {
        for test in variants {
            match test {
                Test::Text { matcher, .. } => {
                    let exact = matcher.exact()?;
                    if !exact.is_ascii() {
                        return None;
                    }
                    keys.push(exact.to_ascii_lowercase());
                }
                _ => return None,
            }
        }
    }
    Some(keys)
}

fn whole_file(file: &Path, message: String) -> RuleError {
    RuleError {
        file: file.to_path_buf(),
        line: None,
        key: String::new(),
        message,
    }
}

/// The rule files under the paths given, each real file once.
#[derive(Default)]
struct Collected {
    files: Vec<PathBuf>,
    /// Canonical paths of the files and directories taken so far: links
    /// (`sub/up -> ..`, a directory linking to itself) reach them again.
    seen: HashSet<PathBuf>,
}

impl Collected {
    /// Whether `path` (a file or a directory) is met for the first time.
    fn first_visit(&mut self, path: &Path) -> Result<bool, RuleError> {
        let real = path
            .canonicalize()
            .map_err(|e| whole_file(path, format!("cannot read: {e}")))?;
        Ok(self.seen.insert(real))
    }
}

/// A file as given; a directory's `.yml` / `.yaml` files, recursively, in
/// name order.
fn collect_files(path: &Path, out: &mut Collected) -> Result<(), RuleError> {
    let meta =
        std::fs::metadata(path).map_err(|e| whole_file(path, format!("cannot read: {e}")))?;
    if !out.first_visit(path)? {
        return Ok(());
    }
    if !meta.is_dir() {
        out.files.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| whole_file(path, format!("cannot read directory: {e}")))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_files(&entry, out)?;
        } else if entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yml" || e == "yaml")
            && out.first_visit(&entry)?
        {
            out.files.push(entry);
        }
    }
    Ok(())
}
