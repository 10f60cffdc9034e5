//! The LookupEvents source: set up AWS, resume or start the checkpoint,
//! then page through every (region, query) pair as its own task. The tasks
//! of a region share that region's limiter, and all of them write through
//! one sink that records each page in the checkpoint as it writes it.

mod body;
mod client;
pub(crate) mod context;
pub(crate) mod failure;
pub(crate) mod pace;
pub(crate) mod pager;
pub(crate) mod plan;
pub(crate) mod progress;
mod regions;
pub(crate) mod sink;
mod state;

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use tokio::sync::watch;

use crate::chain::ChainGuard;
use crate::errors::{FetchError, LookupError};
use crate::exit::Exit;
use crate::options::{LookupOptions, Options, Regions};
use crate::signals::Interrupt;
use crate::{resume, setup};
use context::{RegionCtx, RunCtx, lock, page_request};
use pace::Limiter;
use pager::PageError;
use plan::Query;
use progress::RegionStats;
use sink::{Accepted, Sink, SinkError};

pub(crate) async fn fetch(cfg: Options, lookup: LookupOptions) -> Result<Exit, FetchError> {
    let saved = match &cfg.checkpoint {
        Some(path) => state::load_matching(path, &cfg.fingerprint)?,
        None => None,
    };
    if saved.is_none()
        && let Some(warning) = &lookup.window_warning
    {
        eprintln!("spitzel-fetch: warning: {warning}");
    }

    // Retries are ours (see pager), so the SDK's are off.
    let sdk_config = setup::load(&cfg.aws, RetryConfig::disabled()).await;
    setup::check_credentials(&sdk_config, cfg.aws.profile.as_deref()).await?;
    let resuming = saved.is_some();
    let mut state = match saved {
        Some(saved) => saved,
        None => {
            let (listed, all): (&[String], bool) = match &lookup.regions {
                Regions::Listed(listed) => (listed, false),
                Regions::All => (&[], true),
                Regions::Configured => (&[], false),
            };
            let regions = regions::resolve_regions(&sdk_config, listed, all).await?;
            state::fresh_state(&cfg, &lookup, regions)
        }
    };
    let (start, end) = (state.start_time, state.end_time);
    let regions = state.regions.clone();
    let destination = resume::open_output(cfg.output.as_deref(), &mut state.output_len, resuming)?;
    let output_fd = destination.fd();

    let stats: Vec<Arc<RegionStats>> = regions
        .iter()
        .map(|r| Arc::new(RegionStats::new(r)))
        .collect();
    let sink = Sink::new(
        destination,
        lookup.envelope,
        cfg.matcher.clone(),
        cfg.max_events,
        state,
        cfg.checkpoint.clone(),
        &stats,
    );
    if sink.enough() {
        return Ok(Exit::Found);
    }
    // Save once up front so that a kill before the first page still resumes.
    if let Err(SinkError::Failed(e)) = sink.save() {
        return Err(e);
    }
    let (stop, stop_rx) = watch::channel(false);
    let ctx = Arc::new(RunCtx {
        sink: Mutex::new(sink),
        stop,
        closed: AtomicBool::new(false),
        policy: lookup.retry,
        start_time: start,
        insight: cfg.insight,
    });

    let interrupt = {
        let ctx = ctx.clone();
        Interrupt::listen(move || {
            ctx.stop.send_replace(true);
        })
    };
    if lookup.follow.is_some() {
        let ctx = ctx.clone();
        crate::reader::watch(output_fd, move || {
            ctx.closed.store(true, Ordering::SeqCst);
            ctx.stop.send_replace(true);
        });
    }
    let display = (!cfg.quiet && std::io::stderr().is_terminal()).then(|| {
        tokio::spawn(progress::display(
            stats.clone(),
            start,
            end,
            stop_rx.clone(),
        ))
    });

    let region_ctxs: Vec<Arc<RegionCtx>> = regions
        .iter()
        .map(|name| {
            Arc::new(RegionCtx {
                name: name.clone(),
                client: client::cloudtrail_client(&sdk_config, name),
                limiter: Limiter::with_adaptation(lookup.rate, lookup.adaptive_pacing),
                endpoint: client::endpoint_for(cfg.aws.endpoint_url.as_deref(), name),
            })
        })
        .collect();
    // Each task runs the query its checkpoint entry holds: no lookup by
    // name that could miss.
    let planned = lock(&ctx.sink).state.planned();
    let mut tasks = tokio::task::JoinSet::new();
    for (qi, (region_name, query)) in planned.into_iter().enumerate() {
        let Some(region) = region_ctxs.iter().find(|r| r.name == region_name).cloned() else {
            continue;
        };
        tasks.spawn(run_query(ctx.clone(), region, query, qi, stop_rx.clone()));
    }
    let mut failures: Vec<FetchError> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(e),
            Err(e) => failures.push(e.into()),
        }
    }
    // The follow starts once every region's backlog is in, so that it never
    // races a backlog query over the same seconds.
    if let Some(follow) = lookup.follow
        && failures.is_empty()
        && !*stop_rx.borrow()
    {
        failures = crate::follow::follow(&ctx, &region_ctxs, &stats, follow, &stop_rx).await;
    }
    ctx.stop.send_replace(true);
    if let Some(display) = display {
        let _ = display.await;
    }
    let (written, skipped) = {
        let sink = lock(&ctx.sink);
        (sink.state.written, sink.skipped)
    };
    if skipped > 0 {
        say(&format!(
            "skipped {skipped} events whose CloudTrailEvent was missing or not a JSON object"
        ));
    }
    if ctx.closed.load(Ordering::SeqCst) {
        return Ok(Exit::Found);
    }
    if let (Some(code), Some(name)) = (Exit::interrupted(&interrupt), interrupt.name()) {
        if lookup.follow.is_some() && !cfg.quiet {
            let now = spitzel_core::window::now() / 1_000_000_000;
            for region in &stats {
                say(&format!(
                    "{}: followed, {}",
                    region.region,
                    region.follow_summary(now)
                ));
            }
        }
        // After SIGHUP the terminal may be gone: say() ignores that.
        match &cfg.checkpoint {
            Some(path) => say(&format!(
                "interrupted by {name}; progress saved to {}",
                path.display()
            )),
            None => say(&format!("interrupted by {name}")),
        }
        return Ok(code);
    }
    if let Some(last) = failures.pop() {
        for earlier in &failures {
            say(&earlier.to_string());
        }
        return Err(last);
    }
    Ok(if skipped > 0 {
        Exit::Error
    } else {
        Exit::read_all(written)
    })
}

