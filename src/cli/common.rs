//! Arguments shared by both binaries.
//!
//! OWNER: window helper.

use crate::window::TimeWindow;

/// --from, --to, --last-minute, --last.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TimeArgs {
    /// Keep events at or after this time
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Keep events at or before this time
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Keep events of the last N minutes
    #[arg(long, value_name = "N")]
    pub last_minute: Option<u64>,
    /// Keep events of the last DURATION (90m, 3h, 7d)
    #[arg(long, value_name = "DURATION")]
    pub last: Option<String>,
}

impl TimeArgs {
    /// The window these arguments describe, relative to `now`.
    pub fn window(&self, _now: crate::window::UnixNanos) -> Result<TimeWindow, String> {
        todo!("window helper")
    }
}
