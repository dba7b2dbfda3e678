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

// Reading by hand. Every reader takes its object's fields out as it reads them and ignores the
// ones left over; `null` counts as absent; an error is `"<JSON pointer>: <what is wrong>"`.

/// A type read from one JSON object.
trait FromJson: Sized {
    fn from_json(fields: &mut Fields) -> Result<Self, String>;
}

/// Reads a `T` from `value`, which sits at the JSON pointer `at`.
fn read<T: FromJson>(value: Value, at: String) -> Result<T, String> {
    T::from_json(&mut Fields::new(value, at)?)
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected(at: &str, what: &str, got: &Value) -> String {
    let shown = if at.is_empty() { "the body" } else { at };
    format!("{shown}: expected {what}, got {}", json_type(got))
}

/// The fields of one JSON object, at a JSON pointer.
struct Fields {
    map: Map<String, Value>,
    at: String,
}

impl Fields {
    fn new(value: Value, at: String) -> Result<Self, String> {
        match value {
            Value::Object(map) => Ok(Fields { map, at }),
            other => Err(expected(&at, "an object", &other)),
        }
    }

    /// The pointer of `key` (the keys read here need no escaping).
    fn at(&self, key: &str) -> String {
        format!("{}/{key}", self.at)
    }

    fn optional(&mut self, key: &str) -> Option<Value> {
        self.map.get_mut(key).map(Value::take).filter(|v| !v.is_null())
    }

    fn required(&mut self, key: &str) -> Result<Value, String> {
        self.optional(key).ok_or_else(|| format!("{}: required", self.at(key)))
    }

    fn string(&mut self, key: &str) -> Result<String, String> {
        let value = self.required(key)?;
        self.string_of(key, value)
    }

    fn optional_string(&mut self, key: &str) -> Result<Option<String>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(value) => self.string_of(key, value).map(Some),
        }
    }

    fn string_of(&self, key: &str, value: Value) -> Result<String, String> {
        match value {
            Value::String(text) => Ok(text),
            other => Err(expected(&self.at(key), "a string", &other)),
        }
    }

    fn optional_bool(&mut self, key: &str) -> Result<Option<bool>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(expected(&self.at(key), "a boolean", &other)),
        }
    }

    /// A timestamp: a non-negative integer, or a float, truncated (read, never formatted).
    fn timestamp(&mut self, key: &str) -> Result<u64, String> {
        match self.required(key)? {
            Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| (0.0..18_446_744_073_709_551_616.0).contains(f)).map(|f| f as u64))
                .ok_or_else(|| format!("{}: expected a non-negative timestamp below 2^64", self.at(key))),
            other => Err(expected(&self.at(key), "a number", &other)),
        }
    }

    fn object<T: FromJson>(&mut self, key: &str) -> Result<T, String> {
        let value = self.required(key)?;
        read(value, self.at(key))
    }

    fn optional_object<T: FromJson>(&mut self, key: &str) -> Result<Option<T>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(value) => read(value, self.at(key)).map(Some),
        }
    }

    /// An object kept as it is.
    fn optional_map(&mut self, key: &str) -> Result<Option<Map<String, Value>>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(other) => Err(expected(&self.at(key), "an object", &other)),
        }
    }

    fn participants(&mut self, key: &str) -> Result<Vec<GroupParticipant>, String> {
        let value = self.required(key)?;
        self.participants_of(key, value)
    }

    fn optional_participants(&mut self, key: &str) -> Result<Option<Vec<GroupParticipant>>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(value) => self.participants_of(key, value).map(Some),
        }
    }

    fn participants_of(&self, key: &str, value: Value) -> Result<Vec<GroupParticipant>, String> {
        let at = self.at(key);
        match value {
            Value::Array(items) => {
                items.into_iter().enumerate().map(|(i, item)| read(item, format!("{at}/{i}"))).collect()
            }
            other => Err(expected(&at, "an array", &other)),
        }
    }
}

impl FromJson for GroupParticipant {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupParticipant { id: f.string("id")?, pn: f.optional_string("pn")?, role: f.string("role")?.into() })
    }
}

impl FromJson for GroupRef {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupRef { id: f.string("id")? })
    }
}

