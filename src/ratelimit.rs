//! Rate-limit arithmetic: policies and the admission decision, as pure functions of
//! (now, stored log, policy, cost). The Worker keeps the log in KV or in a Durable Object per
//! quota (`RATE_LIMIT_BACKEND`); [`crate::admission`] admits a request's charges with either.
//!
//! The limiter is a sliding-window log: every admitted request leaves one entry
//! `(time, order, cost)`. A new request writes its entry first, then reads the log, and is admitted
//! when the costs of the in-window entries ordered at or before its own fit the quota. Entries that
//! order after it cannot take its place, so concurrent requests that all see each other's entries
//! admit exactly up to the quota.
//!
//! A class may have two quotas, each with its own log: the session's and, when set, one per group
//! of the session ([`Quota`], [`Scope`]). A request must fit both.

use crate::ids::{GroupId, SessionName};
use crate::ops::RateClass;
use crate::order::sorted_positions;
use crate::wire::joined;
use std::fmt;

/// Most units one window may hold: every unit is at most one log entry, and the whole log of a
/// window is listed on each limited request (1,000 keys a page).
pub const POLICY_UNITS_MAX: u32 = 5_000;
/// Longest window: a week.
pub const POLICY_WINDOW_MAX_SECS: u32 = 7 * 24 * 3600;

/// A quota: `units` per `window_secs` seconds (`"20/3600"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Units per window.
    pub units: u32,
    /// Window length in seconds.
    pub window_secs: u32,
}

impl Policy {
    /// Parses `"<units>/<seconds>"` (both positive integers); the error never repeats `s` (a
    /// setting's value).
    pub fn parse(s: &str) -> Result<Self, String> {
        let fail = || "expected \"<units>/<seconds>\" with positive integers, e.g. \"20/3600\"".to_owned();
        let (units, window) = s.trim().split_once('/').ok_or_else(fail)?;
        let units: u32 = units.trim().parse().map_err(|_| fail())?;
        let window_secs: u32 = window.trim().parse().map_err(|_| fail())?;
        if units == 0 || window_secs == 0 {
            return Err(fail());
        }
        if units > POLICY_UNITS_MAX || window_secs > POLICY_WINDOW_MAX_SECS {
            return Err(format!(
                "at most {POLICY_UNITS_MAX} units per window and a window of at most {POLICY_WINDOW_MAX_SECS} s \
                 (the log of a window is read on every limited request)"
            ));
        }
        Ok(Policy { units, window_secs })
    }

    /// The documented default of each class: conservative, below what is reported to get numbers
    /// throttled.
    pub fn default_for(class: RateClass) -> Self {
        match class {
            RateClass::Refresh => Policy { units: 6, window_secs: 3600 },
            RateClass::Add => Policy { units: 50, window_secs: 3600 },
            RateClass::Remove => Policy { units: 50, window_secs: 3600 },
            RateClass::Create => Policy { units: 10, window_secs: 86_400 },
        }
    }

    fn window_ms(self) -> u64 {
        u64::from(self.window_secs) * 1000
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.units, self.window_secs)
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LogEntry {
    /// When it was written, ms since the epoch.
    pub at_ms: u64,
    /// Tie-breaker among entries of the same millisecond (unique per writer).
    pub order: String,
    /// Units it holds.
    pub cost: u32,
}

impl LogEntry {
    /// The entry's KV key suffix: sorts like the entry (`<13-digit ms>-<order>-<cost>`).
    pub fn key(&self) -> String {
        format!("{:013}-{}-{}", self.at_ms, self.order, self.cost)
    }

    /// Parses a key suffix written by [`LogEntry::key`].
    pub fn from_key(key: &str) -> Option<Self> {
        let (at, rest) = key.split_once('-')?;
        let (order, cost) = rest.rsplit_once('-')?;
        Some(LogEntry { at_ms: at.parse().ok()?, order: order.to_owned(), cost: cost.parse().ok()? })
    }
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// Units left in the window after this decision.
    pub remaining: u32,
    /// Seconds until the oldest counted entry leaves the window (units start to come back).
    pub reset_secs: u64,
    /// For refusals: seconds until this request's cost would fit.
    pub retry_after_secs: Option<u64>,
}

impl Decision {
    /// The decision once the request's own `cost` units are given back: its entry was withdrawn
    /// because another quota refused the request.
    pub fn given_back(self, policy: Policy, cost: u32) -> Self {
        Decision { remaining: self.remaining.saturating_add(cost).min(policy.units), ..self }
    }
}

/// Whose requests a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every request of the class in the session.
    Session,
    /// The session's requests of the class to one group.
    Group,
}

