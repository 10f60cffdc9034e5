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
            | FetchError::Internal(_) => Exit::Error,
        }
    }
}
