//! Typed WAHA group webhooks (`group.v2.*`), as WAHA posts them to a webhook URL.
//!
//! Every webhook is an envelope `{id, timestamp, session, metadata?, engine, event, payload, me?,
//! environment}`; [`parse_event`] reads it and types the payload of the five group events. Any other
//! event name (`message`, the deprecated `group.join`, a future one) parses into
//! [`GroupEvent::Other`] with its raw payload, so a receiver never fails on an event it does not
//! know. Unknown extra fields are ignored, each payload's raw engine `_data` is kept opaque, and a
//! role, change type or join-request action this version does not know is kept as the `Other`
//! variant of its enum ([`Role::Other`], …), so a newer WAHA does not make whole events unreadable.
//!
//! The join-request event is named `group.v2.participants.join-request`, as WAHA 2026.8 (which
//! added it together with the join-request routes) publishes it.
//!
//! Ids stay strings here: an event must not be dropped because WhatsApp sent an id shape that the
//! request validation in [`crate::ids`] would refuse.
//!
//! The body is read as a [`serde_json::Value`] (the parser request validation links anyway) and
//! then field by field, without serde-derived `Deserialize`: in the browser module a derive would
//! link serde's type-error messages and with them Rust's float formatting. Timestamps are read as
//! integers, or as floats truncated to an integer, never formatted. The types still implement
//! `Deserialize` (through the same reader) and `Serialize`, for native users.

use crate::error::{Error, ErrorCode};
use crate::limits::BODY_MAX_BYTES;
mod read;
#[cfg(test)]
mod tests;

use read::{read, FromJson};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Event name: you joined or were added to a group.
pub const GROUP_V2_JOIN: &str = "group.v2.join";
/// Event name: you left or were removed from a group.
pub const GROUP_V2_LEAVE: &str = "group.v2.leave";
/// Event name: group info changed.
pub const GROUP_V2_UPDATE: &str = "group.v2.update";
/// Event name: members joined, left, were promoted or demoted.
pub const GROUP_V2_PARTICIPANTS: &str = "group.v2.participants";
/// Event name: a request to join was created, rejected or revoked.
pub const GROUP_V2_JOIN_REQUEST: &str = "group.v2.participants.join-request";

/// A string enum of WAHA's that stays open: a value this version does not know becomes `Other`.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)*
            /// A value this version does not know, exactly as WAHA sent it (never one of the known
            /// values: [`From`] maps those to their variant).
            Other(String),
        }

        impl $name {
            /// The value as WAHA spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(text) => text,
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match text.as_str() {
                    $($text => $name::$variant,)*
                    _ => $name::Other(text),
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name::from(text.to_owned())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name::from)
            }
        }
    };
}

open_enum! {
    /// A group member's role.
    Role {
        /// No longer a member.
        Left = "left",
        /// A plain member.
        Participant = "participant",
        /// An admin.
        Admin = "admin",
        /// The group's creator (owner).
        Superadmin = "superadmin",
    }
}

/// A group member as WAHA reports it: `{id, pn?, role}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupParticipant {
    /// `…@c.us` or `…@lid`.
    pub id: String,
    /// The phone-number id (`…@c.us`) when `id` is a lid and the number is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pn: Option<String>,
    /// The member's role.
    pub role: Role,
}

/// A group reference: `{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRef {
    /// The group id (`…@g.us`).
    pub id: String,
}

/// Group info: complete in `group.v2.join`, only the changed fields in `group.v2.update`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupInfo {
    /// The group id (`…@g.us`).
    pub id: String,
    /// The subject (name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The invite link, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
    /// Whether members may add members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_can_add_new_member: Option<bool>,
    /// Whether members may send messages (WAHA's name; engines disagree on its polarity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_can_send_messages: Option<bool>,
    /// Whether new members need an admin's approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_members_approval_required: Option<bool>,
    /// The members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<GroupParticipant>>,
}

