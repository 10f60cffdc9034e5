//! The differential test of `--emit-sql` against the real engines (DuckDB;
//! Athena through sqlglot and DuckDB), run by tests/sql/run.py with the
//! Python of .ci/venv, which `bash .ci/run` creates. Without it the test
//! says so and passes, except under CI, where a missing tool is a failure.

use spitzel_testsupport::stderr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// .ci/venv's Python; None (the test then passes, saying why) without it,
/// except under CI, where a missing tool is a failure.
fn engine_python() -> Option<PathBuf> {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/venv/bin/python");
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have .ci/venv with duckdb and sqlglot (bash .ci/run installs them)"
    );
    eprintln!("sql-engines: SKIPPED: no .ci/venv (run bash .ci/run to install duckdb and sqlglot)");
    None
}

/// Run one of tests/sql's scripts with the filter and a work directory.
fn run_script(python: &Path, script: &str) -> (bool, String) {
    let root = env!("CARGO_MANIFEST_DIR");
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(python)
        .arg(Path::new(root).join("tests/sql").join(script))
        .arg(env!("CARGO_BIN_EXE_spitzel-filter"))
        .arg(work.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{stdout}{}", stderr(&out));
    (out.status.success(), stdout)
}

#[test]
fn emitted_sql_selects_what_the_filter_keeps() {
    let Some(python) = engine_python() else {
        return;
    };
    let (ok, stdout) = run_script(&python, "run.py");
    assert!(ok, "engine results differ from spitzel-filter's");
    if std::env::var_os("CI").is_some() {
        assert!(!stdout.contains("SKIPPED"), "CI must run the engines");
    }
    assert!(stdout.contains("sql-engines: OK"));
}

/// Random correlation rule sets (tests/sql/correlation_random.py): DuckDB
/// returns exactly the records the filter writes.
#[test]
fn random_correlations_select_what_the_filter_keeps() {
    let Some(python) = engine_python() else {
        return;
    };
    let (ok, stdout) = run_script(&python, "correlation_random.py");
    assert!(
        ok,
        "DuckDB differs from spitzel-filter on a random correlation set"
    );
    assert!(stdout.contains(", 0 differing"));
}
