//! The one way spitzel-fetch writes a time in a message.

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

pub(crate) fn rfc3339(secs: i64) -> String {
    DateTime::from_secs(secs)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| secs.to_string())
}
