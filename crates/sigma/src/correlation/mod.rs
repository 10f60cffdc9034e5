//! Sigma correlation rules (specification v2.0.2), decided exactly over the
//! whole input: `event_count`, `value_count`, `temporal` and
//! `temporal_ordered` over sliding time frames, per group, with chains,
//! aliases and `generate`.
//!
//! Loading reads a correlation document ([`load`]); [`resolve`] ties its
//! references to the loaded rules and to other correlations; [`decide`]
//! takes the events that matched the referenced rules, in any order, and
//! returns the hits. The result does not depend on the order of the input:
//! every step sorts by time, then by the event's place in the input only
//! to make the output stable.
//!
//! [`live`] decides the monotone ones (lower bounds only) as events arrive,
//! with the same frames and, over the whole input, the same hits' events.

pub mod decide;
pub mod live;
pub mod load;
pub mod resolve;

pub use decide::{Event, Hit, decide};
pub use live::Live;
pub use load::CorrelationRule;
pub use resolve::{Correlations, Source, resolve};

/// What a correlation counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    EventCount,
    /// Distinct values of `field` (an alias name or a dotted field).
    ValueCount {
        field: String,
    },
    Temporal,
    TemporalOrdered,
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::EventCount => "event_count",
            Kind::ValueCount { .. } => "value_count",
            Kind::Temporal => "temporal",
            Kind::TemporalOrdered => "temporal_ordered",
        }
    }
}

/// `condition:`: every bound given must hold (a range is two of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    pub gt: Option<u64>,
    pub gte: Option<u64>,
    pub lt: Option<u64>,
    pub lte: Option<u64>,
    pub eq: Option<u64>,
}

impl Bounds {
    pub fn holds(&self, count: u64) -> bool {
        self.gt.is_none_or(|n| count > n)
            && self.gte.is_none_or(|n| count >= n)
            && self.lt.is_none_or(|n| count < n)
            && self.lte.is_none_or(|n| count <= n)
            && self.eq.is_none_or(|n| count == n)
    }

    pub fn is_empty(&self) -> bool {
        *self == Bounds::default()
    }
}

#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod tests;
