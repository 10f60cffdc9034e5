//! Opening the inputs and cutting them into blocks of records, in order.

use crate::sniff::{self, Shape};
use crate::{Limits, RecordBlock, describe_size};
use crate::{buffers, decode, gunzip, gz, walk};
use rayon::prelude::*;
use spitzel_core::window::TimeWindow;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

/// Bytes per NDJSON block handed to a worker: large enough to amortise the
/// hand-off, small enough that a few in flight keep memory low.
pub(crate) const BLOCK_BYTES: usize = 1 << 20;

/// The first read of every input, and the least of any read.
const MIN_READ: usize = 64 << 10;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A unit of work, produced in input order.
#[derive(Debug)]
pub enum Job {
    /// Records to filter.
    Block {
        source: Arc<str>,
        block: RecordBlock,
    },
    /// Something that went wrong reading an input.
    Problem(InputProblem),
    /// Files of a directory left out unread (for --stats).
    Skipped(Skipped),
}

/// What a directory walk found to read, and the files it left out, by
/// reason (summed over the trees of a run with `add`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Files found to read.
    pub to_read: u64,
    /// CloudTrail files delivered before the window.
    pub by_delivery: u64,
    /// CloudTrail digest files.
    pub digests: u64,
    /// Names of no input kind (README.md, events.log).
    pub other_names: u64,
    /// The first of those, as messages show them.
    pub first_other: Vec<Arc<str>>,
}

impl Skipped {
    pub fn add(&mut self, other: &Skipped) {
        self.to_read += other.to_read;
        self.by_delivery += other.by_delivery;
        self.digests += other.digests;
        self.other_names += other.other_names;
        let room = walk::FIRST_NAMES.saturating_sub(self.first_other.len());
        self.first_other
            .extend(other.first_other.iter().take(room).cloned());
    }

    /// The names of no input kind, as a message lists them: `a, b, c, ...`.
    pub fn other_list(&self) -> String {
        let mut list = self.first_other.join(", ");
        if self.other_names > self.first_other.len() as u64 {
            list.push_str(", ...");
        }
        list
    }
}

/// A fault reading an input, reported in its place in the output order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    pub source: Arc<str>,
    pub line: Option<u64>,
    pub reason: Reason,
}

impl InputProblem {
    /// Not data but the input itself (missing file, read error): exit 2.
    pub fn is_io(&self) -> bool {
        self.reason.is_io()
    }
}

/// What is wrong with an input; `Display` is the message's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// It cannot be opened or listed (missing, no permission).
    #[error("{0}")]
    Unreadable(String),
    /// Reading it failed part-way (a failing device).
    #[error("read error: {0}")]
    ReadFailed(String),
    /// A FIFO, socket or device found in a directory walk.
    #[error("{0}, not a regular file: skipped")]
    NotAFile(String),
    /// Damaged gzip data: bad input, like a bad line.
    #[error("{0}")]
    DamagedGzip(String),
    /// A line over --max-record-size (the limit in bytes).
    #[error("line longer than {} (--max-record-size): skipped", describe_size(*.0))]
    LineTooLong(usize),
    /// No line break this far (in bytes) after an over-long line.
    #[error(
        "no line break in the {} after an over-long line: the rest of this input is not read",
        describe_size(*.0)
    )]
    NoLineBreak(usize),
    /// The document decoder's reason (a broken record, a stray value).
    #[error("{0}")]
    Decode(String),
}

impl Reason {
    /// Not data but the input itself: exit 2.
    pub fn is_io(&self) -> bool {
        matches!(
            self,
            Reason::Unreadable(_) | Reason::ReadFailed(_) | Reason::NotAFile(_)
        )
    }
}

/// Where the reader sends jobs; Break means stop reading.
pub type Dispatch<'a> = dyn FnMut(Job) -> ControlFlow<()> + 'a;

/// What `read_inputs` hands on, in input order: a job, or the jobs of a run
/// of small files already turned into `T` by `finish` on the worker thread
/// that read them.
#[derive(Debug)]
pub enum Item<T> {
    Job(Job),
    Finished(Vec<T>),
}

