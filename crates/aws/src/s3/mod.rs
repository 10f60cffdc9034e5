//! `spitzel-fetch --s3`: read a trail's log files straight from its bucket.
//!
//! Listing finds accounts and regions with a delimiter and lists only the
//! day folders the window needs; keys are pruned by delivery minute, fetched
//! `--concurrency` at a time, decoded and filtered on rayon's workers, and
//! written in key order under the duplicate rule (`dedup`). The checkpoint
//! records the last key whose records are all written, and what a rerun
//! must retry.

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

use crate::checkpoint::save_or_say;
use crate::destination::Destination;
use crate::errors::{FetchError, OutputError, S3Error};
use crate::exit::Exit;
use crate::options::{Options, S3Options};
use crate::resume;
use crate::signals::Interrupt;

use checkpoint::{Partial, S3Checkpoint};
use dedup::Dedup;
use discover::{ListFailure, Listed, Scope, Skipped};
use progress::Counters;
use spitzel_core::dedup::Verdict;

/// ListObjectsV2 requests in flight.
const LIST_CONCURRENCY: usize = 16;

/// How often the checkpoint is saved at most (and at the end).
const SAVE_EVERY: Duration = Duration::from_millis(500);

/// eventIDs with conflicting records named one by one; more are counted.
const CONFLICTS_NAMED: u64 = 10;

/// Keys named in the one line for a cause that many objects share.
const KEYS_NAMED: usize = 3;

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
    /// Lines for the user about records just written (conflicting IDs).
    notes: Vec<String>,
    parser: spitzel_core::doc::DocParser,
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
        self.out.commit().map_err(OutputError::Write)?;
        self.state.seen = self.dedup.save();
        save_or_say(&path, &self.state)?;
        self.last_save = Instant::now();
        Ok(())
    }

    fn enough(&self) -> bool {
        self.max_events.is_some_and(|max| self.state.written >= max)
    }

    /// Lines of `key` written by an earlier run: a retried object's, or the
    /// object after the last complete one (--max-events stopped inside it).
    fn lines_done(&self, key: &str, retry: bool) -> u64 {
        let partial = if retry {
            self.state.failed.iter().find(|p| p.key == key)
        } else {
            self.state.partial.as_ref().filter(|p| p.key == key)
        };
        partial.map_or(0, |p| p.lines)
    }

    /// Write one object's lines; `retry`: a key from an earlier run's failures.
    fn take(
        &mut self,
        bucket: &str,
        key: &str,
        decoded: &object::Decoded,
        retry: bool,
    ) -> std::io::Result<Wrote> {
        // A retried object's day folder is behind: what is remembered stays.
        if !retry {
            self.dedup.enter(key);
        }
        let skip = self.lines_done(key, retry);
        let mut start = 0;
        let mut done_lines = 0u64;
        let mut bytes = 0u64;
        let mut cut = false;
        for (index, &(end, digests)) in decoded.ends.iter().enumerate() {
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
            match self.dedup.judge(digests) {
                Verdict::Duplicate => continue,
                Verdict::Conflict => self.conflict(bucket, key, line),
                Verdict::First => {}
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
            if cut {
                if let Some(pending) = self.state.failed.iter_mut().find(|p| p.key == key) {
                    pending.lines = done_lines;
                }
            } else {
                self.state.failed.retain(|p| p.key != key);
            }
        } else if cut {
            self.state.partial = Some(Partial {
                key: key.to_string(),
                lines: done_lines,
            });
        } else {
            self.state.done_through = Some(key.to_string());
            self.state.partial = None;
        }
        Ok(if cut || self.enough() {
            Wrote::Enough
        } else {
            Wrote::Continue
        })
    }

    /// A record under an eventID already written with another record: it is
    /// written, and said (the first few by name).
    fn conflict(&mut self, bucket: &str, key: &str, line: &[u8]) {
        let count = self.dedup.counts.conflicts;
        if count <= CONFLICTS_NAMED {
            let id = self
                .parser
                .parse(line.strip_suffix(b"\n").unwrap_or(line))
                .ok()
                .and_then(|doc| doc.top_str("eventID").map(str::to_string))
                .unwrap_or_default();
            self.notes.push(format!(
                "s3://{bucket}/{key}: eventID {id} was already written with a different record; both are written"
            ));
        }
        if count == CONFLICTS_NAMED {
            self.notes.push(
                "more eventIDs with different records are counted in the summary, not named"
                    .to_string(),
            );
        }
    }

    /// An object that could not be read: a rerun retries it, skipping the
    /// lines of it already written.
    fn failed(&mut self, key: &str, retry: bool) {
        if !retry {
            let lines = self.lines_done(key, false);
            self.state.done_through = Some(key.to_string());
            self.state.partial = None;
            self.state.failed.push(Partial {
                key: key.to_string(),
                lines,
            });
        }
    }

    /// A folder that could not be listed: a rerun lists it again.
    fn unlisted(&mut self, failure: &ListFailure) {
        if let Some(prefix) = &failure.prefix
            && !self.state.failed_listings.contains(prefix)
        {
            self.state.failed_listings.push(prefix.clone());
        }
    }
}

/// The output as messages name it.
fn output_name(args: &Options) -> String {
    args.output.as_ref().map_or_else(
        || "standard output".to_string(),
        |p| p.display().to_string(),
    )
}

