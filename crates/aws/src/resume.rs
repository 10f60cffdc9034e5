//! Resuming a run: the output file cut back to what the checkpoint covers,
//! and the refusal of an output that would overwrite the checkpoint.
//!
//! Reusable by every fetch source (LookupEvents, S3): none of it knows what
//! is being fetched.

use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::checkpoint;
use crate::destination::Destination;
use crate::errors::{CheckpointError, FetchError, OutputError};

/// Refuse an output path that is, or could become, the checkpoint file or
/// the temporary file the checkpoint is saved through: writing events there
/// would be overwritten by the next save, and every event lost.
pub(crate) fn check_paths_apart(output: &Path, checkpoint: &Path) -> Result<(), CheckpointError> {
    let temp = checkpoint::temp_path(checkpoint);
    for (other, what) in [
        (checkpoint, "the checkpoint"),
        (temp.as_path(), "the checkpoint's temporary file"),
    ] {
        if same_file(output, other) {
            return Err(CheckpointError::SameFile {
                output: output.to_path_buf(),
                checkpoint: checkpoint.to_path_buf(),
                what,
            });
        }
    }
    Ok(())
}

/// Do two paths name one file? Existing files compare by device and inode
/// (so symlinks and hard links count); others by their absolute path with
/// the parent directory's symlinks resolved.
fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        return same_inode(&ma, &mb);
    }
    match (resolved(a), resolved(b)) {
        (Some(ra), Some(rb)) => ra == rb,
        _ => a == b,
    }
}

#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_inode(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// The absolute path of a file that may not exist yet: its parent resolved,
/// its own name kept; a dangling symlink is followed to where it points.
fn resolved(path: &Path) -> Option<PathBuf> {
    let path = match std::fs::read_link(path) {
        Ok(target) if target.is_absolute() => target,
        Ok(target) => path.parent().unwrap_or(Path::new("")).join(target),
        Err(_) => path.to_path_buf(),
    };
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

/// Refuse a checkpoint saved for other arguments than `fingerprint`.
pub(crate) fn check_arguments(
    path: &Path,
    saved: &serde_json::Value,
    fingerprint: &serde_json::Value,
) -> Result<(), CheckpointError> {
    if saved == fingerprint {
        return Ok(());
    }
    Err(CheckpointError::OtherArguments {
        path: path.to_path_buf(),
    })
}

/// Open the output; on resume, cut a file back to the bytes the checkpoint
/// covers: records after them are written again by this run. `output_len`
/// is the checkpoint's record of those bytes, None where there are none to
/// keep (stdout, a FIFO).
pub(crate) fn open_output(
    path: Option<&Path>,
    output_len: &mut Option<u64>,
    resuming: bool,
) -> Result<Destination, FetchError> {
    let Some(path) = path else {
        *output_len = None;
        return Ok(Destination::Stdout(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout(),
        )));
    };
    let cannot = |source: std::io::Error| OutputError::Open {
        path: path.to_path_buf(),
        source,
    };
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        // A FIFO or a device: written like stdout, never truncated or synced.
        *output_len = None;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(cannot)?;
        return Ok(Destination::Stream(std::io::BufWriter::with_capacity(
            1 << 20,
            file,
        )));
    }
    let file = if resuming {
        let saved = output_len.unwrap_or(0);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(cannot)?;
        let len = file.metadata().map_err(cannot)?.len();
        if len < saved {
            return Err(CheckpointError::OutputShorter {
                output: path.to_path_buf(),
                len,
                saved,
            }
            .into());
        }
        file.set_len(saved).map_err(cannot)?;
        file.seek(SeekFrom::End(0)).map_err(cannot)?;
        *output_len = Some(saved);
        file
    } else {
        *output_len = Some(0);
        std::fs::File::create(path).map_err(cannot)?
    };
    Ok(Destination::File(std::io::BufWriter::with_capacity(
        1 << 20,
        file,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clashing_spellings_links_and_the_temp_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ckpt = d.join("run.ckpt");
        // Not existing yet: compared by resolved path.
        assert!(check_paths_apart(&ckpt, &ckpt).is_err());
        std::fs::create_dir(d.join("sub")).unwrap();
        assert!(check_paths_apart(&d.join("sub/../run.ckpt"), &ckpt).is_err());
        assert!(check_paths_apart(&d.join("./run.ckpt"), &ckpt).is_err());
        assert!(check_paths_apart(&d.join("run.ckpt.tmp"), &ckpt).is_err());
        assert!(check_paths_apart(&d.join("out.ndjson"), &ckpt).is_ok());
        std::fs::write(&ckpt, "{}").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&ckpt, d.join("sym")).unwrap();
            assert!(check_paths_apart(&d.join("sym"), &ckpt).is_err());
            std::fs::hard_link(&ckpt, d.join("hard")).unwrap();
            assert!(check_paths_apart(&d.join("hard"), &ckpt).is_err());
            // A dangling symlink to where the checkpoint will be.
            std::os::unix::fs::symlink(d.join("later.ckpt"), d.join("dangling")).unwrap();
            assert!(check_paths_apart(&d.join("dangling"), &d.join("later.ckpt")).is_err());
        }
    }
}
