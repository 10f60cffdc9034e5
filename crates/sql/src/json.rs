//! DuckDB and Spark: the records' JSON text read from the input files, as
//! DuckDB's JSON type or Spark's VARIANT. Every comparison checks the JSON
//! kind first, so `1 == 1.0` holds, `True` equals only JSON true and strings
//! only strings.

use super::common::{self, Actions, IntCmp};
use super::cond::{ActionPlan, Cond};
use super::path::{self, Seg};
use super::{Dialect, Order, Refusal, files, regex, str_lit};
use spitzel_core::expr::{Literal, Op};
use std::cell::Cell;
use std::cmp::Ordering;

pub(crate) fn statement(
    d: Dialect,
    cond: &Cond<'_>,
    invert: bool,
    files: &[String],
    order: Order,
) -> Result<String, Refusal> {
    let r = Render::new(d);
    let mut pred = common::criteria_lines(cond, "    ", &|c| r.cond(c))?;
    if invert {
        pred = format!("NOT (\n    {pred}\n  )");
    }
    let ordered = order == Order::Time;
    let from = r.relation(files, ordered || uses_window(cond), uses_actions(cond))?;
    let select = r.select_records(&format!("{} AS record", r.record_text()), &from, &pred);
    Ok(match order {
        Order::Time => format!("{select}\n{}", common::ORDER_BY_TIME),
        Order::None => select,
    })
}

impl Render {
    pub(crate) fn new(d: Dialect) -> Self {
        Render {
            d,
            vars: Cell::new(0),
        }
    }

    /// The record's JSON text as the statement returns it.
    pub(crate) fn record_text(&self) -> &'static str {
        match self.d {
            Dialect::Spark => "value",
            _ => "CAST(j AS VARCHAR)",
        }
    }

    /// The records of `files`, one row each with `j` (and the window's and
    /// the action predicates' inputs when asked for).
    pub(crate) fn relation(
        &self,
        files: &[String],
        window: bool,
        actions: Actions,
    ) -> Result<String, Refusal> {
        let d = self.d;
        if files.is_empty() || files.iter().any(|f| f == "-") {
            return Err(Refusal::new(
                format!(
                    "standard input ({} reads the files given with -i)",
                    d.name()
                ),
                d,
            ));
        }
        for f in files {
            if std::path::Path::new(f).is_dir() {
                return Err(Refusal::new(
                    format!("the directory {f} (give its files with -i)"),
                    d,
                ));
            }
        }
        let base = match d {
            Dialect::Spark => {
                let mut reads = Vec::new();
                for f in files {
                    if f.contains('`') {
                        return Err(Refusal::new(format!("the file name {f:?}"), d));
                    }
                    files::spark_check(f)?;
                    let literal = files::spark_literal_path(f);
                    reads.push(format!("SELECT value FROM text.`{literal}`"));
                }
                // A tree's files one a line, for a reviewer to check.
                format!(
                    "(SELECT value, try_parse_json(value) AS j FROM ({}))",
                    reads.join("\n      UNION ALL ")
                )
            }
            _ => {
                // One read per compression, which each file's bytes decide.
                let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
                for f in files {
                    let compression = files::duckdb_compression(f);
                    let literal = str_lit(d, &files::duckdb_literal_path(f));
                    match groups.iter_mut().find(|(c, _)| *c == compression) {
                        Some((_, list)) => list.push(literal),
                        None => groups.push((compression, vec![literal])),
                    }
                }
                let reads: Vec<String> = groups
                    .iter()
                    .map(|(compression, list)| {
                        format!(
                            "SELECT json FROM read_json_objects([{}], format = 'auto', compression = '{compression}')",
                            list.join(",\n      ")
                        )
                    })
                    .collect();
                format!(
                    "(SELECT unnest(CASE WHEN json_type(json) = 'OBJECT' AND json_keys(json)[1] = 'Records' \
                     AND json_type(json, '$.eventName') IS DISTINCT FROM 'VARCHAR' \
                     THEN json_extract(json, '$.Records[*]') ELSE [json] END) AS j \
                     FROM ({}))",
                    reads.join(" UNION ALL ")
                )
            }
        };
        // The window's and the action predicates' inputs, computed once
        // per record.
        let event_time = self.top_str("eventTime");
        let steps = common::derived_steps(
            d,
            window.then_some(event_time.as_str()),
            actions,
            &self.top_str("eventSource"),
            &self.top_str("eventName"),
        );
        Ok(common::stepped(&base, &steps))
    }

    /// `SELECT projection FROM from` for the records `pred` holds for.
    /// What spitzel-filter reads otherwise than one record per value stops
    /// the query with an error rather than being judged as a record. CASE
    /// decides before `pred` is evaluated, so no engine can skip the check.
    pub(crate) fn select_records(&self, projection: &str, from: &str, pred: &str) -> String {
        let d = self.d;
        let wrapper = self.wrapper_left_whole();
        match d {
            Dialect::Spark => format!(
                "SELECT {projection}\nFROM {from}\nWHERE CASE\n  \
                 WHEN j IS NULL THEN (CASE WHEN trim(value) = '' THEN FALSE ELSE raise_error({}) END)\n  \
                 WHEN {} THEN raise_error({})\n  \
                 WHEN NOT {} THEN FALSE\n  \
                 WHEN {wrapper} THEN raise_error({})\n  \
                 ELSE {pred}\nEND",
                str_lit(d, NOT_JSON_ERROR),
                self.is("j", Kind::Array),
                str_lit(d, ARRAY_ERROR),
                self.is("j", Kind::Object),
                str_lit(d, WRAPPER_ERROR),
            ),
            _ => format!(
                "SELECT {projection}\nFROM {from}\nWHERE CASE\n  \
                 WHEN NOT {} THEN FALSE\n  \
                 WHEN {wrapper} THEN error({})\n  \
                 ELSE {pred}\nEND",
                self.is("j", Kind::Object),
                str_lit(d, WRAPPER_ERROR),
            ),
        }
    }
}

