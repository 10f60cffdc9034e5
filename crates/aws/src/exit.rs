//! spitzel-fetch's exit statuses, one enum for both sources (LookupEvents
//! and --s3); the man page's EXIT STATUS documents the same codes.

use std::process::ExitCode;

use crate::signals::{Interrupt, SIGHUP, SIGINT, SIGTERM};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything was read and events were written (over all runs of a
    /// checkpoint); also when standard output was closed early (`| head`)
    /// or --max-events was reached.
    Found = 0,
    /// 1: everything was read and no event matched.
    NothingFound = 1,
    /// 2: something was not read: a usage, set-up, credential or permission
    /// error, a failure part-way (after writing what could be read), or
    /// events or objects skipped (each reported).
    Error = 2,
    /// 129: SIGHUP, after saving the checkpoint.
    Hangup = 128 + SIGHUP as isize,
    /// 130: SIGINT (Ctrl-C), after saving the checkpoint.
    Interrupted = 128 + SIGINT as isize,
    /// 143: SIGTERM, after saving the checkpoint.
    Terminated = 128 + SIGTERM as isize,
}

impl Exit {
    /// The status for a stop by signal `number` (128 + the number).
    pub(crate) fn from_signal(number: i32) -> Exit {
        match number {
            SIGHUP => Exit::Hangup,
            SIGTERM => Exit::Terminated,
            _ => Exit::Interrupted,
        }
    }

    /// The status for the signal that stopped `interrupt`, if one did.
    pub(crate) fn interrupted(interrupt: &Interrupt) -> Option<Exit> {
        interrupt.signal().map(Exit::from_signal)
    }

    /// The status of a run that read everything it was asked to.
    pub(crate) fn read_all(events_written: u64) -> Exit {
        if events_written > 0 {
            Exit::Found
        } else {
            Exit::NothingFound
        }
    }

    pub(crate) fn code(self) -> u8 {
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
            Exit::Found,
            Exit::NothingFound,
            Exit::Error,
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
