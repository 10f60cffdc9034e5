//! Why a LookupEvents query stopped, in words.

use super::pager::PageError;
use super::plan::Query;
use crate::clock::rfc3339;
use crate::errors::FetchError;

/// The wording of AWS errors: one line naming the region, the cause and how far the region got.
pub(crate) fn describe_failure(
    name: &str,
    endpoint: &str,
    oldest: Option<i64>,
    query: &Query,
    err: PageError,
) -> FetchError {
    let reached = match oldest {
        Some(t) => format!(
            "; {name} got back to {} (oldest eventTime written)",
            rfc3339(t)
        ),
        None => format!("; nothing was read from {name}"),
    };
    match err {
        PageError::GaveUp {
            attempts,
            unreachable: true,
            ..
        } => FetchError::new(format!(
            "{name}: cannot reach the CloudTrail endpoint {}: connection refused ({attempts} attempts){reached}",
            endpoint
        )),
        PageError::GaveUp { attempts, last, .. } => FetchError::new(format!(
            "{name}: gave up after {attempts} attempts: {last}{reached}"
        )),
        PageError::InvalidNextToken => FetchError::new(format!(
            "{name}: the API refused a fresh query ({}) with InvalidNextTokenException{reached}",
            query.label()
        )),
        PageError::Fatal { code, message } => {
            let line = match code.as_str() {
                "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => format!(
                    "{name}: access denied: the credentials need the cloudtrail:LookupEvents permission ({message})"
                ),
                "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => format!(
                    "{name}: the AWS session token has expired: refresh the credentials (e.g. `aws sso login`) and rerun"
                ),
                "UnrecognizedClientException" | "InvalidClientTokenId" => format!(
                    "{name}: the region rejected the credentials (UnrecognizedClientException): the region may be unknown or not enabled for this account, or the access key is invalid"
                ),
                "InvalidTimeRangeException" => format!("{name}: invalid time range: {message}"),
                "InvalidLookupAttributesException" => {
                    format!("{name}: invalid --lookup {}: {message}", query.label())
                }
                "MalformedResponse" => format!("{name}: {message}"),
                _ if message.is_empty() => format!("{name}: {code}"),
                _ => format!("{name}: {code}: {message}"),
            };
            FetchError::new(format!("{line}{reached}"))
        }
    }
}
