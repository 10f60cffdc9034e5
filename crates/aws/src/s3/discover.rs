//! Finding what to read: accounts, organization IDs and regions by listing
//! with a delimiter, then the keys of each region's day folders, pruned by
//! name, handed on in key order while later regions are still being listed.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;

use super::client::{self, Listing};
use super::layout::{self, KeyVerdict};
use crate::errors::{FetchError, S3Error};
use spitzel_core::window::TimeWindow;

/// Regions listed ahead of the one being read.
const UNITS_AHEAD: usize = 8;

/// Counts of what was left unread, for the summary.
#[derive(Debug, Default)]
pub(super) struct Skipped {
    pub by_time: AtomicU64,
    pub digest_folders: AtomicU64,
    /// Keys and folders outside the CloudTrail/ layout (never opened).
    pub foreign: AtomicU64,
    pub listed: AtomicU64,
}

pub(super) struct Scope {
    pub bucket: String,
    pub client: aws_sdk_s3::Client,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub insight: bool,
    pub window: TimeWindow,
    pub now: i64,
    pub lists: Arc<Semaphore>,
    pub skipped: Arc<Skipped>,
}

pub(super) async fn list(scope: &Scope, prefix: &str, delimiter: bool) -> Result<Listing, S3Error> {
    let _permit = scope.lists.acquire().await.ok();
    client::list(&scope.client, &scope.bucket, prefix, delimiter).await
}

/// A part of the trail that could not be listed: the folder (a rerun lists
/// it again), None for a part that is not there (--account, --region).
#[derive(Debug)]
pub(super) struct ListFailure {
    pub prefix: Option<String>,
    pub error: FetchError,
}

impl ListFailure {
    pub(super) fn of(prefix: &str, error: impl Into<FetchError>) -> ListFailure {
        ListFailure {
            prefix: Some(prefix.to_string()),
            error: error.into(),
        }
    }

    fn missing(error: impl Into<FetchError>) -> ListFailure {
        ListFailure {
            prefix: None,
            error: error.into(),
        }
    }
}

fn internal(e: tokio::task::JoinError) -> ListFailure {
    ListFailure::missing(e)
}

