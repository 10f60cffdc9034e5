//! Rule files to [`Rule`]s: YAML documents, metadata, logsource, detection.

use crate::compile::compile_item;
use crate::condition;
use crate::error::RuleError;
use crate::model::{Condition, Detection, Item, Level, LogSource, Rule, RuleValue, Search};
use crate::yaml::{self, Kind, Node, Scalar};
use std::path::Path;

/// What one document of a rule file is.
pub enum Loaded {
    Rule(Box<Rule>),
    /// A rule for another log source, not compiled; its id and name, which
    /// a correlation may refer to.
    OtherLogsource(Vec<String>),
    Correlation(Box<crate::correlation::CorrelationRule>),
    /// A Sigma filter (specification v2.1): a condition for named rules.
    Filter(Box<crate::filters::Filter>),
}

struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, line: usize, key: &str, message: impl Into<String>) -> RuleError {
        RuleError::at(self.file, line, key, message)
    }
}

/// Every document of one rule file's text.
pub fn load_text(file: &Path, text: &str) -> Result<Vec<Loaded>, RuleError> {
    let ctx = Ctx { file };
    let documents = yaml::parse_documents(text)
        .map_err(|e| RuleError::at(file, e.line, "", format!("invalid YAML: {}", e.message)))?;
    let mut out = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        if matches!(document.kind, Kind::Scalar(Scalar::Null)) {
            continue; // an empty document, as after a trailing `---`
        }
        out.push(load_document(&ctx, document, index)?);
    }
    if out.is_empty() {
        return Err(ctx.err(1, "", "no rule in the file"));
    }
    Ok(out)
}

fn load_document(ctx: &Ctx<'_>, doc: &Node, index: usize) -> Result<Loaded, RuleError> {
    if doc.as_map().is_none() {
        return Err(ctx.err(doc.line, "", "a rule must be a YAML mapping"));
    }
    if doc.get("correlation").is_some() {
        return crate::correlation::load::load_correlation(ctx.file, doc, index)
            .map(|rule| Loaded::Correlation(Box::new(rule)));
    }
    if let Some(node) = doc.get("action") {
        return Err(ctx.err(
            node.line,
            "action",
            "rule collections (action: global/reset/repeat) are not supported",
        ));
    }
    let logsource = match doc.get("logsource") {
        None => return Err(ctx.err(doc.line, "logsource", "missing")),
        Some(node) => {
            if node.as_map().is_none() {
                return Err(ctx.err(node.line, "logsource", "must be a mapping"));
            }
            let text = |key: &str| -> Result<Option<String>, RuleError> {
                match node.get(key) {
                    None => Ok(None),
                    Some(value) => match value.as_scalar() {
                        Some(Scalar::Null) => Ok(None),
                        Some(_) => Ok(value.as_text()),
                        None => Err(ctx.err(
                            value.line,
                            &format!("logsource.{key}"),
                            "must be a string",
                        )),
                    },
                }
            };
            LogSource {
                product: text("product")?,
                service: text("service")?,
                category: text("category")?,
            }
        }
    };
    if let (Some(node), None) = (doc.get("filter"), doc.get("detection")) {
        if !logsource.is_cloudtrail() {
            return Ok(Loaded::OtherLogsource(Vec::new()));
        }
        return crate::filters::load_filter(ctx.file, doc, node, |n| load_detection(ctx, n))
            .map(|filter| Loaded::Filter(Box::new(filter)));
    }
    if !logsource.is_cloudtrail() {
        let names = ["id", "name"]
            .iter()
            .filter_map(|key| doc.get(key).and_then(Node::as_text))
            .collect();
        return Ok(Loaded::OtherLogsource(names));
    }
    let string = |key: &str, required: bool| -> Result<Option<String>, RuleError> {
        match doc.get(key) {
            None if required => Err(ctx.err(doc.line, key, "missing")),
            None => Ok(None),
            Some(node) => match node.as_scalar() {
                Some(Scalar::Null) if !required => Ok(None),
                Some(_) => Ok(node.as_text()),
                None => Err(ctx.err(node.line, key, "must be a string")),
            },
        }
    };
    let title = string("title", true)?.unwrap_or_default();
    let id = string("id", false)?;
    let name = string("name", false)?;
    let author = string("author", false)?;
    let status = string("status", false)?;
    let level = match string("level", false)? {
        None => None,
        Some(text) => Some(Level::read(&text).map_err(|message| {
            let line = doc.get("level").map_or(doc.line, |n| n.line);
            ctx.err(line, "level", message)
        })?),
    };
    let detection = match doc.get("detection") {
        None => return Err(ctx.err(doc.line, "detection", "missing")),
        Some(node) => load_detection(ctx, node)?,
    };
    Ok(Loaded::Rule(Box::new(Rule {
        path: ctx.file.to_path_buf(),
        document: index,
        title,
        id,
        name,
        level,
        author,
        status,
        logsource,
        detection,
    })))
}

