//! AWS set-up: the SDK's default chain, --profile, --endpoint-url, the
//! regions to read, and one CloudTrail client per region.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudtrail::config::ProvideCredentials;
use aws_sdk_cloudtrail::error::ProvideErrorMetadata;

use super::errors::FetchError;

/// How long to wait for a TCP connection before calling it a failed attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct AwsSetup {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub attempt_timeout: Duration,
}

/// Load the shared configuration. Retries are ours (see pager), so the
/// SDK's are off.
pub async fn load(setup: &AwsSetup) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(setup.attempt_timeout)
                .build(),
        );
    if let Some(profile) = &setup.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &setup.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Fail early, with one line, when no credentials can be found.
pub async fn check_credentials(config: &SdkConfig) -> Result<(), FetchError> {
    const HINT: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, use --profile or AWS_PROFILE, or run `aws sso login`";
    let Some(provider) = config.credentials_provider() else {
        return Err(FetchError::config(format!(
            "no AWS credentials found: {HINT}"
        )));
    };
    match provider.provide_credentials().await {
        Ok(_) => Ok(()),
        // The chain's own error lists every provider it tried, over many
        // lines; the hint says what to do.
        Err(_) => Err(FetchError::config(format!(
            "no AWS credentials found: {HINT}"
        ))),
    }
}

/// A region name's shape: letters, dashes, a number (us-east-1, us-gov-west-1).
pub fn check_region_name(region: &str) -> Result<(), FetchError> {
    let parts: Vec<&str> = region.split('-').collect();
    let shaped = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if shaped {
        Ok(())
    } else {
        Err(FetchError::config(format!(
            "unknown region '{region}': expected a region name such as us-east-1"
        )))
    }
}

/// The regions to read: --region, else --all-regions, else the configured one.
pub async fn resolve_regions(
    config: &SdkConfig,
    requested: &[String],
    all_regions: bool,
) -> Result<Vec<String>, FetchError> {
    let mut regions: Vec<String> = if all_regions {
        enabled_regions(config).await?
    } else if !requested.is_empty() {
        requested
            .iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect()
    } else if let Some(region) = config.region() {
        vec![region.to_string()]
    } else {
        return Err(FetchError::config(
            "no region: pass --region or --all-regions, or set AWS_REGION or a profile region",
        ));
    };
    let mut seen = std::collections::HashSet::new();
    regions.retain(|r| seen.insert(r.clone()));
    for region in &regions {
        check_region_name(region)?;
    }
    if regions.is_empty() {
        return Err(FetchError::config("no region given to --region"));
    }
    Ok(regions)
}

/// The account's enabled regions (account:ListRegions).
async fn enabled_regions(config: &SdkConfig) -> Result<Vec<String>, FetchError> {
    use aws_sdk_account::types::RegionOptStatus;
    let mut builder = aws_sdk_account::config::Builder::from(config);
    if config.region().is_none() {
        // The Account API is global; its endpoint lives in us-east-1.
        builder = builder.region(Region::new("us-east-1"));
    }
    let client = aws_sdk_account::Client::from_conf(builder.build());
    let mut regions = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let output = client
            .list_regions()
            .region_opt_status_contains(RegionOptStatus::Enabled)
            .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
            .max_results(50)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| {
                let code = e.code().unwrap_or_default();
                if code.contains("AccessDenied") {
                    FetchError::config(
                        "access denied listing regions: --all-regions needs the account:ListRegions permission",
                    )
                } else {
                    let detail = e.message().map(str::to_string).unwrap_or_else(|| {
                        aws_sdk_account::error::DisplayErrorContext(&e).to_string()
                    });
                    FetchError::config(format!("cannot list the account's regions: {detail}"))
                }
            })?;
        regions.extend(
            output
                .regions()
                .iter()
                .filter_map(|r| r.region_name().map(str::to_string)),
        );
        match output.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => break,
        }
    }
    regions.sort();
    if regions.is_empty() {
        return Err(FetchError::config("the account reports no enabled regions"));
    }
    Ok(regions)
}

/// A CloudTrail client for `region`.
pub fn cloudtrail_client(config: &SdkConfig, region: &str) -> aws_sdk_cloudtrail::Client {
    let conf = aws_sdk_cloudtrail::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .build();
    aws_sdk_cloudtrail::Client::from_conf(conf)
}

/// Where requests for `region` go, for messages.
pub fn endpoint_for(explicit: Option<&str>, region: &str) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_ENDPOINT_URL_CLOUDTRAIL").ok())
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .unwrap_or_else(|| format!("https://cloudtrail.{region}.amazonaws.com"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_are_checked_by_shape() {
        for good in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-5",
        ] {
            assert!(check_region_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "us-east",
            "useast1",
            "US-EAST-1",
            "us-east-x",
            "us--1",
            "mars-north-1a",
        ] {
            assert!(check_region_name(bad).is_err(), "{bad}");
        }
    }
}
