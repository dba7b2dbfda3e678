//! What a verified `group.v2.*` event does to a group's cached entries.
//!
//! - `group.v2.join` stores the event's full `GroupInfo` (and its member list as
//!   `participants/v2`) and drops the rest;
//! - `group.v2.update` merges the changed fields into the cached group and drops the entries those
//!   fields feed (a changed `invite` drops `invite-code`, a changed setting its setting read; a field
//!   this version does not know drops every setting read);
//! - `group.v2.participants` applies join, leave, promote or demote to both member lists and drops
//!   the engine's raw list;
//! - `group.v2.leave` drops every entry of the group.
//!
//! Cached JSON is edited in place: fields the cache does not know stay as they are. When a cached
//! value does not have the shape an event expects, the entry is dropped rather than guessed at.

use super::CachedRead;
use crate::events::{GroupEvent, GroupParticipant, Map, ParticipantsChange, Role, ToValue, Value, WebhookEvent};
use crate::ids::{GroupId, SessionName};
use crate::wire::record::Writer;
use crate::wire::{joined, json};

/// Which member list a [`Effect::Members`] edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberList {
    /// The `participants` field of a cached group: current members only.
    GroupInfo,
    /// The `participants/v2` answer: members who left stay, with role `left`.
    V2,
}

/// What an event does to one cached entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Store this answer (the event carries all of it).
    Store(Value),
    /// Merge these changed fields into the cached group object.
    Merge(Map),
    /// Apply a membership change to a cached member list.
    Members {
        /// What happened to the people.
        change: ParticipantsChange,
        /// The people, with their role after the change.
        people: Vec<GroupParticipant>,
        /// The list edited.
        list: MemberList,
    },
    /// Drop the entry.
    Drop,
}

/// What to do with a stored entry, once an [`Effect`] met its cached body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Write this body.
    Put(String),
    /// Delete the entry.
    Delete,
    /// Leave the store alone (nothing was cached to edit).
    Keep,
}

impl Effect {
    /// Applies the effect to an entry's cached body (`None`: nothing cached).
    pub fn apply(&self, cached: Option<&str>) -> Outcome {
        let edit = |f: &dyn Fn(json::Value<'_>) -> Option<json::Value<'_>>| match cached {
            None => Outcome::Keep,
            Some(text) => json::parse(text).ok().and_then(f).map_or(Outcome::Delete, |value| put(&value)),
        };
        match self {
            Effect::Store(value) => put(value),
            Effect::Drop => Outcome::Delete,
            Effect::Merge(fields) => edit(&|value| merge(value, fields)),
            Effect::Members { change, people, list } => edit(&|value| members(value, change, people, *list)),
        }
    }
}

fn put(value: &json::Value<'_>) -> Outcome {
    Outcome::Put(value.render())
}

fn merge<'a>(mut value: json::Value<'a>, fields: &Map) -> Option<json::Value<'a>> {
    let object = value.as_object_mut()?;
    for (key, field) in fields.iter() {
        object.insert(key.to_owned(), field.clone());
    }
    Some(value)
}

fn members<'a>(
    mut value: json::Value<'a>,
    change: &ParticipantsChange,
    people: &[GroupParticipant],
    list: MemberList,
) -> Option<json::Value<'a>> {
    let entries = match list {
        MemberList::GroupInfo => value.as_object_mut()?.get_mut("participants")?.as_array_mut()?,
        MemberList::V2 => value.as_array_mut()?,
    };
    for person in people {
        let found = entries.iter().position(|entry| same_person(entry, person));
        match (change, list, found) {
            (ParticipantsChange::Join, _, _) => upsert(entries, found, person, None)?,
            (ParticipantsChange::Leave, MemberList::GroupInfo, Some(i)) => {
                entries.remove(i);
            }
            (ParticipantsChange::Leave, MemberList::GroupInfo, None) => {}
            (ParticipantsChange::Leave, MemberList::V2, _) => upsert(entries, found, person, Some(&Role::Left))?,
            (ParticipantsChange::Promote | ParticipantsChange::Demote, _, Some(_)) => {
                upsert(entries, found, person, None)?
            }
            // A role change of someone the cache does not list, or a change this version does not
            // know: the list cannot be brought up to date.
            (ParticipantsChange::Promote | ParticipantsChange::Demote, _, None)
            | (ParticipantsChange::Other(_), _, _) => return None,
        }
    }
    Some(value)
}

