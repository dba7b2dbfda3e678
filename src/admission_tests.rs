use super::*;
use crate::ops::RateClass;
use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs a future that never waits (the test store answers at once).
fn run<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the test store never waits"),
    }
}

/// A realistic epoch offset.
const T: u64 = 1_700_000_000_000;

/// Logs in memory, deciding like one of the two stores: `writes_first` like KV (write the entry,
/// read the log, decide by order), else like a Durable Object ([`decide_next`], written if admitted).
#[derive(Default)]
struct TestStore {
    logs: HashMap<String, Vec<LogEntry>>,
    now: u64,
    writes_first: bool,
    /// Reserve calls before the store fails (`None`: never).
    fails_after: Option<usize>,
    calls: usize,
    seq: u32,
}

impl TestStore {
    fn serial() -> Self {
        TestStore { now: T, ..Default::default() }
    }

    fn units(&self, log: &str) -> u32 {
        self.logs.get(log).map_or(0, |l| l.iter().map(|e| e.cost).sum())
    }
}

impl LogStore for TestStore {
    async fn reserve(&mut self, meter: &Meter) -> Result<Reservation, String> {
        self.calls += 1;
        if self.fails_after.is_some_and(|n| self.calls > n) {
            return Err("store down".into());
        }
        self.seq += 1;
        let order = format!("{:04}", self.seq);
        let log = self.logs.entry(meter.log.clone()).or_default();
        let policy = meter.quota.policy;
        if self.writes_first {
            let own = LogEntry { at_ms: self.now, order, cost: meter.cost };
            log.push(own.clone());
            let decision = decide(self.now, policy, log, &own);
            let counted = log.iter().filter(|e| **e < own).cloned().collect();
            return Ok(Reservation { decision, held: Some(own), counted });
        }
        let (decision, own) = decide_next(self.now, policy, log, meter.cost, order);
        if decision.allowed {
            log.push(own.clone());
            return Ok(Reservation { decision, held: Some(own), counted: Vec::new() });
        }
        Ok(Reservation { decision, held: None, counted: log.clone() })
    }

    async fn release(&mut self, log: &str, entry: &LogEntry) -> Result<(), String> {
        self.logs.get_mut(log).ok_or("no such log")?.retain(|e| e != entry);
        Ok(())
    }
}

fn rate(settings: &'static [(&'static str, &'static str)]) -> RateLimits {
    RateLimits::from_lookup(|name| settings.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())).unwrap()
}

fn session() -> SessionName {
    SessionName::parse("sales").unwrap()
}

fn group() -> GroupId {
    GroupId::parse("120363298657503778@g.us").unwrap()
}

const ADD: RateClass = RateClass::Add;
const REMOVE: RateClass = RateClass::Remove;

fn charge(class: RateClass, cost: u32) -> Charge {
    Charge { class, cost }
}

const PAIR: &[(&str, &str)] = &[("LIMIT_ADD", "10/600"), ("LIMIT_ADD_PER_GROUP", "3/600"), ("LIMIT_REMOVE", "5/600")];

#[test]
fn backend_setting() {
    assert_eq!(Backend::parse(None), Ok(Backend::Kv));
    assert_eq!(Backend::parse(Some(" ")), Ok(Backend::Kv));
    assert_eq!(Backend::parse(Some("kv")), Ok(Backend::Kv));
    assert_eq!(Backend::parse(Some(" durable-object ")), Ok(Backend::DurableObject));
    let err = Backend::parse(Some("redis-secret")).unwrap_err();
    assert!(err.starts_with("RATE_LIMIT_BACKEND:") && !err.contains("redis-secret"), "{err}");
}

#[test]
fn meters_of_charges() {
    let r = rate(PAIR);
    let (s, g) = (session(), group());
    let m = meters(&r, &s, Some(&g), &[charge(ADD, 2)]).unwrap();
    let logs: Vec<(&str, u32)> = m.iter().map(|m| (m.log.as_str(), m.cost)).collect();
    assert_eq!(logs, [("rl/sales/add/", 2), ("rlg/sales/120363298657503778@g.us/add/", 2)]);
    assert_eq!(m[1].quota.scope, Scope::Group);
    // Two classes at once, in charge order; a class charged twice adds up.
    let m = meters(&r, &s, Some(&g), &[charge(REMOVE, 1), charge(ADD, 1), charge(ADD, 1)]).unwrap();
    let logs: Vec<(&str, u32)> = m.iter().map(|m| (m.log.as_str(), m.cost)).collect();
    assert_eq!(logs, [("rl/sales/remove/", 1), ("rl/sales/add/", 2), ("rlg/sales/120363298657503778@g.us/add/", 2)]);
    // No group: no group quota. Refresh is never per group.
    assert_eq!(meters(&r, &s, None, &[charge(ADD, 1)]).unwrap().len(), 1);
    assert_eq!(meters(&r, &s, Some(&g), &[charge(RateClass::Refresh, 1)]).unwrap()[0].log, "rl/sales/refresh/");
    // A class switched off has no meter.
    assert!(meters(&rate(&[("LIMIT_ADD", "off")]), &s, Some(&g), &[charge(ADD, 9)]).unwrap().is_empty());
    // More than a whole quota: 422 naming the quota, whichever charge made it so.
    let err = meters(&r, &s, Some(&g), &[charge(ADD, 2), charge(ADD, 2)]).unwrap_err();
    assert_eq!(err.code, ErrorCode::CostExceedsQuota);
    assert!(
        err.detail.contains("costs 4 units") && err.detail.contains("group 120363298657503778@g.us"),
        "{}",
        err.detail
    );
}

