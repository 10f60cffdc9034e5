//! DuckDB: the records' JSON text, read from the input files, queried with
//! DuckDB's JSON functions. Every comparison checks the JSON type first, so
//! `1 == 1.0` holds, `True` equals only JSON true and strings only strings.

use super::common::{self, IntCmp};
use super::cond::{ActionPlan, Cond};
use super::path::{self, Seg};
use super::{Dialect, Refusal, regex, str_lit};
use spitzel_core::expr::{Literal, Op};
use std::cell::Cell;
use std::cmp::Ordering;

const D: Dialect = Dialect::Duckdb;

pub fn statement(
    dialect: Dialect,
    cond: &Cond<'_>,
    invert: bool,
    files: &[String],
) -> Result<String, Refusal> {
    if dialect != Dialect::Duckdb {
        return Err(Refusal::new(
            "any query (the spark dialect is not built yet)",
            dialect,
        ));
    }
    if files.is_empty() || files.iter().any(|f| f == "-") {
        return Err(Refusal::new(
            "standard input (duckdb reads the files given with -i)",
            dialect,
        ));
    }
    for f in files {
        if std::path::Path::new(f).is_dir() {
            return Err(Refusal::new(
                format!("the directory {f} (give its files with -i)"),
                dialect,
            ));
        }
    }
    let r = Render { vars: Cell::new(0) };
    let mut pred = r.cond(cond)?;
    if invert {
        pred = format!("NOT ({pred})");
    }
    let list: Vec<String> = files.iter().map(|f| str_lit(D, f)).collect();
    let mut from = format!(
        "(SELECT unnest(CASE WHEN json_type(json) = 'OBJECT' AND json_keys(json)[1] = 'Records' \
         THEN json_extract(json, '$.Records[*]') ELSE [json] END) AS j \
         FROM read_json_objects([{}], format = 'auto'))",
        list.join(", ")
    );
    if uses_actions(cond) {
        // The action predicates' inputs, computed once per record.
        from = format!(
            "(SELECT j, {} AS {}, {} AS {} FROM {from})",
            top_str("eventSource"),
            common::ES,
            top_str("eventName"),
            common::EN
        );
        for (name, expr) in common::action_columns(D) {
            from = format!("(SELECT *, {expr} AS {name} FROM {from})");
        }
    }
    Ok(format!(
        "SELECT CAST(j AS VARCHAR) AS record FROM {from} WHERE {pred}"
    ))
}

pub fn uses_actions(cond: &Cond<'_>) -> bool {
    match cond {
        Cond::Actions(ActionPlan::Any(_)) => true,
        Cond::And(items) | Cond::Or(items) => items.iter().any(uses_actions),
        Cond::Not(inner) => uses_actions(inner),
        _ => false,
    }
}

struct Render {
    vars: Cell<usize>,
}

/// A top-level string member (NULL when missing or not a string).
fn top_str(name: &str) -> String {
    format!(
        "(CASE WHEN json_type(j, '$.{name}') = 'VARCHAR' THEN json_extract_string(j, '$.{name}') END)"
    )
}

fn ty(v: &str) -> String {
    format!("json_type({v})")
}

fn as_str(v: &str) -> String {
    format!("json_extract_string({v}, '$')")
}

const INTS: &str = "('BIGINT', 'UBIGINT')";

impl Render {
    fn var(&self) -> String {
        let n = self.vars.get() + 1;
        self.vars.set(n);
        format!("x{n}")
    }

    fn cond(&self, cond: &Cond<'_>) -> Result<String, Refusal> {
        Ok(match cond {
            Cond::True => "TRUE".into(),
            Cond::And(items) => self.join(items, " AND ", "TRUE")?,
            Cond::Or(items) => self.join(items, " OR ", "FALSE")?,
            Cond::Not(inner) => format!("(NOT {})", self.cond(inner)?),
            Cond::Window(w) => common::window(D, w, &top_str("eventTime")),
            Cond::Actions(ActionPlan::All) => "TRUE".into(),
            Cond::Actions(ActionPlan::Any(predicates)) => common::actions(D, predicates),
            Cond::Compare { path, op } => self.compare(path, op)?,
        })
    }