/// The run-time refusals.
const WRAPPER_ERROR: &str = "spitzel: a line holds a Records, Events or CloudTrailEvent wrapper \
    this statement does not unwrap; filter that file with spitzel-filter";
const NOT_JSON_ERROR: &str = "spitzel: a line is not one JSON value (a document over several lines, \
    or a broken record); the Spark statement reads NDJSON: filter that file with spitzel-filter";
const ARRAY_ERROR: &str = "spitzel: a line holds a JSON array of records; the Spark statement \
    reads NDJSON: filter that file with spitzel-filter";

/// What the action predicates of `cond` read: nothing, eventSource and
/// eventName only (every service named), or also the derived IAM prefix,
/// first label and operation (a service glob such as `s?` or `*`).
pub(crate) fn uses_actions(cond: &Cond<'_>) -> Actions {
    let derived =
        |c: &Cond<'_>| matches!(c, Cond::Actions(ActionPlan::Any(p)) if common::needs_derived(p));
    if uses(cond, &derived) {
        Actions::Derived
    } else if uses(cond, &|c| matches!(c, Cond::Actions(ActionPlan::Any(_)))) {
        Actions::Names
    } else {
        Actions::None
    }
}

pub(crate) fn uses_window(cond: &Cond<'_>) -> bool {
    uses(cond, &|c| matches!(c, Cond::Window(_)))
}

fn uses(cond: &Cond<'_>, leaf: &dyn Fn(&Cond<'_>) -> bool) -> bool {
    match cond {
        Cond::And(items) | Cond::Or(items) => items.iter().any(|c| uses(c, leaf)),
        Cond::Not(inner) => uses(inner, leaf),
        c => leaf(c),
    }
}

pub(crate) struct Render {
    pub(crate) d: Dialect,
    vars: Cell<usize>,
}

