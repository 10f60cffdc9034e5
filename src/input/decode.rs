//! Streaming decoders for the non-NDJSON shapes: `{"Records":[...]}`
//! documents, JSON arrays of records, saved `lookup-events` output
//! (`{"Events":[{"CloudTrailEvent":"..."}]}`), several documents in a row.
//!
//! OWNER: shapes helper.
