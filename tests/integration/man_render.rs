//! The committed man pages render without a single groff warning. Needs
//! `man` (man-db) or `groff`; without either the test says it skipped.
//! On Debian/Ubuntu: apt-get install -y man-db groff-base

use spitzel_testsupport::stderr;
use std::path::{Path, PathBuf};
use std::process::Command;

fn man_pages() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("man/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "1"))
        .collect();
    pages.sort();
    assert!(!pages.is_empty(), "no man pages in {}", dir.display());
    pages
}

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `command` and returns its stderr, failing on a non-zero status.
fn stderr_of(mut command: Command) -> String {
    let out = command.output().expect("run the renderer");
    let stderr = stderr(&out);
    assert!(out.status.success(), "{command:?} failed: {stderr}");
    stderr
}

#[test]
fn man_pages_render_without_warnings() {
    let renderer = if available("man") {
        "man"
    } else if available("groff") {
        "groff"
    } else {
        eprintln!("skipped: neither man nor groff found (apt-get install -y man-db groff-base)");
        return;
    };
    for page in man_pages() {
        let mut command = Command::new(renderer);
        if renderer == "man" {
            command
                .args(["--warnings", "-l"])
                .arg(&page)
                .env("MANWIDTH", "80")
                .env("MANPAGER", "cat")
                .env("PAGER", "cat");
        } else {
            command.args(["-man", "-ww", "-z", "-Tutf8"]).arg(&page);
        }
        let stderr = stderr_of(command);
        assert!(
            stderr.trim().is_empty(),
            "{} renders with warnings:\n{stderr}",
            page.display()
        );
    }
}
