//! Running a compiled rule on one JSON record.
//!
//! The choices where the specification is silent for JSON: a dotted field
//! walks nested objects, and through an array holds when any element does;
//! an object is matched as its compact JSON text; numbers and booleans as
//! their JSON text; `null` is missing or JSON null; `exists: true` holds
//! for a member present with a null value; `not` is two-valued.
//!
//! Every test is charged to a [`Work`] allowance before it runs (see
//! `budget`); once a charge does not fit, the tests stop (each answering
//! true, which ends the `any` walks soonest) and the verdict is thrown away.

use crate::budget::{self, RECORD_WORK, RULE_WORK, Undecided, Work};
use crate::json::{JsonKind, JsonValue};
use crate::model::{Condition, Detection, Item, Rule};
use crate::textset::TextSet;
use crate::value_test::{CompareOp, RefMode, Test};

impl Rule {
    /// Whether the rule matches `record` within a record's whole allowance.
    pub fn matches<V: JsonValue>(&self, record: V) -> Result<bool, Undecided> {
        self.matches_within(record, &Work::for_record())
    }

    /// Whether the rule matches `record`, charging `work`.
    pub fn matches_within<V: JsonValue>(&self, record: V, work: &Work) -> Result<bool, Undecided> {
        work.start_rule();
        let verdict = self.detection.matches(record, work);
        if !work.exhausted() {
            return Ok(verdict);
        }
        let (limit, scope) = if work.record_spent() {
            (RECORD_WORK, "to all rules on one record")
        } else {
            (RULE_WORK, "to one rule")
        };
        Err(Undecided {
            title: self.title.clone(),
            id: self.id.clone(),
            limit,
            scope,
        })
    }
}

impl Detection {
    /// The condition's verdict; meaningless once `work` is exhausted.
    pub fn matches<V: JsonValue>(&self, record: V, work: &Work) -> bool {
        self.eval(&self.condition, record, work)
    }

    fn eval<V: JsonValue>(&self, condition: &Condition, record: V, work: &Work) -> bool {
        match condition {
            Condition::Search(index) => self.searches[*index]
                .maps
                .iter()
                .any(|map| map.iter().all(|item| item.matches(record, work))),
            Condition::Not(inner) => !self.eval(inner, record, work),
            Condition::And(terms) => terms
                .iter()
                .all(|t| !work.exhausted() && self.eval(t, record, work)),
            Condition::Or(terms) => terms
                .iter()
                .any(|t| work.exhausted() || self.eval(t, record, work)),
        }
    }
}

impl Item {
    /// The item's verdict; meaningless once `work` is exhausted.
    pub fn matches<V: JsonValue>(&self, record: V, work: &Work) -> bool {
        if let Some(set) = &self.text_set {
            return self.any_in_set(set, record, work) != self.negated;
        }
        let value_holds = |variants: &Vec<Test>| {
            variants
                .iter()
                .any(|t| work.exhausted() || self.test(t, record, work))
        };
        let holds = if self.all {
            self.tests
                .iter()
                .all(|variants| !work.exhausted() && value_holds(variants))
        } else {
            self.tests.iter().any(value_holds)
        };
        holds != self.negated
    }

    /// As the one-by-one tests would decide an OR'd list of strings, each
    /// value the field leads to tested against the whole set at once.
    fn any_in_set<V: JsonValue>(&self, set: &TextSet, record: V, work: &Work) -> bool {
        fn one<V: JsonValue>(set: &TextSet, tests: &[Vec<Test>], value: V, work: &Work) -> bool {
            match value.kind() {
                JsonKind::Null => false,
                JsonKind::Array => value.any_element(&mut |e| one(set, tests, e, work)),
                _ => set.is_match(tests, &value.text(), work),
            }
        }
        if self.field.is_none() {
            return any_scalar(record, &mut |v| one(set, &self.tests, v, work));
        }
        walk(record, &self.path, &mut |v| match v {
            None => false,
            Some(v) => one(set, &self.tests, v, work),
        })
    }

    fn test<V: JsonValue>(&self, test: &Test, record: V, work: &Work) -> bool {
        if self.field.is_none() {
            return any_scalar(record, &mut |v| value_test(test, v, record, work));
        }
        match test {
            Test::Exists(want) => {
                let present = walk(record, &self.path, &mut |v| v.is_some());
                present == *want
            }
            _ => walk(record, &self.path, &mut |v| match v {
                None => matches!(test, Test::Null),
                Some(v) => value_test(test, v, record, work),
            }),
        }
    }
}

