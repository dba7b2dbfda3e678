//! Admission of one request's rate-limit charges, whatever store keeps the logs.
//!
//! A request carries a list of [`Charge`]s, `(class, cost)` (a group create may one day spend
//! `create` and `add` units at once). Each charged class has one or two quotas (the session's, and
//! a group's where set); each quota is a [`Meter`] with its own log. [`admit`] decides the meters
//! in turn through a [`LogStore`] and admits the request only when every meter admits it: a
//! refusal (or a store failure) releases the entries the earlier meters reserved, so a refused
//! request spends nothing anywhere. The arithmetic is [`crate::ratelimit::decide`], shared by
//! every store; [`decide_next`] is how a store that sees requests one at a time (a Durable Object)
//! applies it.
//!
//! [`Memory`] is what one isolate remembers of the logs: the entries that refused its last refused
//! request. A request that cannot fit even those is refused with no store call until enough of
//! them leave the window.

use crate::config::{RateLimits, StoreFailure};
use crate::error::{Error, ErrorCode};
use crate::ids::{GroupId, SessionName};
use crate::ratelimit::{cost_fits, decide, Decision, LogEntry, Policy, Quota, Scope};
use std::cell::RefCell;

/// Where the rate-limit logs live (`RATE_LIMIT_BACKEND`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Backend {
    /// A log per quota in Workers KV (`kv`, the default).
    #[default]
    Kv,
    /// One Durable Object per quota decides it (`durable-object`).
    DurableObject,
}

impl Backend {
    /// Parses `RATE_LIMIT_BACKEND`: `kv` (also when unset or empty) or `durable-object`.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("" | "kv") => Ok(Backend::Kv),
            Some("durable-object") => Ok(Backend::DurableObject),
            Some(_) => Err("RATE_LIMIT_BACKEND: expected \"kv\" or \"durable-object\"".into()),
        }
    }
}

pub use crate::ops::Charge;

/// One quota a request must fit: the log that counts it and the units the request spends in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meter {
    /// The quota.
    pub quota: Quota,
    /// The quota's log: a KV key prefix, and the name of its Durable Object (`rl/<session>/<class>/`,
    /// `rlg/<session>/<group>/<class>/`; the two never overlap, as sessions and group ids hold no `/`).
    pub log: String,
    /// Units the request spends in it.
    pub cost: u32,
}

/// The log of `quota` (`None`: a group's quota, for a request to no group).
fn log_name(quota: Quota, session: &SessionName, group: Option<&GroupId>) -> Option<String> {
    let class = quota.class.as_str();
    match quota.scope {
        Scope::Session => Some(format!("rl/{session}/{class}/")),
        Scope::Group => Some(format!("rlg/{session}/{}/{class}/", group?.as_str())),
    }
}

/// Every meter of `charges`: the quotas of each charged class, in charge order, the session's
/// before the group's; two charges of one class add up. A cost beyond a whole quota is
/// `422 cost_exceeds_quota` (waiting never helps).
pub fn meters(
    rate: &RateLimits,
    session: &SessionName,
    group: Option<&GroupId>,
    charges: &[Charge],
) -> Result<Vec<Meter>, Error> {
    let mut meters: Vec<Meter> = Vec::new();
    for charge in charges {
        for quota in rate.quotas(charge.class) {
            let Some(log) = log_name(quota, session, group) else { continue };
            match meters.iter_mut().find(|m| m.log == log) {
                Some(meter) => meter.cost = meter.cost.saturating_add(charge.cost),
                None => meters.push(Meter { quota, log, cost: charge.cost }),
            }
        }
    }
    if let Some(meter) = meters.iter().find(|m| !cost_fits(m.quota.policy, m.cost)) {
        let detail = format!(
            "this request costs {} units, more than {} holds",
            meter.cost,
            meter.quota.describe(session, group)
        );
        return Err(Error::new(ErrorCode::CostExceedsQuota, detail));
    }
    Ok(meters)
}

/// Seconds a client waits after a store failure was refused.
pub const STORE_FAILURE_RETRY_SECS: u64 = 5;

