//! An object's body as a blocking reader, streamed: a task reads the body
//! a chunk at a time (a few chunks ahead, never the whole object) and, when
//! the connection breaks mid-body, goes on with a ranged GET from the first
//! byte not yet had, pinned to the same version by its ETag.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_sdk_s3::operation::get_object::GetObjectOutput;
use bytes::{Buf, Bytes};
use tokio::sync::mpsc;

use super::client;
use crate::cause::innermost;

/// Chunks read ahead of the decoder.
const CHUNKS_AHEAD: usize = 8;

/// The pause before going on after a broken connection, doubled each time.
const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// What the reader gets from the task.
type Chunk = Result<Bytes, String>;

/// The decoder's side: blocking reads of the chunks the task sends.
pub(super) struct BodyReader {
    chunks: mpsc::Receiver<Chunk>,
    current: Bytes,
    /// Set when the body could not be read to its end (the message).
    failure: Option<String>,
    /// Shared with the decoder, which then stops handing on what it decodes.
    failed: Arc<AtomicBool>,
}

impl BodyReader {
    /// Why the body could not be read to its end, if it could not.
    pub(super) fn failure(&mut self) -> Option<String> {
        self.failure.clone()
    }
}

impl Read for BodyReader {
    /// Fills `out` as a file read does, short only at the end of the body
    /// (the input layer takes a short read for the end, and grows its
    /// reads while they come back full); a failure after some bytes is
    /// returned by the next call.
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut filled = 0;
        while filled < out.len() {
            if self.current.is_empty() {
                if self.failure.is_some() {
                    break;
                }
                match self.chunks.blocking_recv() {
                    Some(Ok(bytes)) => self.current = bytes,
                    Some(Err(message)) => {
                        self.failed.store(true, Ordering::SeqCst);
                        self.failure = Some(message);
                        break;
                    }
                    None => break,
                }
                continue;
            }
            let n = (out.len() - filled).min(self.current.len());
            out[filled..filled + n].copy_from_slice(&self.current[..n]);
            self.current.advance(n);
            filled += n;
        }
        match &self.failure {
            Some(message) if filled == 0 => Err(std::io::Error::other(message.clone())),
            _ => Ok(filled),
        }
    }
}

/// Stream `first`'s body (the answer to a GET of `key`) into a reader; a
/// broken connection is resumed up to `attempts` times in all. `failed` is
/// set once the body is given up.
pub(super) fn stream(
    s3: aws_sdk_s3::Client,
    bucket: Arc<str>,
    key: String,
    first: GetObjectOutput,
    attempts: u32,
    failed: Arc<AtomicBool>,
) -> BodyReader {
    let (tx, rx) = mpsc::channel(CHUNKS_AHEAD);
    tokio::spawn(pump(s3, bucket, key, first, attempts, tx));
    BodyReader {
        chunks: rx,
        current: Bytes::new(),
        failure: None,
        failed,
    }
}

async fn pump(
    s3: aws_sdk_s3::Client,
    bucket: Arc<str>,
    key: String,
    first: GetObjectOutput,
    attempts: u32,
    tx: mpsc::Sender<Chunk>,
) {
    let total = first.content_length().and_then(|n| u64::try_from(n).ok());
    let etag = first.e_tag().map(str::to_string);
    let mut body = first.body;
    let mut got = 0u64;
    let mut breaks = 0u32;
    let mut pause = FIRST_PAUSE;
    loop {
        let cause = match body.next().await {
            Some(Ok(bytes)) => {
                got += bytes.len() as u64;
                if tx.send(Ok(bytes)).await.is_err() {
                    // The reader is gone: the run stopped.
                    return;
                }
                continue;
            }
            Some(Err(e)) => innermost(&e),
            None if total.is_none_or(|total| got >= total) => return,
            None => "the body ended early".to_string(),
        };
        breaks += 1;
        let of = total.map_or_else(String::new, |t| format!(" of {t}"));
        if breaks >= attempts.max(1) {
            let times = if breaks == 1 {
                "once".to_string()
            } else {
                format!("{breaks} times")
            };
            let _ = tx
                .send(Err(format!(
                    "s3://{bucket}/{key}: the connection broke off mid-body {times}, the last after {got}{of} bytes ({cause})"
                )))
                .await;
            return;
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
        match client::get_rest(&s3, &bucket, &key, got, etag.as_deref()).await {
            Ok(rest) => body = rest.body,
            Err(e) => {
                let named = format!("s3://{bucket}/{key}: ");
                let _ = tx
                    .send(Err(format!(
                        "{named}the connection broke off mid-body after {got}{of} bytes ({cause}), and reading on failed: {}",
                        e.0.strip_prefix(&named).unwrap_or(&e.0)
                    )))
                    .await;
                return;
            }
        }
    }
}