/// Calls `f` with what `path` leads to from `value`: Some(value) where it
/// ends, None where a member is missing. Arrays on the way are walked
/// element by element. True when `f` was for some end.
fn walk<V: JsonValue>(value: V, path: &[String], f: &mut dyn FnMut(Option<V>) -> bool) -> bool {
    let Some((key, rest)) = path.split_first() else {
        return f(Some(value));
    };
    match value.kind() {
        JsonKind::Object => match value.member(key) {
            Some(member) => walk(member, rest, f),
            None => f(None),
        },
        JsonKind::Array => {
            let mut any = false;
            let found = value.any_element(&mut |element| {
                any = true;
                walk(element, path, f)
            });
            if any { found } else { f(None) }
        }
        _ => f(None),
    }
}

/// Every scalar below `value` other than null (keywords search these).
fn any_scalar<V: JsonValue>(value: V, f: &mut dyn FnMut(V) -> bool) -> bool {
    match value.kind() {
        JsonKind::Object => value.any_member_value(&mut |v| any_scalar(v, f)),
        JsonKind::Array => value.any_element(&mut |v| any_scalar(v, f)),
        JsonKind::Null => false,
        _ => f(value),
    }
}

/// One test on a present value; arrays hold when an element does. True
/// without testing once `work` is exhausted (see the module's note).
fn value_test<V: JsonValue>(test: &Test, value: V, record: V, work: &Work) -> bool {
    if !work.spend(1) {
        return true;
    }
    match (test, value.kind()) {
        (Test::Null, kind) => kind == JsonKind::Null,
        (Test::Exists(want), _) => *want,
        (_, JsonKind::Null) => false,
        (_, JsonKind::Array) => value.any_element(&mut |e| value_test(test, e, record, work)),
        (Test::Text { matcher, .. }, _) => {
            let text = value.text();
            !work.spend(matcher.work(&text)) || matcher.is_match(&text)
        }
        (Test::Regex { regex, .. }, _) => {
            let text = value.text();
            !work.spend(budget::regex(text.len(), regex.as_str().len())) || regex.is_match(&text)
        }
        (Test::Cidr(network), JsonKind::String) => network.contains_text(&value.text()),
        (Test::Cidr(_), _) => false,
        (Test::Compare { op, value: limit }, JsonKind::Number | JsonKind::String) => {
            match value.text().trim().parse::<f64>() {
                Ok(n) if n.is_finite() => match op {
                    CompareOp::Gt => n > *limit,
                    CompareOp::Gte => n >= *limit,
                    CompareOp::Lt => n < *limit,
                    CompareOp::Lte => n <= *limit,
                },
                _ => false,
            }
        }
        (Test::Compare { .. }, _) => false,
        (
            Test::FieldRef {
                path, mode, cased, ..
            },
            _,
        ) => {
            let text = value.text();
            walk(record, path, &mut |other| match other {
                None => false,
                Some(other) => any_text(other, &mut |reference| {
                    !work.spend(budget::linear(text.len(), reference.len()))
                        || compare_ref(&text, reference, *mode, *cased)
                }),
            })
        }
    }
}

/// The texts of a referenced value: itself, or an array's elements.
fn any_text<V: JsonValue>(value: V, f: &mut dyn FnMut(&str) -> bool) -> bool {
    match value.kind() {
        JsonKind::Null => false,
        JsonKind::Array => value.any_element(&mut |e| any_text(e, f)),
        _ => f(&value.text()),
    }
}

fn compare_ref(text: &str, reference: &str, mode: RefMode, cased: bool) -> bool {
    let (text, reference) = if cased {
        (
            std::borrow::Cow::Borrowed(text),
            std::borrow::Cow::Borrowed(reference),
        )
    } else {
        (fold(text), fold(reference))
    };
    match mode {
        RefMode::Equal => text == reference,
        RefMode::Contains => text.contains(reference.as_ref()),
        RefMode::StartsWith => text.starts_with(reference.as_ref()),
        RefMode::EndsWith => text.ends_with(reference.as_ref()),
    }
}

/// Simple case folding for comparisons of two record values.
fn fold(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(text.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(text)
        }
    } else {
        std::borrow::Cow::Owned(text.chars().flat_map(char::to_lowercase).collect())
    }
}