/// JSON kinds a value is tested for.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Null,
    Bool,
    Str,
    Array,
    Object,
    /// Numbers compared exactly as integers (DuckDB: integers; Spark:
    /// integers and decimals of scale 0).
    Int,
    /// Numbers compared as doubles.
    Double,
}

fn cmp_symbol(ord: Ordering, or_equal: bool) -> &'static str {
    match (ord, or_equal) {
        (Ordering::Less, false) => "<",
        (Ordering::Less, true) => "<=",
        (_, false) => ">",
        (_, true) => ">=",
    }
}

impl Render {
    pub(crate) fn var(&self) -> String {
        let n = self.vars.get() + 1;
        self.vars.set(n);
        format!("x{n}")
    }

    /// `j` is what spitzel-filter unwraps instead of judging: an object
    /// without a string eventName holding Records, Events or
    /// CloudTrailEvent (a JSON null member counts).
    fn wrapper_left_whole(&self) -> String {
        let present: Vec<String> = ["Records", "Events", "CloudTrailEvent"]
            .iter()
            .map(|key| match self.d {
                Dialect::Spark => format!("variant_get(j, '$.{key}') IS NOT NULL"),
                _ => format!("json_extract(j, '/{key}') IS NOT NULL"),
            })
            .collect();
        format!(
            "({} IS NULL AND ({}))",
            self.top_str("eventName"),
            present.join(" OR ")
        )
    }

    /// A top-level string member (NULL when missing or not a string).
    pub(crate) fn top_str(&self, name: &str) -> String {
        match self.d {
            Dialect::Spark => format!(
                "(CASE WHEN schema_of_variant(variant_get(j, '$.{name}')) = 'STRING' \
                 THEN variant_get(j, '$.{name}', 'string') END)"
            ),
            _ => format!(
                "(CASE WHEN json_type(j, '$.{name}') = 'VARCHAR' THEN json_extract_string(j, '$.{name}') END)"
            ),
        }
    }

    pub(crate) fn is(&self, v: &str, kind: Kind) -> String {
        if self.d == Dialect::Spark {
            let t = format!("schema_of_variant({v})");
            return match kind {
                Kind::Null => format!("{t} = 'VOID'"),
                Kind::Bool => format!("{t} = 'BOOLEAN'"),
                Kind::Str => format!("{t} = 'STRING'"),
                Kind::Array => format!("{t} LIKE 'ARRAY<%'"),
                Kind::Object => format!("{t} LIKE 'OBJECT<%'"),
                Kind::Int => format!(
                    "({t} IN ('BIGINT', 'INT', 'SMALLINT', 'TINYINT') OR {t} LIKE 'DECIMAL(%,0)')"
                ),
                Kind::Double => format!(
                    "({t} IN ('DOUBLE', 'FLOAT') OR ({t} LIKE 'DECIMAL(%' AND {t} NOT LIKE 'DECIMAL(%,0)'))"
                ),
            };
        }
        let t = format!("json_type({v})");
        match kind {
            Kind::Null => format!("{t} = 'NULL'"),
            Kind::Bool => format!("{t} = 'BOOLEAN'"),
            Kind::Str => format!("{t} = 'VARCHAR'"),
            Kind::Array => format!("{t} = 'ARRAY'"),
            Kind::Object => format!("{t} = 'OBJECT'"),
            // DuckDB types an integer past 64 bits DOUBLE but keeps its
            // text: by that text it is still an integer, compared exactly.
            Kind::Int => format!(
                "({t} IN ('BIGINT', 'UBIGINT') OR ({t} = 'DOUBLE' AND {}))",
                duckdb_integer_text(v)
            ),
            Kind::Double => format!("({t} = 'DOUBLE' AND NOT {})", duckdb_integer_text(v)),
        }
    }

    pub(crate) fn as_str(&self, v: &str) -> String {
        match self.d {
            Dialect::Spark => format!("try_variant_get({v}, '$', 'string')"),
            _ => format!("json_extract_string({v}, '$')"),
        }
    }

