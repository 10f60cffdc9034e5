//! One correlation document to a [`CorrelationRule`], its references still
//! by name or id.

use super::{Bounds, Kind};
use crate::error::RuleError;
use crate::model::Level;
use crate::yaml::{Kind as YamlKind, Node, Scalar};
use spitzel_core::window::NANOS_PER_SECOND;
use std::path::{Path, PathBuf};

/// A correlation rule as written: references not yet resolved.
#[derive(Debug, Clone)]
pub struct CorrelationRule {
    pub path: PathBuf,
    pub document: usize,
    /// The line of its `correlation:` key.
    pub line: usize,
    pub title: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub level: Option<Level>,
    pub author: Option<String>,
    pub kind: Kind,
    /// The rules and correlations referred to (id or name), with their lines.
    pub references: Vec<(String, usize)>,
    pub group_by: Vec<String>,
    pub aliases: Vec<Alias>,
    pub timespan: i64,
    /// None: temporal types without a condition (every rule must occur).
    pub condition: Option<Bounds>,
    /// The referenced rules write their own matches too.
    pub generate: bool,
}

/// An alias name, then per referenced rule (name or id) the field it
/// stands for.
pub type Alias = (String, Vec<(String, String)>);

struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, line: usize, key: &str, message: impl Into<String>) -> RuleError {
        RuleError::at(self.file, line, key, message)
    }

    fn text(&self, node: &Node, key: &str) -> Result<String, RuleError> {
        match node.as_scalar() {
            Some(Scalar::Null) | None => Err(self.err(node.line, key, "must be a string")),
            Some(_) => Ok(node.as_text().unwrap_or_default()),
        }
    }

    fn texts(&self, node: &Node, key: &str) -> Result<Vec<(String, usize)>, RuleError> {
        match &node.kind {
            YamlKind::Seq(items) if !items.is_empty() => items
                .iter()
                .map(|item| Ok((self.text(item, key)?, item.line)))
                .collect(),
            YamlKind::Scalar(Scalar::Null) | YamlKind::Seq(_) => {
                Err(self.err(node.line, key, "must not be empty"))
            }
            YamlKind::Scalar(_) => Ok(vec![(self.text(node, key)?, node.line)]),
            YamlKind::Map(_) => Err(self.err(node.line, key, "must be a list of strings")),
        }
    }
}

const KNOWN: [&str; 8] = [
    "type",
    "rules",
    "group-by",
    "timespan",
    "condition",
    "aliases",
    "generate",
    "field",
];

/// The document `doc` (number `document` of `file`), which has a
/// `correlation:` key. Metadata is read as for a detection rule.
pub fn load_correlation(
    file: &Path,
    doc: &Node,
    document: usize,
) -> Result<CorrelationRule, RuleError> {
    let ctx = Ctx { file };
    let section = doc.get("correlation").expect("the caller saw the key");
    let Some(members) = section.as_map() else {
        return Err(ctx.err(section.line, "correlation", "must be a mapping"));
    };
    for (key, value) in members {
        if !KNOWN.contains(&key.as_str()) {
            return Err(ctx.err(
                value.line,
                &format!("correlation.{key}"),
                format!("unknown key (known: {})", KNOWN.join(", ")),
            ));
        }
    }
    let string = |key: &str| -> Result<Option<String>, RuleError> {
        match doc.get(key) {
            None => Ok(None),
            Some(node) if matches!(node.as_scalar(), Some(Scalar::Null)) => Ok(None),
            Some(node) => ctx.text(node, key).map(Some),
        }
    };
    let title = string("title")?.ok_or_else(|| ctx.err(doc.line, "title", "missing"))?;
    let level = match string("level")? {
        None => None,
        Some(text) => Some(Level::read(&text).map_err(|message| {
            let line = doc.get("level").map_or(doc.line, |n| n.line);
            ctx.err(line, "level", message)
        })?),
    };
    let required = |key: &str| {
        section
            .get(key)
            .ok_or_else(|| ctx.err(section.line, &format!("correlation.{key}"), "missing"))
    };
    let type_node = required("type")?;
    let type_name = ctx.text(type_node, "correlation.type")?;
    let references = ctx.texts(required("rules")?, "correlation.rules")?;
    let group_by = match section.get("group-by") {
        None => Vec::new(),
        Some(node) => ctx
            .texts(node, "correlation.group-by")?
            .into_iter()
            .map(|(field, _)| field)
            .collect(),
    };
    let timespan_node = required("timespan")?;
    let timespan_text = ctx.text(timespan_node, "correlation.timespan")?;
    let timespan = parse_timespan(&timespan_text).ok_or_else(|| {
        ctx.err(
            timespan_node.line,
            "correlation.timespan",
            format!(
                "'{timespan_text}' is not a timespan (a number and s, m, h or d: 30s, 5m, 1h, 7d)"
            ),
        )
    })?;
    let (condition, field) = match section.get("condition") {
        None => (None, None),
        Some(node) => {
            let (bounds, field) = load_condition(&ctx, node)?;
            (Some(bounds), field)
        }
    };
    // pySigma reads `field` beside the condition; the specification puts
    // it inside. Both are taken, once.
    let field = match (field, section.get("field")) {
        (Some(_), Some(node)) => {
            return Err(ctx.err(
                node.line,
                "correlation.field",
                "given twice (here and in condition)",
            ));
        }
        (Some(field), None) => Some(field),
        (None, Some(node)) => Some(ctx.text(node, "correlation.field")?),
        (None, None) => None,
    };
    let kind = match type_name.as_str() {
        "event_count" => Kind::EventCount,
        "value_count" => Kind::ValueCount {
            field: field.clone().ok_or_else(|| {
                ctx.err(
                    section.line,
                    "correlation.condition.field",
                    "value_count needs the field whose distinct values it counts",
                )
            })?,
        },
        "temporal" => Kind::Temporal,
        "temporal_ordered" => Kind::TemporalOrdered,
        other => {
            return Err(ctx.err(
                type_node.line,
                "correlation.type",
                format!(
                    "'{other}' is not a correlation type (event_count, value_count, temporal, temporal_ordered)"
                ),
            ));
        }
    };
    if field.is_some() && !matches!(kind, Kind::ValueCount { .. }) {
        return Err(ctx.err(
            section.line,
            "correlation.condition.field",
            format!("only value_count counts a field, not {type_name}"),
        ));
    }
    if condition.is_none() && matches!(kind, Kind::EventCount | Kind::ValueCount { .. }) {
        return Err(ctx.err(section.line, "correlation.condition", "missing"));
    }
    let aliases = match section.get("aliases") {
        None => Vec::new(),
        Some(node) => load_aliases(&ctx, node)?,
    };
    let generate = generate_flag(&ctx, doc, section)?;
    Ok(CorrelationRule {
        path: file.to_path_buf(),
        document,
        line: section.line,
        title,
        id: string("id")?,
        name: string("name")?,
        level,
        author: string("author")?,
        kind,
        references,
        group_by,
        aliases,
        timespan,
        condition,
        generate,
    })
}

