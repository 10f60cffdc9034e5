//! spitzel-fetch: CloudTrail LookupEvents to NDJSON.
//!
//! OWNER: fetch helper.
//!
//! Every (region, query) pair runs as its own task; the tasks of a region
//! share that region's limiter, and all of them write through one sink that
//! records each page in the checkpoint as it writes it.

pub mod checkpoint;
pub mod config;
pub mod errors;
pub mod output;
pub mod pace;
pub mod pager;
pub mod plan;
pub mod progress;

use std::io::{IsTerminal, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use aws_sdk_cloudtrail::primitives::{DateTime, DateTimeFormat};
use aws_sdk_cloudtrail::types::{EventCategory, LookupAttribute, LookupAttributeKey};
use tokio::sync::watch;

use crate::actions::ActionMatcher;
use crate::cli::fetch::{EventCategory as CategoryArg, FetchArgs};

use checkpoint::{Checkpoint, QueryProgress};
use errors::{EXIT_INTERRUPTED, EXIT_OK, FetchError};
use output::{Accepted, Destination, Sink, SinkError};
use pace::Limiter;
use pager::{PageError, RetryPolicy};
use plan::Query;
use progress::RegionStats;

/// CloudTrail event history reaches back this far.
const HISTORY_SECS: i64 = 90 * 24 * 3600;

/// Run spitzel-fetch; returns the exit status. Errors are printed here.
pub fn run(args: FetchArgs) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("spitzel-fetch: cannot start: {e}");
            return errors::EXIT_FAILED;
        }
    };
    let outcome = runtime.block_on(fetch(args));
    // Do not wait for requests still hanging after an error or Ctrl-C.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match outcome {
        Ok(code) => code,
        Err((err, wrote)) => {
            eprintln!("spitzel-fetch: {err}");
            err.exit_code(wrote)
        }
    }
}

fn lock(sink: &Mutex<Sink>) -> MutexGuard<'_, Sink> {
    sink.lock().unwrap_or_else(|e| e.into_inner())
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn rfc3339(secs: i64) -> String {
    DateTime::from_secs(secs)
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_else(|_| secs.to_string())
}

/// The arguments that decide which events are fetched and where they go.
fn fingerprint(args: &FetchArgs) -> serde_json::Value {
    serde_json::json!({
        "actions": args.actions,
        "lookup": args.lookup,
        "event_category": args.event_category.map(|c| format!("{c:?}")),
        "region": args.region,
        "all_regions": args.all_regions,
        "from": args.time.from,
        "to": args.time.to,
        "last_minute": args.time.last_minute,
        "last": args.time.last,
        "envelope": args.envelope,
        "output": args.output.as_ref().map(|p| p.display().to_string()),
    })
}

/// The window in whole seconds: [start, end].
fn time_window(args: &FetchArgs) -> Result<(i64, i64), FetchError> {
    let now = now_secs();
    let t = &args.time;
    let given = t.from.is_some() || t.to.is_some() || t.last_minute.is_some() || t.last.is_some();
    let (from, to) = if given {
        let window = t
            .window(now.saturating_mul(1_000_000_000))
            .map_err(|e| FetchError::config(format!("invalid time range: {e}")))?;
        // eventTime has whole seconds: round inwards.
        let from = window
            .from
            .map(|ns| ns.div_euclid(1_000_000_000) + i64::from(ns.rem_euclid(1_000_000_000) != 0));
        let to = window.to.map(|ns| ns.div_euclid(1_000_000_000));
        (from, to)
    } else {
        (None, None)
    };
    let end = to.unwrap_or(now);
    let start = from.unwrap_or(now - HISTORY_SECS);
    if start > end {
        return Err(FetchError::config(format!(
            "invalid time range: the start {} is after the end {}",
            rfc3339(start),
            rfc3339(end)
        )));
    }
    if from.is_some() && start < now - HISTORY_SECS {
        eprintln!(
            "spitzel-fetch: warning: --from {} is more than 90 days ago; CloudTrail event history keeps 90 days",
            rfc3339(start)
        );
    }
    Ok((start, end))
}

