//! One LookupEvents page, with our own retries (the SDK's are disabled so
//! that every attempt goes through the region's limiter).
//!
//! Throttling is retried without limit; 5xx, timeouts and broken connections
//! up to `max_attempts`; everything else is returned at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::operation::lookup_events::builders::LookupEventsFluentBuilder;
use aws_sdk_cloudtrail::operation::lookup_events::{LookupEventsError, LookupEventsOutput};

use super::body;
use super::pace::Limiter;
use crate::cause::{connection_refused, innermost};

/// Retry bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// Attempts for errors other than throttling.
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(5),
        }
    }
}

/// Why a page could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageError {
    /// The NextToken was refused (expired, or from another query).
    InvalidNextToken,
    /// Transient errors persisted through every attempt.
    GaveUp {
        attempts: u32,
        last: String,
        unreachable: bool,
    },
    /// An error retrying cannot fix.
    Fatal { code: String, message: String },
}

enum Class {
    Throttled,
    Transient { description: String, refused: bool },
    InvalidNextToken,
    Fatal { code: String, message: String },
}

const THROTTLING_CODES: [&str; 6] = [
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
];

fn classify(err: &SdkError<LookupEventsError>) -> Class {
    if let Some(fault) = body::fault_in(err) {
        return Class::Fatal {
            code: "MalformedResponse".into(),
            message: fault.to_string(),
        };
    }
    match err {
        SdkError::ServiceError(service) if service.raw().status().is_success() => Class::Fatal {
            code: "MalformedResponse".into(),
            message: malformed_body(service.raw().body().bytes().unwrap_or_default(), err),
        },
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service.err().code().unwrap_or("").to_string();
            let message = service.err().message().unwrap_or("").to_string();
            if THROTTLING_CODES.contains(&code.as_str()) || status == 429 {
                Class::Throttled
            } else if matches!(
                service.err(),
                LookupEventsError::InvalidNextTokenException(_)
            ) {
                Class::InvalidNextToken
            } else if status >= 500 {
                let code = if code.is_empty() {
                    "server error".into()
                } else {
                    code
                };
                Class::Transient {
                    description: format!("HTTP {status} {code}"),
                    refused: false,
                }
            } else {
                let code = if code.is_empty() {
                    format!("HTTP {status}")
                } else {
                    code
                };
                Class::Fatal { code, message }
            }
        }
        SdkError::TimeoutError(_) => Class::Transient {
            description: "request timed out".into(),
            refused: false,
        },
        SdkError::DispatchFailure(failure) => {
            if failure.is_user() {
                return Class::Fatal {
                    code: "RequestFailed".into(),
                    message: innermost(err),
                };
            }
            let refused = connection_refused(err);
            let description = if failure.is_timeout() {
                "request timed out".to_string()
            } else if refused {
                "connection refused".to_string()
            } else {
                format!("connection failed: {}", innermost(err))
            };
            Class::Transient {
                description,
                refused,
            }
        }
        SdkError::ResponseError(_) => Class::Transient {
            description: format!("broken response: {}", innermost(err)),
            refused: false,
        },
        _ => Class::Fatal {
            code: "RequestFailed".into(),
            message: innermost(err),
        },
    }
}

/// What is wrong with a 200 body the SDK could not read as a LookupEvents answer.
fn malformed_body(body: &[u8], err: &(dyn std::error::Error + 'static)) -> String {
    let start: String = String::from_utf8_lossy(&body[..body.len().min(60)])
        .escape_debug()
        .collect();
    let why = match serde_json::from_slice::<serde_json::Value>(body) {
        Err(e) => format!("the body is not JSON ({e})"),
        Ok(serde_json::Value::Object(map)) => match map.get("Events") {
            Some(events) if !events.is_array() => {
                format!("its Events is {}, not a list", json_kind(events))
            }
            _ => match map.get("NextToken") {
                Some(token) if !token.is_string() && !token.is_null() => {
                    format!("its NextToken is {}, not a string", json_kind(token))
                }
                _ => format!("the SDK could not read it ({})", innermost(err)),
            },
        },
        Ok(other) => format!("the body is {}, not a JSON object", json_kind(&other)),
    };
    format!("HTTP 200 but not a LookupEvents answer: {why}; the body starts \"{start}\"")
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt)].
pub(crate) fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let ceiling = policy
        .base
        .saturating_mul(1u32 << attempt.min(16))
        .min(policy.cap);
    ceiling.mul_f64(random_unit())
}

/// A cheap random number in [0, 1): jitter needs spread, not quality.
fn random_unit() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        x = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9)
            | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Send `request` until it succeeds or fails for good.
pub(crate) async fn fetch_page(
    request: &LookupEventsFluentBuilder,
    limiter: &Limiter,
    policy: &RetryPolicy,
) -> Result<LookupEventsOutput, PageError> {
    let mut failures = 0u32;
    let mut throttles = 0u32;
    loop {
        let ticket = limiter.acquire().await;
        let err = match request.clone().send().await {
            Ok(output) => {
                limiter.answered(ticket);
                return Ok(output);
            }
            Err(err) => err,
        };
        let class = classify(&err);
        if matches!(class, Class::Throttled) {
            limiter.throttled(ticket);
        } else {
            limiter.answered(ticket);
        }
        match class {
            Class::Throttled => {
                throttles = throttles.saturating_add(1);
                // The limiter has lengthened its window, which spaces the
                // first retry; a request throttled again also backs off.
                if !limiter.is_adaptive() {
                    tokio::time::sleep(backoff(policy, throttles)).await;
                } else if throttles > 1 {
                    tokio::time::sleep(backoff(policy, throttles - 1)).await;
                }
            }
            Class::Transient {
                description,
                refused,
            } => {
                failures += 1;
                if failures >= policy.max_attempts {
                    return Err(PageError::GaveUp {
                        attempts: failures,
                        last: description,
                        unreachable: refused,
                    });
                }
                tokio::time::sleep(backoff(policy, failures)).await;
            }
            Class::InvalidNextToken => return Err(PageError::InvalidNextToken),
            Class::Fatal { code, message } => return Err(PageError::Fatal { code, message }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let policy = RetryPolicy::default();
        for attempt in 0..40 {
            let ceiling = policy
                .base
                .saturating_mul(1 << attempt.min(16))
                .min(policy.cap);
            assert!(backoff(&policy, attempt) <= ceiling);
        }
    }
}
