//! Keys this isolate's requests are working on (an idempotency record being created, a cache
//! entry being edited for a webhook): a handful at a time, so a list rather than a hash set.

use super::runtime::sleep;
use std::cell::RefCell;
use std::thread::LocalKey;

/// The keys of one kind marked by this isolate.
#[derive(Default)]
pub struct Marks(RefCell<Vec<String>>);

impl Marks {
    /// No key marked.
    pub const fn new() -> Self {
        Marks(RefCell::new(Vec::new()))
    }

    /// Unmarks `key`.
    pub fn release(&self, key: &str) {
        self.0.borrow_mut().retain(|marked| marked != key);
    }

    /// Marks `key`; `false` when it is marked already.
    fn mark(&self, key: &str) -> bool {
        let mut marked = self.0.borrow_mut();
        let free = !marked.iter().any(|k| k == key);
        if free {
            marked.push(key.to_owned());
        }
        free
    }
}

/// Marks `key` in `marks`, waiting while another request of this isolate holds it (checking every
/// `step_ms`, at most `wait_ms`); `false` when the wait ran out. The mark is taken before any
/// `await`, so two requests never both hold it; waiting polls a timer rather than waking on the
/// other request's I/O, which workerd forbids.
pub async fn take(marks: &'static LocalKey<Marks>, key: &str, wait_ms: u64, step_ms: u32) -> bool {
    let mut waited = 0;
    while !marks.with(|m| m.mark(key)) {
        if waited >= wait_ms {
            return false;
        }
        sleep(step_ms).await;
        waited += u64::from(step_ms);
    }
    true
}
