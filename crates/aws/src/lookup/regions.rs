//! The regions to read: --region, --all-regions (account:ListRegions), or
//! the configured one.

use aws_config::{Region, SdkConfig};
use aws_sdk_cloudtrail::error::ProvideErrorMetadata;

use crate::cause::{connection_refused, innermost};
use crate::errors::{FetchError, LookupError};
use crate::setup::check_region_name;

/// The regions to read: --region, else --all-regions, else the configured one.
pub(super) async fn resolve_regions(
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
        return Err(LookupError::NoRegion.into());
    };
    let mut seen = std::collections::HashSet::new();
    regions.retain(|r| seen.insert(r.clone()));
    for region in &regions {
        check_region_name(region)?;
    }
    if regions.is_empty() {
        return Err(LookupError::NoRegionGiven.into());
    }
    Ok(regions)
}

/// The account's enabled regions (account:ListRegions).
async fn enabled_regions(config: &SdkConfig) -> Result<Vec<String>, LookupError> {
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
                    LookupError::RegionsDenied
                } else {
                    LookupError::RegionsUnlisted(sdk_error_line(&e))
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
        return Err(LookupError::NoEnabledRegions);
    }
    Ok(regions)
}

/// One line for an SDK error: the service's code and message, or the
/// transport's cause, never the SDK's debug dump.
fn sdk_error_line<E, R>(err: &aws_sdk_account::error::SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_sdk_account::error::SdkError;
    match err {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("error");
            match service.err().message() {
                Some(message) => format!("{code}: {message}"),
                None => code.to_string(),
            }
        }
        SdkError::TimeoutError(_) => "the request timed out".to_string(),
        _ if connection_refused(err) => "connection refused".to_string(),
        _ => innermost(err),
    }
}
