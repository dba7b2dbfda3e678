//! The KV-backed rate limiter: a sliding-window log per quota — (session, class), and, where a
//! per-group limit is set, (session, group, class) — decided by [`crate::ratelimit::decide`].
//!
//! A request's quotas are decided in turn, the session's first. Per quota: one `put` (its own entry,
//! a unique key, so KV's one-write-per-second-per-key limit never applies) and one `list` of the
//! quota's prefix. A refusal deletes the entries written so far (one `delete` each), so a refused
//! request spends nothing under any quota; a refund deletes every entry. After a refusal the
//! isolate remembers the entries that refused it (less those it deleted itself): a request that
//! cannot fit even those is refused from memory, with no KV operation, until enough of them leave
//! the window (a smaller request that fits goes to KV).
//!
//! Nothing is serialized across requests: the log needs no lock (every request writes before it
//! reads and counts only the entries ordered before its own), and a lock shared by requests would
//! resume one request's task from another request's I/O context, which workerd refuses ("Cannot
//! perform I/O on behalf of a different request", then a bare 500 or a hung request).

use super::deadline::within;
use super::KV_BINDING;
use crate::config::{GatewaySettings, StoreFailure};
use crate::error::{Error, ErrorCode};
use crate::ids::{GroupId, SessionName};
use crate::ops::RateClass;
use crate::ratelimit::{cost_fits, decide, Decision, LogEntry, Policy, Quota, Scope};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use worker::{Env, KvStore};

/// KV's shortest expiration TTL.
const KV_TTL_MIN_SECS: u64 = 60;
/// Most list pages read for one decision (1,000 keys each).
const LIST_PAGES_MAX: usize = 10;
/// Most deleted entries remembered per log.
const GONE_MAX: usize = 1024;
/// Seconds a client waits after a store failure was refused.
const STORE_FAILURE_RETRY_SECS: u64 = 5;

/// What an isolate remembers of one log.
#[derive(Default)]
struct Known {
    /// The in-window entries that refused the last refused request: a lower bound of the log.
    entries: Vec<LogEntry>,
    /// Entries this isolate withdrew or refunded (in window): never part of `entries`, even when
    /// a list read before the delete still showed them.
    gone: Vec<LogEntry>,
}

impl Known {
    fn forget(&mut self, entry: LogEntry) {
        self.entries.retain(|e| *e != entry);
        if self.gone.len() >= GONE_MAX {
            // The oldest deletions were long read back by every list: drop them.
            self.gone.drain(..GONE_MAX / 2);
        }
        self.gone.push(entry);
    }
}

thread_local! {
    /// Per log prefix: what this isolate knows of the log.
    static KNOWN: RefCell<HashMap<String, Known>> = RefCell::new(HashMap::new());
    /// This isolate's id and entry sequence, the tie-breaker of entries of the same millisecond.
    static ORDER: (String, Cell<u32>) = (format!("{:08x}", (js_sys::Math::random() * f64::from(u32::MAX)) as u32), Cell::new(0));
}

/// A log entry a request wrote: deleted when the request is refused or refunded.
pub struct Held {
    prefix: String,
    entry: LogEntry,
}

/// What the limiter decided.
pub enum Admission {
    /// Proceed, with every quota's decision; `held` are the entries to delete for a refund.
    Allowed { decided: Vec<(Quota, Decision)>, held: Vec<Held> },
    /// Refused by the quota `by`; the quotas decided before it admitted the request and got its
    /// units back.
    Refused { given_back: Vec<(Quota, Decision)>, by: (Quota, Decision) },
    /// The store failed and the class's policy lets the request through.
    Unlimited,
}

/// A limiter for one request.
pub struct Limiter<'a> {
    env: &'a Env,
    settings: &'a GatewaySettings,
    /// KV operations spent so far.
    pub kv_ops: u32,
}

