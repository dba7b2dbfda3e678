//! The rate limiter of one request: [`crate::admission::admit`] over the store `RATE_LIMIT_BACKEND`
//! names — the KV log ([`KvLogs`]) or one Durable Object per quota
//! ([`super::quota_object::ObjectLogs`]) — with this isolate's [`Memory`] of refusals.
//!
//! KV log, per quota: one `put` (the request's own entry, a unique key, so KV's
//! one-write-per-second-per-key limit never applies) and one `list` of the quota's prefix, then
//! [`crate::ratelimit::decide`]; a refused or refunded entry is deleted (one `delete` each).
//!
//! Nothing is serialized across requests: the log needs no lock (every request writes before it
//! reads and counts only the entries ordered before its own), and a lock shared by requests would
//! resume one request's task from another request's I/O context, which workerd refuses ("Cannot
//! perform I/O on behalf of a different request", then a bare 500 or a hung request).

use super::deadline::within;
use super::kv::Kv;
use super::quota_object::ObjectLogs;
use super::runtime::{console_error, now_ms, Env};
use super::KV_BINDING;
use crate::admission::{self, on_store_failure, Backend, Charge, LogStore, Memory, Meter, Outcome, Reservation};
use crate::config::GatewaySettings;
use crate::error::Error;
use crate::ids::{GroupId, SessionName};
use crate::ratelimit::{decide, Decision, LogEntry, Quota};
use crate::wire::record::Writer;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

pub use crate::admission::Held;

/// KV's shortest expiration TTL.
const KV_TTL_MIN_SECS: u64 = 60;
/// Most list pages read for one decision (1,000 keys each).
const LIST_PAGES_MAX: usize = 10;

thread_local! {
    /// What this isolate remembers of the logs.
    static MEMORY: Rc<RefCell<Memory>> = Rc::default();
    /// This isolate's id and entry sequence, the tie-breaker of entries of the same millisecond.
    static ORDER: (String, Cell<u32>) = (format!("{:08x}", (js_sys::Math::random() * f64::from(u32::MAX)) as u32), Cell::new(0));
}

/// A new entry order, unique to this isolate and increasing.
pub fn next_order() -> String {
    ORDER.with(|(isolate, seq)| {
        let n = seq.get().wrapping_add(1);
        seq.set(n);
        format!("{isolate}{n:08x}")
    })
}

/// What the limiter decided.
pub enum Admission {
    /// Proceed, with every quota's decision; `held` are the entries to remove for a refund.
    Allowed { decided: Vec<(Quota, Decision)>, held: Vec<Held> },
    /// Refused by the quota `by`; the quotas decided before it admitted the request and got its
    /// units back.
    Refused { given_back: Vec<(Quota, Decision)>, by: (Quota, Decision) },
    /// The store failed and the policy of the charged classes lets the request through.
    Unlimited,
}

/// A limiter for one request.
pub struct Limiter<'a> {
    env: &'a Env,
    settings: &'a GatewaySettings,
    /// KV operations spent so far.
    pub kv_ops: u32,
    /// Durable Object calls spent so far.
    pub do_calls: u32,
}

impl<'a> Limiter<'a> {
    /// A limiter using the bindings of `env`.
    pub fn new(env: &'a Env, settings: &'a GatewaySettings) -> Self {
        Limiter { env, settings, kv_ops: 0, do_calls: 0 }
    }

    /// Store operations spent so far (KV operations and Durable Object calls).
    pub fn store_calls(&self) -> u32 {
        self.kv_ops + self.do_calls
    }

    /// Decides whether the request may spend `charges` now, under every quota of each charged class
    /// (see [`crate::admission::meters`]): all admitted or none.
    pub async fn admit(
        &mut self,
        session: &SessionName,
        group: Option<&GroupId>,
        charges: &[Charge],
    ) -> Result<Admission, Error> {
        let meters = admission::meters(&self.settings.rate, session, group, charges)?;
        let memory = MEMORY.with(Rc::clone);
        let outcome = match self.logs() {
            Ok(mut logs) => admission::admit(&mut logs, &memory, now_ms, &meters).await.map_err(|e| e.0),
            Err(cause) => Err(cause),
        };
        match outcome {
            Ok(Outcome::Admitted { decided, held }) => Ok(Admission::Allowed { decided, held }),
            Ok(Outcome::Refused { given_back, by, .. }) => Ok(Admission::Refused { given_back, by }),
            Err(cause) => {
                let classes: Vec<String> = charges.iter().map(|c| c.class.as_str().to_owned()).collect();
                let line = Writer::open().string("rateLimitStoreError", &cause).strings("classes", &classes).finish();
                console_error(&line);
                on_store_failure(&self.settings.rate, charges).map(|()| Admission::Unlimited)
            }
        }
    }

