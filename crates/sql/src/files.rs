//! The input files as each engine must be told to read them. spitzel-filter
//! knows gzip by its magic bytes, the engines by the file name, so a file
//! whose name and content disagree (`dump.ndjson` holding gzip, `x.gz`
//! holding text) is read with its compression named (DuckDB) or refused
//! (Spark, whose text source picks a codec by the name alone).

use super::{Dialect, Refusal};
use std::io::Read;

/// What a file's first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    Gzip,
    Plain,
    /// Not readable now (missing, a URL): the engine decides by name.
    Unknown,
}

pub(crate) fn sniff(path: &str) -> Content {
    let mut magic = [0u8; 2];
    match std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)) {
        Ok(()) if magic == [0x1f, 0x8b] => Content::Gzip,
        Ok(()) => Content::Plain,
        // Shorter than two bytes: no gzip stream either.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Content::Plain,
        Err(_) => Content::Unknown,
    }
}

/// DuckDB's `compression` value for a file.
pub(crate) fn duckdb_compression(path: &str) -> &'static str {
    match sniff(path) {
        Content::Gzip => "gzip",
        Content::Plain => "none",
        Content::Unknown => "auto_detect",
    }
}

/// Hadoop's codecs by suffix, which Spark's text source applies by name.
const SPARK_CODEC_SUFFIXES: [&str; 6] = [".gz", ".bz2", ".deflate", ".lz4", ".snappy", ".zst"];

/// A file Spark would read otherwise than spitzel-filter does.
pub(crate) fn spark_check(path: &str) -> Result<(), Refusal> {
    let lower = path.to_ascii_lowercase();
    let suffix = SPARK_CODEC_SUFFIXES.iter().find(|s| lower.ends_with(*s));
    let refuse = |why: String| {
        Err(Refusal::new(
            format!("the file {path:?} ({why})"),
            Dialect::Spark,
        ))
    };
    match (sniff(path), suffix) {
        (Content::Gzip, Some(&".gz")) | (Content::Plain | Content::Unknown, None) => Ok(()),
        (Content::Gzip, _) => {
            refuse("gzip without a .gz name, which Spark would read as text".into())
        }
        (Content::Plain, Some(s)) => {
            refuse(format!("not compressed, but Spark decompresses a {s} name"))
        }
        (Content::Unknown, Some(&".gz")) => Ok(()),
        (Content::Unknown, Some(s)) => refuse(format!(
            "a {s} name, which spitzel-filter does not decompress"
        )),
    }
}

/// `path` as DuckDB's file readers take it literally: they expand `*`, `?`
/// and `[...]` in every name (`ev[1].ndjson` would read `ev1.ndjson`), and
/// a one-character class is the only escape they know (no backslash).
pub fn duckdb_literal_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '*' | '?' | '[' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

/// `path` as Spark (Hadoop's glob) takes it literally: `*`, `?`, `[...]`
/// and `{a,b}` expand, and a backslash quotes the next character, itself
/// included.
pub fn spark_literal_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '\\' | '*' | '?' | '[' | ']' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_characters_are_quoted_for_each_engine() {
        assert_eq!(
            duckdb_literal_path("d[1]/e?*.ndjson"),
            "d[[]1]/e[?][*].ndjson"
        );
        assert_eq!(duckdb_literal_path("x{1,2}\\y.json"), "x{1,2}\\y.json");
        assert_eq!(
            spark_literal_path("d[1]/e?*{a,b}\\.ndjson"),
            "d\\[1\\]/e\\?\\*\\{a,b\\}\\\\.ndjson"
        );
        assert_eq!(
            spark_literal_path("/plain/path.ndjson"),
            "/plain/path.ndjson"
        );
    }
}
