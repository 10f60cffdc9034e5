//! The differential test of `--emit-sql` against the real engines (DuckDB;
//! Athena through sqlglot and DuckDB), run by tests/sql/run.py with the
//! Python of .ci/venv, which `bash .ci/run` creates. Without it the test
//! says so and passes, except under CI, where a missing tool is a failure.

use spitzel_testsupport::stderr;
use std::path::Path;
use std::process::Command;

#[test]
fn emitted_sql_selects_what_the_filter_keeps() {
    let root = env!("CARGO_MANIFEST_DIR");
    let python = Path::new(root).join(".ci/venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have .ci/venv with duckdb and sqlglot (bash .ci/run installs them)"
        );
        eprintln!(
            "sql-engines: SKIPPED: no .ci/venv (run bash .ci/run to install duckdb and sqlglot)"
        );
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(&python)
        .arg(Path::new(root).join("tests/sql/run.py"))
        .arg(env!("CARGO_BIN_EXE_spitzel-filter"))
        .arg(work.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", stderr(&out));
    assert!(
        out.status.success(),
        "engine results differ from spitzel-filter's"
    );
    if std::env::var_os("CI").is_some() {
        assert!(!stdout.contains("SKIPPED"), "CI must run the engines");
    }
    assert!(stdout.contains("sql-engines: OK"));
}