/// The region folders to read (`.../ACCOUNT/CloudTrail/REGION/`), sorted,
/// and the parts that could not be listed.
pub(super) async fn regions(
    scope: Arc<Scope>,
    root: &str,
    url: &str,
) -> Result<(Vec<String>, Vec<ListFailure>), FetchError> {
    let top = list(&scope, root, true).await?;
    if top.prefixes.is_empty() && top.keys.is_empty() {
        return Err(S3Error::NothingUnder {
            url: url.to_string(),
            root: root.to_string(),
        }
        .into());
    }
    let skipped = &scope.skipped;
    skipped
        .foreign
        .fetch_add(top.keys.len() as u64, Ordering::Relaxed);
    let mut accounts = Vec::new();
    let mut orgs = tokio::task::JoinSet::new();
    for p in top.prefixes {
        let name = layout::last_component(&p);
        if layout::is_account_id(name) {
            accounts.push(p);
        } else if layout::is_org_id(name) {
            let scope = scope.clone();
            orgs.spawn(async move { (list(&scope, &p, true).await, p) });
        } else {
            skipped.foreign.fetch_add(1, Ordering::Relaxed);
        }
    }
    let mut failures = Vec::new();
    while let Some(joined) = orgs.join_next().await {
        match joined {
            Ok((Ok(org), _)) => {
                skipped
                    .foreign
                    .fetch_add(org.keys.len() as u64, Ordering::Relaxed);
                for p in org.prefixes {
                    if layout::is_account_id(layout::last_component(&p)) {
                        accounts.push(p);
                    } else {
                        skipped.foreign.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Ok((Err(e), prefix)) => failures.push(ListFailure::of(&prefix, e)),
            Err(e) => failures.push(internal(e)),
        }
    }
    if !scope.accounts.is_empty() {
        for wanted in &scope.accounts {
            if !accounts.iter().any(|p| layout::last_component(p) == wanted) {
                failures.push(ListFailure::missing(S3Error::NoSuchAccount {
                    account: wanted.clone(),
                    url: url.to_string(),
                    root: root.to_string(),
                }));
            }
        }
        accounts.retain(|p| {
            scope
                .accounts
                .iter()
                .any(|a| a == layout::last_component(p))
        });
    }
    let trail_dir = if scope.insight {
        "CloudTrail-Insight"
    } else {
        "CloudTrail"
    };
    let mut per_account = tokio::task::JoinSet::new();
    for account in accounts {
        let scope = scope.clone();
        per_account.spawn(async move {
            let inside = list(&scope, &account, true)
                .await
                .map_err(|e| ListFailure::of(&account, e))?;
            let skipped = &scope.skipped;
            skipped
                .foreign
                .fetch_add(inside.keys.len() as u64, Ordering::Relaxed);
            let mut regions = Vec::new();
            for dir in inside.prefixes {
                match layout::last_component(&dir) {
                    name if name == trail_dir => {
                        let found = list(&scope, &dir, true)
                            .await
                            .map_err(|e| ListFailure::of(&dir, e))?;
                        skipped
                            .foreign
                            .fetch_add(found.keys.len() as u64, Ordering::Relaxed);
                        regions.extend(found.prefixes);
                    }
                    "CloudTrail-Digest" => {
                        skipped.digest_folders.fetch_add(1, Ordering::Relaxed);
                    }
                    // Insight events are read only when asked for.
                    "CloudTrail-Insight" | "CloudTrail" => {}
                    _ => {
                        skipped.foreign.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Ok::<_, ListFailure>(regions)
        });
    }
    let mut regions = Vec::new();
    while let Some(joined) = per_account.join_next().await {
        match joined {
            Ok(Ok(found)) => regions.extend(found),
            Ok(Err(e)) => failures.push(e),
            Err(e) => failures.push(internal(e)),
        }
    }
    if !scope.regions.is_empty() {
        for wanted in &scope.regions {
            if !regions.iter().any(|p| layout::last_component(p) == wanted) {
                failures.push(ListFailure::missing(S3Error::NoRegionFolder {
                    region: wanted.clone(),
                    trail_dir,
                    url: url.to_string(),
                }));
            }
        }
        regions.retain(|p| scope.regions.iter().any(|r| r == layout::last_component(p)));
    }
    regions.sort();
    Ok((regions, failures))
}

/// What the reader gets, in key order.
#[derive(Debug)]
pub(super) enum Listed {
    /// `live`: found by --follow after the window.
    Object {
        key: String,
        live: bool,
    },
    Failed(ListFailure),
    /// A --follow listing that failed: said, and listed again at the next poll.
    Transient(FetchError),
}

/// Whether every key under `prefix` sorts at or before `done`.
fn finished(prefix: &str, done: Option<&str>) -> bool {
    done.is_some_and(|done| prefix < done && !done.starts_with(prefix))
}

/// The keys to read in one region folder, sorted.
async fn region_keys(scope: Arc<Scope>, region: String, done: Option<String>) -> Vec<Listed> {
    let days = layout::day_folders(&scope.window, scope.now, scope.insight);
    // Without a start the whole region is listed, without a delimiter.
    let delimiter = days.is_some();
    let folders: Vec<String> = match days {
        Some(days) => days
            .into_iter()
            .map(|d| format!("{region}{d}"))
            .filter(|f| !finished(f, done.as_deref()))
            .collect(),
        None => vec![region.clone()],
    };
    let mut lists = Vec::new();
    for folder in folders {
        let scope = scope.clone();
        lists.push(tokio::spawn(async move {
            (list(&scope, &folder, delimiter).await, folder)
        }));
    }
    let mut out = Vec::new();
    let mut keys = Vec::new();
    for handle in lists {
        match handle.await {
            Ok((Ok(listing), _)) => {
                scope
                    .skipped
                    .foreign
                    .fetch_add(listing.prefixes.len() as u64, Ordering::Relaxed);
                keys.extend(listing.keys);
            }
            Ok((Err(e), folder)) => out.push(Listed::Failed(ListFailure::of(&folder, e))),
            Err(e) => out.push(Listed::Failed(internal(e))),
        }
    }
    keys.sort();
    scope
        .skipped
        .listed
        .fetch_add(keys.len() as u64, Ordering::Relaxed);
    for (key, _size) in keys {
        if done.as_deref().is_some_and(|d| key.as_str() <= d) {
            continue;
        }
        match layout::judge_key(&region, &key, &scope.window, scope.insight) {
            KeyVerdict::Read => out.push(Listed::Object { key, live: false }),
            KeyVerdict::Pruned => {
                scope.skipped.by_time.fetch_add(1, Ordering::Relaxed);
            }
            KeyVerdict::Foreign => {
                scope.skipped.foreign.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    out
}

/// The keys of a folder whose listing failed in an earlier run, listed
/// again whole: those in the layout and the window, up to `done` (later
/// ones come in key order), sorted. `root`: the `AWSLogs/` folder.
pub(super) async fn relist(
    scope: &Scope,
    root: &str,
    prefix: &str,
    done: Option<&str>,
) -> Result<Vec<String>, FetchError> {
    let listing = list(scope, prefix, false).await?;
    let mut keys: Vec<String> = Vec::new();
    for (key, _) in listing.keys {
        if done.is_none_or(|d| key.as_str() > d) {
            continue;
        }
        let Some(region) = layout::region_folder_of(root, &key, scope.insight) else {
            continue;
        };
        let account_dir = region
            .trim_end_matches('/')
            .rsplitn(3, '/')
            .nth(2)
            .unwrap_or_default();
        let wanted =
            |list: &[String], name: &str| list.is_empty() || list.iter().any(|w| w == name);
        if !wanted(&scope.regions, layout::last_component(region))
            || !wanted(&scope.accounts, layout::last_component(account_dir))
        {
            continue;
        }
        scope.skipped.listed.fetch_add(1, Ordering::Relaxed);
        match layout::judge_key(region, &key, &scope.window, scope.insight) {
            KeyVerdict::Read => keys.push(key),
            KeyVerdict::Pruned => {
                scope.skipped.by_time.fetch_add(1, Ordering::Relaxed);
            }
            KeyVerdict::Foreign => {}
        }
    }
    keys.sort();
    Ok(keys)
}

/// Send every key to read, region by region in order, listing a few regions ahead.
pub(super) async fn produce(
    scope: Arc<Scope>,
    regions: Vec<String>,
    done: Option<String>,
    tx: mpsc::Sender<Listed>,
) {
    let mut todo: VecDeque<String> = regions
        .into_iter()
        .filter(|r| !finished(r, done.as_deref()))
        .collect();
    let mut ahead: VecDeque<JoinHandle<Vec<Listed>>> = VecDeque::new();
    loop {
        while ahead.len() < UNITS_AHEAD {
            let Some(region) = todo.pop_front() else {
                break;
            };
            ahead.push_back(tokio::spawn(region_keys(
                scope.clone(),
                region,
                done.clone(),
            )));
        }
        let Some(next) = ahead.pop_front() else {
            return;
        };
        let items = match next.await {
            Ok(items) => items,
            Err(e) => vec![Listed::Failed(internal(e))],
        };
        for item in items {
            if tx.send(item).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_prefixes() {
        let done = Some("AWSLogs/1/CloudTrail/us-east-1/2023/07/10/k");
        assert!(finished("AWSLogs/1/CloudTrail/us-east-1/2023/07/09/", done));
        assert!(!finished(
            "AWSLogs/1/CloudTrail/us-east-1/2023/07/10/",
            done
        ));
        assert!(!finished("AWSLogs/1/CloudTrail/us-east-1/", done));
        assert!(!finished("AWSLogs/1/CloudTrail/us-east-2/", done));
        assert!(!finished(
            "AWSLogs/1/CloudTrail/us-east-1/2023/07/09/",
            None
        ));
    }
}
