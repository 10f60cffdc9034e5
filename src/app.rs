//! spitzel-filter from parsed arguments to exit status.

use crate::emit_sql;
use crate::settings::{Output, RecordOutput, Settings, UsageError, sql_dialect};
use spitzel_cli::filter::FilterArgs;
use spitzel_pipeline::{
    CorrelationSink, INPUT_NAMES, Keep, OutputSink, Pipeline, Stopped, Totals, names,
    print_skipped_names, print_stats,
};
use std::fmt::Display;
use std::io::{self, Write};
use std::path::Path;
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

/// --emit-sql's text on stdout, or its error. A closed stdout (`| head -c
/// 300`) ends it quietly, as it ends the filter: the reader had what it
/// wanted.
fn print_sql<E: Display>(text: Result<String, E>) -> Exit {
    let text = match text {
        Ok(text) => text,
        Err(error) => return usage(&error),
    };
    let mut stdout = io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => Exit::Match,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Exit::Match,
        Err(error) => usage(&format!("cannot write output: {error}")),
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
        Output::Sql {
            dialect,
            table,
            order,
            skip_refused,
        } => print_sql(
            emit_sql::statement(&settings, *dialect, table, *order, *skip_refused).map(|emitted| {
                // Said before the statement is printed, whatever reads it.
                for warning in &emitted.warnings {
                    eprintln!("spitzel-filter: {warning}");
                }
                let args = std::env::args_os().skip(1);
                let header = emit_sql::header(args.map(|a| a.to_string_lossy().into_owned()));
                let notes: String = emitted
                    .notes
                    .iter()
                    .map(|note| format!("-- {note}\n"))
                    .collect();
                format!("{header}{notes}{}", emitted.text)
            }),
        ),
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
        unique: settings.unique,
    };
    let started = Instant::now();
    let stdout = io::stdout();
    let out = io::BufWriter::with_capacity(256 << 10, stdout.lock());
    let mut sink = OutputSink::new(out, output.limit, output.strict, output.quiet);
    if settings.unique {
        sink = sink.unique();
    }
    let mut decision = None;
    let mut fired = None;
    match &settings.criteria.sigma {
        Some(sigma) if sigma.correlated() => {
            let mut held = CorrelationSink::new(&mut sink, output.sigma_memory);
            if output.live {
                held = held.live(sigma, output.sigma_alerts, output.keep == Keep::Lines);
            }
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
            if held.inner.stopped.is_none() && held.spill_error.is_none() {
                let decided = held.decide(sigma);
                held.write(
                    sigma,
                    &decided,
                    output.sigma_alerts,
                    output.keep == Keep::Lines,
                );
                decision = Some(decided);
            }
            fired = held.live_fired();
            if let Some(error) = held.spill_error.take() {
                eprintln!("spitzel-filter: --sigma: {error}");
                let _ = sink.finish();
                return Exit::Error;
            }
        }
        _ => pipeline.run(settings.inputs.clone(), &mut sink),
    }
    let flushed = sink.finish();
    if output.count && sink.stopped != Some(Stopped::ClosedOutput) {
        let mut stdout = io::stdout().lock();
        match writeln!(stdout, "{}", sink.totals.matched).and_then(|()| stdout.flush()) {
            Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
                sink.write_error.get_or_insert(error);
            }
            // A closed stdout is not an error.
            _ => {}
        }
    }
    sink.reporter.finish();
    if let Some(unique) = &sink.unique {
        unique.print_conflicts();
    }
    let nothing_read = match sink.stopped {
        None if sink.reporter.io_errors == 0 => no_input_files(&settings.inputs, &sink.totals),
        _ => None,
    };
    match &nothing_read {
        Some(line) => eprintln!("spitzel-filter: {line}"),
        None => print_skipped_names(&sink.totals),
    }
    if output.stats {
        print_stats(
            &sink.totals,
            &sink.reporter,
            started.elapsed().as_secs_f64(),
        );
        if let Some(unique) = &sink.unique {
            eprintln!(
                "spitzel-filter: stats: unique: duplicates dropped {}, conflicts written {}",
                unique.counts.duplicates, unique.counts.conflicts
            );
        }
        if let Some(sigma) = &settings.criteria.sigma {
            sigma.print_stats(&sink.totals.rule_hits);
            if let Some(decision) = &decision {
                decision.print_stats(sigma, fired.as_deref());
            }
        }
    }
    if let Some(error) = &sink.write_error {
        eprintln!("spitzel-filter: cannot write output: {error}");
        return Exit::Error;
    }
    if nothing_read.is_some() {
        return Exit::Error;
    }
    exit_status(&sink, flushed, output.quiet)
}

/// When every input was a directory and none held a file to read (nor one
/// left out by its delivery time, which is a verdict on its events), the
/// line saying so: "nothing matched" would be an answer to a question never
/// asked of any record.
fn no_input_files(inputs: &[String], totals: &Totals) -> Option<String> {
    let files = &totals.skipped_files;
    let all_trees = !inputs.is_empty()
        && inputs
            .iter()
            .all(|input| input != "-" && Path::new(input).is_dir());
    if !all_trees || files.to_read + files.by_delivery > 0 {
        return None;
    }
    let mut skipped = Vec::new();
    if files.other_names > 0 {
        skipped.push(format!(
            "{} skipped: {}",
            names(files.other_names),
            files.other_list()
        ));
    }
    if files.digests > 0 {
        let plural = if files.digests == 1 { "" } else { "s" };
        skipped.push(format!(
            "{} CloudTrail digest file{plural} skipped",
            files.digests
        ));
    }
    let what = match skipped.is_empty() {
        true => "nothing else there".to_string(),
        false => skipped.join("; "),
    };
    let line = format!(
        "no input files under {}: {what} (reading {INPUT_NAMES})",
        inputs.join(", ")
    );
    Some(line)
}

/// The exit status of a finished run, grep's convention, in order of
/// precedence: 2 when anything was not read or not judged (a bad record, an
/// undecided comparison, an unreadable input, no input file at all), even
/// beside matches, so that a script never takes a partial answer for a
/// whole one; but -q answers only "is there a match?", and a match found is
/// that answer whatever else failed (as `grep -q`).
fn exit_status<W: Write>(sink: &OutputSink<W>, flushed: bool, quiet: bool) -> Exit {
    let matched = sink.totals.matched > 0;
    match sink.stopped {
        Some(Stopped::Strict) => Exit::Error,
        _ if !flushed => Exit::Error,
        _ if quiet && matched => Exit::Match,
        _ if sink.reporter.io_errors > 0 || sink.reporter.bad_records > 0 => Exit::Error,
        // Only a written match can meet a closed stdout.
        Some(Stopped::ClosedOutput) => Exit::Match,
        _ if matched => Exit::Match,
        _ => Exit::NoMatch,
    }
}
