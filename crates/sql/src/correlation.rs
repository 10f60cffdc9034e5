//! Sigma correlations as SQL: every type, bound and chain, decided over
//! the same sliding frames as the filter
//! (crates/sigma/src/correlation/decide.rs), with identical results.
//!
//! Per correlation, the records of its sources that have a readable time
//! become rows (group key, time, eventID, counted value, source number);
//! [`frames`] turns them into the (group, time) pairs of its hits' events.
//! A correlation whose hits are written or that another one refers to
//! (a chain) then marks the records in its hits (`_h{k}`), one equi-join
//! per source: the outer correlation's events are those records, at their
//! own times. The statement returns the records in a written hit and
//! those the rules write on their own, each record once.
//!
//! Group-by and counted values are compared as strings, and a missing or
//! null value is one null group (not counted by value_count). Any other
//! JSON kind there stops the query (DuckDB, Spark): the filter compares
//! those by their JSON text, which the engines do not keep.

mod frames;

use super::common::Actions;
use super::cond::Cond;
use super::json::{self, Kind, Render};
use super::{Dialect, Order, Refusal, athena, athena_table, common, str_lit};
pub use frames::Counted;
use frames::Frames;
use spitzel_sigma::correlation::Bounds;

/// The criteria and correlations of a `--sigma` set with correlations.
pub struct Correlated<'a> {
    /// What every record counted or written must meet (actions, window,
    /// expressions).
    pub criteria: Cond<'a>,
    /// Records the rules write on their own (rules not only used by
    /// correlations, or with `generate`).
    pub writes: Cond<'a>,
    /// Inner correlations before the ones that refer to them.
    pub correlations: Vec<Correlation<'a>>,
}

/// One correlation rule.
pub struct Correlation<'a> {
    /// `file:line: correlation rule 'title'`, for refusals.
    pub name: String,
    pub counted: Counted,
    pub sources: Vec<CorrelationSource<'a>>,
    /// In nanoseconds.
    pub timespan: i64,
    /// Every bound a frame's count must meet (temporal without a
    /// condition: gte the number of sources, as the filter takes it).
    pub bounds: Bounds,
    /// Its hits are output.
    pub writes: bool,
}

/// One referenced rule or correlation of a correlation.
pub struct CorrelationSource<'a> {
    pub events: Events<'a>,
    /// The dotted fields read for the group-by entries.
    pub group: Vec<String>,
    /// value_count's dotted field (empty otherwise).
    pub value: String,
}

/// Where a source's events come from.
pub enum Events<'a> {
    /// The records a detection rule matches.
    Rule(Cond<'a>),
    /// The events of the hits of an earlier correlation (its index in
    /// [`Correlated::correlations`]).
    Correlation(usize),
}

const NOT_A_STRING_ERROR: &str = "spitzel: a correlation rule's group-by or counted field holds a number, \
    boolean, array or object, which the statement cannot compare as the filter does (by its JSON text); \
    run spitzel-filter on these records";

/// How one dialect reads what the generic part needs.
trait Reader {
    fn dialect(&self) -> Dialect;
    /// `rec`: one row per record with `_t` (its time), `_eid` (eventID or
    /// NULL), `_w` (written on its own), `_m{k}_{s}` (counted by source s
    /// of correlation k) and the record's own columns.
    fn records(&self, parts: &[(String, String)]) -> Result<String, Refusal>;
    fn pred(&self, cond: &Cond<'_>) -> Result<String, Refusal>;
    /// A dotted field's string, NULL for null or missing.
    fn string_field(&self, field: &str) -> Result<String, Refusal>;
    /// eventID when it is a string, else NULL (the filter then counts the
    /// record by its place).
    fn event_id(&self) -> String;
    /// What the statement returns of a `rec` row.
    fn returned(&self) -> String;
    fn text_type(&self) -> &'static str {
        match self.dialect() {
            Dialect::Spark => "STRING",
            _ => "VARCHAR",
        }
    }
}

struct JsonReader<'a> {
    r: Render,
    files: &'a [String],
    actions: Actions,
}

