//! A bound on the work of one general JSONPath evaluation, decided before
//! running it.
//!
//! serde_json_path evaluates segment by segment with no way to stop it, and
//! RFC 9535 results are multisets: each `..` after the first can multiply
//! the nodes in hand by the record's depth, so `$..*..*..*..*` on a
//! 250-deep record visits billions of nodes. The path's cost is therefore
//! estimated from its segments and the record's node count and depth, as
//! an upper bound, and a record on which it exceeds NODE_BUDGET is refused
//! with an error (never a verdict) instead of being evaluated.
//!
//! The bound, with n nodes and depth d: a node in hand with multiplicity m
//! passes its children on with multiplicity m per selector; a descendant
//! segment visits every node below each node in hand, so at most n*m*d
//! visits (n from the root alone); an `@` query in a filter costs, summed
//! over the nodes it is tried on, at most d times its cost on the whole
//! record (the subtrees of one depth are disjoint) plus one per node.

use crate::json_bytes::space_end;
use serde_json::Value;

/// Node visits one path evaluation may cost on one record.
pub(crate) const NODE_BUDGET: f64 = 16_777_216.0;

/// A path's shape, as far as cost goes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cost {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
struct Segment {
    descendant: bool,
    selectors: Vec<Selector>,
}

#[derive(Debug, Clone)]
enum Selector {
    /// A name or an index: at most one child.
    One,
    /// A wildcard or a slice: any children.
    Many,
    /// A filter, with the queries inside it (`@`-relative or not).
    Filter(Vec<(bool, Cost)>),
}

impl Cost {
    /// The shape of `text`, a path serde_json_path accepted, starting at
    /// its `$` or `@`.
    pub(crate) fn of(text: &str) -> Self {
        parse_query(text.as_bytes(), 0, 0).0
    }

    /// Upper bound of node visits on a record of `nodes` nodes nested
    /// `depth` deep.
    pub(crate) fn estimate(&self, nodes: f64, depth: f64) -> f64 {
        let (n, d) = (nodes.max(1.0), depth.max(1.0));
        let mut work = 0.0;
        let mut size: f64 = 1.0;
        let mut mult: f64 = 1.0;
        for segment in &self.segments {
            let single = size <= 1.0;
            // The nodes the selectors are applied to, and their multiplicity.
            let (visited, visited_mult) = if segment.descendant {
                if single {
                    (n, mult)
                } else {
                    (n * mult * d, mult * d)
                }
            } else {
                (size, mult)
            };
            work += visited;
            let mut out = 0.0;
            for selector in &segment.selectors {
                let (tried, yielded) = match selector {
                    Selector::One => (visited, visited),
                    Selector::Many => (n * visited_mult, n * visited_mult),
                    Selector::Filter(queries) => {
                        let tried = n * visited_mult;
                        let mut per = 0.0;
                        for (relative, query) in queries {
                            per += if *relative {
                                visited_mult * (d * query.estimate(n, d) + n)
                            } else {
                                tried * query.estimate(n, d)
                            };
                        }
                        (tried + per, tried)
                    }
                };
                work += tried;
                out += yielded;
            }
            mult = visited_mult * segment.selectors.len().max(1) as f64;
            size = out.min(n * mult);
        }
        work
    }
}