/// One line on stderr; a stderr that is gone is no reason to panic.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "spitzel-fetch: {line}");
}

/// Page through one query until it is done, stopped, or fails.
async fn run_query(
    ctx: Arc<RunCtx>,
    region: Arc<RegionCtx>,
    query: Query,
    qi: usize,
    mut stop: watch::Receiver<bool>,
) -> Result<(), FetchError> {
    let mut chain = ChainGuard::default();
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        let progress = lock(&ctx.sink).state.queries[qi].clone();
        if progress.done {
            return Ok(());
        }
        let sent = progress.next_token.clone();
        let had_token = sent.is_some();
        let request = page_request(
            &region,
            &ctx,
            &query,
            (ctx.start_time, Some(progress.end_time)),
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
                let checked = chain.page(
                    sent.as_deref(),
                    output.events().len(),
                    next_token.as_deref(),
                );
                let accepted = tokio::task::block_in_place(|| {
                    lock(&ctx.sink).accept(qi, output.events(), next_token)
                });
                match accepted {
                    Ok(Accepted::Continue) => {
                        if let Err(fault) = checked {
                            return Err(LookupError::Chain {
                                region: region.name.clone(),
                                query: query.label(),
                                fault,
                            }
                            .into());
                        }
                    }
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
                chain.restart();
                if !lock(&ctx.sink).restart_query(qi) {
                    return Err(LookupError::SavedTokenRefused {
                        region: region.name.clone(),
                        query: query.label(),
                    }
                    .into());
                }
            }
            Err(e) => {
                let oldest = lock(&ctx.sink).region_oldest(&region.name);
                return Err(failure::describe_failure(
                    &region.name,
                    &region.endpoint,
                    oldest,
                    &query,
                    e,
                )
                .into());
            }
        }
    }
}
