//! The matcher on spitzel's record scanner: a validated record's values,
//! decoded only as far as a rule reads them.

use crate::json::{JsonKind, JsonValue, compact_json};
use spitzel_core::doc::{Raw, Scalar};
use std::borrow::Cow;

impl JsonValue for Raw<'_> {
    fn kind(&self) -> JsonKind {
        match self.json().as_bytes().first() {
            Some(b'{') => JsonKind::Object,
            Some(b'[') => JsonKind::Array,
            Some(b'"') => JsonKind::String,
            Some(b't' | b'f') => JsonKind::Bool,
            Some(b'n') => JsonKind::Null,
            _ => JsonKind::Number,
        }
    }

    fn text(&self) -> Cow<'_, str> {
        match self.json().as_bytes().first() {
            Some(b'"') => match self.plain_str() {
                Some(s) => Cow::Borrowed(s),
                None => match self.scalar() {
                    Scalar::Str(s) => Cow::Owned(s.into_owned()),
                    _ => Cow::Borrowed(""),
                },
            },
            Some(b'{' | b'[') => compact_json(self.json()),
            _ => Cow::Borrowed(self.json()),
        }
    }

    fn member(&self, key: &str) -> Option<Self> {
        Raw::member(self, key)
    }

    fn any_element(&self, f: &mut dyn FnMut(Self) -> bool) -> bool {
        self.elements().into_iter().any(f)
    }

    fn any_member_value(&self, f: &mut dyn FnMut(Self) -> bool) -> bool {
        self.member_values().into_iter().any(f)
    }
}
