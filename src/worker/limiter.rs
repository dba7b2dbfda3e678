//! The KV-backed rate limiter: a sliding-window log per (session, class), decided by
//! [`crate::ratelimit::decide`].
//!
//! Per admitted request: one `put` (its own entry, a unique key, so KV's one-write-per-second-per-key
//! limit never applies) and one `list` of the (session, class) prefix. A refusal adds one `delete`
//! (its entry is withdrawn); a refund is one `delete`. A session this isolate already knows to be
//! exhausted is refused from memory, with no KV operation. Within one isolate the put+list of one
//! (session, class) are serialized, so concurrent requests there are decided exactly.

use super::KV_BINDING;
use crate::config::{GatewaySettings, StoreFailure};
use crate::error::{Error, ErrorCode};
use crate::ids::SessionName;
use crate::ops::RateClass;
use crate::ratelimit::{cost_fits, decide, Decision, LogEntry, Policy};
use futures_util::future::{select, Either};
use futures_util::lock::Mutex;
use futures_util::pin_mut;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;
use worker::{Delay, Env, KvStore};

/// KV's shortest expiration TTL.
const KV_TTL_MIN_SECS: u64 = 60;
/// Most list pages read for one decision (1,000 keys each).
const LIST_PAGES_MAX: usize = 10;
/// Seconds a client waits after a store failure was refused.
const STORE_FAILURE_RETRY_SECS: u64 = 5;

thread_local! {
    /// Per (session, class): refuse from memory until this time (ms).
    static BLOCKED_UNTIL: RefCell<HashMap<String, u64>> = RefCell::new(HashMap::new());
    /// Per (session, class): serializes this isolate's put+list.
    static LOCKS: RefCell<HashMap<String, Rc<Mutex<()>>>> = RefCell::new(HashMap::new());
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
        let now = js_sys::Date::now() as u64;
        if let Some(until) = BLOCKED_UNTIL.with(|b| b.borrow().get(&key).copied()).filter(|until| *until > now) {
            let wait = (until - now).div_ceil(1000);
            return Ok(Admission::Refused(Decision {
                allowed: false,
                remaining: 0,
                reset_secs: wait,
                retry_after_secs: Some(wait),
            }));
        }
        match self.admit_in_store(&key, policy, cost, now).await {
            Ok(admission) => Ok(admission),
            Err(cause) => self.store_failed(class, &cause),
        }
    }

    async fn admit_in_store(&mut self, key: &str, policy: Policy, cost: u32, now: u64) -> Result<Admission, String> {
        let kv = self.kv()?;
        let lock = LOCKS.with(|locks| locks.borrow_mut().entry(key.to_owned()).or_default().clone());
        let _guard = lock.lock().await;
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
        self.timed(kv.delete(&own_key)).await?.map_err(|e| e.to_string())?;
        if decision.remaining == 0 {
            let until = now + decision.retry_after_secs.unwrap_or(1) * 1000;
            BLOCKED_UNTIL.with(|b| b.borrow_mut().insert(key.to_owned(), until));
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
        self.timed(kv.delete(entry)).await?.map_err(|e| e.to_string())
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