/// Read every input in order (`-` or no input: stdin). Files in a directory
/// delivered before `window` starts are not read. The small files of a
/// directory are read in parallel and each of their jobs goes through
/// `finish` on the thread that read it: a tree of thousands of files costs
/// no hand-off between threads per file.
pub fn read_inputs<T: Send>(
    inputs: &[String],
    window: &TimeWindow,
    limits: Limits,
    finish: &(dyn Fn(Job) -> T + Sync),
    dispatch: &mut dyn FnMut(Item<T>) -> ControlFlow<()>,
) {
    let stdin_only = [String::from("-")];
    let inputs = if inputs.is_empty() {
        &stdin_only[..]
    } else {
        inputs
    };
    for input in inputs {
        if read_input(input, window, limits, finish, dispatch).is_break() {
            return;
        }
    }
}

fn read_input<T: Send>(
    input: &str,
    window: &TimeWindow,
    limits: Limits,
    finish: &(dyn Fn(Job) -> T + Sync),
    dispatch: &mut dyn FnMut(Item<T>) -> ControlFlow<()>,
) -> ControlFlow<()> {
    if input == "-" {
        let source: Arc<str> = Arc::from("<stdin>");
        let stdin = io::stdin();
        let mut lock = stdin.lock();
        // A pipe must hand on what it has when the writer pauses; a
        // redirected file never pauses.
        let more_ready: Option<&dyn Fn() -> bool> = if stdin_is_a_file() {
            None
        } else {
            Some(&stdin_has_data)
        };
        return read_stream(&mut lock, &source, more_ready, limits, &mut |job| {
            dispatch(Item::Job(job))
        });
    }
    let source = shown_name(input);
    let metadata = match std::fs::metadata(input) {
        Ok(metadata) => metadata,
        Err(error) => return dispatch(Item::Job(io_problem(&source, &error))),
    };
    if metadata.is_dir() {
        return read_tree(Path::new(input), &source, window, limits, finish, dispatch);
    }
    read_file(Path::new(input), source, limits, &mut |job| {
        dispatch(Item::Job(job))
    })
}

fn read_file(
    path: &Path,
    source: Arc<str>,
    limits: Limits,
    dispatch: &mut Dispatch<'_>,
) -> ControlFlow<()> {
    match File::open(path) {
        Ok(mut file) => read_stream(&mut file, &source, None, limits, dispatch),
        Err(error) => dispatch(io_problem(&source, &error)),
    }
}

fn io_problem(source: &Arc<str>, error: &io::Error) -> Job {
    Job::Problem(InputProblem {
        source: source.clone(),
        line: None,
        reason: Reason::Unreadable(io_reason(error)),
    })
}

