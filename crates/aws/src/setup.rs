//! AWS set-up for both sources: the SDK's default chain, --profile,
//! --endpoint-url, the timeouts, and the checks of credentials, endpoint
//! URLs and region names.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;

use crate::cause::error_chain;
use crate::errors::{SetupError, UsageError};

/// How long to wait for a TCP connection before calling it a failed attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub(crate) struct AwsSetup {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub attempt_timeout: Duration,
    /// --max-attempts: attempts for errors other than throttling.
    pub max_attempts: u32,
}

/// The shared configuration, with the SDK retrying by `retry` (LookupEvents
/// retries on its own and passes `RetryConfig::disabled()`).
pub(crate) async fn load(setup: &AwsSetup, retry: RetryConfig) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry)
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

/// Fail early, with one line naming the cause, when no usable credentials
/// can be found.
pub(crate) async fn check_credentials(
    config: &SdkConfig,
    profile: Option<&str>,
) -> Result<(), SetupError> {
    let Some(provider) = config.credentials_provider() else {
        return Err(SetupError::NoCredentials);
    };
    match provider.provide_credentials().await {
        Ok(credentials) => check_credential_values(&credentials),
        Err(_) if let Some(half) = half_set_keys() => Err(half),
        Err(chain_error) => {
            // The default chain only says that no provider had credentials
            // (the causes go to its log); when a profile is involved, its
            // provider's own error names the file, the profile or the
            // failing credential_process.
            let mut builder = aws_config::profile::ProfileFileCredentialsProvider::builder();
            if let Some(name) = profile {
                builder = builder.profile_name(name);
            }
            if let Some(parse_error) = profile_file_fault(profile).await {
                return Err(SetupError::Credentials(parse_error));
            }
            let cause = match builder.build().provide_credentials().await {
                Err(e) if !matches!(e, CredentialsError::CredentialsNotLoaded(_)) => Some(e),
                _ if !matches!(chain_error, CredentialsError::CredentialsNotLoaded(_)) => {
                    Some(chain_error)
                }
                _ => None,
            };
            Err(match cause {
                Some(cause) => {
                    let text = error_chain(&cause);
                    let text = text.trim_end().trim_end_matches("Stderr:").trim_end();
                    if text.contains("external process") {
                        SetupError::CredentialProcess(text.to_string())
                    } else {
                        SetupError::Credentials(text.to_string())
                    }
                }
                None => SetupError::NoCredentials,
            })
        }
    }
}

/// An access key given by half in the environment: the chain then looks
/// further (profiles, the instance metadata service) and fails there, so
/// its error would not name what is missing.
fn half_set_keys() -> Option<SetupError> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let (id, secret) = (set("AWS_ACCESS_KEY_ID"), set("AWS_SECRET_ACCESS_KEY"));
    let (present, missing) = match (id, secret) {
        (true, false) => ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
        (false, true) => ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"),
        _ => return None,
    };
    Some(SetupError::HalfSetKeys { present, missing })
}

/// A config or credentials file that does not parse, with its path and
/// line (the credential providers drop those), or a profile asked for
/// that is not there.
async fn profile_file_fault(profile: Option<&str>) -> Option<String> {
    use aws_types::os_shim_internal::{Env, Fs};
    let selected = profile.map(|p| std::borrow::Cow::Owned(p.to_string()));
    // The default files: ~/.aws/config and credentials, or AWS_CONFIG_FILE
    // and AWS_SHARED_CREDENTIALS_FILE.
    let files = Default::default();
    match aws_config::profile::load(&Fs::real(), &Env::real(), &files, selected).await {
        Err(e) => Some(error_chain(&e)),
        Ok(set) => {
            // A profile named on purpose must exist.
            let (name, from) = match profile {
                Some(name) => (name.to_string(), "--profile"),
                None => (std::env::var("AWS_PROFILE").ok()?, "AWS_PROFILE"),
            };
            if set.get_profile(&name).is_some() {
                return None;
            }
            let mut known: Vec<&str> = set.profiles().collect();
            known.sort();
            let known = if known.is_empty() {
                "there are no profiles".to_string()
            } else {
                format!("the profiles are {}", known.join(", "))
            };
            Some(format!(
                "{from} names the profile '{name}', which is in neither the AWS config nor the credentials file ({known})"
            ))
        }
    }
}

/// Credentials go into HTTP headers: a control character (a CR from a
/// CRLF file, a newline pasted into a token) cannot be sent, so say which
/// value holds it before the SDK fails on it.
pub(crate) fn check_credential_values(credentials: &Credentials) -> Result<(), SetupError> {
    let values = [
        (
            "access key id",
            "AWS_ACCESS_KEY_ID",
            Some(credentials.access_key_id()),
        ),
        (
            "secret access key",
            "AWS_SECRET_ACCESS_KEY",
            Some(credentials.secret_access_key()),
        ),
        (
            "session token",
            "AWS_SESSION_TOKEN",
            credentials.session_token(),
        ),
    ];
    for (what, variable, value) in values {
        let Some(value) = value else { continue };
        let Some((at, c)) = value
            .char_indices()
            .find(|(_, c)| c.is_control() || (what == "access key id" && c.is_whitespace()))
        else {
            continue;
        };
        let character = match c {
            '\r' => "a carriage return (a file with CRLF line ends?)".to_string(),
            '\n' => "a line feed".to_string(),
            '\t' => "a tab".to_string(),
            ' ' => "a space".to_string(),
            c => format!("the control character U+{:04X}", c as u32),
        };
        let holder = if std::env::var(variable).is_ok_and(|v| v == value) {
            variable.to_string()
        } else {
            format!("the AWS {what}")
        };
        return Err(SetupError::UnsendableCredential {
            holder,
            what,
            character,
            at,
        });
    }
    Ok(())
}

/// An endpoint URL the SDK can use: http or https, a host, a numeric port.
/// `source` names where it came from (--endpoint-url or a variable).
pub(crate) fn check_endpoint_url(url: &str, source: &str) -> Result<(), UsageError> {
    let bad = |why: &'static str| UsageError::EndpointUrl {
        source_name: source.to_string(),
        url: url.escape_debug().to_string(),
        why,
    };
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(bad("not an http:// or https:// URL"));
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("white space or a control character in the URL"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':')),
            None => return Err(bad("an unclosed [ in the host")),
        },
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    if let Some(port) = port
        && port.parse::<u16>().is_err()
    {
        return Err(bad("the port is not a number from 0 to 65535"));
    }
    Ok(())
}

/// A region name's shape: letters, dashes, a number (us-east-1, us-gov-west-1).
pub(crate) fn check_region_name(region: &str) -> Result<(), UsageError> {
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
        Err(UsageError::Region(region.to_string()))
    }
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
