//! One correlation's frames in SQL, from its rows `c{k}_rows` (g: group
//! key, t: time, e: eventID, v: counted value, s: source number) to
//! `c{k}_in`, the (g, t) pairs of the hits' events.
//!
//! A frame starts at each distinct time t of a group and holds the
//! group's rows in [t, t + timespan]: a window `RANGE BETWEEN CURRENT ROW
//! AND timespan FOLLOWING` (peers included), one sort per group. Its
//! count goes through the bounds (`q`); a row is a hit's event when a
//! frame meeting them starts at most `timespan` before it (a second
//! window looking back), which holds for any bounds, upper ones too.

use crate::Dialect;
use spitzel_sigma::correlation::Bounds;

/// What a frame counts (crates/sigma/src/correlation/decide.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Distinct events: distinct eventIDs, and each record without one.
    Events,
    /// Distinct non-null values.
    Values,
    /// Distinct referenced rules present (temporal).
    Rules,
    /// How many rules, from the first, occur in order (temporal_ordered).
    InOrder,
}

pub(super) struct Frames {
    pub k: usize,
    pub counted: Counted,
    pub sources: usize,
    /// In nanoseconds.
    pub span: i64,
    pub bounds: Bounds,
    pub dialect: Dialect,
}

impl Frames {
    /// The CTEs after `c{k}_rows`, ending with `c{k}_in`.
    pub fn ctes(&self) -> Vec<String> {
        let k = self.k;
        let span = self.span;
        let ahead =
            format!("PARTITION BY g ORDER BY t RANGE BETWEEN CURRENT ROW AND {span} FOLLOWING");
        let behind =
            format!("PARTITION BY g ORDER BY t RANGE BETWEEN {span} PRECEDING AND CURRENT ROW");
        let mut ctes = self.counts(&ahead);
        ctes.push(format!(
            "c{k}_q AS (SELECT g, t, CASE WHEN {} THEN 1 ELSE 0 END AS q FROM c{k}_n)",
            self.holds("n")
        ));
        ctes.push(format!(
            "c{k}_in AS (SELECT DISTINCT g, t FROM (SELECT g, t, max(q) OVER ({behind}) AS h \
             FROM c{k}_q) w WHERE h = 1)"
        ));
        ctes
    }

    /// `c{k}_n`: per frame start (g, t), its count n.
    fn counts(&self, ahead: &str) -> Vec<String> {
        let k = self.k;
        let n = match self.counted {
            Counted::Events => format!(
                "{} + count(CASE WHEN e IS NULL THEN 1 END) OVER ({ahead})",
                distinct_over(self.dialect, "e", ahead)
            ),
            Counted::Values => distinct_over(self.dialect, "v", ahead),
            // A record two rules match counts for both, as in the filter.
            Counted::Rules => (0..self.sources)
                .map(|s| format!("max(CASE WHEN s = {s} THEN 1 ELSE 0 END) OVER ({ahead})"))
                .collect::<Vec<_>>()
                .join(" + "),
            Counted::InOrder => return self.in_order(ahead),
        };
        vec![format!("c{k}_n AS (SELECT g, t, {n} AS n FROM c{k}_rows)")]
    }

    /// temporal_ordered: the filter walks a frame's times in order and
    /// takes rule i at the first time, at or after rule i - 1's, where rule
    /// i occurs (equal times in order). So with `x{i}` at time x the first
    /// rule-i time at or after x (a window over the rest of the group),
    /// rule 0 is at t's `x0`, rule i at the `x{i}` of rule i - 1's time,
    /// found by an equi-join on (g, time); the count is how many of those
    /// times are in the frame (its last time `l`: no t + timespan to
    /// overflow).
    fn in_order(&self, ahead: &str) -> Vec<String> {
        let k = self.k;
        let rest = "PARTITION BY g ORDER BY t RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING";
        let next: Vec<String> = (0..self.sources)
            .map(|i| format!("min(CASE WHEN s = {i} THEN t END) OVER ({rest}) AS x{i}"))
            .collect();
        let mut joins = String::new();
        let mut inside = vec!["CASE WHEN a.x0 <= a.l THEN 1 ELSE 0 END".to_owned()];
        for i in 1..self.sources {
            let before = if i == 1 {
                "a.x0".to_owned()
            } else {
                format!("j{}.x{}", i - 1, i - 1)
            };
            joins.push_str(&format!(
                " LEFT JOIN c{k}_x j{i} ON j{i}.g = a.g AND j{i}.t = {before}"
            ));
            inside.push(format!("CASE WHEN j{i}.x{i} <= a.l THEN 1 ELSE 0 END"));
        }
        vec![
            format!(
                "c{k}_x AS (SELECT DISTINCT g, t, max(t) OVER ({ahead}) AS l, {} FROM c{k}_rows)",
                next.join(", ")
            ),
            format!(
                "c{k}_n AS (SELECT a.g, a.t, {} AS n FROM c{k}_x a{joins})",
                inside.join(" + ")
            ),
        ]
    }

    /// The bounds on `n`, every one given (counts stay far below 2^63, so
    /// a larger bound is written as 2^63 - 1, which no engine misreads).
    fn holds(&self, n: &str) -> String {
        let b = &self.bounds;
        let terms: Vec<String> = [
            (b.gt, ">"),
            (b.gte, ">="),
            (b.lt, "<"),
            (b.lte, "<="),
            (b.eq, "="),
        ]
        .into_iter()
        .filter_map(|(bound, op)| bound.map(|v| format!("{n} {op} {}", v.min(i64::MAX as u64))))
        .collect();
        if terms.is_empty() {
            "TRUE".to_owned()
        } else {
            terms.join(" AND ")
        }
    }
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
