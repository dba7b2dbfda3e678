//! Pacing a bulk add: how many people the next request may carry, what a rate-limit refusal
//! means for the next step, and what each person's WhatsApp status says. Host-free; the npm
//! module's `addParticipantsPaced` drives it.

use crate::error::ErrorCode;
use crate::ids::ParticipantId;

/// What happened to one person of a bulk add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Added (`200`).
    Added,
    /// Already a member (`409`).
    AlreadyMember,
    /// Their privacy settings forbid adding them (`403`); WhatsApp offers a private invite.
    PrivacyForbids,
    /// They left the group recently and cannot be added back yet (`408`).
    RecentlyLeft,
    /// The group is full (`419`).
    GroupFull,
    /// Not on WhatsApp (`404`).
    NotOnWhatsapp,
    /// A community rule forbids it (`417`).
    CommunityRestricted,
    /// Not a valid participant id, or listed twice: never sent.
    Invalid,
    /// Any other status WhatsApp answered.
    Failed,
}

impl Outcome {
    /// The outcome of WhatsApp's per-person `status` (`"200"`, `"403"`, …).
    pub fn from_status(status: &str) -> Outcome {
        match status {
            "200" => Outcome::Added,
            "409" => Outcome::AlreadyMember,
            "403" => Outcome::PrivacyForbids,
            "408" => Outcome::RecentlyLeft,
            "419" => Outcome::GroupFull,
            "404" => Outcome::NotOnWhatsapp,
            "417" => Outcome::CommunityRestricted,
            _ => Outcome::Failed,
        }
    }

    /// The stable `snake_case` spelling the npm module reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Added => "added",
            Outcome::AlreadyMember => "already_member",
            Outcome::PrivacyForbids => "privacy_forbids",
            Outcome::RecentlyLeft => "recently_left",
            Outcome::GroupFull => "group_full",
            Outcome::NotOnWhatsapp => "not_on_whatsapp",
            Outcome::CommunityRestricted => "community_restricted",
            Outcome::Invalid => "invalid",
            Outcome::Failed => "failed",
        }
    }
}

/// Why a person of the input is not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// `invalid_id` or `duplicate_participant`.
    pub code: ErrorCode,
    /// Human explanation, naming the person's place in the input.
    pub detail: String,
}

/// Reads each person of a bulk add (`None` for an entry that is not text) with the Worker's own
/// participant rule; the second mention of a person (in either spelling) is refused as a duplicate.
pub fn prepare(people: &[Option<String>]) -> Vec<Result<ParticipantId, Rejected>> {
    // A list, not a set: no hashing or tree code in the wasm, and bulk adds are small.
    let mut seen: Vec<ParticipantId> = Vec::new();
    people
        .iter()
        .enumerate()
        .map(|(index, person)| {
            let Some(text) = person else {
                let detail = format!("people[{index}]: expected a user id string or {{id}}");
                return Err(Rejected { code: ErrorCode::InvalidType, detail });
            };
            let id = ParticipantId::parse(text)
                .map_err(|why| Rejected { code: ErrorCode::InvalidId, detail: format!("people[{index}]: {why}") })?;
            if seen.contains(&id) {
                let detail = format!("people[{index}]: {id} is listed more than once");
                return Err(Rejected { code: ErrorCode::DuplicateParticipant, detail });
            }
            seen.push(id.clone());
            Ok(id)
        })
        .collect()
}

/// What to do after a `429`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Units are left: send again at once (the next chunk fits them).
    SendNow,
    /// Nothing is left: wait this many seconds, then send again.
    Wait(u32),
}

/// The chunk-size state of one bulk add: the per-request cap, the quota once the Worker named it,
/// and the units it said were left after a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacer {
    cap: usize,
    quota: Option<usize>,
    remaining: Option<usize>,
}

impl Pacer {
    /// A pacer for requests of at most `cap` people (at least 1).
    pub fn new(cap: usize) -> Pacer {
        Pacer { cap: cap.max(1), quota: None, remaining: None }
    }

    /// How many of the `left` people the next request carries: at most the cap, the quota and the
    /// units last reported left (which it uses up).
    pub fn next_chunk(&mut self, left: usize) -> usize {
        let limit = [Some(self.cap), self.quota, self.remaining.take()].into_iter().flatten().min().unwrap_or(self.cap);
        left.min(limit).max(1)
    }

    /// A `429 rate_limited`: `remaining` and `quota` from the error's `rateLimit` and
    /// `rateLimitPolicy`, `retry_after` its `Retry-After` (1 s when absent).
    pub fn refused(&mut self, remaining: Option<u32>, quota: Option<u32>, retry_after: Option<u32>) -> Step {
        if let Some(quota) = quota {
            self.quota = Some(quota as usize);
        }
        match remaining {
            Some(units) if units > 0 => {
                self.remaining = Some(units as usize);
                Step::SendNow
            }
            _ => Step::Wait(retry_after.unwrap_or(1).max(1)),
        }
    }

