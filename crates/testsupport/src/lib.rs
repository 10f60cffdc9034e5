//! What the integration tests of spitzel-filter and spitzel-fetch share: a
//! finished run's output as text, and runs bounded by a hang guard (a
//! generous limit that turns a hang into a failure, not a timing test).

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A run's stdout, which must be UTF-8.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 output")
}

/// A run's stderr, invalid UTF-8 replaced.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Run `command` (stdout and stderr piped) to its end; a run still going
/// after `limit` is killed and fails the test.
pub fn output_within(command: &mut Command, limit: Duration) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    finish_within(child, limit)
}

/// Wait for `child`, reading its piped stdout and stderr meanwhile (so a
/// full pipe cannot stall it); one still running after `limit` is killed
/// and fails the test.
pub fn finish_within(mut child: Child, limit: Duration) -> Output {
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let began = Instant::now();
    // Short runs are the common case: poll often at first, then less.
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if began.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the run did not end within {limit:?}");
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_run_gives_its_output() {
        let out = output_within(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            Duration::from_secs(60),
        );
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(stdout(&out), "out\n");
        assert_eq!(stderr(&out), "err\n");
    }

    #[test]
    #[should_panic(expected = "did not end")]
    fn a_run_past_its_limit_is_killed_and_fails() {
        output_within(Command::new("sleep").arg("30"), Duration::from_millis(100));
    }
}