/// The input files under `dir`, in path order.
fn read_tree<T: Send>(
    dir: &Path,
    source: &Arc<str>,
    window: &TimeWindow,
    limits: Limits,
    finish: &(dyn Fn(Job) -> T + Sync),
    dispatch: &mut dyn FnMut(Item<T>) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let mut jobs = |job| dispatch(Item::Job(job));
    let tree = match walk::walk(dir, window) {
        Ok(tree) => tree,
        Err(error) => return jobs(io_problem(source, &error)),
    };
    for (path, error) in &tree.unreadable {
        jobs(io_problem(&source_name(path), error))?;
    }
    for (path, kind) in &tree.not_files {
        let problem = Job::Problem(InputProblem {
            source: source_name(path),
            line: None,
            reason: Reason::NotAFile(kind.to_string()),
        });
        jobs(problem)?;
    }
    // Sent for every tree: a run whose trees hold nothing to read says so.
    jobs(Job::Skipped(Skipped {
        to_read: tree.files.len() as u64,
        by_delivery: tree.skipped_by_name,
        digests: tree.skipped_digests,
        other_names: tree.other_names,
        first_other: tree.first_other.iter().map(|p| source_name(p)).collect(),
    }))?;
    // A downloaded trail is thousands of small .json.gz files: a batch of
    // them is read, decoded and finished (filtered) in parallel, each file
    // wholly on one thread, and the batch handed on at once, in path order.
    // Large files are streamed on this thread as before.
    // A batch holds up to BATCH_BYTES of small files and at least a few per
    // thread: handing files to the threads one by one costs more in
    // wake-ups than inflating them.
    let threads = rayon::current_num_threads().max(1);
    let mut start = 0;
    while start < tree.files.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < tree.files.len()
            && (end - start < threads * 2 || (bytes < BATCH_BYTES && end - start < BATCH_FILES))
        {
            bytes += tree.sizes[end];
            end += 1;
        }
        let chunk = &tree.files[start..end];
        let sizes = &tree.sizes[start..end];
        start = end;
        let read: Vec<Option<Vec<T>>> = chunk
            .par_iter()
            .zip(sizes)
            .map(|(path, &size)| {
                let small = size <= SMALL_FILE;
                small.then(|| {
                    let mut done = Vec::new();
                    let _ = read_file(path, source_name(path), limits, &mut |job| {
                        done.push(finish(job));
                        ControlFlow::Continue(())
                    });
                    done
                })
            })
            .collect();
        // Handed on in parts of about SEND_BYTES on disk: each part takes
        // one of the writer's places in flight, which so bounds the memory
        // of results waiting for a slow writer.
        let mut finished = Vec::new();
        let mut pending = 0;
        for ((path, done), &size) in chunk.iter().zip(read).zip(sizes) {
            match done {
                Some(done) => {
                    finished.extend(done);
                    pending += size;
                    if pending >= SEND_BYTES {
                        dispatch(Item::Finished(std::mem::take(&mut finished)))?;
                        pending = 0;
                    }
                }
                None => {
                    if !finished.is_empty() {
                        dispatch(Item::Finished(std::mem::take(&mut finished)))?;
                        pending = 0;
                    }
                    read_file(path, source_name(path), limits, &mut |job| {
                        dispatch(Item::Job(job))
                    })?;
                }
            }
        }
        if !finished.is_empty() {
            dispatch(Item::Finished(finished))?;
        }
    }
    ControlFlow::Continue(())
}

/// Files up to this size (on disk) in a tree are read whole in parallel.
const SMALL_FILE: u64 = 1 << 20;
/// Bytes on disk and files of one parallel batch of small files.
const BATCH_BYTES: u64 = 4 << 20;
const BATCH_FILES: usize = 256;
/// Bytes on disk of small files whose results go to the writer together.
const SEND_BYTES: u64 = 256 << 10;

fn source_name(path: &Path) -> Arc<str> {
    shown_name(&path.display().to_string())
}

/// An input's name as messages print it: as it is, unless it holds a
/// control character (a line break, an escape sequence that would drive the
/// terminal), then quoted with those escaped (`"a\nb"`), so that the
/// message stays one line and says exactly which file.
pub(crate) fn shown_name(name: &str) -> Arc<str> {
    if name.chars().any(char::is_control) {
        Arc::from(format!("{name:?}"))
    } else {
        Arc::from(name)
    }
}

/// A stream of JSON documents (Records files, arrays, lookup-events output).
fn read_documents(
    reader: &mut dyn Read,
    source: &Arc<str>,
    limits: Limits,
    dispatch: &mut Dispatch<'_>,
) -> ControlFlow<()> {
    let mut reader = BufReader::with_capacity(64 << 10, reader);
    decode_documents(
        &mut |emit| decode::decode_stream(&mut reader, BLOCK_BYTES, limits, emit),
        source,
        dispatch,
    )
}

/// The decoder's output as jobs; `decode` runs it (over a reader or memory).
type Emit<'e> = dyn FnMut(decode::Decoded) -> ControlFlow<()> + 'e;