    fn join(&self, items: &[Cond<'_>], sep: &str, empty: &str) -> Result<String, Refusal> {
        if items.is_empty() {
            return Ok(empty.into());
        }
        let parts = items
            .iter()
            .map(|c| self.cond(c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(format!("({})", parts.join(sep)))
    }

    fn compare(&self, path_text: &str, op: &Op) -> Result<String, Refusal> {
        let segs = path::parse(path_text)
            .map_err(|what| Refusal::new(format!("{what} in the path {path_text}"), D))?;
        let when_missing = op.holds(None);
        // Single value until the first wildcard, then a list of values.
        let mut value = "j".to_owned();
        let mut list: Option<String> = None;
        let mut pointer: Vec<String> = Vec::new();
        let flush = |value: &mut String, pointer: &mut Vec<String>| {
            if !pointer.is_empty() {
                *value = format!(
                    "json_extract({value}, {})",
                    str_lit(D, &format!("/{}", pointer.join("/")))
                );
                pointer.clear();
            }
        };
        for seg in &segs {
            match (&mut list, seg) {
                (None, Seg::Name(name)) if pointer_safe(name) => pointer.push(pointer_token(name)),
                (None, Seg::Name(name)) => {
                    flush(&mut value, &mut pointer);
                    value = member_guarded(&value, name);
                }
                (None, Seg::Index(i)) => {
                    flush(&mut value, &mut pointer);
                    value = element(&value, *i);
                }
                (None, Seg::Wild) => {
                    flush(&mut value, &mut pointer);
                    list = Some(children(&value));
                }
                (Some(l), seg) => {
                    let x = self.var();
                    *l = match seg {
                        Seg::Wild => {
                            format!("flatten(list_transform({l}, lambda {x}: {}))", children(&x))
                        }
                        Seg::Name(name) => {
                            let step = if pointer_safe(name) {
                                format!(
                                    "json_extract({x}, {})",
                                    str_lit(D, &format!("/{}", pointer_token(name)))
                                )
                            } else {
                                member_guarded(&x, name)
                            };
                            let y = self.var();
                            format!(
                                "list_filter(list_transform({l}, lambda {x}: {step}), lambda {y}: {y} IS NOT NULL)"
                            )
                        }
                        Seg::Index(i) => {
                            let y = self.var();
                            format!(
                                "list_filter(list_transform({l}, lambda {x}: {}), lambda {y}: {y} IS NOT NULL)",
                                element(&x, *i)
                            )
                        }
                    };
                }
            }
        }
        flush(&mut value, &mut pointer);
        match list {
            None => {
                let holds = format!("COALESCE({}, FALSE)", self.op(op, &value)?);
                Ok(if when_missing {
                    format!("({value} IS NULL OR {holds})")
                } else {
                    holds
                })
            }
            Some(l) => {
                let x = self.var();
                let holds = self.op(op, &x)?;
                Ok(format!(
                    "(CASE WHEN len({l}) = 0 THEN {} ELSE COALESCE(list_bool_or(list_transform({l}, lambda {x}: COALESCE({holds}, FALSE))), FALSE) END)",
                    if when_missing { "TRUE" } else { "FALSE" }
                ))
            }
        }
    }

    /// The operator on one JSON value `v` (never SQL NULL here unless the
    /// path selected nothing, which the caller handles).
    fn op(&self, op: &Op, v: &str) -> Result<String, Refusal> {
        Ok(match op {
            Op::Eq(lit) => self.eq(lit, v)?,
            Op::In(items) => {
                let parts = items
                    .iter()
                    .map(|i| self.eq(i, v))
                    .collect::<Result<Vec<_>, _>>()?;
                if parts.is_empty() {
                    "FALSE".into()
                } else {
                    format!("({})", parts.join(" OR "))
                }
            }
            Op::Order(ord, or_equal, lit) => self.order(*ord, *or_equal, lit, v)?,
            Op::Contains(lit) => {
                let x = self.var();
                let in_array = format!(
                    "({} = 'ARRAY' AND COALESCE(list_bool_or(list_transform(json_extract({v}, '$[*]'), lambda {x}: COALESCE({}, FALSE))), FALSE))",
                    ty(v),
                    self.eq(lit, &x)?
                );
                match lit {
                    Literal::Str(part) => format!(
                        "(({} = 'VARCHAR' AND {}) OR {in_array})",
                        ty(v),
                        common::str_contains(D, &as_str(v), part)
                    ),
                    _ => in_array,
                }
            }
            Op::Regex(re) => format!(
                "({} = 'VARCHAR' AND {})",
                ty(v),
                common::regex_match(D, &as_str(v), &regex::translate(re.source(), D)?)
            ),
            Op::Cidr(networks) => format!(
                "({} = 'VARCHAR' AND {})",
                ty(v),
                common::cidr(D, &as_str(v), networks)?
            ),
        })
    }

    fn eq(&self, lit: &Literal, v: &str) -> Result<String, Refusal> {
        let t = ty(v);
        Ok(match lit {
            Literal::None => format!("({t} = 'NULL')"),
            Literal::Bool(b) => format!("({t} = 'BOOLEAN' AND CAST({v} AS VARCHAR) = '{b}')"),
            Literal::Str(s) => format!("({t} = 'VARCHAR' AND {} = {})", as_str(v), str_lit(D, s)),
            Literal::Int(n) => {
                let ints = format!(
                    "({t} IN {INTS} AND TRY_CAST({v} AS HUGEINT) = CAST('{n}' AS HUGEINT))"
                );
                match common::exact_f64(*n) {
                    Some(f) => format!(
                        "({ints} OR ({t} = 'DOUBLE' AND TRY_CAST({v} AS DOUBLE) = CAST('{}' AS DOUBLE)))",
                        common::float_text(f)
                    ),
                    None => ints,
                }
            }
            Literal::Float(f) => {
                common::check_float(D, *f)?;
                let ints = match common::int_vs_float("=", *f) {
                    IntCmp::Const(false) => "FALSE".to_owned(),
                    IntCmp::Const(true) => format!("{t} IN {INTS}"),
                    IntCmp::With(op, n) => {
                        format!(
                            "({t} IN {INTS} AND TRY_CAST({v} AS HUGEINT) {op} CAST('{n}' AS HUGEINT))"
                        )
                    }
                };
                format!(
                    "({ints} OR ({t} = 'DOUBLE' AND TRY_CAST({v} AS DOUBLE) = CAST('{}' AS DOUBLE)))",
                    common::float_text(*f)
                )
            }
            Literal::Seq(items) => {
                let mut parts = vec![
                    format!("{t} = 'ARRAY'"),
                    format!("json_array_length({v}) = {}", items.len()),
                ];
                for (i, item) in items.iter().enumerate() {
                    parts.push(self.eq(item, &element(v, i as i64))?);
                }
                format!("({})", parts.join(" AND "))
            }
            Literal::Dict(entries) => {
                let mut keys: Vec<(&str, &Literal)> = Vec::new();
                for (k, value) in entries {
                    let Literal::Str(k) = k else {
                        return Ok("FALSE".into());
                    };
                    // The last of repeated keys wins, as in a Python dict.
                    keys.retain(|(seen, _)| *seen != k.as_str());
                    keys.push((k, value));
                }
                let mut parts = vec![
                    format!("{t} = 'OBJECT'"),
                    format!("len(json_keys({v})) = {}", keys.len()),
                ];
                for (k, value) in keys {
                    let member = if pointer_safe(k) {
                        format!(
                            "json_extract({v}, {})",
                            str_lit(D, &format!("/{}", pointer_token(k)))
                        )
                    } else {
                        member_guarded(v, k)
                    };
                    parts.push(self.eq(value, &member)?);
                }
                format!("({})", parts.join(" AND "))
            }
        })
    }

    fn order(
        &self,
        ord: Ordering,
        or_equal: bool,
        lit: &Literal,
        v: &str,
    ) -> Result<String, Refusal> {
        let op: &'static str = match (ord, or_equal) {
            (Ordering::Less, false) => "<",
            (Ordering::Less, true) => "<=",
            (_, false) => ">",
            (_, true) => ">=",
        };
        let t = ty(v);
        Ok(match lit {
            Literal::Str(s) => {
                format!("({t} = 'VARCHAR' AND {} {op} {})", as_str(v), str_lit(D, s))
            }
            Literal::Int(n) => {
                let Some(f) = common::exact_f64(*n) else {
                    return Err(Refusal::new(
                        format!("ordering against {n}, which a double cannot hold exactly"),
                        D,
                    ));
                };
                format!(
                    "(({t} IN {INTS} AND TRY_CAST({v} AS HUGEINT) {op} CAST('{n}' AS HUGEINT)) OR ({t} = 'DOUBLE' AND TRY_CAST({v} AS DOUBLE) {op} CAST('{}' AS DOUBLE)))",
                    common::float_text(f)
                )
            }
            Literal::Float(f) => {
                common::check_float(D, *f)?;
                let ints = match common::int_vs_float(op, *f) {
                    IntCmp::Const(false) => "FALSE".to_owned(),
                    IntCmp::Const(true) => format!("{t} IN {INTS}"),
                    IntCmp::With(op, n) => {
                        format!(
                            "({t} IN {INTS} AND TRY_CAST({v} AS HUGEINT) {op} CAST('{n}' AS HUGEINT))"
                        )
                    }
                };
                format!(
                    "({ints} OR ({t} = 'DOUBLE' AND TRY_CAST({v} AS DOUBLE) {op} CAST('{}' AS DOUBLE)))",
                    common::float_text(*f)
                )
            }
            _ => "FALSE".into(),
        })
    }
}

/// A member name JSON Pointer cannot confuse with an array index.
fn pointer_safe(name: &str) -> bool {
    !(name.is_empty() || name == "-" || name.starts_with(|c: char| c.is_ascii_digit()))
}

fn pointer_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn member_guarded(v: &str, name: &str) -> String {
    format!(
        "(CASE WHEN json_type({v}) = 'OBJECT' THEN json_extract({v}, {}) END)",
        str_lit(D, &format!("/{}", pointer_token(name)))
    )
}

fn element(v: &str, i: i64) -> String {
    if i >= 0 {
        format!("json_extract({v}, '$[{i}]')")
    } else {
        format!("json_extract({v}, '$[#-{}]')", i.unsigned_abs())
    }
}

/// Every element of an array or member value of an object (empty for
/// anything else), as a list.
fn children(v: &str) -> String {
    format!("list_concat(json_extract({v}, '$[*]'), json_extract({v}, '$.*'))")
}
