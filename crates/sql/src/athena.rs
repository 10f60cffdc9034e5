//! Athena (Trino) over the CloudTrail table as the Athena documentation
//! defines it: string columns, structs read with dots, `resources` with
//! UNNEST. Every column is a STRING holding what CloudTrail writes there (a
//! string; `readOnly` a boolean), and the table cannot tell a JSON null from
//! a missing member: both are NULL. Comparisons rest on those facts; what
//! needs more is refused.

use super::athena_table::{COLUMNS, Kind, RESOURCE_FIELDS};
use super::common::{self, Actions};
use super::cond::{ActionPlan, Cond};
use super::ddl::table_columns;
use super::path::{self, Seg};
use super::{Dialect, Order, Refusal, regex, str_lit};
use spitzel_core::expr::{Literal, Op};
use std::cmp::Ordering;

const D: Dialect = Dialect::Athena;

pub(crate) fn statement(
    cond: &Cond<'_>,
    invert: bool,
    table: &str,
    order: Order,
) -> Result<String, Refusal> {
    if crate::table::check_table_name(table).is_err() {
        return Err(Refusal::new(format!("the table name {table:?}"), D));
    }
    let mut pred = common::criteria_lines(cond, "    ", &render)?;
    if invert {
        pred = format!("NOT (\n    {pred}\n  )");
    }
    let mut clauses = vec![pred];
    // Partition projection: CloudTrail files are named and placed by
    // delivery time, which is never before the event, so days before
    // --from hold none of its events. Later days may (late delivery).
    if !invert
        && let Some(from) = window_from(cond)
        && let Some(day) = common::key_date(from)
    {
        clauses.push(format!("\"timestamp\" >= '{day}'"));
    }
    // The layout files each record under its account and region
    // (AWSLogs/[ORG/]ACCOUNT/CloudTrail/REGION/), so criteria that pin
    // recipientAccountId or awsRegion pin those partitions too; the
    // injected account partition needs it.
    if !invert {
        for (member, partition) in [("recipientAccountId", "account"), ("awsRegion", "region")] {
            if let Some(values) = pinned(cond, member) {
                let list: Vec<String> = values.iter().map(|v| str_lit(D, v)).collect();
                clauses.push(format!("{partition} IN ({})", list.join(", ")));
            }
        }
    }
    let from = relation(
        table,
        order == Order::Time || super::json::uses_window(cond),
        super::json::uses_actions(cond),
    )?;
    // The table's own columns only: the derived ones are the statement's.
    let mut text = format!(
        "SELECT {}\nFROM {from}\nWHERE {}",
        table_columns().join(", "),
        clauses.join("\n  AND ")
    );
    if order == Order::Time {
        text = format!("{text}\n{}", common::ORDER_BY_TIME);
    }
    Ok(text)
}

/// What an Athena statement for `cond` leaves unpruned, as warnings (one
/// line each): no partition predicate at all (the whole table is read and
/// billed), or no account pinned (a `--sql-ddl` table's injected account
/// partition refuses such a query). A correlation statement and `-v` get
/// no partition predicates.
pub(crate) fn scan_warnings(cond: &Cond<'_>, invert: bool, correlated: bool) -> Vec<String> {
    let prunes = !invert && !correlated;
    let day = prunes && window_from(cond).and_then(common::key_date).is_some();
    let account = prunes && pinned(cond, "recipientAccountId").is_some();
    let region = prunes && pinned(cond, "awsRegion").is_some();
    let mut warnings = Vec::new();
    if !(day || account || region) {
        let why = if invert {
            " (-v selects the events outside the criteria, in every partition)"
        } else if correlated {
            " (a correlation counts events across all partitions)"
        } else {
            ""
        };
        warnings.push(format!(
            "warning: --emit-sql athena: no partition predicate{why}: Athena reads, and bills, the \
             whole table; --from, or a --match pinning $.recipientAccountId or $.awsRegion \
             (== a string, or in strings), would narrow it, and a --sql-ddl table needs the \
             account pinned"
        ));
    } else if !account {
        warnings.push(
            "warning: --emit-sql athena: no account pinned: a --sql-ddl table (its account \
             partition is injected) refuses the query; add --match '$.recipientAccountId == \
             \"ACCOUNT\"' (other tables read every account's files)"
                .to_owned(),
        );
    }
    warnings
}

