//! spitzel-fetch's exit statuses, one enum for both sources (LookupEvents
//! and --s3); the man page's EXIT STATUS documents the same codes.

use std::process::ExitCode;

use crate::signals::{Interrupt, SIGHUP, SIGINT, SIGTERM};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done; also when standard output was closed early (`| head`).
    Done = 0,
    /// 1: failed after partial output, or finished but skipped events or
    /// objects it could not read (each reported).
    Failed = 1,
    /// 2: a usage or configuration error, with nothing written.
    Usage = 2,
    /// 129: SIGHUP, after saving the checkpoint.
    Hangup = 128 + SIGHUP as isize,
    /// 130: SIGINT (Ctrl-C), after saving the checkpoint.
    Interrupted = 128 + SIGINT as isize,
    /// 143: SIGTERM, after saving the checkpoint.
    Terminated = 128 + SIGTERM as isize,
}

impl Exit {
    /// The status for a stop by signal `number` (128 + the number).
    pub fn from_signal(number: i32) -> Exit {
        match number {
            SIGHUP => Exit::Hangup,
            SIGTERM => Exit::Terminated,
            _ => Exit::Interrupted,
        }
    }

    /// The status for the signal that stopped `interrupt`, if one did.
    pub fn interrupted(interrupt: &Interrupt) -> Option<Exit> {
        interrupt.signal().map(Exit::from_signal)
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        let codes = [
            Exit::Done,
            Exit::Failed,
            Exit::Usage,
            Exit::Hangup,
            Exit::Interrupted,
            Exit::Terminated,
        ]
        .map(Exit::code);
        assert_eq!(codes, [0, 1, 2, 129, 130, 143]);
        assert_eq!(Exit::from_signal(SIGTERM), Exit::Terminated);
        assert_eq!(Exit::from_signal(SIGHUP), Exit::Hangup);
        assert_eq!(Exit::from_signal(SIGINT), Exit::Interrupted);
    }

    #[test]
    fn the_man_page_lists_every_code() {
        let page = include_str!("../../../man/src/fetch-exit-status.roff");
        for code in [".B 0\n", ".B 1\n", ".B 2\n", ".B 129, 130, 143\n"] {
            assert!(page.contains(code), "{code:?} missing from EXIT STATUS");
        }
    }
}
