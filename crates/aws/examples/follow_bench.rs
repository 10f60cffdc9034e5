//! Measures `spitzel-fetch --follow` against the emulator's clock: latency
//! from an event's appearance in the API to its line on stdout, requests
//! per region per minute once the backlog is read, and the follower's RSS
//! at the end.
//!
//!     cargo build --release -p spitzel-aws --bin spitzel-fetch --example follow_bench
//!     target/release/examples/follow_bench --fetch target/release/spitzel-fetch \
//!         --speed 1 --per-second 2 --minutes 5 --rate 2
//!
//! The emulator's clock runs --speed times as fast as the real one; events
//! come --per-second a second of that clock in each region, each shown up to
//! --most-delay seconds after its eventTime (a fifth of them up to the most,
//! the rest up to a fifth of it). Prints one JSON line.

#[path = "../tests/integration/support/emulator.rs"]
mod emulator;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use emulator::{Emulator, EmulatorConfig, Rng, SimClock, synthetic_events};

const USAGE: &str = "usage: follow_bench --fetch PATH [--speed X] [--per-second N] [--minutes M] [--most-delay S] [--rate R] [--poll-interval S] [--regions N]";

fn main() {
    if let Err(message) = run() {
        eprintln!("follow_bench: {message}\n{USAGE}");
        std::process::exit(2);
    }
}

fn number<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    value
        .parse()
        .map_err(|_| format!("{flag}: '{value}' is not a number"))
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn run() -> Result<(), String> {
    let (mut fetch, mut speed, mut per_second, mut minutes) = (None, 1.0f64, 2usize, 5i64);
    let (mut most_delay, mut rate, mut interval, mut regions) = (600.0f64, 2.0f64, 10.0f64, 1);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--fetch" => fetch = args.next(),
            "--speed" => speed = number(&flag, args.next())?,
            "--per-second" => per_second = number(&flag, args.next())?,
            "--minutes" => minutes = number(&flag, args.next())?,
            "--most-delay" => most_delay = number(&flag, args.next())?,
            "--rate" => rate = number(&flag, args.next())?,
            "--poll-interval" => interval = number(&flag, args.next())?,
            "--regions" => regions = number(&flag, args.next())?,
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    let fetch = fetch.ok_or("--fetch is required")?;
    let origin = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as f64;
    let names: Vec<String> = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"]
        .iter()
        .take(regions)
        .map(|s| s.to_string())
        .collect();
    let mut config = EmulatorConfig {
        rate,
        clock: Some(SimClock { origin, speed }),
        ..EmulatorConfig::default()
    };
    // Shown at (eventTime + delay), by id.
    let mut shown = std::collections::HashMap::new();
    for (i, region) in names.iter().enumerate() {
        let span = minutes * 60;
        let mut events = synthetic_events(
            region,
            span as usize * per_second,
            11 + i as u64,
            origin as i64 + span,
            span,
        );
        let mut rng = Rng::new(5 + i as u64);
        for event in &mut events {
            let most = if rng.below(5) == 0 {
                most_delay
            } else {
                most_delay / 5.0
            };
            event.delay = rng.below(most as u64 + 1) as f64;
            shown.insert(
                event.event_id.clone(),
                event.event_time as f64 + event.delay,
            );
        }
        config.regions.insert(region.clone(), events);
    }
    let total = shown.len();
    let emulator = Emulator::start(config);
    let home = std::env::temp_dir().join(format!("follow-bench-{}", std::process::id()));
    let mut child = Command::new(&fetch)
        .env_clear()
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .args([
            "--endpoint-url",
            &emulator.url(),
            "--region",
            &names.join(","),
        ])
        .args([
            "--rate",
            &rate.to_string(),
            "--poll-interval",
            &interval.to_string(),
        ])
        .args(["--follow", "--last-minute", "1", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {fetch}: {e}"))?;
    let began = Instant::now();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel::<(Instant, String)>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    let end_at = origin + (minutes * 60) as f64 + most_delay;
    let mid_at = origin + (minutes * 60) as f64 / 2.0;
    let mut latencies: Vec<f64> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = 0;
    let (mut mid, mut last) = (None, None);
    let deadline = emulator.real_time_of(end_at) + Duration::from_secs(120);
    while Instant::now() < deadline && seen.len() < total {
        if mid.is_none() && emulator.now() >= mid_at {
            mid = Some((Instant::now(), emulator.counters().requests));
        }
        if let Ok((at, line)) = rx.recv_timeout(Duration::from_millis(200)) {
            let record: serde_json::Value =
                serde_json::from_str(&line).map_err(|e| e.to_string())?;
            let id = record["eventID"].as_str().unwrap_or_default().to_string();
            if !seen.insert(id.clone()) {
                duplicates += 1;
            }
            if let Some(shown_at) = shown.get(&id) {
                let appeared = emulator.real_time_of(*shown_at);
                // Events shown before the follow began are the backlog's.
                if appeared > began + Duration::from_secs(2) {
                    latencies.push(at.saturating_duration_since(appeared).as_secs_f64() * speed);
                }
            }
        }
        if emulator.now() <= end_at - most_delay {
            last = Some((Instant::now(), emulator.counters().requests));
        }
    }
    let (rss, hwm) = (rss_kb(child.id(), "VmRSS:"), rss_kb(child.id(), "VmHWM:"));
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .copied()
    };
    let per_minute: serde_json::Value = match (mid, last) {
        (Some((t0, r0)), Some((t1, r1))) if t1 > t0 => names
            .iter()
            .map(|r| {
                let n = r1.get(r).copied().unwrap_or(0) - r0.get(r).copied().unwrap_or(0);
                (
                    r.clone(),
                    serde_json::json!(n as f64 / (t1 - t0).as_secs_f64() * 60.0),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        _ => serde_json::Value::Null,
    };
    println!(
        "{}",
        serde_json::json!({
            "events": total,
            "written": seen.len(),
            "duplicates": duplicates,
            "latency_s_of_api_clock": {"median": pick(0.5), "p90": pick(0.9), "max": pick(1.0), "measured": latencies.len()},
            "requests_per_region_per_real_minute_second_half": per_minute,
            "rss_kb_end": rss,
            "rss_kb_peak": hwm,
            "real_seconds": began.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}
