//! Tests of the webhook parser.

use super::*;
use crate::wire::json::serde_text::{ours, theirs};
use serde_json::{json, Value};

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
    let again = parse_event(event.to_json().as_bytes()).unwrap();
    assert_eq!(&again, event);
}

#[test]
fn envelope_fields() {
    let e = parse(&envelope(GROUP_V2_LEAVE, json!({"timestamp": 1, "group": {"id": GROUP}})));
    assert_eq!(e.id, "evt_01aaaaaaaaaaaaaaaaaaaaaaaa");
    assert_eq!(e.timestamp, 1_634_567_890_123);
    assert_eq!(e.session, "default");
    assert_eq!(e.engine, "GOWS");
    assert_eq!(e.metadata.as_ref().unwrap().get("user.id").and_then(|v| v.as_str()), Some("123"));
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
    assert_eq!(theirs(&payload), json!({"timestamp": 7, "group": {"id": GROUP, "subject": "New"}}));
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
        assert_eq!(p.participants[0].role.to_value().as_str(), Some(role));
        assert_eq!(p.group.id, GROUP);
        let (name, written) = e.event.clone().into_parts();
        assert_eq!((name, theirs(&written)), (GROUP_V2_PARTICIPANTS.to_owned(), payload));
    }
    let bad = envelope(
        GROUP_V2_PARTICIPANTS,
        json!({"type": "promote", "timestamp": 9, "group": {"id": GROUP}, "participants": {}}),
    );
    let err = parse_event(bad.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidType);
    assert!(
        err.detail
            .ends_with("/payload/participants: expected an array, got an object (in a group.v2.participants event)"),
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
    assert_eq!(e.event, GroupEvent::Other { event: "message".into(), payload: ours(&payload) });
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
    assert_eq!(leave.data.as_ref(), Some(&ours(&raw)));
    let (_, payload) = e.event.clone().into_parts();
    assert_eq!(theirs(&payload)["_data"], raw, "`_data` is sent back as it came");
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
        (ErrorCode::InvalidType, "the webhook body is not a WAHA webhook: body: expected an object, got an array")
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
    assert_eq!(theirs(&e.event.clone().into_parts().1), payload);
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
        assert_eq!(role.to_value().as_str().map(Role::from), Some(role));
    }
    assert_eq!(ParticipantsChange::from("demote"), ParticipantsChange::Demote);
    assert_eq!(JoinRequestAction::from("revoked"), JoinRequestAction::Revoked);
    assert_eq!(Role::from("new"), Role::Other("new".into()));
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
    assert_eq!(read::read::<WebhookEvent>(ours(&v), String::new()).unwrap(), parsed);
    let (name, payload) = parsed.event.clone().into_parts();
    assert_eq!(GroupEvent::from_parts(name, payload).unwrap(), parsed.event);

    let err = GroupEvent::from_parts(GROUP_V2_LEAVE.into(), ours(&json!({"timestamp": 1}))).unwrap_err();
    assert_eq!(err, "/group: required (in a group.v2.leave event)");
    let err = read::read::<GroupParticipant>(ours(&json!({"id": "1@lid", "role": 3})), String::new()).unwrap_err();
    assert_eq!(err, "/role: expected a string, got a number");
    assert_eq!(
        GroupEvent::from_parts("presence.update".into(), ours(&json!([1]))).unwrap(),
        GroupEvent::Other { event: "presence.update".into(), payload: ours(&json!([1])) }
    );
}

#[test]
fn the_first_bad_field_is_the_one_reported() {
    // Every field of the payload is bad: the first in declaration order is named.
    let bad = json!({"type": 1, "timestamp": "x", "group": 5, "participants": 7, "_data": 1});
    let err = parse_event(envelope(GROUP_V2_PARTICIPANTS, bad).to_string().as_bytes()).unwrap_err();
    assert_eq!(
        err.detail,
        "the webhook body is not a WAHA webhook: /payload/type: expected a string, got a number (in a group.v2.participants event)"
    );
    // A bad envelope field comes before a bad payload, and a nested object's own first error wins.
    let mut v = envelope(GROUP_V2_JOIN, json!({"timestamp": 1, "group": {"id": 1, "subject": 2}}));
    v["session"] = json!(3);
    v["me"] = json!({"id": 4});
    let err = parse_event(v.to_string().as_bytes()).unwrap_err();
    assert!(err.detail.ends_with(": /session: expected a string, got a number"), "{}", err.detail);
    v["session"] = json!("default");
    let err = parse_event(v.to_string().as_bytes()).unwrap_err();
    assert!(err.detail.ends_with(": /me/id: expected a string, got a number"), "{}", err.detail);
    v["me"] = json!(null);
    let err = parse_event(v.to_string().as_bytes()).unwrap_err();
    assert!(err.detail.ends_with("/payload/group/id: expected a string, got a number (in a group.v2.join event)"));
}

#[test]
fn timestamps_are_truncated_without_parsing_floats() {
    let cases = [
        ("1634567890123", Some(1_634_567_890_123)),
        ("1.9", Some(1)),
        ("1.5e3", Some(1500)),
        ("15E-1", Some(1)),
        ("0.5", Some(0)),
        ("-0", Some(0)),
        ("-0.0", Some(0)),
        ("-1", None),
        ("-0.5", None),
        ("18446744073709551615", Some(u64::MAX)),
        ("18446744073709551616", None),
        ("1e20", None),
        ("0e999999", Some(0)),
        ("1e-999", Some(0)),
        // Exponents past i64: zero is still zero, a tiny value truncates to 0, a huge one is too large.
        ("0e99999999999999999999", Some(0)),
        ("1e-99999999999999999999", Some(0)),
        ("-1e-99999999999999999999", None),
        ("1e99999999999999999999", None),
        ("1E+99999999999999999999", None),
    ];
    for (text, want) in cases {
        assert_eq!(read::truncated(text), want, "{text}");
    }
}
