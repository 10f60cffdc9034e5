//! Why a LookupEvents query stopped, in words.

use super::pager::PageError;
use super::plan::Query;
use crate::clock::rfc3339;
use crate::errors::{LookupError, Reached};

/// The wording of AWS errors: one line naming the region, the cause and how far the region got.
pub(crate) fn describe_failure(
    name: &str,
    endpoint: &str,
    oldest: Option<i64>,
    query: &Query,
    err: PageError,
) -> LookupError {
    let region = name.to_string();
    let reached = match oldest {
        Some(t) => Reached::Back {
            region: region.clone(),
            oldest: rfc3339(t),
        },
        None => Reached::Nothing {
            region: region.clone(),
        },
    };
    match err {
        PageError::GaveUp {
            attempts,
            unreachable: true,
            ..
        } => LookupError::Unreachable {
            region,
            endpoint: endpoint.to_string(),
            attempts,
            reached,
        },
        PageError::GaveUp { attempts, last, .. } => LookupError::GaveUp {
            region,
            attempts,
            last,
            reached,
        },
        PageError::InvalidNextToken => LookupError::FreshTokenRefused {
            region,
            query: query.label(),
            reached,
        },
        PageError::Fatal { code, message } => match code.as_str() {
            "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => {
                LookupError::AccessDenied {
                    region,
                    message,
                    reached,
                }
            }
            "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => {
                LookupError::ExpiredToken { region, reached }
            }
            "UnrecognizedClientException" | "InvalidClientTokenId" => {
                LookupError::CredentialsRejected { region, reached }
            }
            "InvalidTimeRangeException" => LookupError::TimeRange {
                region,
                message,
                reached,
            },
            "InvalidLookupAttributesException" => LookupError::LookupAttributes {
                region,
                query: query.label(),
                message,
                reached,
            },
            "MalformedResponse" => LookupError::MalformedResponse {
                region,
                message,
                reached,
            },
            _ => LookupError::Service {
                region,
                code,
                message,
                reached,
            },
        },
    }
}