    /// A `429 whatsapp_rate_limited`: WhatsApp throttles the number itself, whatever units the
    /// Worker's quota has left, so the chunk waits out `retry_after` (1 s when absent) before it
    /// is sent again.
    pub fn throttled(&mut self, retry_after: Option<u32>) -> Step {
        Step::Wait(retry_after.unwrap_or(1).max(1))
    }

    /// A `422 cost_exceeds_quota` for a request of `sent` people: remembers the quota the Worker
    /// named (else halves the chunk); `false` when even one person can never fit.
    pub fn too_costly(&mut self, sent: usize, quota: Option<u32>) -> bool {
        let fits = match quota {
            Some(quota) if (quota as usize) < sent => quota as usize,
            _ => sent / 2,
        };
        self.quota = Some(fits);
        fits > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatsapps_throttle_is_waited_out_whatever_the_quota_has_left() {
        let mut pacer = Pacer::new(50);
        assert_eq!(pacer.throttled(Some(60)), Step::Wait(60));
        assert_eq!(pacer.throttled(None), Step::Wait(1));
        // The Worker's own refusal with units left sends them at once; WhatsApp's never does.
        assert_eq!(pacer.refused(Some(20), Some(50), Some(60)), Step::SendNow);
    }

    #[test]
    fn chunks_never_exceed_the_cap_or_the_quota() {
        let mut pacer = Pacer::new(50);
        assert_eq!(pacer.next_chunk(120), 50);
        assert_eq!(pacer.next_chunk(7), 7);
        assert!(pacer.too_costly(50, Some(10)));
        assert_eq!(pacer.next_chunk(70), 10);
        assert_eq!(pacer.next_chunk(3), 3);
        assert_eq!(Pacer::new(0).next_chunk(5), 1, "a cap of 0 still sends one at a time");
    }

    #[test]
    fn a_refusal_with_units_left_sends_them_at_once_then_forgets_them() {
        let mut pacer = Pacer::new(50);
        assert_eq!(pacer.refused(Some(4), Some(10), Some(30)), Step::SendNow);
        assert_eq!(pacer.next_chunk(20), 4);
        assert_eq!(pacer.next_chunk(20), 10, "after one chunk, the quota bounds again");
    }

    #[test]
    fn a_refusal_with_nothing_left_waits_out_retry_after() {
        let mut pacer = Pacer::new(50);
        assert_eq!(pacer.refused(Some(0), Some(10), Some(42)), Step::Wait(42));
        assert_eq!(pacer.refused(None, None, None), Step::Wait(1));
        assert_eq!(pacer.refused(Some(0), None, Some(0)), Step::Wait(1));
        assert_eq!(pacer.next_chunk(30), 10);
    }

    #[test]
    fn a_cost_over_the_quota_without_a_named_quota_halves_the_chunk() {
        let mut pacer = Pacer::new(50);
        assert!(pacer.too_costly(50, None));
        assert_eq!(pacer.next_chunk(50), 25);
        assert!(pacer.too_costly(25, Some(40)), "a quota not below what was sent halves too");
        assert_eq!(pacer.next_chunk(50), 12);
        assert!(!pacer.too_costly(1, None), "one person that never fits stops the add");
        assert!(!pacer.too_costly(3, Some(0)));
    }

    #[test]
    fn statuses_map_to_outcomes() {
        for (status, outcome) in [
            ("200", "added"),
            ("409", "already_member"),
            ("403", "privacy_forbids"),
            ("408", "recently_left"),
            ("419", "group_full"),
            ("404", "not_on_whatsapp"),
            ("417", "community_restricted"),
            ("500", "failed"),
            ("", "failed"),
        ] {
            assert_eq!(Outcome::from_status(status).as_str(), outcome, "{status}");
        }
        assert_eq!(Outcome::Invalid.as_str(), "invalid");
    }

    #[test]
    fn people_are_read_with_the_participant_rule_and_deduplicated() {
        let people = [
            Some("15551234567@c.us".to_owned()),
            Some("15551234567@s.whatsapp.net".to_owned()),
            Some("+15551234567".to_owned()),
            None,
            Some("123456789012345@lid".to_owned()),
        ];
        let read = prepare(&people);
        assert_eq!(read[0].as_ref().map(ToString::to_string), Ok("15551234567@c.us".to_owned()));
        let duplicate = read[1].as_ref().unwrap_err();
        assert_eq!(duplicate.code, ErrorCode::DuplicateParticipant);
        assert!(duplicate.detail.starts_with("people[1]: 15551234567@c.us"), "{}", duplicate.detail);
        assert_eq!(read[2].as_ref().unwrap_err().code, ErrorCode::InvalidId);
        assert_eq!(read[3].as_ref().unwrap_err().code, ErrorCode::InvalidType);
        assert!(read[4].is_ok());
    }
}
