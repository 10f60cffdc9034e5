//! How one comparison decides on the values a path selected.

use super::cidr::Network;
use super::literal::Literal;
use super::path::Found;
use super::pyregex::PyRegex;
use crate::doc::Scalar;
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// The operator of a comparison with its compiled right side. `!=` and
/// `not in` are the negations of `==` and `in`, built by the parser.
#[derive(Debug)]
pub enum Op {
    Eq(Literal),
    Order(Ordering, bool, Literal),
    In(Vec<Literal>),
    Contains(Literal),
    Regex(PyRegex),
    Cidr(Vec<Network>),
}

/// A JSON value as comparisons see it, borrowed from the tape or a tree.
#[derive(Clone, Copy)]
enum Json<'d> {
    Null,
    Bool(bool),
    Num(Num),
    Str(&'d str),
    Array(&'d [Value]),
    Object(&'d Map<String, Value>),
}

#[derive(Clone, Copy, Debug)]
enum Num {
    Int(i128),
    Float(f64),
}

impl<'d> Json<'d> {
    fn of(value: &'d Value) -> Self {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Json::Num(Num::Int(i.into())),
                (_, Some(u), _) => Json::Num(Num::Int(u.into())),
                (_, _, Some(f)) => Json::Num(Num::Float(f)),
                _ => Json::Null,
            },
            Value::String(s) => Json::Str(s),
            Value::Array(items) => Json::Array(items),
            Value::Object(map) => Json::Object(map),
        }
    }
}

impl Op {
    /// Whether the operator holds for one selected value (None: the path
    /// selected nothing, which stands for Python's None).
    pub fn holds(&self, found: Option<Found<'_>>) -> bool {
        match found {
            None => self.holds_on(Json::Null, true),
            Some(Found::Tree(value)) => self.holds_on(Json::of(value), false),
            Some(Found::Raw(raw)) => match raw.scalar() {
                Scalar::Null => self.holds_on(Json::Null, false),
                Scalar::Bool(b) => self.holds_on(Json::Bool(b), false),
                Scalar::Int(i) => self.holds_on(Json::Num(Num::Int(i)), false),
                Scalar::Float(f) => self.holds_on(Json::Num(Num::Float(f)), false),
                Scalar::Str(s) => self.holds_on(Json::Str(&s), false),
                // Containers are rare on the left of an operator: build the
                // small tree they need.
                Scalar::Tree(value) => self.holds_on(Json::of(&value), false),
            },
        }
    }

    fn holds_on(&self, json: Json<'_>, missing: bool) -> bool {
        match self {
            Op::Eq(lit) => equal(lit, json),
            Op::Order(wanted, or_equal, lit) => {
                order(json, lit).is_some_and(|o| o == *wanted || *or_equal && o == Ordering::Equal)
            }
            Op::In(items) => items.iter().any(|item| equal(item, json)),
            Op::Contains(lit) => !missing && contains(json, lit),
            Op::Regex(re) => matches!(json, Json::Str(s) if re.is_match(s)),
            Op::Cidr(networks) => {
                matches!(json, Json::Str(s) if networks.iter().any(|n| n.contains_text(s)))
            }
        }
    }
}

/// Python's `==` between a literal and a JSON value: numbers by value,
/// booleans only with booleans, containers element by element.
fn equal(lit: &Literal, json: Json<'_>) -> bool {
    match (lit, json) {
        (Literal::None, Json::Null) => true,
        (Literal::Bool(a), Json::Bool(b)) => *a == b,
        (Literal::Int(i), Json::Num(n)) => {
            compare_numbers(n, Num::Int(*i)) == Some(Ordering::Equal)
        }
        (Literal::Float(f), Json::Num(n)) => {
            compare_numbers(n, Num::Float(*f)) == Some(Ordering::Equal)
        }
        (Literal::Str(a), Json::Str(b)) => a == b,
        (Literal::Seq(items), Json::Array(values)) => {
            items.len() == values.len()
                && items
                    .iter()
                    .zip(values)
                    .all(|(item, value)| equal(item, Json::of(value)))
        }
        (Literal::Dict(entries), Json::Object(map)) => dict_equal(entries, map),
        _ => false,
    }
}

