//! The checkpoint and resuming from it: reading, saving, and the output
//! it must agree with.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckpointError {
    #[error("cannot read checkpoint {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("checkpoint {} is not a spitzel-fetch checkpoint ({source})", path.display())]
    NotACheckpoint {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("checkpoint {} is not a spitzel-fetch --s3 checkpoint", path.display())]
    NotAnS3Checkpoint { path: PathBuf },
    #[error("checkpoint {} has version {found}, this spitzel-fetch writes version {expected}", path.display())]
    Version {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error(
        "checkpoint {} was written for other arguments; rerun with the same arguments or use a new checkpoint file",
        path.display()
    )]
    OtherArguments { path: PathBuf },
    #[error("cannot save checkpoint {}: {source}", path.display())]
    Save {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "-o {} and --checkpoint {} name the same file ({what}); the output would be overwritten: use two different files",
        output.display(),
        checkpoint.display()
    )]
    SameFile {
        output: PathBuf,
        checkpoint: PathBuf,
        what: &'static str,
    },
    #[error(
        "{} is shorter ({len} bytes) than the checkpoint records ({saved} bytes); it is not this run's output",
        output.display()
    )]
    OutputShorter {
        output: PathBuf,
        len: u64,
        saved: u64,
    },
}