    pub(crate) fn bool_is(&self, v: &str, b: bool) -> String {
        match self.d {
            Dialect::Spark => format!("try_variant_get({v}, '$', 'boolean') = {b}"),
            _ => format!("CAST({v} AS VARCHAR) = '{b}'"),
        }
    }

    /// `v OP n` for a value of kind Int, exactly.
    fn int_cmp(&self, v: &str, op: &str, n: i128) -> String {
        match self.d {
            // Spark's integers are DECIMAL(38,0) at most, so a literal past
            // 38 digits decides alone (and its cast would fail in ANSI mode).
            Dialect::Spark if n.unsigned_abs() >= SPARK_DECIMAL_LIMIT => {
                let below = matches!(op, "<" | "<=");
                let above = matches!(op, ">" | ">=");
                let holds = if n > 0 { below } else { above };
                if holds { "TRUE" } else { "FALSE" }.to_owned()
            }
            Dialect::Spark => format!(
                "try_variant_get({v}, '$', 'decimal(38,0)') {op} CAST('{n}' AS DECIMAL(38,0))"
            ),
            _ => {
                let int = format!("TRY_CAST(CAST({v} AS VARCHAR) AS HUGEINT)");
                format!(
                    "(CASE WHEN {} AND {int} IS NULL THEN error({}) ELSE {int} END) {op} CAST('{n}' AS HUGEINT)",
                    duckdb_integer_text(v),
                    str_lit(self.d, BEYOND_128_BITS_ERROR)
                )
            }
        }
    }

    /// `v OP f` for a value of kind Double.
    fn double_cmp(&self, v: &str, op: &str, f: f64) -> String {
        let f = common::float_text(f);
        match self.d {
            Dialect::Spark => {
                format!("try_variant_get({v}, '$', 'double') {op} CAST('{f}' AS DOUBLE)")
            }
            _ => format!("TRY_CAST({v} AS DOUBLE) {op} CAST('{f}' AS DOUBLE)"),
        }
    }

    pub(crate) fn member(&self, v: &str, name: &str) -> Result<String, Refusal> {
        if self.d == Dialect::Spark {
            if name.contains(['\'', '"', '\\']) {
                return Err(Refusal::new(
                    format!("the member name {name:?} in a path"),
                    self.d,
                ));
            }
            return Ok(format!(
                "variant_get({v}, {})",
                str_lit(self.d, &format!("$['{name}']"))
            ));
        }
        let pointer = str_lit(self.d, &format!("/{}", pointer_token(name)));
        Ok(if pointer_safe(name) {
            format!("json_extract({v}, {pointer})")
        } else {
            format!("(CASE WHEN json_type({v}) = 'OBJECT' THEN json_extract({v}, {pointer}) END)")
        })
    }

    fn element(&self, v: &str, i: i64) -> Result<String, Refusal> {
        Ok(match (self.d, i >= 0) {
            (Dialect::Spark, true) => format!("variant_get({v}, '$[{i}]')"),
            // element_at counts from the end for a negative index, as
            // Python does; try_ gives NULL past the start.
            (Dialect::Spark, false) => format!(
                "try_element_at(CASE WHEN {} THEN cast({v} AS array<variant>) END, {i})",
                self.is(v, Kind::Array)
            ),
            (_, true) => format!("json_extract({v}, '$[{i}]')"),
            (_, false) => format!("json_extract({v}, '$[#-{}]')", i.unsigned_abs()),
        })
    }

    /// Every element of an array or member value of an object (empty for
    /// anything else), as a list.
    fn children(&self, v: &str) -> String {
        match self.d {
            Dialect::Spark => format!(
                "(CASE WHEN {} THEN cast({v} AS array<variant>) WHEN {} THEN \
                 map_values(cast({v} AS map<string, variant>)) ELSE cast(array() AS array<variant>) END)",
                self.is(v, Kind::Array),
                self.is(v, Kind::Object)
            ),
            _ => format!("list_concat(json_extract({v}, '$[*]'), json_extract({v}, '$.*'))"),
        }
    }

