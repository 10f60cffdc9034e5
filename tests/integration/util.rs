//! Shared by the test modules: the `Filter` command builder, ../shared and
//! gzip (a finished run's text is spitzel_testsupport's).

use spitzel_testsupport::finish_within;
use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The real spitzel-filter binary, with arguments and what to feed its stdin.
pub struct Filter {
    command: Command,
    stdin: Vec<u8>,
}

impl Filter {
    pub fn new() -> Self {
        Self {
            command: Command::new(env!("CARGO_BIN_EXE_spitzel-filter")),
            stdin: Vec::new(),
        }
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn stdin(mut self, data: &[u8]) -> Self {
        self.stdin = data.to_vec();
        self
    }

    /// The command itself, for a test that drives the pipes by hand.
    pub fn command(self) -> Command {
        self.command
    }

    /// Run to the end with the stdin bytes fed from a thread (so a full
    /// stdout pipe cannot deadlock against a full stdin pipe); a run that
    /// never ends fails the test after five minutes.
    pub fn output(mut self) -> Output {
        let mut child = self
            .command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn spitzel-filter");
        let mut input = child.stdin.take().unwrap();
        let data = std::mem::take(&mut self.stdin);
        let feeder = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let output = finish_within(child, Duration::from_secs(300));
        feeder.join().unwrap();
        output
    }
}

/// spitzel-filter with `args`, `stdin` piped in; the finished process's output.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    Filter::new().args(args).stdin(stdin).output()
}

/// ../shared beside the repository, or $SPITZEL_SHARED: the tests that read
/// it are ignored unless asked for, and fail without it.
pub fn shared_dir() -> std::path::PathBuf {
    std::env::var_os("SPITZEL_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// `data` as one gzip member.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}