/// A policy applied to one class and scope: one item of the `RateLimit` fields
/// (draft-ietf-httpapi-ratelimit-headers). A request must fit every quota of its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// The class counted.
    pub class: RateClass,
    /// Whose requests are counted.
    pub scope: Scope,
    /// Units per window.
    pub policy: Policy,
}

impl Quota {
    /// The item's name: the class (`add`), with `-group` for a group's quota (`add-group`).
    pub fn name(self) -> String {
        match self.scope {
            Scope::Session => self.class.as_str().to_owned(),
            Scope::Group => format!("{}-group", self.class.as_str()),
        }
    }

    /// The quota in words, for problem details: `the add quota of group 1203…@g.us of session
    /// default (20 per 3600 s)`.
    pub fn describe(self, session: &SessionName, group: Option<&GroupId>) -> String {
        let whose = match (self.scope, group) {
            (Scope::Group, Some(group)) => format!("group {} of session {session}", group.as_str()),
            _ => format!("session {session}"),
        };
        format!(
            "the {} quota of {whose} ({} per {} s)",
            self.class.as_str(),
            self.policy.units,
            self.policy.window_secs
        )
    }
}

/// The `RateLimit-Policy` field: one item per quota (`"add";q=50;w=3600, "add-group";q=20;w=3600`).
pub fn policy_field(quotas: &[Quota]) -> String {
    joined(quotas.iter().map(|q| format!("\"{}\";q={};w={}", q.name(), q.policy.units, q.policy.window_secs)), ", ")
}

/// The `RateLimit` field: one item per decided quota (`"add";r=49;t=3600, "add-group";r=19;t=3600`).
pub fn limit_field(decided: &[(Quota, Decision)]) -> String {
    joined(decided.iter().map(|(q, d)| format!("\"{}\";r={};t={}", q.name(), d.remaining, d.reset_secs)), ", ")
}

/// Parses every item of a `RateLimit` / `RateLimit-Policy` field (`"add";r=42;t=1800, …`) into
/// `(policy name, [the values of the two parameter keys])`; items missing one are skipped.
pub fn parse_field(value: &str, keys: [&str; 2]) -> Vec<(String, [u32; 2])> {
    value
        .split(',')
        .filter_map(|item| {
            let mut parts = item.trim().split(';');
            let policy = parts.next()?.trim().trim_matches('"').to_owned();
            let mut values = [None; 2];
            for part in parts {
                let Some((key, number)) = part.trim().split_once('=') else { continue };
                let Some(index) = keys.iter().position(|k| *k == key.trim()) else { continue };
                values[index] = number.trim().parse::<u32>().ok();
            }
            Some((policy, [values[0]?, values[1]?]))
        })
        .collect()
}

/// Whether a cost can ever fit the policy (else the request is refused with 422).
pub fn cost_fits(policy: Policy, cost: u32) -> bool {
    cost <= policy.units
}

fn secs_ceil(ms: u64) -> u64 {
    ms.div_ceil(1000)
}