fn dict_equal(entries: &[(Literal, Literal)], map: &Map<String, Value>) -> bool {
    let every_key_present = entries
        .iter()
        .all(|(k, _)| matches!(k, Literal::Str(k) if map.contains_key(k)));
    every_key_present
        && map.iter().all(|(key, value)| {
            // In a Python dict display the last of repeated keys wins.
            entries
                .iter()
                .rev()
                .find(|(k, _)| matches!(k, Literal::Str(k) if k == key))
                .is_some_and(|(_, lit)| equal(lit, Json::of(value)))
        })
}

/// The JSON value's order relative to the literal: numbers with numbers,
/// strings with strings (by code point), nothing else.
fn order(json: Json<'_>, lit: &Literal) -> Option<Ordering> {
    match (json, lit) {
        (Json::Num(n), Literal::Int(i)) => compare_numbers(n, Num::Int(*i)),
        (Json::Num(n), Literal::Float(f)) => compare_numbers(n, Num::Float(*f)),
        // UTF-8 byte order is code point order.
        (Json::Str(s), Literal::Str(l)) => Some(s.cmp(l.as_str())),
        _ => None,
    }
}

fn contains(json: Json<'_>, lit: &Literal) -> bool {
    match (json, lit) {
        (Json::Str(s), Literal::Str(part)) => s.contains(part.as_str()),
        (Json::Array(values), _) => values.iter().any(|v| equal(lit, Json::of(v))),
        _ => false,
    }
}

/// Exact comparison of an integer with a float, without rounding the
/// integer through f64.
fn compare_numbers(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => compare_int_float(x, y),
        (Num::Float(x), Num::Int(y)) => compare_int_float(y, x).map(Ordering::reverse),
    }
}

