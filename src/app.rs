//! spitzel-filter from parsed arguments to exit status.

use crate::emit_sql;
use crate::settings::{Output, RecordOutput, Settings, UsageError, sql_dialect};
use spitzel_cli::filter::FilterArgs;
use spitzel_pipeline::{CorrelationSink, Keep, OutputSink, Pipeline, Stopped, print_stats};
use std::fmt::Display;
use std::io::{self, Write};
use std::process::ExitCode;
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

/// A usage error: one line, exit 2.
fn usage(error: &dyn Display) -> Exit {
    eprintln!("spitzel-filter: {error}");
    Exit::Error
}

/// --emit-sql's text on stdout, or its error.
fn print_sql<E: Display>(text: Result<String, E>) -> Exit {
    match text {
        Ok(text) => {
            println!("{text}");
            Exit::Match
        }
        Err(error) => usage(&error),
    }
}

pub fn run(args: FilterArgs) -> Exit {
    if let (Some(dialect), Some(location)) = (args.emit_sql, &args.sql_ddl) {
        return print_sql(emit_sql::ddl(
            sql_dialect(dialect),
            location,
            &args.sql_table,
        ));
    }
    let settings = match Settings::check(args) {
        Ok(settings) => settings,
        Err(error) => return usage(&error),
    };
    match &settings.output {
        Output::Sql { dialect, table } => {
            print_sql(emit_sql::statement(&settings, *dialect, table))
        }
        Output::Records(output) => filter(&settings, output),
    }
}

/// Run the pipeline and write what it keeps.
fn filter(settings: &Settings, output: &RecordOutput) -> Exit {
    if let Err(error) = rayon::ThreadPoolBuilder::new()
        .num_threads(output.threads.unwrap_or(0))
        .build_global()
    {
        return usage(&UsageError::from(error));
    }
    let threads = rayon::current_num_threads();
    let pipeline = Pipeline {
        criteria: settings.criteria.clone(),
        invert: settings.invert,
        keep: output.keep,
        in_flight: threads * 2 + 2,
        limits: output.limits,
    };
    let started = Instant::now();
    let stdout = io::stdout();
    let out = io::BufWriter::with_capacity(256 << 10, stdout.lock());
    let mut sink = OutputSink::new(out, output.limit, output.strict, output.quiet);
    let mut decision = None;
    match &settings.criteria.sigma {
        Some(sigma) if sigma.correlated() => {
            let mut held = CorrelationSink::new(&mut sink, output.sigma_memory);
            pipeline.run(settings.inputs.clone(), &mut held);
            if let Some(place) = held.overflow.take() {
                eprintln!(
                    "spitzel-filter: --sigma: the events held for correlation rules passed {} MiB at {place}; \
                     narrow the input (--from/--to, action globs, --match) or raise --sigma-memory",
                    output.sigma_memory >> 20
                );
                let _ = sink.finish();
                return Exit::Error;
            }
            if held.inner.stopped.is_none() {
                let decided = held.decide(sigma);
                held.write(
                    sigma,
                    &decided,
                    output.sigma_alerts,
                    output.keep == Keep::Lines,
                );
                decision = Some(decided);
            }
        }
        _ => pipeline.run(settings.inputs.clone(), &mut sink),
    }
    let flushed = sink.finish();
    if output.count && sink.stopped != Some(Stopped::ClosedOutput) {
        let mut stdout = io::stdout().lock();
        if writeln!(stdout, "{}", sink.totals.matched)
            .and_then(|_| stdout.flush())
            .is_err()
        {
            // A closed stdout is not an error; anything else already was reported.
        }
    }
    sink.reporter.finish();
    if output.stats {
        print_stats(
            &sink.totals,
            &sink.reporter,
            started.elapsed().as_secs_f64(),
        );
        if let Some(sigma) = &settings.criteria.sigma {
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
    exit_status(&sink, flushed, output.quiet)
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