/// Decides for `own` given the whole `log` as read (which should contain `own`).
///
/// Admitted iff the in-window entries ordered before `own`, plus `own`, fit `policy.units`.
pub fn decide(now_ms: u64, policy: Policy, log: &[LogEntry], own: &LogEntry) -> Decision {
    let since = now_ms.saturating_sub(policy.window_ms());
    let found: Vec<&LogEntry> = log.iter().filter(|e| e.at_ms > since && *e != own).collect();
    let window: Vec<&LogEntry> =
        sorted_positions(found.len(), &|a, b| found[a] <= found[b]).into_iter().map(|i| found[i]).collect();
    let before: Vec<&LogEntry> = window.iter().copied().filter(|e| *e < own).collect();
    let used_before: u64 = before.iter().map(|e| u64::from(e.cost)).sum();
    let allowed = used_before + u64::from(own.cost) <= u64::from(policy.units);
    let counted: u64 =
        window.iter().map(|e| u64::from(e.cost)).sum::<u64>() + if allowed { u64::from(own.cost) } else { 0 };
    let remaining = u64::from(policy.units).saturating_sub(counted);
    // The oldest counted entry: own may be older than every other entry (concurrent writers
    // stamped later); an entry stamped ahead of `now_ms` (another clock) never pushes it past a window.
    let oldest = window.first().map(|e| e.at_ms).into_iter().chain(allowed.then_some(own.at_ms)).min();
    let reset_secs = oldest
        .map_or(0, |at| secs_ceil((at + policy.window_ms()).saturating_sub(now_ms)).min(u64::from(policy.window_secs)));
    let retry_after_secs = (!allowed).then(|| retry_after(now_ms, policy, &before, own.cost));
    Decision { allowed, remaining: u32::try_from(remaining).unwrap_or(u32::MAX), reset_secs, retry_after_secs }
}

