//! `spitzel-fetch --s3`: read a trail's log files straight from its bucket.
//!
//! Listing finds accounts and regions with a delimiter and lists only the
//! day folders the window needs; keys are pruned by delivery minute, fetched
//! `--concurrency` at a time, decoded and filtered on rayon's workers, and
//! written in key order under the duplicate rule (`dedup`). The checkpoint
//! records the last key whose records are all written, and what a rerun
//! must retry.

mod body;
mod checkpoint;
mod client;
mod dedup;
mod discover;
mod follow;
pub(crate) mod layout;
mod object;
mod progress;

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use spitzel_core::window::TimeWindow;
use spitzel_pipeline::Criteria;
use tokio::sync::{Semaphore, mpsc};

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

/// What the reader hears of one object, in order: pieces of its matching
/// lines, then Done or Failed (Failed may follow pieces: the body broke off
/// for good part-way).
enum Event {
    Piece(object::Decoded),
    /// The whole body was read: its size in bytes.
    Done(u64),
    Failed(String),
}

/// Pieces decoded ahead of the writer per object: memory per object stays
/// a few PIECE_BYTES however large it inflates.
const PIECES_AHEAD: usize = 2;

/// Fetch and decode one object on a thread of its own (decoding blocks on
/// the body as it arrives), its pieces sent as the writer takes them.
fn spawn_object(
    client: aws_sdk_s3::Client,
    bucket: Arc<str>,
    key: String,
    criteria: Arc<Criteria>,
    attempts: u32,
) -> mpsc::Receiver<Event> {
    let (tx, rx) = mpsc::channel(PIECES_AHEAD);
    tokio::spawn(async move {
        let first = match client::get(&client, &bucket, &key).await {
            Ok(first) => first,
            Err(e) => {
                let _ = tx.send(Event::Failed(e.0)).await;
                return;
            }
        };
        let size = first
            .content_length()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0);
        let name = format!("s3://{bucket}/{key}");
        let stop = Arc::new(AtomicBool::new(false));
        let mut reader = body::stream(client, bucket, key, first, attempts, stop.clone());
        tokio::task::spawn_blocking(move || {
            let last = object::decode(&name, &mut reader, &criteria, &stop, &mut |piece| {
                match tx.blocking_send(Event::Piece(piece)) {
                    Ok(()) => ControlFlow::Continue(()),
                    // The reader is gone: the run stopped.
                    Err(_) => ControlFlow::Break(()),
                }
            });
            let end = match reader.failure() {
                Some(message) => Event::Failed(message),
                None => {
                    if tx.blocking_send(Event::Piece(last)).is_err() {
                        return;
                    }
                    Event::Done(size)
                }
            };
            let _ = tx.blocking_send(end);
        });
    });
    rx
}