#[test]
fn store_failure_policy_of_charges() {
    let r = RateLimits::default();
    assert!(on_store_failure(&r, &[charge(REMOVE, 1)]).is_ok(), "remove is let through by default");
    let err = on_store_failure(&r, &[charge(REMOVE, 1), charge(ADD, 1)]).unwrap_err();
    assert_eq!((err.code, err.retry_after), (ErrorCode::StoreUnavailable, Some(STORE_FAILURE_RETRY_SECS)));
    assert!(err.detail.contains("add requests"), "{}", err.detail);
    let open = rate(&[("RATE_LIMIT_ON_STORE_ERROR", "add:allow")]);
    assert!(on_store_failure(&open, &[charge(REMOVE, 1), charge(ADD, 1)]).is_ok());
}

const P: Policy = Policy { units: 10, window_secs: 600 };

#[test]
fn serial_decider_admits_exactly_the_quota() {
    let mut log = Vec::new();
    let mut admitted = 0;
    for i in 0..40 {
        // Every request of the same millisecond, as in a burst.
        let (d, own) = decide_next(T, P, &log, 1, format!("{i:02}"));
        if d.allowed {
            admitted += 1;
            log.push(own);
        } else {
            assert_eq!((d.remaining, d.retry_after_secs), (0, Some(600)));
        }
    }
    assert_eq!(admitted, 10);
    // Orders do not matter: an entry ordered after the probe's order still counts.
    let log = vec![LogEntry { at_ms: T, order: "zzzz".into(), cost: 10 }];
    assert!(!decide_next(T, P, &log, 1, "a".into()).0.allowed);
    // A clock that stepped back counts entries stamped "later", and stamps after them.
    let log = vec![LogEntry { at_ms: T + 5_000, order: "a".into(), cost: 9 }];
    let (d, own) = decide_next(T, P, &log, 1, "b".into());
    assert_eq!((d.allowed, d.remaining, own.at_ms), (true, 0, T + 5_000));
    assert!(!decide_next(T, P, &[log[0].clone(), own], 1, "c".into()).0.allowed);
    // Entries leave the window.
    let log = vec![LogEntry { at_ms: T, order: "a".into(), cost: 10 }];
    assert!(decide_next(T + 600_000, P, &log, 10, "b".into()).0.allowed);
}

fn outcome(store: &mut TestStore, memory: &RefCell<Memory>, meters: &[Meter]) -> Result<Outcome, StoreFailed> {
    let now = store.now;
    run(admit(store, memory, || now, meters))
}

fn remaining(outcome: &Outcome) -> Vec<(String, u32)> {
    let items = match outcome {
        Outcome::Admitted { decided, .. } => decided.clone(),
        Outcome::Refused { given_back, by, .. } => given_back.iter().copied().chain([*by]).collect(),
    };
    items.iter().map(|(q, d)| (q.name(), d.remaining)).collect()
}

#[test]
fn all_charges_or_none() {
    for writes_first in [false, true] {
        let mut store = TestStore { writes_first, ..TestStore::serial() };
        let memory = RefCell::default();
        let r = rate(PAIR);
        let (s, g) = (session(), group());
        // 4 of the 5 remove units used.
        let removes = meters(&r, &s, Some(&g), &[charge(REMOVE, 4)]).unwrap();
        assert!(matches!(outcome(&mut store, &memory, &removes), Ok(Outcome::Admitted { .. })));
        // add 2 (fits the session and the group) + remove 2 (does not fit): nothing is spent.
        let both = meters(&r, &s, Some(&g), &[charge(ADD, 2), charge(REMOVE, 2)]).unwrap();
        let refused = outcome(&mut store, &memory, &both).unwrap();
        let Outcome::Refused { by, from_memory, .. } = &refused else { panic!("{refused:?}") };
        assert_eq!((by.0.class, *from_memory), (REMOVE, false));
        assert_eq!(remaining(&refused), [("add".into(), 10), ("add-group".into(), 3), ("remove".into(), 1)]);
        assert_eq!(store.units("rl/sales/add/"), 0, "the add entry was released (writes first: {writes_first})");
        assert_eq!(store.units("rlg/sales/120363298657503778@g.us/add/"), 0);
        assert_eq!(store.units("rl/sales/remove/"), 4);
        // add 2 + remove 1 fits all three quotas: every entry stays until a refund.
        let fits = meters(&r, &s, Some(&g), &[charge(ADD, 2), charge(REMOVE, 1)]).unwrap();
        let admitted = outcome(&mut store, &memory, &fits).unwrap();
        assert_eq!(remaining(&admitted), [("add".into(), 8), ("add-group".into(), 1), ("remove".into(), 0)]);
        let Outcome::Admitted { held, .. } = admitted else { unreachable!() };
        assert_eq!(held.len(), 3);
        run(release(&mut store, &memory, &held)).unwrap();
        assert_eq!((store.units("rl/sales/add/"), store.units("rl/sales/remove/")), (0, 4), "a refund gives back all");
    }
}

