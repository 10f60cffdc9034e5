//! A CloudTrail LookupEvents emulator for tests and benchmarks.
//!
//! Plain std::net + one thread per connection: HTTP/1.1 with keep-alive,
//! awsJson1_1 for LookupEvents and restJson1 for the Account API's
//! ListRegions. It checks for a SigV4 Authorization header (not the
//! signature) and takes the region from its credential scope. It enforces a
//! per-region request rate, can inject faults, and counts what it saw so
//! tests can assert on the client's behaviour.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The AWS CLI sends the fully qualified target, the Rust SDK the short one;
/// CloudTrail accepts both.
const LOOKUP_TARGETS: [&str; 2] = [
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
    "CloudTrail_20131101.LookupEvents",
];
const LOOKUP_KEYS: [&str; 8] = [
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
];

/// One event as LookupEvents returns it.
#[derive(Clone, Debug)]
pub struct FakeEvent {
    pub event_id: String,
    pub event_name: String,
    pub event_source: String,
    /// Seconds since the epoch.
    pub event_time: i64,
    pub username: String,
    pub access_key_id: String,
    pub read_only: bool,
    /// (ResourceType, ResourceName)
    pub resources: Vec<(String, String)>,
    pub insight: bool,
    /// The record's JSON, as the CloudTrailEvent string.
    pub cloudtrail_event: String,
    /// Leave CloudTrailEvent out of the answer.
    pub omit_record: bool,
    /// With a `clock`: seconds after eventTime until the API shows the
    /// event (CloudTrail's delivery delay; events show out of order).
    pub delay: f64,
}

/// Fault injection, counted over all LookupEvents requests that pass the
/// rate check. 0 = never.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Every Nth request answers 500 InternalFailure.
    pub error_every: u64,
    /// Every Nth request has its connection closed without an answer.
    pub drop_every: u64,
    /// Every Nth request is answered after `slow_delay`.
    pub slow_every: u64,
    pub slow_delay: Duration,
    /// Every LookupEvents answer is 200 with this body instead.
    pub body: Option<Arc<str>>,
    /// Every page's NextToken is the token of the request (a first page's
    /// is that of its second page): a token chain that never ends.
    pub repeat_token: bool,
    /// Every page is empty and has a new NextToken, without end.
    pub endless_empty: bool,
    /// Answers are sent chunked, without a Content-Length (an empty body
    /// is then the terminating chunk alone).
    pub chunked: bool,
}

/// The order of the events the emulator serves. AWS serves newest first;
/// the others test that the client does not depend on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PageOrder {
    #[default]
    NewestFirst,
    /// Pages cover the same events as NewestFirst, each page reversed.
    ReversedPages,
    /// The whole result in a fixed pseudo-random order, across pages.
    Shuffled,
}

/// How `rate` is enforced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RateLimit {
    /// A token bucket refilled at `rate`, burst = rate.
    #[default]
    TokenBucket,
    /// At most floor(rate) requests admitted in any rolling second.
    RollingSecond,
}

#[derive(Clone, Debug, Default)]
pub struct EmulatorConfig {
    pub page_order: PageOrder,
    pub rate_limit: RateLimit,
    /// Each LookupEvents request waits a uniform 0..=jitter before it
    /// reaches the rate limit, as on a real network path.
    pub jitter: Duration,
    /// Events served per region; regions absent here are unknown.
    pub regions: BTreeMap<String, Vec<FakeEvent>>,
    /// Extra regions ListRegions reports as DISABLED.
    pub disabled_regions: Vec<String>,
    /// Requests per second per region (token bucket, burst = rate); 0 = no limit.
    pub rate: f64,
    pub faults: Faults,
    /// Access key ids answered with ExpiredTokenException.
    pub expired_keys: HashSet<String>,
    /// Access key ids answered with AccessDeniedException.
    pub denied_keys: HashSet<String>,
    /// A StartTime before this (epoch seconds) is an InvalidTimeRangeException.
    pub earliest_start: Option<i64>,
    /// The API's clock, for --follow: without it every event is shown at
    /// once; with it an event shows from eventTime + delay on.
    pub clock: Option<SimClock>,
}

/// A clock that starts at `origin` (epoch seconds) when the emulator starts
/// and runs `speed` times as fast as the real one.
#[derive(Clone, Copy, Debug)]
pub struct SimClock {
    pub origin: f64,
    pub speed: f64,
}

