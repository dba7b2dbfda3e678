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
//! The body is read with the core's JSON reader ([`crate::wire::json`], the one request validation
//! uses) and then field by field, without serde: a derive would link serde's type-error messages
//! and with them Rust's float formatting. Timestamps are read as integers, or as floats truncated
//! to an integer, never formatted. An event is written back ([`WebhookEvent::to_json`],
//! [`GroupEvent::into_parts`]) with every untyped number as it was read.
//!
//! Each payload type is declared once, with `webhook_type!` (`declare.rs`): its fields' Rust
//! names, types, wire keys, TypeScript types and docs. The struct, its reader, its writer and, for
//! the npm module, its JS hand-off and its TypeScript interface all follow from that declaration.

use crate::error::{Error, ErrorCode};
use crate::limits::BODY_MAX_BYTES;
use crate::wire::json;
#[macro_use]
mod declare;
mod read;
#[cfg(test)]
mod tests;
mod write;

use read::read;
pub(crate) use write::ToValue;
use write::{object, ToMember};

/// Any JSON an event carries as it came (the engine's `_data`, other events' payloads).
pub type Value = crate::wire::json::Value<'static>;
/// A JSON object an event carries as it came (`metadata`).
pub type Map = crate::wire::json::Object<'static>;

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

        impl ToValue for $name {
            fn to_value(&self) -> Value {
                Value::from(self.as_str().to_owned())
            }
        }

        impl read::WireValue for $name {
            fn from_value(value: Value, parent: &read::Fields, key: &str) -> Result<Self, String> {
                <String as read::WireValue>::from_value(value, parent, key).map($name::from)
            }

            fn placeholder() -> Self {
                $name::Other(String::new())
            }
        }

        #[cfg(feature = "browser")]
        impl crate::browser::webhook::ToJs for $name {
            fn to_js(&self) -> wasm_bindgen::JsValue {
                wasm_bindgen::JsValue::from_str(self.as_str())
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

webhook_type! {
    /// A group member as a webhook reports it: `{id, pn?, role}`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GroupParticipant as "WebhookParticipant" {
        /// `…@c.us` or `…@lid`.
        id: String => "id": "string",
        /// The phone-number id (`…@c.us`) when `id` is a lid and the number is known.
        pn?: String => "pn": "string",
        /// The member's role; one this version does not know is kept as WAHA sent it.
        role: Role => "role": "WebhookParticipantRole",
    }
}

webhook_type! {
    /// A group reference: `{id}`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GroupRef {
        /// The group id (`…@g.us`).
        id: String => "id": "string",
    }
}

webhook_type! {
    /// Group info as a webhook reports it: complete in `group.v2.join`, only the changed fields in
    /// `group.v2.update`.
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct GroupInfo as "GroupEventInfo" {
        /// The group id (`…@g.us`).
        id: String => "id": "string",
        /// The subject (name).
        subject?: String => "subject": "string",
        /// The description.
        description?: String => "description": "string",
        /// The invite link, when known.
        invite?: String => "invite": "string",
        /// Whether members may add members.
        members_can_add_new_member?: bool => "membersCanAddNewMember": "boolean",
        /// Whether members may send messages (WAHA's name; engines disagree on its polarity).
        members_can_send_messages?: bool => "membersCanSendMessages": "boolean",
        /// Whether new members need an admin's approval.
        new_members_approval_required?: bool => "newMembersApprovalRequired": "boolean",
        /// The members.
        participants?: Vec<GroupParticipant> => "participants": "WebhookParticipant[]",
    }
}

webhook_type! {
    /// Payload of `group.v2.join`, you joined or were added: `{timestamp, group, _data?}`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct GroupJoinEvent as "GroupJoinPayload" {
        /// When it happened: seconds or milliseconds, as the engine reports it (an integer: a
        /// fraction is dropped).
        timestamp: u64 => "timestamp": "number",
        /// The group joined, complete.
        group: GroupInfo => "group": "GroupEventInfo",
        /// The engine's raw event, opaque.
        data?: Value => "_data": "unknown",
    }
}

webhook_type! {
    /// Payload of `group.v2.leave`, you left or were removed: `{timestamp, group: {id}, _data?}`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct GroupLeaveEvent as "GroupLeavePayload" {
        /// When it happened.
        timestamp: u64 => "timestamp": "number",
        /// The group left.
        group: GroupRef => "group": "{ id: string }",
        /// The engine's raw event, opaque.
        data?: Value => "_data": "unknown",
    }
}

webhook_type! {
    /// Payload of `group.v2.update`, group info changed: `{timestamp, group: {id, …changed
    /// fields}, _data?}`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct GroupUpdateEvent as "GroupUpdatePayload" {
        /// When it happened.
        timestamp: u64 => "timestamp": "number",
        /// The group id and the fields that changed.
        group: GroupInfo => "group": "GroupEventInfo",
        /// The engine's raw event, opaque.
        data?: Value => "_data": "unknown",
    }
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

webhook_type! {
    /// Payload of `group.v2.participants`, members joined, left, were promoted or demoted:
    /// `{type, timestamp, group: {id}, participants, _data?}`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct GroupParticipantsEvent as "GroupParticipantsPayload" {
        /// What happened to them; a change this version does not know is kept as WAHA sent it.
        change: ParticipantsChange => "type": "\"join\" | \"leave\" | \"promote\" | \"demote\" | (string & {})",
        /// When it happened.
        timestamp: u64 => "timestamp": "number",
        /// The group.
        group: GroupRef => "group": "{ id: string }",
        /// The members concerned, with their role after the change.
        participants: Vec<GroupParticipant> => "participants": "WebhookParticipant[]",
        /// The engine's raw event, opaque.
        data?: Value => "_data": "unknown",
    }
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

