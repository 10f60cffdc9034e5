//! `spitzel-filter --emit-sql`: from the checked settings to the text.

use crate::settings::Settings;
use spitzel_core::actions::ActionMatcher;
use spitzel_sql::{
    ActionPlan, Cond, DdlError, Dialect, Refusal, Source, athena_ddl, emit as emit_sql,
};

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
) -> Result<String, EmitError> {
    let criteria = &settings.criteria;
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
        // A correlation needs grouped sliding frames over the whole input;
        // no statement is written for it rather than an approximation.
        Some(sigma) if !sigma.rules.correlations.list.is_empty() => {
            let rule = &sigma.rules.correlations.list[0].rule;
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
        Some(sigma) => Some(Cond::sigma(&sigma.rules.rules)),
    };
    let cond = Cond::criteria(plan, criteria.window, &criteria.expressions, sigma);
    let source = match dialect {
        Dialect::Athena => Source::Table(table.to_owned()),
        _ => Source::Files(settings.inputs.clone()),
    };
    Ok(emit_sql(dialect, &cond, settings.invert, &source)?)
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
