//! The AWS set-up: credentials, and the runtime the run needs.

const HINT: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, use --profile or AWS_PROFILE, or run `aws sso login`";

#[derive(Debug, thiserror::Error)]
pub(crate) enum SetupError {
    #[error("no AWS credentials found: {HINT}")]
    NoCredentials,
    #[error(
        "{present} is set but {missing} is not: set both (and AWS_SESSION_TOKEN for temporary credentials), or neither to use a profile or role"
    )]
    HalfSetKeys {
        present: &'static str,
        missing: &'static str,
    },
    /// The providers' own words: a file that does not parse, a profile
    /// that is not there, an SSO or STS failure.
    #[error("cannot load AWS credentials: {0}")]
    Credentials(String),
    #[error("cannot load AWS credentials: the profile's credential_process failed: {0}")]
    CredentialProcess(String),
    #[error(
        "{holder}: the {what} contains {character} at byte {at}; it cannot be sent in an HTTP header: fix the credentials"
    )]
    UnsendableCredential {
        /// The variable holding it, or "the AWS <what>".
        holder: String,
        what: &'static str,
        character: String,
        at: usize,
    },
    #[error("cannot start: {0}")]
    Runtime(std::io::Error),
}