webhook_type! {
    /// Payload of `group.v2.participants.join-request`, a request to join was created, rejected
    /// or revoked.
    #[derive(Debug, Clone, PartialEq)]
    pub struct GroupJoinRequestEvent as "GroupJoinRequestPayload" {
        /// What happened to the request; an action this version does not know is kept as WAHA
        /// sent it.
        action: JoinRequestAction => "action": "\"created\" | \"rejected\" | \"revoked\" | (string & {})",
        /// Who asked (`…@lid` or `…@c.us`).
        requester_id: String => "requesterId": "string",
        /// The requester's phone-number id, when known.
        requester_pn?: String => "requesterPn": "string",
        /// How the request was made (`invite_link`, `non_admin_add`, `linked_group_join`, …).
        request_method?: String => "requestMethod": "string",
        /// When it happened.
        timestamp: u64 => "timestamp": "number",
        /// The group.
        group: GroupRef => "group": "{ id: string }",
        /// The engine's raw event, opaque.
        data?: Value => "_data": "unknown",
    }
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

    /// Types `payload` by the event name; an unknown name gives [`GroupEvent::Other`]. The error
    /// names the bad field by its JSON pointer, as [`parse_event`]'s do.
    pub fn from_parts(event: String, payload: Value) -> Result<Self, String> {
        GroupEvent::read(event, payload, String::new())
    }

    /// [`GroupEvent::from_parts`] for a payload at the JSON pointer `at`.
    fn read(event: String, payload: Value, at: String) -> Result<Self, String> {
        let typed = match event.as_str() {
            GROUP_V2_JOIN => read(payload, at).map(GroupEvent::Join),
            GROUP_V2_LEAVE => read(payload, at).map(GroupEvent::Leave),
            GROUP_V2_UPDATE => read(payload, at).map(GroupEvent::Update),
            GROUP_V2_PARTICIPANTS => read(payload, at).map(GroupEvent::Participants),
            GROUP_V2_JOIN_REQUEST => read(payload, at).map(GroupEvent::JoinRequest),
            _ => return Ok(GroupEvent::Other { event, payload }),
        };
        typed.map_err(|e| format!("{e} (in a {event} event)"))
    }

    /// The event name and its payload as JSON (an untyped payload as it came).
    pub fn into_parts(self) -> (String, Value) {
        let name = self.name().to_owned();
        let payload = match self {
            GroupEvent::Join(p) => p.to_value(),
            GroupEvent::Leave(p) => p.to_value(),
            GroupEvent::Update(p) => p.to_value(),
            GroupEvent::Participants(p) => p.to_value(),
            GroupEvent::JoinRequest(p) => p.to_value(),
            GroupEvent::Other { payload, .. } => payload,
        };
        (name, payload)
    }
}

webhook_type! {
    /// The account the session runs as (`me`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct MeInfo as "WebhookMe" {
        /// The account's id (`…@c.us`).
        id: String => "id": "string",
        /// The account's linked id, when known.
        lid?: String => "lid": "string",
        /// The account's raw jid, when the engine gives it.
        jid?: String => "jid": "string",
        /// The account's display name.
        push_name?: String => "pushName": "string",
    }
}

webhook_type! {
    /// The WAHA server that sent the webhook.
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct Environment as "WebhookEnvironment" {
        /// WAHA's version (`2026.8.2`).
        version?: String => "version": "string",
        /// The engine (`GOWS`, `NOWEB`, `WEBJS`).
        engine?: String => "engine": "string",
        /// The WAHA tier (`CORE`, `PLUS`).
        tier?: String => "tier": "string",
        /// The browser a browser-based engine runs.
        browser?: String => "browser": "string",
    }
}

/// One WAHA webhook: its envelope and its typed event.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// The event's id (`evt_…`, a ULID).
    pub id: String,
    /// When WAHA sent it, Unix milliseconds.
    pub timestamp: u64,
    /// The WAHA session.
    pub session: String,
    /// The metadata configured on the session, if any.
    pub metadata: Option<Map>,
    /// The engine (`GOWS`, `NOWEB`, `WEBJS`).
    pub engine: String,
    /// The event and its payload.
    pub event: GroupEvent,
    /// The account the session runs as.
    pub me: Option<MeInfo>,
    /// The WAHA server (empty when the webhook has none).
    pub environment: Environment,
}

impl WebhookEvent {
    /// The webhook as JSON, which [`parse_event`] reads back as the same event: absent optional
    /// fields left out, an untyped value's numbers written as they were read.
    pub fn to_json(&self) -> String {
        let (event, payload) = self.event.clone().into_parts();
        object(vec![
            ("id", self.id.to_member()),
            ("timestamp", self.timestamp.to_member()),
            ("session", self.session.to_member()),
            ("metadata", self.metadata.to_member()),
            ("engine", self.engine.to_member()),
            ("event", Some(Value::from(event))),
            ("payload", Some(payload)),
            ("me", self.me.to_member()),
            ("environment", self.environment.to_member()),
        ])
        .render()
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
    let value = json::parse_bytes(body).map_err(|at| {
        Error::new(
            ErrorCode::InvalidJson,
            format!("the webhook body is not valid JSON (line {}, column {})", at.line, at.column),
        )
    })?;
    read(value.into_owned(), String::new())
        .map_err(|e| Error::new(ErrorCode::InvalidType, format!("the webhook body is not a WAHA webhook: {e}")))
}
