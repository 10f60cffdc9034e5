//! SIGINT, SIGTERM and SIGHUP all stop a run the same way: the page in hand
//! is finished and saved, then the process exits 128 + the signal's number
//! (130, 143, 129; see `Exit::from_signal`). Used by both sources.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

/// Which signal, if any, asked the run to stop.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interrupt {
    signal: Arc<AtomicI32>,
}

pub(crate) const SIGHUP: i32 = 1;
pub(crate) const SIGINT: i32 = 2;
pub(crate) const SIGTERM: i32 = 15;

impl Interrupt {
    /// Listen for the signals on the current tokio runtime; `on_signal` runs
    /// once, at the first of them.
    pub(crate) fn listen(on_signal: impl FnOnce() + Send + 'static) -> Interrupt {
        let interrupt = Interrupt::default();
        let signal = interrupt.signal.clone();
        tokio::spawn(async move {
            if let Some(number) = first_signal().await {
                signal.store(number, Ordering::SeqCst);
                on_signal();
            }
        });
        interrupt
    }

    /// The signal's number, once one came.
    pub(crate) fn signal(&self) -> Option<i32> {
        match self.signal.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n),
        }
    }

    /// "SIGTERM" and so on, once one came.
    pub(crate) fn name(&self) -> Option<&'static str> {
        self.signal().map(|n| match n {
            SIGHUP => "SIGHUP",
            SIGTERM => "SIGTERM",
            _ => "SIGINT",
        })
    }
}

#[cfg(unix)]
async fn first_signal() -> Option<i32> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).ok()?;
    let mut term = signal(SignalKind::terminate()).ok()?;
    let mut hup = signal(SignalKind::hangup()).ok()?;
    tokio::select! {
        _ = int.recv() => Some(SIGINT),
        _ = term.recv() => Some(SIGTERM),
        _ = hup.recv() => Some(SIGHUP),
    }
}

#[cfg(not(unix))]
async fn first_signal() -> Option<i32> {
    tokio::signal::ctrl_c().await.ok().map(|()| SIGINT)
}
