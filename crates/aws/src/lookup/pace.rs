//! Client-side pacing: one limiter per region, shared by all its queries.
//!
//! The API's limit is taken as at most n requests in any rolling window
//! (n = floor(rate), window 1 s; a token bucket holding a second's worth
//! admits the same). The limiter keeps its own rolling window: a request
//! may leave only when fewer than n of the requests still counted arrived
//! in the window before it. When a request arrived is not known, but it is
//! bounded: never after its answer came back, and (an estimate) not later
//! than `ARRIVAL` after it left. The earlier of the two is taken. The first
//! bound holds whatever the jitter, so against such a limit nothing is
//! throttled and the loss is the round trip (at most `ARRIVAL`) per window.
//! Evenly spaced sends, the alternative, collide with the window when
//! arrivals jitter (11 sends 100 ms apart can arrive within 990 ms) and
//! cannot catch up after a late wake-up.
//!
//! A throttle means the limit is stricter than that. If the request's slot
//! rested on an estimated arrival, the estimate was short: it grows by `UP`.
//! If it rested on answers, the limit is not a rolling second of arrivals
//! (a longer window, or a bucket with a smaller burst): the window is
//! lengthened and sends are spaced by `extra`, which grows by `UP`. Each
//! success takes `DOWN` off both (AIMD, as TCP; the estimate not below
//! `ARRIVAL`). Throttled requests were not admitted, so they leave the
//! window. bench/pacing.py measures it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Latest arrival assumed after a send, when the answer is not back yet or
/// came later, at first: a common network path's jitter.
pub(super) const ARRIVAL: Duration = Duration::from_millis(30);
pub(super) const UP: Duration = Duration::from_millis(10);
pub(super) const DOWN: Duration = Duration::from_micros(10);
/// The window never counts more than this many requests (a huge --rate
/// gets a shorter window instead), so that choosing a slot stays cheap.
const MOST_PER_WINDOW: usize = 100;

#[derive(Debug)]
pub(crate) struct Limiter {
    /// n requests per `window`.
    per_window: usize,
    window: Duration,
    /// The fixed even pace of before, for benchmarks (1/rate).
    interval: Option<Duration>,
    state: Mutex<State>,
}

/// One request of the limiter's window, from `acquire` on.
#[derive(Debug)]
pub(crate) struct Ticket(u64);

#[derive(Debug)]
struct Sent {
    id: u64,
    /// When it left (planned, until it has).
    at: Instant,
    answered: Option<Instant>,
    /// Its slot rested on an estimated arrival.
    guessed: bool,
}

#[derive(Debug, Default)]
struct State {
    sent: VecDeque<Sent>,
    /// The estimate of the latest arrival after a send.
    arrival: Duration,
    extra: Duration,
    next_id: u64,
    /// Fixed pace only.
    next_slot: Option<Instant>,
}

impl Sent {
    /// Latest time it can have arrived, and whether that is an estimate.
    fn arrived_by(&self, arrival: Duration) -> (Instant, bool) {
        let estimate = self.at + arrival;
        match self.answered {
            Some(answer) if answer <= estimate => (answer, false),
            _ => (estimate, true),
        }
    }
}

impl Limiter {
    /// `rate` requests per second; must be positive and finite.
    #[cfg(test)]
    pub fn new(rate: f64) -> Limiter {
        Limiter::with_adaptation(rate, true)
    }

