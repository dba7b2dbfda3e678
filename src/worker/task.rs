//! The Worker's executor. A request's future is polled as soon as the request arrives, and again
//! right where a promise it waits on settles: no microtask hop per wake and no pair of wasm
//! closures per `await`, as wasm-bindgen's executor has (on a read passed straight through, those
//! were a measurable share of the Worker's time: BENCHMARKS.md). A future that finishes without
//! waiting is answered with its value, no promise made.
//!
//! [`settled`] awaits one of the runtime's promises: `task.js` reports its outcome by the number
//! and generation of the slot that waits for it, through one callback installed when the instance
//! starts. A slot given up (its future dropped first) is reused under a new generation, so a late
//! report for it is ignored.
//!
//! A task whose request the runtime cancelled is never woken again: the promises it waits on die
//! with the request. Such a task is dropped once it has waited [`PARKED_TASK_MAX_MS`], longer than
//! any wait of the Worker (each is under a timeout: the upstream's is under an hour, a store
//! call's under a minute; checked when this compiles).

use js_sys::{Array, Function, Promise};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen(module = "/src/worker/task.js")]
extern "C" {
    fn install(callback: &Function);
    fn watch(promise: &Promise, slot: u32, generation: u32);
    fn deferred() -> Array;
}

/// A task's future: a value for the runtime, or what it throws.
type Work = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// How long a task may wait for one wake before it is taken as cancelled and dropped.
pub const PARKED_TASK_MAX_MS: f64 = 2.0 * 3_600_000.0;

const _: () = assert!(
    PARKED_TASK_MAX_MS > crate::idempotency::UPSTREAM_TIMEOUT_MS_MAX as f64
        && PARKED_TASK_MAX_MS > crate::config::STORE_TIMEOUT_MS_MAX as f64,
    "a task is dropped only after every deadline it may wait under has passed"
);

/// How often parked tasks are checked for [`PARKED_TASK_MAX_MS`].
const SWEEP_EVERY_MS: f64 = 60_000.0;

/// A task waiting to be woken.
struct Parked {
    work: Work,
    waker: Waker,
    /// The resolve and reject functions of the promise handed out for it.
    settle: (Function, Function),
    /// When it last started waiting (`Date.now()`).
    since_ms: f64,
}

/// The isolate's tasks: those waiting, those woken, and whether one is being polled.
#[derive(Default)]
struct Executor {
    next_id: u64,
    /// By task id: as many as the isolate's requests waiting at once, so a list.
    parked: Vec<(u64, Parked)>,
    woken: VecDeque<u64>,
    polling: bool,
    last_sweep_ms: f64,
}

/// What waits on a slot's promise.
enum Slot {
    Free,
    Waiting(Waker),
    Settled(Result<JsValue, JsValue>),
}

/// The slots, each with its generation, and the free ones.
#[derive(Default)]
struct Slots {
    slots: Vec<(u32, Slot)>,
    free: Vec<u32>,
}

impl Slots {
    /// Takes a free slot for `waiting`: its number and generation.
    fn take(&mut self, waiting: Slot) -> (u32, u32) {
        match self.free.pop() {
            Some(slot) => {
                let entry = &mut self.slots[slot as usize];
                entry.1 = waiting;
                (slot, entry.0)
            }
            None => {
                self.slots.push((0, waiting));
                ((self.slots.len() - 1) as u32, 0)
            }
        }
    }

    /// Frees a slot under a new generation (a report for the old one is then ignored).
    fn release(&mut self, slot: u32) {
        let entry = &mut self.slots[slot as usize];
        entry.0 = entry.0.wrapping_add(1);
        entry.1 = Slot::Free;
        self.free.push(slot);
    }
}

thread_local! {
    static EXECUTOR: RefCell<Executor> = RefCell::default();
    static SLOTS: RefCell<Slots> = RefCell::default();
}

/// Wakes the task it was made for.
struct TaskWaker(u64);

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        EXECUTOR.with_borrow_mut(|executor| executor.woken.push_back(self.0));
        if !EXECUTOR.with_borrow(|executor| executor.polling) {
            run_woken();
        }
    }
}

/// Installs the callback `task.js` reports settled promises through; runs when the instance starts.
pub fn install_reporter() {
    let report = Closure::<dyn Fn(u32, u32, JsValue, bool)>::new(report);
    install(report.as_ref().unchecked_ref());
    report.forget();
}

/// Stores a slot's outcome and wakes its task (nothing when the slot was given up meanwhile).
fn report(slot: u32, generation: u32, value: JsValue, fulfilled: bool) {
    let outcome = if fulfilled { Ok(value) } else { Err(value) };
    let waiting = SLOTS.with_borrow_mut(|slots| {
        let (current, entry) = slots.slots.get_mut(slot as usize)?;
        if *current != generation {
            return None;
        }
        match std::mem::replace(entry, Slot::Settled(outcome)) {
            Slot::Waiting(waker) => Some(waker),
            other => {
                *entry = other;
                None
            }
        }
    });
    if let Some(waker) = waiting {
        waker.wake();
    }
}

