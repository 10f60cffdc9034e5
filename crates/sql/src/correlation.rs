//! Sigma correlations as SQL: `event_count` and `value_count` with a lower
//! bound, decided over the same sliding frames as the filter
//! (crates/sigma/src/correlation/decide.rs), with identical results.
//!
//! Per correlation, the records of its rules that have a readable time
//! become rows (group key, time, eventID, counted value). A frame starts
//! at each distinct time of a group and holds the group's rows in
//! [t, t + timespan], both ends included: a window function over the
//! group in time order counts it. The hits' events are the rows inside
//! some frame that meets the bound (a second window, looking back); the
//! statement returns those records and the records the rules write on
//! their own, each record once.
//!
//! Group-by and counted values are compared as strings, and a missing or
//! null value is one null group (not counted by value_count). Any other
//! JSON kind there stops the query (DuckDB, Spark): the filter compares
//! those by their JSON text, which the engines do not keep.

use super::common::Actions;
use super::cond::Cond;
use super::json::{self, Kind, Render};
use super::{Dialect, Order, Refusal, athena, athena_table, common, str_lit};

/// The criteria and correlations of a `--sigma` set with correlations.
pub struct Correlated<'a> {
    /// What every record counted or written must meet (actions, window,
    /// expressions).
    pub criteria: Cond<'a>,
    /// Records the rules write on their own (rules not only used by
    /// correlations, or with `generate`).
    pub writes: Cond<'a>,
    pub correlations: Vec<CountCorrelation<'a>>,
}

/// An `event_count` or `value_count` correlation with `count >= at_least`.
pub struct CountCorrelation<'a> {
    /// `file:line: correlation rule 'title'`, for refusals.
    pub name: String,
    pub sources: Vec<CountSource<'a>>,
    /// In nanoseconds.
    pub timespan: i64,
    pub at_least: u64,
    pub counts_values: bool,
    /// Its hits are output.
    pub writes: bool,
}

/// One referenced rule of a correlation.
pub struct CountSource<'a> {
    pub rule: Cond<'a>,
    /// The dotted fields read for the group-by entries.
    pub group: Vec<String>,
    /// value_count's dotted field (empty otherwise).
    pub value: String,
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
    for (k, correlation) in correlated.correlations.iter().enumerate() {
        for (s, source) in correlation.sources.iter().enumerate() {
            parts.push((
                format!("_m{k}_{s}"),
                format!("(({criteria}) AND ({}))", reader.pred(&source.rule)?),
            ));
        }
    }
    let records = reader.records(&parts)?;
    // The group key and the counted value, read only where a rule of the
    // correlation holds (so a field of another shape elsewhere is no error).
    let mut keyed = Vec::new();
    for (k, correlation) in correlated.correlations.iter().enumerate() {
        for (s, source) in correlation.sources.iter().enumerate() {
            let mut key = Vec::new();
            for field in &source.group {
                let value = reader.string_field(field)?;
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
            keyed.push(format!("(CASE WHEN _m{k}_{s} THEN {key} END) AS _g{k}_{s}"));
            if correlation.counts_values {
                keyed.push(format!(
                    "(CASE WHEN _m{k}_{s} THEN {} END) AS _v{k}_{s}",
                    reader.string_field(&source.value)?
                ));
            }
        }
    }
    let mut ctes = vec![format!(
        "rec AS (SELECT *, {} FROM ({records}) records)",
        keyed.join(", ")
    )];
    let mut joins = Vec::new();
    let mut written = vec!["rec._w".to_owned()];
    for (k, correlation) in correlated.correlations.iter().enumerate() {
        // event_count: one row per record and group, so that a record
        // several rules of the correlation match is one event of its group
        // (value_count counts each rule's value, duplicates aside).
        let rows: Vec<String> = (0..correlation.sources.len())
            .map(|s| {
                let mut counted = format!("_m{k}_{s} AND _t IS NOT NULL");
                let earlier_sources = if correlation.counts_values { 0 } else { s };
                for earlier in 0..earlier_sources {
                    counted += &format!(
                        " AND NOT COALESCE(_m{k}_{earlier} AND _g{k}_{earlier} = _g{k}_{s}, FALSE)"
                    );
                }
                let value = if correlation.counts_values {
                    format!("_v{k}_{s}")
                } else {
                    "NULL".to_owned()
                };
                format!(
                    "SELECT _g{k}_{s} AS g, _t AS t, _eid AS e, CAST({value} AS {}) AS v FROM rec \
                     WHERE {counted}",
                    reader.text_type()
                )
            })
            .collect();
        ctes.push(format!("c{k}_rows AS ({})", rows.join(" UNION ALL ")));
        // The frame starting at a row's time holds the group's rows up to
        // `span` later (RANGE takes the row's peers too): a window, one
        // sort per group, where a range self-join made Spark compare every
        // pair of a group's rows. A frame meets the bound (q = 1); a row
        // is a hit's event when a frame meeting it starts at most `span`
        // before it.
        let span = correlation.timespan;
        let ahead =
            format!("PARTITION BY g ORDER BY t RANGE BETWEEN CURRENT ROW AND {span} FOLLOWING");
        let behind =
            format!("PARTITION BY g ORDER BY t RANGE BETWEEN {span} PRECEDING AND CURRENT ROW");
        // Distinct events: distinct eventIDs, and each record without one.
        let count = if correlation.counts_values {
            distinct_over(reader.dialect(), "v", &ahead)
        } else {
            format!(
                "({} + count(CASE WHEN e IS NULL THEN 1 END) OVER ({ahead}))",
                distinct_over(reader.dialect(), "e", &ahead)
            )
        };
        ctes.push(format!(
            "c{k}_q AS (SELECT g, t, CASE WHEN {count} >= {} THEN 1 ELSE 0 END AS q FROM c{k}_rows)",
            correlation.at_least
        ));
        ctes.push(format!(
            "c{k}_in AS (SELECT DISTINCT g, t FROM (SELECT g, t, max(q) OVER ({behind}) AS h \
             FROM c{k}_q) w WHERE h = 1)"
        ));
        if correlation.writes {
            for s in 0..correlation.sources.len() {
                joins.push(format!(
                    "LEFT JOIN c{k}_in h{k}_{s} ON h{k}_{s}.g = rec._g{k}_{s} AND h{k}_{s}.t = rec._t"
                ));
                written.push(format!("h{k}_{s}.g IS NOT NULL"));
            }
        }
    }
    let order_by = match order {
        Order::Time => "\nORDER BY rec._t NULLS LAST",
        Order::None => "",
    };
    Ok(format!(
        "WITH\n  {}\nSELECT {}\nFROM rec {}\nWHERE {}{order_by}",
        ctes.join(",\n  "),
        reader.returned(),
        joins.join(" "),
        written.join(" OR ")
    ))
}

/// How many distinct non-null values of `x` the window holds: no engine
/// here takes DISTINCT in a window aggregate but DuckDB.
fn distinct_over(d: Dialect, x: &str, window: &str) -> String {
    match d {
        Dialect::Duckdb => format!("count(DISTINCT {x}) OVER ({window})"),
        Dialect::Spark => format!("size(collect_set({x}) OVER ({window}))"),
        Dialect::Athena => format!(
            "cardinality(array_distinct(filter(array_agg({x}) OVER ({window}), z -> z IS NOT NULL)))"
        ),
    }
}
