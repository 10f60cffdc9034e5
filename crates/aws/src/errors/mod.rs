//! The fetcher's errors: one enum per layer (the options, the AWS set-up,
//! the checkpoint and resume, the output, each source), each variant's
//! `Display` the one line printed after `spitzel-fetch: `. `FetchError`
//! gathers them, and the exit status follows from the layer.
//!
//! The enums sit here rather than in their layers so that this module
//! imports none of them: every layer may name any error without a circle.

mod checkpoint;
mod lookup;
mod output;
mod s3;
mod setup;
mod usage;

pub(crate) use checkpoint::CheckpointError;
pub(crate) use lookup::{LookupError, Reached};
pub(crate) use output::OutputError;
pub(crate) use s3::{ListFault, S3Error};
pub(crate) use setup::SetupError;
pub(crate) use usage::{LookupArgError, UsageError};

use crate::exit::Exit;

/// Anything that ends a run early; every one means something was not read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Boxed: its lines carry several names, and every Result pays for
    /// the largest variant.
    #[error(transparent)]
    Lookup(Box<LookupError>),
    #[error(transparent)]
    S3(#[from] S3Error),
    /// A task of the run panicked or was cancelled.
    #[error("internal error: {0}")]
    Internal(#[from] tokio::task::JoinError),
    /// A state the code rules out, said rather than panicking.
    #[error("internal error: {0}")]
    Invariant(&'static str),
}

impl From<LookupError> for FetchError {
    fn from(error: LookupError) -> Self {
        FetchError::Lookup(Box::new(error))
    }
}

impl FetchError {
    /// The exit status of a run that ended with this error (the man page's
    /// EXIT STATUS): something was not read, whatever the layer.
    pub(crate) fn exit(&self) -> Exit {
        match self {
            FetchError::Usage(_)
            | FetchError::Setup(_)
            | FetchError::Checkpoint(_)
            | FetchError::Output(_)
            | FetchError::Lookup(_)
            | FetchError::S3(_)
            | FetchError::Internal(_)
            | FetchError::Invariant(_) => Exit::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_renders_its_line_and_exits_2() {
        let errors: [(FetchError, &str); 5] = [
            (
                UsageError::MaxAttempts.into(),
                "--max-attempts must be at least 1",
            ),
            (
                SetupError::HalfSetKeys {
                    present: "AWS_ACCESS_KEY_ID",
                    missing: "AWS_SECRET_ACCESS_KEY",
                }
                .into(),
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both (and AWS_SESSION_TOKEN for temporary credentials), or neither to use a profile or role",
            ),
            (
                CheckpointError::Version {
                    path: "ck".into(),
                    found: 1,
                    expected: 2,
                }
                .into(),
                "checkpoint ck has version 1, this spitzel-fetch writes version 2",
            ),
            (
                LookupError::Service {
                    region: "us-east-1".into(),
                    code: "Odd".into(),
                    message: String::new(),
                    reached: Reached::Nothing {
                        region: "us-east-1".into(),
                    },
                }
                .into(),
                "us-east-1: Odd; nothing was read from us-east-1",
            ),
            (
                S3Error::List {
                    bucket: "b".into(),
                    prefix: "p/".into(),
                    fault: ListFault::NoIsTruncated,
                }
                .into(),
                "s3://b/p/: cannot list: a page without IsTruncated (cut short?)",
            ),
        ];
        for (error, line) in errors {
            assert_eq!(error.to_string(), line);
            assert_eq!(error.exit(), Exit::Error);
        }
    }
}
