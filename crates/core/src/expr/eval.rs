//! How one comparison decides on the values a path selected.
//!
//! Numbers compare as Python compares what its `json` module reads:
//! integers of any size exactly, floats as f64, and an integer with a float
//! by their exact values, never by rounding the integer to a float.

use super::literal::Literal;
use super::path::Found;
use super::pyregex::{GaveUp, PyRegex};
use crate::doc::{Raw, Scalar};
use crate::net::Network;
use serde_json::{Map, Value};
use std::borrow::Cow;
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

/// A JSON value as comparisons see it, borrowed from a tree or from the
/// record's text.
#[derive(Clone)]
enum Json<'d> {
    Null,
    Bool(bool),
    Num(Num<'d>),
    Str(Cow<'d, str>),
    Array(&'d [Value]),
    Object(&'d Map<String, Value>),
    RawArray(Raw<'d>),
    RawObject(Raw<'d>),
}

#[derive(Clone, Debug)]
enum Num<'d> {
    Int(i128),
    /// Beyond i128, as decimal text `-?[1-9][0-9]*`.
    Big(Cow<'d, str>),
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
            Value::String(s) => Json::Str(Cow::Borrowed(s)),
            Value::Array(items) => Json::Array(items),
            Value::Object(map) => Json::Object(map),
        }
    }

    fn of_raw(raw: Raw<'d>) -> Self {
        match raw.scalar() {
            Scalar::Null => Json::Null,
            Scalar::Bool(b) => Json::Bool(b),
            Scalar::Int(i) => Json::Num(Num::Int(i)),
            Scalar::BigInt(digits) => Json::Num(Num::Big(Cow::Borrowed(digits))),
            Scalar::Float(f) => Json::Num(Num::Float(f)),
            Scalar::Str(s) => Json::Str(s),
            Scalar::Array(raw) => Json::RawArray(raw),
            Scalar::Object(raw) => Json::RawObject(raw),
        }
    }

    /// The elements of an array, None for other values.
    fn elements(&self) -> Option<Vec<Json<'d>>> {
        match self {
            Json::Array(values) => Some(values.iter().map(Json::of).collect()),
            Json::RawArray(raw) => Some(raw.elements().into_iter().map(Json::of_raw).collect()),
            _ => None,
        }
    }

    /// The members of an object, a repeated key resolved to its last value
    /// (as both serde_json and Python's json do); None for other values.
    fn members(&self) -> Option<Vec<(Cow<'d, str>, Json<'d>)>> {
        match self {
            Json::Object(map) => Some(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::of(v)))
                    .collect(),
            ),
            Json::RawObject(raw) => {
                let mut members: Vec<(Cow<'d, str>, Json<'d>)> = Vec::new();
                for (key, value) in raw.members() {
                    let value = Json::of_raw(value);
                    match members.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => members.push((key, value)),
                    }
                }
                Some(members)
            }
            _ => None,
        }
    }
}

impl Op {
    /// Whether the operator holds for one selected value (None: the path
    /// selected nothing, which stands for Python's None). An error when a
    /// regex ran out of budget: the record cannot be decided.
    pub fn holds(&self, found: Option<Found<'_>>) -> Result<bool, GaveUp> {
        match found {
            None => self.holds_on(Json::Null, true),
            Some(Found::Tree(value)) => self.holds_on(Json::of(value), false),
            Some(Found::Raw(raw)) => self.holds_on(Json::of_raw(raw), false),
        }
    }

    /// Whether the operator holds when the path selects nothing. Never
    /// undecided: only a regex can be, and it runs on strings alone.
    pub fn holds_when_missing(&self) -> bool {
        self.holds(None).unwrap_or(false)
    }

    fn holds_on(&self, json: Json<'_>, missing: bool) -> Result<bool, GaveUp> {
        Ok(match self {
            Op::Eq(lit) => equal(lit, &json),
            Op::Order(wanted, or_equal, lit) => {
                order(&json, lit).is_some_and(|o| o == *wanted || *or_equal && o == Ordering::Equal)
            }
            Op::In(items) => items.iter().any(|item| equal(item, &json)),
            Op::Contains(lit) => !missing && contains(&json, lit),
            Op::Regex(re) => match &json {
                Json::Str(s) => re.is_match(s)?,
                _ => false,
            },
            Op::Cidr(networks) => {
                matches!(&json, Json::Str(s) if networks.iter().any(|n| n.contains_text(s)))
            }
        })
    }
}

