//! `spitzel-filter --emit-sql`: from the checked settings to the text.

use crate::settings::Settings;
use spitzel_core::actions::ActionMatcher;
use spitzel_core::window::TimeWindow;
use spitzel_input::walk::{is_input_name, walk};
use spitzel_sigma::RuleSet;
use spitzel_sigma::correlation::{Bounds, Kind, Source as SigmaSource};
use spitzel_sql::{
    ActionPlan, Cond, Correlated, Correlation, CorrelationSource, Counted, DdlError, Dialect,
    Events, Order, Refusal, Source, athena_ddl, emit as emit_sql, emit_correlated, scan_warnings,
};
use std::path::Path;

/// A statement and what to tell the user about it on stderr.
pub(crate) struct Emitted {
    pub text: String,
    pub warnings: Vec<String>,
    /// One-line comments for the statement's head (rules left out).
    pub notes: Vec<String>,
}

/// Why --emit-sql prints no statement (one line, exit 2).
#[derive(Debug, thiserror::Error)]
pub(crate) enum EmitError {
    #[error("--sql-ddl goes with --emit-sql athena")]
    DdlNeedsAthena,
    #[error(transparent)]
    Ddl(#[from] DdlError),
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// The statement's first line, a comment: spitzel's version and the
/// command as the user typed it, so a reviewer sees what the statement
/// claims to select. Each argument is shell-quoted, and a line break
/// inside one is written as an escape: it would end the comment.
pub(crate) fn header(args: impl Iterator<Item = String>) -> String {
    let words: Vec<String> = args.map(|a| shell_word(&a)).collect();
    format!(
        "-- spitzel-filter {}: spitzel-filter {}\n",
        env!("CARGO_PKG_VERSION"),
        words.join(" ")
    )
}

/// `text` with its control and line-separating characters escaped: it goes
/// into a one-line SQL comment and a one-line warning.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `word` as a POSIX shell reads it back: bare, in '...', or in $'...'
/// with escapes when it holds control or line-separating characters.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c);
    let breaks = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_owned();
    }
    if !word.chars().any(breaks) {
        return format!("'{}'", word.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in word.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            '\n' => out.push_str(r"\n"),
            '\t' => out.push_str(r"\t"),
            '\r' => out.push_str(r"\r"),
            c if breaks(c) && (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if breaks(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// --sql-ddl: the CREATE EXTERNAL TABLE for a trail location; no criteria.
pub(crate) fn ddl(dialect: Dialect, location: &str, table: &str) -> Result<String, EmitError> {
    if dialect != Dialect::Athena {
        return Err(EmitError::DdlNeedsAthena);
    }
    Ok(athena_ddl(location, table)?)
}

/// The statement selecting the records the filter would write.
pub(crate) fn statement(
    settings: &Settings,
    dialect: Dialect,
    table: &str,
    order: Order,
    skip_refused: bool,
) -> Result<Emitted, EmitError> {
    let criteria = &settings.criteria;
    let mut notes = Vec::new();
    if settings.unique {
        return Err(Refusal::new(
            "--unique (the duplicate rule follows input order, which a table has not)",
            dialect,
        )
        .into());
    }
    let plan = action_plan(&criteria.actions, dialect)?;
    let sigma = match &criteria.sigma {
        None => None,
        Some(sigma) if sigma.annotate => {
            return Err(Refusal::new(
                "--annotate (the statement returns the records as they are; run the filter for the sigma member)",
                dialect,
            )
            .into());
        }
        Some(sigma) if skip_refused && !sigma.rules.correlations.list.is_empty() => {
            return Err(Refusal::new(
                "--sql-skip-refused with correlation rules (their counts need every rule)",
                dialect,
            )
            .into());
        }
        Some(sigma) if !sigma.rules.correlations.list.is_empty() => {
            let correlated = correlated(settings, plan, &sigma.rules);
            let source = source(settings, dialect, table)?;
            let text = emit_correlated(dialect, &correlated, &source, order)?;
            let warnings = scan_warnings(dialect, &correlated.criteria, false, true);
            return Ok(Emitted {
                text,
                warnings,
                notes,
            });
        }
        Some(sigma) if skip_refused => {
            // Each rule alone, as the statement would hold it, over a
            // stand-in source (the real one is checked once, below).
            let probe = match dialect {
                Dialect::Athena => Source::Table(table.to_owned()),
                _ => Source::Files(vec!["probe.ndjson".to_owned()]),
            };
            let mut kept = Vec::new();
            for rule in &sigma.rules.rules {
                let alone = Cond::rule(rule);
                match emit_sql(dialect, &alone, false, &probe, Order::None) {
                    Ok(_) => kept.push(alone),
                    Err(refusal) => notes.push(format!(
                        "left out (no exact translation): {}",
                        one_line(&refusal.construct)
                    )),
                }
            }
            if kept.is_empty() {
                return Err(Refusal::new(
                    format!(
                        "every one of the {} rules (run with --sql-skip-refused off to see the first reason)",
                        sigma.rules.rules.len()
                    ),
                    dialect,
                )
                .into());
            }
            Some(Cond::Or(kept))
        }
        Some(sigma) => Some(Cond::sigma(&sigma.rules.rules)),
    };
    let cond = Cond::criteria(plan, criteria.window, &criteria.expressions, sigma);
    let source = source(settings, dialect, table)?;
    let text = emit_sql(dialect, &cond, settings.invert, &source, order)?;
    let mut warnings: Vec<String> = notes
        .iter()
        .map(|note| format!("warning: --emit-sql {}: {note}", dialect.name()))
        .collect();
    warnings.extend(scan_warnings(dialect, &cond, settings.invert, false));
    Ok(Emitted {
        text,
        warnings,
        notes,
    })
}

fn source(settings: &Settings, dialect: Dialect, table: &str) -> Result<Source, Refusal> {
    match dialect {
        Dialect::Athena => Ok(Source::Table(table.to_owned())),
        _ => {
            let mut files = Vec::new();
            for input in &settings.inputs {
                input_files(input, &settings.criteria.window, dialect, &mut files)?;
            }
            Ok(Source::Files(files))
        }
    }
}

/// The files one `-i` stands for in a DuckDB or Spark statement: a file or
/// object as given, a directory as the files its walk reads (the walk
/// spitzel-filter itself does: hidden entries, digests, other names and
/// files delivered before --from left out), listed one by one: no engine
/// glob can leave out digests and hidden names, fold the extension's case
/// or pick each file's compression by its bytes.
fn input_files(
    input: &str,
    window: &TimeWindow,
    dialect: Dialect,
    files: &mut Vec<String>,
) -> Result<(), Refusal> {
    let refuse = |what: String| Err(Refusal::new(what, dialect));
    if let Some(rest) = strip_prefix_ignore_case(input, "s3://") {
        // One object (a dump) is read as before; a prefix is what
        // spitzel-fetch --s3 lists and sniffs object by object at run time.
        let last = rest.rsplit('/').next().unwrap_or_default();
        if !is_input_name(last) {
            return refuse(format!(
                "the S3 prefix {input} (which of its objects spitzel-fetch --s3 reads, and each \
                 one's compression, are known only by listing and opening them; copy the trail \
                 with aws s3 sync and give the directory with -i)"
            ));
        }
        files.push(input.to_owned());
        return Ok(());
    }
    let path = Path::new(input);
    if input == "-" || !path.is_dir() {
        files.push(input.to_owned());
        return Ok(());
    }
    let tree = match walk(path, window) {
        Ok(tree) => tree,
        Err(e) => return refuse(format!("the directory {input} ({e})")),
    };
    if let Some((under, e)) = tree.unreadable.first() {
        return refuse(format!(
            "the directory {input} ({} cannot be read: {e})",
            under.display()
        ));
    }
    if let Some((under, kind)) = tree.not_files.first() {
        return refuse(format!(
            "the directory {input} ({} is {kind}, which the filter skips and an engine would open)",
            under.display()
        ));
    }
    if tree.files.is_empty() {
        return refuse(format!(
            "the directory {input} (no file under it to read: {} digest, {} left out by \
             delivery time, {} of other names)",
            tree.skipped_digests, tree.skipped_by_name, tree.other_names
        ));
    }
    for file in tree.files {
        match file.into_os_string().into_string() {
            Ok(name) => files.push(name),
            Err(name) => {
                return refuse(format!(
                    "the file {:?} (a name that is not UTF-8, which a statement cannot spell)",
                    Path::new(&name).display()
                ));
            }
        }
    }
    Ok(())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The correlations as the statement decides them: every type, bound
/// and chain, over the filter's sliding frames (never fixed buckets).
fn correlated<'a>(settings: &'a Settings, plan: ActionPlan, set: &'a RuleSet) -> Correlated<'a> {
    let criteria = &settings.criteria;
    let mut correlations = Vec::new();
    for correlation in &set.correlations.list {
        let rule = &correlation.rule;
        let name = format!(
            "{}:{}: correlation rule '{}'",
            rule.path.display(),
            rule.line,
            rule.title
        );
        let counted = match rule.kind {
            Kind::EventCount => Counted::Events,
            Kind::ValueCount { .. } => Counted::Values,
            Kind::Temporal => Counted::Rules,
            Kind::TemporalOrdered => Counted::InOrder,
        };
        // Without a condition (temporal types), every rule must occur: as
        // crates/sigma/src/correlation/decide.rs takes it.
        let bounds = rule.condition.unwrap_or(Bounds {
            gte: Some(correlation.sources.len() as u64),
            ..Bounds::default()
        });
        let sources = correlation
            .sources
            .iter()
            .enumerate()
            .map(|(number, source)| CorrelationSource {
                events: match *source {
                    SigmaSource::Rule(index) => {
                        Events::Rule(Cond::rule(&set.rules[index as usize]))
                    }
                    SigmaSource::Correlation(inner) => Events::Correlation(inner),
                },
                group: correlation.group_fields[number].clone(),
                value: correlation.value_fields[number].clone(),
            })
            .collect();
        correlations.push(Correlation {
            name,
            counted,
            sources,
            timespan: rule.timespan,
            bounds,
            writes: correlation.writes,
        });
    }
    let writes = Cond::Or(
        set.rules
            .iter()
            .zip(&set.correlations.rule_writes)
            .filter(|(_, writes)| **writes)
            .map(|(rule, _)| Cond::rule(rule))
            .collect(),
    );
    Correlated {
        criteria: Cond::criteria(plan, criteria.window, &criteria.expressions, None),
        writes,
        correlations,
    }
}

/// The action globs as predicates on eventSource and eventName.
fn action_plan(matcher: &ActionMatcher, dialect: Dialect) -> Result<ActionPlan, Refusal> {
    if matcher.is_implied() && !matcher.matches_all() {
        return Err(Refusal::new(
            "--implied (its conditions read requestParameters through the mapping's own path rules)",
            dialect,
        ));
    }
    Ok(match matcher.event_predicates() {
        None => ActionPlan::All,
        Some(predicates) => ActionPlan::Any(predicates),
    })
}
