//! The group cache in KV (`GROUP_CACHE`): a fresh entry answers a read without the upstream, a
//! miss goes upstream and fills the entry, an accepted write drops the entries it changes, and an
//! entry past its freshness answers (as `stale`) only when the upstream fails. Verified webhooks
//! edit entries through [`apply_event`]. The rules live in [`crate::cache`].
//!
//! A store failure never fails a read: the read goes upstream as on a miss, and the failure is
//! logged.

use super::deadline::within;
use super::http::Exchange;
use super::incoming::Incoming;
use super::kv::Kv;
use super::marks::{Marks, Turn};
use super::runtime::{console_error, now_ms, Context, Env};
use super::upstream::Answer;
use crate::cache::{
    change_times_key, invalidated_by, CachedRead, ChangeTimes, Effect, Entry, EventEffects, Freshness, Outcome,
    ON_SINCE_KEEP_SECS, ON_SINCE_KEY,
};
use crate::config::GatewaySettings;
use crate::error::{Error, ErrorCode};
use crate::ids::SessionName;
use crate::ops::answer_shape::AnswerShape;
use crate::ops::Operation;
use crate::webhook::record_ttl_secs;
use crate::wire::record::Writer;
use std::cell::Cell;

/// Response header saying how the cache answered: `hit`, `miss` or `stale`.
pub const CACHE_HEADER: &str = "X-Groupgate-Cache";

/// What the cache does for one request.
enum Role {
    /// A cached read: its key, whether the client asked to bypass the cache, and the shape of
    /// an answer it keeps.
    Read { key: String, bypass: bool, shape: AnswerShape },
    /// A write: the keys to drop once the upstream accepted it.
    Write(Vec<String>),
}

/// The cache's part in one gateway request (inert when the cache is off or the route is neither a
/// cached read nor a write that changes one).
pub struct GroupCache {
    kv: Option<Kv>,
    role: Option<Role>,
    fresh_secs: u32,
    timeout_ms: u32,
    /// The entry found by [`GroupCache::lookup`] that was past its freshness.
    stale: Option<Entry>,
    /// KV operations of the lookup, added to the log line by [`GroupCache::settle`] (forwarding
    /// sets the count afresh).
    lookup_ops: u32,
}

impl GroupCache {
    /// Prepares the cache for `operation` on `session`; `req` is the client's (for `Cache-Control`).
    pub fn open(
        env: &Env,
        settings: &GatewaySettings,
        session: &SessionName,
        operation: &Operation,
        req: &Incoming,
    ) -> Self {
        let fresh_secs = settings.group_cache.unwrap_or(0);
        let role = settings.group_cache.and_then(|_| {
            if let Some((group, read)) = CachedRead::of(operation) {
                let shape = operation.kind().answer_shape();
                return Some(Role::Read { key: read.key(session, group), bypass: asks_no_cache(req), shape });
            }
            let (group, reads) = invalidated_by(operation)?;
            Some(Role::Write(reads.into_iter().map(|read| read.key(session, group)).collect()))
        });
        let kv = role.as_ref().and_then(|_| Kv::open(env).map_err(|e| log_failure(&e)).ok());
        GroupCache { kv, role, fresh_secs, timeout_ms: settings.store_timeout_ms, stale: None, lookup_ops: 0 }
    }

    /// Whether the cache takes no part in the request (off, unavailable, or an operation it
    /// neither answers nor invalidates): the answer need not pass through it.
    pub fn is_idle(&self) -> bool {
        self.kv.is_none() || self.role.is_none()
    }

    /// The cached answer of a read when it is fresh; remembers a stale one for [`GroupCache::settle`].
    pub async fn lookup(&mut self, exchange: &mut Exchange) -> Option<Answer> {
        let (Some(kv), Some(Role::Read { key, bypass, .. })) = (&self.kv, &self.role) else {
            return None;
        };
        // Known before this isolate fills an entry, so none of its own fills is older than it.
        // Unknown (the store failed): an entry answers only if the upstream fails.
        let on_since = on_since(kv, self.timeout_ms, &mut exchange.log.kv_ops).await;
        let on_since = on_since.map_err(|cause| log_failure(&cause)).unwrap_or(u64::MAX);
        if *bypass {
            return None;
        }
        exchange.log.kv_ops += 1;
        self.lookup_ops = 1;
        let entry = read_entry(kv, key, self.timeout_ms).await.map_err(|cause| log_failure(&cause)).ok()??;
        let now = now_ms();
        match entry.freshness(now, self.fresh_secs, on_since) {
            Freshness::Fresh => Some(answered(exchange, "hit", &entry, now)),
            Freshness::Stale => {
                self.stale = Some(entry);
                None
            }
        }
    }

