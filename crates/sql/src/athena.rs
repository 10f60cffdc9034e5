//! Athena (Trino) over the CloudTrail table as the Athena documentation
//! defines it: string columns, structs read with dots, `resources` with
//! UNNEST. Every column is a STRING holding what CloudTrail writes there (a
//! string; `readOnly` a boolean), and the table cannot tell a JSON null from
//! a missing member: both are NULL. Comparisons rest on those facts; what
//! needs more is refused.

use super::common::{self};
use super::cond::{ActionPlan, Cond};
use super::path::{self, Seg};
use super::{Dialect, Refusal, regex, str_lit};
use spitzel_core::expr::{Literal, Op};
use std::cmp::Ordering;

const D: Dialect = Dialect::Athena;

/// What CloudTrail writes in a column.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Bool,
    /// A JSON object kept as its text (requestParameters ...): refused.
    JsonText,
}

/// The documented table: (CloudTrail's member name, column, kind), nested
/// structs as dotted member paths.
const COLUMNS: &[(&str, &str, Kind)] = &[
    ("eventVersion", "eventversion", Kind::Str),
    ("userIdentity.type", "useridentity.type", Kind::Str),
    (
        "userIdentity.principalId",
        "useridentity.principalid",
        Kind::Str,
    ),
    ("userIdentity.arn", "useridentity.arn", Kind::Str),
    (
        "userIdentity.accountId",
        "useridentity.accountid",
        Kind::Str,
    ),
    (
        "userIdentity.invokedBy",
        "useridentity.invokedby",
        Kind::Str,
    ),
    (
        "userIdentity.accessKeyId",
        "useridentity.accesskeyid",
        Kind::Str,
    ),
    ("userIdentity.userName", "useridentity.username", Kind::Str),
    (
        "userIdentity.onBehalfOf.userId",
        "useridentity.onbehalfof.userid",
        Kind::Str,
    ),
    (
        "userIdentity.onBehalfOf.identityStoreArn",
        "useridentity.onbehalfof.identitystorearn",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        "useridentity.sessioncontext.attributes.mfaauthenticated",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.attributes.creationDate",
        "useridentity.sessioncontext.attributes.creationdate",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.type",
        "useridentity.sessioncontext.sessionissuer.type",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.principalId",
        "useridentity.sessioncontext.sessionissuer.principalid",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.arn",
        "useridentity.sessioncontext.sessionissuer.arn",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.accountId",
        "useridentity.sessioncontext.sessionissuer.accountid",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.userName",
        "useridentity.sessioncontext.sessionissuer.username",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.ec2RoleDelivery",
        "useridentity.sessioncontext.ec2roledelivery",
        Kind::Str,
    ),
    (
        "userIdentity.sessionContext.webIdFederationData.federatedProvider",
        "useridentity.sessioncontext.webidfederationdata.federatedprovider",
        Kind::Str,
    ),
    ("eventTime", "eventtime", Kind::Str),
    ("eventSource", "eventsource", Kind::Str),
    ("eventName", "eventname", Kind::Str),
    ("awsRegion", "awsregion", Kind::Str),
    ("sourceIPAddress", "sourceipaddress", Kind::Str),
    ("userAgent", "useragent", Kind::Str),
    ("errorCode", "errorcode", Kind::Str),
    ("errorMessage", "errormessage", Kind::Str),
    ("requestParameters", "requestparameters", Kind::JsonText),
    ("responseElements", "responseelements", Kind::JsonText),
    ("additionalEventData", "additionaleventdata", Kind::JsonText),
    ("serviceEventDetails", "serviceeventdetails", Kind::JsonText),
    ("requestID", "requestid", Kind::Str),
    ("eventID", "eventid", Kind::Str),
    ("readOnly", "readonly", Kind::Bool),
    ("eventType", "eventtype", Kind::Str),
    ("apiVersion", "apiversion", Kind::Str),
    ("recipientAccountId", "recipientaccountid", Kind::Str),
    ("sharedEventID", "sharedeventid", Kind::Str),
    ("vpcEndpointId", "vpcendpointid", Kind::Str),
    ("vpcEndpointAccountId", "vpcendpointaccountid", Kind::Str),
    ("eventCategory", "eventcategory", Kind::Str),
    (
        "sessionCredentialFromConsole",
        "sessioncredentialfromconsole",
        Kind::Str,
    ),
    ("tlsDetails.tlsVersion", "tlsdetails.tlsversion", Kind::Str),
    (
        "tlsDetails.cipherSuite",
        "tlsdetails.ciphersuite",
        Kind::Str,
    ),
    (
        "tlsDetails.clientProvidedHostHeader",
        "tlsdetails.clientprovidedhostheader",
        Kind::Str,
    ),
];

/// Members of each `resources` element.
const RESOURCE_FIELDS: &[(&str, &str)] =
    &[("ARN", "arn"), ("accountId", "accountid"), ("type", "type")];

pub fn statement(cond: &Cond<'_>, invert: bool, table: &str) -> Result<String, Refusal> {
    if !table
        .split('.')
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return Err(Refusal::new(format!("the table name {table:?}"), D));
    }
    let mut pred = render(cond)?;
    if invert {
        pred = format!("NOT ({pred})");
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
    if !super::json::uses_actions(cond) {
        return Ok(format!(
            "SELECT * FROM {table} WHERE {}",
            clauses.join(" AND ")
        ));
    }
    // The action predicates' inputs, computed once per record.
    let mut from = format!(
        "(SELECT *, eventsource AS {}, eventname AS {} FROM {table})",
        common::ES,
        common::EN
    );
    for (name, expr) in common::action_columns(D) {
        from = format!("(SELECT *, {expr} AS {name} FROM {from})");
    }
    Ok(format!(
        "SELECT * FROM {from} WHERE {}",
        clauses.join(" AND ")
    ))
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
        Cond::Window(w) => common::window(D, w, "eventtime"),
        Cond::Actions(ActionPlan::All) => "TRUE".into(),
        Cond::Actions(ActionPlan::Any(predicates)) => common::actions(D, predicates),
        Cond::Compare { path, op } => compare(path, op)?,
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
            _ => Err(unreachable("a negative index")),
        };
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
    if let Some((member, _, Kind::JsonText)) = COLUMNS
        .iter()
        .find(|(m, _, _)| dotted.starts_with(&format!("{m}.")))
    {
        return Err(Refusal::new(
            format!(
                "the path {path_text} (the table keeps {member} as JSON text; members inside it are not translated yet)"
            ),
            D,
        ));
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
            let sym = match (ord, or_equal) {
                (Ordering::Less, false) => "<",
                (Ordering::Less, true) => "<=",
                (_, false) => ">",
                (_, true) => ">=",
            };
            format!("{v} {sym} {}", str_lit(D, s))
        }
        Op::Order(..) => "FALSE".into(),
        Op::Contains(Literal::Str(part)) if kind == Kind::Str => common::str_contains(D, v, part),
        Op::Contains(_) => "FALSE".into(),
        Op::Regex(re) if kind == Kind::Str => {
            common::regex_match(D, v, &regex::translate(re.source(), D)?)
        }
        Op::Regex(_) => "FALSE".into(),
        Op::Cidr(nets) if kind == Kind::Str => common::cidr(D, v, nets)?,
        Op::Cidr(_) => "FALSE".into(),
    })
}
