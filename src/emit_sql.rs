//! `spitzel-filter --emit-sql`: from the parsed arguments to the text.

use crate::actions::ActionMatcher;
use crate::app::UsageError;
use crate::cli::filter::FilterArgs;
use crate::expr::Expression;
use spitzel_sigma::RuleSet;
use spitzel_sql::{
    ActionPlan, Cond, DdlError, Dialect, Refusal, Source, UnknownDialect, athena_ddl,
    emit as emit_sql,
};

/// Why --emit-sql prints no statement (one line, exit 2).
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    #[error(transparent)]
    Dialect(#[from] UnknownDialect),
    #[error("--sql-ddl goes with --emit-sql athena")]
    DdlNeedsAthena,
    #[error(transparent)]
    Ddl(#[from] DdlError),
    /// The criteria themselves are wrong, as they would be for the filter.
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// The statement (or the DDL).
pub fn emit(args: &FilterArgs, dialect: &str) -> Result<String, EmitError> {
    let dialect = Dialect::parse(dialect)?;
    if let Some(location) = &args.sql_ddl {
        if dialect != Dialect::Athena {
            return Err(EmitError::DdlNeedsAthena);
        }
        return Ok(athena_ddl(location, &args.sql_table)?);
    }
    let matcher =
        ActionMatcher::with_implied(&args.actions, args.implied).map_err(UsageError::from)?;
    let window = args
        .time
        .window(crate::window::now())
        .map_err(UsageError::from)?;
    let mut expressions = Vec::with_capacity(args.matches.len());
    for source in &args.matches {
        let expression = Expression::parse(source).map_err(|error| UsageError::Match {
            text: source.clone(),
            error,
        })?;
        expressions.push(expression);
    }
    let plan = action_plan(&matcher, dialect)?;
    let rules = if args.sigma.is_empty() {
        None
    } else {
        if args.annotate {
            return Err(Refusal::new(
                "--annotate (the statement returns the records as they are; run the filter for the sigma member)",
                dialect,
            )
            .into());
        }
        let level = args
            .sigma_level
            .as_deref()
            .and_then(spitzel_sigma::Level::parse);
        // The same loading as the filter's: skipped logsources, levels.
        let set = RuleSet::load(&args.sigma, level).map_err(UsageError::from)?;
        // A correlation needs grouped sliding frames over the whole input;
        // no statement is written for it rather than an approximation.
        if let Some(correlation) = set.correlations.list.first() {
            let rule = &correlation.rule;
            return Err(Refusal::new(
                format!(
                    "{}:{}: correlation rule '{}' ({})",
                    rule.path.display(),
                    rule.line,
                    rule.title,
                    rule.kind.name()
                ),
                dialect,
            )
            .into());
        }
        Some(set)
    };
    let sigma = rules.as_ref().map(|set| Cond::sigma(&set.rules));
    let cond = Cond::criteria(plan, window, &expressions, sigma);
    let source = match dialect {
        Dialect::Athena => Source::Table(args.sql_table.clone()),
        _ => Source::Files(args.inputs.clone()),
    };
    Ok(emit_sql(dialect, &cond, args.invert_match, &source)?)
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