fn compare_int_float(int: i128, float: f64) -> Option<Ordering> {
    const LIMIT: f64 = 1.7014118346046923e38; // 2^127
    if float.is_nan() {
        return None;
    }
    if float >= LIMIT {
        return Some(Ordering::Less);
    }
    if float < -LIMIT {
        return Some(Ordering::Greater);
    }
    let whole = float.trunc();
    // In range, so the cast is exact.
    match int.cmp(&(whole as i128)) {
        Ordering::Equal => 0.0f64.partial_cmp(&(float - whole)),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn holds(op: &Op, value: &Value) -> bool {
        op.holds(Some(Found::Tree(value)))
    }

    fn s(text: &str) -> Literal {
        Literal::Str(text.into())
    }

    #[test]
    fn numbers_compare_by_value_across_int_and_float() {
        assert!(holds(&Op::Eq(Literal::Int(1)), &json!(1.0)));
        assert!(holds(&Op::Eq(Literal::Float(1.0)), &json!(1)));
        assert!(!holds(&Op::Eq(Literal::Float(1.5)), &json!(1)));
        assert!(holds(
            &Op::Eq(Literal::Int(u64::MAX.into())),
            &json!(u64::MAX)
        ));
        assert!(!holds(
            &Op::Eq(Literal::Int(9_007_199_254_740_993)),
            &json!(9_007_199_254_740_992.0)
        ));
        assert_eq!(compare_int_float(2, 1.5), Some(Ordering::Greater));
        assert_eq!(compare_int_float(-2, -1.5), Some(Ordering::Less));
        assert_eq!(compare_int_float(1, 1.0), Some(Ordering::Equal));
        assert_eq!(compare_int_float(0, f64::INFINITY), Some(Ordering::Less));
    }

    #[test]
    fn booleans_compare_only_with_booleans() {
        assert!(!holds(&Op::Eq(Literal::Int(1)), &json!(true)));
        assert!(!holds(&Op::Eq(Literal::Bool(true)), &json!(1)));
        assert!(holds(&Op::Eq(Literal::Bool(true)), &json!(true)));
        assert!(!holds(
            &Op::Order(Ordering::Greater, false, Literal::Int(0)),
            &json!(true)
        ));
    }

    #[test]
    fn none_is_null_or_missing() {
        let eq_none = Op::Eq(Literal::None);
        assert!(holds(&eq_none, &json!(null)));
        assert!(eq_none.holds(None));
        assert!(!holds(&eq_none, &json!(0)));
        assert!(Op::In(vec![Literal::None]).holds(None));
        assert!(!Op::Contains(Literal::None).holds(None));
        assert!(!Op::Order(Ordering::Less, true, Literal::Int(1)).holds(None));
    }

    #[test]
    fn containers_compare_structurally() {
        let list = Literal::Seq(vec![Literal::Int(1), s("a")]);
        assert!(holds(&Op::Eq(list.clone()), &json!([1.0, "a"])));
        assert!(!holds(&Op::Eq(list.clone()), &json!([1, "a", 2])));
        assert!(!holds(&Op::Eq(list), &json!({"0": 1})));
        let dict = Literal::Dict(vec![
            (s("k"), Literal::Seq(vec![])),
            (s("n"), Literal::None),
        ]);
        assert!(holds(&Op::Eq(dict.clone()), &json!({"n": null, "k": []})));
        assert!(!holds(&Op::Eq(dict.clone()), &json!({"n": null})));
        assert!(!holds(&Op::Eq(dict), &json!({"n": null, "k": [], "x": 1})));
    }

    #[test]
    fn ordering_is_numbers_with_numbers_strings_with_strings() {
        let lt = |lit| Op::Order(Ordering::Less, false, lit);
        let ge = |lit| Op::Order(Ordering::Greater, true, lit);
        assert!(holds(&lt(Literal::Int(3)), &json!(2.5)));
        assert!(!holds(&lt(Literal::Int(3)), &json!(3)));
        assert!(holds(&ge(Literal::Int(3)), &json!(3)));
        assert!(holds(&lt(s("b")), &json!("abc")));
        assert!(holds(&ge(s("é")), &json!("ê")));
        assert!(!holds(&lt(s("3")), &json!(2)));
        assert!(!holds(&lt(Literal::Int(3)), &json!("2")));
        assert!(!holds(&lt(Literal::Int(3)), &json!([1])));
    }

    #[test]
    fn contains_substrings_and_elements() {
        assert!(holds(&Op::Contains(s("Deni")), &json!("AccessDenied")));
        assert!(!holds(&Op::Contains(s("deni")), &json!("AccessDenied")));
        assert!(holds(&Op::Contains(Literal::Int(2)), &json!([1, 2.0])));
        assert!(holds(&Op::Contains(s("a")), &json!(["a", "b"])));
        assert!(!holds(&Op::Contains(s("a")), &json!(["ab"])));
        assert!(!holds(&Op::Contains(s("a")), &json!({"a": 1})));
        assert!(!holds(&Op::Contains(Literal::Int(1)), &json!(1)));
    }

    #[test]
    fn regex_and_cidr_need_strings() {
        let re = Op::Regex(PyRegex::new("^1").unwrap());
        assert!(holds(&re, &json!("12")));
        assert!(!holds(&re, &json!(12)));
        assert!(!re.holds(None));
        let cidr = Op::Cidr(vec![Network::parse("10.0.0.0/8").unwrap()]);
        assert!(holds(&cidr, &json!("10.9.8.7")));
        assert!(!holds(&cidr, &json!("AWS Internal")));
        assert!(!holds(&cidr, &json!(167_772_161)));
    }

    #[test]
    fn raw_values_behave_like_tree_values() {
        let mut parser = crate::doc::DocParser::new();
        let record = br#"{"n":1,"s":"x","b":true,"z":null,"a":[1,"x"],"o":{"k":2},"e":"\u0078","f":1.0,"g":-0,"h":1e2,"i":18446744073709551615,"j":123456789012345678901234567890}"#;
        let parsed = parser.parse(record).unwrap();
        let tree = parsed.tree().clone();
        let DocView::Raw(root) = parsed.view() else {
            panic!("raw view expected")
        };
        let ops = [
            Op::Eq(Literal::Int(1)),
            Op::Eq(s("x")),
            Op::Eq(Literal::Bool(true)),
            Op::Eq(Literal::None),
            Op::Eq(Literal::Seq(vec![Literal::Int(1), s("x")])),
            Op::Eq(Literal::Dict(vec![(s("k"), Literal::Int(2))])),
            Op::Contains(s("x")),
            Op::Eq(Literal::Float(1.0)),
            Op::Eq(Literal::Int(0)),
            Op::Eq(Literal::Int(100)),
            Op::Eq(Literal::Int(18_446_744_073_709_551_615)),
            Op::Order(Ordering::Greater, false, Literal::Float(1.2e29)),
        ];
        for key in ["n", "s", "b", "z", "a", "o", "e", "f", "g", "h", "i", "j"] {
            let raw = root.member(key).unwrap();
            for op in &ops {
                assert_eq!(
                    op.holds(Some(Found::Raw(raw))),
                    holds(op, &tree[key]),
                    "{key} {op:?}"
                );
            }
        }
    }
    use crate::doc::DocView;
}
