//! Where records go: stdout, a regular file (synced, so that a checkpoint
//! may claim its bytes), or another named file such as a FIFO.

use std::fs::File;
use std::io::{BufWriter, Write};

pub(crate) enum Destination {
    Stdout(BufWriter<std::io::Stdout>),
    /// A regular file: synced after every page.
    File(BufWriter<File>),
    /// Anything else opened by name (a FIFO, /dev/stdout, /dev/null): it
    /// cannot be synced or cut back, like stdout.
    Stream(BufWriter<File>),
}

impl Destination {
    pub(crate) fn writer(&mut self) -> &mut dyn Write {
        match self {
            Destination::Stdout(out) => out,
            Destination::File(out) | Destination::Stream(out) => out,
        }
    }

    /// Flush; a regular file is also synced, because the checkpoint may
    /// only claim bytes that are on disk.
    pub(crate) fn commit(&mut self) -> std::io::Result<()> {
        match self {
            Destination::Stdout(out) => out.flush(),
            Destination::File(out) => {
                out.flush()?;
                out.get_ref().sync_data()
            }
            Destination::Stream(out) => out.flush(),
        }
    }

    /// The descriptor written to, for `reader::watch` (-1 where there are none).
    pub(crate) fn fd(&self) -> i32 {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            match self {
                Destination::Stdout(out) => out.get_ref().as_raw_fd(),
                Destination::File(out) | Destination::Stream(out) => out.get_ref().as_raw_fd(),
            }
        }
        #[cfg(not(unix))]
        -1
    }

    pub(crate) fn write_page(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer().write_all(bytes)?;
        self.commit()
    }
}
