//! spitzel-filter's arguments checked once, into the criteria and what to
//! do with them: the pipeline, --emit-sql and --stats all read `Settings`,
//! so that the two outputs cannot judge the same arguments differently.

use spitzel_cli::common::TimeArgsError;
use spitzel_cli::filter::{FilterArgs, SigmaLevel, SqlDialect, SqlOrder};
use spitzel_core::actions::{ActionGlobError, ActionMatcher, UnknownGlob};
use spitzel_core::expr::{ExprError, Expression, excerpt};
use spitzel_input::Limits;
use spitzel_pipeline::SigmaCriterion;
use spitzel_pipeline::{Criteria, DEFAULT_HOLD_LIMIT, Keep};
use spitzel_sigma::Level;
use spitzel_sql::Dialect;
use std::sync::Arc;

/// Arguments that cannot run; `Display` is the one line printed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UsageError {
    #[error(transparent)]
    Actions(#[from] ActionGlobError),
    #[error("{0} (--strict)")]
    UnknownAction(UnknownGlob),
    #[error(transparent)]
    Time(#[from] TimeArgsError),
    #[error("--match '{text}': {error}")]
    Match { text: String, error: ExprError },
    #[error("--sigma: {0}")]
    Sigma(#[from] spitzel_sigma::RuleError),
    #[error("--sigma: {0}")]
    NoSigmaRule(#[from] spitzel_sigma::NothingToRun),
    #[error(transparent)]
    Table(#[from] spitzel_sql::TableNameError),
    #[error("{0}")]
    Correlation(&'static str),
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    #[error(
        "-i '{0}': no such file, and it looks like an IAM action glob: give action globs \
         before -i, or end the -i paths with --"
    )]
    ActionAsInput(String),
    #[error("'{0}' is a file, not an IAM action glob: did you mean -i {0}?")]
    InputAsAction(String),
}

/// `-i` takes every value up to the next option, so an action glob after
/// the paths would be read as a path: one that is no file but has an
/// action's shape (`svc:Name`, no `/`) is refused rather than reported as
/// a missing file. The other way, an action operand that names a file and
/// cannot be an action (no `:`) is a forgotten -i.
fn check_operands(actions: &[String], inputs: &[String]) -> Result<(), UsageError> {
    for input in inputs {
        if looks_like_action(input) && std::fs::symlink_metadata(input).is_err() {
            return Err(UsageError::ActionAsInput(input.clone()));
        }
    }
    for action in actions {
        if !action.contains(':') && std::fs::symlink_metadata(action).is_ok() {
            return Err(UsageError::InputAsAction(action.clone()));
        }
    }
    Ok(())
}

/// `s3:Get*`, `*:Delete*`: a service prefix, a colon, a name; no path separator.
fn looks_like_action(text: &str) -> bool {
    let Some((service, name)) = text.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && !name.is_empty()
        && !text.contains(['/', '\\'])
        && service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-*?".contains(&b))
}

/// The query lint: each glob the IAM table cannot vouch for is a warning
/// line (it may be newer than the table), or with --strict the error.
fn lint_actions(actions: &ActionMatcher, strict: bool) -> Result<(), UsageError> {
    for unknown in actions.unknown_globs() {
        if strict {
            return Err(UsageError::UnknownAction(unknown));
        }
        eprintln!("spitzel-filter: warning: {unknown}");
    }
    Ok(())
}

/// What the checked arguments select, and where it goes.
pub(crate) struct Settings {
    pub criteria: Arc<Criteria>,
    /// -v: the records the criteria do not keep.
    pub invert: bool,
    /// --unique: the duplicate rule on what is written.
    pub unique: bool,
    pub inputs: Vec<String>,
    pub output: Output,
}

/// Where the selection goes.
pub(crate) enum Output {
    /// The records (or their count) on stdout.
    Records(RecordOutput),
    /// --emit-sql: one statement selecting the same records.
    Sql {
        dialect: Dialect,
        table: String,
        order: spitzel_sql::Order,
        skip_refused: bool,
    },
}

/// How the pipeline runs and writes.
pub(crate) struct RecordOutput {
    pub keep: Keep,
    pub count: bool,
    pub quiet: bool,
    pub limit: Option<u64>,
    pub strict: bool,
    pub stats: bool,
    /// With correlation rules: one line per hit instead of the events.
    pub sigma_alerts: bool,
    /// With correlation rules: decide the monotone ones as records arrive.
    pub live: bool,
    /// With correlation rules: the bytes the held matches may take.
    pub sigma_memory: u64,
    /// None: one worker a core.
    pub threads: Option<usize>,
    pub limits: Limits,
}

impl Settings {
    /// Check every criterion, in the order of the options' help.
    pub(crate) fn check(args: FilterArgs) -> Result<Settings, UsageError> {
        check_operands(&args.actions, &args.inputs)?;
        let actions = ActionMatcher::with_implied(&args.actions, args.implied)?;
        lint_actions(&actions, args.strict)?;
        let window = args.time.window(spitzel_core::window::now())?;
        let expressions = args
            .matches
            .iter()
            .map(|source| {
                // A long expression is quoted around the column only.
                Expression::parse(source).map_err(|error| UsageError::Match {
                    text: excerpt(source, error.column),
                    error,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sigma = if args.sigma.is_empty() {
            None
        } else {
            let min_level = args.sigma_level.map(level);
            let criterion =
                SigmaCriterion::load(&args.sigma, min_level, args.annotate, args.stats)?;
            // A set that runs nothing could only ever answer "no match".
            criterion.rules.require_rules(&args.sigma, min_level)?;
            Some(criterion)
        };
        if args.emit_sql == Some(SqlDialect::Athena) {
            // Written into the statement: the same check as --sql-ddl's.
            spitzel_sql::check_table_name(&args.sql_table)?;
        }
        if let Some(sigma) = &sigma {
            if sigma.correlated() && args.invert_match {
                return Err(UsageError::Correlation(
                    "--invert-match cannot be used with Sigma correlation rules (the events outside every hit are not a question they answer)",
                ));
            }
            if args.sigma_alerts && args.emit_sql.is_some() {
                return Err(UsageError::Correlation(
                    "--sigma-alerts cannot be used with --emit-sql (the statement returns the hits' events)",
                ));
            }
            if args.sigma_alerts && !sigma.correlated() {
                return Err(UsageError::Correlation(
                    "--sigma-alerts: no correlation rule among the --sigma rules",
                ));
            }
        }
        let output = match args.emit_sql {
            Some(dialect) => Output::Sql {
                dialect: sql_dialect(dialect),
                table: args.sql_table,
                order: match args.sql_order {
                    Some(SqlOrder::Time) => spitzel_sql::Order::Time,
                    None => spitzel_sql::Order::None,
                },
                skip_refused: args.sql_skip_refused,
            },
            None => Output::Records(RecordOutput {
                keep: if args.count || args.quiet {
                    Keep::Count
                } else {
                    Keep::Lines
                },
                count: args.count,
                quiet: args.quiet,
                limit: args.limit,
                strict: args.strict,
                stats: args.stats,
                sigma_alerts: args.sigma_alerts,
                live: args.live,
                sigma_memory: args
                    .sigma_memory
                    .map_or(DEFAULT_HOLD_LIMIT, |mib| mib.get().saturating_mul(1 << 20)),
                threads: args.threads.map(usize::from),
                limits: Limits {
                    max_record: args.max_record_size,
                },
            }),
        };
        Ok(Settings {
            criteria: Arc::new(Criteria {
                actions,
                window,
                expressions,
                sigma,
            }),
            invert: args.invert_match,
            unique: args.unique,
            inputs: args.inputs,
            output,
        })
    }
}

pub(crate) fn sql_dialect(dialect: SqlDialect) -> Dialect {
    match dialect {
        SqlDialect::Athena => Dialect::Athena,
        SqlDialect::Spark => Dialect::Spark,
        SqlDialect::Duckdb => Dialect::Duckdb,
    }
}

fn level(level: SigmaLevel) -> Level {
    match level {
        SigmaLevel::Informational => Level::Informational,
        SigmaLevel::Low => Level::Low,
        SigmaLevel::Medium => Level::Medium,
        SigmaLevel::High => Level::High,
        SigmaLevel::Critical => Level::Critical,
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_action;

    #[test]
    fn action_shapes() {
        for text in [
            "s3:Get*",
            "*:Delete*",
            "cloudtrail:StopLogging",
            "ec2:Describe[IV]*",
        ] {
            assert!(looks_like_action(text), "{text}");
        }
        for text in [
            "a.json",
            "tree/s3:x.json",
            "C:\\logs",
            ":x",
            "s3:",
            "-",
            "s 3:x",
        ] {
            assert!(!looks_like_action(text), "{text}");
        }
    }
}