/// What the emulator observed.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    /// LookupEvents requests per region, throttled and faulted ones included.
    pub requests: BTreeMap<String, u64>,
    pub throttled: u64,
    /// Most requests that arrived within any 1-second window, per region.
    pub max_per_second: BTreeMap<String, u64>,
    pub faults: u64,
    /// (region, "Key=Value" or "" when unfiltered) of every first-page query.
    pub queries: BTreeSet<(String, String)>,
    pub invalid_tokens: u64,
    pub list_regions_calls: u64,
    /// Seconds from the first LookupEvents request to the last.
    pub request_span: f64,
    /// When each request the rate limit admitted reached it, in seconds
    /// from the first request, per region (for the pacing benchmark).
    pub admitted_at: BTreeMap<String, Vec<f64>>,
}

impl Counters {
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "requests": self.requests,
            "throttled": self.throttled,
            "max_per_second": self.max_per_second,
            "faults": self.faults,
            "invalid_tokens": self.invalid_tokens,
            "list_regions_calls": self.list_regions_calls,
            "request_span_s": self.request_span,
            "admitted_at_s": self.admitted_at,
        })
        .to_string()
    }

    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

struct State {
    config: EmulatorConfig,
    counters: Counters,
    buckets: BTreeMap<String, Bucket>,
    arrivals: BTreeMap<String, VecDeque<Instant>>,
    /// Admission times of the last second, for RateLimit::RollingSecond.
    admitted: BTreeMap<String, VecDeque<Instant>>,
    jitter_rng: Rng,
    first_request: Option<Instant>,
    /// Tokens carry this; bumping it makes every issued token invalid.
    token_epoch: u32,
    passed: u64,
    started: Instant,
}

impl State {
    /// The API's "now" in epoch seconds (the real clock without a SimClock).
    fn now(&self) -> f64 {
        match self.config.clock {
            Some(clock) => clock.origin + self.started.elapsed().as_secs_f64() * clock.speed,
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
        }
    }
}