/// Payload of `group.v2.join`: `{timestamp, group: GroupInfo}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupJoinEvent {
    /// When it happened (as the engine reports it: seconds or milliseconds).
    pub timestamp: u64,
    /// The group joined.
    pub group: GroupInfo,
    /// The engine's raw event, opaque.
    #[serde(rename = "_data", skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// Payload of `group.v2.leave`: `{timestamp, group: {id}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupLeaveEvent {
    /// When it happened.
    pub timestamp: u64,
    /// The group left.
    pub group: GroupRef,
    /// The engine's raw event, opaque.
    #[serde(rename = "_data", skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// Payload of `group.v2.update`: `{timestamp, group: {id, …changed fields}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupUpdateEvent {
    /// When it happened.
    pub timestamp: u64,
    /// The group id and the fields that changed.
    pub group: GroupInfo,
    /// The engine's raw event, opaque.
    #[serde(rename = "_data", skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

open_enum! {
    /// What happened to the members listed in `group.v2.participants`.
    ParticipantsChange {
        /// They joined or were added.
        Join = "join",
        /// They left or were removed.
        Leave = "leave",
        /// They became admins.
        Promote = "promote",
        /// They stopped being admins.
        Demote = "demote",
    }
}

/// Payload of `group.v2.participants`: `{type, timestamp, group: {id}, participants}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupParticipantsEvent {
    /// What happened to them.
    #[serde(rename = "type")]
    pub change: ParticipantsChange,
    /// When it happened.
    pub timestamp: u64,
    /// The group.
    pub group: GroupRef,
    /// The members concerned, with their role after the change.
    pub participants: Vec<GroupParticipant>,
    /// The engine's raw event, opaque.
    #[serde(rename = "_data", skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

open_enum! {
    /// What happened to a request to join.
    JoinRequestAction {
        /// Someone asked to join.
        Created = "created",
        /// An admin rejected the request.
        Rejected = "rejected",
        /// The requester withdrew the request.
        Revoked = "revoked",
    }
}

/// Payload of `group.v2.participants.join-request`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupJoinRequestEvent {
    /// What happened to the request.
    pub action: JoinRequestAction,
    /// Who asked (`…@lid` or `…@c.us`).
    pub requester_id: String,
    /// The requester's phone-number id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester_pn: Option<String>,
    /// How the request was made (`invite_link`, `non_admin_add`, `linked_group_join`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_method: Option<String>,
    /// When it happened.
    pub timestamp: u64,
    /// The group.
    pub group: GroupRef,
    /// The engine's raw event, opaque.
    #[serde(rename = "_data", skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// The typed event of a webhook, by its `event` name.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupEvent {
    /// `group.v2.join`
    Join(GroupJoinEvent),
    /// `group.v2.leave`
    Leave(GroupLeaveEvent),
    /// `group.v2.update`
    Update(GroupUpdateEvent),
    /// `group.v2.participants`
    Participants(GroupParticipantsEvent),
    /// `group.v2.participants.join-request`
    JoinRequest(GroupJoinRequestEvent),
    /// Any other event, kept as its name and raw payload.
    Other {
        /// The event name.
        event: String,
        /// The raw payload.
        payload: Value,
    },
}

impl GroupEvent {
    /// The event name as WAHA spells it.
    pub fn name(&self) -> &str {
        match self {
            GroupEvent::Join(_) => GROUP_V2_JOIN,
            GroupEvent::Leave(_) => GROUP_V2_LEAVE,
            GroupEvent::Update(_) => GROUP_V2_UPDATE,
            GroupEvent::Participants(_) => GROUP_V2_PARTICIPANTS,
            GroupEvent::JoinRequest(_) => GROUP_V2_JOIN_REQUEST,
            GroupEvent::Other { event, .. } => event,
        }
    }

    /// Types `payload` by the event name; an unknown name gives [`GroupEvent::Other`].
    pub fn from_parts(event: String, payload: Value) -> Result<Self, serde_json::Error> {
        GroupEvent::read(event, payload, "").map_err(serde::de::Error::custom)
    }

    /// [`GroupEvent::from_parts`] for a payload at the JSON pointer `at`.
    fn read(event: String, payload: Value, at: &str) -> Result<Self, String> {
        fn typed<T: FromJson>(payload: Value, at: &str, event: &str) -> Result<T, String> {
            read(payload, at.to_owned()).map_err(|e| format!("{e} (in a {event} event)"))
        }
        Ok(match event.as_str() {
            GROUP_V2_JOIN => GroupEvent::Join(typed(payload, at, &event)?),
            GROUP_V2_LEAVE => GroupEvent::Leave(typed(payload, at, &event)?),
            GROUP_V2_UPDATE => GroupEvent::Update(typed(payload, at, &event)?),
            GROUP_V2_PARTICIPANTS => GroupEvent::Participants(typed(payload, at, &event)?),
            GROUP_V2_JOIN_REQUEST => GroupEvent::JoinRequest(typed(payload, at, &event)?),
            _ => GroupEvent::Other { event, payload },
        })
    }

