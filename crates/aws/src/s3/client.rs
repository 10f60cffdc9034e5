//! The S3 client: endpoint and addressing, the bucket's own region, and
//! ListObjectsV2 / GetObject with their errors as one line each.

use aws_config::retry::RetryConfig;
use aws_config::{Region, SdkConfig};
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::BoxError;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};

use crate::cause::{connection_refused, innermost};
use crate::chain::ChainGuard;
use crate::errors::{ListFault, S3Error};
use crate::setup::{self, AwsSetup};

/// The endpoint requests go to when not AWS's: --endpoint-url, then the
/// standard variables.
pub(super) fn explicit_endpoint(endpoint_url: Option<&str>) -> Option<String> {
    endpoint_url
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_ENDPOINT_URL_S3").ok())
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .filter(|url| !url.is_empty())
}

/// Virtual-host addressing needs DNS names per bucket, which an IP address
/// or localhost does not have.
pub(super) fn wants_path_style(endpoint: &str) -> bool {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        return v6.contains(']');
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Shared configuration, set up as for LookupEvents. The SDK's standard
/// retries (exponential backoff with jitter) cover 5xx, SlowDown and
/// dropped connections.
pub(super) async fn load(aws: &AwsSetup) -> SdkConfig {
    let retry = RetryConfig::standard().with_max_attempts(aws.max_attempts);
    setup::load(aws, retry).await
}

pub(super) fn client(config: &SdkConfig, region: &str, path_style: bool) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .force_path_style(path_style)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// The status and `x-amz-bucket-region` of a failed request's response.
fn response_facts<E>(err: &SdkError<E, HttpResponse>) -> (Option<u16>, Option<String>) {
    match err {
        SdkError::ServiceError(service) => {
            let raw = service.raw();
            let region = raw
                .headers()
                .get("x-amz-bucket-region")
                .map(str::to_string)
                .filter(|r| !r.is_empty());
            (Some(raw.status().as_u16()), region)
        }
        _ => (None, None),
    }
}

/// Short text of an SDK error, in words: the service's code and message,
/// or what happened to the request (never the SDK's Debug text).
pub(crate) fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match (err.code(), err.message()) {
        (Some(code), Some(message)) if !message.is_empty() => {
            return format!("{code}: {message}");
        }
        (Some(code), _) => return code.to_string(),
        _ => {}
    }
    match err {
        SdkError::TimeoutError(_) => "the request timed out".to_string(),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            "the request timed out".to_string()
        }
        _ if connection_refused(err) => "connection refused".to_string(),
        SdkError::DispatchFailure(_) => format!("cannot connect: {}", innermost(err)),
        SdkError::ResponseError(_) => format!(
            "the connection broke off or the answer could not be read: {}",
            innermost(err)
        ),
        SdkError::ServiceError(_) => {
            "an answer that is not S3's XML (an HTML page from a proxy or a website endpoint?)"
                .to_string()
        }
        _ => innermost(err),
    }
}

/// The bucket's region (HeadBucket, which needs s3:ListBucket), None when
/// not told. A bucket in another region answers 301 with
/// `x-amz-bucket-region`, as S3 does for every request sent to the wrong
/// region.
pub(crate) async fn bucket_region(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    endpoint: &str,
) -> Result<Option<String>, S3Error> {
    // The first request tries once: a refused connection means nothing
    // listens at the endpoint, said at once rather than after the retries.
    let once = client
        .head_bucket()
        .bucket(bucket)
        .customize()
        .config_override(aws_sdk_s3::config::Builder::new().retry_config(RetryConfig::disabled()))
        .send()
        .await;
    let answer = match once {
        Err(err) if connection_refused(&err) => {
            return Err(S3Error::Refused {
                bucket: bucket.to_string(),
                endpoint: endpoint.to_string(),
            });
        }
        Err(err) if retryable(&err) => client.head_bucket().bucket(bucket).send().await,
        answer => answer,
    };
    match answer {
        Ok(out) => Ok(out.bucket_region().map(str::to_string)),
        Err(err) => {
            let (status, region) = response_facts(&err);
            match status {
                Some(301) | Some(307) | Some(400) if region.is_some() => Ok(region),
                Some(404) => Err(S3Error::NoSuchBucket {
                    bucket: bucket.to_string(),
                }),
                // A policy may allow listing only under a prefix, which
                // HeadBucket does not pass, and a HEAD answer has no body to
                // say why it failed (an expired token, a redirect without
                // its region): the listing reports the real cause.
                Some(400) | Some(403) | Some(301) | Some(307) => Ok(None),
                Some(status) => Err(S3Error::HeadBucket {
                    bucket: bucket.to_string(),
                    status,
                    cause: describe(&err),
                }),
                None => Err(S3Error::Unreachable {
                    bucket: bucket.to_string(),
                    endpoint: endpoint.to_string(),
                    cause: describe(&err),
                }),
            }
        }
    }
}

/// Whether the SDK's retries might help: no answer, or a 5xx or 429 one.
fn retryable<E>(err: &SdkError<E, HttpResponse>) -> bool {
    match response_facts(err).0 {
        None => true,
        Some(status) => status >= 500 || status == 429,
    }
}

/// A listing page whose XML stops before `</ListBucketResult>`. The SDK's
/// parser takes what came, so a body cut short (a proxy, a dropped
/// connection after a complete-looking chunk) would otherwise be a page
/// that simply holds fewer keys, and moto, for one, sends KeyCount last.
#[derive(Debug)]
struct WholePage;