struct Shared {
    state: Mutex<State>,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct Emulator {
    pub port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Start on an ephemeral port of 127.0.0.1.
    pub fn start(config: EmulatorConfig) -> Emulator {
        Emulator::start_on(0, config).expect("bind 127.0.0.1")
    }

    pub fn start_on(port: u16, mut config: EmulatorConfig) -> std::io::Result<Emulator> {
        for events in config.regions.values_mut() {
            // Newest first; ties in a stable, id order.
            events.sort_by(|a, b| {
                b.event_time
                    .cmp(&a.event_time)
                    .then(a.event_id.cmp(&b.event_id))
            });
        }
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                config,
                counters: Counters::default(),
                buckets: BTreeMap::new(),
                arrivals: BTreeMap::new(),
                admitted: BTreeMap::new(),
                jitter_rng: Rng::new(0x71_77e5),
                first_request: None,
                token_epoch: 1,
                passed: 0,
                started: Instant::now(),
            }),
            stop: AtomicBool::new(false),
        });
        let accept_shared = shared.clone();
        let acceptor = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let conn_shared = accept_shared.clone();
                std::thread::spawn(move || serve_connection(stream, &conn_shared));
            }
        });
        Ok(Emulator {
            port,
            shared,
            acceptor: Some(acceptor),
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn counters(&self) -> Counters {
        self.shared.lock().counters.clone()
    }

    /// Invalidate every NextToken issued so far (tokens expire on AWS).
    pub fn expire_tokens(&self) {
        self.shared.lock().token_epoch += 1;
    }

    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().config.faults = faults;
    }

    /// The API's clock now, epoch seconds.
    pub fn now(&self) -> f64 {
        self.shared.lock().now()
    }

    /// When, on the real clock, the API's clock reads `at` (epoch seconds).
    pub fn real_time_of(&self, at: f64) -> Instant {
        let state = self.shared.lock();
        let Some(clock) = state.config.clock else {
            return Instant::now();
        };
        let real = ((at - clock.origin) / clock.speed).max(0.0);
        state.started + Duration::from_secs_f64(real)
    }

    pub fn set_rate(&self, rate: f64) {
        self.shared.lock().config.rate = rate;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

struct Request {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

enum Reply {
    Answer {
        status: u16,
        content_type: &'static str,
        error_type: Option<String>,
        body: String,
        delay: Duration,
    },
    Drop,
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let chunked = shared.lock().config.faults.chunked;
        match handle(shared, &request) {
            Reply::Drop => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Reply::Answer {
                status,
                content_type,
                error_type,
                body,
                delay,
            } => {
                if !delay.is_zero() {
                    std::thread::sleep(delay);
                }
                let reason = match status {
                    200 => "OK",
                    400 => "Bad Request",
                    403 => "Forbidden",
                    404 => "Not Found",
                    _ => "Internal Server Error",
                };
                let length = match chunked {
                    true => "Transfer-Encoding: chunked".to_owned(),
                    false => format!("Content-Length: {}", body.len()),
                };
                let mut head = format!(
                    "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n{length}\r\nx-amzn-RequestId: emulated\r\n",
                );
                if let Some(error_type) = error_type {
                    head.push_str(&format!("x-amzn-ErrorType: {error_type}\r\n"));
                }
                head.push_str("\r\n");
                // One write: head and body in two would meet Nagle's
                // algorithm and the client's delayed ACK (40 ms a request).
                let mut reply = head.into_bytes();
                if chunked {
                    if !body.is_empty() {
                        reply.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
                        reply.extend_from_slice(body.as_bytes());
                        reply.extend_from_slice(b"\r\n");
                    }
                    reply.extend_from_slice(b"0\r\n\r\n");
                } else {
                    reply.extend_from_slice(body.as_bytes());
                }
                if writer.write_all(&reply).is_err() || writer.flush().is_err() {
                    return;
                }
            }
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        path,
        headers,
        body,
    })
}

fn json_error(status: u16, kind: &str, message: &str) -> Reply {
    Reply::Answer {
        status,
        content_type: "application/x-amz-json-1.1",
        error_type: None,
        body: serde_json::json!({"__type": kind, "message": message}).to_string(),
        delay: Duration::ZERO,
    }
}

fn rest_error(status: u16, kind: &str, message: &str) -> Reply {
    Reply::Answer {
        status,
        content_type: "application/json",
        error_type: Some(kind.to_string()),
        body: serde_json::json!({"message": message}).to_string(),
        delay: Duration::ZERO,
    }
}

/// (access key id, region) from `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...`.
fn credential_scope(request: &Request) -> Result<(String, String), Reply> {
    let Some(auth) = request.header("authorization") else {
        return Err(json_error(
            400,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token",
        ));
    };
    let incomplete = || json_error(400, "IncompleteSignatureException", "Incomplete signature");
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(incomplete)?;
    let credential = rest
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("Credential="))
        .ok_or_else(incomplete)?;
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[4] != "aws4_request" || !rest.contains("Signature=") {
        return Err(incomplete());
    }
    Ok((scope[0].to_string(), scope[2].to_string()))
}

fn handle(shared: &Shared, request: &Request) -> Reply {
    let (access_key, region) = match credential_scope(request) {
        Ok(scope) => scope,
        Err(reply) => return reply,
    };
    if request.path == "/listRegions" {
        return list_regions(shared, &access_key, &request.body);
    }
    if !request
        .header("x-amz-target")
        .is_some_and(|t| LOOKUP_TARGETS.contains(&t))
    {
        return json_error(400, "UnknownOperationException", "Unknown operation");
    }
    let jitter = {
        let mut state = shared.lock();
        let most = state.config.jitter.as_nanos() as u64;
        Duration::from_nanos(if most == 0 {
            0
        } else {
            state.jitter_rng.below(most + 1)
        })
    };
    if !jitter.is_zero() {
        std::thread::sleep(jitter);
    }
    let mut state = shared.lock();
    let now = Instant::now();
    let first = *state.first_request.get_or_insert(now);
    state.counters.request_span = now.duration_since(first).as_secs_f64();
    *state.counters.requests.entry(region.clone()).or_default() += 1;
    let arrivals = state.arrivals.entry(region.clone()).or_default();
    while arrivals
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        arrivals.pop_front();
    }
    arrivals.push_back(now);
    let in_window = arrivals.len() as u64;
    let max = state
        .counters
        .max_per_second
        .entry(region.clone())
        .or_default();
    *max = (*max).max(in_window);

    if !state.config.regions.contains_key(&region) {
        return json_error(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
    }
    if state.config.expired_keys.contains(&access_key) {
        return json_error(
            400,
            "ExpiredTokenException",
            "The security token included in the request is expired",
        );
    }
    if state.config.denied_keys.contains(&access_key) {
        return json_error(
            400,
            "AccessDeniedException",
            &format!(
                "User: arn:aws:iam::123456789012:user/{access_key} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action"
            ),
        );
    }
    let rate = state.config.rate;
    if rate > 0.0 && state.config.rate_limit == RateLimit::RollingSecond {
        let allowed = (rate.floor() as usize).max(1);
        let admitted = state.admitted.entry(region.clone()).or_default();
        while admitted
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            admitted.pop_front();
        }
        if admitted.len() >= allowed {
            state.counters.throttled += 1;
            return json_error(400, "ThrottlingException", "Rate exceeded");
        }
        admitted.push_back(now);
    } else if rate > 0.0 {
        let bucket = state.buckets.entry(region.clone()).or_insert(Bucket {
            tokens: rate.max(1.0),
            last: now,
        });
        let refill = now.duration_since(bucket.last).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refill).min(rate.max(1.0));
        bucket.last = now;
        if bucket.tokens < 1.0 {
            state.counters.throttled += 1;
            return json_error(400, "ThrottlingException", "Rate exceeded");
        }
        bucket.tokens -= 1.0;
    }
    let since_first = now.duration_since(first).as_secs_f64();
    state
        .counters
        .admitted_at
        .entry(region.clone())
        .or_default()
        .push(since_first);
    state.passed += 1;
    let n = state.passed;
    let faults = state.config.faults.clone();
    let hit = |every: u64| every > 0 && n.is_multiple_of(every);
    if hit(faults.drop_every) {
        state.counters.faults += 1;
        return Reply::Drop;
    }
    if hit(faults.error_every) {
        state.counters.faults += 1;
        return Reply::Answer {
            status: 500,
            content_type: "application/x-amz-json-1.1",
            error_type: None,
            body: r#"{"__type":"InternalFailure"}"#.to_string(),
            delay: Duration::ZERO,
        };
    }
    if let Some(body) = &faults.body {
        return Reply::Answer {
            status: 200,
            content_type: "application/x-amz-json-1.1",
            error_type: None,
            body: body.to_string(),
            delay: Duration::ZERO,
        };
    }
    let delay = if hit(faults.slow_every) {
        state.counters.faults += 1;
        faults.slow_delay
    } else {
        Duration::ZERO
    };
    let faults = (faults.repeat_token, faults.endless_empty);
    match lookup_events(&mut state, &region, &request.body, faults) {
        Ok(body) => Reply::Answer {
            status: 200,
            content_type: "application/x-amz-json-1.1",
            error_type: None,
            body,
            delay,
        },
        Err(reply) => reply,
    }
}

