//! The edge group cache, host-free: which reads are cached and under which key, how fresh an entry
//! is, which writes make which entries stale, and what each `group.v2.*` event does to them
//! ([`effects`]). The Worker keeps the entries in KV; this module never touches a store.
//!
//! One entry per (session, group, read): `gc/<session>/<group>/<read>`, e.g.
//! `gc/default/1203…@g.us/participants-v2`. Entries hold the upstream's answer as it came, with
//! the time it was filled; the session is part of every key, so one session never sees another's.

mod effects;
#[cfg(test)]
mod tests;

pub use effects::{effects, ChangeTimes, Effect, EventEffects, MemberList, Outcome};

use crate::ids::{GroupId, SessionName};
use crate::ops::Operation;
use crate::wire::record::{Fields, Writer};

/// Longest freshness accepted for `GROUP_CACHE` (one day).
pub const FRESH_SECS_MAX: u32 = 86_400;
/// How long an entry stays in KV after it stops being fresh: it is served (as `stale`) only when
/// the upstream fails.
pub const STALE_KEEP_SECS: u32 = 86_400;

/// A cached read of one group (which operation is which: the operation table's `reads` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachedRead {
    /// `GET …/groups/{id}`
    Group,
    /// `GET …/groups/{id}/participants` (the engine's raw form)
    Participants,
    /// `GET …/groups/{id}/participants/v2`
    ParticipantsV2,
    /// `GET …/settings/security/info-admin-only`
    InfoAdminOnly,
    /// `GET …/settings/security/messages-admin-only`
    MessagesAdminOnly,
    /// `GET …/settings/security/member-add-mode`
    MemberAddMode,
    /// `GET …/settings/security/member-share-history-mode`
    MemberShareHistoryMode,
    /// `GET …/settings/security/membership-approval`
    MembershipApproval,
    /// `GET …/groups/{id}/invite-code`
    InviteCode,
}

impl CachedRead {
    /// The five security settings.
    pub const SETTINGS: [CachedRead; 5] = [
        CachedRead::InfoAdminOnly,
        CachedRead::MessagesAdminOnly,
        CachedRead::MemberAddMode,
        CachedRead::MemberShareHistoryMode,
        CachedRead::MembershipApproval,
    ];

    /// Every cached read of a group.
    pub const ALL: [CachedRead; 9] = [
        CachedRead::Group,
        CachedRead::Participants,
        CachedRead::ParticipantsV2,
        CachedRead::InfoAdminOnly,
        CachedRead::MessagesAdminOnly,
        CachedRead::MemberAddMode,
        CachedRead::MemberShareHistoryMode,
        CachedRead::MembershipApproval,
        CachedRead::InviteCode,
    ];

    /// The read's name in keys and logs.
    pub fn name(self) -> &'static str {
        match self {
            CachedRead::Group => "group",
            CachedRead::Participants => "participants",
            CachedRead::ParticipantsV2 => "participants-v2",
            CachedRead::InfoAdminOnly => "info-admin-only",
            CachedRead::MessagesAdminOnly => "messages-admin-only",
            CachedRead::MemberAddMode => "member-add-mode",
            CachedRead::MemberShareHistoryMode => "member-share-history-mode",
            CachedRead::MembershipApproval => "membership-approval",
            CachedRead::InviteCode => "invite-code",
        }
    }

    /// For a setting, the `GroupInfo` field it is read from, in WAHA's and the simulator's spelling.
    pub fn group_info_field(self) -> Option<&'static str> {
        match self {
            CachedRead::InfoAdminOnly => Some("infoAdminOnly"),
            CachedRead::MessagesAdminOnly => Some("membersCanSendMessages"),
            CachedRead::MemberAddMode => Some("membersCanAddNewMember"),
            CachedRead::MemberShareHistoryMode => Some("membersCanShareHistory"),
            CachedRead::MembershipApproval => Some("newMembersApprovalRequired"),
            _ => None,
        }
    }

    /// The cached read an operation is, with its group; `None` for every other operation.
    pub fn of(operation: &Operation) -> Option<(&GroupId, CachedRead)> {
        Some((operation.group()?, operation.kind().cached_read()?))
    }

    /// The KV key of this read of `group` in `session`.
    pub fn key(self, session: &SessionName, group: &GroupId) -> String {
        format!("{}{}", group_prefix(session, group), self.name())
    }
}