fn load_detection(ctx: &Ctx<'_>, node: &Node) -> Result<Detection, RuleError> {
    let Some(members) = node.as_map() else {
        return Err(ctx.err(node.line, "detection", "must be a mapping"));
    };
    let mut searches = Vec::new();
    let mut condition_node = None;
    for (name, value) in members {
        match name.as_str() {
            "condition" => condition_node = Some(value),
            "timeframe" => {
                return Err(ctx.err(
                    value.line,
                    "detection.timeframe",
                    "timeframe belongs to aggregations, which are not supported",
                ));
            }
            _ => searches.push(load_search(ctx, name, value)?),
        }
    }
    let Some(condition_node) = condition_node else {
        return Err(ctx.err(node.line, "detection.condition", "missing"));
    };
    let names: Vec<String> = searches.iter().map(|s: &Search| s.name.clone()).collect();
    let parse_one = |n: &Node| -> Result<Condition, RuleError> {
        let Some(Scalar::Str(text)) = n.as_scalar() else {
            return Err(ctx.err(
                n.line,
                "detection.condition",
                "must be a string (or a list of strings)",
            ));
        };
        condition::parse(text, &names).map_err(|m| ctx.err(n.line, "detection.condition", m))
    };
    let condition = match &condition_node.kind {
        // A list of conditions: any of them.
        Kind::Seq(items) if !items.is_empty() => {
            let mut terms = Vec::new();
            for item in items {
                terms.push(parse_one(item)?);
            }
            condition::any_of(terms)
        }
        _ => parse_one(condition_node)?,
    };
    Ok(Detection {
        searches,
        condition,
    })
}

fn load_search(ctx: &Ctx<'_>, name: &str, node: &Node) -> Result<Search, RuleError> {
    let key = format!("detection.{name}");
    let maps = match &node.kind {
        Kind::Map(members) => vec![load_map(ctx, &key, members)?],
        Kind::Seq(items) if items.is_empty() => {
            return Err(ctx.err(node.line, &key, "an empty list"));
        }
        Kind::Seq(items) if items.iter().all(|i| i.as_map().is_some()) => {
            let mut maps = Vec::new();
            for item in items {
                maps.push(load_map(ctx, &key, item.as_map().unwrap_or_default())?);
            }
            maps
        }
        Kind::Seq(items) if items.iter().all(|i| i.as_scalar().is_some()) => {
            // Keywords: searched for in every value of the record.
            let values = scalar_values(ctx, &key, items)?;
            let item = compile_item("", values, true).map_err(|m| ctx.err(node.line, &key, m))?;
            vec![vec![item]]
        }
        Kind::Seq(_) => {
            return Err(ctx.err(
                node.line,
                &key,
                "a list must hold only maps or only values (keywords)",
            ));
        }
        Kind::Scalar(Scalar::Null) => return Err(ctx.err(node.line, &key, "empty")),
        Kind::Scalar(_) => {
            let values = scalar_values(ctx, &key, std::slice::from_ref(node))?;
            let item = compile_item("", values, true).map_err(|m| ctx.err(node.line, &key, m))?;
            vec![vec![item]]
        }
    };
    Ok(Search {
        name: name.to_owned(),
        maps,
    })
}

fn load_map(ctx: &Ctx<'_>, key: &str, members: &[(String, Node)]) -> Result<Vec<Item>, RuleError> {
    if members.is_empty() {
        return Err(RuleError {
            file: ctx.file.to_path_buf(),
            line: None,
            key: key.to_owned(),
            message: "an empty map".into(),
        });
    }
    let mut items = Vec::with_capacity(members.len());
    for (field, value) in members {
        let item_key = format!("{key}.{field}");
        let values = match &value.kind {
            Kind::Scalar(_) => scalar_values(ctx, &item_key, std::slice::from_ref(value))?,
            Kind::Seq(list) => scalar_values(ctx, &item_key, list)?,
            Kind::Map(_) => {
                return Err(ctx.err(
                    value.line,
                    &item_key,
                    "a field's value must be a value or a list of values, not a map",
                ));
            }
        };
        let keyword = field.is_empty() || field.starts_with('|');
        let item =
            compile_item(field, values, keyword).map_err(|m| ctx.err(value.line, &item_key, m))?;
        items.push(item);
    }
    Ok(items)
}

fn scalar_values(ctx: &Ctx<'_>, key: &str, nodes: &[Node]) -> Result<Vec<RuleValue>, RuleError> {
    nodes
        .iter()
        .map(|node| match node.as_scalar() {
            Some(Scalar::Null) => Ok(RuleValue::Null),
            Some(Scalar::Bool(b)) => Ok(RuleValue::Bool(*b)),
            Some(Scalar::Number(n)) => Ok(RuleValue::Number(n.clone())),
            Some(Scalar::Str(s)) => Ok(RuleValue::Str(s.clone())),
            None => Err(ctx.err(
                node.line,
                key,
                "values must be strings, numbers, booleans or null",
            )),
        })
        .collect()
}