/// Node count and depth of a tree.
pub(crate) fn measure(value: &Value) -> (f64, f64) {
    let mut nodes = 0.0;
    let mut deepest = 0usize;
    let mut stack = vec![(value, 1usize)];
    while let Some((value, depth)) = stack.pop() {
        nodes += 1.0;
        deepest = deepest.max(depth);
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    (nodes, deepest as f64)
}

/// After a quote at `at`: the offset past the closing quote.
fn string_end(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    let mut i = at + 1;
    while i < bytes.len() && bytes[i] != quote {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The query whose `$` or `@` is at `at`; returns it and where it ends.
/// Filters nest, so `depth` guards the stack (the path compiler has bounded
/// nesting already; this only keeps the estimate safe on its own).
fn parse_query(bytes: &[u8], at: usize, depth: usize) -> (Cost, usize) {
    let mut cost = Cost::default();
    let mut pos = at + 1;
    loop {
        let start = space_end(bytes, pos);
        let (descendant, at) = match (bytes.get(start), bytes.get(start + 1)) {
            (Some(b'.'), Some(b'.')) => (true, start + 2),
            (Some(b'.'), _) => (false, start + 1),
            (Some(b'['), _) => (false, start),
            _ => return (cost, pos),
        };
        let (selectors, end) = match bytes.get(at) {
            Some(b'*') => (vec![Selector::Many], at + 1),
            Some(b'[') => parse_brackets(bytes, at, depth),
            _ => {
                let mut end = at;
                while bytes.get(end).is_some_and(|&b| is_name_byte(b)) {
                    end += 1;
                }
                (vec![Selector::One], end)
            }
        };
        if end <= start {
            return (cost, pos);
        }
        cost.segments.push(Segment {
            descendant,
            selectors,
        });
        pos = end;
    }
}

/// The selectors of the bracket at `open`; returns them and the offset past
/// the `]`.
fn parse_brackets(bytes: &[u8], open: usize, depth: usize) -> (Vec<Selector>, usize) {
    let mut selectors = Vec::new();
    let mut at = open + 1;
    loop {
        let start = space_end(bytes, at);
        let mut nesting = 0usize;
        let mut queries = Vec::new();
        let mut slice = false;
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\'' | b'"' => {
                    i = string_end(bytes, i);
                    continue;
                }
                b'(' | b'[' => nesting += 1,
                b')' => nesting = nesting.saturating_sub(1),
                b']' if nesting > 0 => nesting -= 1,
                b']' | b',' if nesting == 0 => break,
                b':' if nesting == 0 => slice = true,
                b'@' | b'$' if bytes.get(start) == Some(&b'?') && depth < 64 => {
                    let (query, end) = parse_query(bytes, i, depth + 1);
                    queries.push((b == b'@', query));
                    i = end.max(i + 1);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        selectors.push(match bytes.get(start) {
            Some(b'?') => Selector::Filter(queries),
            Some(b'*') => Selector::Many,
            _ if slice => Selector::Many,
            _ => Selector::One,
        });
        match bytes.get(i) {
            Some(b',') => at = i + 1,
            _ => return (selectors, i + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chained_descendants_on_deep_records_exceed_the_budget() {
        let path = Cost::of("$..*..*..*..*");
        assert!(path.estimate(250.0, 250.0) > NODE_BUDGET);
        // A CloudTrail-sized record is fine.
        assert!(path.estimate(300.0, 8.0) < NODE_BUDGET);
    }

    #[test]
    fn ordinary_paths_are_linear() {
        for linear in [
            "$.a.b",
            "$..accessKeyId",
            "$.resources[*].ARN",
            "$.resources[?@.type == 'AWS::S3::Object'].ARN",
            "$['a', 'b'][0]",
            "$..['x']",
        ] {
            // Linear: about a few visits per node, whatever the depth.
            let cost = Cost::of(linear);
            assert!(cost.estimate(1e6, 256.0) <= 6e6, "{linear}");
        }
        for heavy in [
            "$..a..b..c",
            "$..[?@..x..y]",
            "$[*,*,*,*][*,*,*,*][*,*,*,*][*,*,*,*]",
        ] {
            assert!(
                Cost::of(heavy).estimate(1e6, 256.0) > NODE_BUDGET,
                "{heavy}"
            );
        }
    }

    #[test]
    fn filters_with_descendant_queries_count_their_subtrees() {
        let path = Cost::of("$..[?@..x]");
        // n * d, not n * n.
        assert!(path.estimate(50_000.0, 10.0) < NODE_BUDGET);
    }

    #[test]
    fn measure_counts_nodes_and_depth() {
        assert_eq!(measure(&json!({"a": [1, {"b": 2}]})), (5.0, 4.0));
        assert_eq!(measure(&json!(1)), (1.0, 1.0));
    }
}
