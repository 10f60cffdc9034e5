//! Block buffers handed back by the workers for the reader to fill again.
//!
//! A fresh 1 MiB allocation costs page faults and zeroing on every block;
//! a recycled one is already mapped and often still in cache.

use std::sync::Mutex;

/// More than the blocks in flight at once on any machine this runs on;
/// beyond it buffers are simply freed.
const KEPT: usize = 64;

/// Buffers larger than this (a block that held one huge line) are freed
/// rather than kept.
const LARGEST_KEPT: usize = 4 << 20;

static SPARE: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// An empty buffer, with capacity when one was handed back.
pub(crate) fn take() -> Vec<u8> {
    SPARE
        .lock()
        .ok()
        .and_then(|mut spare| spare.pop())
        .unwrap_or_default()
}

/// A block's buffer, done with.
pub fn give_back(mut buffer: Vec<u8>) {
    if buffer.capacity() > LARGEST_KEPT {
        return;
    }
    buffer.clear();
    if let Ok(mut spare) = SPARE.lock()
        && spare.len() < KEPT
    {
        spare.push(buffer);
    }
}