/// Objects that could not be read, one line per cause: the same denial on
/// 135 objects is one line with the count and the first keys.
fn report_get_failures(bucket: &str, failures: &[(String, String)]) {
    let mut causes: Vec<(&str, Vec<&str>)> = Vec::new();
    for (key, message) in failures {
        let named = format!("s3://{bucket}/{key}: ");
        let cause = message.strip_prefix(&named).unwrap_or(message);
        match causes.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, keys)) => keys.push(key),
            None => causes.push((cause, vec![key])),
        }
    }
    for (cause, mut keys) in causes {
        keys.sort_unstable();
        if let [key] = keys[..] {
            eprintln!("spitzel-fetch: s3://{bucket}/{key}: {cause}");
        } else {
            let first: Vec<&str> = keys.iter().take(KEYS_NAMED).copied().collect();
            eprintln!(
                "spitzel-fetch: s3://{bucket}: {cause}: {} objects, the first: {}",
                keys.len(),
                first.join(", ")
            );
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
    if let Some(saved) = &saved {
        let reached = args.max_events.is_some_and(|max| saved.written >= max);
        if saved.complete || reached {
            eprintln!(
                "spitzel-fetch: already complete: {} events in {}{}",
                saved.written,
                output_name(&args),
                if reached && !saved.complete {
                    " (--max-events reached)"
                } else {
                    ""
                }
            );
            return Ok(Exit::read_all(saved.written));
        }
    }
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
    let Some(dedup) = Dedup::restore(&state.seen) else {
        return Err(S3Error::DamagedDedup {
            checkpoint: args
                .checkpoint
                .as_ref()
                .map_or_else(String::new, |p| p.display().to_string()),
        }
        .into());
    };
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
    // A mistyped prefix or bucket is found here, before the output is touched.
    let (region_folders, mut failures) = discover::regions(scope.clone(), &root, &url).await?;
    // So is a checkpoint that cannot be saved (a missing directory).
    if let Some(path) = &args.checkpoint {
        save_or_say(path, &state)?;
    }
    let out = match resume::open_output(args.output.as_deref(), &mut state.output_len, resuming) {
        Ok(out) => out,
        Err(e) => {
            if let (Some(path), false) = (&args.checkpoint, resuming) {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
    };
    // Folders an earlier run could not list: their keys up to where that
    // run got are retried with its failed objects.
    for folder in std::mem::take(&mut state.failed_listings) {
        match discover::relist(&scope, &root, &folder, state.done_through.as_deref()).await {
            Ok(keys) => {
                for key in keys {
                    if !state.failed.iter().any(|p| p.key == key) {
                        state.failed.push(Partial { key, lines: 0 });
                    }
                }
            }
            Err(e) => failures.push(ListFailure::of(&folder, e)),
        }
    }
    for failure in &failures {
        eprintln!("spitzel-fetch: {}", failure.error);
    }

    let counters = Arc::new(Counters::default());
    let mut writer = Writer {
        out,
        dedup,
        state,
        path: args.checkpoint.clone(),
        max_events: args.max_events,
        last_save: Instant::now(),
        counters: counters.clone(),
        notes: Vec::new(),
        parser: spitzel_core::doc::DocParser::new(),
    };
    for failure in &failures {
        writer.unlisted(failure);
    }
    writer.save(true)?;

    let stop = Arc::new(tokio::sync::Notify::new());
    let interrupt = {
        let stop = stop.clone();
        Interrupt::listen(move || stop.notify_one())
    };
    let display = (!args.quiet && std::io::stderr().is_terminal())
        .then(|| progress::spawn(counters.clone(), skipped.clone()));

    // Failed objects of an earlier run go first, then the keys after the
    // last complete one.
    let retries: Vec<String> = writer.state.failed.iter().map(|p| p.key.clone()).collect();
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
    let mut get_failures: Vec<(String, String)> = Vec::new();
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
                Some(Listed::Failed(failure)) => {
                    progress::report(display.as_ref(), &failure.error);
                    writer.unlisted(&failure);
                    failures.push(failure);
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
            Err(e) => return Err(e.into()),
        };
        match fetched.result {
            Ok((size, decoded)) => {
                counters.objects.fetch_add(1, Ordering::Relaxed);
                counters.bytes.fetch_add(size, Ordering::Relaxed);
                let wrote = tokio::task::block_in_place(|| {
                    writer.take(&bucket, &fetched.key, &decoded, retry)
                })
                .map_err(OutputError::Write)?;
                for note in writer.notes.drain(..) {
                    progress::report(display.as_ref(), note);
                }
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
                // Said once per cause at the end.
                read_failures += 1;
                writer.failed(&fetched.key, retry);
                get_failures.push((fetched.key, message));
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
    let interrupted = interrupt.signal().is_some();
    let ran_out = !interrupted && !listing_open && retry_queue.is_empty() && in_flight.is_empty();
    tokio::task::block_in_place(|| writer.save(true))?;
    if writer.path.is_none() {
        writer.out.commit().map_err(OutputError::Write)?;
    }
    if let Some(display) = display {
        display.finish().await;
    }
    report_get_failures(&bucket, &get_failures);
    if !args.quiet {
        eprintln!(
            "spitzel-fetch: {}",
            progress::summary(&url, &counters, &skipped, writer.dedup.counts)
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
    if unread == 0 && ran_out && writer.path.is_some() {
        writer.state.complete = true;
        tokio::task::block_in_place(|| writer.save(true))?;
    }
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
