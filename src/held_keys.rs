//! Keys an isolate's requests are working on (an idempotency record being created, a cache entry
//! being edited for a webhook), each held until a deadline: a handful at a time, so a list. A key
//! held past its deadline counts as free: the request holding it was cancelled by the runtime and
//! will never let go (its task is never woken again), and no request of the kind runs that long.

/// The held keys of one kind, each with its deadline and the token of its holder.
#[derive(Debug, Default)]
pub struct HeldKeys {
    held: Vec<(String, u64, u64)>,
    next_token: u64,
}

impl HeldKeys {
    /// No key held.
    pub const fn new() -> Self {
        HeldKeys { held: Vec::new(), next_token: 0 }
    }

    /// Holds `key` until `now_ms + hold_ms`: the holder's token, or `None` while another holder
    /// keeps it (within its deadline).
    pub fn hold(&mut self, key: &str, now_ms: u64, hold_ms: u64) -> Option<u64> {
        self.held.retain(|(_, deadline, _)| *deadline > now_ms);
        if self.held.iter().any(|(held, _, _)| held == key) {
            return None;
        }
        self.next_token += 1;
        self.held.push((key.to_owned(), now_ms.saturating_add(hold_ms), self.next_token));
        Some(self.next_token)
    }

    /// Lets go of `key`, if the holder of `token` still holds it (a late release by a holder whose
    /// deadline passed leaves the next holder's hold alone).
    pub fn release(&mut self, key: &str, token: u64) {
        self.held.retain(|(held, _, holder)| !(held == key && *holder == token));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_held_once_until_released_or_past_its_deadline() {
        let mut keys = HeldKeys::new();
        let first = keys.hold("idem/a", 1_000, 500).expect("free");
        assert_eq!(keys.hold("idem/a", 1_499, 500), None, "held within its deadline");
        assert!(keys.hold("idem/b", 1_499, 500).is_some(), "another key is independent");
        keys.release("idem/a", first);
        let second = keys.hold("idem/a", 1_600, 500).expect("released");
        // A holder that never lets go (its request was cancelled): free once its deadline passed.
        assert_eq!(keys.hold("idem/a", 2_099, 500), None);
        let third = keys.hold("idem/a", 2_100, 500).expect("past the deadline");
        // The stale holder's late release leaves the new hold alone.
        keys.release("idem/a", second);
        assert_eq!(keys.hold("idem/a", 2_200, 500), None);
        keys.release("idem/a", third);
        assert!(keys.hold("idem/a", 2_200, 500).is_some());
    }
}