fn list_regions(shared: &Shared, access_key: &str, body: &[u8]) -> Reply {
    let wanted: Option<Vec<String>> = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|input| {
            input
                .get("RegionOptStatusContains")?
                .as_array()
                .map(|statuses| {
                    statuses
                        .iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
        });
    let wanted = |status: &str| {
        wanted
            .as_ref()
            .is_none_or(|w| w.iter().any(|s| s == status))
    };
    let mut state = shared.lock();
    state.counters.list_regions_calls += 1;
    if state.config.denied_keys.contains(access_key) {
        return rest_error(
            403,
            "AccessDeniedException",
            "not authorized to perform: account:ListRegions",
        );
    }
    let mut regions: Vec<serde_json::Value> = state
        .config
        .regions
        .keys()
        .filter(|_| wanted("ENABLED_BY_DEFAULT"))
        .map(|r| serde_json::json!({"RegionName": r, "RegionOptStatus": "ENABLED_BY_DEFAULT"}))
        .collect();
    regions.extend(
        state
            .config
            .disabled_regions
            .iter()
            .filter(|_| wanted("DISABLED"))
            .map(|r| serde_json::json!({"RegionName": r, "RegionOptStatus": "DISABLED"})),
    );
    Reply::Answer {
        status: 200,
        content_type: "application/json",
        error_type: None,
        body: serde_json::json!({ "Regions": regions }).to_string(),
        delay: Duration::ZERO,
    }
}

fn fnv(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

const TOKEN_MASK: u64 = 0x5a17_c0de_9e37_79b9;

fn encode_token(epoch: u32, query: u64, offset: usize) -> String {
    format!(
        "{:016x}{:08x}{:08x}",
        query ^ TOKEN_MASK,
        epoch ^ 0x3c3c_3c3c,
        offset as u32 ^ 0xa5a5_a5a5
    )
}

/// With a clock, a token also carries the instant its chain's first page
/// was answered (milliseconds): the chain goes on through what was shown
/// then, so events shown since neither shift its pages nor join it (they
/// are the next poll's).
fn encode_token_at(epoch: u32, query: u64, offset: usize, as_of: Option<u64>) -> String {
    let token = encode_token(epoch, query, offset);
    match as_of {
        Some(ms) => format!("{token}{:016x}", ms ^ TOKEN_MASK),
        None => token,
    }
}

fn decode_token(token: &str) -> Option<(u32, u64, usize)> {
    if token.len() != 32 || !token.is_ascii() {
        return None;
    }
    let query = u64::from_str_radix(&token[..16], 16).ok()? ^ TOKEN_MASK;
    let epoch = u32::from_str_radix(&token[16..24], 16).ok()? ^ 0x3c3c_3c3c;
    let offset = (u32::from_str_radix(&token[24..], 16).ok()? ^ 0xa5a5_a5a5) as usize;
    Some((epoch, query, offset))
}

fn decode_token_at(token: &str) -> Option<(u32, u64, usize, Option<u64>)> {
    if token.len() == 48 && token.is_ascii() {
        let (epoch, query, offset) = decode_token(&token[..32])?;
        let as_of = u64::from_str_radix(&token[32..], 16).ok()? ^ TOKEN_MASK;
        return Some((epoch, query, offset, Some(as_of)));
    }
    let (epoch, query, offset) = decode_token(token)?;
    Some((epoch, query, offset, None))
}

fn event_matches(event: &FakeEvent, key: &str, value: &str) -> bool {
    match key {
        "EventId" => event.event_id == value,
        "EventName" => event.event_name == value,
        "ReadOnly" => event.read_only.to_string() == value,
        "Username" => event.username == value,
        "ResourceType" => event.resources.iter().any(|(t, _)| t == value),
        "ResourceName" => event.resources.iter().any(|(_, n)| n == value),
        "EventSource" => event.event_source == value,
        "AccessKeyId" => event.access_key_id == value,
        _ => false,
    }
}

fn lookup_events(
    state: &mut State,
    region: &str,
    body: &[u8],
    (repeat_token, endless_empty): (bool, bool),
) -> Result<String, Reply> {
    let input: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| json_error(400, "SerializationException", "Malformed JSON"))?;
    let attributes = input
        .get("LookupAttributes")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    if attributes.len() > 1 {
        return Err(json_error(
            400,
            "InvalidLookupAttributesException",
            "You cannot specify more than one lookup attribute.",
        ));
    }
    let attribute = match attributes.first() {
        None => None,
        Some(a) => {
            let key = a.get("AttributeKey").and_then(|v| v.as_str()).unwrap_or("");
            let value = a
                .get("AttributeValue")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            if !LOOKUP_KEYS.contains(&key) {
                return Err(json_error(
                    400,
                    "InvalidLookupAttributesException",
                    "Invalid attribute key.",
                ));
            }
            Some((key.to_string(), value.to_string()))
        }
    };
    let start = input.get("StartTime").and_then(|v| v.as_f64());
    let end = input.get("EndTime").and_then(|v| v.as_f64());
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(json_error(
            400,
            "InvalidTimeRangeException",
            "Start time must be earlier than end time.",
        ));
    }
    if let (Some(s), Some(earliest)) = (start, state.config.earliest_start)
        && s < earliest as f64
    {
        return Err(json_error(
            400,
            "InvalidTimeRangeException",
            "Start time is outside the range of event history.",
        ));
    }
    let insight = match input.get("EventCategory").and_then(|v| v.as_str()) {
        None => false,
        Some("insight") => true,
        Some(_) => {
            return Err(json_error(
                400,
                "InvalidEventCategoryException",
                "Invalid event category.",
            ));
        }
    };
    let max_results = input
        .get("MaxResults")
        .and_then(|v| v.as_i64())
        .unwrap_or(50);
    if !(1..=50).contains(&max_results) {
        return Err(json_error(
            400,
            "InvalidMaxResultsException",
            "MaxResults must be between 1 and 50.",
        ));
    }
    let (key, value) = attribute.clone().unwrap_or_default();
    let query_hash = fnv(&[
        region,
        &key,
        &value,
        &format!("{start:?}"),
        &format!("{end:?}"),
        if insight { "insight" } else { "" },
    ]);
    let clocked = state.config.clock.is_some();
    let (offset, as_of) = match input.get("NextToken").and_then(|v| v.as_str()) {
        None => {
            let label = attribute
                .as_ref()
                .map(|(k, v)| format!("{k}={v}"))
                .unwrap_or_default();
            state.counters.queries.insert((region.to_string(), label));
            let as_of = clocked.then(|| (state.now() * 1000.0) as u64);
            (0, as_of)
        }
        Some(token) => match decode_token_at(token) {
            Some((epoch, query, offset, as_of))
                if epoch == state.token_epoch
                    && query == query_hash
                    && as_of.is_some() == clocked =>
            {
                (offset, as_of)
            }
            _ => {
                state.counters.invalid_tokens += 1;
                return Err(json_error(
                    400,
                    "InvalidNextTokenException",
                    "Invalid NextToken.",
                ));
            }
        },
    };
    // Shown by `as_of`: happened by then and delivered by then.
    let shown = |e: &FakeEvent| {
        as_of.is_none_or(|ms| {
            let ms = ms as f64 / 1000.0;
            e.event_time as f64 <= ms && e.event_time as f64 + e.delay <= ms
        })
    };
    let matching: Vec<&FakeEvent> = state.config.regions[region]
        .iter()
        .filter(|e| shown(e))
        .filter(|e| e.insight == insight)
        .filter(|e| start.is_none_or(|s| e.event_time as f64 >= s))
        .filter(|e| end.is_none_or(|t| e.event_time as f64 <= t))
        .filter(|e| {
            attribute
                .as_ref()
                .is_none_or(|(k, v)| event_matches(e, k, v))
        })
        .collect();
    let mut matching = matching;
    if state.config.page_order == PageOrder::Shuffled {
        let mut rng = Rng::new(query_hash);
        for i in (1..matching.len()).rev() {
            matching.swap(i, rng.below(i as u64 + 1) as usize);
        }
    }
    if endless_empty {
        let output = serde_json::json!({
            "Events": [],
            "NextToken": encode_token_at(state.token_epoch, query_hash, offset + 1, as_of),
        });
        return Ok(output.to_string());
    }
    let page_end = (offset + max_results as usize).min(matching.len());
    let mut page: Vec<&FakeEvent> = matching.get(offset..page_end).unwrap_or_default().to_vec();
    if state.config.page_order == PageOrder::ReversedPages {
        page.reverse();
    }
    let events: Vec<serde_json::Value> = page
        .iter()
        .map(|e| {
            let mut event = serde_json::json!({
                "EventId": e.event_id,
                "EventName": e.event_name,
                "ReadOnly": e.read_only.to_string(),
                "AccessKeyId": e.access_key_id,
                "EventTime": e.event_time,
                "EventSource": e.event_source,
                "Username": e.username,
                "Resources": e.resources.iter().map(|(t, n)| serde_json::json!({"ResourceType": t, "ResourceName": n})).collect::<Vec<_>>(),
                "CloudTrailEvent": e.cloudtrail_event,
            });
            if e.omit_record {
                event.as_object_mut().map(|m| m.remove("CloudTrailEvent"));
            }
            event
        })
        .collect();
    let mut output = serde_json::json!({ "Events": events });
    if repeat_token {
        let again = if offset == 0 { page_end } else { offset };
        output["NextToken"] = encode_token_at(state.token_epoch, query_hash, again, as_of).into();
    } else if page_end < matching.len() {
        output["NextToken"] =
            encode_token_at(state.token_epoch, query_hash, page_end, as_of).into();
    }
    Ok(output.to_string())
}

