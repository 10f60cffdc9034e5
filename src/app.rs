//! spitzel-filter from parsed arguments to exit status.

use crate::actions::{ActionGlobError, ActionMatcher};
use crate::cli::common::TimeArgsError;
use crate::cli::filter::FilterArgs;
use crate::expr::{ExprError, Expression};
use crate::filter::correlate::{CorrelationSink, DEFAULT_HOLD_LIMIT};
use crate::filter::sigma::SigmaCriterion;
use crate::filter::{Criteria, Keep, OutputSink, Pipeline, Stopped, print_stats};
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// spitzel-filter's exit status, grep's convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Match = 0,
    NoMatch = 1,
    Error = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// Arguments that cannot run; `Display` is the one line printed.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error(transparent)]
    Actions(#[from] ActionGlobError),
    #[error(transparent)]
    Time(#[from] TimeArgsError),
    #[error("--match '{text}': {error}")]
    Match { text: String, error: ExprError },
    #[error("--sigma: {0}")]
    Sigma(#[from] spitzel_sigma::RuleError),
    #[error("{0}")]
    Correlation(&'static str),
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

/// A usage error: one line, exit 2.
fn usage(error: &UsageError) -> Exit {
    eprintln!("spitzel-filter: {error}");
    Exit::Error
}

/// Compile the arguments into criteria, or say what is wrong.
pub fn criteria_from(args: &FilterArgs) -> Result<Criteria, UsageError> {
    let actions = ActionMatcher::with_implied(&args.actions, args.implied)?;
    let window = args.time.window(crate::window::now())?;
    let mut expressions = Vec::with_capacity(args.matches.len());
    for source in &args.matches {
        // A long expression is quoted around the column only.
        let expression = Expression::parse(source).map_err(|error| UsageError::Match {
            text: crate::expr::excerpt(source, error.column),
            error,
        })?;
        expressions.push(expression);
    }
    let sigma = if args.sigma.is_empty() {
        None
    } else {
        let level = args
            .sigma_level
            .as_deref()
            .and_then(spitzel_sigma::Level::parse);
        Some(SigmaCriterion::load(
            &args.sigma,
            level,
            args.annotate,
            args.stats,
        )?)
    };
    if let Some(sigma) = &sigma {
        if sigma.correlated() && args.invert_match {
            return Err(UsageError::Correlation(
                "--invert-match cannot be used with Sigma correlation rules (the events outside every hit are not a question they answer)",
            ));
        }
        if args.sigma_alerts && !sigma.correlated() {
            return Err(UsageError::Correlation(
                "--sigma-alerts: no correlation rule among the --sigma rules",
            ));
        }
    }
    Ok(Criteria {
        actions,
        window,
        expressions,
        sigma,
    })
}

pub fn run(args: FilterArgs) -> Exit {
    if let Some(dialect) = &args.emit_sql {
        return match crate::emit_sql::emit(&args, dialect) {
            Ok(text) => {
                println!("{text}");
                Exit::Match
            }
            Err(error) => {
                eprintln!("spitzel-filter: {error}");
                Exit::Error
            }
        };
    }
    let criteria = match criteria_from(&args) {
        Ok(criteria) => criteria,
        Err(error) => return usage(&error),
    };
    let threads = args.threads.map_or(0, usize::from);
    if let Err(error) = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
    {
        return usage(&error.into());
    }
    let threads = rayon::current_num_threads();
    let keep = if args.count || args.quiet {
        Keep::Count
    } else {
        Keep::Lines
    };
    let criteria = Arc::new(criteria);
    let pipeline = Pipeline {
        criteria: criteria.clone(),
        invert: args.invert_match,
        keep,
        in_flight: threads * 2 + 2,
        limits: crate::input::Limits {
            max_record: args.max_record_size,
        },
    };
    let started = Instant::now();
    let stdout = io::stdout();
    let out = io::BufWriter::with_capacity(256 << 10, stdout.lock());
    let mut sink = OutputSink::new(out, args.limit, args.strict, args.quiet);
    let mut overflow = None;
    let mut decision = None;
    match &criteria.sigma {
        Some(sigma) if sigma.correlated() => {
            let limit = args
                .sigma_memory
                .map_or(DEFAULT_HOLD_LIMIT, |mib| mib.get().saturating_mul(1 << 20));
            let mut held = CorrelationSink::new(&mut sink, limit);
            pipeline.run(args.inputs, &mut held);
            overflow = held.overflow.take();
            if overflow.is_none() && held.inner.stopped.is_none() {
                let decided = held.decide(sigma);
                held.write(sigma, &decided, args.sigma_alerts, keep == Keep::Lines);
                decision = Some(decided);
            }
        }
        _ => pipeline.run(args.inputs, &mut sink),
    }
    if let Some(place) = &overflow {
        eprintln!(
            "spitzel-filter: --sigma: the events held for correlation rules passed {} MiB at {place}; \
             narrow the input (--from/--to, action globs, --match) or raise --sigma-memory",
            args.sigma_memory
                .map_or(DEFAULT_HOLD_LIMIT >> 20, |mib| mib.get())
        );
        let _ = sink.finish();
        return Exit::Error;
    }
    let flushed = sink.finish();
    if args.count && sink.stopped != Some(Stopped::ClosedOutput) {
        let mut stdout = io::stdout().lock();
        if writeln!(stdout, "{}", sink.totals.matched)
            .and_then(|_| stdout.flush())
            .is_err()
        {
            // A closed stdout is not an error; anything else already was reported.
        }
    }
    sink.reporter.finish();
    if args.stats {
        print_stats(
            &sink.totals,
            &sink.reporter,
            started.elapsed().as_secs_f64(),
        );
        if let Some(sigma) = &criteria.sigma {
            sigma.print_stats(&sink.totals.rule_hits);
            if let Some(decision) = &decision {
                decision.print_stats(sigma);
            }
        }
    }
    if let Some(error) = &sink.write_error {
        eprintln!("spitzel-filter: cannot write output: {error}");
        return Exit::Error;
    }
    exit_status(&sink, flushed, args.quiet)
}

/// The exit status of a finished run, in order of precedence.
fn exit_status<W: Write>(sink: &OutputSink<W>, flushed: bool, quiet: bool) -> Exit {
    let matched = sink.totals.matched > 0;
    match sink.stopped {
        Some(Stopped::ClosedOutput) => Exit::Match,
        Some(Stopped::Strict) => Exit::Error,
        _ if !flushed => Exit::Error,
        _ if quiet && matched => Exit::Match,
        _ if sink.reporter.io_errors > 0 => Exit::Error,
        _ if matched => Exit::Match,
        _ => Exit::NoMatch,
    }
}