/// The KV prefix of a quota's log (`None`: a group's quota, for a request to no group). The two
/// scopes' prefixes never overlap (`rl/` and `rlg/`; sessions and group ids hold no `/`).
fn prefix(quota: Quota, session: &SessionName, group: Option<&GroupId>) -> Option<String> {
    let class = quota.class.as_str();
    match quota.scope {
        Scope::Session => Some(format!("rl/{session}/{class}/")),
        Scope::Group => Some(format!("rlg/{session}/{}/{class}/", group?.as_str())),
    }
}

/// The refusal of `cost` units, when the entries this isolate knows to be in the window already
/// leave no room for them.
fn refused_from_memory(key: &str, policy: Policy, cost: u32) -> Option<Decision> {
    let now = js_sys::Date::now() as u64;
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        let memory = known.get_mut(key).filter(|m| !m.entries.is_empty())?;
        // Ordered after every known entry, as a new entry would be.
        let own = LogEntry { at_ms: now, order: "\u{10ffff}".into(), cost };
        let decision = decide(now, policy, &memory.entries, &own);
        if decision.allowed {
            memory.entries.clear();
            return None;
        }
        Some(decision)
    })
}

/// Remembers the entries of `log` that refused `own`: those in the window (after `since`) ordered
/// before it, less those this isolate deleted.
fn remember(key: &str, since: u64, log: Vec<LogEntry>, own: &LogEntry) {
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        let memory = known.entry(key.to_owned()).or_default();
        memory.gone.retain(|e| e.at_ms > since);
        memory.entries = log.into_iter().filter(|e| e.at_ms > since && e < own && !memory.gone.contains(e)).collect();
    });
}

/// Records that this isolate deleted `entry` from the log of `key`.
fn forget(key: &str, entry: LogEntry) {
    KNOWN.with(|known| known.borrow_mut().entry(key.to_owned()).or_default().forget(entry));
}

fn next_order() -> String {
    ORDER.with(|(isolate, seq)| {
        let n = seq.get().wrapping_add(1);
        seq.set(n);
        format!("{isolate}{n:08x}")
    })
}

impl<'a> Limiter<'a> {
    /// A limiter using the KV binding of `env`.
    pub fn new(env: &'a Env, settings: &'a GatewaySettings) -> Self {
        Limiter { env, settings, kv_ops: 0 }
    }

    /// Decides whether `cost` units of `class` may be spent now under every quota of the class
    /// (see [`crate::config::RateLimits::quotas`]).
    pub async fn admit(
        &mut self,
        session: &SessionName,
        group: Option<&GroupId>,
        class: RateClass,
        cost: u32,
    ) -> Result<Admission, Error> {
        let quotas = self.settings.rate.quotas(class);
        if let Some(quota) = quotas.iter().find(|q| !cost_fits(q.policy, cost)) {
            let detail = format!("this request costs {cost} units, more than {} holds", quota.describe(session, group));
            return Err(Error::new(ErrorCode::CostExceedsQuota, detail));
        }
        let logs: Vec<(Quota, String)> = quotas.iter().filter_map(|&q| Some((q, prefix(q, session, group)?))).collect();
        for (quota, key) in &logs {
            if let Some(decision) = refused_from_memory(key, quota.policy, cost) {
                return Ok(Admission::Refused { given_back: Vec::new(), by: (*quota, decision) });
            }
        }
        let mut held = Vec::new();
        match self.admit_in_store(&logs, cost, &mut held).await {
            Ok(admission) => Ok(admission),
            Err(cause) => {
                let failed = self.store_failed(class, &cause);
                if failed.is_err() {
                    // Refused: the entries already written must not count.
                    self.withdraw(&held).await;
                }
                failed
            }
        }
    }

