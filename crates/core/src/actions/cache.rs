//! Per-thread memo of match verdicts by (eventSource, eventName): real logs
//! hold few distinct pairs, so after warm-up a verdict costs two small hash
//! look-ups and no allocation.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::Verdict;

/// Bounds memory on adversarial input with endless distinct names.
const MAX_ENTRIES: usize = 4096;

type FastMap<V> = HashMap<String, V, BuildHasherDefault<FoldHasher>>;

#[derive(Default)]
struct VerdictCache {
    matcher_id: u64,
    entries: usize,
    by_source: FastMap<FastMap<Verdict>>,
}

thread_local! {
    static CACHE: RefCell<VerdictCache> = RefCell::new(VerdictCache::default());
}

/// The cached verdict of matcher `matcher_id` for this pair, computing it
/// with `evaluate` on a miss. One matcher per thread is cached at a time.
pub(super) fn verdict(
    matcher_id: u64,
    event_source: &str,
    event_name: &str,
    evaluate: impl FnOnce() -> Verdict,
) -> Verdict {
    CACHE.with(|cell| {
        let Ok(mut cache) = cell.try_borrow_mut() else {
            return evaluate();
        };
        if cache.matcher_id != matcher_id || cache.entries >= MAX_ENTRIES {
            cache.by_source.clear();
            cache.entries = 0;
            cache.matcher_id = matcher_id;
        }
        if let Some(&known) = cache
            .by_source
            .get(event_source)
            .and_then(|names| names.get(event_name))
        {
            return known;
        }
        let result = evaluate();
        cache.entries += 1;
        if let Some(names) = cache.by_source.get_mut(event_source) {
            names.insert(event_name.to_string(), result);
        } else {
            let mut names = FastMap::default();
            names.insert(event_name.to_string(), result);
            cache.by_source.insert(event_source.to_string(), names);
        }
        result
    })
}

/// A small multiplicative hasher: keys are short ASCII names chosen by AWS,
/// and the table is bounded, so SipHash's flood resistance buys nothing.
#[derive(Default)]
struct FoldHasher(u64);

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for FoldHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.add(u64::from_le_bytes(tail) ^ bytes.len() as u64);
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FoldHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}
