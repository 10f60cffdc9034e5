//! The committed bash completions complete options and their values. Needs
//! bash; without it the test says it skipped. (zsh, fish, elvish and
//! PowerShell files come from the same generator and the same definitions.)

use spitzel_testsupport::stderr;
use std::path::Path;
use std::process::Command;

/// What bash offers after `line` (the word being completed is the last one)
/// for `binary`, using completions/<binary>.bash.
fn complete(binary: &str, line: &str) -> Option<Vec<String>> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(format!("{binary}.bash"));
    // Call whatever function the file registers for the binary, the way
    // bash's programmable completion would.
    let script = format!(
        r#"source "$1"
line="$2"
read -ra COMP_WORDS <<< "$line"
[[ "$line" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="$line"; COMP_POINT=${{#line}}
function=$(complete -p {binary} | sed -n 's/.*-F \([^ ]*\).*/\1/p')
cur="${{COMP_WORDS[COMP_CWORD]}}"
prev="${{COMP_WORDS[COMP_CWORD-1]}}"
"$function" {binary} "$cur" "$prev"
printf '%s\n' "${{COMPREPLY[@]}}""#
    );
    let out = Command::new("bash")
        .args(["-c", &script, "bash"])
        .arg(&file)
        .arg(line)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "bash completion failed: {}",
        stderr(&out)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn bash_completes_filter_options() {
    let Some(offered) = complete("spitzel-filter", "spitzel-filter --mat") else {
        eprintln!("skipped: bash not found");
        return;
    };
    assert_eq!(offered, ["--match"]);
    let all = complete("spitzel-filter", "spitzel-filter --").expect("bash");
    for option in [
        "--input",
        "--from",
        "--last-minute",
        "--invert-match",
        "--strict",
    ] {
        assert!(
            all.iter().any(|o| o == option),
            "{option} not offered: {all:?}"
        );
    }
}

#[test]
fn bash_completes_fetch_option_values() {
    let Some(offered) = complete("spitzel-fetch", "spitzel-fetch --event-category ") else {
        eprintln!("skipped: bash not found");
        return;
    };
    assert_eq!(offered, ["management", "insight"]);
}
