//! The one way spitzel-fetch writes a time in a message: the calendar
//! spitzel-core keeps for every crate.

pub(crate) fn rfc3339(secs: i64) -> String {
    spitzel_core::calendar::format_rfc3339(secs).unwrap_or_else(|| secs.to_string())
}