fn validate(args: &FetchArgs) -> Result<(), FetchError> {
    if !(args.rate.is_finite() && args.rate > 0.0) {
        return Err(FetchError::config(format!(
            "--rate {}: must be a positive number of requests per second",
            args.rate
        )));
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(FetchError::config(
            "--timeout must be a positive number of seconds",
        ));
    }
    if args.max_attempts == 0 {
        return Err(FetchError::config("--max-attempts must be at least 1"));
    }
    Ok(())
}

/// Open the output; on resume, cut a file back to the bytes the checkpoint covers.
fn open_output(
    path: Option<&Path>,
    state: &mut Checkpoint,
    resuming: bool,
) -> Result<Destination, FetchError> {
    let Some(path) = path else {
        state.output_len = None;
        return Ok(Destination::Stdout(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout(),
        )));
    };
    let cannot =
        |e: std::io::Error| FetchError::config(format!("cannot write {}: {e}", path.display()));
    let file = if resuming {
        let saved = state.output_len.unwrap_or(0);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(cannot)?;
        let len = file.metadata().map_err(cannot)?.len();
        if len < saved {
            return Err(FetchError::config(format!(
                "{} is shorter ({len} bytes) than the checkpoint records ({saved} bytes); it is not this run's output",
                path.display()
            )));
        }
        file.set_len(saved).map_err(cannot)?;
        file.seek(SeekFrom::End(0)).map_err(cannot)?;
        state.output_len = Some(saved);
        file
    } else {
        state.output_len = Some(0);
        std::fs::File::create(path).map_err(cannot)?
    };
    Ok(Destination::File(std::io::BufWriter::with_capacity(
        1 << 20,
        file,
    )))
}

struct RunCtx {
    sink: Mutex<Sink>,
    stop: watch::Sender<bool>,
    closed: AtomicBool,
    policy: RetryPolicy,
    start_time: i64,
    insight: bool,
}

struct RegionCtx {
    name: String,
    client: aws_sdk_cloudtrail::Client,
    limiter: Limiter,
    endpoint: String,
}

