//! What the matcher needs from a JSON record, so it runs on spitzel's
//! validating scanner and on a `serde_json::Value` alike.

use serde_json::Value;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// One value of a JSON record.
pub trait JsonValue: Copy {
    fn kind(&self) -> JsonKind;
    /// Strings: their contents, unescaped. Numbers and booleans: their JSON
    /// text. Objects and arrays: their compact JSON text (see
    /// [`compact_json`]). Null: `null`.
    fn text(&self) -> Cow<'_, str>;
    /// Member `key` of an object (None for other values).
    fn member(&self, key: &str) -> Option<Self>;
    /// Whether `f` holds for some element of an array (false otherwise).
    fn any_element(&self, f: &mut dyn FnMut(Self) -> bool) -> bool;
    /// Whether `f` holds for some member value of an object.
    fn any_member_value(&self, f: &mut dyn FnMut(Self) -> bool) -> bool;
}

/// JSON text without the white space between tokens; strings and numbers
/// stay as written. Borrowed when there is nothing to remove.
pub fn compact_json(json: &str) -> Cow<'_, str> {
    let bytes = json.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    let needs = bytes.iter().any(|&b| {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            false
        } else if b == b'"' {
            in_string = true;
            false
        } else {
            spitzel_core::json_bytes::is_space(b)
        }
    });
    if !needs {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

impl JsonValue for &Value {
    fn kind(&self) -> JsonKind {
        match self {
            Value::Null => JsonKind::Null,
            Value::Bool(_) => JsonKind::Bool,
            Value::Number(_) => JsonKind::Number,
            Value::String(_) => JsonKind::String,
            Value::Array(_) => JsonKind::Array,
            Value::Object(_) => JsonKind::Object,
        }
    }

    fn text(&self) -> Cow<'_, str> {
        match self {
            Value::String(s) => Cow::Borrowed(s),
            Value::Null => Cow::Borrowed("null"),
            other => Cow::Owned(other.to_string()),
        }
    }

    fn member(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }

    fn any_element(&self, f: &mut dyn FnMut(Self) -> bool) -> bool {
        match self {
            Value::Array(items) => items.iter().any(f),
            _ => false,
        }
    }

    fn any_member_value(&self, f: &mut dyn FnMut(Self) -> bool) -> bool {
        match self {
            Value::Object(map) => map.values().any(f),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_removes_only_white_space_between_tokens() {
        assert_eq!(compact_json(r#"{"a":1}"#), Cow::Borrowed(r#"{"a":1}"#));
        assert_eq!(
            compact_json("{ \"a b\" : [ 1 , \"x \\\" y\" ] }"),
            "{\"a b\":[1,\"x \\\" y\"]}"
        );
    }
}
