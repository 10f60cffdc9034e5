//! --s3: the bucket, its listing, and the checkpoint's de-duplication state.

#[derive(Debug, thiserror::Error)]
pub(crate) enum S3Error {
    #[error("s3://{bucket}: cannot reach the S3 endpoint {endpoint}: connection refused")]
    Refused { bucket: String, endpoint: String },
    #[error("s3://{bucket}: cannot reach the S3 endpoint {endpoint}: {cause}")]
    Unreachable {
        bucket: String,
        endpoint: String,
        cause: String,
    },
    #[error("s3://{bucket}: no such bucket (NoSuchBucket)")]
    NoSuchBucket { bucket: String },
    #[error("s3://{bucket}: HeadBucket failed with HTTP {status}: {cause}")]
    HeadBucket {
        bucket: String,
        status: u16,
        cause: String,
    },
    #[error(
        "s3://{bucket}/{prefix}: access denied: listing needs s3:ListBucket on arn:aws:s3:::{bucket}"
    )]
    ListDenied { bucket: String, prefix: String },
    #[error("s3://{bucket}/{prefix}: cannot list: {fault}")]
    List {
        bucket: String,
        prefix: String,
        fault: ListFault,
    },
    #[error(
        "{url}: nothing under {root}: give the prefix the trail writes to (the folder that holds AWSLogs/)"
    )]
    NothingUnder { url: String, root: String },
    #[error("--account {account}: no such account under {url}/{root}")]
    NoSuchAccount {
        account: String,
        url: String,
        root: String,
    },
    #[error("--region {region}: no {trail_dir}/{region}/ folder in any account under {url}")]
    NoRegionFolder {
        region: String,
        trail_dir: &'static str,
        url: String,
    },
    #[error(
        "checkpoint {checkpoint} holds damaged de-duplication state; use a new checkpoint file"
    )]
    DamagedDedup { checkpoint: String },
}

/// Why a listing could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ListFault {
    /// The SDK's error, in words.
    #[error("{0}")]
    Request(String),
    #[error("a page says it holds {count} keys and folders but holds {found} (cut short?)")]
    KeyCount { count: i64, found: usize },
    /// A continuation token chain that does not end, in words.
    #[error("{0}")]
    Chain(String),
    #[error("a page says more keys follow (IsTruncated) but gives no continuation token")]
    TruncatedWithoutToken,
    #[error("a page without IsTruncated (cut short?)")]
    NoIsTruncated,
}