async fn fetch(args: FetchArgs) -> Result<i32, (FetchError, bool)> {
    let config_err = |e: FetchError| (e, false);
    validate(&args).map_err(config_err)?;
    let matcher = ActionMatcher::new(&args.actions)
        .map_err(|e| config_err(FetchError::config(e.to_string())))?;
    let queries = plan::plan_queries(&args.lookup, &matcher).map_err(config_err)?;

    let saved = match &args.checkpoint {
        Some(path) => checkpoint::load(path).map_err(config_err)?,
        None => None,
    };
    let arguments = fingerprint(&args);
    if let Some(saved) = &saved
        && saved.arguments != arguments
    {
        return Err(config_err(FetchError::config(format!(
            "checkpoint {} was written for other arguments; rerun with the same arguments or use a new checkpoint file",
            args.checkpoint
                .as_deref()
                .unwrap_or(Path::new(""))
                .display()
        ))));
    }
    // Local checks come before any network traffic.
    if !args.all_regions {
        for region in &args.region {
            config::check_region_name(region.trim()).map_err(config_err)?;
        }
    }
    let window = match &saved {
        Some(saved) => (saved.start_time, saved.end_time),
        None => time_window(&args).map_err(config_err)?,
    };

    let setup = config::AwsSetup {
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
        attempt_timeout: Duration::from_secs_f64(args.timeout),
    };
    let sdk_config = config::load(&setup).await;
    config::check_credentials(&sdk_config)
        .await
        .map_err(config_err)?;
    let regions = match &saved {
        Some(saved) => saved.regions.clone(),
        None => config::resolve_regions(&sdk_config, &args.region, args.all_regions)
            .await
            .map_err(config_err)?,
    };

    let resuming = saved.is_some();
    let mut state = saved.unwrap_or_else(|| {
        let progress = regions
            .iter()
            .flat_map(|region| {
                queries.iter().map(move |q| QueryProgress {
                    region: region.clone(),
                    query: q.label(),
                    end_time: window.1,
                    ..Default::default()
                })
            })
            .collect();
        Checkpoint::new(arguments, window.0, window.1, regions.clone(), progress)
    });
    let destination =
        open_output(args.output.as_deref(), &mut state, resuming).map_err(config_err)?;

    let stats: Vec<Arc<RegionStats>> = regions
        .iter()
        .map(|r| Arc::new(RegionStats::new(r)))
        .collect();
    let sink = Sink::new(
        destination,
        args.envelope,
        matcher,
        args.max_events,
        state,
        args.checkpoint.clone(),
        &stats,
    );
    if sink.enough() {
        return Ok(EXIT_OK);
    }
    // Save once up front so that a kill before the first page still resumes.
    if let Err(SinkError::Failed(e)) = sink.save() {
        return Err((e, false));
    }
    let (stop, stop_rx) = watch::channel(false);
    let ctx = Arc::new(RunCtx {
        sink: Mutex::new(sink),
        stop,
        closed: AtomicBool::new(false),
        policy: RetryPolicy {
            max_attempts: args.max_attempts,
            ..RetryPolicy::default()
        },
        start_time: window.0,
        insight: args.event_category == Some(CategoryArg::Insight),
    });

    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let ctx = ctx.clone();
        let interrupted = interrupted.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupted.store(true, Ordering::SeqCst);
                ctx.stop.send_replace(true);
            }
        });
    }
    let display = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        tokio::spawn(progress::display(
            stats.clone(),
            window.0,
            window.1,
            stop_rx.clone(),
        ))
    });

    let region_ctxs: Vec<Arc<RegionCtx>> = regions
        .iter()
        .map(|name| {
            Arc::new(RegionCtx {
                name: name.clone(),
                client: config::cloudtrail_client(&sdk_config, name),
                limiter: Limiter::new(args.rate),
                endpoint: config::endpoint_for(args.endpoint_url.as_deref(), name),
            })
        })
        .collect();
    let query_count = lock(&ctx.sink).state.queries.len();
    let mut tasks = tokio::task::JoinSet::new();
    for qi in 0..query_count {
        let (region_name, label) = {
            let sink = lock(&ctx.sink);
            let q = &sink.state.queries[qi];
            (q.region.clone(), q.query.clone())
        };
        let Some(region) = region_ctxs.iter().find(|r| r.name == region_name).cloned() else {
            continue;
        };
        let query = queries
            .iter()
            .find(|q| q.label() == label)
            .cloned()
            .unwrap_or(Query { attribute: None });
        tasks.spawn(run_query(ctx.clone(), region, query, qi, stop_rx.clone()));
    }
    let mut failures: Vec<FetchError> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(e),
            Err(e) => failures.push(FetchError::runtime(format!("internal error: {e}"))),
        }
    }
    ctx.stop.send_replace(true);
    if let Some(display) = display {
        let _ = display.await;
    }
    let wrote = lock(&ctx.sink).written_now > 0;
    if ctx.closed.load(Ordering::SeqCst) {
        return Ok(EXIT_OK);
    }
    if interrupted.load(Ordering::SeqCst) {
        match &args.checkpoint {
            Some(path) => eprintln!(
                "spitzel-fetch: interrupted; progress saved to {}",
                path.display()
            ),
            None => eprintln!("spitzel-fetch: interrupted"),
        }
        return Ok(EXIT_INTERRUPTED);
    }
    if let Some(last) = failures.pop() {
        for earlier in &failures {
            eprintln!("spitzel-fetch: {earlier}");
        }
        return Err((last, wrote));
    }
    Ok(EXIT_OK)
}

fn page_request(
    region: &RegionCtx,
    ctx: &RunCtx,
    query: &Query,
    end_time: i64,
    token: Option<String>,
) -> aws_sdk_cloudtrail::operation::lookup_events::builders::LookupEventsFluentBuilder {
    let mut request = region
        .client
        .lookup_events()
        .start_time(DateTime::from_secs(ctx.start_time))
        .end_time(DateTime::from_secs(end_time))
        .max_results(50)
        .set_next_token(token);
    if let Some((key, value)) = &query.attribute {
        request = request.lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::from(key.as_str()))
                .attribute_value(value)
                .build()
                .expect("key and value are set"),
        );
    }
    if ctx.insight {
        request = request.event_category(EventCategory::Insight);
    }
    request
}

