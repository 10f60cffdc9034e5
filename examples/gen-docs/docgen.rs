//! Renders the man pages and shell completions of both binaries from their
//! clap definitions plus the hand-written sections in man/src/.
//!
//! Shared by the `gen-docs` example (which writes the files into the repo)
//! and tests/docs_fresh.rs (which writes them into a temporary directory and
//! compares), so both always produce the same bytes.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use clap_complete::{Generator, Shell};

/// The command that regenerates everything below; named in error messages.
pub const REGENERATE: &str = "cargo run --example gen-docs";

/// Directories (relative to the repo root) whose files are all generated.
pub const MAN_DIR: &str = "man";
pub const COMPLETIONS_DIR: &str = "completions";

/// One binary's man page: its clap command and the written roff sections,
/// each file starting with its own `.SH` line.
struct Page {
    command: clap::Command,
    /// Between SYNOPSIS and OPTIONS.
    before_options: &'static [&'static str],
    /// After OPTIONS, in this order.
    after_options: &'static [&'static str],
}

macro_rules! section {
    ($file:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/man/src/", $file))
    };
}

const FILTER_BEFORE_OPTIONS: &[&str] = &[section!("filter-description.roff")];
const FILTER_AFTER_OPTIONS: &[&str] = &[
    section!("match-language.roff"),
    section!("sigma-rules.roff"),
    section!("action-globs.roff"),
    section!("time-formats.roff"),
    section!("input-formats.roff"),
    section!("duplicates.roff"),
    section!("scaling-out.roff"),
    section!("filter-exit-status.roff"),
    section!("filter-examples.roff"),
    section!("filter-see-also.roff"),
];

const FETCH_BEFORE_OPTIONS: &[&str] = &[section!("fetch-description.roff")];
const FETCH_AFTER_OPTIONS: &[&str] = &[
    section!("action-globs.roff"),
    section!("time-formats.roff"),
    section!("fetch-iam-policy.roff"),
    section!("fetch-follow.roff"),
    section!("fetch-s3.roff"),
    section!("fetch-environment.roff"),
    section!("fetch-exit-status.roff"),
    section!("fetch-examples.roff"),
    section!("fetch-see-also.roff"),
];

fn pages() -> Vec<Page> {
    vec![
        Page {
            command: spitzel_cli::filter::command(),
            before_options: FILTER_BEFORE_OPTIONS,
            after_options: FILTER_AFTER_OPTIONS,
        },
        Page {
            command: spitzel_cli::fetch::command(),
            before_options: FETCH_BEFORE_OPTIONS,
            after_options: FETCH_AFTER_OPTIONS,
        },
    ]
}

/// The clap commands of the binaries whose pages are generated.
#[allow(dead_code)] // only tests/docs_fresh.rs asks
pub fn commands() -> Vec<clap::Command> {
    pages().into_iter().map(|page| page.command).collect()
}

/// A generated file: where it goes (relative to the repo root) and its bytes.
pub struct Generated {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Every generated file, in a stable order.
pub fn render() -> io::Result<Vec<Generated>> {
    let mut out = Vec::new();
    for page in pages() {
        let name = page.command.get_name().to_owned();
        out.push(Generated {
            path: Path::new(MAN_DIR).join(format!("{name}.1")),
            bytes: render_man(&page)?,
        });
        for shell in Shell::value_variants() {
            let mut command = page.command.clone();
            let mut bytes = Vec::new();
            clap_complete::generate(*shell, &mut command, &name, &mut bytes);
            out.push(Generated {
                path: Path::new(COMPLETIONS_DIR).join(shell.file_name(&name)),
                bytes,
            });
        }
    }
    Ok(out)
}

fn render_man(page: &Page) -> io::Result<Vec<u8>> {
    let version = page.command.get_version().unwrap_or_default().to_owned();
    // No date: the output must not change from one day to the next.
    let man = clap_mangen::Man::new(page.command.clone())
        .source(format!("spitzel {version}"))
        .manual("User Commands");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    for section in page.before_options {
        out.extend_from_slice(escape_examples(section).as_bytes());
    }
    man.render_options_section(&mut out)?;
    for section in page.after_options {
        out.extend_from_slice(escape_examples(section).as_bytes());
    }
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Escape the literal lines between `.EX` and `.EE` so that they render
/// exactly as written: shell commands stay copy-pasteable on any groff.
fn escape_examples(section: &str) -> String {
    let mut out = String::with_capacity(section.len() + section.len() / 8);
    let mut literal = false;
    for line in section.lines() {
        match line.trim_end() {
            ".EX" => literal = true,
            ".EE" => literal = false,
            _ if literal => {
                out.push_str(&escape_literal_line(line));
                out.push('\n');
                continue;
            }
            _ => {}
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn escape_literal_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    // A leading `.` or `'` would be read as a request.
    if line.starts_with(['.', '\'']) {
        out.push_str("\\&");
    }
    for c in line.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            '\'' => out.push_str("\\(aq"),
            '`' => out.push_str("\\(ga"),
            '^' => out.push_str("\\(ha"),
            '~' => out.push_str("\\(ti"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `path` (relative to the repo root) is a generated file's place.
pub fn is_generated_path(path: &Path) -> bool {
    let parent = path.parent().and_then(Path::to_str);
    match parent {
        Some(COMPLETIONS_DIR) => true,
        Some(MAN_DIR) => path.extension().is_some_and(|ext| ext == "1"),
        _ => false,
    }
}

/// The generated files present under `root` (relative paths, sorted).
pub fn existing(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for dir in [MAN_DIR, COMPLETIONS_DIR] {
        let entries = match fs::read_dir(root.join(dir)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if !entry.file_type()?.is_file() {
                continue;
            }
            let relative = Path::new(dir).join(entry.file_name());
            if is_generated_path(&relative) {
                found.push(relative);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Write every generated file under `root`, removing generated files that
/// are no longer produced. Returns the paths written.
pub fn write(root: &Path) -> io::Result<Vec<PathBuf>> {
    let files = render()?;
    for stale in existing(root)? {
        if !files.iter().any(|f| f.path == stale) {
            fs::remove_file(root.join(&stale))?;
        }
    }
    let mut written = Vec::new();
    for file in files {
        let target = root.join(&file.path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&target, &file.bytes)?;
        written.push(file.path);
    }
    Ok(written)
}
