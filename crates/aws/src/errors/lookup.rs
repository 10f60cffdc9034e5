//! LookupEvents: the regions to read, and why a query stopped.

use std::fmt;

use crate::chain::ChainFault;

#[derive(Debug, thiserror::Error)]
pub(crate) enum LookupError {
    #[error("no region: pass --region or --all-regions, or set AWS_REGION or a profile region")]
    NoRegion,
    #[error("no region given to --region")]
    NoRegionGiven,
    #[error(
        "access denied listing regions: --all-regions needs the account:ListRegions permission"
    )]
    RegionsDenied,
    #[error("cannot list the account's regions: {0}")]
    RegionsUnlisted(String),
    #[error("the account reports no enabled regions")]
    NoEnabledRegions,
    #[error(
        "{region}: cannot reach the CloudTrail endpoint {endpoint}: connection refused ({attempts} attempts){reached}"
    )]
    Unreachable {
        region: String,
        endpoint: String,
        attempts: u32,
        reached: Reached,
    },
    #[error("{region}: gave up after {attempts} attempts: {last}{reached}")]
    GaveUp {
        region: String,
        attempts: u32,
        last: String,
        reached: Reached,
    },
    #[error(
        "{region}: the API refused a fresh query ({query}) with InvalidNextTokenException{reached}"
    )]
    FreshTokenRefused {
        region: String,
        query: String,
        reached: Reached,
    },
    #[error(
        "{region}: the API refused the saved NextToken of query {query}, and its pages came out of time order, so restarting at the oldest event written could lose events; start again with a new checkpoint and output"
    )]
    SavedTokenRefused { region: String, query: String },
    #[error(
        "{region}: access denied: the credentials need the cloudtrail:LookupEvents permission ({message}){reached}"
    )]
    AccessDenied {
        region: String,
        message: String,
        reached: Reached,
    },
    #[error(
        "{region}: the AWS session token has expired: refresh the credentials (e.g. `aws sso login`) and rerun{reached}"
    )]
    ExpiredToken { region: String, reached: Reached },
    #[error(
        "{region}: the region rejected the credentials (UnrecognizedClientException): the region may be unknown or not enabled for this account, or the access key is invalid{reached}"
    )]
    CredentialsRejected { region: String, reached: Reached },
    #[error("{region}: invalid time range: {message}{reached}")]
    TimeRange {
        region: String,
        message: String,
        reached: Reached,
    },
    #[error("{region}: invalid --lookup {query}: {message}{reached}")]
    LookupAttributes {
        region: String,
        query: String,
        message: String,
        reached: Reached,
    },
    #[error("{region}: {message}{reached}")]
    MalformedResponse {
        region: String,
        message: String,
        reached: Reached,
    },
    /// Any other error the service returned, by its code.
    #[error("{region}: {code}{}{reached}", colon_message(message))]
    Service {
        region: String,
        code: String,
        message: String,
        reached: Reached,
    },
    #[error("{region}: query {query}: {fault}")]
    Chain {
        region: String,
        query: String,
        fault: ChainFault,
    },
}

fn colon_message(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

/// How far a region got before its error, the end of its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reached {
    /// The oldest eventTime written, RFC 3339.
    Back {
        region: String,
        oldest: String,
    },
    Nothing {
        region: String,
    },
}

impl fmt::Display for Reached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reached::Back { region, oldest } => {
                write!(
                    f,
                    "; {region} got back to {oldest} (oldest eventTime written)"
                )
            }
            Reached::Nothing { region } => write!(f, "; nothing was read from {region}"),
        }
    }
}
