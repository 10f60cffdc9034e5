//! The checkpoint file of either source: saved as JSON by writing a
//! temporary file, fsyncing it and renaming it over the old one, so a crash
//! leaves either the old or the new state. What is in it is the source's.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::errors::CheckpointError;

/// The text of a saved state; Ok(None) when the file does not exist yet.
pub(crate) fn read(path: &Path) -> Result<Option<String>, CheckpointError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CheckpointError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Refuse a state saved in another format version.
pub(crate) fn check_version(path: &Path, found: u32, expected: u32) -> Result<(), CheckpointError> {
    if found == expected {
        return Ok(());
    }
    Err(CheckpointError::Version {
        path: path.to_path_buf(),
        found,
        expected,
    })
}

/// A saved state that does not parse as the source's.
pub(crate) fn not_a_checkpoint(path: &Path, source: serde_json::Error) -> CheckpointError {
    CheckpointError::NotACheckpoint {
        path: path.to_path_buf(),
        source,
    }
}

/// `save`, its failure named.
pub(crate) fn save_or_say(path: &Path, state: &impl Serialize) -> Result<(), CheckpointError> {
    save(path, state).map_err(|source| CheckpointError::Save {
        path: path.to_path_buf(),
        source,
    })
}

/// The file a save writes before renaming it over the checkpoint.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Replace the saved state durably.
pub(crate) fn save(path: &Path, state: &impl Serialize) -> std::io::Result<()> {
    let temp = temp_path(path);
    let mut file = File::create(&temp)?;
    serde_json::to_writer(&mut file, state)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temp, path)?;
    // The rename itself is durable once the directory is synced.
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}
