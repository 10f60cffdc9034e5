//! grep's exit statuses: 0 events written, 1 everything read and nothing
//! matched, 2 something not read (the other tests check 2 case by case).

use crate::support::*;
use spitzel_testsupport::stderr;

#[test]
fn events_written_is_0_and_nothing_matched_is_1() {
    let (emulator, expected) = serve(config_with(&["us-east-1"], 40, 3600));
    let out = Fetch::regions(&emulator, "us-east-1").exits(0);
    assert_exactly_once(&event_ids(&out.stdout), &expected);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    // A window before every event: all of it read, nothing in it (and
    // before the 90 days LookupEvents keeps, which is only a warning).
    let out = Fetch::regions(&emulator, "us-east-1")
        .args([
            "--from",
            "2001-01-01T00:00:00Z",
            "--to",
            "2001-01-02T00:00:00Z",
        ])
        .exits(1);
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("warning: --from 2001-01-01"), "{err}");
}
