//! A standalone CloudTrail LookupEvents emulator, for benchmarks.
//!
//!     cargo run --release --example cloudtrail_emulator -- --port 0 --rate 20 \
//!         --regions us-east-1,eu-west-1 --events-per-region 5000
//!
//! Prints `listening on 127.0.0.1:PORT`, serves until SIGTERM or until stdin
//! closes, then prints its counters as one JSON line on stdout.

#[path = "../tests/integration/support/emulator.rs"]
mod emulator;

use std::io::{Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use emulator::{Emulator, EmulatorConfig, Faults, RateLimit};

const USAGE: &str = "usage: cloudtrail_emulator [--port N] [--rate R] [--regions a,b] [--events-per-region N] [--span-days D] [--error-every N] [--drop-every N] [--slow-every N --slow-ms MS] [--limit bucket|rolling] [--jitter-ms MS] [--seed N]";

fn main() {
    match run() {
        Ok(()) => {}
        Err(message) => {
            eprintln!("cloudtrail_emulator: {message}\n{USAGE}");
            std::process::exit(2);
        }
    }
}

fn number<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    value
        .parse()
        .map_err(|_| format!("{flag}: '{value}' is not a number"))
}

fn run() -> Result<(), String> {
    let mut port: u16 = 0;
    let mut rate = 2.0;
    let mut regions = vec!["us-east-1".to_string()];
    let mut per_region = 1000usize;
    let mut span_days = 80i64;
    let mut seed = 1u64;
    let mut faults = Faults::default();
    let mut rate_limit = RateLimit::TokenBucket;
    let mut jitter = Duration::ZERO;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--port" => port = number(&flag, args.next())?,
            "--rate" => rate = number(&flag, args.next())?,
            "--regions" => {
                regions = args
                    .next()
                    .ok_or("--regions needs a value")?
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--events-per-region" => per_region = number(&flag, args.next())?,
            "--span-days" => span_days = number(&flag, args.next())?,
            "--seed" => seed = number(&flag, args.next())?,
            "--error-every" => faults.error_every = number(&flag, args.next())?,
            "--drop-every" => faults.drop_every = number(&flag, args.next())?,
            "--slow-every" => faults.slow_every = number(&flag, args.next())?,
            "--slow-ms" => faults.slow_delay = Duration::from_millis(number(&flag, args.next())?),
            "--limit" => {
                rate_limit = match args.next().as_deref() {
                    Some("bucket") => RateLimit::TokenBucket,
                    Some("rolling") => RateLimit::RollingSecond,
                    _ => return Err("--limit takes bucket or rolling".into()),
                }
            }
            "--jitter-ms" => jitter = Duration::from_millis(number(&flag, args.next())?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut config = EmulatorConfig {
        rate,
        faults,
        rate_limit,
        jitter,
        ..EmulatorConfig::default()
    };
    for (i, region) in regions.iter().enumerate() {
        config.regions.insert(
            region.clone(),
            emulator::synthetic_events(
                region,
                per_region,
                seed + i as u64,
                now - 60,
                span_days * 86_400,
            ),
        );
    }
    let emulator = Emulator::start_on(port, config).map_err(|e| format!("cannot listen: {e}"))?;
    println!("listening on 127.0.0.1:{}", emulator.port);
    let _ = std::io::stdout().flush();

    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let stdin_done = done_tx.clone();
    std::thread::spawn(move || {
        let mut sink = [0u8; 4096];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        let _ = stdin_done.send(());
    });
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            if let Ok(mut term) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                term.recv().await;
                let _ = done_tx.send(());
            }
        });
    });
    let _ = done_rx.recv();
    println!("{}", emulator.counters().to_json());
    let _ = std::io::stdout().flush();
    Ok(())
}