    /// After the upstream answered: fills a read's entry, drops a write's entries, or answers a
    /// failed read from its stale entry.
    pub async fn settle(self, result: Result<Answer, Error>, exchange: &mut Exchange) -> Result<Answer, Error> {
        let (Some(kv), Some(role)) = (&self.kv, &self.role) else {
            return result;
        };
        exchange.log.kv_ops += self.lookup_ops;
        match (role, result) {
            (Role::Read { key, shape, .. }, Ok(answer)) => {
                exchange.headers.push((CACHE_HEADER, "miss".into()));
                exchange.headers.push(("Age", "0".into()));
                // Another shape than the read's (an upstream of another version): passed on, not kept.
                if !shape.fits(&answer.body) {
                    exchange.log.cache = Some("unfit");
                    return Ok(answer);
                }
                let entry = Entry {
                    filled_ms: now_ms(),
                    status: answer.status,
                    content_type: answer.content_type.clone(),
                    body: String::from_utf8_lossy(&answer.body).into_owned(),
                };
                exchange.log.cache = Some("miss");
                exchange.log.kv_ops += 1;
                store(kv, key, &entry, self.fresh_secs, self.timeout_ms).await;
                Ok(answer)
            }
            (Role::Read { .. }, Err(error)) => match self.stale {
                Some(entry) if upstream_failed(&error) => Ok(answered(exchange, "stale", &entry, now_ms())),
                _ => Err(error),
            },
            (Role::Write(keys), Ok(answer)) => {
                exchange.log.cache = Some("invalidated");
                for key in keys {
                    exchange.log.kv_ops += 1;
                    remove(kv, key, self.timeout_ms).await;
                }
                Ok(answer)
            }
            (Role::Write(_), Err(error)) => Err(error),
        }
    }
}

/// Whether the client asked for an answer from the upstream (`Cache-Control: no-cache`,
/// `no-store` or `max-age=0`).
fn asks_no_cache(req: &Incoming) -> bool {
    let value = req.header("Cache-Control").unwrap_or_default().to_ascii_lowercase();
    value.split(',').map(str::trim).any(|d| matches!(d, "no-cache" | "no-store" | "max-age=0"))
}

/// Failures that a stale entry may paper over: the upstream or WhatsApp could not answer, not a
/// refusal of the request itself.
fn upstream_failed(error: &Error) -> bool {
    match error.code {
        ErrorCode::UpstreamUnavailable | ErrorCode::UpstreamTimeout | ErrorCode::WhatsappRateLimited => true,
        ErrorCode::UpstreamError => error.status >= 500,
        _ => false,
    }
}

/// An answer from a cached entry, with its `Age` and how it was served.
fn answered(exchange: &mut Exchange, how: &'static str, entry: &Entry, now: u64) -> Answer {
    exchange.headers.push((CACHE_HEADER, how.into()));
    exchange.headers.push(("Age", entry.age_secs(now).to_string()));
    exchange.log.cache = Some(how);
    Answer { status: entry.status, content_type: entry.content_type.clone(), body: entry.body.clone().into_bytes() }
}

thread_local! {
    /// Since when the cache has been on ([`ON_SINCE_KEY`]), as this isolate first read or wrote it.
    static ON_SINCE: Cell<Option<u64>> = const { Cell::new(None) };
    /// Whether this isolate, running with the cache off, has deleted [`ON_SINCE_KEY`].
    static OFF_NOTED: Cell<bool> = const { Cell::new(false) };
}

/// Since when the cache has been on, read once per isolate (counted in `kv_ops`); written as now
/// when absent.
async fn on_since(kv: &Kv, timeout_ms: u32, kv_ops: &mut u32) -> Result<u64, String> {
    if let Some(since) = ON_SINCE.get() {
        return Ok(since);
    }
    *kv_ops += 1;
    let stored = within(timeout_ms, kv.get_text(ON_SINCE_KEY)).await??.and_then(|text| text.parse().ok());
    let since = match stored {
        Some(since) => since,
        None => {
            let now = now_ms();
            *kv_ops += 1;
            within(timeout_ms, kv.put(ON_SINCE_KEY, &now.to_string(), ON_SINCE_KEEP_SECS)).await??;
            now
        }
    };
    ON_SINCE.set(Some(since));
    Ok(since)
}

/// With the cache off, deletes [`ON_SINCE_KEY`] once per isolate (after the answer): entries filled
/// before miss the writes and events of this time, and must never be fresh once it is on again.
pub fn note_if_off(env: &Env, ctx: &Context, settings: &GatewaySettings) {
    if settings.group_cache.is_some() || OFF_NOTED.replace(true) {
        return;
    }
    let Ok(kv) = Kv::open(env) else { return };
    let timeout_ms = settings.store_timeout_ms;
    // Read first: a read is cheap, and most Workers never turn the cache on, so there is
    // nothing to delete (KV counts deletes as writes, which cost more and are fewer).
    ctx.wait_until(async move {
        let outcome = match within(timeout_ms, kv.get_text(ON_SINCE_KEY)).await.and_then(|read| read) {
            Ok(Some(_)) => within(timeout_ms, kv.delete(ON_SINCE_KEY)).await.and_then(|deleted| deleted),
            other => other.map(drop),
        };
        if let Err(cause) = outcome {
            log_failure(&cause);
        }
    });
}

/// What applying one event did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Entries written or dropped.
    pub entries: u32,
    /// KV operations spent.
    pub kv_ops: u32,
    /// Whether an event WAHA sent later that changed the same thing had been applied already, so
    /// this one dropped the group's entries instead of being applied.
    pub older: bool,
}

