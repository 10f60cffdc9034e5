//! Rule files and SQL options written to hurt: link loops in a rule
//! directory, YAML alias bombs, conditions nested past the stack, rule
//! sets that run nothing, a table name carrying statements. Each is one
//! clear line and exit 2, or a normal run, never a hang or an abort.

use std::path::Path;
use std::process::Output;

use crate::util::run;
use spitzel_testsupport::{stderr, stdout};

const STOP: &str = r#"{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}"#;

fn rule(title: &str, level: &str, condition: &str) -> String {
    format!(
        "title: {title}\nid: {title}\nlevel: {level}\nlogsource:\n    product: aws\n    service: cloudtrail\n\
         detection:\n    sel:\n        eventName: StopLogging\n    condition: {condition}\n"
    )
}

fn annotated_ids(out: &Output) -> Vec<String> {
    let line: serde_json::Value = serde_json::from_str(stdout(out).trim()).unwrap();
    line["sigma"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_owned())
        .collect()
}

#[cfg(unix)]
#[test]
fn a_link_back_up_the_rule_tree_loads_each_rule_once() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("sub")).unwrap();
    std::fs::write(rules.join("stop.yml"), rule("stop", "high", "sel")).unwrap();
    std::os::unix::fs::symlink("..", rules.join("sub/up")).unwrap();
    // The same file named twice, directly and through a link, counts once too.
    std::os::unix::fs::symlink("../stop.yml", rules.join("sub/again.yml")).unwrap();
    let rules = rules.to_str().unwrap();
    let out = run(
        &["--sigma", rules, "--sigma", rules, "--annotate"],
        format!("{STOP}\n").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(annotated_ids(&out), ["stop"]);
}

#[cfg(unix)]
#[test]
fn a_rule_directory_linking_to_itself_is_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stop.yml"), rule("stop", "high", "sel")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("b")).unwrap();
    let out = run(
        &["--sigma", dir.path().to_str().unwrap(), "--annotate"],
        format!("{STOP}\n").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(annotated_ids(&out), ["stop"]);
}