/// The table with the window's and the action predicates' inputs,
/// computed once per record, when asked for.
pub(crate) fn relation(table: &str, window: bool, actions: Actions) -> Result<String, Refusal> {
    let steps = common::derived_steps(
        D,
        window.then_some("eventtime"),
        actions,
        "eventsource",
        "eventname",
    );
    Ok(common::stepped(table, &steps))
}

/// A condition on one row of the table.
pub(crate) fn predicate(cond: &Cond<'_>) -> Result<String, Refusal> {
    render(cond)
}

/// The strings a top-level member must equal for the whole condition to
/// hold (`$.awsRegion == "x"` or `in [...]` as a conjunct), if any.
fn pinned<'a>(cond: &'a Cond<'_>, member: &str) -> Option<Vec<&'a str>> {
    match cond {
        Cond::And(items) => items.iter().find_map(|c| pinned(c, member)),
        Cond::Compare { path, op } => {
            let segs = path::parse(path).ok()?;
            if !matches!(segs.as_slice(), [Seg::Name(n)] if n == member) {
                return None;
            }
            let text = |lit: &'a Literal| match lit {
                Literal::Str(s) => Some(s.as_str()),
                _ => None,
            };
            match op {
                Op::Eq(lit) => Some(vec![text(lit)?]),
                Op::In(items) => items.iter().map(text).collect(),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The window's start when the whole condition requires it.
fn window_from(cond: &Cond<'_>) -> Option<i64> {
    match cond {
        Cond::Window(w) => w.from,
        Cond::And(items) => items.iter().find_map(window_from),
        _ => None,
    }
}

fn render(cond: &Cond<'_>) -> Result<String, Refusal> {
    Ok(match cond {
        Cond::True => "TRUE".into(),
        Cond::And(items) | Cond::Or(items) if items.is_empty() => if matches!(cond, Cond::And(_)) {
            "TRUE"
        } else {
            "FALSE"
        }
        .into(),
        Cond::And(items) => join(items, " AND ")?,
        Cond::Or(items) => join(items, " OR ")?,
        Cond::Not(inner) => format!("(NOT {})", render(inner)?),
        Cond::Window(w) => common::window(w),
        Cond::Actions(ActionPlan::All) => "TRUE".into(),
        Cond::Actions(ActionPlan::Any(predicates)) => common::actions(D, predicates),
        Cond::Compare { path, op } => compare(path, op)?,
        Cond::Sigma { rule, item } => super::sigma::athena_item(rule, item)?,
    })
}

fn join(items: &[Cond<'_>], sep: &str) -> Result<String, Refusal> {
    let parts = items.iter().map(render).collect::<Result<Vec<_>, _>>()?;
    Ok(format!("({})", parts.join(sep)))
}

fn compare(path_text: &str, op: &Op) -> Result<String, Refusal> {
    let unreachable = |why: &str| {
        Refusal::new(
            format!("the path {path_text} ({why} in the Athena CloudTrail table)"),
            D,
        )
    };
    let segs = path::parse(path_text)
        .map_err(|what| Refusal::new(format!("{what} in the path {path_text}"), D))?;
    let when_missing = op.holds_when_missing();
    let names: Vec<&str> = segs
        .iter()
        .map(|s| match s {
            Seg::Name(n) => Some(n.as_str()),
            _ => None,
        })
        .take_while(Option::is_some)
        .flatten()
        .collect();
    // `$.resources[*].type`, `$.resources[0].ARN`.
    if names == ["resources"] && segs.len() == 3 {
        let Seg::Name(field) = &segs[2] else {
            return Err(unreachable("no such resource member"));
        };
        let column = RESOURCE_FIELDS
            .iter()
            .find(|(m, _)| m == field)
            .map(|(_, c)| *c)
            .ok_or_else(|| unreachable("no such resource member"))?;
        return match &segs[1] {
            Seg::Wild => {
                if when_missing {
                    return Err(Refusal::new(
                        format!(
                            "{path_text} with an operator that holds for None (the table cannot tell a null member from a missing one)"
                        ),
                        D,
                    ));
                }
                let holds = scalar_op(op, &format!("r.{column}"), Kind::Str)?;
                Ok(format!(
                    "COALESCE(EXISTS (SELECT 1 FROM UNNEST(resources) AS t(r) WHERE COALESCE({holds}, FALSE)), FALSE)"
                ))
            }
            Seg::Index(i) if *i >= 0 => {
                let v = format!(
                    "(CASE WHEN cardinality(resources) > {i} THEN element_at(resources, {}).{column} END)",
                    i + 1
                );
                single(op, &v, Kind::Str, when_missing)
            }
            // `[-k]`: the k-th from the end, as Python counts.
            Seg::Index(i) => {
                let from_end = i.unsigned_abs();
                let v = format!(
                    "(CASE WHEN cardinality(resources) >= {from_end} THEN \
                     element_at(resources, cardinality(resources) - {}).{column} END)",
                    from_end - 1
                );
                single(op, &v, Kind::Str, when_missing)
            }
            Seg::Name(_) => Err(unreachable("no such resource member")),
        };
    }
    if let Some(Seg::Name(first)) = segs.first()
        && let Some((_, column, Kind::JsonText)) = COLUMNS.iter().find(|(m, _, _)| m == first)
        && segs.len() > 1
    {
        return json_text_member(path_text, column, &segs[1..], op);
    }
    if names.len() != segs.len() {
        return Err(unreachable(
            "an index or wildcard the table's columns do not have",
        ));
    }
    let dotted = names.join(".");
    if let Some((_, column, kind)) = COLUMNS.iter().find(|(m, _, _)| *m == dotted) {
        if *kind == Kind::JsonText {
            return Err(unreachable("a JSON-text column compared as a whole"));
        }
        return single(op, column, *kind, when_missing);
    }
    if COLUMNS.iter().any(|(m, _, _)| {
        m.eq_ignore_ascii_case(&dotted)
            || m.to_ascii_lowercase()
                .starts_with(&format!("{}.", dotted.to_ascii_lowercase()))
    }) {
        return Err(unreachable(
            "a struct or a name spelled otherwise than CloudTrail spells it, compared",
        ));
    }
    Err(unreachable("no such column"))
}

/// A member inside a JSON-text column (`$.requestParameters.bucketName`),
/// read with json_extract: SQL NULL when missing, a JSON value otherwise,
/// whose kind its json_format text shows (`"` a string, `null`, `true`).
fn json_text_member(
    path_text: &str,
    column: &str,
    rest: &[Seg],
    op: &Op,
) -> Result<String, Refusal> {
    let refuse = |what: &str| {
        Refusal::new(
            format!("{what} in the path {path_text} (inside the JSON text of {column})"),
            D,
        )
    };
    let mut json_path = String::from("$");
    for seg in rest {
        match seg {
            // Plain names only: Trino's and the test engine's JSON paths
            // agree on those without any quoting.
            Seg::Name(name)
                if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                json_path.push('.');
                json_path.push_str(name);
            }
            Seg::Name(name) => return Err(refuse(&format!("the member name {name:?}"))),
            Seg::Index(i) if *i >= 0 => json_path.push_str(&format!("[{i}]")),
            Seg::Index(i) => return Err(refuse(&format!("the negative index [{i}]"))),
            Seg::Wild => return Err(refuse("a wildcard")),
        }
    }
    if rest.is_empty() {
        return Err(refuse("the whole JSON text compared"));
    }
    let value = format!("json_extract({column}, {})", str_lit(D, &json_path));
    let text = format!("json_format({value})");
    let scalar = format!("json_extract_scalar({column}, {})", str_lit(D, &json_path));
    let is_str = format!("substr({text}, 1, 1) = '\"'");
    let eq = |lit: &Literal| -> Result<String, Refusal> {
        Ok(match lit {
            Literal::None => format!("{text} = 'null'"),
            Literal::Bool(b) => format!("{text} = '{b}'"),
            Literal::Str(s) => format!("({is_str} AND {scalar} = {})", str_lit(D, s)),
            Literal::Int(_) | Literal::Float(_) | Literal::BigInt(_) => {
                return Err(refuse("a number compared"));
            }
            Literal::Seq(_) | Literal::Dict(_) => return Err(refuse("a list or dict compared")),
        })
    };
    let holds = match op {
        Op::Eq(lit) => eq(lit)?,
        Op::In(items) => {
            let parts = items.iter().map(eq).collect::<Result<Vec<_>, _>>()?;
            if parts.is_empty() {
                "FALSE".into()
            } else {
                format!("({})", parts.join(" OR "))
            }
        }
        Op::Order(_, _, Literal::Int(_) | Literal::Float(_) | Literal::BigInt(_)) => {
            return Err(refuse("a number compared"));
        }
        Op::Order(ord, or_equal, Literal::Str(s)) => format!(
            "({is_str} AND {scalar} {} {})",
            order_symbol(*ord, *or_equal),
            str_lit(D, s)
        ),
        Op::Order(..) => "FALSE".into(),
        // A string holds a substring, an array an element: the text cannot
        // tell which without a JSON array function both engines share.
        Op::Contains(_) => return Err(refuse("contains")),
        Op::Regex(re) => format!(
            "({is_str} AND {})",
            common::regex_match(D, &scalar, &regex::write(re, D)?)
        ),
        Op::Cidr(nets) => format!("({is_str} AND {})", common::cidr(D, &scalar, nets)?),
    };
    let holds = format!("COALESCE({holds}, FALSE)");
    Ok(if op.holds_when_missing() {
        format!("({value} IS NULL OR {holds})")
    } else {
        holds
    })
}

fn order_symbol(ord: Ordering, or_equal: bool) -> &'static str {
    match (ord, or_equal) {
        (Ordering::Less, false) => "<",
        (Ordering::Less, true) => "<=",
        (_, false) => ">",
        (_, true) => ">=",
    }
}

/// A single value: NULL when missing or null (the two are one here).
fn single(op: &Op, v: &str, kind: Kind, when_missing: bool) -> Result<String, Refusal> {
    let holds = format!("COALESCE({}, FALSE)", scalar_op(op, v, kind)?);
    Ok(if when_missing {
        format!("({v} IS NULL OR {holds})")
    } else {
        holds
    })
}

/// The operator on a non-NULL string column holding a value of `kind`.
fn scalar_op(op: &Op, v: &str, kind: Kind) -> Result<String, Refusal> {
    let eq = |lit: &Literal| -> String {
        match (lit, kind) {
            // NULL is handled by the caller (missing and null are one).
            (Literal::None, _) => "FALSE".into(),
            (Literal::Str(s), Kind::Str) => format!("{v} = {}", str_lit(D, s)),
            (Literal::Bool(b), Kind::Bool) => format!("{v} = '{b}'"),
            _ => "FALSE".into(),
        }
    };
    Ok(match op {
        Op::Eq(lit) => eq(lit),
        Op::In(items) => {
            let parts: Vec<String> = items.iter().map(eq).collect();
            if parts.is_empty() {
                "FALSE".into()
            } else {
                format!("({})", parts.join(" OR "))
            }
        }
        Op::Order(ord, or_equal, Literal::Str(s)) if kind == Kind::Str => {
            format!("{v} {} {}", order_symbol(*ord, *or_equal), str_lit(D, s))
        }
        Op::Order(..) => "FALSE".into(),
        Op::Contains(Literal::Str(part)) if kind == Kind::Str => common::str_contains(D, v, part),
        Op::Contains(_) => "FALSE".into(),
        Op::Regex(re) if kind == Kind::Str => common::regex_match(D, v, &regex::write(re, D)?),
        Op::Regex(_) => "FALSE".into(),
        Op::Cidr(nets) if kind == Kind::Str => common::cidr(D, v, nets)?,
        Op::Cidr(_) => "FALSE".into(),
    })
}