/// Whether a cached member entry is `person` (by id, or by phone number when one side is a lid).
fn same_person(entry: &json::Value<'_>, person: &GroupParticipant) -> bool {
    let field = |name| entry.get(name).and_then(json::Value::as_str);
    let id = person.id.as_str();
    field("id") == Some(id) || field("pn") == Some(id) || (person.pn.is_some() && field("id") == person.pn.as_deref())
}

/// Updates the entry at `found` with the person's fields (keeping fields it does not know), or
/// appends the person; `role` overrides the event's role.
fn upsert(
    entries: &mut Vec<json::Value<'_>>,
    found: Option<usize>,
    person: &GroupParticipant,
    role: Option<&Role>,
) -> Option<()> {
    let entry = match found {
        // The cached id is kept: a lid entry stays a lid entry when the event names the number.
        Some(i) => entries.get_mut(i)?.as_object_mut()?,
        None => {
            entries.push(json::Value::Object(json::Object::default()));
            let entry = entries.last_mut()?.as_object_mut()?;
            entry.insert("id", json::Value::from(person.id.clone()));
            entry
        }
    };
    if let Some(pn) = &person.pn {
        entry.insert("pn", json::Value::from(pn.clone()));
    }
    entry.insert("role", json::Value::from(role.unwrap_or(&person.role).as_str().to_owned()));
    Some(())
}

/// What one event does to one group's entries.
#[derive(Debug, Clone, PartialEq)]
pub struct EventEffects {
    /// The WAHA session of the event.
    pub session: SessionName,
    /// The group concerned.
    pub group: GroupId,
    /// When WAHA sent the event (its signed `timestamp`), Unix milliseconds.
    pub sent_ms: u64,
    /// What the event changes, for ordering it ([`ChangeTimes`]): `*` (the whole group: a join, a
    /// leave, an update this version cannot read), `f:<field>` (a field of an update) or
    /// `p:<member id>` (a member's join, leave or role).
    pub aspects: Vec<String>,
    /// Each concerned entry and what happens to it.
    pub changes: Vec<(CachedRead, Effect)>,
}

impl EventEffects {
    /// The effects once ordered against the events already applied to the group: an event older
    /// than an applied one that changed the same thing (a retried delivery arriving late) may carry
    /// older state than the entries hold, so it drops every entry of the group instead, and the next
    /// read asks the upstream. Events that change different things apply in any order. With
    /// whether the event was outdated.
    pub fn ordered_after(self, applied: &ChangeTimes) -> (Self, bool) {
        if applied.outdates(&self) {
            (EventEffects { changes: drop_all(), ..self }, true)
        } else {
            (self, false)
        }
    }
}

/// When each thing about a group was last changed by an applied event (its signed time, Unix ms),
/// stored as one JSON object per group (`{"f:subject": 1780000000000, …}`).
#[derive(Debug, Default)]
pub struct ChangeTimes(Vec<(String, u64)>);

impl ChangeTimes {
    /// Reads a stored record (anything unreadable: nothing known), without the times before
    /// `forget_before_ms`: no event that old is accepted any more, so none is outdated by them.
    pub fn read(text: &str, forget_before_ms: u64) -> Self {
        let mut times = Vec::new();
        if let Some(object) = json::parse(text).ok().as_ref().and_then(json::Value::as_object) {
            for (aspect, at) in object.iter() {
                match at.as_u64() {
                    Some(at) if at >= forget_before_ms => times.push((aspect.to_owned(), at)),
                    _ => {}
                }
            }
        }
        ChangeTimes(times)
    }

    /// The record as stored.
    pub fn write(&self) -> String {
        let mut record = Writer::open();
        for (aspect, at) in &self.0 {
            record = record.plain(aspect, at);
        }
        record.finish()
    }

    /// Whether an applied event sent after `event` changed something `event` changes.
    pub fn outdates(&self, event: &EventEffects) -> bool {
        self.0.iter().any(|(aspect, at)| {
            *at > event.sent_ms && event.aspects.iter().any(|own| own == aspect || own == "*" || aspect == "*")
        })
    }