impl Reader for JsonReader<'_> {
    fn dialect(&self) -> Dialect {
        self.r.d
    }

    fn records(&self, parts: &[(String, String)]) -> Result<String, Refusal> {
        let from = self.r.relation(self.files, true, self.actions)?;
        let mut projection = vec![
            format!("{} AS record", self.r.record_text()),
            "j".to_owned(),
        ];
        projection.extend(parts.iter().map(|(name, expr)| format!("{expr} AS {name}")));
        Ok(self.r.select_records(&projection.join(", "), &from, "TRUE"))
    }

    fn pred(&self, cond: &Cond<'_>) -> Result<String, Refusal> {
        self.r.cond(cond)
    }

    fn string_field(&self, field: &str) -> Result<String, Refusal> {
        let mut value = "j".to_owned();
        for member in field.split('.') {
            value = self.r.member(&value, member)?;
        }
        let error = match self.r.d {
            Dialect::Spark => format!("raise_error({})", str_lit(self.r.d, NOT_A_STRING_ERROR)),
            _ => format!("error({})", str_lit(self.r.d, NOT_A_STRING_ERROR)),
        };
        Ok(format!(
            "(CASE WHEN {value} IS NULL OR {} THEN NULL WHEN {} THEN {} ELSE {error} END)",
            self.r.is(&value, Kind::Null),
            self.r.is(&value, Kind::Str),
            self.r.as_str(&value)
        ))
    }

    fn event_id(&self) -> String {
        self.r.top_str("eventID")
    }

    fn returned(&self) -> String {
        "rec.record".to_owned()
    }
}

struct AthenaReader<'a> {
    table: &'a str,
    actions: Actions,
}