    fn array_len(&self, v: &str) -> String {
        match self.d {
            Dialect::Spark => format!(
                "(CASE WHEN {} THEN size(cast({v} AS array<variant>)) END)",
                self.is(v, Kind::Array)
            ),
            _ => format!("json_array_length({v})"),
        }
    }

    fn object_len(&self, v: &str) -> String {
        match self.d {
            Dialect::Spark => format!(
                "(CASE WHEN {} THEN size(cast({v} AS map<string, variant>)) END)",
                self.is(v, Kind::Object)
            ),
            _ => format!("len(json_keys({v}))"),
        }
    }

    pub(crate) fn lambda(&self, x: &str, body: &str) -> String {
        match self.d {
            Dialect::Spark => format!("{x} -> {body}"),
            _ => format!("lambda {x}: {body}"),
        }
    }

    pub(crate) fn map(&self, list: &str, x: &str, body: &str) -> String {
        match self.d {
            Dialect::Spark => format!("transform({list}, {})", self.lambda(x, body)),
            _ => format!("list_transform({list}, {})", self.lambda(x, body)),
        }
    }

    fn keep_present(&self, list: &str) -> String {
        let y = self.var();
        let body = format!("{y} IS NOT NULL");
        match self.d {
            Dialect::Spark => format!("filter({list}, {})", self.lambda(&y, &body)),
            _ => format!("list_filter({list}, {})", self.lambda(&y, &body)),
        }
    }

    fn list_len(&self, list: &str) -> String {
        match self.d {
            Dialect::Spark => format!("size({list})"),
            _ => format!("len({list})"),
        }
    }

    /// Some element satisfies `pred` (two-valued).
    pub(crate) fn any(&self, list: &str, x: &str, pred: &str) -> String {
        match self.d {
            Dialect::Spark => format!("COALESCE(exists({list}, {}), FALSE)", self.lambda(x, pred)),
            _ => format!("COALESCE(list_bool_or({}), FALSE)", self.map(list, x, pred)),
        }
    }