/// A small deterministic generator (xorshift64*), so runs are repeatable.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const CATALOGUE: &[(&str, &[&str])] = &[
    (
        "s3.amazonaws.com",
        &[
            "GetObject",
            "PutObject",
            "ListBuckets",
            "GetBucketPolicy",
            "GetBucketAcl",
            "DeleteObject",
        ],
    ),
    (
        "ec2.amazonaws.com",
        &[
            "DescribeInstances",
            "RunInstances",
            "StopInstances",
            "DescribeSecurityGroups",
        ],
    ),
    (
        "iam.amazonaws.com",
        &[
            "ListUsers",
            "GetUser",
            "CreateAccessKey",
            "AttachUserPolicy",
        ],
    ),
    (
        "sts.amazonaws.com",
        &["AssumeRole", "GetCallerIdentity", "GetSessionToken"],
    ),
    (
        "dynamodb.amazonaws.com",
        &["DescribeTable", "ListTables", "CreateTable"],
    ),
    (
        "kms.amazonaws.com",
        &["Decrypt", "GenerateDataKey", "ListKeys"],
    ),
    (
        "lambda.amazonaws.com",
        &["ListFunctions20150331", "GetFunction20150331v2"],
    ),
    (
        "cloudtrail.amazonaws.com",
        &["LookupEvents", "DescribeTrails"],
    ),
];