impl Reader for AthenaReader<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Athena
    }

    fn records(&self, parts: &[(String, String)]) -> Result<String, Refusal> {
        let from = athena::relation(self.table, true, self.actions)?;
        let projection: Vec<String> = parts
            .iter()
            .map(|(name, expr)| format!("{expr} AS {name}"))
            .collect();
        Ok(format!("SELECT *, {} FROM {from}", projection.join(", ")))
    }

    fn pred(&self, cond: &Cond<'_>) -> Result<String, Refusal> {
        athena::predicate(cond)
    }

    fn string_field(&self, field: &str) -> Result<String, Refusal> {
        match athena_table::scalar_column(field) {
            Some((column, false)) => Ok(column.to_owned()),
            _ => Err(Refusal::new(
                format!(
                    "the correlation field {field} (athena reads only the table's string columns there)"
                ),
                Dialect::Athena,
            )),
        }
    }

    fn event_id(&self) -> String {
        "eventid".to_owned()
    }

    fn returned(&self) -> String {
        // The table's own columns, not the statement's derived ones.
        crate::ddl::table_columns()
            .iter()
            .map(|c| format!("rec.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The statement for a `--sigma` set with correlations.
pub(crate) fn statement(
    d: Dialect,
    correlated: &Correlated<'_>,
    source: &super::Source,
    order: Order,
) -> Result<String, Refusal> {
    let actions = json::uses_actions(&correlated.criteria);
    match (d, source) {
        (Dialect::Athena, super::Source::Table(table)) => {
            if crate::table::check_table_name(table).is_err() {
                return Err(Refusal::new(format!("the table name {table:?}"), d));
            }
            build(&AthenaReader { table, actions }, correlated, order)
        }
        (Dialect::Athena, _) => Err(Refusal::new("input files (athena reads a table)", d)),
        (_, super::Source::Files(files)) => build(
            &JsonReader {
                r: Render::new(d),
                files,
                actions,
            },
            correlated,
            order,
        ),
        (_, _) => Err(Refusal::new("a table source", d)),
    }
}

fn build(
    reader: &dyn Reader,
    correlated: &Correlated<'_>,
    order: Order,
) -> Result<String, Refusal> {
    let criteria = reader.pred(&correlated.criteria)?;
    let mut parts = vec![
        ("_t".to_owned(), common::event_nanos()),
        ("_eid".to_owned(), reader.event_id()),
        (
            "_w".to_owned(),
            format!("(({criteria}) AND ({}))", reader.pred(&correlated.writes)?),
        ),
    ];
    let mut keyed = Vec::new();
    for (k, correlation) in correlated.correlations.iter().enumerate() {
        for (s, source) in correlation.sources.iter().enumerate() {
            if let Events::Rule(rule) = &source.events {
                parts.push((
                    format!("_m{k}_{s}"),
                    format!("(({criteria}) AND ({}))", reader.pred(rule)?),
                ));
                keyed.extend(source_columns(
                    reader,
                    (k, s),
                    correlation,
                    source,
                    &format!("_m{k}_{s}"),
                )?);
            }
        }
    }
    let records = reader.records(&parts)?;
    let keyed: String = keyed.iter().map(|c| format!(", {c}")).collect();
    let mut ctes = vec![format!("rec AS (SELECT *{keyed} FROM ({records}) records)")];
    // The relation holding every record with the columns made so far.
    let mut current = "rec".to_owned();
    let mut written = vec!["rec._w".to_owned()];
    for (k, correlation) in correlated.correlations.iter().enumerate() {
        ctes.push(rows(reader, k, correlation, &current));
        ctes.extend(
            Frames {
                k,
                counted: correlation.counted,
                sources: correlation.sources.len(),
                span: correlation.timespan,
                bounds: correlation.bounds,
                dialect: reader.dialect(),
            }
            .ctes(),
        );
        // The outer correlations' sources that are this one's events.
        let mut chained = Vec::new();
        for (o, outer) in correlated.correlations.iter().enumerate().skip(k + 1) {
            for (s, source) in outer.sources.iter().enumerate() {
                if matches!(source.events, Events::Correlation(inner) if inner == k) {
                    chained.extend(source_columns(
                        reader,
                        (o, s),
                        outer,
                        source,
                        &format!("_h{k}"),
                    )?);
                    chained.push(format!("_h{k} AS _m{o}_{s}"));
                }
            }
        }
        if !correlation.writes && chained.is_empty() {
            continue;
        }
        // A record is in a hit when its (group, time) for some source is:
        // c{k}_in holds each pair once, so no join repeats a record.
        let mut joins = String::new();
        let mut member = Vec::new();
        for s in 0..correlation.sources.len() {
            joins.push_str(&format!(
                " LEFT JOIN c{k}_in h{s} ON h{s}.g = p._g{k}_{s} AND h{s}.t = p._t"
            ));
            member.push(format!("h{s}.g IS NOT NULL"));
        }
        let marked = format!(
            "SELECT p.*, ({}) AS _h{k} FROM {current} p{joins}",
            member.join(" OR ")
        );
        ctes.push(if chained.is_empty() {
            format!("r{k} AS ({marked})")
        } else {
            format!(
                "r{k} AS (SELECT *, {} FROM ({marked}) m)",
                chained.join(", ")
            )
        });
        current = format!("r{k}");
        if correlation.writes {
            written.push(format!("rec._h{k}"));
        }
    }
    let from = if current == "rec" {
        current
    } else {
        format!("{current} rec")
    };
    let order_by = match order {
        Order::Time => "\nORDER BY rec._t NULLS LAST",
        Order::None => "",
    };
    Ok(format!(
        "WITH\n  {}\nSELECT {}\nFROM {from}\nWHERE {}{order_by}",
        ctes.join(",\n  "),
        reader.returned(),
        written.join(" OR ")
    ))
}

/// Source s of correlation k's group key `_g{k}_{s}` (and value
/// `_v{k}_{s}`), read only where `guard` holds, so that a field of
/// another shape in a record the source does not count is no error.
fn source_columns(
    reader: &dyn Reader,
    (k, s): (usize, usize),
    correlation: &Correlation<'_>,
    source: &CorrelationSource<'_>,
    guard: &str,
) -> Result<Vec<String>, Refusal> {
    let named = |refusal: Refusal| {
        Refusal::new(
            format!("{}: {}", correlation.name, refusal.construct),
            refusal.dialect,
        )
    };
    let mut key = Vec::new();
    for field in &source.group {
        let value = reader.string_field(field).map_err(named)?;
        // Length-prefixed, so that no two value lists join alike.
        key.push(format!(
            "(CASE WHEN {value} IS NULL THEN 'n' ELSE 's' || CAST(length({value}) AS {}) || ':' || {value} END)",
            reader.text_type()
        ));
    }
    let key = if key.is_empty() {
        "''".to_owned()
    } else {
        key.join(" || '|' || ")
    };
    let mut columns = vec![format!("(CASE WHEN {guard} THEN {key} END) AS _g{k}_{s}")];
    if correlation.counted == Counted::Values {
        columns.push(format!(
            "(CASE WHEN {guard} THEN {} END) AS _v{k}_{s}",
            reader.string_field(&source.value).map_err(named)?
        ));
    }
    Ok(columns)
}

/// `c{k}_rows`: one row per event of each source, from `from`.
fn rows(reader: &dyn Reader, k: usize, correlation: &Correlation<'_>, from: &str) -> String {
    let rows: Vec<String> = (0..correlation.sources.len())
        .map(|s| {
            let mut counted = format!("_m{k}_{s} AND _t IS NOT NULL");
            // event_count: one row per record and group, so that a record
            // several sources hold is one event of its group; the other
            // types count each source's row (temporal: a record of two
            // rules is both rules present).
            if correlation.counted == Counted::Events {
                for earlier in 0..s {
                    counted += &format!(
                        " AND NOT COALESCE(_m{k}_{earlier} AND _g{k}_{earlier} = _g{k}_{s}, FALSE)"
                    );
                }
            }
            let value = if correlation.counted == Counted::Values {
                format!("_v{k}_{s}")
            } else {
                "NULL".to_owned()
            };
            format!(
                "SELECT _g{k}_{s} AS g, _t AS t, _eid AS e, CAST({value} AS {}) AS v, {s} AS s \
                 FROM {from} WHERE {counted}",
                reader.text_type()
            )
        })
        .collect();
    format!("c{k}_rows AS ({})", rows.join(" UNION ALL "))
}
