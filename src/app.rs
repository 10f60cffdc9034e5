//! spitzel-filter from parsed arguments to exit status.

use crate::actions::ActionMatcher;
use crate::cli::filter::FilterArgs;
use crate::expr::Expression;
use crate::filter::{Criteria, Keep, OutputSink, Pipeline, Stopped, print_stats};
use std::io::{self, Write};
use std::sync::Arc;
use std::time::Instant;

/// grep's convention.
pub const EXIT_MATCH: i32 = 0;
pub const EXIT_NO_MATCH: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// A usage error: one line, exit 2.
fn usage(message: &str) -> i32 {
    eprintln!("spitzel-filter: {message}");
    EXIT_ERROR
}

/// Compile the arguments into criteria, or say what is wrong.
pub fn criteria_from(args: &FilterArgs) -> Result<Criteria, String> {
    let actions =
        ActionMatcher::with_implied(&args.actions, args.implied).map_err(|e| e.to_string())?;
    let window = args.time.window(crate::window::now())?;
    let mut expressions = Vec::with_capacity(args.matches.len());
    for source in &args.matches {
        let expression = Expression::parse(source).map_err(|error| {
            format!(
                "--match '{}': {error}",
                crate::expr::excerpt(source, error.column)
            )
        })?;
        expressions.push(expression);
    }
    Ok(Criteria {
        actions,
        window,
        expressions,
    })
}

pub fn run(args: FilterArgs) -> i32 {
    if let Some(dialect) = &args.emit_sql {
        return match crate::emit_sql::emit(&args, dialect) {
            Ok(text) => {
                println!("{text}");
                EXIT_MATCH
            }
            Err(message) => usage(&message),
        };
    }
    let criteria = match criteria_from(&args) {
        Ok(criteria) => criteria,
        Err(message) => return usage(&message),
    };
    let threads = args.threads.map_or(0, usize::from);
    if let Err(error) = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
    {
        return usage(&format!("cannot start worker threads: {error}"));
    }
    let threads = rayon::current_num_threads();
    let keep = if args.count || args.quiet {
        Keep::Count
    } else {
        Keep::Lines
    };
    let pipeline = Pipeline {
        criteria: Arc::new(criteria),
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
    pipeline.run(args.inputs, &mut sink);
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
    }
    if let Some(error) = &sink.write_error {
        eprintln!("spitzel-filter: cannot write output: {error}");
        return EXIT_ERROR;
    }
    match sink.stopped {
        Some(Stopped::ClosedOutput) => return EXIT_MATCH,
        Some(Stopped::Strict) => return EXIT_ERROR,
        _ => {}
    }
    if !flushed {
        return EXIT_ERROR;
    }
    if args.quiet && sink.totals.matched > 0 {
        return EXIT_MATCH;
    }
    if sink.reporter.io_errors > 0 {
        return EXIT_ERROR;
    }
    if sink.totals.matched > 0 {
        EXIT_MATCH
    } else {
        EXIT_NO_MATCH
    }
}