    pub(crate) fn cond(&self, cond: &Cond<'_>) -> Result<String, Refusal> {
        Ok(match cond {
            Cond::True => "TRUE".into(),
            Cond::And(items) => self.join(items, " AND ", "TRUE")?,
            Cond::Or(items) => self.join(items, " OR ", "FALSE")?,
            Cond::Not(inner) => format!("(NOT {})", self.cond(inner)?),
            Cond::Window(w) => common::window(w),
            Cond::Actions(ActionPlan::All) => "TRUE".into(),
            Cond::Actions(ActionPlan::Any(predicates)) => common::actions(self.d, predicates),
            Cond::Compare { path, op } => self.compare(path, op)?,
            Cond::Sigma { rule, item } => self.sigma_item(rule, item)?,
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
        let d = self.d;
        let segs = path::parse(path_text)
            .map_err(|what| Refusal::new(format!("{what} in the path {path_text}"), d))?;
        let when_missing = op.holds_when_missing();
        // Single value until the first wildcard, then a list of values.
        let mut value = "j".to_owned();
        let mut list: Option<String> = None;
        // DuckDB: consecutive plain names become one JSON Pointer.
        let mut pointer: Vec<String> = Vec::new();
        let flush = |value: &mut String, pointer: &mut Vec<String>| {
            if !pointer.is_empty() {
                *value = format!(
                    "json_extract({value}, {})",
                    str_lit(d, &format!("/{}", pointer.join("/")))
                );
                pointer.clear();
            }
        };
        for seg in &segs {
            match (&mut list, seg) {
                (None, Seg::Name(name)) if d == Dialect::Duckdb && pointer_safe(name) => {
                    pointer.push(pointer_token(name))
                }
                (None, Seg::Name(name)) => {
                    flush(&mut value, &mut pointer);
                    value = self.member(&value, name)?;
                }
                (None, Seg::Index(i)) => {
                    flush(&mut value, &mut pointer);
                    value = self.element(&value, *i)?;
                }
                (None, Seg::Wild) => {
                    flush(&mut value, &mut pointer);
                    list = Some(self.children(&value));
                }
                (Some(l), seg) => {
                    let x = self.var();
                    *l = match seg {
                        Seg::Wild => format!("flatten({})", self.map(l, &x, &self.children(&x))),
                        Seg::Name(name) => {
                            self.keep_present(&self.map(l, &x, &self.member(&x, name)?))
                        }
                        Seg::Index(i) => {
                            self.keep_present(&self.map(l, &x, &self.element(&x, *i)?))
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
                let holds = format!("COALESCE({}, FALSE)", self.op(op, &x)?);
                Ok(format!(
                    "(CASE WHEN {} = 0 THEN {} ELSE {} END)",
                    self.list_len(&l),
                    if when_missing { "TRUE" } else { "FALSE" },
                    self.any(&l, &x, &holds)
                ))
            }
        }
    }

    /// The operator on one JSON value `v` (SQL NULL only when the path
    /// selected nothing, which the caller handles).
    fn op(&self, op: &Op, v: &str) -> Result<String, Refusal> {
        let d = self.d;
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
            Op::Order(ord, or_equal, lit) => self.order(cmp_symbol(*ord, *or_equal), lit, v)?,
            Op::Contains(lit) => {
                let x = self.var();
                let elements = match d {
                    Dialect::Spark => self.children(v),
                    _ => format!("json_extract({v}, '$[*]')"),
                };
                let holds = format!("COALESCE({}, FALSE)", self.eq(lit, &x)?);
                let in_array = format!(
                    "({} AND {})",
                    self.is(v, Kind::Array),
                    self.any(&elements, &x, &holds)
                );
                match lit {
                    Literal::Str(part) => format!(
                        "(({} AND {}) OR {in_array})",
                        self.is(v, Kind::Str),
                        common::str_contains(d, &self.as_str(v), part)
                    ),
                    _ => in_array,
                }
            }
            Op::Regex(re) => format!(
                "({} AND {})",
                self.is(v, Kind::Str),
                common::regex_match(d, &self.as_str(v), &regex::write(re, d)?)
            ),
            Op::Cidr(networks) => format!(
                "({} AND {})",
                self.is(v, Kind::Str),
                common::cidr(d, &self.as_str(v), networks)?
            ),
        })
    }

    fn eq(&self, lit: &Literal, v: &str) -> Result<String, Refusal> {
        Ok(match lit {
            Literal::None => format!("({})", self.is(v, Kind::Null)),
            Literal::Bool(b) => format!("({} AND {})", self.is(v, Kind::Bool), self.bool_is(v, *b)),
            Literal::Str(s) => format!(
                "({} AND {} = {})",
                self.is(v, Kind::Str),
                self.as_str(v),
                str_lit(self.d, s)
            ),
            Literal::Int(_) | Literal::Float(_) => self.number(v, "=", lit)?,
            Literal::BigInt(n) => return Err(big_int(n, self.d)),
            Literal::Seq(items) => {
                let mut parts = vec![
                    self.is(v, Kind::Array),
                    format!("{} = {}", self.array_len(v), items.len()),
                ];
                for (i, item) in items.iter().enumerate() {
                    parts.push(self.eq(item, &self.element(v, i as i64)?)?);
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
                    self.is(v, Kind::Object),
                    format!("{} = {}", self.object_len(v), keys.len()),
                ];
                for (k, value) in keys {
                    parts.push(self.eq(value, &self.member(v, k)?)?);
                }
                format!("({})", parts.join(" AND "))
            }
        })
    }

    fn order(&self, op: &'static str, lit: &Literal, v: &str) -> Result<String, Refusal> {
        Ok(match lit {
            Literal::Str(s) => format!(
                "({} AND {} {op} {})",
                self.is(v, Kind::Str),
                self.as_str(v),
                str_lit(self.d, s)
            ),
            Literal::Int(_) | Literal::Float(_) => self.number(v, op, lit)?,
            Literal::BigInt(n) => return Err(big_int(n, self.d)),
            _ => "FALSE".into(),
        })
    }

    /// A number compared by value: integers exactly, doubles as doubles.
    fn number(&self, v: &str, op: &'static str, lit: &Literal) -> Result<String, Refusal> {
        let int = |op: &str, n: i128| {
            format!("({} AND {})", self.is(v, Kind::Int), self.int_cmp(v, op, n))
        };
        let double = |f: f64| {
            format!(
                "({} AND {})",
                self.is(v, Kind::Double),
                self.double_cmp(v, op, f)
            )
        };
        Ok(match lit {
            Literal::Int(n) => match common::exact_f64(*n) {
                Some(f) => format!("({} OR {})", int(op, *n), double(f)),
                // No double equals it.
                None if op == "=" => int(op, *n),
                // A double lies strictly between the neighbours around it.
                None => {
                    let (below, above) = common::doubles_around(*n);
                    let double = match op {
                        "<" | "<=" => self.double_cmp(v, "<=", below),
                        _ => self.double_cmp(v, ">=", above),
                    };
                    format!(
                        "({} OR ({} AND {double}))",
                        int(op, *n),
                        self.is(v, Kind::Double)
                    )
                }
            },
            Literal::Float(f) => {
                common::check_float(self.d, *f)?;
                let ints = match common::int_vs_float(op, *f) {
                    IntCmp::Const(false) => "FALSE".to_owned(),
                    IntCmp::Const(true) => self.is(v, Kind::Int),
                    IntCmp::With(op, n) => int(op, n),
                };
                format!("({ints} OR {})", double(*f))
            }
            _ => "FALSE".into(),
        })
        .map(|holds| self.spark_guard_huge(v, lit, holds))
    }

    /// Spark reads an integer of 39 digits or more as a DOUBLE, losing
    /// digits the filter compares exactly. Against a literal far below
    /// 1e38 the lost digits cannot change the verdict; against one near or
    /// past it such a value (no double written as such is told apart) stops
    /// the query instead of being compared.
    fn spark_guard_huge(&self, v: &str, lit: &Literal, holds: String) -> String {
        let magnitude = match lit {
            Literal::Int(n) => n.unsigned_abs() as f64,
            Literal::Float(f) => f.abs(),
            _ => 0.0,
        };
        if self.d != Dialect::Spark || magnitude < 1e37 {
            return holds;
        }
        format!(
            "(CASE WHEN {} AND abs(try_variant_get({v}, '$', 'double')) >= CAST('1e38' AS DOUBLE) \
             THEN raise_error({}) ELSE {holds} END)",
            self.is(v, Kind::Double),
            str_lit(self.d, SPARK_HUGE_NUMBER_ERROR)
        )
    }
}

/// The JSON text of DuckDB value `v` is an integer (any size).
fn duckdb_integer_text(v: &str) -> String {
    format!("regexp_full_match(CAST({v} AS VARCHAR), '-?[0-9]+')")
}

/// 10^38: Spark's DECIMAL(38,0) holds the integers below it.
const SPARK_DECIMAL_LIMIT: u128 = 10u128.pow(38);

const SPARK_HUGE_NUMBER_ERROR: &str = "spitzel: a record holds a number of 1e38 or more, which Spark \
    reads as a double: the statement cannot compare it exactly; filter that file with spitzel-filter";

const BEYOND_128_BITS_ERROR: &str = "spitzel: a record holds an integer beyond 128 bits, which the statement cannot compare exactly";

/// A member name JSON Pointer cannot confuse with an array index.
fn pointer_safe(name: &str) -> bool {
    !(name.is_empty() || name == "-" || name.starts_with(|c: char| c.is_ascii_digit()))
}

fn pointer_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// An integer literal past 128 bits: no SQL integer type holds it.
fn big_int(n: &str, d: Dialect) -> Refusal {
    Refusal::new(format!("the integer {n}, which no SQL integer holds"), d)
}
