//! Keys this isolate's requests are working on ([`HeldKeys`]: an idempotency record being created,
//! a group's cache entries being edited for a webhook, a webhook event being received), and
//! waiting for one to be let go.

use super::runtime::{now_ms, sleep};
use crate::held_keys::HeldKeys;
use std::cell::RefCell;
use std::thread::LocalKey;

/// The keys of one kind held by this isolate's requests.
pub struct Marks(RefCell<HeldKeys>);

impl Marks {
    /// No key held.
    pub const fn new() -> Self {
        Marks(RefCell::new(HeldKeys::new()))
    }

    /// Lets go of `key`, held under `token`.
    pub fn release(&self, key: &str, token: u64) {
        self.0.borrow_mut().release(key, token);
    }
}

/// Holds `key` in `marks` for at most `hold_ms`, waiting while another request of this isolate
/// holds it (checking every `step_ms`, at most `wait_ms`): the hold's token, or `None` when the
/// wait ran out. The key is held before any `await`, so two requests never both hold it; waiting
/// polls a timer rather than waking on the other request's I/O, which workerd forbids.
pub async fn take(
    marks: &'static LocalKey<Marks>,
    key: &str,
    (wait_ms, step_ms): (u64, u32),
    hold_ms: u64,
) -> Option<u64> {
    let mut waited = 0;
    loop {
        if let Some(token) = marks.with(|m| m.0.borrow_mut().hold(key, now_ms(), hold_ms)) {
            return Some(token);
        }
        if waited >= wait_ms {
            return None;
        }
        sleep(step_ms).await;
        waited += u64::from(step_ms);
    }
}

/// Poll interval while another request of this isolate holds the key a [`Turn`] waits for.
const TURN_WAIT_STEP_MS: u32 = 5;

/// A key this request holds in one kind of marks, let go when dropped.
pub struct Turn {
    marks: &'static LocalKey<Marks>,
    key: String,
    token: u64,
}

impl Turn {
    /// Holds `key` as [`take`] does, waiting at most as long as the hold lasts (`hold_ms`: after
    /// that, a key still held is a cancelled request's); `None` when the wait ran out.
    pub async fn take(marks: &'static LocalKey<Marks>, key: &str, hold_ms: u64) -> Option<Self> {
        let token = take(marks, key, (hold_ms, TURN_WAIT_STEP_MS), hold_ms).await?;
        Some(Turn { marks, key: key.to_owned(), token })
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.marks.with(|marks| marks.release(&self.key, self.token));
    }
}
