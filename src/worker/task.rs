//! The Worker's executor. A request's future is polled as soon as the request arrives, and again
//! right where a promise it waits on settles: no microtask hop per wake and no pair of wasm
//! closures per `await`, as wasm-bindgen's executor has (on a read passed straight through, those
//! were a measurable share of the Worker's time: BENCHMARKS.md). A future that finishes without
//! waiting is answered with its value, no promise made.
//!
//! [`settled`] awaits one of the runtime's promises: `task.js` reports its outcome by the number of
//! the slot that waits for it, through one callback installed when the instance starts.

use js_sys::{Array, Function, Promise};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
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
    fn watch(promise: &Promise, slot: u32);
    fn deferred() -> Array;
}

/// A task's future: a value for the runtime, or what it throws.
type Work = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// A task waiting to be woken.
struct Parked {
    work: Work,
    waker: Waker,
    /// The resolve and reject functions of the promise handed out for it.
    settle: (Function, Function),
}

/// The isolate's tasks: those waiting, those woken, and whether one is being polled.
#[derive(Default)]
struct Executor {
    next_id: u64,
    parked: HashMap<u64, Parked>,
    woken: VecDeque<u64>,
    polling: bool,
}

/// What waits on a slot's promise.
enum Slot {
    Free,
    Waiting(Waker),
    Settled(Result<JsValue, JsValue>),
    /// Its future was dropped first; the outcome is thrown away.
    Abandoned,
}

thread_local! {
    static EXECUTOR: RefCell<Executor> = RefCell::default();
    static SLOTS: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
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
    let report = Closure::<dyn Fn(u32, JsValue, bool)>::new(report);
    install(report.as_ref().unchecked_ref());
    report.forget();
}

/// Stores a slot's outcome and wakes its task.
fn report(slot: u32, value: JsValue, fulfilled: bool) {
    let outcome = if fulfilled { Ok(value) } else { Err(value) };
    let waiting = SLOTS.with_borrow_mut(|slots| {
        let entry = slots.get_mut(slot as usize)?;
        match std::mem::replace(entry, Slot::Free) {
            Slot::Waiting(waker) => {
                *entry = Slot::Settled(outcome);
                Some(waker)
            }
            _ => None,
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
            EXECUTOR.with_borrow_mut(|executor| executor.parked.insert(id, Parked { work, waker, settle }));
            parts.get(0)
        }
    };
    if !nested {
        run_woken();
    }
    outcome
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
        let Some(mut parked) = EXECUTOR.with_borrow_mut(|executor| executor.parked.remove(&id)) else { continue };
        match poll(&mut parked.work, &parked.waker) {
            Poll::Pending => {
                EXECUTOR.with_borrow_mut(|executor| executor.parked.insert(id, parked));
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
            let slot = SLOTS.with_borrow_mut(|slots| {
                let waiting = Slot::Waiting(cx.waker().clone());
                match slots.iter().position(|slot| matches!(slot, Slot::Free)) {
                    Some(free) => {
                        slots[free] = waiting;
                        free
                    }
                    None => {
                        slots.push(waiting);
                        slots.len() - 1
                    }
                }
            });
            self.slot = Some(slot as u32);
            watch(&promise, slot as u32);
            return Poll::Pending;
        }
        let Some(slot) = self.slot else { return Poll::Pending };
        let outcome = SLOTS.with_borrow_mut(|slots| {
            let entry = &mut slots[slot as usize];
            if let Slot::Waiting(waker) = entry {
                waker.clone_from(cx.waker());
                return None;
            }
            match std::mem::replace(entry, Slot::Free) {
                Slot::Settled(outcome) => Some(outcome),
                other => {
                    *entry = other;
                    None
                }
            }
        });
        match outcome {
            Some(outcome) => {
                self.slot = None;
                Poll::Ready(outcome)
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for Settled {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            SLOTS.with_borrow_mut(|slots| {
                let entry = &mut slots[slot as usize];
                *entry = match entry {
                    Slot::Waiting(_) => Slot::Abandoned,
                    _ => Slot::Free,
                };
            });
        }
    }
}