/// A numeric literal as a number.
fn literal_number(lit: &Literal) -> Option<Num<'_>> {
    match lit {
        Literal::Int(i) => Some(Num::Int(*i)),
        Literal::BigInt(digits) => Some(Num::Big(Cow::Borrowed(digits))),
        Literal::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

/// Python's `==` between a literal and a JSON value: numbers by value,
/// booleans only with booleans, containers element by element.
fn equal(lit: &Literal, json: &Json<'_>) -> bool {
    if let (Some(want), Json::Num(n)) = (literal_number(lit), json) {
        return compare_numbers(n, &want) == Some(Ordering::Equal);
    }
    match (lit, json) {
        (Literal::None, Json::Null) => true,
        (Literal::Bool(a), Json::Bool(b)) => a == b,
        (Literal::Str(a), Json::Str(b)) => a == b,
        (Literal::Seq(items), Json::Array(_) | Json::RawArray(_)) => {
            let values = json.elements().unwrap_or_default();
            items.len() == values.len()
                && items
                    .iter()
                    .zip(&values)
                    .all(|(item, value)| equal(item, value))
        }
        (Literal::Dict(entries), Json::Object(_) | Json::RawObject(_)) => {
            dict_equal(entries, &json.members().unwrap_or_default())
        }
        _ => false,
    }
}

fn dict_equal(entries: &[(Literal, Literal)], members: &[(Cow<'_, str>, Json<'_>)]) -> bool {
    let every_key_present = entries
        .iter()
        .all(|(k, _)| matches!(k, Literal::Str(k) if members.iter().any(|(m, _)| m == k)));
    every_key_present
        && members.iter().all(|(key, value)| {
            // In a Python dict display the last of repeated keys wins.
            entries
                .iter()
                .rev()
                .find(|(k, _)| matches!(k, Literal::Str(k) if k == key))
                .is_some_and(|(_, lit)| equal(lit, value))
        })
}

/// The JSON value's order relative to the literal: numbers with numbers,
/// strings with strings (by code point), nothing else.
fn order(json: &Json<'_>, lit: &Literal) -> Option<Ordering> {
    match (json, lit) {
        (Json::Num(n), _) => compare_numbers(n, &literal_number(lit)?),
        // UTF-8 byte order is code point order.
        (Json::Str(s), Literal::Str(l)) => Some(s.as_ref().cmp(l.as_str())),
        _ => None,
    }
}

fn contains(json: &Json<'_>, lit: &Literal) -> bool {
    match (json, lit) {
        (Json::Str(s), Literal::Str(part)) => s.contains(part.as_str()),
        (Json::Array(_) | Json::RawArray(_), _) => json
            .elements()
            .unwrap_or_default()
            .iter()
            .any(|v| equal(lit, v)),
        _ => false,
    }
}

/// Exact comparison of two numbers, as Python compares int and float.
fn compare_numbers(a: &Num<'_>, b: &Num<'_>) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(y),
        (Num::Int(x), Num::Float(y)) => compare_int_float(*x, *y),
        (Num::Float(_), Num::Int(_) | Num::Big(_)) => compare_numbers(b, a).map(Ordering::reverse),
        (Num::Big(x), Num::Big(y)) => Some(compare_decimal(x, y)),
        // A Big lies beyond i128 either way: its sign decides.
        (Num::Big(x), Num::Int(_)) => Some(sign_of(x)),
        (Num::Int(_), Num::Big(y)) => Some(sign_of(y).reverse()),
        (Num::Big(x), Num::Float(y)) => compare_big_float(x, *y),
    }
}