/// `generate` at the document root (the specification's schema) or inside
/// `correlation:` (pySigma); both at once must agree.
fn generate_flag(ctx: &Ctx<'_>, doc: &Node, section: &Node) -> Result<bool, RuleError> {
    let read = |node: &Node, key: &str| match node.as_scalar() {
        Some(Scalar::Bool(b)) => Ok(*b),
        _ => Err(ctx.err(node.line, key, "must be true or false")),
    };
    let root = doc
        .get("generate")
        .map(|n| read(n, "generate"))
        .transpose()?;
    let inner = section
        .get("generate")
        .map(|n| read(n, "correlation.generate"))
        .transpose()?;
    match (root, inner) {
        (Some(a), Some(b)) if a != b => Err(ctx.err(
            section.line,
            "correlation.generate",
            "disagrees with generate at the document root",
        )),
        (a, b) => Ok(a.or(b).unwrap_or(false)),
    }
}

fn load_condition(ctx: &Ctx<'_>, node: &Node) -> Result<(Bounds, Option<String>), RuleError> {
    let Some(members) = node.as_map() else {
        return Err(ctx.err(
            node.line,
            "correlation.condition",
            "must be a mapping such as 'gte: 10'",
        ));
    };
    let mut bounds = Bounds::default();
    let mut field = None;
    for (key, value) in members {
        let dotted = format!("correlation.condition.{key}");
        if key == "field" {
            field = Some(ctx.text(value, &dotted)?);
            continue;
        }
        let slot = match key.as_str() {
            "gt" => &mut bounds.gt,
            "gte" => &mut bounds.gte,
            "lt" => &mut bounds.lt,
            "lte" => &mut bounds.lte,
            "eq" => &mut bounds.eq,
            _ => {
                return Err(ctx.err(
                    value.line,
                    &dotted,
                    "unknown condition (gt, gte, lt, lte, eq, field)",
                ));
            }
        };
        let number = match value.as_scalar() {
            Some(Scalar::Number(text)) => text.parse::<u64>().ok(),
            _ => None,
        };
        *slot =
            Some(number.ok_or_else(|| {
                ctx.err(value.line, &dotted, "must be a whole number, 0 or more")
            })?);
    }
    if bounds.is_empty() {
        return Err(ctx.err(
            node.line,
            "correlation.condition",
            "needs one of gt, gte, lt, lte, eq",
        ));
    }
    Ok((bounds, field))
}

fn load_aliases(ctx: &Ctx<'_>, node: &Node) -> Result<Vec<Alias>, RuleError> {
    let Some(members) = node.as_map() else {
        return Err(ctx.err(node.line, "correlation.aliases", "must be a mapping"));
    };
    let mut aliases = Vec::new();
    for (alias, per_rule) in members {
        let key = format!("correlation.aliases.{alias}");
        let Some(per_rule) = per_rule.as_map() else {
            return Err(ctx.err(per_rule.line, &key, "must map rule names to field names"));
        };
        let mut fields = Vec::new();
        for (rule, field) in per_rule {
            fields.push((rule.clone(), ctx.text(field, &format!("{key}.{rule}"))?));
        }
        aliases.push((alias.clone(), fields));
    }
    Ok(aliases)
}

/// `30s`, `5m`, `1h`, `7d` to nanoseconds.
pub fn parse_timespan(text: &str) -> Option<i64> {
    let unit = match text.as_bytes().last()? {
        b's' => 1,
        b'm' => 60,
        b'h' => 3600,
        b'd' => 86_400,
        _ => return None,
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<i64>()
        .ok()?
        .checked_mul(unit)?
        .checked_mul(NANOS_PER_SECOND)
}