#[test]
fn a_store_failure_releases_what_was_reserved() {
    let mut store = TestStore { fails_after: Some(1), ..TestStore::serial() };
    let memory = RefCell::default();
    let m = meters(&rate(PAIR), &session(), Some(&group()), &[charge(ADD, 1)]).unwrap();
    assert_eq!(outcome(&mut store, &memory, &m), Err(StoreFailed("store down".into())));
    assert_eq!(store.units("rl/sales/add/"), 0, "the session entry does not count for a failed request");
}

#[test]
fn memory_refuses_what_cannot_fit_without_a_store_call() {
    for writes_first in [false, true] {
        let mut store = TestStore { writes_first, ..TestStore::serial() };
        let memory = RefCell::default();
        let r = rate(&[("LIMIT_ADD", "10/600")]);
        let m = |cost| meters(&r, &session(), None, &[charge(ADD, cost)]).unwrap();
        let Ok(Outcome::Admitted { held, .. }) = outcome(&mut store, &memory, &m(8)) else { panic!() };
        let first = outcome(&mut store, &memory, &m(3)).unwrap();
        assert!(matches!(first, Outcome::Refused { from_memory: false, .. }), "{first:?}");
        let calls = store.calls;
        let again = outcome(&mut store, &memory, &m(3)).unwrap();
        let Outcome::Refused { by: (_, d), from_memory: true, .. } = again else { panic!("{again:?}") };
        assert_eq!((d.remaining, d.retry_after_secs, store.calls), (2, Some(600), calls), "no store call");
        // A smaller request that fits what is remembered goes to the store.
        assert!(matches!(outcome(&mut store, &memory, &m(2)), Ok(Outcome::Admitted { .. })));
        assert_eq!(store.calls, calls + 1);
        // A refund lifts the block at once: the refunded entry is no longer remembered.
        run(release(&mut store, &memory, &held)).unwrap();
        assert!(matches!(outcome(&mut store, &memory, &m(3)), Ok(Outcome::Admitted { .. })), "{writes_first}");
    }
}

#[test]
fn memory_lets_go_when_the_window_moves_on() {
    let mut memory = Memory::default();
    let entries = vec![
        LogEntry { at_ms: T, order: "a".into(), cost: 6 },
        LogEntry { at_ms: T + 1000, order: "b".into(), cost: 4 },
    ];
    memory.remember("rl/x/add/", T + 1000, P, entries.clone());
    assert!(memory.refused("rl/x/add/", T + 2000, P, 1).is_some());
    assert!(memory.refused("rl/y/add/", T + 2000, P, 1).is_none(), "another log knows nothing");
    // The 6-unit entry has left: 1 unit fits what is remembered, so the memory is dropped.
    assert!(memory.refused("rl/x/add/", T + 600_000, P, 1).is_none());
    assert!(memory.refused("rl/x/add/", T + 600_000, P, 7).is_none(), "dropped, the store decides");
    // Entries this isolate withdrew are never remembered, though a list read earlier showed them.
    memory.forget("rl/x/add/", entries[0].clone());
    memory.remember("rl/x/add/", T + 1000, P, entries);
    assert!(memory.refused("rl/x/add/", T + 2000, P, 7).is_some());
    assert!(memory.refused("rl/x/add/", T + 2000, P, 6).is_none(), "only the 4-unit entry counts");
}

#[test]
fn memory_keeps_only_logs_with_something_to_remember() {
    let mut memory = Memory::default();
    let entry = |session: usize| LogEntry { at_ms: T, order: format!("{session}"), cost: 10 };
    for session in 0..100 {
        memory.remember(&format!("rl/s{session}/add/"), T + 1000, P, vec![entry(session)]);
    }
    assert_eq!(memory.logs.len(), 100);
    assert!(memory.refused("rl/s42/add/", T + 2000, P, 1).is_some(), "each log is found among many");
    // Once the window moved on, each log lets go of its entries and the list of the whole log.
    for session in 0..100 {
        assert!(memory.refused(&format!("rl/s{session}/add/"), T + 600_000, P, 1).is_none());
    }
    assert!(memory.logs.is_empty(), "{} logs kept", memory.logs.len());
    // A log with withdrawn entries stays while it has them: they must not count again.
    memory.forget("rl/s1/add/", entry(1));
    memory.remember("rl/s1/add/", T + 1000, P, vec![entry(1)]);
    assert_eq!(memory.logs.len(), 1);
    assert!(memory.refused("rl/s1/add/", T + 2000, P, 1).is_none(), "the withdrawn entry does not count");
}