/// The object being written: where in its lines the writer is.
struct Current {
    key: String,
    /// A key from an earlier run's failures.
    retry: bool,
    /// Lines of it written by an earlier run.
    skip: u64,
    /// Lines of it seen so far (written, dropped as duplicates, or skipped).
    index: u64,
    /// Found by --follow: each piece is flushed at once.
    live: bool,
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
    current: Option<Current>,
    parser: spitzel_core::doc::DocParser,
    /// --follow: each region's duplicate memory but the current one.
    shelf: Option<follow::Shelf>,
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
        if let (Some(shelf), Some(saved)) = (&self.shelf, self.state.follow.as_mut()) {
            saved.dedups = shelf.save();
        }
        save_or_say(&path, &self.state)?;
        self.last_save = Instant::now();
        Ok(())
    }

    /// Nothing to write until the next key is listed: under --follow that
    /// may be a while, so what was written is flushed and saved now.
    fn idle(&mut self) -> Result<Wrote, FetchError> {
        if self.shelf.is_none() {
            return Ok(Wrote::Continue);
        }
        match self.out.writer().flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(Wrote::Closed),
            Err(e) => return Err(OutputError::Write(e).into()),
            Ok(()) => {}
        }
        self.save(true)?;
        Ok(Wrote::Continue)
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

    /// Start writing `key`; `retry`: a key from an earlier run's failures.
    /// `live`: found by --follow after the window.
    fn begin(&mut self, key: &str, retry: bool, live: bool) {
        // A retried object's day folder is behind: what is remembered stays.
        if !retry {
            if let Some(shelf) = self.shelf.as_mut() {
                shelf.swap_for(&mut self.dedup, key);
            }
            self.dedup.enter(key);
        }
        // Objects are written in the order listed: the window is all read.
        if let (true, Some(saved)) = (live, self.state.follow.as_mut()) {
            saved.watching = true;
        }
        self.current = Some(Current {
            key: key.to_string(),
            retry,
            skip: self.lines_done(key, retry),
            index: 0,
            live,
        });
    }

    /// Write a piece of the current object's lines. The checkpoint then
    /// names the lines of it written, so that a stop between pieces resumes
    /// inside it.
    fn take(&mut self, bucket: &str, piece: &object::Decoded) -> std::io::Result<Wrote> {
        let mut current = self.current.take().expect("an object begun");
        let mut start = 0;
        let mut bytes = 0u64;
        let mut cut = false;
        let mut closed = None;
        for &(end, digests) in &piece.ends {
            let line = &piece.lines[start..end];
            start = end;
            if current.index < current.skip {
                current.index += 1;
                continue;
            }
            if self.enough() {
                cut = true;
                break;
            }
            current.index += 1;
            match self.dedup.judge(digests) {
                Verdict::Duplicate => continue,
                Verdict::Conflict => self.conflict(bucket, &current.key, line),
                Verdict::First => {}
            }
            if let Err(e) = self.out.writer().write_all(line) {
                closed = Some(e);
                break;
            }
            bytes += line.len() as u64;
            self.state.written += 1;
            self.counters.records.fetch_add(1, Ordering::Relaxed);
        }
        if closed.is_none()
            && current.live
            && let Err(e) = self.out.writer().flush()
        {
            closed = Some(e);
        }
        if let Some(len) = self.state.output_len.as_mut() {
            *len += bytes;
        }
        let lines = current.index;
        if current.retry {
            if let Some(pending) = self.state.failed.iter_mut().find(|p| p.key == current.key) {
                pending.lines = lines;
            }
        } else {
            self.state.partial = Some(Partial {
                key: current.key.clone(),
                lines,
            });
        }
        self.current = Some(current);
        match closed {
            Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Wrote::Closed),
            Some(e) => Err(e),
            None if cut => Ok(Wrote::Enough),
            None => Ok(Wrote::Continue),
        }
    }

    /// The current object is written whole.
    fn finish(&mut self) {
        let Some(current) = self.current.take() else {
            return;
        };
        if current.retry {
            self.state.failed.retain(|p| p.key != current.key);
        } else {
            if let Some(saved) = self.state.follow.as_mut() {
                saved.note_read(&current.key);
            }
            self.state.done_through = Some(current.key);
            self.state.partial = None;
        }
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
        let lines = match self.current.take() {
            Some(current) if current.key == key => current.index.max(current.skip),
            _ => self.lines_done(key, retry),
        };
        if retry {
            if let Some(pending) = self.state.failed.iter_mut().find(|p| p.key == key) {
                pending.lines = lines;
            }
        } else {
            if let Some(saved) = self.state.follow.as_mut() {
                saved.note_read(key);
            }
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
        follow: follow_interval,
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
    if follow_interval.is_some() && state.follow.is_none() {
        state.follow = Some(follow::Saved::new(now));
    }
    let shelf = match &state.follow {
        Some(saved) => follow::Shelf::restore(&saved.dedups).map(Some),
        None => Some(None),
    };
    let (Some(dedup), Some(shelf)) = (Dedup::restore(&state.seen), shelf) else {
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
                // Under --follow the keys up to done_through are not all
                // the window's: those the follow read are not read again.
                let read =
                    |key: &String| state.follow.as_ref().is_some_and(|f| f.read.contains(key));
                for key in keys {
                    if !read(&key) && !state.failed.iter().any(|p| p.key == key) {
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
        current: None,
        parser: spitzel_core::doc::DocParser::new(),
        shelf,
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
    let reader_gone = Arc::new(AtomicBool::new(false));
    if follow_interval.is_some() {
        let (stop, gone) = (stop.clone(), reader_gone.clone());
        crate::reader::watch(writer.out.fd(), move || {
            gone.store(true, Ordering::SeqCst);
            stop.notify_one();
        });
    }
    let display = (!args.quiet && std::io::stderr().is_terminal())
        .then(|| progress::spawn(counters.clone(), skipped.clone()));

    // Failed objects of an earlier run go first, then the keys after the
    // last complete one.
    let retries: Vec<String> = writer.state.failed.iter().map(|p| p.key.clone()).collect();
    let (tx, mut rx) = mpsc::channel::<Listed>(4096);
    match (follow_interval, &writer.state.follow) {
        (Some(interval), Some(saved)) => {
            let watch = follow::Watch {
                scope: scope.clone(),
                regions: region_folders,
                since: saved.since.clone(),
                read: saved.read.clone(),
                interval,
            };
            let window = (!saved.watching).then(|| writer.state.done_through.clone());
            tokio::spawn(follow::produce(watch, window, tx));
        }
        _ => {
            tokio::spawn(discover::produce(
                scope.clone(),
                region_folders,
                writer.state.done_through.clone(),
                tx,
            ));
        }
    }
    let bucket_arc: Arc<str> = Arc::from(bucket.as_str());
    let mut retry_queue: VecDeque<String> = retries.into();
    // (retried, key, live, its reading)
    let mut in_flight: VecDeque<(bool, String, bool, mpsc::Receiver<Event>)> = VecDeque::new();
    let attempts = args.aws.max_attempts;
    let mut listing_open = true;
    let mut read_failures = 0u64;
    let mut get_failures: Vec<(String, String)> = Vec::new();
    let mut reported: Vec<String> = Vec::new();
    let mut closed = false;
    let mut drained = false;
    let spawn = |key: &str| {
        spawn_object(
            s3.clone(),
            bucket_arc.clone(),
            key.to_owned(),
            criteria.clone(),
            attempts,
        )
    };
    'run: loop {
        while in_flight.len() < concurrency {
            if let Some(key) = retry_queue.pop_front() {
                let events = spawn(&key);
                in_flight.push_back((true, key, false, events));
                continue;
            }
            if !listing_open {
                break;
            }
            // Wait for a key only when nothing is in flight to work on.
            let next = if in_flight.is_empty() {
                if let Wrote::Closed = tokio::task::block_in_place(|| writer.idle())? {
                    closed = true;
                    break 'run;
                }
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
                Some(Listed::Object { key, live }) => {
                    counters.queued.fetch_add(1, Ordering::Relaxed);
                    let events = spawn(&key);
                    in_flight.push_back((false, key, live, events));
                }
                Some(Listed::Transient(error)) => progress::report(display.as_ref(), &error),
                Some(Listed::Failed(failure)) => {
                    progress::report(display.as_ref(), &failure.error);
                    writer.unlisted(&failure);
                    failures.push(failure);
                }
                None => listing_open = false,
            }
        }
        let Some((retry, key, live, mut events)) = in_flight.pop_front() else {
            // Every key listed, every object read or failed.
            drained = true;
            break;
        };
        let mut begun = false;
        loop {
            let event = tokio::select! {
                event = events.recv() => event,
                _ = stop.notified() => break 'run,
            };
            match event {
                Some(Event::Piece(piece)) => {
                    if !begun {
                        writer.begin(&key, retry, live);
                        begun = true;
                    }
                    let wrote = tokio::task::block_in_place(|| writer.take(&bucket, &piece))
                        .map_err(OutputError::Write)?;
                    for note in writer.notes.drain(..) {
                        progress::report(display.as_ref(), note);
                    }
                    for problem in &piece.problems {
                        progress::report(display.as_ref(), problem);
                        read_failures += 1;
                    }
                    if !piece.problems.is_empty() {
                        if !reported.contains(&key) {
                            reported.push(key.clone());
                        }
                        if !writer.state.damaged.contains(&key) {
                            writer.state.damaged.push(key.clone());
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
                    tokio::task::block_in_place(|| writer.save(false))?;
                }
                Some(Event::Done(size)) => {
                    if !begun {
                        writer.begin(&key, retry, live);
                    }
                    writer.finish();
                    counters.objects.fetch_add(1, Ordering::Relaxed);
                    counters.bytes.fetch_add(size, Ordering::Relaxed);
                    break;
                }
                failure => {
                    let message = match failure {
                        Some(Event::Failed(message)) => message,
                        _ => format!(
                            "s3://{bucket}/{key}: internal error: the reading ended without a word"
                        ),
                    };
                    // Said once per cause at the end.
                    read_failures += 1;
                    writer.failed(&key, retry);
                    get_failures.push((key, message));
                    break;
                }
            }
        }
        tokio::task::block_in_place(|| writer.save(false))?;
        if writer.enough() {
            break;
        }
    }
    // The objects still in flight stop when their receivers go.
    drop(in_flight);
    if closed || reader_gone.load(Ordering::SeqCst) {
        return Ok(Exit::Found);
    }
    let interrupted = interrupt.signal().is_some();
    let ran_out = !interrupted && drained;
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
