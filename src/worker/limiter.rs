//! The KV-backed rate limiter: a sliding-window log per (session, class), decided by
//! [`crate::ratelimit::decide`].
//!
//! Per admitted request: one `put` (its own entry, a unique key, so KV's one-write-per-second-per-key
//! limit never applies) and one `list` of the (session, class) prefix. A refusal adds one `delete`
//! (its entry is withdrawn); a refund is one `delete`. After a refusal the isolate remembers the
//! entries that refused it (less those it deleted itself): a request that cannot fit even those is
//! refused from memory, with no KV operation, until enough of them leave the window (a smaller
//! request that fits goes to KV).
//!
//! Nothing is serialized across requests: the log needs no lock (every request writes before it
//! reads and counts only the entries ordered before its own), and a lock shared by requests would
//! resume one request's task from another request's I/O context, which workerd refuses ("Cannot
//! perform I/O on behalf of a different request", then a bare 500 or a hung request).

use super::KV_BINDING;
use crate::config::{GatewaySettings, StoreFailure};
use crate::error::{Error, ErrorCode};
use crate::ids::SessionName;
use crate::ops::RateClass;
use crate::ratelimit::{cost_fits, decide, Decision, LogEntry, Policy};
use futures_util::future::{select, Either};
use futures_util::pin_mut;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;
use worker::{Delay, Env, KvStore};

/// KV's shortest expiration TTL.
const KV_TTL_MIN_SECS: u64 = 60;
/// Most list pages read for one decision (1,000 keys each).
const LIST_PAGES_MAX: usize = 10;
/// Most deleted entries remembered per (session, class).
const GONE_MAX: usize = 1024;
/// Seconds a client waits after a store failure was refused.
const STORE_FAILURE_RETRY_SECS: u64 = 5;

/// What an isolate remembers of one (session, class) log.
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
    /// Per (session, class) prefix: what this isolate knows of the log.
    static KNOWN: RefCell<HashMap<String, Known>> = RefCell::new(HashMap::new());
    /// This isolate's id and entry sequence, the tie-breaker of entries of the same millisecond.
    static ORDER: (String, Cell<u32>) = (format!("{:08x}", (js_sys::Math::random() * f64::from(u32::MAX)) as u32), Cell::new(0));
}

/// What the limiter decided.
pub enum Admission {
    /// Proceed; `entry` is the KV key to delete for a refund.
    Allowed { decision: Decision, entry: String },
    /// Refused: quota used up.
    Refused(Decision),
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

fn prefix(session: &SessionName, class: RateClass) -> String {
    format!("rl/{}/{}/", session, class.as_str())
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

    /// Decides whether `cost` units of `class` may be spent for `session` now.
    pub async fn admit(
        &mut self,
        session: &SessionName,
        class: RateClass,
        policy: Policy,
        cost: u32,
    ) -> Result<Admission, Error> {
        if !cost_fits(policy, cost) {
            let detail = format!(
                "this request costs {cost} {} units; the whole quota is {} per {} s",
                class.as_str(),
                policy.units,
                policy.window_secs
            );
            return Err(Error::new(ErrorCode::CostExceedsQuota, detail));
        }
        let key = prefix(session, class);
        if let Some(decision) = refused_from_memory(&key, policy, cost) {
            return Ok(Admission::Refused(decision));
        }
        match self.admit_in_store(&key, policy, cost).await {
            Ok(admission) => Ok(admission),
            Err(cause) => self.store_failed(class, &cause),
        }
    }

    async fn admit_in_store(&mut self, key: &str, policy: Policy, cost: u32) -> Result<Admission, String> {
        let kv = self.kv()?;
        // Stamped right before the write, so entries order like their writes.
        let now = js_sys::Date::now() as u64;
        let own = LogEntry { at_ms: now, order: next_order(), cost };
        let own_key = format!("{key}{}", own.key());
        let ttl = u64::from(policy.window_secs).max(KV_TTL_MIN_SECS);
        let put = kv.put(&own_key, "").map_err(|e| e.to_string())?.expiration_ttl(ttl);
        self.timed(put.execute()).await?.map_err(|e| e.to_string())?;
        let log = self.list(&kv, key).await?;
        let decision = decide(now, policy, &log, &own);
        if decision.allowed {
            return Ok(Admission::Allowed { decision, entry: own_key });
        }
        let since = now.saturating_sub(u64::from(policy.window_secs) * 1000);
        KNOWN.with(|known| {
            let mut known = known.borrow_mut();
            let memory = known.entry(key.to_owned()).or_default();
            memory.gone.retain(|e| e.at_ms > since);
            memory.entries =
                log.into_iter().filter(|e| e.at_ms > since && *e < own && !memory.gone.contains(e)).collect();
        });
        // The refusal stands even if withdrawing the entry fails (it then counts until it expires):
        // a store error here must not turn into the store-failure policy's "allow".
        match self.timed(kv.delete(&own_key)).await.and_then(|r| r.map_err(|e| e.to_string())) {
            Ok(()) => forget(key, own),
            Err(cause) => {
                worker::console_error!("{}", serde_json::json!({"rateLimitStoreError": cause, "withdrawing": true}));
            }
        }
        Ok(Admission::Refused(decision))
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

    /// Gives back the units of an admitted request that never reached WhatsApp.
    pub async fn refund(&mut self, entry: &str) -> Result<(), String> {
        let kv = self.kv()?;
        self.timed(kv.delete(entry)).await?.map_err(|e| e.to_string())?;
        if let Some((key, suffix)) = entry.rsplit_once('/') {
            if let Some(own) = LogEntry::from_key(suffix) {
                forget(&format!("{key}/"), own);
            }
        }
        Ok(())
    }

    fn kv(&self) -> Result<KvStore, String> {
        self.env.kv(KV_BINDING).map_err(|e| format!("KV binding {KV_BINDING}: {e}"))
    }

    /// Runs one KV operation under the store timeout, counting it.
    async fn timed<T>(&mut self, op: impl Future<Output = T>) -> Result<T, String> {
        self.kv_ops += 1;
        let timeout = Delay::from(Duration::from_millis(u64::from(self.settings.store_timeout_ms)));
        pin_mut!(op, timeout);
        match select(op, timeout).await {
            Either::Left((value, _)) => Ok(value),
            Either::Right(_) => Err(format!("KV operation timed out after {} ms", self.settings.store_timeout_ms)),
        }
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