/// What a request of `charges` does when the store fails: `Ok` lets it through unmetered (every
/// charged class allows it), else the `503 store_unavailable` of the first class that refuses.
pub fn on_store_failure(rate: &RateLimits, charges: &[Charge]) -> Result<(), Error> {
    match charges.iter().find(|c| rate.on_store_error(c.class) == StoreFailure::Deny) {
        None => Ok(()),
        Some(charge) => Err(Error::new(
            ErrorCode::StoreUnavailable,
            format!(
                "the rate-limit store is unavailable; {} requests are refused until it is back",
                charge.class.as_str()
            ),
        )
        .with_retry_after(STORE_FAILURE_RETRY_SECS)),
    }
}

/// An order that sorts after every order a writer makes: a probe ordered after the whole log.
const LAST_ORDER: &str = "\u{10ffff}";

/// Decides `cost` units for a request ordered after every entry of `log`, as one decider that
/// sees every request in turn (a Durable Object) does: everything in the window counts. Returns
/// the decision and the request's entry, stamped no earlier than the latest entry (a clock that
/// stepped back never orders it before one); `order` makes its key unique.
pub fn decide_next(now_ms: u64, policy: Policy, log: &[LogEntry], cost: u32, order: String) -> (Decision, LogEntry) {
    let at_ms = log.iter().map(|e| e.at_ms).fold(now_ms, u64::max);
    let probe = LogEntry { at_ms, order: LAST_ORDER.into(), cost };
    let decision = decide(now_ms, policy, log, &probe);
    (decision, LogEntry { order, ..probe })
}

/// Most withdrawn entries remembered per log.
const GONE_MAX: usize = 1024;

/// What an isolate remembers of one log.
#[derive(Debug, Default)]
struct Known {
    /// The in-window entries that refused the last refused request: a lower bound of the log.
    entries: Vec<LogEntry>,
    /// Entries this isolate withdrew or refunded (in window): never part of `entries`, even when
    /// a list read before the delete still showed them.
    gone: Vec<LogEntry>,
}

/// What one isolate remembers of the logs it used, by log name: only logs with something to
/// remember are kept (a few per session refused or refunded lately), so a list is searched.
#[derive(Debug, Default)]
pub struct Memory {
    logs: Vec<(String, Known)>,
}

impl Memory {
    /// The refusal of `cost` units when the entries remembered in `log` leave no room for them
    /// at `now_ms`; `None` (and the memory of the log dropped) once they do.
    pub fn refused(&mut self, log: &str, now_ms: u64, policy: Policy, cost: u32) -> Option<Decision> {
        let at = self.logs.iter().position(|(name, known)| name == log && !known.entries.is_empty())?;
        let known = &mut self.logs[at].1;
        // Ordered after every known entry, as a new entry would be.
        let own = LogEntry { at_ms: now_ms, order: LAST_ORDER.into(), cost };
        let decision = decide(now_ms, policy, &known.entries, &own);
        if decision.allowed {
            known.entries.clear();
            if known.gone.is_empty() {
                self.logs.swap_remove(at);
            }
            return None;
        }
        Some(decision)
    }

    /// Remembers `counted`, the entries of `log` that refused a request at `now_ms`: those still in
    /// the window, less those this isolate withdrew.
    pub fn remember(&mut self, log: &str, now_ms: u64, policy: Policy, counted: Vec<LogEntry>) {
        let since = now_ms.saturating_sub(u64::from(policy.window_secs) * 1000);
        let known = self.known(log);
        known.gone.retain(|e| e.at_ms > since);
        known.entries = counted.into_iter().filter(|e| e.at_ms > since && !known.gone.contains(e)).collect();
    }

    /// What is remembered of `log`, made empty when nothing is.
    fn known(&mut self, log: &str) -> &mut Known {
        let at = match self.logs.iter().position(|(name, _)| name == log) {
            Some(at) => at,
            None => {
                self.logs.push((log.to_owned(), Known::default()));
                self.logs.len() - 1
            }
        };
        &mut self.logs[at].1
    }

    /// Records that this isolate removed `entry` from `log`.
    pub fn forget(&mut self, log: &str, entry: LogEntry) {
        let known = self.known(log);
        known.entries.retain(|e| *e != entry);
        if known.gone.len() >= GONE_MAX {
            // The oldest removals were long read back by every list: drop them.
            known.gone.drain(..GONE_MAX / 2);
        }
        known.gone.push(entry);
    }
}

