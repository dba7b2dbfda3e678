use super::*;
use crate::events::parse_event;
use crate::ids::ParticipantId;
use crate::wire::json::{self, serde_text::ours};
use serde_json::{json, Value};

const GROUP: &str = "120363000000000001@g.us";

fn session() -> SessionName {
    SessionName::parse("default").unwrap()
}

fn group() -> GroupId {
    GroupId::parse(GROUP).unwrap()
}

/// A WAHA webhook body for `event` with `payload`.
fn webhook(event: &str, payload: Value) -> Value {
    json!({
        "id": "evt_01JZ0000000000000000000000", "timestamp": 1_780_000_000_000u64, "session": "default",
        "engine": "GOWS", "event": event, "payload": payload,
        "me": {"id": "15550000000@c.us"}, "environment": {"version": "2026.8.2", "engine": "GOWS", "tier": "CORE"},
    })
}

/// The effects of a webhook body, through the core's typed reader.
fn effects_of(body: &Value) -> Option<EventEffects> {
    let parsed = parse_event(body.to_string().as_bytes()).unwrap();
    effects(&parsed, &ours(body))
}

fn change(e: &EventEffects, read: CachedRead) -> &Effect {
    &e.changes.iter().find(|(r, _)| *r == read).unwrap_or_else(|| panic!("no change for {read:?}: {e:?}")).1
}

fn reads(e: &EventEffects) -> Vec<CachedRead> {
    e.changes.iter().map(|(r, _)| *r).collect()
}

/// A cached `GET /groups/{id}` answer, with an engine field the cache does not know.
fn cached_group() -> Value {
    json!({
        "id": GROUP, "subject": "Alpha Team", "description": "old", "invite": "https://chat.whatsapp.com/AlphaInviteCode0000001",
        "membersCanAddNewMember": true, "engineOnly": {"ephemeral": 86400},
        "participants": [
            {"id": "15550000000@c.us", "role": "superadmin"},
            {"id": "15550000002@c.us", "role": "participant"},
            {"id": "123456789012345@lid", "pn": "15550001111@c.us", "role": "participant", "extra": 1},
        ],
    })
}

fn cached_v2() -> Value {
    json!([
        {"id": "15550000000@c.us", "role": "superadmin"},
        {"id": "15550000002@c.us", "role": "participant"},
        {"id": "123456789012345@lid", "pn": "15550001111@c.us", "role": "participant"},
        {"id": "15550000009@c.us", "role": "left"},
    ])
}

