//! Client-side pacing: one limiter per region, shared by all its queries.
//!
//! Requests are spaced evenly at 1/rate rather than allowed in bursts, so the
//! client never exceeds the API's per-second quota even briefly.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub struct Limiter {
    interval: Duration,
    next_slot: Mutex<Option<Instant>>,
}

impl Limiter {
    /// `rate` requests per second; must be positive and finite.
    pub fn new(rate: f64) -> Limiter {
        Limiter {
            interval: Duration::from_secs_f64(1.0 / rate),
            next_slot: Mutex::new(None),
        }
    }

    /// Wait for this caller's turn to send one request.
    pub async fn acquire(&self) {
        let slot = {
            let mut next = self.next_slot.lock().await;
            let now = Instant::now();
            let slot = match *next {
                Some(t) if t > now => t,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}