fn sign_of(decimal: &str) -> Ordering {
    if decimal.starts_with('-') {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

/// Order of two decimal integers written `-?[1-9][0-9]*` (or `0`).
fn compare_decimal(a: &str, b: &str) -> Ordering {
    let (a_neg, a_digits) = a.strip_prefix('-').map_or((false, a), |d| (true, d));
    let (b_neg, b_digits) = b.strip_prefix('-').map_or((false, b), |d| (true, d));
    match (a_neg, b_neg) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => {
            let magnitude = a_digits
                .len()
                .cmp(&b_digits.len())
                .then_with(|| a_digits.cmp(b_digits));
            if a_neg {
                magnitude.reverse()
            } else {
                magnitude
            }
        }
    }
}

/// An integer beyond i128 against a float.
fn compare_big_float(big: &str, float: f64) -> Option<Ordering> {
    const LIMIT: f64 = 1.7014118346046923e38; // 2^127
    if float.is_nan() {
        return None;
    }
    if float.is_infinite() {
        return Some(if float > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    if float.abs() < LIMIT {
        return Some(sign_of(big));
    }
    // Past 2^53 every float is an integer; Rust prints its exact digits.
    Some(compare_decimal(big, &format!("{float:.0}")))
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
        op.holds(Some(Found::Tree(value))).unwrap()
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
        assert!(eq_none.holds(None).unwrap());
        assert!(!holds(&eq_none, &json!(0)));
        assert!(Op::In(vec![Literal::None]).holds(None).unwrap());
        assert!(!Op::Contains(Literal::None).holds(None).unwrap());
        assert!(
            !Op::Order(Ordering::Less, true, Literal::Int(1))
                .holds(None)
                .unwrap()
        );
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
        assert!(!re.holds(None).unwrap());
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
                // "j" is beyond 64 bits: the tree rounds it, the text does not.
                if key != "j" {
                    assert_eq!(
                        op.holds(Some(Found::Raw(raw))).unwrap(),
                        holds(op, &tree[key]),
                        "{key} {op:?}"
                    );
                }
            }
        }
    }
    use crate::doc::DocView;

    fn raw_holds(op: &Op, record: &str, key: &str) -> bool {
        let mut parser = crate::doc::DocParser::new();
        let parsed = parser.parse(record.as_bytes()).unwrap();
        let DocView::Raw(root) = parsed.view() else {
            panic!("raw view expected")
        };
        op.holds(Some(Found::Raw(root.member(key).unwrap())))
            .unwrap()
    }

    #[test]
    fn big_integers_compare_exactly() {
        let big = "123456789012345678901234567890";
        let wide = "1234567890123456789012345678901234567890123";
        let record = format!(r#"{{"n":{big},"m":-{wide},"f":1.2345678901234568e29}}"#);
        let eq = |lit| Op::Eq(lit);
        assert!(raw_holds(
            &eq(Literal::Int(big.parse().unwrap())),
            &record,
            "n"
        ));
        assert!(!raw_holds(
            &eq(Literal::Int(big.parse::<i128>().unwrap() + 1)),
            &record,
            "n"
        ));
        // Python: 123456789012345678901234567890 == 1.2345678901234568e29 is False.
        assert!(!raw_holds(
            &eq(Literal::Float(1.2345678901234568e29)),
            &record,
            "n"
        ));
        assert!(!raw_holds(
            &eq(Literal::Int(big.parse().unwrap())),
            &record,
            "f"
        ));
        let huge = format!("-{wide}");
        assert!(raw_holds(&eq(Literal::BigInt(huge.clone())), &record, "m"));
        assert!(raw_holds(
            &Op::Order(Ordering::Less, false, Literal::Int(i128::MIN)),
            &record,
            "m"
        ));
        assert!(raw_holds(
            &Op::Order(Ordering::Greater, false, Literal::Float(-1e300)),
            &record,
            "m"
        ));
        assert!(raw_holds(
            &eq(Literal::Seq(vec![Literal::BigInt(huge)])),
            &format!(r#"{{"a":[-{wide}]}}"#),
            "a"
        ));
        let exact = format!("{:.0}", 1e300);
        assert_eq!(exact.len(), 301);
        assert_eq!(compare_big_float(&exact, 1e300), Some(Ordering::Equal));
        // 10^300 is not the float 1e300 (whose exact value is a little
        // larger): rounding the integer to a float would call them equal.
        let power = format!("1{}", "0".repeat(300));
        assert_eq!(compare_big_float(&power, 1e300), Some(Ordering::Less));
        assert_eq!(
            compare_big_float("-99999999999999999999999999999999999999999", -1e40),
            Some(Ordering::Less)
        );
        assert_eq!(compare_decimal("-5", "-40"), Ordering::Greater);
    }

    #[test]
    fn numbers_beyond_f64_are_infinite_as_in_python() {
        let record = r#"{"x":1e400,"y":-1e400,"z":1e-400}"#;
        let inf = Op::Eq(Literal::Float(f64::INFINITY));
        assert!(raw_holds(&inf, record, "x"));
        assert!(raw_holds(
            &Op::Eq(Literal::Float(f64::NEG_INFINITY)),
            record,
            "y"
        ));
        assert!(raw_holds(&Op::Eq(Literal::Int(0)), record, "z"));
        assert!(raw_holds(
            &Op::Order(Ordering::Greater, false, Literal::BigInt("9".repeat(400))),
            record,
            "x"
        ));
    }
}
