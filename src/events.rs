//! Typed WAHA group webhooks (`group.v2.*`), as WAHA posts them to a webhook URL.
//!
//! Every webhook is an envelope `{id, timestamp, session, metadata?, engine, event, payload, me?,
//! environment}`; [`parse_event`] reads it and types the payload of the five group events. Any other
//! event name (`message`, the deprecated `group.join`, a future one) parses into
//! [`GroupEvent::Other`] with its raw payload, so a receiver never fails on an event it does not
//! know. Unknown extra fields are ignored, and each payload's raw engine `_data` is kept opaque.
//!
//! The join-request event is named `group.v2.participants.join-request`, as WAHA 2026.8 (which
//! added it together with the join-request routes) publishes it.
//!
//! Ids stay strings here: an event must not be dropped because WhatsApp sent an id shape that the
//! request validation in [`crate::ids`] would refuse.

use crate::error::{Error, ErrorCode};
use crate::limits::BODY_MAX_BYTES;
use serde::{Deserialize, Serialize};
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

/// A group member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// No longer a member.
    Left,
    /// A plain member.
    Participant,
    /// An admin.
    Admin,
    /// The group's creator (owner).
    Superadmin,
}

/// A group member as WAHA reports it: `{id, pn?, role}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupParticipant {
    /// `…@c.us` or `…@lid`.
    pub id: String,
    /// The phone-number id (`…@c.us`) when `id` is a lid and the number is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pn: Option<String>,
    /// The member's role.
    pub role: Role,
}

/// A group reference: `{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    /// The group id (`…@g.us`).
    pub id: String,
}

/// Group info: complete in `group.v2.join`, only the changed fields in `group.v2.update`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupInfo {
    /// The group id (`…@g.us`).
    pub id: String,
    /// The subject (name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The invite link, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
    /// Whether members may add members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_can_add_new_member: Option<bool>,
    /// Whether members may send messages (WAHA's name; engines disagree on its polarity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_can_send_messages: Option<bool>,
    /// Whether new members need an admin's approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_members_approval_required: Option<bool>,
    /// The members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<GroupParticipant>>,
}

/// Payload of `group.v2.join`: `{timestamp, group: GroupInfo}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupJoinEvent {
    /// When it happened (as the engine reports it: seconds or milliseconds).
    pub timestamp: u64,
    /// The group joined.
    pub group: GroupInfo,
    /// The engine's raw event, opaque.
    #[serde(rename = "_data", default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// Payload of `group.v2.leave`: `{timestamp, group: {id}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupLeaveEvent {
    /// When it happened.
    pub timestamp: u64,
    /// The group left.
    pub group: GroupRef,
    /// The engine's raw event, opaque.
    #[serde(rename = "_data", default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// Payload of `group.v2.update`: `{timestamp, group: {id, …changed fields}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupUpdateEvent {
    /// When it happened.
    pub timestamp: u64,
    /// The group id and the fields that changed.
    pub group: GroupInfo,
    /// The engine's raw event, opaque.
    #[serde(rename = "_data", default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// What happened to the members listed in `group.v2.participants`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParticipantsChange {
    /// They joined or were added.
    Join,
    /// They left or were removed.
    Leave,
    /// They became admins.
    Promote,
    /// They stopped being admins.
    Demote,
}

/// Payload of `group.v2.participants`: `{type, timestamp, group: {id}, participants}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(rename = "_data", default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// What happened to a request to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JoinRequestAction {
    /// Someone asked to join.
    Created,
    /// An admin rejected the request.
    Rejected,
    /// The requester withdrew the request.
    Revoked,
}

/// Payload of `group.v2.participants.join-request`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupJoinRequestEvent {
    /// What happened to the request.
    pub action: JoinRequestAction,
    /// Who asked (`…@lid` or `…@c.us`).
    pub requester_id: String,
    /// The requester's phone-number id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_pn: Option<String>,
    /// How the request was made (`invite_link`, `non_admin_add`, `linked_group_join`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_method: Option<String>,
    /// When it happened.
    pub timestamp: u64,
    /// The group.
    pub group: GroupRef,
    /// The engine's raw event, opaque.
    #[serde(rename = "_data", default, skip_serializing_if = "Option::is_none")]
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
        Ok(match event.as_str() {
            GROUP_V2_JOIN => GroupEvent::Join(serde_json::from_value(payload)?),
            GROUP_V2_LEAVE => GroupEvent::Leave(serde_json::from_value(payload)?),
            GROUP_V2_UPDATE => GroupEvent::Update(serde_json::from_value(payload)?),
            GROUP_V2_PARTICIPANTS => GroupEvent::Participants(serde_json::from_value(payload)?),
            GROUP_V2_JOIN_REQUEST => GroupEvent::JoinRequest(serde_json::from_value(payload)?),
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeInfo {
    /// The account's id (`…@c.us`).
    pub id: String,
    /// The account's linked id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lid: Option<String>,
    /// The account's raw jid, when the engine gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jid: Option<String>,
    /// The account's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_name: Option<String>,
}

/// The WAHA server that sent the webhook.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Environment {
    /// WAHA's version (`2026.8.2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The engine (`GOWS`, `NOWEB`, `WEBJS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// The WAHA tier (`CORE`, `PLUS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The browser a browser-based engine runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
}

/// One WAHA webhook: its envelope and its typed event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawWebhook", into = "RawWebhook")]
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
    /// The WAHA server.
    pub environment: Environment,
}

/// The envelope as it is on the wire, with the payload untyped.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RawWebhook {
    id: String,
    timestamp: u64,
    session: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<Map<String, Value>>,
    engine: String,
    event: String,
    payload: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    me: Option<MeInfo>,
    environment: Environment,
}

impl TryFrom<RawWebhook> for WebhookEvent {
    type Error = String;

    fn try_from(raw: RawWebhook) -> Result<Self, String> {
        let name = raw.event.clone();
        let event = GroupEvent::from_parts(raw.event, raw.payload).map_err(|e| format!("payload of {name}: {e}"))?;
        Ok(WebhookEvent {
            id: raw.id,
            timestamp: raw.timestamp,
            session: raw.session,
            metadata: raw.metadata,
            engine: raw.engine,
            event,
            me: raw.me,
            environment: raw.environment,
        })
    }
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
/// `invalid_type` when it is JSON but not a webhook of the expected shape; the detail says where.
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
    serde_json::from_value(value)
        .map_err(|e| Error::new(ErrorCode::InvalidType, format!("the webhook body is not a WAHA webhook: {e}")))
}

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
        assert_eq!((members[1].pn.as_ref(), members[1].role), (None, Role::Participant));
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
            assert_eq!(serde_json::to_value(p.participants[0].role).unwrap(), role);
            assert_eq!(p.group.id, GROUP);
            assert_eq!(e.event.clone().into_parts(), (GROUP_V2_PARTICIPANTS.to_owned(), payload));
        }
        let bad = envelope(
            GROUP_V2_PARTICIPANTS,
            json!({"type": "kick", "timestamp": 9, "group": {"id": GROUP}, "participants": []}),
        );
        let err = parse_event(bad.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidType);
        assert!(err.detail.contains("payload of group.v2.participants"), "{}", err.detail);
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
        assert!(err.detail.contains("payload of group.v2.join") && err.detail.contains("group"), "{}", err.detail);

        assert_eq!(parse_event(b"[]").unwrap_err().code, ErrorCode::InvalidType);
        let big = vec![b' '; BODY_MAX_BYTES + 1];
        assert_eq!(parse_event(&big).unwrap_err().code, ErrorCode::PayloadTooLarge);
    }
}