/// Applies a verified event's effects to the cache, ordered against the group's applied events
/// ([`EventEffects::ordered_after`]). An error (the store failed) leaves the delivery unapplied,
/// for the sender to retry.
pub async fn apply_event(env: &Env, settings: &GatewaySettings, effects: EventEffects) -> Result<Applied, Error> {
    let Some(fresh_secs) = settings.group_cache else {
        return Ok(Applied::default());
    };
    let kv = Kv::open(env).map_err(|e| store_unavailable(&e))?;
    let timeout = settings.store_timeout_ms;
    let times_key = change_times_key(&effects.session, &effects.group);
    // Deliveries arrive concurrently: this isolate's deliveries for one group take turns, so no
    // edit reads an entry another is rewriting and no order check misses an event being applied.
    let store_calls = 2 * effects.changes.len() as u64 + 2;
    let Some(_turn) = Turn::take(&EDITING, &times_key, u64::from(timeout) * store_calls).await else {
        return Err(store_unavailable("another delivery kept editing the same group"));
    };
    let stored = within(timeout, kv.get_text(&times_key)).await.and_then(|read| read);
    let stored = stored.map_err(|cause| store_unavailable(&cause))?.unwrap_or_default();
    // No event older than the replay window is accepted: earlier times cannot outdate one.
    let tolerance_ms = u64::from(settings.webhooks.tolerance_secs) * 1000;
    let mut times = ChangeTimes::read(&stored, now_ms().saturating_sub(tolerance_ms));
    let (effects, older) = effects.ordered_after(&times);
    let mut applied = Applied { kv_ops: 1, older, ..Applied::default() };
    for (read, effect) in &effects.changes {
        let key = read.key(&effects.session, &effects.group);
        let cached = match effect {
            Effect::Store(_) | Effect::Drop => None,
            Effect::Merge(_) | Effect::Members { .. } => {
                applied.kv_ops += 1;
                read_entry(&kv, &key, timeout).await.map_err(|cause| store_unavailable(&cause))?
            }
        };
        let outcome = effect.apply(cached.as_ref().map(|entry| entry.body.as_str()));
        let done = match outcome {
            Outcome::Keep => continue,
            Outcome::Delete => delete(&kv, &key, timeout).await,
            Outcome::Put(body) => {
                // An edited entry keeps its fill time: only the changed fields are newer.
                let filled_ms = cached.as_ref().map_or_else(now_ms, |entry| entry.filled_ms);
                let content_type = cached.and_then(|entry| entry.content_type).or(Some("application/json".into()));
                let entry = Entry { filled_ms, status: 200, content_type, body };
                put(&kv, &key, &entry, fresh_secs, timeout).await
            }
        };
        done.map_err(|cause| store_unavailable(&cause))?;
        applied.kv_ops += 1;
        applied.entries += 1;
    }
    if !older && times.record(&effects) {
        let ttl = record_ttl_secs(settings.webhooks.tolerance_secs);
        let stored = within(timeout, kv.put(&times_key, &times.write(), ttl)).await;
        stored.and_then(|put| put).map_err(|cause| store_unavailable(&cause))?;
        applied.kv_ops += 1;
    }
    Ok(applied)
}

thread_local! {
    /// Groups whose entries a webhook of this isolate is editing.
    static EDITING: Marks = const { Marks::new() };
}

/// Reads an entry (`None`: absent or unreadable, as good as absent).
async fn read_entry(kv: &Kv, key: &str, timeout_ms: u32) -> Result<Option<Entry>, String> {
    let text = within(timeout_ms, kv.get_text(key)).await??;
    Ok(text.and_then(|t| Entry::read(&t)))
}

async fn put(kv: &Kv, key: &str, entry: &Entry, fresh_secs: u32, timeout_ms: u32) -> Result<(), String> {
    within(timeout_ms, kv.put(key, &entry.write(), Entry::ttl_secs(fresh_secs))).await?
}

async fn delete(kv: &Kv, key: &str, timeout_ms: u32) -> Result<(), String> {
    within(timeout_ms, kv.delete(key)).await?
}

/// Fills an entry; a failure is logged (the client has its answer anyway).
async fn store(kv: &Kv, key: &str, entry: &Entry, fresh_secs: u32, timeout_ms: u32) {
    if let Err(cause) = put(kv, key, entry, fresh_secs, timeout_ms).await {
        log_failure(&cause);
    }
}

/// Drops an entry; a failure is logged (the entry then ages out within `GROUP_CACHE`).
async fn remove(kv: &Kv, key: &str, timeout_ms: u32) {
    if let Err(cause) = delete(kv, key, timeout_ms).await {
        log_failure(&cause);
    }
}

fn log_failure(cause: &str) {
    console_error(&Writer::open().string("groupCacheStoreError", cause).finish());
}

fn store_unavailable(cause: &str) -> Error {
    log_failure(cause);
    Error::new(ErrorCode::StoreUnavailable, "the group cache store is unavailable; the delivery was not applied")
        .with_retry_after(5)
}
