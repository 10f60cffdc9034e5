//! The permissions a call needs per the mapping (for `--implied`), and the
//! mapping's conditions evaluated on a record's `requestParameters`.
//!
//! The mapping names SDK members (`TagSpecifications[].ResourceType`);
//! CloudTrail writes them lowerCamel, and EC2 as `tagSpecificationSet` with
//! an `items` list. A path segment therefore matches a key equal to it
//! ignoring ASCII case, or to it (or its singular) followed by `Set`, or to
//! its singular; an `{"items": [...]}` object reached that way is its list.

use serde_json::Value;

/// When a call needs an action, as the mapping states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    Always,
    /// Some value at the path is not null, false, 0, "", [] or {}.
    Truthy(&'static str),
    /// Some value at the path is present and not null.
    Exists(&'static str),
    NotExists(&'static str),
    /// Some string at the path equals the text.
    Equals(&'static str, &'static str),
    NotEquals(&'static str, &'static str),
    /// Some string at the path contains the text, ignoring ASCII case.
    IContains(&'static str, &'static str),
    INotContains(&'static str, &'static str),
    Any(&'static [Cond]),
    All(&'static [Cond]),
}

/// One permission a call needs: `prefix:Action` and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Implied {
    pub action: &'static str,
    pub when: Cond,
}

impl Implied {
    /// (prefix, action name).
    pub(crate) fn split(&self) -> (&'static str, &'static str) {
        self.action.split_once(':').unwrap_or(("", self.action))
    }
}

impl Cond {
    /// Does the condition hold for these requestParameters (None when the
    /// record has none, or they are not an object)?
    pub fn holds(&self, params: Option<&Value>) -> bool {
        match *self {
            Cond::Always => true,
            Cond::Truthy(path) => resolve(params, path).iter().any(|v| truthy(v)),
            Cond::Exists(path) => resolve(params, path).iter().any(|v| !v.is_null()),
            Cond::NotExists(path) => !Cond::Exists(path).holds(params),
            Cond::Equals(path, text) => resolve(params, path)
                .iter()
                .any(|v| v.as_str() == Some(text)),
            Cond::NotEquals(path, text) => !Cond::Equals(path, text).holds(params),
            Cond::IContains(path, text) => resolve(params, path).iter().any(|v| {
                v.as_str()
                    .is_some_and(|s| s.to_ascii_lowercase().contains(&text.to_ascii_lowercase()))
            }),
            Cond::INotContains(path, text) => !Cond::IContains(path, text).holds(params),
            Cond::Any(conds) => conds.iter().any(|c| c.holds(params)),
            Cond::All(conds) => conds.iter().all(|c| c.holds(params)),
        }
    }

    /// The condition in words, for docs and tests.
    pub fn describe(&self) -> String {
        match *self {
            Cond::Always => "always".to_string(),
            Cond::Truthy(p) => format!("{p} given"),
            Cond::Exists(p) => format!("{p} present"),
            Cond::NotExists(p) => format!("{p} absent"),
            Cond::Equals(p, t) => format!("{p} = {t:?}"),
            Cond::NotEquals(p, t) => format!("{p} != {t:?}"),
            Cond::IContains(p, t) => format!("{p} contains {t:?}"),
            Cond::INotContains(p, t) => format!("{p} lacks {t:?}"),
            Cond::Any(cs) => cs
                .iter()
                .map(Cond::describe)
                .collect::<Vec<_>>()
                .join(" or "),
            Cond::All(cs) => cs
                .iter()
                .map(|c| format!("({})", c.describe()))
                .collect::<Vec<_>>()
                .join(" and "),
        }
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Every value at `path` (`A.B[].C`) under the parameters.
fn resolve<'v>(params: Option<&'v Value>, path: &str) -> Vec<&'v Value> {
    let mut current: Vec<&Value> = params.into_iter().collect();
    for segment in path.split('.') {
        let name = segment.trim_end_matches("[]");
        let mut next = Vec::new();
        for value in current {
            for item in elements(value) {
                if let Some(found) = member(item, name) {
                    next.push(unwrap_items(found));
                }
            }
        }
        current = next;
    }
    current.into_iter().flat_map(elements).collect()
}

/// A list stands for its elements; anything else for itself.
fn elements(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// EC2 writes a list as `{"items": [...]}`.
fn unwrap_items(value: &Value) -> &Value {
    match value {
        Value::Object(map) if map.len() == 1 => match map.get("items") {
            Some(items @ Value::Array(_)) => items,
            _ => value,
        },
        _ => value,
    }
}

fn member<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    let Value::Object(map) = value else {
        return None;
    };
    let singular = name.strip_suffix('s').filter(|s| !s.is_empty());
    let is = |key: &str, want: &str| key.eq_ignore_ascii_case(want);
    let with_set = |key: &str, stem: &str| {
        key.len() == stem.len() + 3
            && key.is_char_boundary(stem.len())
            && is(&key[..stem.len()], stem)
            && is(&key[stem.len()..], "set")
    };
    map.iter()
        .find(|(k, _)| is(k, name))
        .or_else(|| {
            map.iter().find(|(k, _)| {
                with_set(k, name) || singular.is_some_and(|s| with_set(k, s) || is(k, s))
            })
        })
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ec2_sets_and_lower_camel_keys() {
        let tagged = json!({"cidrBlock": "10.0.0.0/16", "tagSpecificationSet": {"items": [
            {"resourceType": "vpc", "tags": [{"key": "Name", "value": "x"}]}]}});
        let cond = Cond::Truthy("TagSpecifications[].ResourceType");
        assert!(cond.holds(Some(&tagged)));
        assert!(!cond.holds(Some(&json!({"cidrBlock": "10.0.0.0/16"}))));
        assert!(!cond.holds(None));
        let profile = json!({"iamInstanceProfile": {"name": "admin"}});
        assert!(Cond::Truthy("IamInstanceProfile.Name").holds(Some(&profile)));
        assert!(!Cond::Truthy("IamInstanceProfile.Arn").holds(Some(&profile)));
    }

    #[test]
    fn stated_comparisons() {
        let p = json!({"statement": "select * from t", "delete": {"objects": [{"key": "a"}]}});
        assert!(Cond::IContains("Statement", "SELECT ").holds(Some(&p)));
        assert!(Cond::INotContains("Statement", "DELETE ").holds(Some(&p)));
        assert!(Cond::NotExists("Delete.Objects[].VersionId").holds(Some(&p)));
        assert!(Cond::NotEquals("TaggingDirective", "REPLACE").holds(Some(&p)));
        let both = Cond::All(&[
            Cond::Truthy("Statement"),
            Cond::Exists("Delete.Objects[].Key"),
        ]);
        assert!(both.holds(Some(&p)));
        let either = Cond::Any(&[Cond::Truthy("Nope"), Cond::Truthy("Other")]);
        assert!(!either.holds(Some(&p)));
        assert!(!Cond::Truthy("Statement").holds(Some(&json!({"statement": ""}))));
        assert!(!Cond::Truthy("X").holds(Some(&json!({"x": false}))));
        assert!(!Cond::Truthy("X").holds(Some(&json!({"x": 0}))));
        assert!(Cond::Truthy("X").holds(Some(&json!({"x": [1]}))));
    }
}
