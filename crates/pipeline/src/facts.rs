//! What the correlations read of a held record (its eventTime, eventID
//! and the fields they group by or count), taken on the worker that judged
//! it from the same parsed document as the rules: the decision then needs
//! no second parse of the record.

use crate::sigma::SigmaCriterion;
use serde_json::Value;
use spitzel_core::doc::{Doc, DocView};
use spitzel_core::window::parse_event_time;
use spitzel_sigma::correlation::Event;

/// What the correlations read of a record that matched a rule they use.
#[derive(Debug)]
pub struct Facts {
    /// eventTime, in nanoseconds and as written; None when unreadable.
    time: Option<(i64, Box<str>)>,
    event_id: Option<Box<str>>,
    /// The values of `Correlations::fields`, in that order (Null when
    /// missing).
    fields: Vec<Value>,
}

impl Facts {
    /// Read on the worker, from the document the rules were judged on: the
    /// same reading (the last of repeated keys, as serde_json) as theirs.
    pub(crate) fn of(sigma: &SigmaCriterion, doc: &Doc<'_>) -> Facts {
        let time = doc
            .top_str("eventTime")
            .and_then(|text| Some((parse_event_time(text)?, Box::from(text))));
        let fields = sigma
            .correlation_fields
            .iter()
            .map(|path| match doc.view() {
                DocView::Raw(root) => {
                    let mut value = root;
                    for member in path {
                        match value.member(member) {
                            Some(inner) => value = inner,
                            None => return Value::Null,
                        }
                    }
                    value.to_value()
                }
                DocView::Tree(tree) => {
                    let mut value = tree;
                    for member in path {
                        match value.get(member) {
                            Some(inner) if value.is_object() => value = inner,
                            _ => return Value::Null,
                        }
                    }
                    value.clone()
                }
            })
            .collect();
        Facts {
            time,
            event_id: doc.top_str("eventID").map(Box::from),
            fields,
        }
    }

    /// As a correlation event, with its eventTime text; None without a
    /// readable eventTime (the decision at the end reports it).
    pub(crate) fn event(&self) -> Option<(Event, String)> {
        let (time, text) = self.time.as_ref()?;
        let event = Event {
            time: *time,
            event_id: self.event_id.as_deref().map(str::to_owned),
            fields: self.fields.clone(),
        };
        Some((event, text.to_string()))
    }

    /// `event`, taking the values instead of copying them.
    pub(crate) fn into_event(self) -> Option<(Event, String)> {
        let (time, text) = self.time?;
        let event = Event {
            time,
            event_id: self.event_id.map(String::from),
            fields: self.fields,
        };
        Some((event, String::from(text)))
    }

    /// Its heap bytes, for the memory bound.
    pub(crate) fn heap_bytes(&self) -> u64 {
        let text = |v: &Value| match v {
            Value::String(s) => s.len(),
            Value::Null | Value::Bool(_) | Value::Number(_) => 0,
            other => other.to_string().len(),
        };
        let fields: usize = self.fields.iter().map(|v| 32 + text(v)).sum();
        (self.time.as_ref().map_or(0, |(_, t)| t.len())
            + self.event_id.as_ref().map_or(0, |id| id.len())
            + fields) as u64
    }
}