    /// Gives back the units of an admitted request that never reached WhatsApp: removes its
    /// entries (every one is tried; a failure is returned).
    pub async fn refund(&mut self, held: &[Held]) -> Result<(), String> {
        let memory = MEMORY.with(Rc::clone);
        match self.logs() {
            Ok(mut logs) => admission::release(&mut logs, &memory, held).await,
            Err(cause) => {
                log_release_failure(&cause);
                Err(cause)
            }
        }
    }

    /// The store of the configured backend.
    fn logs(&mut self) -> Result<Logs<'_>, String> {
        let timeout_ms = self.settings.store_timeout_ms;
        Ok(match self.settings.rate.backend() {
            Backend::Kv => {
                let kv = Kv::open(self.env).map_err(|e| format!("KV binding {KV_BINDING}: {e}"))?;
                Logs::Kv(KvLogs { kv, timeout_ms, ops: &mut self.kv_ops })
            }
            Backend::DurableObject => Logs::Objects(ObjectLogs::open(self.env, timeout_ms, &mut self.do_calls)?),
        })
    }
}

/// The store `RATE_LIMIT_BACKEND` names.
enum Logs<'a> {
    Kv(KvLogs<'a>),
    Objects(ObjectLogs<'a>),
}

impl LogStore for Logs<'_> {
    async fn reserve(&mut self, meter: &Meter) -> Result<Reservation, String> {
        match self {
            Logs::Kv(kv) => kv.reserve(meter).await,
            Logs::Objects(objects) => objects.reserve(meter).await,
        }
    }

    /// Every failure is logged here: a withdrawal's failure leaves the refusal standing (the entry
    /// then counts until it leaves the window), a refund's is also returned.
    async fn release(&mut self, log: &str, entry: &LogEntry) -> Result<(), String> {
        let result = match self {
            Logs::Kv(kv) => kv.release(log, entry).await,
            Logs::Objects(objects) => objects.release(log, entry).await,
        };
        if let Err(cause) = &result {
            log_release_failure(cause);
        }
        result
    }
}

/// Logs a store failure met while releasing entries.
fn log_release_failure(cause: &str) {
    console_error(&Writer::open().string("rateLimitStoreError", cause).plain("releasing", true).finish());
}

/// Runs one store call under the store timeout, counting it in `calls`.
pub async fn timed<T>(calls: &mut u32, timeout_ms: u32, op: impl Future<Output = T>) -> Result<T, String> {
    *calls += 1;
    within(timeout_ms, op).await.map_err(|why| format!("store call {why}"))
}

/// The logs in KV, one key per entry under the log's prefix.
struct KvLogs<'a> {
    kv: Kv,
    timeout_ms: u32,
    ops: &'a mut u32,
}

impl KvLogs<'_> {
    async fn list(&mut self, prefix: &str) -> Result<Vec<LogEntry>, String> {
        let mut entries = Vec::new();
        let mut cursor = None;
        for _ in 0..LIST_PAGES_MAX {
            let page = timed(self.ops, self.timeout_ms, self.kv.list(prefix, cursor.take())).await??;
            entries.extend(page.names.iter().filter_map(|k| LogEntry::from_key(k.strip_prefix(prefix)?)));
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok(entries)
    }
}

impl LogStore for KvLogs<'_> {
    /// Writes the request's entry, lists the log and decides by order; the entry stays written
    /// either way (a refusal releases it). When the store fails meanwhile, the entry is taken back
    /// (as far as the store lets it): a request refused for the failure spends nothing.
    async fn reserve(&mut self, meter: &Meter) -> Result<Reservation, String> {
        let policy = meter.quota.policy;
        // Stamped right before the write, so entries order like their writes.
        let now = now_ms();
        let own = LogEntry { at_ms: now, order: next_order(), cost: meter.cost };
        let ttl = u64::from(policy.window_secs).max(KV_TTL_MIN_SECS);
        let key = format!("{}{}", meter.log, own.key());
        let listed = match timed(self.ops, self.timeout_ms, self.kv.put(&key, "", ttl)).await {
            Ok(Ok(())) => self.list(&meter.log).await,
            Ok(Err(cause)) | Err(cause) => Err(cause),
        };
        let log = match listed {
            Ok(log) => log,
            Err(cause) => {
                // A write that timed out may have landed all the same.
                let _ = self.release(&meter.log, &own).await;
                return Err(cause);
            }
        };
        let decision = decide(now, policy, &log, &own);
        let counted = if decision.allowed { Vec::new() } else { log.into_iter().filter(|e| *e < own).collect() };
        Ok(Reservation { decision, held: Some(own), counted })
    }

    async fn release(&mut self, log: &str, entry: &LogEntry) -> Result<(), String> {
        let key = format!("{log}{}", entry.key());
        timed(self.ops, self.timeout_ms, self.kv.delete(&key)).await?
    }
}
