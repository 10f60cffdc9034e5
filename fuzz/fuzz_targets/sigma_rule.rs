//! Sigma rule files: loading never panics or aborts (YAML aliases, deep
//! nesting, odd scalars); a refusal is one line; a loaded rule runs on a
//! few records and translates to each SQL dialect (a statement or a
//! refusal, never a panic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spitzel_sigma::load::{Loaded, load_text};
use spitzel_sql::{Cond, Dialect, Order, Source, emit};
use std::path::Path;

const RECORDS: [&str; 3] = [
    r#"{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"sourceIPAddress":"10.1.2.3","requestParameters":{"a":[1,"x",{"b":null}],"n":12.5}}"#,
    r#"{"eventName":"GetObject","errorCode":"AccessDenied","requestParameters":"aGVsbG8=","resources":[{"ARN":"arn:aws:s3:::b"}]}"#,
    r#"{}"#,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = match load_text(Path::new("fuzz.yml"), text) {
        Ok(loaded) => loaded,
        Err(error) => {
            let line = error.to_string();
            assert!(!line.contains('\n'), "{line:?}");
            return;
        }
    };
    let rules: Vec<_> = loaded
        .into_iter()
        .filter_map(|l| match l {
            Loaded::Rule(rule) => Some(*rule),
            Loaded::OtherLogsource(_) | Loaded::Correlation(_) | Loaded::Filter(_) => None,
        })
        .collect();
    let records: Vec<serde_json::Value> = RECORDS
        .iter()
        .map(|r| serde_json::from_str(r).expect("fixture records are valid"))
        .collect();
    for rule in &rules {
        for record in &records {
            let _ = rule.matches(record);
        }
    }
    if rules.is_empty() {
        return;
    }
    let cond = Cond::sigma(&rules);
    for (dialect, source) in [
        (Dialect::Duckdb, Source::Files(vec!["missing.ndjson".into()])),
        (Dialect::Spark, Source::Files(vec!["missing.ndjson".into()])),
        (Dialect::Athena, Source::Table("cloudtrail_logs".into())),
    ] {
        if let Err(refusal) = emit(dialect, &cond, false, &source, Order::Time) {
            let line = refusal.to_string();
            assert!(!line.contains('\n'), "{line:?}");
        }
    }
});
