//! The live decision against the batch one: over random events fed in a
//! random order, the events that joined a hit of each monotone correlation
//! (with their group) are exactly those of the batch decision's hits.

use super::live::{Live, monotone};
use super::{Event, decide};
use crate::set::RuleSet;
use serde_json::{Value, json};
use spitzel_core::window::NANOS_PER_SECOND;
use std::collections::BTreeSet;

const RULES: &str = "title: a
name: a
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: A}, condition: s}
---
title: b
name: b
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: B}, condition: s}
---
title: c
name: c
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: C}, condition: s}
---
title: ab
name: ab
logsource: {product: aws, service: cloudtrail}
detection: {s: {eventName: [A, B]}, condition: s}
---
title: count
correlation: {type: event_count, rules: [a, ab], group-by: [user], timespan: 10s, condition: {gte: 3}}
---
title: values
correlation: {type: value_count, rules: [ab], group-by: [user], timespan: 10s, condition: {field: ip, gt: 1}}
---
title: all three
name: three
correlation: {type: temporal, rules: [a, b, c], group-by: [user], timespan: 8s}
---
title: ordered
correlation: {type: temporal_ordered, rules: [a, b, c], timespan: 6s, condition: {gte: 2}}
---
title: chain
correlation: {type: event_count, rules: [three], timespan: 20s, condition: {gte: 4}}
---
title: few
name: few
correlation: {type: event_count, rules: [c], timespan: 10s, condition: {lt: 2}}
---
title: over few
correlation: {type: event_count, rules: [few], timespan: 10s, condition: {gte: 1}}
";

/// xorshift: the same cases on every run.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn load() -> RuleSet {
    let dir = std::env::temp_dir().join(format!(
        "spitzel-live-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("r.yml");
    std::fs::write(&path, RULES).unwrap();
    let set = RuleSet::load(&[path], None).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    set
}

#[test]
fn live_members_are_the_batch_hits_members_in_any_order() {
    let set = load();
    let correlations = &set.correlations;
    let fields = correlations.fields();
    let live_ones: Vec<bool> = {
        let live = Live::new(correlations, set.rules.len());
        (0..correlations.list.len())
            .map(|n| live.is_live(n))
            .collect()
    };
    // The temporal types, the counts with gte/gt and the chain over a
    // monotone one are live; lt and a chain over it are not.
    assert_eq!(
        live_ones,
        [true, true, true, true, true, false, false],
        "{:?}",
        correlations
            .list
            .iter()
            .map(|c| &c.rule.title)
            .collect::<Vec<_>>()
    );
    assert!(!monotone(&correlations.list[5].rule.condition.unwrap()));
    let mut random = Random(0x5eed_1234_abcd_9876);
    let mut fired_total = 0;
    for case in 0..300 {
        let count = 1 + random.below(40) as usize;
        let mut events = Vec::new();
        let mut rule_members = vec![Vec::new(); set.rules.len()];
        for number in 0..count {
            let name = ["A", "B", "C"][random.below(3) as usize];
            let user = ["u1", "u2"][random.below(2) as usize];
            let ip = ["1", "2", "3"][random.below(3) as usize];
            let record = json!({"user": user, "ip": ip});
            // A few repeated eventIDs: one event counted once.
            let id = match random.below(10) {
                0 => None,
                _ => Some(format!("id-{}", random.below(count as u64 + 5))),
            };
            events.push(Event {
                time: random.below(60) as i64 * NANOS_PER_SECOND,
                event_id: id,
                fields: fields
                    .iter()
                    .map(|f| record.get(f).cloned().unwrap_or(Value::Null))
                    .collect(),
            });
            let rules: Vec<u32> = match name {
                "A" => vec![0, 3],
                "B" => vec![1, 3],
                _ => vec![2],
            };
            for rule in rules {
                rule_members[rule as usize].push(number as u32);
            }
        }
        let batch = decide(correlations, &events, &rule_members);
        // A random order of arrival, and the order of time (each event
        // then the newest of its group, as on a follow).
        let mut shuffled: Vec<usize> = (0..count).collect();
        for i in (1..count).rev() {
            shuffled.swap(i, random.below(i as u64 + 1) as usize);
        }
        let mut by_time = shuffled.clone();
        by_time.sort_by_key(|&i| events[i].time);
        for (sorted, order) in [(false, shuffled), (true, by_time)] {
            let mut live = Live::new(correlations, set.rules.len());
            let mut joined: Vec<BTreeSet<(usize, String)>> = vec![BTreeSet::new(); batch.len()];
            let mut fired: Vec<usize> = vec![0; batch.len()];
            for &original in &order {
                let rules: Vec<u32> = (0..set.rules.len() as u32)
                    .filter(|&r| rule_members[r as usize].contains(&(original as u32)))
                    .collect();
                let (number, changes) = live.add(correlations, events[original].clone(), &rules);
                assert_eq!(live.event(number).time, events[original].time);
                for join in changes.joined {
                    let at = order[join.event as usize];
                    let group = Value::Array(join.group).to_string();
                    assert!(
                        joined[join.correlation].insert((at, group)),
                        "case {case}: joined twice"
                    );
                }
                for (correlation, hit) in changes.fired {
                    fired[correlation] += 1;
                    assert!(!hit.members.is_empty());
                }
            }
            for (number, hits) in batch.iter().enumerate() {
                if !live_ones[number] {
                    assert!(joined[number].is_empty() && fired[number] == 0);
                    continue;
                }
                let expected: BTreeSet<(usize, String)> = hits
                    .iter()
                    .flat_map(|hit| {
                        let group = Value::Array(hit.group.clone()).to_string();
                        hit.members
                            .iter()
                            .map(move |&m| (m as usize, group.clone()))
                    })
                    .collect();
                assert_eq!(
                    joined[number], expected,
                    "case {case}, correlation {number}, order {order:?}"
                );
                // Every hit fired at least once; merges can make fewer.
                assert!(fired[number] >= hits.len(), "case {case}");
                // In time order (not a chain, whose inner hits hand on
                // earlier events), one alert per hit exactly.
                if sorted && number < 4 {
                    assert_eq!(fired[number], hits.len(), "case {case}, {number}");
                }
                assert_eq!(fired[number] == 0, hits.is_empty(), "case {case}");
                fired_total += fired[number];
            }
        }
    }
    assert!(fired_total > 600, "the cases exercise hits: {fired_total}");
}
