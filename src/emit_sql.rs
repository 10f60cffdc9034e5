//! `spitzel-filter --emit-sql`: from the parsed arguments to the text.

use crate::actions::ActionMatcher;
use crate::cli::filter::FilterArgs;
use crate::expr::Expression;
use spitzel_sql::{ActionPlan, Cond, Dialect, Refusal, Source, athena_ddl, emit as emit_sql};

/// The statement (or the DDL), or a one-line error.
pub fn emit(args: &FilterArgs, dialect: &str) -> Result<String, String> {
    let dialect = Dialect::parse(dialect)?;
    // Refused rather than left out: a statement without the rules would
    // select more than the filter does.
    if !args.sigma.is_empty() {
        return Err(format!(
            "--emit-sql {}: --sigma rules are not translated to SQL yet; run them with spitzel-filter",
            dialect.name()
        ));
    }
    if let Some(location) = &args.sql_ddl {
        if dialect != Dialect::Athena {
            return Err("--sql-ddl goes with --emit-sql athena".into());
        }
        return athena_ddl(location, &args.sql_table);
    }
    let matcher =
        ActionMatcher::with_implied(&args.actions, args.implied).map_err(|e| e.to_string())?;
    let window = args
        .time
        .window(crate::window::now())
        .map_err(|e| e.to_string())?;
    let mut expressions = Vec::with_capacity(args.matches.len());
    for source in &args.matches {
        let expression =
            Expression::parse(source).map_err(|error| format!("--match '{source}': {error}"))?;
        expressions.push(expression);
    }
    let plan = action_plan(&matcher, dialect)?;
    let cond = Cond::criteria(plan, window, &expressions);
    let source = match dialect {
        Dialect::Athena => Source::Table(args.sql_table.clone()),
        _ => Source::Files(args.inputs.clone()),
    };
    emit_sql(dialect, &cond, args.invert_match, &source).map_err(|e| e.to_string())
}

/// The action globs as predicates on eventSource and eventName.
fn action_plan(matcher: &ActionMatcher, dialect: Dialect) -> Result<ActionPlan, String> {
    if matcher.is_implied() && !matcher.matches_all() {
        return Err(Refusal::new(
            "--implied (its conditions read requestParameters through the mapping's own path rules)",
            dialect,
        )
        .to_string());
    }
    Ok(match matcher.event_predicates() {
        None => ActionPlan::All,
        Some(predicates) => ActionPlan::Any(predicates),
    })
}
