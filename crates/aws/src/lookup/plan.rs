//! Which LookupEvents queries to run: from --lookup, or from the action globs.

use serde::{Deserialize, Serialize};

use spitzel_core::actions::{ActionMatcher, Narrowing};

use crate::errors::{LookupArgError, UsageError};

/// The attribute keys LookupEvents accepts, as the API spells them.
pub(crate) const LOOKUP_KEYS: [&str; 8] = [
    "EventId",
    "EventName",
    "EventSource",
    "Username",
    "ResourceType",
    "ResourceName",
    "AccessKeyId",
    "ReadOnly",
];

/// One server-side query: an optional single lookup attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct Query {
    pub attribute: Option<(String, String)>,
}

impl Query {
    /// Label for messages.
    pub(crate) fn label(&self) -> String {
        match &self.attribute {
            None => "all events".to_string(),
            Some((key, value)) => format!("{key}={value}"),
        }
    }
}

/// Parse one `--lookup KEY=VALUE`; the key is matched case-insensitively.
pub(crate) fn parse_lookup(arg: &str) -> Result<Query, UsageError> {
    let refuse = |problem| UsageError::Lookup {
        arg: arg.to_string(),
        problem,
    };
    let Some((key, value)) = arg.split_once('=') else {
        return Err(refuse(LookupArgError::NotKeyValue));
    };
    let Some(key) = LOOKUP_KEYS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(key.trim()))
    else {
        return Err(refuse(LookupArgError::UnknownKey {
            key: key.to_string(),
            known: LOOKUP_KEYS.join(", "),
        }));
    };
    if value.is_empty() {
        return Err(refuse(LookupArgError::EmptyValue));
    }
    let value = if *key == "ReadOnly" {
        match value.to_ascii_lowercase().as_str() {
            "true" | "false" => value.to_ascii_lowercase(),
            _ => {
                return Err(refuse(LookupArgError::ReadOnly));
            }
        }
    } else {
        value.to_string()
    };
    Ok(Query {
        attribute: Some((key.to_string(), value)),
    })
}

/// The queries of one region: every --lookup, else the matcher's narrowing,
/// else one unfiltered query. Duplicates are dropped, order kept.
pub(crate) fn plan_queries(
    lookups: &[String],
    matcher: &ActionMatcher,
) -> Result<Vec<Query>, UsageError> {
    let mut queries: Vec<Query> = Vec::new();
    if !lookups.is_empty() {
        for arg in lookups {
            queries.push(parse_lookup(arg)?);
        }
    } else if let Some(narrowing) = matcher.lookup_narrowing() {
        for n in narrowing {
            let attribute = match n {
                Narrowing::EventSource(s) => ("EventSource".to_string(), s),
                Narrowing::EventName(s) => ("EventName".to_string(), s),
            };
            queries.push(Query {
                attribute: Some(attribute),
            });
        }
    }
    if queries.is_empty() {
        queries.push(Query { attribute: None });
    }
    let mut seen = std::collections::HashSet::new();
    queries.retain(|q| seen.insert(q.clone()));
    Ok(queries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_keys_are_validated_and_normalised() {
        let q = parse_lookup("username=alice").unwrap();
        assert_eq!(q.attribute, Some(("Username".into(), "alice".into())));
        assert_eq!(
            parse_lookup("ReadOnly=TRUE").unwrap().label(),
            "ReadOnly=true"
        );
        assert!(
            parse_lookup("Colour=red")
                .unwrap_err()
                .to_string()
                .contains("unknown key")
        );
        assert!(parse_lookup("EventName").is_err());
        assert!(parse_lookup("EventName=").is_err());
        assert!(parse_lookup("ReadOnly=maybe").is_err());
    }

    #[test]
    fn several_lookups_are_kept_once_each() {
        let matcher = ActionMatcher::new::<&str>(&[]).unwrap();
        let lookups = vec![
            "EventName=GetObject".to_string(),
            "Username=bob".to_string(),
            "eventname=GetObject".to_string(),
        ];
        let queries = plan_queries(&lookups, &matcher).unwrap();
        assert_eq!(queries.len(), 2);
        assert_eq!(
            plan_queries(&[], &matcher).unwrap(),
            vec![Query { attribute: None }]
        );
    }
}