    /// The event name and its payload as JSON.
    pub fn into_parts(self) -> (String, Value) {
        // The typed payloads hold only strings, integers, bools and `Value`s, which always
        // convert; `null` stands in should that ever change, never a panic.
        fn json(p: impl Serialize) -> Value {
            serde_json::to_value(p).unwrap_or(Value::Null)
        }
        let name = self.name().to_owned();
        let payload = match self {
            GroupEvent::Join(p) => json(p),
            GroupEvent::Leave(p) => json(p),
            GroupEvent::Update(p) => json(p),
            GroupEvent::Participants(p) => json(p),
            GroupEvent::JoinRequest(p) => json(p),
            GroupEvent::Other { payload, .. } => payload,
        };
        (name, payload)
    }
}

/// The account the session runs as (`me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeInfo {
    /// The account's id (`…@c.us`).
    pub id: String,
    /// The account's linked id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lid: Option<String>,
    /// The account's raw jid, when the engine gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jid: Option<String>,
    /// The account's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push_name: Option<String>,
}

/// The WAHA server that sent the webhook.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Environment {
    /// WAHA's version (`2026.8.2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The engine (`GOWS`, `NOWEB`, `WEBJS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The WAHA tier (`CORE`, `PLUS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The browser a browser-based engine runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
}

/// One WAHA webhook: its envelope and its typed event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "RawWebhook")]
pub struct WebhookEvent {
    /// The event's id (`evt_…`, a ULID).
    pub id: String,
    /// When WAHA sent it, Unix milliseconds.
    pub timestamp: u64,
    /// The WAHA session.
    pub session: String,
    /// The metadata configured on the session, if any.
    pub metadata: Option<Map<String, Value>>,
    /// The engine (`GOWS`, `NOWEB`, `WEBJS`).
    pub engine: String,
    /// The event and its payload.
    pub event: GroupEvent,
    /// The account the session runs as.
    pub me: Option<MeInfo>,
    /// The WAHA server (empty when the webhook has none).
    pub environment: Environment,
}

/// The envelope as it is serialized, with the payload untyped.
#[derive(Serialize)]
struct RawWebhook {
    id: String,
    timestamp: u64,
    session: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Map<String, Value>>,
    engine: String,
    event: String,
    payload: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    me: Option<MeInfo>,
    environment: Environment,
}

impl From<WebhookEvent> for RawWebhook {
    fn from(e: WebhookEvent) -> Self {
        let (event, payload) = e.event.into_parts();
        RawWebhook {
            id: e.id,
            timestamp: e.timestamp,
            session: e.session,
            metadata: e.metadata,
            engine: e.engine,
            event,
            payload,
            me: e.me,
            environment: e.environment,
        }
    }
}

/// Parses a WAHA webhook body (at most `BODY_MAX_BYTES`).
///
/// Errors: `payload_too_large` over the cap, `invalid_json` when the body is not JSON, and
/// `invalid_type` when it is JSON but not a webhook of the expected shape; the detail says where,
/// as a JSON pointer (`/payload/group: required (in a group.v2.join event)`).
pub fn parse_event(body: &[u8]) -> Result<WebhookEvent, Error> {
    if body.len() > BODY_MAX_BYTES {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            format!("the webhook body is {} bytes; at most {BODY_MAX_BYTES} are accepted", body.len()),
        ));
    }
    // Two steps, so that a JSON syntax error and a shape error get different codes.
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Error::new(
            ErrorCode::InvalidJson,
            format!("the webhook body is not valid JSON (line {}, column {})", e.line(), e.column()),
        )
    })?;
    read(value, String::new())
        .map_err(|e| Error::new(ErrorCode::InvalidType, format!("the webhook body is not a WAHA webhook: {e}")))
}