impl Intercept for WholePage {
    fn name(&self) -> &'static str {
        "WholePage"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        if !response.status().is_success() {
            return Ok(());
        }
        match response.body().bytes() {
            Some(body) if !body.trim_ascii_end().ends_with(b"</ListBucketResult>") => {
                Err("a page's XML ends before </ListBucketResult> (cut short)".into())
            }
            _ => Ok(()),
        }
    }
}

/// One listing: the common prefixes and keys under `prefix`, every page.
#[derive(Debug, Default)]
pub(super) struct Listing {
    pub prefixes: Vec<String>,
    pub keys: Vec<(String, u64)>,
}

pub(super) async fn list(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    delimiter: bool,
) -> Result<Listing, S3Error> {
    let cannot_list = |fault| S3Error::List {
        bucket: bucket.to_string(),
        prefix: prefix.to_string(),
        fault,
    };
    let mut listing = Listing::default();
    let mut token: Option<String> = None;
    let mut chain = ChainGuard::default();
    loop {
        let sent = token.clone();
        let mut request = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_continuation_token(token.take());
        if delimiter {
            request = request.delimiter("/");
        }
        let page = request
            .customize()
            .interceptor(WholePage)
            .send()
            .await
            .map_err(|err| {
                let code = err.code().unwrap_or_default();
                match code {
                    "NoSuchBucket" => S3Error::NoSuchBucket {
                        bucket: bucket.to_string(),
                    },
                    "AccessDenied" => S3Error::ListDenied {
                        bucket: bucket.to_string(),
                        prefix: prefix.to_string(),
                    },
                    _ => cannot_list(ListFault::Request(describe(&err))),
                }
            })?;
        listing.prefixes.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_string)),
        );
        listing.keys.extend(page.contents().iter().filter_map(|o| {
            o.key()
                .map(|k| (k.to_string(), o.size().unwrap_or(0).max(0) as u64))
        }));
        let found = page.contents().len() + page.common_prefixes().len();
        if let Some(count) = page.key_count()
            && usize::try_from(count).ok() != Some(found)
        {
            return Err(cannot_list(ListFault::KeyCount {
                count: count.into(),
                found,
            }));
        }
        let next = page.next_continuation_token().filter(|t| !t.is_empty());
        match (page.is_truncated(), next) {
            (Some(true), Some(next)) => {
                // A token that comes back, or page after page of nothing,
                // would list forever.
                chain
                    .page(sent.as_deref(), found, Some(next))
                    .map_err(|fault| {
                        cannot_list(ListFault::Chain(
                            fault.describe("continuation token", "a key or folder"),
                        ))
                    })?;
                token = Some(next.to_string());
            }
            (Some(false), _) => break,
            // Keys follow that no request can reach, or a page cut short
            // before it says whether more follow: either way keys are
            // missing, and a listing that ends here would hide them.
            (Some(true), None) => {
                return Err(cannot_list(ListFault::TruncatedWithoutToken));
            }
            (None, _) => {
                return Err(cannot_list(ListFault::NoIsTruncated));
            }
        }
    }
    Ok(listing)
}

/// Why an object could not be read.
#[derive(Debug, Clone)]
pub(super) struct GetFailure(pub String);

/// A GET of the object, its body not yet read. The SDK does not undo a
/// Content-Encoding, so gzip is recognised later by its magic bytes.
pub(super) async fn get(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<GetObjectOutput, GetFailure> {
    let request = client.get_object().bucket(bucket).key(key);
    request
        .send()
        .await
        .map_err(|err| get_failure(bucket, key, &err))
}

/// The rest of the object from byte `from` on, of the version `etag` names.
pub(super) async fn get_rest(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    from: u64,
    etag: Option<&str>,
) -> Result<GetObjectOutput, GetFailure> {
    let request = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .range(format!("bytes={from}-"))
        .set_if_match(etag.map(str::to_string));
    request
        .send()
        .await
        .map_err(|err| get_failure(bucket, key, &err))
}

fn get_failure(
    bucket: &str,
    key: &str,
    err: &SdkError<GetObjectError, HttpResponse>,
) -> GetFailure {
    let code = err.code().unwrap_or_default().to_string();
    let message = err.message().unwrap_or_default().to_string();
    GetFailure(if code == "AccessDenied" {
        if message.to_ascii_lowercase().contains("kms") {
            format!(
                "s3://{bucket}/{key}: access denied: the trail is encrypted with SSE-KMS and reading it needs kms:Decrypt on its key ({message})"
            )
        } else {
            format!(
                "s3://{bucket}/{key}: access denied: reading needs s3:GetObject on arn:aws:s3:::{bucket}/* (and kms:Decrypt for an SSE-KMS trail)"
            )
        }
    } else {
        format!("s3://{bucket}/{key}: cannot read: {}", describe(err))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_style_for_ips_and_localhost() {
        for url in [
            "http://127.0.0.1:9000",
            "http://localhost:4566/",
            "http://[::1]:9000",
            "http://10.0.0.5",
            "https://minio.localhost",
        ] {
            assert!(wants_path_style(url), "{url}");
        }
        for url in [
            "https://s3.eu-west-1.amazonaws.com",
            "http://minio.example:9000",
        ] {
            assert!(!wants_path_style(url), "{url}");
        }
    }
}