/// A store's answer for one meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// The meter's decision.
    pub decision: Decision,
    /// The request's entry, when it is in the log (always when admitted; a store that writes
    /// before it decides also holds a refused one): released on refusal or refund.
    pub held: Option<LogEntry>,
    /// For refusals: the in-window entries that refused it, for [`Memory`].
    pub counted: Vec<LogEntry>,
}

/// A store of rate-limit logs.
#[allow(async_fn_in_trait)] // Implemented and awaited on one thread (the Worker's).
pub trait LogStore {
    /// Decides `meter` in its log.
    async fn reserve(&mut self, meter: &Meter) -> Result<Reservation, String>;
    /// Removes `entry` from `log`.
    async fn release(&mut self, log: &str, entry: &LogEntry) -> Result<(), String>;
}

/// An entry a request holds in a log: removed when the request is refused or refunded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The log.
    pub log: String,
    /// The entry.
    pub entry: LogEntry,
}

/// What [`admit`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every meter admitted the request, each with its decision; `held` are the entries a refund
    /// removes.
    Admitted { decided: Vec<(Quota, Decision)>, held: Vec<Held> },
    /// The quota `by` refused the request; the quotas decided before it admitted it and got its
    /// units back. `from_memory`: refused by this isolate's memory, with no store call.
    Refused { given_back: Vec<(Quota, Decision)>, by: (Quota, Decision), from_memory: bool },
}

/// A store failure; the entries reserved before it were released (as far as the store allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFailed(pub String);

/// Decides `meters` (all admitted or none) through `store`, with this isolate's `memory`; `now`
/// is the isolate's clock in ms since the epoch.
pub async fn admit<S: LogStore>(
    store: &mut S,
    memory: &RefCell<Memory>,
    now: impl Fn() -> u64,
    meters: &[Meter],
) -> Result<Outcome, StoreFailed> {
    for meter in meters {
        let refusal = memory.borrow_mut().refused(&meter.log, now(), meter.quota.policy, meter.cost);
        if let Some(decision) = refusal {
            return Ok(Outcome::Refused { given_back: Vec::new(), by: (meter.quota, decision), from_memory: true });
        }
    }
    let mut held: Vec<Held> = Vec::new();
    let mut decided: Vec<(Quota, Decision)> = Vec::new();
    for meter in meters {
        let reservation = match store.reserve(meter).await {
            Ok(reservation) => reservation,
            Err(cause) => {
                // A refusal must stand, an "allow" must not leave units spent: release either way.
                let _ = release(store, memory, &held).await;
                return Err(StoreFailed(cause));
            }
        };
        held.extend(reservation.held.map(|entry| Held { log: meter.log.clone(), entry }));
        let decision = reservation.decision;
        if !decision.allowed {
            memory.borrow_mut().remember(&meter.log, now(), meter.quota.policy, reservation.counted);
            // The refusal stands even if a release fails (those units then count until they
            // leave the window); the store reports the failure.
            let _ = release(store, memory, &held).await;
            // `decided` holds the meters before this one, in order.
            let given_back = decided.into_iter().zip(meters).map(|((q, d), m)| (q, d.given_back(q.policy, m.cost)));
            return Ok(Outcome::Refused {
                given_back: given_back.collect(),
                by: (meter.quota, decision),
                from_memory: false,
            });
        }
        decided.push((meter.quota, decision));
    }
    Ok(Outcome::Admitted { decided, held })
}

/// Removes every `held` entry (a refund, or a withdrawal); every one is tried, the last failure
/// is returned.
pub async fn release<S: LogStore>(store: &mut S, memory: &RefCell<Memory>, held: &[Held]) -> Result<(), String> {
    let mut result = Ok(());
    for Held { log, entry } in held {
        match store.release(log, entry).await {
            Ok(()) => memory.borrow_mut().forget(log, entry.clone()),
            Err(cause) => result = Err(cause),
        }
    }
    result
}

#[cfg(test)]
#[path = "admission_tests.rs"]
mod tests;
