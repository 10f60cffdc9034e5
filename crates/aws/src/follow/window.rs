//! The trailing window of one region under --follow: the events handled
//! there, by eventID with their eventTime, from the window's floor on. An
//! event is new when its id is not in the window; the window forgets what
//! is older than the floor, so memory is bounded by the events of the
//! trailing window and one sweep (the floor moves only when a sweep
//! begins, so no page read afterwards reaches below it).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// The follow part of a LookupEvents checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FollowState {
    /// Seconds of eventTime kept before the newest event of a region.
    pub trailing: i64,
    pub regions: BTreeMap<String, RegionWindow>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RegionWindow {
    /// Newest eventTime handled (at first the end of the backlog's window).
    pub high_water: i64,
    /// Oldest eventTime a poll may read: ids at or after it are all here.
    pub floor: i64,
    /// `high_water` when the last sweep began: the next sweep's floor is
    /// the trailing window before it, not before the newest event then.
    /// An event shown while a sweep was under way, at most the trailing
    /// window after its eventTime, is thus still read by the next sweep,
    /// however long sweeps take.
    #[serde(default)]
    pub swept_from: i64,
    /// eventID -> eventTime of every event handled at or after `floor`.
    pub seen: HashMap<String, i64>,
}

/// What the window says of one event of a poll.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Handled before (or below the floor, which no poll reads).
    Seen,
    /// New; `late_by` seconds older than the newest event handled before
    /// it, when it is (it arrived out of order).
    New { late_by: Option<i64> },
}

impl FollowState {
    /// The state of a fresh follow whose backlog ends at `end`.
    pub(crate) fn new(trailing: i64, regions: &[String], end: i64) -> FollowState {
        let window = RegionWindow::at(end, trailing);
        FollowState {
            trailing,
            regions: regions
                .iter()
                .map(|r| (r.clone(), window.clone()))
                .collect(),
        }
    }

    /// The window of `region` (a region unknown here gets an empty one at
    /// the oldest of the others, which cannot happen with a checked state).
    pub(crate) fn region(&mut self, region: &str) -> &mut RegionWindow {
        let fallback = self.regions.values().map(|w| w.high_water).min();
        let trailing = self.trailing;
        self.regions
            .entry(region.to_string())
            .or_insert_with(|| RegionWindow::at(fallback.unwrap_or(i64::MIN), trailing))
    }
}

impl RegionWindow {
    /// The window of a region whose backlog ends at `end`.
    fn at(end: i64, trailing: i64) -> RegionWindow {
        RegionWindow {
            high_water: end,
            floor: end.saturating_sub(trailing),
            swept_from: end,
            seen: HashMap::new(),
        }
    }

    /// An event the backlog handled: kept when the follow will read its second again.
    pub(crate) fn note(&mut self, id: &str, time: i64) {
        if time >= self.floor {
            self.seen.insert(id.to_string(), time);
        }
    }

    /// Judge one event of a poll without recording it.
    pub(crate) fn judge(&self, id: &str, time: i64) -> Verdict {
        if time < self.floor || self.seen.contains_key(id) {
            return Verdict::Seen;
        }
        Verdict::New {
            late_by: (time < self.high_water).then(|| self.high_water - time),
        }
    }

    /// Record an event as handled.
    pub(crate) fn record(&mut self, id: &str, time: i64) {
        self.seen.insert(id.to_string(), time);
        self.high_water = self.high_water.max(time);
    }

    /// A sweep begins: move the floor up to `trailing` before the newest
    /// event at the previous sweep's start and forget what is below it;
    /// the floor, where this sweep reads from.
    pub(crate) fn advance(&mut self, trailing: i64) -> i64 {
        let floor = self.swept_from.saturating_sub(trailing).max(self.floor);
        self.swept_from = self.high_water;
        if floor > self.floor {
            self.floor = floor;
            self.seen.retain(|_, t| *t >= floor);
        }
        self.floor
    }

    /// Where a poll starts now: never below the floor.
    pub(crate) fn start(&self, trailing: i64) -> i64 {
        self.high_water.saturating_sub(trailing).max(self.floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_new_once_and_late_when_older_than_the_newest() {
        let mut state = FollowState::new(900, &["eu-west-1".to_string()], 10_000);
        let w = state.region("eu-west-1");
        w.note("old", 9_000); // below the floor: not kept
        w.note("kept", 9_500);
        assert_eq!(w.seen.len(), 1);
        assert_eq!(w.judge("kept", 9_500), Verdict::Seen);
        assert_eq!(w.judge("x", 10_100), Verdict::New { late_by: None });
        w.record("x", 10_100);
        assert_eq!(w.judge("x", 10_100), Verdict::Seen);
        assert_eq!(w.judge("y", 10_000), Verdict::New { late_by: Some(100) });
        assert_eq!(w.judge("z", 9_000), Verdict::Seen);
    }

    #[test]
    fn advancing_forgets_what_is_below_the_new_floor_only() {
        let mut w = RegionWindow::at(1_000, 900);
        for (id, t) in [("a", 150), ("b", 400), ("c", 1_000)] {
            w.record(id, t);
        }
        assert_eq!(w.advance(700), 300);
        assert_eq!(w.seen.len(), 2);
        assert_eq!(w.start(700), 300);
        // The next sweep's floor trails the newest event at this one's start.
        w.record("d", 2_000);
        assert_eq!(w.advance(700), 300);
        assert_eq!(w.advance(700), 1_300);
        assert_eq!(w.seen.len(), 1);
        // The floor never moves back.
        assert_eq!(w.advance(5_000), 1_300);
    }
}
