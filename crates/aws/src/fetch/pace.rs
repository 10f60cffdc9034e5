//! Client-side pacing: one limiter per region, shared by all its queries.
//!
//! Requests are spaced evenly at 1/rate rather than allowed in bursts, so the
//! client never exceeds the API's per-second quota even briefly. Evenly
//! spaced sends still collide with a limiter that counts requests in a
//! rolling second when they arrive with network jitter (11 sends 100 ms apart
//! can arrive within 990 ms), so the pace adapts, in the manner of TCP's
//! CUBIC and the SDK's adaptive retry mode: a throttle slows it by
//! `DECREASE` and remembers where it was throttled; successes bring it back
//! quickly (`FAST_INCREASE`) to just under that point and then probe beyond
//! it slowly (`SLOW_INCREASE`), up to the rate asked for. The pace settles
//! a few percent under the ceiling, where the jitter no longer reaches it,
//! with a throttle every few hundred requests (bench/pacing.py measures it).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Factor applied to the pace at each throttle.
pub const DECREASE: f64 = 0.97;
/// Share of the asked rate regained at each success, below `NEAR` of the
/// pace of the last throttle, and above it.
pub const FAST_INCREASE: f64 = 0.001;
pub const SLOW_INCREASE: f64 = 0.00001;
const NEAR: f64 = 0.99;
/// The share of the asked rate a run starts at: 30 ms of arrival jitter
/// in the API's one-second window, a common network path's.
pub const START: f64 = 0.97;
/// The pace never falls below this share of the asked rate.
const FLOOR: f64 = 0.01;

#[derive(Debug)]
pub struct Limiter {
    rate: f64,
    adaptive: bool,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    next_slot: Option<Instant>,
    /// Share of `rate` currently paced at, in [FLOOR, 1].
    factor: f64,
    /// `factor` at the last throttle.
    throttled_at: f64,
    /// When the last floor(rate) requests left.
    sent: VecDeque<Instant>,
}

impl Limiter {
    /// `rate` requests per second; must be positive and finite.
    pub fn new(rate: f64) -> Limiter {
        Limiter::with_adaptation(rate, true)
    }

    /// `adaptive` false: a fixed pace of `rate`, throttles or not.
    pub fn with_adaptation(rate: f64, adaptive: bool) -> Limiter {
        Limiter {
            rate,
            adaptive,
            state: Mutex::new(State {
                next_slot: None,
                factor: if adaptive { START } else { 1.0 },
                throttled_at: 1.0,
                sent: VecDeque::new(),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait for this caller's turn to send one request.
    pub async fn acquire(&self) {
        let slot = {
            let mut state = self.state();
            let interval = Duration::try_from_secs_f64(1.0 / (self.rate * state.factor))
                .unwrap_or(Duration::from_secs(3600));
            let now = Instant::now();
            let mut slot = match state.next_slot {
                Some(t) if t > now => t,
                _ => now,
            };
            // A late wake-up (a busy machine) brings a request closer to the
            // following ones; never send more than floor(rate) in a second
            // by the times requests really left.
            let keep = self.rate as usize;
            if self.adaptive
                && keep > 0
                && state.sent.len() == keep
                && let Some(&oldest) = state.sent.front()
            {
                slot = slot.max(oldest + Duration::from_secs(1));
            }
            state.next_slot = Some(slot + interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
        if self.adaptive {
            let mut state = self.state();
            let sent = Instant::now();
            let keep = self.rate as usize;
            state.sent.push_back(sent);
            while state.sent.len() > keep {
                state.sent.pop_front();
            }
        }
    }

    /// The API throttled a request: slow down.
    pub fn throttled(&self) {
        if self.adaptive {
            let mut state = self.state();
            state.throttled_at = state.factor;
            state.factor = (state.factor * DECREASE).max(FLOOR);
        }
    }

    /// A request went through: creep back towards the asked rate.
    pub fn succeeded(&self) {
        if self.adaptive {
            let mut state = self.state();
            let step = if state.factor < state.throttled_at * NEAR {
                FAST_INCREASE
            } else {
                SLOW_INCREASE
            };
            state.factor = (state.factor + step).min(1.0);
        }
    }

    pub fn is_adaptive(&self) -> bool {
        self.adaptive
    }

    /// The share of the asked rate paced at now.
    pub fn factor(&self) -> f64 {
        self.state().factor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_slow_the_pace_and_successes_restore_it() {
        let limiter = Limiter::new(10.0);
        assert_eq!(limiter.factor(), START);
        limiter.throttled();
        limiter.throttled();
        assert!((limiter.factor() - START * DECREASE * DECREASE).abs() < 1e-12);
        // Quickly back to just under the pace of the last throttle...
        let near = START * DECREASE * NEAR;
        let mut fast = 0;
        while limiter.factor() < near {
            limiter.succeeded();
            fast += 1;
        }
        assert!(fast <= ((near - START * DECREASE * DECREASE) / FAST_INCREASE).ceil() as i32);
        // ...then slowly.
        let before = limiter.factor();
        limiter.succeeded();
        assert!((limiter.factor() - before - SLOW_INCREASE).abs() < 1e-12);
        for _ in 0..200_000 {
            limiter.succeeded();
        }
        assert_eq!(limiter.factor(), 1.0);
        for _ in 0..10_000 {
            limiter.throttled();
        }
        assert_eq!(limiter.factor(), FLOOR);
        let fixed = Limiter::with_adaptation(10.0, false);
        fixed.throttled();
        assert_eq!(fixed.factor(), 1.0);
    }
}
