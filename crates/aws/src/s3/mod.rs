//! `spitzel-fetch --s3`: read a trail's log files straight from its bucket.
//!
//! Listing finds accounts and regions with a delimiter and lists only the
//! day folders the window needs; keys are pruned by delivery minute, fetched
//! `--concurrency` at a time, decoded and filtered on rayon's workers, and
//! written in key order, each eventID once. The checkpoint records the last
//! key whose records are all written.

mod checkpoint;
mod client;
mod dedup;
mod discover;
pub(crate) mod layout;
mod object;
mod progress;

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use spitzel_core::window::TimeWindow;
use spitzel_pipeline::Criteria;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;

use crate::destination::Destination;
use crate::errors::FetchError;
use crate::exit::Exit;
use crate::options::{Options, S3Options};
use crate::resume;
use crate::signals::Interrupt;

use checkpoint::S3Checkpoint;
use dedup::Dedup;
use discover::{Listed, Scope, Skipped};
use progress::Counters;

/// ListObjectsV2 requests in flight.
const LIST_CONCURRENCY: usize = 16;

/// How often the checkpoint is saved at most (and at the end).
const SAVE_EVERY: Duration = Duration::from_millis(500);

/// One fetched and decoded object.
struct Fetched {
    key: String,
    result: Result<(u64, object::Decoded), String>,
}

