//! Shared by the fetch integration tests: the emulator and a way to run the
//! real spitzel-fetch binary against it with fake, isolated credentials.

pub mod emulator;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use emulator::{Emulator, EmulatorConfig, FakeEvent};
use spitzel_testsupport::{finish_within, output_within, stderr};

pub const ACCESS_KEY: &str = "AKIDFETCHTEST";

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `count` events per region, spread over the last `span` seconds, so that
/// the default 90-day window holds them all.
pub fn config_with(regions: &[&str], count: usize, span: i64) -> EmulatorConfig {
    let newest = now_secs() - 60;
    let mut config = EmulatorConfig::default();
    for (i, region) in regions.iter().enumerate() {
        config.regions.insert(
            region.to_string(),
            emulator::synthetic_events(region, count, 7 + i as u64, newest, span),
        );
    }
    config
}

/// The real spitzel-fetch binary with fake, isolated AWS settings and its
/// own home directory (kept until the run is over).
pub struct Fetch {
    command: Command,
    home: tempfile::TempDir,
}

/// Longest a run may take before the test fails instead of hanging.
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

impl Fetch {
    /// Against `emulator` (`--endpoint-url`).
    pub fn against(emulator: &Emulator) -> Self {
        let home = tempfile::tempdir().unwrap();
        let command = fetch_command(emulator, home.path());
        Self { command, home }
    }

    /// Against `emulator`, reading `regions` (a comma list) at --rate 50:
    /// the plain run most tests start from.
    pub fn regions(emulator: &Emulator, regions: &str) -> Self {
        Self::against(emulator).args(["--region", regions, "--rate", "50"])
    }

    /// With no endpoint: the test sets one through the environment.
    pub fn bare() -> Self {
        let home = tempfile::tempdir().unwrap();
        let command = bare_command(home.path());
        Self { command, home }
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    /// `-o path`.
    pub fn output_file(self, path: &Path) -> Self {
        self.arg("-o").arg(path)
    }

    /// `--checkpoint path`.
    pub fn checkpoint(self, path: &Path) -> Self {
        self.arg("--checkpoint").arg(path)
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Run to the end (within RUN_LIMIT).
    pub fn output(mut self) -> Output {
        output_within(&mut self.command, RUN_LIMIT)
    }

    /// Run to the end and require exit status `code` (stderr shown if not).
    pub fn exits(self, code: i32) -> Output {
        let out = self.output();
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        out
    }

    /// Run to the end and require exit status 0.
    pub fn succeeds(self) -> Output {
        self.exits(0)
    }

    /// Start it with stdout and stderr piped; the test reads or waits.
    pub fn spawn(mut self) -> Running {
        let child = self
            .command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn spitzel-fetch");
        Running {
            child,
            _home: self.home,
        }
    }
}

/// A spitzel-fetch started by `Fetch::spawn`.
pub struct Running {
    pub child: Child,
    _home: tempfile::TempDir,
}

impl Running {
    /// Wait for the end (within RUN_LIMIT), collecting what is left of its output.
    pub fn wait(self) -> Output {
        finish_within(self.child, RUN_LIMIT)
    }

    /// Send `signal` (a kill(1) name: INT, TERM, HUP).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal} failed");
    }
}

/// Exit status `code` and exactly one stderr line containing all of
/// `needles`, without a panic or a Rust debug dump.
pub fn assert_one_line_error(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace") && !err.contains(" { "),
        "{err}"
    );
    for needle in needles {
        assert!(err.contains(needle), "'{needle}' not in: {err}");
    }
}

/// Newline-terminated lines in `path` (0 if it does not exist yet).
pub fn lines_in(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// The emulator serving `config`, and every event it holds.
pub fn serve(config: EmulatorConfig) -> (Emulator, Vec<FakeEvent>) {
    let events = all_events(&config);
    (Emulator::start(config), events)
}

/// spitzel-fetch with isolated AWS settings pointing at `emulator`.
pub fn fetch_command(emulator: &Emulator, home: &Path) -> Command {
    let mut command = bare_command(home);
    command.arg("--endpoint-url").arg(emulator.url());
    command
}

/// spitzel-fetch with fake credentials and no endpoint.
pub fn bare_command(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spitzel-fetch"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", "fake-secret-key")
        .stdin(Stdio::null());
    command
}

/// The eventID of every NDJSON line, in order.
pub fn event_ids(ndjson: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(ndjson)
        .lines()
        .map(|line| {
            let record: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            record["eventID"]
                .as_str()
                .unwrap_or_else(|| panic!("no eventID: {line}"))
                .to_string()
        })
        .collect()
}

/// Every id once, and exactly the expected set.
pub fn assert_exactly_once<'a>(ids: &[String], expected: impl IntoIterator<Item = &'a FakeEvent>) {
    let mut seen = HashSet::new();
    for id in ids {
        assert!(seen.insert(id.as_str()), "event {id} written twice");
    }
    let expected: HashSet<&str> = expected.into_iter().map(|e| e.event_id.as_str()).collect();
    let missing = expected.difference(&seen).count();
    let extra = seen.difference(&expected).count();
    assert_eq!(
        (missing, extra),
        (0, 0),
        "{missing} events missing, {extra} unexpected, of {}",
        expected.len()
    );
}

pub fn all_events(config: &EmulatorConfig) -> Vec<FakeEvent> {
    config.regions.values().flatten().cloned().collect()
}