fn decode_documents(
    decode: &mut dyn FnMut(&mut Emit<'_>) -> Result<(), decode::DecodeError>,
    source: &Arc<str>,
    dispatch: &mut Dispatch<'_>,
) -> ControlFlow<()> {
    let mut going = ControlFlow::Continue(());
    let decoded = decode(&mut |item| {
        going = dispatch(match item {
            decode::Decoded::Records(block) => Job::Block {
                source: source.clone(),
                block,
            },
            decode::Decoded::Fault(fault) => Job::Problem(InputProblem {
                source: source.clone(),
                line: Some(fault.line),
                reason: Reason::Decode(fault.reason),
            }),
        });
        going
    });
    going?;
    match decoded {
        Ok(()) => ControlFlow::Continue(()),
        Err(error) => dispatch(Job::Problem(InputProblem {
            source: source.clone(),
            line: Some(error.line),
            reason: Reason::Decode(error.reason),
        })),
    }
}

/// An io::Error as a short reason, without Rust's "(os error N)" noise.
pub(crate) fn io_reason(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// Read one stream to its end. `more_ready` tells whether more bytes can be
/// read without waiting: when not, the lines in hand go out at once, so a
/// slow producer (spitzel-fetch) sees its matches as they arrive. None: the
/// stream never waits (a file), so each read may fill its whole size.
pub fn read_stream(
    reader: &mut dyn Read,
    source: &Arc<str>,
    more_ready: Option<&dyn Fn() -> bool>,
    limits: Limits,
    dispatch: &mut Dispatch<'_>,
) -> ControlFlow<()> {
    let mut buf: Vec<u8> = buffers::take();
    let mut next_line: u64 = 1;
    let mut at_start = true;
    // Reads start small and grow while the input keeps filling them, so a
    // tree of thousands of small files does not zero-fill a block per file.
    let mut read_size = MIN_READ;
    // `buf[..searched]` has been searched for line breaks, the last one
    // found being at `last_break`: every byte is searched once, however
    // long its line (searching the whole buffer on every read made a long
    // line cost its length squared).
    let mut searched = 0;
    let mut last_break: Option<usize> = None;
    // Skipping the rest of a line over the limit: how much of it so far.
    let mut skipping: Option<usize> = None;
    loop {
        let before = buf.len();
        // A block's worth, less what is in hand; a line longer than a
        // block is read on in whole reads.
        let want = if before >= BLOCK_BYTES {
            read_size
        } else {
            read_size
                .min((BLOCK_BYTES + MIN_READ).saturating_sub(before))
                .max(MIN_READ)
        };
        let n = match read_more(reader, &mut buf, want, more_ready.is_none()) {
            Ok(n) => n,
            Err(error) => {
                let error = if at_start {
                    // Decide the shape on what came before the error, which
                    // then surfaces in its place.
                    let mut failed = Failed(Some(error));
                    if let Some(flow) = route_by_shape(
                        &mut buf,
                        &mut failed,
                        false,
                        source,
                        more_ready,
                        limits,
                        dispatch,
                    ) {
                        return flow;
                    }
                    // NDJSON: routing read nothing, so the error is still there.
                    failed.0.unwrap_or_else(|| io::Error::other("read failed"))
                } else {
                    error
                };
                if skipping.is_some() {
                    buf.clear();
                }
                let sent = send_lines(&mut buf, None, source, &mut next_line, dispatch);
                // Damaged gzip data is bad input, like a bad line; a failing
                // device is an error of the run.
                let reason = if gz::is_gzip_error(&error) {
                    Reason::DamagedGzip(io_reason(&error))
                } else {
                    Reason::ReadFailed(io_reason(&error))
                };
                let problem = InputProblem {
                    source: source.clone(),
                    line: Some(next_line),
                    reason,
                };
                sent?;
                return dispatch(Job::Problem(problem));
            }
        };
        if n == want {
            read_size = (read_size * 2).min(BLOCK_BYTES);
        }
        let eof = n == 0;
        if at_start && (sniff::enough(&buf) || eof) {
            // A file read whole reads less than asked only at its end.
            let complete = more_ready.is_none() && n < want;
            if let Some(flow) = route_by_shape(
                &mut buf, reader, complete, source, more_ready, limits, dispatch,
            ) {
                return flow;
            }
            if buf.starts_with(UTF8_BOM) {
                buf.drain(..UTF8_BOM.len());
            }
            at_start = false;
        }
        // Nothing goes out before the shape is known.
        if at_start {
            continue;
        }
        if let Some(skipped) = skipping {
            match memchr::memchr(b'\n', &buf) {
                Some(at) => {
                    // The over-long line ends here; the next one is read.
                    buf.drain(..=at);
                    next_line += 1;
                    skipping = None;
                    searched = 0;
                    last_break = None;
                }
                None => {
                    let skipped = skipped + buf.len();
                    buf.clear();
                    if skipped > limits.max_gap() {
                        let problem =
                            bad_data(source, next_line, Reason::NoLineBreak(limits.max_gap()));
                        return dispatch(problem);
                    }
                    skipping = Some(skipped);
                    if eof {
                        return ControlFlow::Continue(());
                    }
                    continue;
                }
            }
        }
        if let Some(at) = memchr::memrchr(b'\n', &buf[searched..]) {
            last_break = Some(searched + at);
        }
        searched = buf.len();
        let unfinished = buf.len() - last_break.map_or(0, |at| at + 1);
        if unfinished > limits.max_record {
            // The line is reported and its rest skipped; the lines before
            // it go out first.
            if last_break.is_some() {
                send_lines(&mut buf, last_break, source, &mut next_line, dispatch)?;
            }
            let problem = bad_data(source, next_line, Reason::LineTooLong(limits.max_record));
            dispatch(problem)?;
            buf.clear();
            (searched, last_break, skipping) = (0, None, Some(0));
            if eof {
                return ControlFlow::Continue(());
            }
            continue;
        }
        if eof || buf.len() >= BLOCK_BYTES || (n < want && !more_ready.is_none_or(|ready| ready()))
        {
            let cut = if eof { None } else { last_break };
            if eof || cut.is_some() {
                send_lines(&mut buf, cut, source, &mut next_line, dispatch)?;
            }
            // What is left holds no line break.
            searched = buf.len();
            last_break = None;
        }
        if eof {
            return ControlFlow::Continue(());
        }
    }
}

fn bad_data(source: &Arc<str>, line: u64, reason: Reason) -> Job {
    Job::Problem(InputProblem {
        source: source.clone(),
        line: Some(line),
        reason,
    })
}

/// Gzip and documents leave the NDJSON path here: Some(flow) when the
/// stream (its first bytes in `head`, the rest in `reader`; all of it in
/// `head` when `complete`) was read that way.
fn route_by_shape(
    head: &mut Vec<u8>,
    reader: &mut dyn Read,
    complete: bool,
    source: &Arc<str>,
    more_ready: Option<&dyn Fn() -> bool>,
    limits: Limits,
    dispatch: &mut Dispatch<'_>,
) -> Option<ControlFlow<()>> {
    // A small file read whole: inflated, or decoded, straight from memory.
    if complete && sniff::is_gzip(head) {
        let flow = gunzip::with_inflated(head, |mut data| {
            read_stream(&mut data, source, None, limits, dispatch)
        });
        if flow.is_some() {
            buffers::give_back(std::mem::take(head));
            return flow;
        }
    }
    if complete && sniff::shape(head) == Shape::Documents {
        let flow = decode_documents(
            &mut |emit| decode::decode_slice(&head[..], BLOCK_BYTES, limits, emit),
            source,
            dispatch,
        );
        buffers::give_back(std::mem::take(head));
        return Some(flow);
    }
    if sniff::is_gzip(head) {
        let head = std::mem::take(head);
        let mut unzipped = gz::GzReader::new(BufReader::new(io::Cursor::new(head).chain(reader)));
        return Some(read_stream(
            &mut unzipped,
            source,
            more_ready,
            limits,
            dispatch,
        ));
    }
    if sniff::shape(head) == Shape::Documents {
        let head = std::mem::take(head);
        return Some(read_documents(
            &mut io::Cursor::new(head).chain(reader),
            source,
            limits,
            dispatch,
        ));
    }
    None
}

/// A reader whose next read fails with a saved error, then ends.
struct Failed(Option<io::Error>);

impl Read for Failed {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        self.0.take().map_or(Ok(0), Err)
    }
}

/// Send the lines in `buf` up to the line break at `last_break`, keeping
/// the unfinished rest; None: all of it (the end of input, where a last line
/// without its line end gets one).
fn send_lines(
    buf: &mut Vec<u8>,
    last_break: Option<usize>,
    source: &Arc<str>,
    next_line: &mut u64,
    dispatch: &mut Dispatch<'_>,
) -> ControlFlow<()> {
    let cut = match last_break {
        Some(at) => at + 1,
        None => {
            if !buf.is_empty() && buf.last() != Some(&b'\n') {
                buf.push(b'\n');
            }
            buf.len()
        }
    };
    if cut == 0 {
        return ControlFlow::Continue(());
    }
    let mut rest = buffers::take();
    rest.extend_from_slice(&buf[cut..]);
    buf.truncate(cut);
    let data = std::mem::replace(buf, rest);
    let first_line = *next_line;
    *next_line += memchr::memchr_iter(b'\n', &data).count() as u64;
    let block = RecordBlock {
        data,
        first_line,
        lines: None,
    };
    dispatch(Job::Block {
        source: source.clone(),
        block,
    })
}

/// Append up to `want` bytes from `reader` to `buf`; on an error `buf`
/// keeps what was read before it. `whole`: keep reading until `want` bytes
/// or the end, straight into spare capacity (no zero-filling, which costs as
/// much as the read itself); otherwise one read, which a pipe may answer
/// with whatever it has.
fn read_more(
    reader: &mut dyn Read,
    buf: &mut Vec<u8>,
    want: usize,
    whole: bool,
) -> io::Result<usize> {
    let before = buf.len();
    if whole {
        buf.reserve(want);
        return reader
            .take(want as u64)
            .read_to_end(buf)
            .map(|_| buf.len() - before);
    }
    buf.resize(before + want, 0);
    let read = loop {
        match reader.read(&mut buf[before..]) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    buf.truncate(before + *read.as_ref().unwrap_or(&0));
    read
}

/// Whether stdin is a regular file (a redirect), which never makes a reader
/// wait. The descriptor is duplicated so that std can ask for its metadata
/// without taking ownership of stdin.
fn stdin_is_a_file() -> bool {
    #[cfg(unix)]
    let owned = std::os::fd::AsFd::as_fd(&io::stdin()).try_clone_to_owned();
    #[cfg(windows)]
    let owned = std::os::windows::io::AsHandle::as_handle(&io::stdin()).try_clone_to_owned();
    #[cfg(not(any(unix, windows)))]
    let owned: io::Result<std::fs::File> = Err(io::ErrorKind::Unsupported.into());
    owned
        .map(std::fs::File::from)
        .and_then(|file| file.metadata())
        .is_ok_and(|meta| meta.is_file())
}

/// Whether stdin has bytes ready right now (poll with a zero timeout).
#[cfg(unix)]
fn stdin_has_data() -> bool {
    let mut fds = libc::pollfd {
        fd: 0,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    let ready = unsafe { libc::poll(&mut fds, 1, 0) };
    ready > 0
}

/// Without poll there is no cheap readiness test: "nothing ready" hands the
/// lines in hand on after every short read, which is correct, only in
/// smaller blocks.
#[cfg(not(unix))]
fn stdin_has_data() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_say_what_the_messages_always_said() {
        let cases = [
            (
                Reason::Unreadable("No such file or directory".into()),
                "No such file or directory",
                true,
            ),
            (
                Reason::ReadFailed("Input/output error".into()),
                "read error: Input/output error",
                true,
            ),
            (
                Reason::NotAFile("a FIFO".into()),
                "a FIFO, not a regular file: skipped",
                true,
            ),
            (
                Reason::DamagedGzip("invalid gzip header".into()),
                "invalid gzip header",
                false,
            ),
            (
                Reason::LineTooLong(256 << 20),
                "line longer than 256 MiB (--max-record-size): skipped",
                false,
            ),
            (
                Reason::NoLineBreak(1 << 30),
                "no line break in the 1 GiB after an over-long line: the rest of this input is not read",
                false,
            ),
            (Reason::Decode("truncated".into()), "truncated", false),
        ];
        for (reason, text, io) in cases {
            assert_eq!(reason.to_string(), text);
            assert_eq!(reason.is_io(), io, "{text}");
        }
    }
}
