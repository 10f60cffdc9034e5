//! Time window on eventTime: parsing of the user's time arguments and of
//! CloudTrail's eventTime values. Shared by spitzel-filter and spitzel-fetch.
//!
//! OWNER: actions/window helper. Times are nanoseconds since the Unix epoch (UTC).

/// Nanoseconds since 1970-01-01T00:00:00Z.
pub type UnixNanos = i64;

/// Inclusive bounds; None = open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeWindow {
    pub from: Option<UnixNanos>,
    pub to: Option<UnixNanos>,
}

/// Where an event's eventTime falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowCheck {
    Inside,
    Outside,
    /// eventTime missing or not a time we can read: outside any window.
    Unreadable,
}

impl TimeWindow {
    pub fn is_unbounded(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// Check an event's eventTime string (None when the field is absent).
    pub fn check(&self, _event_time: Option<&str>) -> WindowCheck {
        todo!("window helper")
    }
}

/// Parse a user-supplied time (`--from`/`--to`).
pub fn parse_time_arg(_s: &str) -> Result<UnixNanos, String> {
    todo!("window helper")
}

/// Parse a CloudTrail eventTime value.
pub fn parse_event_time(_s: &str) -> Option<UnixNanos> {
    todo!("window helper")
}

/// The current time.
pub fn now() -> UnixNanos {
    todo!("window helper")
}