    /// `adaptive` false: the even pace of 1/rate of before, throttles or not.
    pub(crate) fn with_adaptation(rate: f64, adaptive: bool) -> Limiter {
        let seconds = |s: f64| Duration::try_from_secs_f64(s).unwrap_or(Duration::from_secs(3600));
        let per_window = (rate.floor() as usize).clamp(1, MOST_PER_WINDOW);
        Limiter {
            per_window,
            window: seconds(per_window as f64 / rate),
            interval: (!adaptive).then(|| seconds(1.0 / rate)),
            state: Mutex::new(State {
                arrival: ARRIVAL,
                ..State::default()
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait for this caller's turn to send one request; hand the ticket to
    /// `answered` or `throttled` when its answer is in.
    pub(crate) async fn acquire(&self) -> Ticket {
        let (ticket, slot) = self.reserve(Instant::now());
        tokio::time::sleep_until(slot).await;
        self.left(&ticket, Instant::now());
        ticket
    }

    /// The slot of the next request, reserved at once so that concurrent
    /// callers count it.
    fn reserve(&self, now: Instant) -> (Ticket, Instant) {
        let mut state = self.state();
        let id = state.next_id;
        state.next_id += 1;
        let slot = match self.interval {
            Some(interval) => {
                let slot = state.next_slot.filter(|&t| t > now).unwrap_or(now);
                state.next_slot = Some(slot + interval);
                slot
            }
            None => {
                let (slot, guessed) = self.adaptive_slot(&mut state, now);
                state.sent.push_back(Sent {
                    id,
                    at: slot,
                    answered: None,
                    guessed,
                });
                slot
            }
        };
        (Ticket(id), slot)
    }

    /// A late wake-up sends later than planned.
    fn left(&self, ticket: &Ticket, at: Instant) {
        if let Some(sent) = self.state().sent.iter_mut().find(|s| s.id == ticket.0) {
            sent.at = sent.at.max(at);
        }
    }

    /// The earliest slot, and whether it rests on an estimated arrival.
    fn adaptive_slot(&self, state: &mut State, now: Instant) -> (Instant, bool) {
        // Requests that can no longer count (`arrival` and `extra` are at
        // most a window).
        let horizon = self.window * 3;
        while state.sent.front().is_some_and(|s| s.at + horizon < now) {
            state.sent.pop_front();
        }
        let mut slot = now;
        if let Some(last) = state.sent.back() {
            slot = slot.max(last.at + state.extra);
        }
        let mut arrivals: Vec<(Instant, bool)> = state
            .sent
            .iter()
            .map(|s| s.arrived_by(state.arrival))
            .collect();
        let n = self.per_window;
        if arrivals.len() >= n {
            // The nth latest arrival must be a window behind the new one.
            let (_, &mut (nth, guessed), _) =
                arrivals.select_nth_unstable_by(n - 1, |a, b| b.0.cmp(&a.0));
            let after = nth + self.window + state.extra;
            if after > slot {
                return (after, guessed);
            }
        }
        (slot, false)
    }

    /// The request of `ticket` was answered, not throttled (or it failed
    /// otherwise, and may have counted).
    pub(crate) fn answered(&self, ticket: Ticket) {
        self.answered_at(ticket, Instant::now());
    }

    fn answered_at(&self, ticket: Ticket, at: Instant) {
        if self.is_adaptive() {
            let mut state = self.state();
            state.extra = state.extra.saturating_sub(DOWN);
            state.arrival = state.arrival.saturating_sub(DOWN).max(ARRIVAL);
            if let Some(sent) = state.sent.iter_mut().find(|s| s.id == ticket.0) {
                sent.answered = Some(at);
            }
        }
    }

    /// The request of `ticket` was throttled: it did not count, and the
    /// limit is stricter than the window.
    pub(crate) fn throttled(&self, ticket: Ticket) {
        if self.is_adaptive() {
            let mut state = self.state();
            let Some(at) = state.sent.iter().position(|s| s.id == ticket.0) else {
                return;
            };
            let guessed = state.sent.remove(at).is_some_and(|s| s.guessed);
            let learned = if guessed {
                &mut state.arrival
            } else {
                &mut state.extra
            };
            *learned = (*learned + UP).min(self.window);
        }
    }

    pub(crate) fn is_adaptive(&self) -> bool {
        self.interval.is_none()
    }

    /// How much the window is lengthened and sends spaced now.
    #[cfg(test)]
    pub fn extra(&self) -> Duration {
        self.state().extra
    }

    /// The estimate of the latest arrival after a send now.
    #[cfg(test)]
    pub fn arrival(&self) -> Duration {
        self.state().arrival
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// Sends one request at its slot, answered `rtt` later; returns the slot.
    fn send(limiter: &Limiter, now: Instant, rtt: Duration) -> Instant {
        let (ticket, slot) = limiter.reserve(now);
        limiter.left(&ticket, slot);
        limiter.answered_at(ticket, slot + rtt);
        slot
    }

    #[test]
    fn n_requests_per_window_from_their_answers() {
        let limiter = Limiter::new(10.0);
        let start = Instant::now();
        let mut now = start;
        for _ in 0..10 {
            assert_eq!(send(&limiter, now, 5 * MS), now, "the first n go at once");
            now += 5 * MS;
        }
        // A window after the first answer (5 ms, before ARRIVAL).
        assert_eq!(
            send(&limiter, now, 5 * MS),
            start + 5 * MS + Duration::from_secs(1)
        );
        // A slow answer: the arrival is taken as ARRIVAL after the send.
        let limiter = Limiter::new(2.0);
        send(&limiter, start, 200 * MS);
        send(&limiter, start + 200 * MS, 200 * MS);
        assert_eq!(
            send(&limiter, start, Duration::ZERO),
            start + ARRIVAL + Duration::from_secs(1)
        );
        // An unanswered request too.
        let limiter = Limiter::new(1.0);
        let (_pending, slot) = limiter.reserve(start);
        assert_eq!(slot, start);
        assert_eq!(
            limiter.reserve(start).1,
            start + ARRIVAL + Duration::from_secs(1)
        );
    }

    #[test]
    fn a_late_wake_up_counts_from_the_real_send() {
        let limiter = Limiter::new(1.0);
        let start = Instant::now();
        let (ticket, slot) = limiter.reserve(start);
        limiter.left(&ticket, slot + 50 * MS);
        assert_eq!(
            limiter.reserve(start).1,
            start + 50 * MS + ARRIVAL + Duration::from_secs(1)
        );
    }

    #[test]
    fn throttles_lengthen_the_window_and_successes_shorten_it() {
        let limiter = Limiter::new(2.0);
        let start = Instant::now();
        send(&limiter, start, Duration::ZERO);
        let (second, _) = limiter.reserve(start);
        limiter.throttled(second);
        assert_eq!(limiter.extra(), UP);
        // The throttled request does not count, but sends are spaced.
        assert_eq!(send(&limiter, start, Duration::ZERO), start + UP);
        assert_eq!(limiter.extra(), UP - DOWN);
        // A window of 1 s + extra after the first answer.
        let window = Duration::from_secs(1) + UP - DOWN;
        assert_eq!(send(&limiter, start, Duration::ZERO), start + window);
        for _ in 0..1_000 {
            let (ticket, _) = limiter.reserve(start);
            limiter.throttled(ticket);
        }
        assert_eq!(
            limiter.extra(),
            Duration::from_secs(1),
            "capped at a window"
        );
        for _ in 0..100_000 {
            limiter.answered(Ticket(u64::MAX));
        }
        assert_eq!(limiter.extra(), Duration::ZERO);
    }

    #[test]
    fn a_throttle_after_an_estimate_lengthens_the_estimate() {
        let limiter = Limiter::new(1.0);
        let start = Instant::now();
        send(&limiter, start, 100 * MS);
        let (ticket, slot) = limiter.reserve(start);
        assert_eq!(slot, start + ARRIVAL + Duration::from_secs(1));
        limiter.throttled(ticket);
        assert_eq!(
            (limiter.arrival(), limiter.extra()),
            (ARRIVAL + UP, Duration::ZERO)
        );
        assert_eq!(
            limiter.reserve(start).1,
            start + ARRIVAL + UP + Duration::from_secs(1)
        );
        for _ in 0..10_000 {
            limiter.answered(Ticket(u64::MAX));
        }
        assert_eq!(limiter.arrival(), ARRIVAL, "not below its start");
    }

    #[test]
    fn fixed_pace_is_even() {
        let limiter = Limiter::with_adaptation(4.0, false);
        let start = Instant::now();
        for i in 0..5 {
            let (ticket, slot) = limiter.reserve(start);
            assert_eq!(slot, start + 250 * MS * i);
            limiter.throttled(ticket);
        }
        assert_eq!(limiter.extra(), Duration::ZERO);
    }

    #[test]
    fn odd_rates_keep_the_average() {
        let limiter = Limiter::new(2.5);
        assert_eq!((limiter.per_window, limiter.window), (2, 800 * MS));
        let limiter = Limiter::new(0.5);
        assert_eq!(
            (limiter.per_window, limiter.window),
            (1, Duration::from_secs(2))
        );
        let limiter = Limiter::new(10_000.0);
        assert_eq!(
            (limiter.per_window, limiter.window),
            (MOST_PER_WINDOW, 10 * MS)
        );
    }
}