fn applied(effect: &Effect, cached: &Value) -> Value {
    match effect.apply(Some(&cached.to_string())) {
        Outcome::Put(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("expected a new body, got {other:?}"),
    }
}

#[test]
fn keys_are_per_session_group_and_read() {
    let sales = SessionName::parse("sales").unwrap();
    assert_eq!(CachedRead::Group.key(&session(), &group()), format!("gc/default/{GROUP}/group"));
    assert_ne!(CachedRead::Group.key(&session(), &group()), CachedRead::Group.key(&sales, &group()));
    let names: std::collections::HashSet<_> = CachedRead::ALL.iter().map(|r| r.name()).collect();
    assert_eq!(names.len(), CachedRead::ALL.len(), "one key per read");
    for read in CachedRead::ALL {
        assert!(read.key(&session(), &group()).starts_with(&group_prefix(&session(), &group())));
    }
}

#[test]
fn the_nine_reads_are_cached_and_nothing_else() {
    use crate::ops::{GroupRequest, OperationKind};
    let limits = crate::limits::Limits::default();
    let mut cached = Vec::new();
    for kind in OperationKind::ALL {
        let path = format!("/api/default{}", kind.waha_template().replace("{id}", GROUP));
        let (query, body) = match kind.waha_template() {
            "/groups/join-info" => ("code=AlphaInviteCode0000001", ""),
            _ => ("", ""),
        };
        let Ok(request) = GroupRequest::parse(kind.waha_method().as_str(), &path, query, body.as_bytes(), &limits)
        else {
            continue; // routes needing a body: none of them is a read
        };
        if let Some((g, read)) = CachedRead::of(&request.operation) {
            assert_eq!(g, &group());
            cached.push(read);
        }
    }
    assert_eq!(cached.len(), 9, "{cached:?}");
    for read in CachedRead::ALL {
        assert!(cached.contains(&read), "{read:?} is not reachable from a route");
    }
}

#[test]
fn accepted_writes_invalidate_what_they_change() {
    use crate::ops::field::{Description, People, Subject};
    let people = People(vec![ParticipantId::parse("15550000002@c.us").unwrap()]);
    let g = group();
    let cases = [
        (Operation::SetSubject { group: g.clone(), subject: Subject("New".into()) }, vec![CachedRead::Group]),
        (
            Operation::SetDescription { group: g.clone(), description: Description(String::new()) },
            vec![CachedRead::Group],
        ),
        (
            Operation::SetMemberAddMode { group: g.clone(), value: false },
            vec![CachedRead::Group, CachedRead::MemberAddMode],
        ),
        (Operation::RevokeInviteCode { group: g.clone() }, vec![CachedRead::Group, CachedRead::InviteCode]),
        (Operation::DeleteGroup { group: g.clone() }, CachedRead::ALL.to_vec()),
        (Operation::LeaveGroup { group: g.clone() }, CachedRead::ALL.to_vec()),
    ];
    for (operation, expected) in cases {
        assert_eq!(invalidated_by(&operation), Some((&g, expected)), "{operation:?}");
    }
    let members = |participants: People| {
        [
            Operation::AddParticipants { group: g.clone(), participants: participants.clone() },
            Operation::RemoveParticipants { group: g.clone(), participants: participants.clone() },
            Operation::PromoteParticipants { group: g.clone(), participants: participants.clone() },
            Operation::DemoteParticipants { group: g.clone(), participants: participants.clone() },
            Operation::ApproveJoinRequests { group: g.clone(), participants: participants.clone() },
            Operation::RejectJoinRequests { group: g.clone(), participants },
        ]
    };
    for operation in members(people) {
        let (_, stale) = invalidated_by(&operation).unwrap();
        assert_eq!(stale, [CachedRead::Group, CachedRead::Participants, CachedRead::ParticipantsV2], "{operation:?}");
    }
    assert_eq!(invalidated_by(&Operation::GetGroup { group: g.clone() }), None, "reads invalidate nothing");
    assert_eq!(invalidated_by(&Operation::DeletePicture { group: g }), None, "pictures are not cached");
}

#[test]
fn group_cache_setting() {
    assert_eq!(parse_setting(None), Ok(None));
    assert_eq!(parse_setting(Some("off")), Ok(None));
    assert_eq!(parse_setting(Some(" 30 ")), Ok(Some(30)));
    assert_eq!(parse_setting(Some("86400")), Ok(Some(86_400)));
    for bad in ["0", "86401", "30s", "on", "-1"] {
        let err = parse_setting(Some(bad)).unwrap_err();
        assert!(err.starts_with("GROUP_CACHE:") && !err.contains(&format!("{bad:?}")), "{bad}: {err}");
    }
}

#[test]
fn freshness_and_age() {
    let entry = Entry { filled_ms: 1_000_000, status: 200, content_type: None, body: "{}".into() };
    assert_eq!(entry.freshness(1_000_000, 30, 0), Freshness::Fresh);
    assert_eq!(entry.freshness(1_029_999, 30, 0), Freshness::Fresh);
    assert_eq!(entry.freshness(1_030_000, 30, 0), Freshness::Stale);
    // Filled when the cache was last on, before it was off a while: it may have missed changes.
    assert_eq!(entry.freshness(1_000_001, 30, 1_000_001), Freshness::Stale);
    assert_eq!(entry.freshness(1_000_001, 30, 1_000_000), Freshness::Fresh, "filled since it is on");
    assert_eq!(entry.age_secs(1_029_999), 29);
    assert_eq!(entry.age_secs(999_000), 0, "a clock that went back");
    assert_eq!(Entry::ttl_secs(30), u64::from(30 + STALE_KEEP_SECS));
}

#[test]
fn entries_read_what_they_write_and_what_earlier_versions_wrote() {
    let entry = Entry { filled_ms: 1_700_000_000_123, status: 200, content_type: None, body: r#"{"id":"x"}"#.into() };
    assert_eq!(Entry::read(&entry.write()), Some(entry.clone()));
    let typed = Entry { content_type: Some("application/json".into()), ..entry };
    assert_eq!(Entry::read(&typed.write()), Some(typed.clone()));
    // As serde_json wrote entries before (camelCase members, `null` for no content type).
    let earlier = r#"{"filledMs":1700000000123,"status":200,"contentType":"application/json","body":"{\"id\":\"x\"}"}"#;
    assert_eq!(Entry::read(earlier), Some(typed));
    for bad in [r#"{"filledMs":1,"status":200,"contentType":null}"#, r#"{"filledMs":-1,"status":200,"body":""}"#, "[]"]
    {
        assert_eq!(Entry::read(bad), None, "{bad}");
    }
}

#[test]
fn join_stores_the_full_group_info_and_drops_the_rest() {
    let info = json!({
        "id": GROUP, "subject": "Alpha Team", "description": "", "membersCanAddNewMember": false,
        "membersCanSendMessages": true, "newMembersApprovalRequired": false, "futureField": [1, 2],
        "participants": [{"id": "15550000000@c.us", "role": "participant"}, {"id": "123456789012345@lid", "pn": "15550001111@c.us", "role": "admin"}],
    });
    let e = effects_of(&webhook("group.v2.join", json!({"timestamp": 1, "group": info}))).unwrap();
    assert_eq!((e.session.as_str(), e.group.as_str()), ("default", GROUP));
    assert_eq!(change(&e, CachedRead::Group), &Effect::Store(ours(&info)), "unknown fields kept");
    assert_eq!(change(&e, CachedRead::ParticipantsV2), &Effect::Store(ours(&info["participants"])));
    for read in [CachedRead::Participants, CachedRead::InviteCode, CachedRead::MemberAddMode] {
        assert_eq!(change(&e, read), &Effect::Drop, "{read:?}");
    }
    assert_eq!(e.changes.len(), 9);
    assert_eq!(Effect::Store(ours(&info)).apply(None), Outcome::Put(info.to_string()), "stored even when absent");
}

#[test]
fn leave_drops_every_entry() {
    let e = effects_of(&webhook("group.v2.leave", json!({"timestamp": 1, "group": {"id": GROUP}}))).unwrap();
    assert_eq!(reads(&e), CachedRead::ALL);
    assert!(e.changes.iter().all(|(_, effect)| effect == &Effect::Drop));
    assert_eq!(Effect::Drop.apply(Some("{}")), Outcome::Delete);
}

#[test]
fn update_merges_changed_fields_and_keeps_unknown_ones() {
    let body = webhook(
        "group.v2.update",
        json!({"timestamp": 1, "group": {"id": GROUP, "subject": "Renamed", "description": "new"}}),
    );
    let e = effects_of(&body).unwrap();
    assert_eq!(reads(&e), [CachedRead::Group], "subject and description feed only the group");
    let merged = applied(change(&e, CachedRead::Group), &cached_group());
    let mut expected = cached_group();
    expected["subject"] = "Renamed".into();
    expected["description"] = "new".into();
    assert_eq!(merged, expected);
    assert_eq!(merged["engineOnly"], json!({"ephemeral": 86400}));
    assert_eq!(change(&e, CachedRead::Group).apply(None), Outcome::Keep, "nothing cached: nothing to edit");
}

#[test]
fn update_drops_the_reads_its_fields_feed() {
    let update =
        |group: Value| effects_of(&webhook("group.v2.update", json!({"timestamp": 1, "group": group}))).unwrap();
    let e = update(
        json!({"id": GROUP, "invite": "https://chat.whatsapp.com/NewInviteCode000000001", "membersCanAddNewMember": false}),
    );
    assert_eq!(reads(&e), [CachedRead::Group, CachedRead::InviteCode, CachedRead::MemberAddMode]);
    assert_eq!(applied(change(&e, CachedRead::Group), &cached_group())["membersCanAddNewMember"], json!(false));
    let e = update(json!({"id": GROUP, "newMembersApprovalRequired": true, "membersCanSendMessages": false}));
    assert_eq!(reads(&e)[1..].to_vec(), [CachedRead::MessagesAdminOnly, CachedRead::MembershipApproval]);
    // A field this version does not know might be a setting: every setting read goes.
    let e = update(json!({"id": GROUP, "announceVersion": 3}));
    assert_eq!(reads(&e).len(), 1 + CachedRead::SETTINGS.len());
    assert_eq!(applied(change(&e, CachedRead::Group), &cached_group())["announceVersion"], json!(3), "kept opaque");
    // A cached group that is not an object is dropped, not guessed at.
    assert_eq!(change(&e, CachedRead::Group).apply(Some("[1]")), Outcome::Delete);
    assert_eq!(change(&e, CachedRead::Group).apply(Some("not json")), Outcome::Delete);
}

fn participants_event(kind: &str, people: Value) -> EventEffects {
    let payload = json!({"type": kind, "timestamp": 1, "group": {"id": GROUP}, "participants": people});
    let e = effects_of(&webhook("group.v2.participants", payload)).unwrap();
    assert_eq!(change(&e, CachedRead::Participants), &Effect::Drop, "the raw engine list is dropped");
    e
}

fn ids_and_roles(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().into(), p["role"].as_str().unwrap().into()))
        .collect()
}

fn pair(id: &str, role: &str) -> (String, String) {
    (id.into(), role.into())
}

#[test]
fn participants_join_adds_members() {
    let e = participants_event("join", json!([{"id": "15550000042@c.us", "role": "participant"}]));
    let info = applied(change(&e, CachedRead::Group), &cached_group());
    assert_eq!(ids_and_roles(&info["participants"]).last(), Some(&pair("15550000042@c.us", "participant")));
    assert_eq!(info["participants"].as_array().unwrap().len(), 4);
    assert_eq!(info["engineOnly"], cached_group()["engineOnly"]);
    let v2 = applied(change(&e, CachedRead::ParticipantsV2), &cached_v2());
    assert_eq!(ids_and_roles(&v2).last(), Some(&pair("15550000042@c.us", "participant")));
    // Someone who had left and comes back is updated in place, not listed twice.
    let e = participants_event("join", json!([{"id": "15550000009@c.us", "role": "participant"}]));
    let v2 = applied(change(&e, CachedRead::ParticipantsV2), &cached_v2());
    assert_eq!(v2.as_array().unwrap().len(), 4);
    assert_eq!(ids_and_roles(&v2)[3], pair("15550000009@c.us", "participant"));
}

#[test]
fn participants_leave_removes_from_the_group_and_marks_left_in_v2() {
    let e = participants_event("leave", json!([{"id": "15550000002@c.us", "role": "left"}]));
    let info = applied(change(&e, CachedRead::Group), &cached_group());
    assert!(!ids_and_roles(&info["participants"]).iter().any(|(id, _)| id == "15550000002@c.us"));
    let v2 = applied(change(&e, CachedRead::ParticipantsV2), &cached_v2());
    assert_eq!(ids_and_roles(&v2)[1], pair("15550000002@c.us", "left"));
    // A lid member named by phone number is the same person.
    let e = participants_event("leave", json!([{"id": "15550001111@c.us", "role": "left"}]));
    let info = applied(change(&e, CachedRead::Group), &cached_group());
    assert_eq!(info["participants"].as_array().unwrap().len(), 2);
    // Leaving when not listed changes nothing in the group.
    let e = participants_event("leave", json!([{"id": "15550000077@c.us", "role": "left"}]));
    assert_eq!(applied(change(&e, CachedRead::Group), &cached_group()), cached_group());
}

#[test]
fn participants_promote_and_demote_change_roles_and_keep_unknown_fields() {
    let e = participants_event(
        "promote",
        json!([{"id": "123456789012345@lid", "pn": "15550001111@c.us", "role": "admin"}]),
    );
    let info = applied(change(&e, CachedRead::Group), &cached_group());
    assert_eq!(
        info["participants"][2],
        json!({"id": "123456789012345@lid", "pn": "15550001111@c.us", "role": "admin", "extra": 1})
    );
    let v2 = applied(change(&e, CachedRead::ParticipantsV2), &cached_v2());
    assert_eq!(ids_and_roles(&v2)[2], pair("123456789012345@lid", "admin"));
    let e = participants_event("demote", json!([{"id": "15550000000@c.us", "role": "participant"}]));
    assert_eq!(
        ids_and_roles(&applied(change(&e, CachedRead::Group), &cached_group())["participants"])[0],
        pair("15550000000@c.us", "participant")
    );
    // A role change of someone the cache does not list: the list is out of date, drop it.
    let e = participants_event("promote", json!([{"id": "15550000077@c.us", "role": "admin"}]));
    assert_eq!(change(&e, CachedRead::Group).apply(Some(&cached_group().to_string())), Outcome::Delete);
    assert_eq!(change(&e, CachedRead::ParticipantsV2).apply(Some(&cached_v2().to_string())), Outcome::Delete);
}

#[test]
fn participants_change_of_an_unknown_kind_drops_the_lists() {
    let e = participants_event("mute", json!([{"id": "15550000002@c.us", "role": "participant"}]));
    assert_eq!(change(&e, CachedRead::Group).apply(Some(&cached_group().to_string())), Outcome::Delete);
    // A cached group without a member list (listed with exclude=participants) cannot be edited.
    let e = participants_event("join", json!([{"id": "15550000042@c.us", "role": "participant"}]));
    assert_eq!(change(&e, CachedRead::Group).apply(Some(r#"{"id":"x"}"#)), Outcome::Delete);
}

#[test]
fn events_that_cache_nothing_have_no_effects() {
    let request =
        json!({"action": "created", "requesterId": "15550000005@c.us", "timestamp": 1, "group": {"id": GROUP}});
    assert_eq!(effects_of(&webhook("group.v2.participants.join-request", request)), None);
    assert_eq!(effects_of(&webhook("message", json!({"body": "hi"}))), None);
    // An id no request could have cached under.
    assert_eq!(
        effects_of(&webhook("group.v2.leave", json!({"timestamp": 1, "group": {"id": "status@broadcast"}}))),
        None
    );
    let mut other_session = webhook("group.v2.leave", json!({"timestamp": 1, "group": {"id": GROUP}}));
    other_session["session"] = "../admin".into();
    assert_eq!(effects_of(&other_session), None);
}

/// A webhook with a number beyond `f64` in the group info (`1e400`, which serde_json refuses):
/// the Worker's raw copy, read by the core, keeps it as written. Without a raw group (`null`), the
/// group's entries are dropped rather than a `{}` stored as the group or an empty change merged
/// (found by the webhook fuzz target, when the raw copy was read with serde_json).
#[test]
fn without_the_raw_group_every_entry_is_dropped() {
    let body = format!(
        r#"{{"id":"evt_1","timestamp":1780000000000,"session":"default","engine":"GOWS","event":"group.v2.{{}}",
            "payload":{{"timestamp":1,"group":{{"id":"{GROUP}","subject":"Alpha","size":1e400}}}}}}"#
    );
    for event in ["join", "update"] {
        let body = body.replace("{}", event);
        assert!(serde_json::from_str::<Value>(&body).is_err(), "serde_json refuses 1e400");
        let parsed = parse_event(body.as_bytes()).unwrap();
        let e = effects(&parsed, &json::Value::Null).unwrap();
        assert!(e.changes.iter().all(|(_, effect)| *effect == Effect::Drop), "{event}: {e:?}");
        assert_eq!(e.changes.len(), CachedRead::ALL.len(), "{event}");

        let e = effects(&parsed, &json::parse(&body).unwrap()).unwrap();
        let group = match change(&e, CachedRead::Group) {
            Effect::Store(group) => group.clone(),
            Effect::Merge(fields) => json::Value::Object(fields.clone()),
            other => panic!("{event}: {other:?}"),
        };
        assert_eq!(group.get("size"), Some(&json::Value::Number("1e400".into())), "{event}");
    }
}

/// A webhook of `event` with `payload`, sent at `sent_ms`.
fn sent_at(event: &str, payload: Value, sent_ms: u64) -> EventEffects {
    let mut body = webhook(event, payload);
    body["timestamp"] = json!(sent_ms);
    effects_of(&body).unwrap()
}

#[test]
fn an_event_is_ordered_against_applied_events_that_changed_the_same_thing() {
    let t = 1_780_000_000_000u64;
    let rename = |subject: &str, at| {
        sent_at("group.v2.update", json!({"timestamp": 1, "group": {"id": GROUP, "subject": subject}}), at)
    };
    let join = |id: &str, at| {
        let people = json!([{"id": id, "role": "participant"}]);
        sent_at(
            "group.v2.participants",
            json!({"type": "join", "timestamp": 1, "group": {"id": GROUP}, "participants": people}),
            at,
        )
    };
    let leave = |at| sent_at("group.v2.leave", json!({"timestamp": 1, "group": {"id": GROUP}}), at);
    assert_eq!(rename("A", t).sent_ms, t, "the envelope's signed timestamp");
    assert_eq!(rename("A", t).aspects, vec!["f:subject"]);
    assert_eq!(join("15550000043@c.us", t).aspects, vec!["p:15550000043@c.us"]);
    assert_eq!(leave(t).aspects, vec!["*"]);

    let mut times = ChangeTimes::default();
    assert!(times.record(&rename("Newer", t + 10)));
    assert!(times.record(&join("15550000043@c.us", t + 10)));
    assert!(!times.record(&rename("Same time", t + 10)), "nothing newer to write");
    // An older rename after a newer one: every entry of the group is dropped instead.
    let older = rename("Older", t);
    assert!(times.outdates(&older));
    let (ordered, outdated) = older.ordered_after(&times);
    assert!(outdated);
    assert_eq!(reads(&ordered), CachedRead::ALL.to_vec());
    assert!(ordered.changes.iter().all(|(_, effect)| *effect == Effect::Drop));
    // Older events that change something else, or sent at the same time, apply as they are.
    for event in [join("15550000044@c.us", t), rename("Same time", t + 10), rename("Later", t + 11)] {
        assert!(!times.outdates(&event), "{:?}", event.aspects);
        assert_eq!(event.clone().ordered_after(&times), (event, false));
    }
    let before_leave = times.write();
    // A leave or a join of the group changes everything: older events are outdated by it, and it
    // is outdated by any newer one.
    assert!(times.outdates(&leave(t + 5)));
    assert!(times.record(&leave(t + 20)));
    assert!(times.outdates(&join("15550000045@c.us", t + 15)));
    // Read back as stored, without the times older than what is still accepted.
    let stored = times.write();
    let again = ChangeTimes::read(&stored, 0);
    assert_eq!(again.write(), ChangeTimes::read(&again.write(), 0).write());
    for event in [rename("Older", t), join("15550000045@c.us", t + 15), join("15550000046@c.us", t + 25)] {
        assert_eq!(again.outdates(&event), times.outdates(&event), "{:?}", event.aspects);
    }
    assert!(!ChangeTimes::read("not json", 0).outdates(&leave(0)));
    assert!(ChangeTimes::read(&before_leave, 0).outdates(&rename("Before", t + 5)));
    assert!(!ChangeTimes::read(&before_leave, t + 11).outdates(&rename("Before", t + 5)), "forgotten");
    assert!(ChangeTimes::read(&stored, t + 15).outdates(&rename("Before", t + 19)), "the leave is not");
}

#[test]
fn the_change_times_key_is_no_cached_read_of_the_group() {
    let key = change_times_key(&session(), &group());
    assert_eq!(key, format!("gc/default/{GROUP}/change-times"));
    assert!(CachedRead::ALL.iter().all(|read| read.key(&session(), &group()) != key));
}
