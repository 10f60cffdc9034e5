//! spitzel-fetch: CloudTrail LookupEvents to NDJSON.
//!
//! OWNER: fetch helper.