impl FromJson for GroupInfo {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupInfo {
            id: f.string("id")?,
            subject: f.optional_string("subject")?,
            description: f.optional_string("description")?,
            invite: f.optional_string("invite")?,
            members_can_add_new_member: f.optional_bool("membersCanAddNewMember")?,
            members_can_send_messages: f.optional_bool("membersCanSendMessages")?,
            new_members_approval_required: f.optional_bool("newMembersApprovalRequired")?,
            participants: f.optional_participants("participants")?,
        })
    }
}

impl FromJson for GroupJoinEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupJoinEvent {
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for GroupLeaveEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupLeaveEvent {
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for GroupUpdateEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupUpdateEvent {
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for GroupParticipantsEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupParticipantsEvent {
            change: f.string("type")?.into(),
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            participants: f.participants("participants")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for GroupJoinRequestEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupJoinRequestEvent {
            action: f.string("action")?.into(),
            requester_id: f.string("requesterId")?,
            requester_pn: f.optional_string("requesterPn")?,
            request_method: f.optional_string("requestMethod")?,
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for MeInfo {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(MeInfo {
            id: f.string("id")?,
            lid: f.optional_string("lid")?,
            jid: f.optional_string("jid")?,
            push_name: f.optional_string("pushName")?,
        })
    }
}

impl FromJson for Environment {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(Environment {
            version: f.optional_string("version")?,
            engine: f.optional_string("engine")?,
            tier: f.optional_string("tier")?,
            browser: f.optional_string("browser")?,
        })
    }
}

impl FromJson for WebhookEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        let id = f.string("id")?;
        let timestamp = f.timestamp("timestamp")?;
        let session = f.string("session")?;
        let metadata = f.optional_map("metadata")?;
        let engine = f.string("engine")?;
        let name = f.string("event")?;
        let payload = f.required("payload")?;
        let me = f.optional_object("me")?;
        let environment = f.optional_object("environment")?.unwrap_or_default();
        let event = GroupEvent::read(name, payload, &f.at("payload"))?;
        Ok(WebhookEvent { id, timestamp, session, metadata, engine, event, me, environment })
    }
}

/// `Deserialize` through the hand-written reader: any serde format, the same rules as
/// [`parse_event`].
macro_rules! deserialize_by_hand {
    ($($name:ty),*) => {$(
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                read(Value::deserialize(deserializer)?, String::new()).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

deserialize_by_hand!(
    GroupParticipant,
    GroupRef,
    GroupInfo,
    GroupJoinEvent,
    GroupLeaveEvent,
    GroupUpdateEvent,
    GroupParticipantsEvent,
    GroupJoinRequestEvent,
    MeInfo,
    Environment,
    WebhookEvent
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const GROUP: &str = "120363298657503778@g.us";

    fn envelope(event: &str, payload: Value) -> Value {
        json!({
            "id": "evt_01aaaaaaaaaaaaaaaaaaaaaaaa",
            "timestamp": 1_634_567_890_123u64,
            "session": "default",
            "metadata": {"user.id": "123", "user.email": "email@example.com"},
            "engine": "GOWS",
            "event": event,
            "payload": payload,
            "me": {"id": "11111111111@c.us", "pushName": "Me", "lid": "123456789012345@lid"},
            "environment": {"version": "2026.8.2", "engine": "GOWS", "tier": "PLUS", "browser": null}
        })
    }

    fn parse(v: &Value) -> WebhookEvent {
        parse_event(v.to_string().as_bytes()).unwrap()
    }

    /// Serializing gives back JSON that parses to the same event.
    fn assert_round_trips(event: &WebhookEvent) {
        let again = parse_event(serde_json::to_string(event).unwrap().as_bytes()).unwrap();
        assert_eq!(&again, event);
    }

    #[test]
    fn envelope_fields() {
        let e = parse(&envelope(GROUP_V2_LEAVE, json!({"timestamp": 1, "group": {"id": GROUP}})));
        assert_eq!(e.id, "evt_01aaaaaaaaaaaaaaaaaaaaaaaa");
        assert_eq!(e.timestamp, 1_634_567_890_123);
        assert_eq!(e.session, "default");
        assert_eq!(e.engine, "GOWS");
        assert_eq!(e.metadata.as_ref().unwrap()["user.id"], "123");
        let me = e.me.as_ref().unwrap();
        assert_eq!((me.id.as_str(), me.push_name.as_deref()), ("11111111111@c.us", Some("Me")));
        assert_eq!(e.environment.version.as_deref(), Some("2026.8.2"));
        assert_eq!(e.environment.browser, None);
        assert_round_trips(&e);
    }

    #[test]
    fn join_carries_full_group_info() {
        let payload = json!({
            "timestamp": 1_666_943_582u64,
            "group": {
                "id": GROUP,
                "subject": "Weekend hikes",
                "description": "Meet at 9",
                "invite": "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv",
                "membersCanAddNewMember": true,
                "membersCanSendMessages": false,
                "newMembersApprovalRequired": true,
                "participants": [
                    {"id": "123456789012345@lid", "pn": "15551234567@c.us", "role": "superadmin"},
                    {"id": "4915112345678@c.us", "role": "participant"}
                ]
            }
        });
        let e = parse(&envelope(GROUP_V2_JOIN, payload));
        let GroupEvent::Join(join) = &e.event else { panic!("{e:?}") };
        assert_eq!(join.timestamp, 1_666_943_582);
        assert_eq!(join.group.subject.as_deref(), Some("Weekend hikes"));
        assert_eq!(join.group.members_can_add_new_member, Some(true));
        assert_eq!(join.group.members_can_send_messages, Some(false));
        assert_eq!(join.group.new_members_approval_required, Some(true));
        let members = join.group.participants.as_ref().unwrap();
        assert_eq!(members[0].role, Role::Superadmin);
        assert_eq!(members[0].pn.as_deref(), Some("15551234567@c.us"));
        assert_eq!((members[1].pn.as_ref(), &members[1].role), (None, &Role::Participant));
        assert_eq!(e.event.name(), "group.v2.join");
        assert_round_trips(&e);
    }

    #[test]
    fn leave_has_the_group_id() {
        let e = parse(&envelope(GROUP_V2_LEAVE, json!({"timestamp": 5, "group": {"id": GROUP}})));
        let GroupEvent::Leave(leave) = &e.event else { panic!("{e:?}") };
        assert_eq!((leave.timestamp, leave.group.id.as_str(), &leave.data), (5, GROUP, &None));
    }

    #[test]
    fn update_carries_only_changed_fields() {
        let e = parse(&envelope(GROUP_V2_UPDATE, json!({"timestamp": 7, "group": {"id": GROUP, "subject": "New"}})));
        let GroupEvent::Update(update) = &e.event else { panic!("{e:?}") };
        let expected = GroupInfo { id: GROUP.into(), subject: Some("New".into()), ..GroupInfo::default() };
        assert_eq!(update.group, expected);
        // Serialized, the absent fields stay absent.
        let (_, payload) = e.event.clone().into_parts();
        assert_eq!(payload, json!({"timestamp": 7, "group": {"id": GROUP, "subject": "New"}}));
    }

    #[test]
    fn participants_change_types_and_roles() {
        for (kind, change, role) in [
            ("join", ParticipantsChange::Join, "participant"),
            ("leave", ParticipantsChange::Leave, "left"),
            ("promote", ParticipantsChange::Promote, "admin"),
            ("demote", ParticipantsChange::Demote, "participant"),
        ] {
            let payload = json!({
                "type": kind,
                "timestamp": 9,
                "group": {"id": GROUP},
                "participants": [{"id": "123456789012345@lid", "pn": "15551234567@c.us", "role": role}]
            });
            let e = parse(&envelope(GROUP_V2_PARTICIPANTS, payload.clone()));
            let GroupEvent::Participants(p) = &e.event else { panic!("{e:?}") };
            assert_eq!(p.change, change);
            assert_eq!(p.participants[0].role.as_str(), role);
            assert_eq!(serde_json::to_value(&p.participants[0].role).unwrap(), role);
            assert_eq!(p.group.id, GROUP);
            assert_eq!(e.event.clone().into_parts(), (GROUP_V2_PARTICIPANTS.to_owned(), payload));
        }
        let bad = envelope(
            GROUP_V2_PARTICIPANTS,
            json!({"type": "promote", "timestamp": 9, "group": {"id": GROUP}, "participants": {}}),
        );
        let err = parse_event(bad.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidType);
        assert!(
            err.detail.ends_with(
                "/payload/participants: expected an array, got an object (in a group.v2.participants event)"
            ),
            "{}",
            err.detail
        );
    }

    #[test]
    fn join_request_actions() {
        let payload = json!({
            "group": {"id": GROUP},
            "action": "created",
            "requesterId": "123456789012345@lid",
            "requesterPn": "15551234567@c.us",
            "requestMethod": "invite_link",
            "timestamp": 1_666_943_582u64
        });
        let e = parse(&envelope("group.v2.participants.join-request", payload));
        let GroupEvent::JoinRequest(r) = &e.event else { panic!("{e:?}") };
        assert_eq!(r.action, JoinRequestAction::Created);
        assert_eq!(r.requester_id, "123456789012345@lid");
        assert_eq!(r.requester_pn.as_deref(), Some("15551234567@c.us"));
        assert_eq!(r.request_method.as_deref(), Some("invite_link"));
        assert_round_trips(&e);

        for (action, want) in [("rejected", JoinRequestAction::Rejected), ("revoked", JoinRequestAction::Revoked)] {
            let payload = json!({"group": {"id": GROUP}, "action": action, "requesterId": "1@lid",
                                 "requesterPn": null, "timestamp": 1});
            let GroupEvent::JoinRequest(r) = parse(&envelope(GROUP_V2_JOIN_REQUEST, payload)).event else { panic!() };
            assert_eq!((r.action, r.requester_pn, r.request_method), (want, None, None));
        }
    }

    #[test]
    fn unknown_events_keep_name_and_payload() {
        let payload = json!({"id": "false_1@c.us_AAA", "body": "hi", "nested": [1, {"x": null}]});
        let e = parse(&envelope("message", payload.clone()));
        assert_eq!(e.event, GroupEvent::Other { event: "message".into(), payload: payload.clone() });
        assert_eq!(e.event.name(), "message");
        // The deprecated v1 group events are not the v2 ones.
        let e = parse(&envelope("group.join", json!({"whatever": true})));
        assert!(matches!(&e.event, GroupEvent::Other { event, .. } if event == "group.join"));
        assert_round_trips(&e);
    }

    #[test]
    fn extra_fields_are_tolerated() {
        let mut v = envelope(GROUP_V2_LEAVE, json!({"timestamp": 1, "group": {"id": GROUP, "extra": 1}, "new": "x"}));
        v["futureEnvelopeField"] = json!({"a": 1});
        v["environment"]["region"] = json!("eu");
        v["me"]["somethingNew"] = json!(true);
        let e = parse(&v);
        assert!(matches!(&e.event, GroupEvent::Leave(l) if l.group.id == GROUP));
        // Optional envelope parts may be absent.
        let mut v = envelope(GROUP_V2_LEAVE, json!({"timestamp": 1, "group": {"id": GROUP}}));
        let map = v.as_object_mut().unwrap();
        map.remove("me");
        map.remove("metadata");
        map.insert("environment".into(), json!({}));
        let e = parse(&v);
        assert_eq!((e.me, e.metadata, e.environment), (None, None, Environment::default()));
    }

    #[test]
    fn engine_data_is_kept_opaque() {
        let raw = json!({"JID": GROUP, "Leave": ["11111111111@s.whatsapp.net"], "Deep": {"n": [1, 2.5, null]}});
        let e = parse(&envelope(GROUP_V2_LEAVE, json!({"timestamp": 1, "group": {"id": GROUP}, "_data": raw.clone()})));
        let GroupEvent::Leave(leave) = &e.event else { panic!("{e:?}") };
        assert_eq!(leave.data.as_ref(), Some(&raw));
        let (_, payload) = e.event.clone().into_parts();
        assert_eq!(payload["_data"], raw, "`_data` is sent back as it came");
        assert_round_trips(&e);
    }

    #[test]
    fn errors_are_typed_and_size_is_capped() {
        let err = parse_event(b"{\"id\":").unwrap_err();
        assert_eq!((err.code, err.status), (ErrorCode::InvalidJson, 400));
        assert!(err.detail.contains("line 1"), "{}", err.detail);

        let mut v = envelope(GROUP_V2_LEAVE, json!({"timestamp": 1, "group": {"id": GROUP}}));
        v.as_object_mut().unwrap().remove("session");
        let err = parse_event(v.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidType);
        assert!(err.detail.contains("session"), "{}", err.detail);

        let err = parse_event(envelope(GROUP_V2_JOIN, json!({"timestamp": 1})).to_string().as_bytes()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidType);
        assert_eq!(
            err.detail,
            "the webhook body is not a WAHA webhook: /payload/group: required (in a group.v2.join event)"
        );

        // Each error names the value by its JSON pointer.
        for (payload, want) in [
            (
                json!({"type": "join", "timestamp": 1, "group": {"id": GROUP}, "participants": [{"id": "1@lid", "role": "admin"}, {"id": "2@lid"}]}),
                "/payload/participants/1/role: required",
            ),
            (
                json!({"type": "join", "timestamp": 1, "group": {"id": 5}, "participants": []}),
                "/payload/group/id: expected a string, got a number",
            ),
            (
                json!({"type": 1, "timestamp": 1, "group": {"id": GROUP}, "participants": []}),
                "/payload/type: expected a string",
            ),
            (json!("join"), "/payload: expected an object, got a string"),
        ] {
            let err = parse_event(envelope(GROUP_V2_PARTICIPANTS, payload).to_string().as_bytes()).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidType);
            assert!(err.detail.contains(want), "{} does not say {want}", err.detail);
        }
        let mut v = envelope(GROUP_V2_LEAVE, json!({"timestamp": 1, "group": {"id": GROUP}}));
        v["me"] = json!({"pushName": "Me"});
        assert!(parse_event(v.to_string().as_bytes()).unwrap_err().detail.ends_with("/me/id: required"));
        v["me"] = json!(null);
        v["metadata"] = json!(["not", "a", "map"]);
        let err = parse_event(v.to_string().as_bytes()).unwrap_err();
        assert!(err.detail.ends_with("/metadata: expected an object, got an array"), "{}", err.detail);

        let err = parse_event(b"[]").unwrap_err();
        assert_eq!(
            (err.code, err.detail.as_str()),
            (
                ErrorCode::InvalidType,
                "the webhook body is not a WAHA webhook: the body: expected an object, got an array"
            )
        );
        let big = vec![b' '; BODY_MAX_BYTES + 1];
        assert_eq!(parse_event(&big).unwrap_err().code, ErrorCode::PayloadTooLarge);
    }

    #[test]
    fn unknown_enum_values_are_kept_not_refused() {
        let payload = json!({
            "type": "kick",
            "timestamp": 9,
            "group": {"id": GROUP},
            "participants": [{"id": "1@lid", "role": "moderator"}, {"id": "2@lid", "role": "admin"}]
        });
        let e = parse(&envelope(GROUP_V2_PARTICIPANTS, payload.clone()));
        let GroupEvent::Participants(p) = &e.event else { panic!("{e:?}") };
        assert_eq!(p.change, ParticipantsChange::Other("kick".into()));
        assert_eq!((p.change.as_str(), p.participants[0].role.as_str()), ("kick", "moderator"));
        assert_eq!(p.participants[0].role, Role::Other("moderator".into()));
        assert_eq!(p.participants[1].role, Role::Admin);
        // Sent back exactly as they came.
        assert_eq!(e.event.clone().into_parts().1, payload);
        assert_round_trips(&e);

        let payload = json!({"group": {"id": GROUP}, "action": "approved", "requesterId": "1@lid", "timestamp": 1});
        let e = parse(&envelope(GROUP_V2_JOIN_REQUEST, payload));
        let GroupEvent::JoinRequest(r) = &e.event else { panic!("{e:?}") };
        assert_eq!(r.action, JoinRequestAction::Other("approved".into()));
        assert_round_trips(&e);

        let e = parse(&envelope(
            GROUP_V2_JOIN,
            json!({"timestamp": 1, "group": {"id": GROUP, "participants": [{"id": "1@lid", "role": "owner"}]}}),
        ));
        let GroupEvent::Join(join) = &e.event else { panic!("{e:?}") };
        assert_eq!(join.group.participants.as_ref().unwrap()[0].role, Role::Other("owner".into()));

        // Known values map to their variant from either direction.
        for role in [Role::Left, Role::Participant, Role::Admin, Role::Superadmin] {
            assert_eq!(Role::from(role.as_str()), role);
            assert_eq!(serde_json::from_value::<Role>(serde_json::to_value(&role).unwrap()).unwrap(), role);
        }
        assert_eq!(serde_json::from_str::<ParticipantsChange>("\"demote\"").unwrap(), ParticipantsChange::Demote);
        assert_eq!(JoinRequestAction::from("revoked"), JoinRequestAction::Revoked);
        assert_eq!(serde_json::from_str::<Role>("\"new\"").unwrap(), Role::Other("new".into()));
    }

    #[test]
    fn timestamps_may_be_floats_and_are_truncated() {
        let mut v = envelope(GROUP_V2_LEAVE, json!({"timestamp": 1_666_943_582.75, "group": {"id": GROUP}}));
        v["timestamp"] = json!(1_634_567_890_123.0);
        let e = parse(&v);
        assert_eq!(e.timestamp, 1_634_567_890_123);
        let GroupEvent::Leave(leave) = &e.event else { panic!("{e:?}") };
        assert_eq!(leave.timestamp, 1_666_943_582);
        assert_eq!(
            parse(&envelope(GROUP_V2_LEAVE, json!({"timestamp": 0.0, "group": {"id": GROUP}}))).timestamp,
            1_634_567_890_123
        );
        v["timestamp"] = json!(u64::MAX);
        assert_eq!(parse(&v).timestamp, u64::MAX);

        for (bad, want) in [
            (json!(-1), "/timestamp: expected a non-negative timestamp below 2^64"),
            (json!(-0.5), "/timestamp: expected a non-negative timestamp below 2^64"),
            (json!(1e20), "/timestamp: expected a non-negative timestamp below 2^64"),
            (json!("1634567890123"), "/timestamp: expected a number, got a string"),
            (json!(null), "/timestamp: required"),
        ] {
            v["timestamp"] = bad;
            let err = parse_event(v.to_string().as_bytes()).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidType);
            assert!(err.detail.ends_with(want), "{} does not end with {want}", err.detail);
        }
    }

    #[test]
    fn null_is_absent_and_environment_is_optional() {
        let mut v = envelope(
            GROUP_V2_UPDATE,
            json!({"timestamp": 1, "group": {"id": GROUP, "subject": null, "participants": null}, "_data": null}),
        );
        v["metadata"] = json!(null);
        v["me"] = json!(null);
        v.as_object_mut().unwrap().remove("environment");
        let e = parse(&v);
        assert_eq!((&e.metadata, &e.me, &e.environment), (&None, &None, &Environment::default()));
        let GroupEvent::Update(update) = &e.event else { panic!("{e:?}") };
        assert_eq!((&update.group, &update.data), (&GroupInfo { id: GROUP.into(), ..GroupInfo::default() }, &None));
        assert_round_trips(&e);
    }

    #[test]
    fn deserialize_and_from_parts_use_the_same_reader() {
        let v = envelope(
            GROUP_V2_JOIN_REQUEST,
            json!({"group": {"id": GROUP}, "action": "created", "requesterId": "1@lid", "timestamp": 2, "x": 1}),
        );
        let parsed = parse(&v);
        assert_eq!(serde_json::from_value::<WebhookEvent>(v.clone()).unwrap(), parsed);
        assert_eq!(serde_json::from_str::<WebhookEvent>(&v.to_string()).unwrap(), parsed);
        let (name, payload) = parsed.event.clone().into_parts();
        assert_eq!(GroupEvent::from_parts(name, payload).unwrap(), parsed.event);

        let err = GroupEvent::from_parts(GROUP_V2_LEAVE.into(), json!({"timestamp": 1})).unwrap_err();
        assert_eq!(err.to_string(), "/group: required (in a group.v2.leave event)");
        let err = serde_json::from_value::<GroupParticipant>(json!({"id": "1@lid", "role": 3})).unwrap_err();
        assert_eq!(err.to_string(), "/role: expected a string, got a number");
        assert_eq!(
            GroupEvent::from_parts("presence.update".into(), json!([1])).unwrap(),
            GroupEvent::Other { event: "presence.update".into(), payload: json!([1]) }
        );
    }
}