fn spawn_get(
    client: aws_sdk_s3::Client,
    bucket: Arc<str>,
    key: String,
    criteria: Arc<Criteria>,
) -> JoinHandle<Fetched> {
    tokio::spawn(async move {
        let body = match client::get(&client, &bucket, &key).await {
            Ok(body) => body,
            Err(e) => {
                return Fetched {
                    key,
                    result: Err(e.0),
                };
            }
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let name = format!("s3://{bucket}/{key}");
        // Decoding is CPU work: rayon's workers, one per core.
        rayon::spawn(move || {
            let size = body.len() as u64;
            let decoded = object::decode(&name, &body, &criteria);
            let _ = tx.send((size, decoded));
        });
        let result = rx
            .await
            .map_err(|_| format!("s3://{bucket}/{key}: decoding failed"));
        Fetched { key, result }
    })
}

struct Writer {
    out: Destination,
    state: S3Checkpoint,
    path: Option<PathBuf>,
    dedup: Dedup,
    max_events: Option<u64>,
    last_save: Instant,
    counters: Arc<Counters>,
    /// Lines of the first new object already written by an earlier run.
    skip_lines: u64,
}

enum Wrote {
    Continue,
    Enough,
    Closed,
}

impl Writer {
    fn save(&mut self, force: bool) -> Result<(), FetchError> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        if !force && self.last_save.elapsed() < SAVE_EVERY {
            return Ok(());
        }
        self.out
            .commit()
            .map_err(|e| FetchError::new(format!("cannot write output: {e}")))?;
        self.state.seen = self.dedup.save();
        checkpoint::save(&path, &self.state).map_err(|e| {
            FetchError::new(format!("cannot save checkpoint {}: {e}", path.display()))
        })?;
        self.last_save = Instant::now();
        Ok(())
    }

    fn enough(&self) -> bool {
        self.max_events.is_some_and(|max| self.state.written >= max)
    }

    /// Write one object's lines; `retry`: a key from an earlier run's failures.
    fn take(
        &mut self,
        key: &str,
        decoded: &object::Decoded,
        retry: bool,
    ) -> std::io::Result<Wrote> {
        self.dedup.enter(key);
        let skip = if retry {
            0
        } else {
            std::mem::take(&mut self.skip_lines)
        };
        let mut start = 0;
        let mut done_lines = 0u64;
        let mut bytes = 0u64;
        let mut cut = false;
        for (index, &(end, id)) in decoded.ends.iter().enumerate() {
            let line = &decoded.lines[start..end];
            start = end;
            if (index as u64) < skip {
                done_lines += 1;
                continue;
            }
            if self.enough() {
                cut = true;
                break;
            }
            done_lines += 1;
            if !self.dedup.first(id) {
                continue;
            }
            if let Err(e) = self.out.writer().write_all(line) {
                return if e.kind() == std::io::ErrorKind::BrokenPipe {
                    Ok(Wrote::Closed)
                } else {
                    Err(e)
                };
            }
            bytes += line.len() as u64;
            self.state.written += 1;
            self.counters.records.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(len) = self.state.output_len.as_mut() {
            *len += bytes;
        }
        if retry {
            if !cut {
                self.state.failed.retain(|k| k != key);
            }
        } else if cut {
            self.state.lines_into_next = done_lines;
        } else {
            self.state.done_through = Some(key.to_string());
            self.state.lines_into_next = 0;
        }
        Ok(if cut || self.enough() {
            Wrote::Enough
        } else {
            Wrote::Continue
        })
    }

    fn failed(&mut self, key: &str, retry: bool) {
        if !retry {
            self.state.done_through = Some(key.to_string());
            self.state.lines_into_next = 0;
            self.state.failed.push(key.to_string());
        }
    }
}

/// Read the trail. The errors that end a run come before the first object
/// is written; later ones are reported, counted, and end it with status 2.
pub(crate) async fn fetch(args: Options, s3_options: S3Options) -> Result<Exit, FetchError> {
    let S3Options {
        url,
        bucket,
        prefix,
        accounts,
        regions,
        concurrency,
        path_style,
        window,
        now,
    } = s3_options;
    let arguments = args.fingerprint.clone();
    let saved = match &args.checkpoint {
        Some(path) => {
            let saved = checkpoint::load(path)?;
            if let Some(saved) = &saved {
                resume::check_arguments(path, &saved.arguments, &arguments)?;
            }
            saved
        }
        None => None,
    };
    let window = match &saved {
        Some(saved) => TimeWindow {
            from: saved.from,
            to: saved.to,
        },
        None => window,
    };
    let criteria = Arc::new(Criteria {
        actions: args.matcher.clone(),
        window,
        expressions: Vec::new(),
        sigma: None,
    });

    let endpoint = client::explicit_endpoint(args.aws.endpoint_url.as_deref());
    let path_style = path_style || endpoint.as_deref().is_some_and(client::wants_path_style);
    let sdk_config = client::load(&args.aws).await;
    crate::setup::check_credentials(&sdk_config, args.aws.profile.as_deref()).await?;
    let home = sdk_config
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "us-east-1".to_string());
    let shown_endpoint = endpoint
        .clone()
        .unwrap_or_else(|| format!("https://s3.{home}.amazonaws.com"));
    let mut s3 = client::client(&sdk_config, &home, path_style);
    // Requests signed for the wrong region are refused: follow the bucket.
    if let Some(region) = client::bucket_region(&s3, &bucket, &shown_endpoint).await?
        && region != home
    {
        s3 = client::client(&sdk_config, &region, path_style);
    }

    let resuming = saved.is_some();
    let mut state = saved.unwrap_or_else(|| S3Checkpoint::new(arguments, window.from, window.to));
    let out = resume::open_output(args.output.as_deref(), &mut state.output_len, resuming)?;
    let skipped = Arc::new(Skipped::default());
    let scope = Arc::new(Scope {
        bucket: bucket.clone(),
        client: s3.clone(),
        accounts,
        regions,
        insight: args.insight,
        window,
        now,
        lists: Arc::new(Semaphore::new(LIST_CONCURRENCY)),
        skipped: skipped.clone(),
    });
    let root = layout::logs_root(&prefix);
    let (region_folders, mut failures) = discover::regions(scope.clone(), &root, &url).await?;
    for failure in &failures {
        eprintln!("spitzel-fetch: {failure}");
    }

    let counters = Arc::new(Counters::default());
    let mut writer = Writer {
        out,
        skip_lines: state.lines_into_next,
        dedup: Dedup::restore(&state.seen),
        state,
        path: args.checkpoint.clone(),
        max_events: args.max_events,
        last_save: Instant::now(),
        counters: counters.clone(),
    };
    writer.save(true)?;
    if writer.enough() {
        return Ok(Exit::Found);
    }

    let stop = Arc::new(tokio::sync::Notify::new());
    let interrupt = {
        let stop = stop.clone();
        Interrupt::listen(move || stop.notify_one())
    };
    let display = (!args.quiet && std::io::stderr().is_terminal())
        .then(|| progress::spawn(counters.clone(), skipped.clone()));

    // Failed objects of an earlier run go first, then the keys after the
    // last complete one.
    let retries: Vec<String> = writer.state.failed.clone();
    let (tx, mut rx) = mpsc::channel::<Listed>(4096);
    tokio::spawn(discover::produce(
        scope.clone(),
        region_folders,
        writer.state.done_through.clone(),
        tx,
    ));
    let bucket_arc: Arc<str> = Arc::from(bucket.as_str());
    let mut retry_queue: VecDeque<String> = retries.into();
    let mut in_flight: VecDeque<(bool, JoinHandle<Fetched>)> = VecDeque::new();
    let mut listing_open = true;
    let mut read_failures = 0u64;
    let mut reported: Vec<String> = Vec::new();
    let mut closed = false;
    'run: loop {
        while in_flight.len() < concurrency {
            if let Some(key) = retry_queue.pop_front() {
                in_flight.push_back((
                    true,
                    spawn_get(s3.clone(), bucket_arc.clone(), key, criteria.clone()),
                ));
                continue;
            }
            if !listing_open {
                break;
            }
            // Wait for a key only when nothing is in flight to work on.
            let next = if in_flight.is_empty() {
                tokio::select! {
                    next = rx.recv() => next,
                    _ = stop.notified() => break 'run,
                }
            } else {
                match rx.try_recv() {
                    Ok(item) => Some(item),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                }
            };
            match next {
                Some(Listed::Object { key }) => {
                    counters.queued.fetch_add(1, Ordering::Relaxed);
                    in_flight.push_back((
                        false,
                        spawn_get(s3.clone(), bucket_arc.clone(), key, criteria.clone()),
                    ));
                }
                Some(Listed::Failed(e)) => {
                    progress::report(display.as_ref(), &e);
                    failures.push(e);
                }
                None => listing_open = false,
            }
        }
        let Some((retry, handle)) = in_flight.pop_front() else {
            break;
        };
        let fetched = tokio::select! {
            fetched = handle => fetched,
            _ = stop.notified() => break 'run,
        };
        let fetched = match fetched {
            Ok(f) => f,
            Err(e) => return Err(FetchError::new(format!("internal error: {e}"))),
        };
        match fetched.result {
            Ok((size, decoded)) => {
                counters.objects.fetch_add(1, Ordering::Relaxed);
                counters.bytes.fetch_add(size, Ordering::Relaxed);
                let wrote =
                    tokio::task::block_in_place(|| writer.take(&fetched.key, &decoded, retry))
                        .map_err(|e| FetchError::new(format!("cannot write output: {e}")))?;
                for problem in &decoded.problems {
                    progress::report(display.as_ref(), problem);
                    read_failures += 1;
                }
                if !decoded.problems.is_empty() {
                    reported.push(fetched.key.clone());
                    if !writer.state.damaged.contains(&fetched.key) {
                        writer.state.damaged.push(fetched.key.clone());
                    }
                }
                match wrote {
                    Wrote::Continue => {}
                    Wrote::Enough => break 'run,
                    Wrote::Closed => {
                        closed = true;
                        break 'run;
                    }
                }
            }
            Err(message) => {
                progress::report(display.as_ref(), &message);
                read_failures += 1;
                writer.failed(&fetched.key, retry);
            }
        }
        tokio::task::block_in_place(|| writer.save(false))?;
    }
    for (_, handle) in &in_flight {
        handle.abort();
    }
    if closed {
        return Ok(Exit::Found);
    }
    tokio::task::block_in_place(|| writer.save(true))?;
    if writer.path.is_none() {
        writer
            .out
            .commit()
            .map_err(|e| FetchError::new(format!("cannot write output: {e}")))?;
    }
    if let Some(display) = display {
        display.finish().await;
    }
    if !args.quiet {
        eprintln!(
            "spitzel-fetch: {}",
            progress::summary(&url, &counters, &skipped)
        );
    }
    if let Some(code) = Exit::interrupted(&interrupt) {
        let name = interrupt.name().unwrap_or("SIGINT");
        match &args.checkpoint {
            Some(path) => eprintln!(
                "spitzel-fetch: interrupted ({name}); progress saved to {}",
                path.display()
            ),
            None => eprintln!("spitzel-fetch: interrupted ({name})"),
        }
        return Ok(code);
    }
    // Damage found by an earlier run of this checkpoint still counts.
    for key in &writer.state.damaged {
        if !reported.contains(key) {
            eprintln!(
                "spitzel-fetch: s3://{bucket}/{key}: damaged, read in part (reported by an earlier run)"
            );
            read_failures += 1;
        }
    }
    let unread = read_failures + failures.len() as u64;
    if unread > 0 {
        eprintln!(
            "spitzel-fetch: {unread} part(s) of {url} could not be read completely (see above){}",
            if args.checkpoint.is_some() {
                "; a rerun with the same --checkpoint retries them"
            } else {
                ""
            }
        );
        return Ok(Exit::Error);
    }
    Ok(Exit::read_all(writer.state.written))
}