    /// Decides each quota in turn (write its entry, list its log, decide); `held` collects the
    /// entries written.
    async fn admit_in_store(
        &mut self,
        logs: &[(Quota, String)],
        cost: u32,
        held: &mut Vec<Held>,
    ) -> Result<Admission, String> {
        let kv = self.kv()?;
        let mut decided: Vec<(Quota, Decision)> = Vec::new();
        for &(quota, ref key) in logs {
            let policy = quota.policy;
            // Stamped right before the write, so entries order like their writes.
            let now = js_sys::Date::now() as u64;
            let own = LogEntry { at_ms: now, order: next_order(), cost };
            let ttl = u64::from(policy.window_secs).max(KV_TTL_MIN_SECS);
            let put = kv.put(&format!("{key}{}", own.key()), "").map_err(|e| e.to_string())?.expiration_ttl(ttl);
            self.timed(put.execute()).await?.map_err(|e| e.to_string())?;
            held.push(Held { prefix: key.clone(), entry: own.clone() });
            let log = self.list(&kv, key).await?;
            let decision = decide(now, policy, &log, &own);
            if !decision.allowed {
                remember(key, now.saturating_sub(u64::from(policy.window_secs) * 1000), log, &own);
                self.withdraw(held).await;
                let given_back = decided.into_iter().map(|(q, d)| (q, d.given_back(q.policy, cost)));
                return Ok(Admission::Refused { given_back: given_back.collect(), by: (quota, decision) });
            }
            decided.push((quota, decision));
        }
        Ok(Admission::Allowed { decided, held: std::mem::take(held) })
    }

    async fn list(&mut self, kv: &KvStore, key: &str) -> Result<Vec<LogEntry>, String> {
        let mut entries = Vec::new();
        let mut cursor = None;
        for _ in 0..LIST_PAGES_MAX {
            let mut list = kv.list().prefix(key.to_owned());
            if let Some(c) = cursor.take() {
                list = list.cursor(c);
            }
            let page = self.timed(list.execute()).await?.map_err(|e| e.to_string())?;
            entries.extend(page.keys.iter().filter_map(|k| LogEntry::from_key(k.name.strip_prefix(key)?)));
            match page.cursor.filter(|_| !page.list_complete) {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok(entries)
    }

    /// Gives back the units of an admitted request that never reached WhatsApp: deletes its
    /// entries (every one is tried; a failure is returned).
    pub async fn refund(&mut self, held: &[Held]) -> Result<(), String> {
        let kv = self.kv()?;
        let mut result = Ok(());
        for Held { prefix, entry } in held {
            let key = format!("{prefix}{}", entry.key());
            match self.timed(kv.delete(&key)).await.and_then(|r| r.map_err(|e| e.to_string())) {
                Ok(()) => forget(prefix, entry.clone()),
                Err(cause) => result = Err(cause),
            }
        }
        result
    }

    /// Withdraws the entries of a refused request. The refusal stands even if that fails (they then
    /// count until they expire): a store error here must not turn into the store-failure policy's
    /// "allow".
    async fn withdraw(&mut self, held: &[Held]) {
        if let Err(cause) = self.refund(held).await {
            worker::console_error!("{}", serde_json::json!({"rateLimitStoreError": cause, "withdrawing": true}));
        }
    }

    fn kv(&self) -> Result<KvStore, String> {
        self.env.kv(KV_BINDING).map_err(|e| format!("KV binding {KV_BINDING}: {e}"))
    }

    /// Runs one KV operation under the store timeout, counting it.
    async fn timed<T>(&mut self, op: impl Future<Output = T>) -> Result<T, String> {
        self.kv_ops += 1;
        within(self.settings.store_timeout_ms, op).await
    }

    fn store_failed(&self, class: RateClass, cause: &str) -> Result<Admission, Error> {
        worker::console_error!("{}", serde_json::json!({"rateLimitStoreError": cause, "class": class.as_str()}));
        match self.settings.rate.on_store_error(class) {
            StoreFailure::Allow => Ok(Admission::Unlimited),
            StoreFailure::Deny => Err(Error::new(
                ErrorCode::StoreUnavailable,
                format!(
                    "the rate-limit store is unavailable; {} requests are refused until it is back",
                    class.as_str()
                ),
            )
            .with_retry_after(STORE_FAILURE_RETRY_SECS)),
        }
    }
}
