//! The progress display: shown on a terminal, one line per region; silenced
//! by -q. A terminal comes from script(1); without it the test is skipped.

use crate::support;

use std::time::Duration;

use spitzel_testsupport::output_within;
use support::emulator::Emulator;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);

/// Run spitzel-fetch under script(1) so that stderr is a terminal; returns
/// what the terminal showed, or None when script(1) is not available.
fn on_a_terminal(emulator: &Emulator, extra: &str) -> Option<String> {
    let home = tempfile::tempdir().unwrap();
    let output = home.path().join("out.ndjson");
    let fetch = format!(
        "{} --endpoint-url {} --region us-east-1,eu-west-1 --rate 50 -o {} {extra}",
        env!("CARGO_BIN_EXE_spitzel-fetch"),
        emulator.url(),
        output.display()
    );
    let command = bare_command(home.path());
    let mut script = std::process::Command::new("script");
    script.args(["-qec", &fetch, "/dev/null"]).env_clear();
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => script.env(key, value),
            None => script.env_remove(key),
        };
    }
    let out = match std::process::Command::new("script")
        .arg("--version")
        .output()
    {
        Ok(o) if o.status.success() => output_within(&mut script, LIMIT),
        _ => {
            eprintln!("skipped: script(1) not found");
            return None;
        }
    };
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(event_ids(&std::fs::read(&output).unwrap()).len(), 400);
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_terminal_shows_a_line_per_region_and_quiet_silences_it() {
    let emulator = Emulator::start(config_with(&["us-east-1", "eu-west-1"], 200, 3600));
    let Some(shown) = on_a_terminal(&emulator, "") else {
        return;
    };
    let last_frame: Vec<&str> = shown.rsplit("\x1b[2A").next().unwrap().lines().collect();
    let region_lines: Vec<&&str> = last_frame.iter().filter(|l| l.contains("events")).collect();
    assert_eq!(region_lines.len(), 2, "{shown:?}");
    assert!(region_lines[0].contains("us-east-1") && region_lines[0].contains("200 events"));
    assert!(region_lines[1].contains("eu-west-1") && region_lines[1].contains("100.0% of window"));
    let quiet = on_a_terminal(&emulator, "-q").unwrap();
    assert!(!quiet.contains("events"), "{quiet:?}");
}