/// The KV key of the time (Unix ms) since when the cache has been on without a break: written by
/// the first isolate that finds it absent with the cache on, deleted by each isolate that runs
/// with the cache off. Writes and events do not touch entries while the cache is off.
pub const ON_SINCE_KEY: &str = "gc/on-since";

/// How long KV keeps [`ON_SINCE_KEY`] (a later one only makes older entries refill).
pub const ON_SINCE_KEEP_SECS: u64 = 30 * 86_400;

/// The prefix of every entry of `group` in `session`.
pub fn group_prefix(session: &SessionName, group: &GroupId) -> String {
    format!("gc/{session}/{group}/")
}

/// The KV key of the [`ChangeTimes`] of `group` in `session`: when each thing about it was last
/// changed by an applied event (no cached read has this name).
pub fn change_times_key(session: &SessionName, group: &GroupId) -> String {
    format!("{}change-times", group_prefix(session, group))
}

/// The entries a write makes stale once the upstream accepted it, with their group; `None` for
/// reads and for writes that touch no cached entry (pictures, create, join).
pub fn invalidated_by(operation: &Operation) -> Option<(&GroupId, Vec<CachedRead>)> {
    let reads = operation.kind().invalidates();
    (!reads.is_empty()).then(|| operation.group().map(|group| (group, reads.to_vec()))).flatten()
}

/// The parsed `GROUP_CACHE` setting: `off` (the default) or the freshness in seconds.
pub fn parse_setting(value: Option<&str>) -> Result<Option<u32>, String> {
    match value.map(str::trim) {
        None | Some("") | Some("off") => Ok(None),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=FRESH_SECS_MAX).contains(n))
            .map(Some)
            .ok_or_else(|| format!("GROUP_CACHE: expected off or whole seconds from 1 to {FRESH_SECS_MAX}")),
    }
}

/// One cached answer, as stored in KV (`{"filledMs", "status", "contentType", "body"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When the answer came from the upstream (or an event stored it), Unix milliseconds.
    pub filled_ms: u64,
    /// The upstream's status.
    pub status: u16,
    /// The upstream's content type.
    pub content_type: Option<String>,
    /// The upstream's body (JSON text).
    pub body: String,
}

/// Where an entry stands when a read looks it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Younger than `GROUP_CACHE`: answered from the cache.
    Fresh,
    /// Older: the read goes upstream; the entry answers only if the upstream fails.
    Stale,
}

impl Entry {
    /// Reads a stored entry (`None`: not an entry).
    pub fn read(text: &str) -> Option<Self> {
        let f = Fields::parse(text)?;
        Some(Entry {
            filled_ms: f.number("filledMs")?,
            status: f.number("status")?,
            content_type: f.optional("contentType", Fields::string)?,
            body: f.string("body")?,
        })
    }

    /// The entry as stored.
    pub fn write(&self) -> String {
        Writer::open()
            .plain("filledMs", self.filled_ms)
            .plain("status", self.status)
            .optional("contentType", self.content_type.as_deref(), Writer::string)
            .string("body", &self.body)
            .finish()
    }

    /// The entry's age in whole seconds (the `Age` header; 0 for a clock that went back).
    pub fn age_secs(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.filled_ms) / 1000
    }

    /// Whether the entry may answer without the upstream, for a freshness of `fresh_secs`, the
    /// cache having been on since `on_since_ms` ([`ON_SINCE_KEY`]): an entry filled before may
    /// have missed writes and events while the cache was off, and is never fresh.
    pub fn freshness(&self, now_ms: u64, fresh_secs: u32, on_since_ms: u64) -> Freshness {
        if self.filled_ms >= on_since_ms && now_ms.saturating_sub(self.filled_ms) < u64::from(fresh_secs) * 1000 {
            Freshness::Fresh
        } else {
            Freshness::Stale
        }
    }

    /// How long KV keeps an entry filled now (at least KV's minimum of 60 s).
    pub fn ttl_secs(fresh_secs: u32) -> u64 {
        u64::from(fresh_secs + STALE_KEEP_SECS).max(60)
    }
}
