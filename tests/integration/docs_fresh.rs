//! The committed man pages and completions are what the generator makes from
//! the current clap definitions and man/src/; regenerate with
//! `cargo run --example gen-docs` when this fails.

#[path = "../../examples/gen-docs/docgen.rs"]
mod docgen;

use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_man_pages_and_completions_are_fresh() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let generated = docgen::write(scratch.path()).expect("generate into the temp dir");
    let committed = docgen::existing(repo()).expect("list man/ and completions/");

    let mut problems = Vec::new();
    for path in &generated {
        let fresh = fs::read(scratch.path().join(path)).expect("read generated file");
        match fs::read(repo().join(path)) {
            Ok(old) if old == fresh => {}
            Ok(_) => problems.push(format!("{} is out of date", path.display())),
            Err(_) => problems.push(format!("{} is missing", path.display())),
        }
    }
    for path in committed.iter().filter(|p| !generated.contains(p)) {
        problems.push(format!("{} is no longer generated", path.display()));
    }
    assert!(
        problems.is_empty(),
        "{}\nrun `{}` and commit man/ and completions/",
        problems.join("\n"),
        docgen::REGENERATE
    );
}

#[test]
fn files_are_named_as_each_shell_and_man_expect() {
    let generated: Vec<PathBuf> = docgen::render()
        .expect("render")
        .into_iter()
        .map(|f| f.path)
        .collect();
    for name in binaries() {
        for expected in [
            format!("man/{name}.1"),
            format!("completions/{name}.bash"),
            format!("completions/_{name}"),
            format!("completions/{name}.fish"),
            format!("completions/{name}.elv"),
            format!("completions/_{name}.ps1"),
        ] {
            assert!(
                generated.contains(&PathBuf::from(&expected)),
                "{expected} not generated; got {generated:?}"
            );
        }
    }
}

/// The binaries whose pages are generated, from the man pages themselves.
fn binaries() -> Vec<String> {
    let names: Vec<String> = docgen::render()
        .expect("render")
        .into_iter()
        .filter_map(|f| {
            let name = f
                .path
                .strip_prefix("man")
                .ok()?
                .to_str()?
                .strip_suffix(".1")?;
            Some(name.to_owned())
        })
        .collect();
    assert!(names.iter().any(|n| n == "spitzel-filter"), "{names:?}");
    names
}

fn man_page(name: &str) -> String {
    let file = docgen::render()
        .expect("render")
        .into_iter()
        .find(|f| f.path == Path::new("man").join(format!("{name}.1")))
        .unwrap_or_else(|| panic!("no man page for {name}"));
    String::from_utf8(file.bytes).expect("man page is UTF-8")
}

fn section_titles(page: &str) -> Vec<String> {
    page.lines()
        .filter_map(|l| l.strip_prefix(".SH "))
        .map(|t| t.trim_matches('"').to_owned())
        .collect()
}

#[test]
fn filter_page_has_the_written_sections_in_order() {
    let titles = section_titles(&man_page("spitzel-filter"));
    let expected = [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "MATCH LANGUAGE",
        "SIGMA RULES",
        "ACTION GLOBS",
        "TIME FORMATS",
        "INPUT FORMATS",
        "DUPLICATES",
        "SCALING OUT",
        "EXIT STATUS",
        "EXAMPLES",
        "SEE ALSO",
        "VERSION",
    ];
    assert_eq!(titles, expected);
}

#[test]
fn fetch_page_has_the_written_sections_in_order() {
    let titles = section_titles(&man_page("spitzel-fetch"));
    let expected = [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "S3 OPTIONS",
        "ACTION GLOBS",
        "TIME FORMATS",
        "IAM POLICY",
        "FOLLOWING LIVE",
        "READING A TRAIL FROM S3",
        "ENVIRONMENT",
        "EXIT STATUS",
        "EXAMPLES",
        "SEE ALSO",
        "VERSION",
    ];
    assert_eq!(titles, expected);
}

#[test]
fn every_option_is_in_the_man_page_and_the_completions() {
    let completions = docgen::render().expect("render");
    for name in binaries() {
        let page = man_page(&name);
        let bash = completions
            .iter()
            .find(|f| f.path == Path::new("completions").join(format!("{name}.bash")))
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .expect("bash completion");
        let command = docgen::commands()
            .into_iter()
            .find(|c| c.get_name() == name)
            .expect("the page's command");
        for arg in command.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            // clap_mangen writes dashes as `\-`.
            let in_man = format!("\\-\\-{}", long.replace('-', "\\-"));
            assert!(page.contains(&in_man), "{name}.1 lacks --{long}");
            assert!(
                bash.contains(&format!("--{long}")),
                "{name}.bash lacks --{long}"
            );
        }
    }
}

/// Example lines are escaped so they render as typed (ASCII quotes and
/// dashes on every groff); the written sections keep them readable.
#[test]
fn example_lines_render_verbatim() {
    let page = man_page("spitzel-filter");
    let line = page
        .lines()
        .find(|l| l.contains("AliceIsNotBob"))
        .expect("the original's AliceIsNotBob example");
    assert!(line.contains("\\(aq$.userIdentity.userName"), "{line}");
    assert!(line.contains("\\-\\-match"), "{line}");
    assert!(!line.contains('\''), "unescaped quote in {line}");
}
