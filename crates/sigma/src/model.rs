//! The compiled form of a rule: a plain tree of fields, modifiers, values
//! and conditions that the matcher runs and a translator (SQL) can walk.

use crate::textset::TextSet;
use crate::value_test::Test;
use std::fmt;
use std::path::PathBuf;

/// One detection rule, ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The file it came from.
    pub path: PathBuf,
    /// Its document number in that file (0 for the first).
    pub document: usize,
    pub title: String,
    pub id: Option<String>,
    /// `name:`, by which correlation rules may refer to it.
    pub name: Option<String>,
    pub level: Option<Level>,
    /// Kept for match output: the Detection Rule License requires it.
    pub author: Option<String>,
    pub status: Option<String>,
    pub logsource: LogSource,
    pub detection: Detection,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogSource {
    pub product: Option<String>,
    pub service: Option<String>,
    pub category: Option<String>,
}

impl LogSource {
    /// product aws, service cloudtrail (case ignored).
    pub fn is_cloudtrail(&self) -> bool {
        let is = |v: &Option<String>, want: &str| {
            v.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(want))
        };
        is(&self.product, "aws") && is(&self.service, "cloudtrail")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub const NAMES: [&'static str; 5] = ["informational", "low", "medium", "high", "critical"];

    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "informational" => Some(Level::Informational),
            "low" => Some(Level::Low),
            "medium" => Some(Level::Medium),
            "high" => Some(Level::High),
            "critical" => Some(Level::Critical),
            _ => None,
        }
    }

    /// A rule's `level:` value, or the one-line reason it is none.
    pub(crate) fn read(text: &str) -> Result<Level, String> {
        Level::parse(text).ok_or_else(|| {
            format!("'{text}' is not a level (informational, low, medium, high, critical)")
        })
    }

    pub fn name(self) -> &'static str {
        Level::NAMES[self as usize]
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The search identifiers, in rule order, and the condition over them.
#[derive(Debug, Clone)]
pub struct Detection {
    pub searches: Vec<Search>,
    pub condition: Condition,
}

/// A search identifier: OR over `maps`, each an AND over its items. A map
/// is one selection map; a list of maps gives several; a keyword list is
/// one map holding one keyword item.
#[derive(Debug, Clone)]
pub struct Search {
    pub name: String,
    pub maps: Vec<Vec<Item>>,
}

/// One `field|modifiers: values` entry (or a keyword list: `field` None).
#[derive(Debug, Clone)]
pub struct Item {
    /// The field as written (`userIdentity.sessionContext.sessionIssuer.type`);
    /// None for keywords, which search every value of the record.
    pub field: Option<String>,
    /// `field` split at its dots: the members walked.
    pub path: Vec<String>,
    pub modifiers: Vec<Modifier>,
    /// The values as written.
    pub values: Vec<RuleValue>,
    /// Values linked by AND (`all`), else OR.
    pub all: bool,
    /// `neq`: the item holds when the values' test does not.
    pub negated: bool,
    /// Per value, its tests after the modifiers, linked by OR (one value
    /// may become several: `base64offset`).
    pub tests: Vec<Vec<Test>>,
    /// The tests in one pass, for a long OR'd list of strings.
    pub text_set: Option<TextSet>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Re,
    /// `re|i`, `re|m`, `re|s`.
    ReInsensitive,
    ReMultiLine,
    ReDotAll,
    Cidr,
    Exists,
    Cased,
    FieldRef,
    Gt,
    Gte,
    Lt,
    Lte,
    Neq,
    Base64,
    Base64Offset,
    Utf16Le,
    Utf16Be,
    Utf16,
    Wide,
    Windash,
}

impl Modifier {
    pub fn parse(name: &str) -> Option<Modifier> {
        use Modifier::*;
        Some(match name {
            "contains" => Contains,
            "startswith" => StartsWith,
            "endswith" => EndsWith,
            "all" => All,
            "re" => Re,
            "i" => ReInsensitive,
            "m" => ReMultiLine,
            "s" => ReDotAll,
            "cidr" => Cidr,
            "exists" => Exists,
            "cased" => Cased,
            "fieldref" => FieldRef,
            "gt" => Gt,
            "gte" => Gte,
            "lt" => Lt,
            "lte" => Lte,
            "neq" => Neq,
            "base64" => Base64,
            "base64offset" => Base64Offset,
            "utf16le" => Utf16Le,
            "utf16be" => Utf16Be,
            "utf16" => Utf16,
            "wide" => Wide,
            "windash" => Windash,
            _ => return None,
        })
    }
}

/// A value as the rule's YAML gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleValue {
    Null,
    Str(String),
    /// Decimal text.
    Number(String),
    Bool(bool),
}

/// The condition, with `1 of`/`all of` already expanded to the search
/// identifiers they name (indices into `Detection::searches`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Condition {
    Search(usize),
    Not(Box<Condition>),
    And(Vec<Condition>),
    Or(Vec<Condition>),
}