    /// Records `event` as applied; whether anything changed (a record to write).
    pub fn record(&mut self, event: &EventEffects) -> bool {
        let mut changed = false;
        for aspect in &event.aspects {
            match self.0.iter_mut().find(|(known, _)| known == aspect) {
                Some((_, at)) if *at >= event.sent_ms => continue,
                Some((_, at)) => *at = event.sent_ms,
                None => self.0.push((aspect.clone(), event.sent_ms)),
            }
            changed = true;
        }
        changed
    }
}

/// The cache effects of a verified webhook; `raw` is its body as JSON (for the group fields the
/// typed event does not name). `None` when no cached entry can be concerned: an event that caches
/// nothing (join requests, other events), or a session or group id no read could have cached.
pub fn effects(webhook: &WebhookEvent, raw: &json::Value<'_>) -> Option<EventEffects> {
    // Without the raw group object (`raw` is not the webhook's body), nothing is stored or merged
    // from it: every entry of the group is dropped instead.
    let raw_group = || raw.get("payload")?.get("group")?.as_object().map(|group| group.clone().into_owned());
    let whole = || vec!["*".to_owned()];
    let (group, aspects, changes) = match &webhook.event {
        GroupEvent::Join(e) => (
            &e.group.id,
            whole(),
            raw_group().map_or_else(drop_all, |group| join(group, e.group.participants.as_ref())),
        ),
        GroupEvent::Leave(e) => (&e.group.id, whole(), drop_all()),
        GroupEvent::Update(e) => match raw_group() {
            Some(group) => {
                let mut fields = Vec::new();
                for key in group.keys().filter(|key| *key != "id") {
                    fields.push(joined(["f:", key], ""));
                }
                (&e.group.id, fields, update(group))
            }
            None => (&e.group.id, whole(), drop_all()),
        },
        GroupEvent::Participants(e) => {
            let mut people = Vec::new();
            for person in &e.participants {
                people.push(joined(["p:", &person.id], ""));
            }
            (&e.group.id, people, participants(&e.change, &e.participants))
        }
        GroupEvent::JoinRequest(_) | GroupEvent::Other { .. } => return None,
    };
    let session = SessionName::parse(&webhook.session).ok()?;
    let group = GroupId::parse(group).ok()?;
    Some(EventEffects { session, group, sent_ms: webhook.timestamp, aspects, changes })
}

fn drop_all() -> Vec<(CachedRead, Effect)> {
    CachedRead::ALL.iter().map(|read| (*read, Effect::Drop)).collect()
}

fn join(group: Map, people: Option<&Vec<GroupParticipant>>) -> Vec<(CachedRead, Effect)> {
    let mut changes = drop_all();
    for (read, effect) in &mut changes {
        match read {
            CachedRead::Group => *effect = Effect::Store(Value::Object(group.clone())),
            CachedRead::ParticipantsV2 => {
                if let Some(people) = people {
                    *effect = Effect::Store(people.to_value());
                }
            }
            _ => {}
        }
    }
    changes
}

fn update(mut fields: Map) -> Vec<(CachedRead, Effect)> {
    fields.remove("id");
    let mut dropped: Vec<CachedRead> = Vec::new();
    for key in fields.keys() {
        let fed: Vec<CachedRead> = match key {
            "subject" | "description" => vec![],
            "invite" => vec![CachedRead::InviteCode],
            "participants" => vec![CachedRead::Participants, CachedRead::ParticipantsV2],
            other => match CachedRead::SETTINGS.into_iter().find(|s| s.group_info_field() == Some(other)) {
                Some(setting) => vec![setting],
                // Perhaps a setting under a name this version does not know.
                None => CachedRead::SETTINGS.to_vec(),
            },
        };
        for read in fed {
            if !dropped.contains(&read) {
                dropped.push(read);
            }
        }
    }
    let mut changes = vec![(CachedRead::Group, Effect::Merge(fields))];
    changes.extend(dropped.into_iter().map(|read| (read, Effect::Drop)));
    changes
}

fn participants(change: &ParticipantsChange, people: &[GroupParticipant]) -> Vec<(CachedRead, Effect)> {
    let edit = |list| Effect::Members { change: change.clone(), people: people.to_vec(), list };
    vec![
        (CachedRead::Group, edit(MemberList::GroupInfo)),
        (CachedRead::ParticipantsV2, edit(MemberList::V2)),
        (CachedRead::Participants, Effect::Drop),
    ]
}
