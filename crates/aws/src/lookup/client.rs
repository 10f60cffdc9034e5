//! The CloudTrail client of one region, and where its requests go.

use aws_config::{Region, SdkConfig};

use super::body::BodyCheck;

/// A CloudTrail client for `region`.
pub(super) fn cloudtrail_client(config: &SdkConfig, region: &str) -> aws_sdk_cloudtrail::Client {
    let conf = aws_sdk_cloudtrail::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .interceptor(BodyCheck)
        .build();
    aws_sdk_cloudtrail::Client::from_conf(conf)
}

/// Where requests for `region` go, for messages.
pub(super) fn endpoint_for(explicit: Option<&str>, region: &str) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_ENDPOINT_URL_CLOUDTRAIL").ok())
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .unwrap_or_else(|| format!("https://cloudtrail.{region}.amazonaws.com"))
}