/// Runs `work` to its end: its value when it finishes at once, else a promise of it.
pub fn run(work: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> JsValue {
    let id = EXECUTOR.with_borrow_mut(|executor| {
        executor.next_id += 1;
        executor.next_id
    });
    let mut work: Work = Box::pin(work);
    let waker = Waker::from(Arc::new(TaskWaker(id)));
    let nested = EXECUTOR.with_borrow(|executor| executor.polling);
    let outcome = match poll(&mut work, &waker) {
        Poll::Ready(Ok(value)) => value,
        Poll::Ready(Err(thrown)) => Promise::reject(&thrown).into(),
        Poll::Pending => {
            let parts = deferred();
            let settle = (parts.get(1).unchecked_into(), parts.get(2).unchecked_into());
            let since_ms = js_sys::Date::now();
            EXECUTOR.with_borrow_mut(|executor| executor.parked.push((id, Parked { work, waker, settle, since_ms })));
            drop_cancelled(since_ms);
            parts.get(0)
        }
    };
    if !nested {
        run_woken();
    }
    outcome
}

/// Drops the tasks that have waited [`PARKED_TASK_MAX_MS`] by `now` (checked once a minute, when
/// a task parks).
fn drop_cancelled(now: f64) {
    let expired: Vec<(u64, Parked)> = EXECUTOR.with_borrow_mut(|executor| {
        if now - executor.last_sweep_ms < SWEEP_EVERY_MS {
            return Vec::new();
        }
        executor.last_sweep_ms = now;
        executor.parked.extract_if(.., |(_, parked)| now - parked.since_ms > PARKED_TASK_MAX_MS).collect()
    });
    // Dropped outside the borrow: a future's drop may reach the runtime.
    drop(expired);
}

/// Polls a task's future once, marked as polling (a wake meanwhile is queued, not run).
fn poll(work: &mut Work, waker: &Waker) -> Poll<Result<JsValue, JsValue>> {
    let outer = EXECUTOR.with_borrow_mut(|executor| std::mem::replace(&mut executor.polling, true));
    let result = work.as_mut().poll(&mut Context::from_waker(waker));
    EXECUTOR.with_borrow_mut(|executor| executor.polling = outer);
    result
}

/// Polls every woken task until none is left.
fn run_woken() {
    while let Some(id) = EXECUTOR.with_borrow_mut(|executor| executor.woken.pop_front()) {
        // A task finished, or woken twice, is no longer parked.
        let parked = EXECUTOR.with_borrow_mut(|executor| {
            let at = executor.parked.iter().position(|(parked, _)| *parked == id)?;
            Some(executor.parked.swap_remove(at).1)
        });
        let Some(mut parked) = parked else { continue };
        match poll(&mut parked.work, &parked.waker) {
            Poll::Pending => {
                parked.since_ms = js_sys::Date::now();
                EXECUTOR.with_borrow_mut(|executor| executor.parked.push((id, parked)));
            }
            Poll::Ready(outcome) => {
                let (resolve, reject) = &parked.settle;
                let _ = match outcome {
                    Ok(value) => resolve.call1(&JsValue::UNDEFINED, &value),
                    Err(thrown) => reject.call1(&JsValue::UNDEFINED, &thrown),
                };
            }
        }
    }
}

/// A runtime promise awaited: its value, or what it rejects with.
pub struct Settled {
    promise: Option<Promise>,
    slot: Option<u32>,
}

/// Awaits `promise`.
pub fn settled(promise: Promise) -> Settled {
    Settled { promise: Some(promise), slot: None }
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(promise) = self.promise.take() {
            let (slot, generation) = SLOTS.with_borrow_mut(|slots| slots.take(Slot::Waiting(cx.waker().clone())));
            self.slot = Some(slot);
            watch(&promise, slot, generation);
            return Poll::Pending;
        }
        let Some(slot) = self.slot else { return Poll::Pending };
        let outcome = SLOTS.with_borrow_mut(|slots| {
            let entry = &mut slots.slots[slot as usize].1;
            match std::mem::replace(entry, Slot::Free) {
                Slot::Settled(outcome) => {
                    slots.release(slot);
                    Some(outcome)
                }
                Slot::Waiting(mut waker) => {
                    waker.clone_from(cx.waker());
                    *entry = Slot::Waiting(waker);
                    None
                }
                Slot::Free => None,
            }
        });
        if outcome.is_some() {
            self.slot = None;
        }
        outcome.map_or(Poll::Pending, Poll::Ready)
    }
}

impl Drop for Settled {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            SLOTS.with_borrow_mut(|slots| slots.release(slot));
        }
    }
}