/// Seconds until enough of `before` (sorted, in window) has left the window for `cost` to fit.
fn retry_after(now_ms: u64, policy: Policy, before: &[&LogEntry], cost: u32) -> u64 {
    let mut used: u64 = before.iter().map(|e| u64::from(e.cost)).sum();
    for entry in before {
        used -= u64::from(entry.cost);
        if used + u64::from(cost) <= u64::from(policy.units) {
            return secs_ceil((entry.at_ms + policy.window_ms()).saturating_sub(now_ms)).max(1);
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at_ms: u64, order: &str, cost: u32) -> LogEntry {
        LogEntry { at_ms, order: order.into(), cost }
    }

    const P: Policy = Policy { units: 10, window_secs: 600 };

    #[test]
    fn policy_parses() {
        assert_eq!(Policy::parse("20/3600"), Ok(Policy { units: 20, window_secs: 3600 }));
        assert!(Policy::parse("5000/604800").is_ok());
        for bad in ["", "20", "0/10", "10/0", "-1/10", "a/b", "10/60/1", "5001/60", "10/604801"] {
            assert!(Policy::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fields_list_every_quota() {
        let session = Quota { class: RateClass::Add, scope: Scope::Session, policy: P };
        let group = Quota { scope: Scope::Group, policy: Policy { units: 3, window_secs: 60 }, ..session };
        assert_eq!(policy_field(&[session]), "\"add\";q=10;w=600");
        assert_eq!(policy_field(&[session, group]), "\"add\";q=10;w=600, \"add-group\";q=3;w=60");
        let d = |remaining, reset_secs| Decision { allowed: true, remaining, reset_secs, retry_after_secs: None };
        assert_eq!(
            limit_field(&[(session, d(9, 600)), (group, d(2, 60))]),
            "\"add\";r=9;t=600, \"add-group\";r=2;t=60"
        );
        let (s, g) = (SessionName::parse("sales").unwrap(), GroupId::parse("120363298657503778@g.us").unwrap());
        assert_eq!(
            group.describe(&s, Some(&g)),
            "the add quota of group 120363298657503778@g.us of session sales (3 per 60 s)"
        );
        assert_eq!(session.describe(&s, Some(&g)), "the add quota of session sales (10 per 600 s)");
        assert_eq!(d(9, 600).given_back(P, 3).remaining, 10, "never more than the quota");
        assert_eq!(d(4, 600).given_back(P, 3).remaining, 7);
    }

    #[test]
    fn fields_parse_back_to_what_was_written() {
        let session = Quota { class: RateClass::Add, scope: Scope::Session, policy: P };
        let group = Quota { scope: Scope::Group, policy: Policy { units: 3, window_secs: 60 }, ..session };
        let d = |remaining, reset_secs| Decision { allowed: true, remaining, reset_secs, retry_after_secs: None };
        let limits = limit_field(&[(session, d(9, 600)), (group, d(2, 60))]);
        assert_eq!(parse_field(&limits, ["r", "t"]), [("add".to_owned(), [9, 600]), ("add-group".to_owned(), [2, 60])]);
        let policies = policy_field(&[session, group]);
        assert_eq!(
            parse_field(&policies, ["q", "w"]),
            [("add".to_owned(), [10, 600]), ("add-group".to_owned(), [3, 60])]
        );
        // Items missing a parameter, or with a non-number, are skipped; unknown parameters ignored.
        assert_eq!(
            parse_field(r#""a";r=1, "b";t=2, "c";r=x;t=1, "d";r=3;t=4;z=9"#, ["r", "t"]),
            [("d".to_owned(), [3, 4])]
        );
        assert_eq!(parse_field("", ["r", "t"]), []);
    }

    #[test]
    fn key_round_trip_sorts_by_time() {
        let e = entry(1_700_000_000_123, "iso1-7", 3);
        assert_eq!(LogEntry::from_key(&e.key()), Some(e.clone()));
        assert!(entry(999, "z", 1).key() < entry(1000, "a", 1).key());
    }

    #[test]
    fn admits_up_to_the_quota_in_order() {
        let log: Vec<LogEntry> = (0..12).map(|i| entry(T, &format!("{i:02}"), 1)).collect();
        let admitted = log.iter().filter(|own| decide(T + 1000, P, &log, own).allowed).count();
        assert_eq!(admitted, 10);
        let last = decide(T + 1000, P, &log, &log[11]);
        assert!(!last.allowed);
        assert_eq!(last.remaining, 0);
        assert_eq!(last.retry_after_secs, Some(599));
    }

    /// A realistic epoch offset, so windows never saturate at zero.
    const T: u64 = 1_700_000_000_000;

    #[test]
    fn weighted_costs_and_exact_fit() {
        let log = vec![entry(T, "a", 7), entry(T + 1, "b", 3), entry(T + 2, "c", 1)];
        assert!(decide(T + 10, P, &log, &log[1]).allowed);
        let d = decide(T + 10, P, &log, &log[2]);
        assert!(!d.allowed);
        assert_eq!(d.remaining, 0);
    }

    #[test]
    fn window_edge_frees_units() {
        let log = vec![entry(T, "a", 10), entry(T + 599_999, "b", 1)];
        assert!(!decide(T + 599_999, P, &log, &log[1]).allowed, "an entry counts for the whole window");
        assert!(decide(T + 600_000, P, &log, &log[1]).allowed, "and leaves it exactly one window later");
    }

    #[test]
    fn retry_after_waits_for_enough_units() {
        let log = vec![entry(T, "a", 4), entry(T + 100_000, "b", 6), entry(T + 200_000, "c", 5)];
        let d = decide(T + 200_000, P, &log, &log[2]);
        assert!(!d.allowed);
        assert_eq!(d.retry_after_secs, Some(500), "the 6-unit entry must leave too");
        assert_eq!(d.reset_secs, 400, "the first units come back when the oldest entry leaves");
    }

    #[test]
    fn refund_is_removing_the_entry() {
        let mut log = vec![entry(T, "a", 10), entry(T + 1, "b", 2)];
        assert!(!decide(T + 5, P, &log, &log[1]).allowed);
        log.remove(0);
        assert!(decide(T + 5, P, &log, &log[0]).allowed);
    }

    #[test]
    fn cost_beyond_quota_never_fits() {
        assert!(cost_fits(P, 10));
        assert!(!cost_fits(P, 11));
    }

    #[test]
    fn reset_never_exceeds_the_window() {
        // Concurrent writers stamped one millisecond after `own`: its own entry is the oldest.
        let own = entry(T, "a", 1);
        let log = vec![own.clone(), entry(T + 1, "b", 1), entry(T + 1, "c", 1)];
        let d = decide(T, P, &log, &own);
        assert!(d.allowed);
        assert_eq!((d.remaining, d.reset_secs), (7, 600));
        // An entry from a clock running ahead orders after `own` and never pushes `t` past a window.
        let own = entry(T, "a", 1);
        let log = vec![own.clone(), entry(T + 5_000, "z", 10)];
        let d = decide(T, P, &log, &own);
        assert_eq!((d.allowed, d.remaining, d.reset_secs), (true, 0, 600));
    }

    #[test]
    fn empty_log_reports_full_quota_after_admission() {
        let own = entry(T, "x", 3);
        let d = decide(T, P, std::slice::from_ref(&own), &own);
        assert_eq!((d.allowed, d.remaining, d.reset_secs), (true, 7, 600));
    }
}