/// Page through one query until it is done, stopped, or fails.
async fn run_query(
    ctx: Arc<RunCtx>,
    region: Arc<RegionCtx>,
    query: Query,
    qi: usize,
    mut stop: watch::Receiver<bool>,
) -> Result<(), FetchError> {
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        let progress = lock(&ctx.sink).state.queries[qi].clone();
        if progress.done {
            return Ok(());
        }
        let had_token = progress.next_token.is_some();
        let request = page_request(
            &region,
            &ctx,
            &query,
            progress.end_time,
            progress.next_token,
        );
        let page = tokio::select! {
            page = pager::fetch_page(&request, &region.limiter, &ctx.policy) => page,
            _ = stop.wait_for(|s| *s) => return Ok(()),
        };
        match page {
            Ok(output) => {
                let next_token = output
                    .next_token()
                    .filter(|t| !t.is_empty())
                    .map(str::to_string);
                let accepted = tokio::task::block_in_place(|| {
                    lock(&ctx.sink).accept(qi, output.events(), next_token)
                });
                match accepted {
                    Ok(Accepted::Continue) => {}
                    Ok(Accepted::Enough) => {
                        ctx.stop.send_replace(true);
                        return Ok(());
                    }
                    Err(SinkError::Closed) => {
                        ctx.closed.store(true, Ordering::SeqCst);
                        ctx.stop.send_replace(true);
                        return Ok(());
                    }
                    Err(SinkError::Failed(e)) => {
                        ctx.stop.send_replace(true);
                        return Err(e);
                    }
                }
            }
            Err(PageError::InvalidNextToken) if had_token => {
                lock(&ctx.sink).restart_query(qi);
            }
            Err(e) => return Err(describe_failure(&ctx, &region, &query, e)),
        }
    }
}

/// One line naming the region, the cause and how far the region got.
fn describe_failure(ctx: &RunCtx, region: &RegionCtx, query: &Query, err: PageError) -> FetchError {
    let name = &region.name;
    let oldest = lock(&ctx.sink).region_oldest(name);
    let reached = match oldest {
        Some(t) => format!(
            "; {name} got back to {} (oldest eventTime written)",
            rfc3339(t)
        ),
        None => format!("; nothing was read from {name}"),
    };
    match err {
        PageError::GaveUp {
            attempts,
            unreachable: true,
            ..
        } => FetchError::config(format!(
            "{name}: cannot reach the CloudTrail endpoint {}: connection refused ({attempts} attempts){reached}",
            region.endpoint
        )),
        PageError::GaveUp { attempts, last, .. } => FetchError::runtime(format!(
            "{name}: gave up after {attempts} attempts: {last}{reached}"
        )),
        PageError::InvalidNextToken => FetchError::runtime(format!(
            "{name}: the API refused a fresh query ({}) with InvalidNextTokenException{reached}",
            query.label()
        )),
        PageError::Fatal { code, message } => {
            let line = match code.as_str() {
                "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => format!(
                    "{name}: access denied: the credentials need the cloudtrail:LookupEvents permission ({message})"
                ),
                "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => format!(
                    "{name}: the AWS session token has expired: refresh the credentials (e.g. `aws sso login`) and rerun"
                ),
                "UnrecognizedClientException" | "InvalidClientTokenId" => format!(
                    "{name}: the region rejected the credentials (UnrecognizedClientException): the region may be unknown or not enabled for this account, or the access key is invalid"
                ),
                "InvalidTimeRangeException" => format!("{name}: invalid time range: {message}"),
                "InvalidLookupAttributesException" => {
                    format!("{name}: invalid --lookup {}: {message}", query.label())
                }
                _ if message.is_empty() => format!("{name}: {code}"),
                _ => format!("{name}: {code}: {message}"),
            };
            let runtime_codes = [
                "OperationNotPermittedException",
                "UnsupportedOperationException",
                "RequestFailed",
            ];
            if runtime_codes.contains(&code.as_str()) {
                FetchError::runtime(format!("{line}{reached}"))
            } else {
                FetchError::config(format!("{line}{reached}"))
            }
        }
    }
}