const USERS: &[&str] = &["alice", "bob", "carol", "deploy-bot", "mallory"];

fn rfc3339(secs: i64) -> String {
    spitzel_core::calendar::format_rfc3339(secs).unwrap_or_default()
}

/// `count` realistic events for `region`, eventTime spread over
/// [newest - span_secs, newest]; a small span gives many events per second.
pub fn synthetic_events(
    region: &str,
    count: usize,
    seed: u64,
    newest: i64,
    span_secs: i64,
) -> Vec<FakeEvent> {
    let mut rng = Rng::new(seed ^ fnv(&[region]));
    let region_tag = fnv(&[region]) & 0xffff;
    (0..count)
        .map(|i| {
            let (source, names) = *rng.pick(CATALOGUE);
            let name = *rng.pick(names);
            let user = *rng.pick(USERS);
            let event_time = newest - rng.below(span_secs.max(1) as u64 + 1) as i64;
            let event_id = format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                rng.next() as u32,
                region_tag,
                rng.below(0x1000),
                rng.below(0x1000),
                i
            );
            let access_key_id = format!("AKIA{:016X}", fnv(&[user]) & 0xffff_ffff_ffff);
            let read_only = name.starts_with("Get")
                || name.starts_with("List")
                || name.starts_with("Describe")
                || name == "LookupEvents";
            let denied = rng.below(10) == 0;
            let resource = format!("arn:aws:s3:::bucket-{}", rng.below(5));
            let mut record = serde_json::json!({
                "eventVersion": "1.08",
                "userIdentity": {
                    "type": "IAMUser",
                    "principalId": format!("AIDA{:016X}", fnv(&[user, "p"]) & 0xffff_ffff_ffff),
                    "arn": format!("arn:aws:iam::123456789012:user/{user}"),
                    "accountId": "123456789012",
                    "accessKeyId": access_key_id,
                    "userName": user,
                },
                "eventTime": rfc3339(event_time),
                "eventSource": source,
                "eventName": name,
                "awsRegion": region,
                "sourceIPAddress": format!("203.0.113.{}", rng.below(250) + 1),
                "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1",
                "requestParameters": {"resource": resource},
                "responseElements": null,
                "requestID": format!("{:016x}", rng.next()),
                "eventID": event_id,
                "readOnly": read_only,
                "eventType": "AwsApiCall",
                "managementEvent": true,
                "recipientAccountId": "123456789012",
                "eventCategory": "Management",
            });
            if denied {
                record["errorCode"] = "AccessDenied".into();
                record["errorMessage"] = "User is not authorized to perform this action".into();
            }
            FakeEvent {
                event_id,
                event_name: name.to_string(),
                event_source: source.to_string(),
                event_time,
                username: user.to_string(),
                access_key_id,
                read_only,
                resources: vec![("AWS::S3::Bucket".to_string(), resource)],
                insight: false,
                cloudtrail_event: record.to_string(),
                omit_record: false,
                delay: 0.0,
            }
        })
        .collect()
}