#[test]
fn nested_yaml_aliases_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("laughs.yml");
    let mut text = rule("laughs", "high", "sel");
    text.push_str("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..9 {
        let items = vec![format!("*l{}", level - 1); 9].join(", ");
        text.push_str(&format!("l{level}: &l{level} [{items}]\n"));
    }
    assert!(text.len() < 1024, "{}", text.len());
    std::fs::write(&bomb, &text).unwrap();
    let out = run(&["--sigma", bomb.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("spitzel-filter: --sigma: {}:", bomb.display()))
            && err.contains("invalid YAML: aliases expand to more than 100000 nodes"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

fn deep_conditions() -> [String; 2] {
    [
        format!("{}sel{}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("{}sel", "not ".repeat(100_000)),
    ]
}

#[test]
fn conditions_nested_past_the_limit_are_one_error_in_the_filter_and_in_sql() {
    let dir = tempfile::tempdir().unwrap();
    for (number, condition) in deep_conditions().iter().enumerate() {
        let file = dir.path().join(format!("deep{number}.yml"));
        std::fs::write(&file, rule("deep", "high", condition)).unwrap();
        let file = file.to_str().unwrap();
        for args in [
            vec!["--sigma", file],
            vec!["--emit-sql", "duckdb", "--sigma", file],
            vec!["--emit-sql", "athena", "--sigma", file],
        ] {
            let out = run(&args, format!("{STOP}\n").as_bytes());
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            assert_eq!(
                stderr(&out),
                format!(
                    "spitzel-filter: --sigma: {file}:10: key 'detection.condition': \
                     condition nests parentheses and 'not' more than 64 deep\n"
                ),
                "{args:?}"
            );
        }
    }
}

#[test]
fn match_expressions_nested_past_the_limit_are_one_error_with_a_column() {
    for (expression, column) in [
        (
            format!("{}$.a == 1{}", "(".repeat(10_000), ")".repeat(10_000)),
            66,
        ),
        (format!("{}$.a == 1", "not ".repeat(30_000)), 261),
    ] {
        for args in [vec!["--match"], vec!["--emit-sql", "duckdb", "--match"]] {
            let mut args = args.clone();
            args.push(&expression);
            let out = run(&args, format!("{STOP}\n").as_bytes());
            assert_eq!(out.status.code(), Some(2));
            let err = stderr(&out);
            assert!(
                err.ends_with(&format!(
                    "expression nested too deeply at column {column}\n"
                )),
                "{err}"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
}

fn write_rules(dir: &Path) {
    std::fs::write(dir.join("high.yml"), rule("high", "high", "sel")).unwrap();
    std::fs::write(dir.join("low.yml"), rule("low", "low", "sel")).unwrap();
    std::fs::write(
        dir.join("windows.yml"),
        "title: w\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image: x\n    condition: sel\n",
    )
    .unwrap();
}

#[test]
fn a_rule_set_with_no_rule_to_run_is_refused_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    write_rules(dir.path());
    let rules = dir.path().to_str().unwrap();
    let expected = "spitzel-filter: --sigma: no rule to run: 3 rules in 3 files: \
         1 for a logsource other than AWS CloudTrail (product: aws, service: cloudtrail), \
         2 below --sigma-level critical (or without a level)\n";
    for args in [
        vec!["--sigma", rules, "--sigma-level", "critical"],
        vec![
            "--emit-sql",
            "duckdb",
            "--sigma",
            rules,
            "--sigma-level",
            "critical",
        ],
    ] {
        let out = run(&args, format!("{STOP}\n").as_bytes());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", stdout(&out));
        assert_eq!(stderr(&out), expected, "{args:?}");
    }
    // A folder of other log sources only.
    let windows = dir.path().join("windows.yml");
    let out = run(&["--sigma", windows.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "spitzel-filter: --sigma: no rule to run: 1 rule in 1 file: \
         1 for a logsource other than AWS CloudTrail (product: aws, service: cloudtrail)\n"
    );
    // No rule file at all.
    let empty = tempfile::tempdir().unwrap();
    let out = run(&["--sigma", empty.path().to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "spitzel-filter: --sigma: no rule file (.yml, .yaml) in {}\n",
            empty.path().display()
        )
    );
    // One rule left is a run.
    let out = run(
        &["--sigma", rules, "--sigma-level", "high"],
        format!("{STOP}\n").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn sql_ddl_checks_the_table_name_as_the_query_does() {
    let injected = "x (a int); DROP TABLE cloudtrail_logs; CREATE EXTERNAL TABLE y";
    let expected = format!(
        "spitzel-filter: --sql-table {injected:?}: not a table name \
         (letters, digits and '_', optionally DATABASE.TABLE)\n"
    );
    for args in [
        vec![
            "--emit-sql",
            "athena",
            "--sql-ddl",
            "s3://bucket/prefix",
            "--sql-table",
            injected,
        ],
        vec!["--emit-sql", "athena", "--sql-table", injected, "s3:*"],
    ] {
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{}", stdout(&out));
        assert_eq!(stderr(&out), expected, "{args:?}");
    }
    let out = run(
        &[
            "--emit-sql",
            "athena",
            "--sql-ddl",
            "s3://bucket/prefix",
            "--sql-table",
            "forensics.trail",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("CREATE EXTERNAL TABLE forensics.trail (\n"));
}

/// A search of `values` eventNames used in `uses` terms with other searches.
fn repeated_search_rule(values: usize, uses: usize) -> String {
    let mut text = String::from(
        "title: big\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n    big:\n        eventName:\n",
    );
    for value in 0..values {
        text.push_str(&format!("            - Value{value}\n"));
    }
    for term in 0..uses {
        text.push_str(&format!(
            "    s{term}:\n        eventSource: source{term}\n"
        ));
    }
    let terms: Vec<String> = (0..uses).map(|t| format!("(big and s{t})")).collect();
    text.push_str(&format!("    condition: {}\n", terms.join(" or ")));
    text
}

#[test]
fn a_statement_past_the_dialects_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.yml");
    // 8 KB of rule, about 750 KB of Athena SQL: past Athena's 262,144 bytes.
    std::fs::write(&file, repeated_search_rule(300, 40)).unwrap();
    let out = run(
        &["--emit-sql", "athena", "--sigma", file.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.starts_with("spitzel-filter: --emit-sql athena: cannot translate exactly: criteria (or input files) whose statement is ")
            && err.ends_with(" bytes, past the 262144 allowed for this dialect\n"),
        "{err}"
    );
    // Repeating one search in an `or` costs nothing.
    let file = dir.path().join("or.yml");
    let condition = vec!["sel"; 2000].join(" or ");
    std::fs::write(&file, rule("or", "high", &condition)).unwrap();
    let once = dir.path().join("once.yml");
    std::fs::write(&once, rule("or", "high", "sel")).unwrap();
    for dialect in ["duckdb", "athena"] {
        let emit = |path: &Path| {
            let out = run(
                &[
                    "--emit-sql",
                    dialect,
                    "--sigma",
                    path.to_str().unwrap(),
                    "-i",
                    "events.ndjson",
                ],
                b"",
            );
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            // The statement after its first line, the command as typed.
            let text = stdout(&out);
            text.split_once('\n').unwrap().1.to_owned()
        };
        assert_eq!(emit(&file), emit(&once), "{dialect}");
    }
}
