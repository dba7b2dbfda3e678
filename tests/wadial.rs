//! The Wadial-style dialect in the core: every request of its table reads into the same
//! operations as the WAHA request it stands for; every operation renders as the expected
//! Wadial-style call (or `not_implemented`); answers translate both ways.

mod common;

use common::{ok, ours, theirs, CODE, GROUP};
use groupgate::limits::Limits;
use groupgate::ops::wadial::answers::{
    compose, from_canonical, group_info_from_metadata, metadata_from_group_info, to_canonical,
};
use groupgate::ops::{Dialect, OperationKind, Part, Plan, Reply, Upstream, Wadial, Waha};
use groupgate::{Error, ErrorCode, GroupRequest};
use serde_json::{json, Value};

const OTHER: &str = "120363000000000002@g.us";

/// Reads a Wadial-style request with the default limits.
fn read(method: &str, under: &str, body: &str) -> Result<Plan, Error> {
    let path = format!("/api/v1/sessions/default{under}");
    let located = Wadial.locate(method, &path).expect("a Wadial-style path");
    let found = located.found.map_err(|unrouted| unrouted.error)?;
    Wadial.read(located.session, &found, "", body.as_bytes(), &Limits::default())
}

/// The operations of a read plan (every part ready).
fn operations(method: &str, under: &str, body: &str) -> Vec<GroupRequest> {
    let plan = read(method, under, body).unwrap_or_else(|e| panic!("{method} {under} {body}: {e} {:?}", e.errors));
    let session = plan.session.clone();
    plan.parts
        .into_iter()
        .map(|part| match part {
            Part::Ready(operation) => GroupRequest { session: session.clone(), operation },
            Part::DescribeCreated(_) => panic!("not ready"),
        })
        .collect()
}

/// `(code, pointer or parameter)` of a refused Wadial-style request.
fn refusal(method: &str, under: &str, body: &str) -> (ErrorCode, Vec<(ErrorCode, String)>) {
    let error = read(method, under, body).expect_err("refused");
    let fields = error.errors.iter().map(|f| (f.code, format!("{:?}", f.location))).collect();
    (error.code, fields)
}

#[test]
fn every_request_of_the_table_reads_as_the_waha_operation() {
    let g = format!("/groups/{GROUP}");
    let people = r#"{"participants":[{"id":"15551234567@c.us"}]}"#;
    let cases: Vec<(&str, String, String, Vec<GroupRequest>)> = vec![
        ("GET", "/groups".into(), String::new(), vec![ok("GET", "/api/default/groups", "", "")]),
        ("GET", g.clone(), String::new(), vec![ok("GET", &format!("/api/default{g}"), "", "")]),
        (
            "POST",
            "/groups".into(),
            r#"{"subject":"Customer updates","participants":["15551234567@s.whatsapp.net"]}"#.into(),
            vec![ok(
                "POST",
                "/api/default/groups",
                "",
                r#"{"name":"Customer updates","participants":[{"id":"15551234567@c.us"}]}"#,
            )],
        ),
        (
            "PATCH",
            format!("{g}/profile"),
            r#"{"subject":"Priority","description":"High"}"#.into(),
            vec![
                ok("PUT", &format!("/api/default{g}/subject"), "", r#"{"subject":"Priority"}"#),
                ok("PUT", &format!("/api/default{g}/description"), "", r#"{"description":"High"}"#),
            ],
        ),
        (
            "PATCH",
            format!("{g}/profile"),
            r#"{"description":""}"#.into(),
            vec![ok("PUT", &format!("/api/default{g}/description"), "", r#"{"description":""}"#)],
        ),
        (
            "POST",
            format!("{g}/invite/revoke"),
            String::new(),
            vec![ok("POST", &format!("/api/default{g}/invite-code/revoke"), "", "")],
        ),
        (
            "GET",
            format!("{g}/invite-code"),
            String::new(),
            vec![ok("GET", &format!("/api/default{g}/invite-code"), "", "")],
        ),
        (
            "GET",
            format!("{g}/membership-requests"),
            String::new(),
            vec![ok("GET", &format!("/api/default{g}/participants/join-requests"), "", "")],
        ),
        (
            "POST",
            "/groups/invite/preview".into(),
            format!(r#"{{"code":"https://chat.whatsapp.com/{CODE}"}}"#),
            vec![ok("GET", "/api/default/groups/join-info", &format!("code={CODE}"), "")],
        ),
        (
            "POST",
            "/groups/join".into(),
            format!(r#"{{"code":"{CODE}"}}"#),
            vec![ok("POST", "/api/default/groups/join", "", &format!(r#"{{"code":"{CODE}"}}"#))],
        ),
        (
            "POST",
            "/groups/leave".into(),
            format!(r#"{{"groupJids":["{GROUP}","{OTHER}"]}}"#),
            vec![
                ok("POST", &format!("/api/default/groups/{GROUP}/leave"), "", ""),
                ok("POST", &format!("/api/default/groups/{OTHER}/leave"), "", ""),
            ],
        ),
    ];
    let mut cases = cases;
    for (action, route) in [
        ("add", "participants/add"),
        ("remove", "participants/remove"),
        ("promote", "admin/promote"),
        ("demote", "admin/demote"),
    ] {
        let body = format!(r#"{{"action":"{action}","participants":["15551234567@s.whatsapp.net"]}}"#);
        cases.push((
            "POST",
            format!("{g}/participants"),
            body,
            vec![ok("POST", &format!("/api/default{g}/{route}"), "", people)],
        ));
    }
    for (action, route) in [("approve", "approve"), ("reject", "reject")] {
        let body = format!(r#"{{"action":"{action}","participants":["15551234567@s.whatsapp.net"]}}"#);
        let waha = format!("/api/default{g}/participants/join-requests/{route}");
        cases.push(("POST", format!("{g}/membership-requests"), body, vec![ok("POST", &waha, "", people)]));
    }
    for (body, route, waha_body) in [
        (r#"{"setting":"announcement","enabled":true}"#, "messages-admin-only", r#"{"adminsOnly":true}"#),
        (r#"{"setting":"locked","enabled":false}"#, "info-admin-only", r#"{"adminsOnly":false}"#),
        (r#"{"memberAddMode":"admin_add"}"#, "member-add-mode", r#"{"membersCanAddNewMember":false}"#),
        (r#"{"memberAddMode":"all_member_add"}"#, "member-add-mode", r#"{"membersCanAddNewMember":true}"#),
        (
            r#"{"memberShareGroupHistoryMode":"all_member_share"}"#,
            "member-share-history-mode",
            r#"{"membersCanShareHistory":true}"#,
        ),
    ] {
        let waha = format!("/api/default{g}/settings/security/{route}");
        cases.push(("PATCH", format!("{g}/settings"), body.into(), vec![ok("PUT", &waha, "", waha_body)]));
    }
    for (method, under, body, expected) in cases {
        assert_eq!(operations(method, &under, &body), expected, "{method} {under} {body}");
    }
}

#[test]
fn a_create_with_a_description_is_two_parts() {
    let body = r#"{"subject":"Team","participants":["15551234567@s.whatsapp.net"],"description":"Updates"}"#;
    let plan = read("POST", "/groups", body).unwrap();
    let kinds: Vec<OperationKind> = plan.kinds().collect();
    assert_eq!(kinds, [OperationKind::CreateGroup, OperationKind::SetDescription]);
    assert!(matches!(&plan.parts[1], Part::DescribeCreated(d) if d.0 == "Updates"));
    // The description part runs on the group the create answered.
    let created = Ok(reply(201, json!({"id": GROUP})));
    let operation = plan.parts[1].resolve(&[created]).unwrap();
    assert_eq!(operation.group().unwrap().as_str(), GROUP);
    assert_eq!(plan.parts[1].resolve(&[Err(Error::new(ErrorCode::WhatsappNotFound, "x"))]), None);
}

#[test]
fn wadial_bodies_get_the_same_rules_with_wadial_pointers() {
    let g = format!("/groups/{GROUP}");
    let (code, fields) = refusal(
        "POST",
        &format!("{g}/participants"),
        r#"{"action":"add","participants":["+15551234567@s.whatsapp.net","15551234567@c.us","15551234567@s.whatsapp.net"]}"#,
    );
    assert_eq!(code, ErrorCode::ValidationFailed);
    assert!(fields.contains(&(ErrorCode::InvalidId, r#"Body("/participants/0")"#.into())), "{fields:?}");
    assert!(fields.contains(&(ErrorCode::DuplicateParticipant, r#"Body("/participants/2")"#.into())), "{fields:?}");
    let (_, fields) = refusal("POST", &format!("{g}/participants"), r#"{"action":"kick","participants":[]}"#);
    assert!(fields.contains(&(ErrorCode::InvalidValue, r#"Body("/action")"#.into())), "{fields:?}");
    assert!(fields.contains(&(ErrorCode::EmptyList, r#"Body("/participants")"#.into())), "{fields:?}");
    let (_, fields) = refusal("PATCH", &format!("{g}/profile"), "{}");
    assert_eq!(fields, [(ErrorCode::MissingField, r#"Body("/subject")"#.into())]);
    let (_, fields) = refusal("PATCH", &format!("{g}/profile"), r#"{"subject":" ","extra":1}"#);
    assert!(fields.contains(&(ErrorCode::EmptySubject, r#"Body("/subject")"#.into())), "{fields:?}");
    assert!(fields.contains(&(ErrorCode::UnknownField, r#"Body("/extra")"#.into())), "{fields:?}");
    let (_, fields) = refusal("PATCH", &format!("{g}/settings"), r#"{"memberAddMode":"admin_add","setting":"locked"}"#);
    assert_eq!(fields.first().map(|f| f.0), Some(ErrorCode::InvalidValue));
    // `enabled` goes with `setting` only: beside a mode it is refused, not dropped.
    for body in [
        r#"{"memberAddMode":"all_member_add","enabled":false}"#,
        r#"{"memberShareGroupHistoryMode":"admin_share","enabled":true}"#,
    ] {
        let (_, fields) = refusal("PATCH", &format!("{g}/settings"), body);
        assert_eq!(fields, [(ErrorCode::InvalidValue, r#"Body("/enabled")"#.into())], "{body}");
    }
    let (_, fields) = refusal("POST", "/groups/leave", r#"{"groupJids":["120363000000000001@g.us","nope"]}"#);
    assert_eq!(fields, [(ErrorCode::InvalidGroupId, r#"Body("/groupJids/1")"#.into())]);
    let (_, fields) = refusal("GET", "/groups/15551234567@c.us", "");
    assert_eq!(fields, [(ErrorCode::InvalidGroupId, r#"Parameter("groupJid")"#.into())]);
}

#[test]
fn the_session_is_refused_as_session_id_whatever_is_wrong_with_it() {
    for session in ["%zz", "a.b", &"s".repeat(55)] {
        let path = format!("/api/v1/sessions/{session}/groups");
        let located = Wadial.locate("GET", &path).expect("a Wadial-style path");
        let found = located.found.map_err(|unrouted| unrouted.error).expect("a route");
        let error = Wadial.read(located.session, &found, "", b"", &Limits::default()).unwrap_err();
        let named: Vec<String> = error.errors.iter().map(|f| format!("{:?}", f.location)).collect();
        assert_eq!(named, [r#"Parameter("sessionId")"#], "{session}");
        assert!(error.errors[0].detail.starts_with("sessionId: "), "{}", error.errors[0].detail);
    }
}

#[test]
fn settings_and_actions_waha_lacks_are_not_implemented_naming_the_field() {
    let g = format!("/groups/{GROUP}");
    for (method, under, body, pointer) in [
        ("PATCH", format!("{g}/settings"), r#"{"memberLinkMode":"all_member_link"}"#, "/memberLinkMode"),
        ("PATCH", format!("{g}/settings"), r#"{"ephemeralDurationSeconds":604800}"#, "/ephemeralDurationSeconds"),
        (
            "POST",
            format!("{g}/membership-requests"),
            r#"{"action":"cancel","participants":["15551234567@s.whatsapp.net"]}"#,
            "/action",
        ),
    ] {
        let (code, fields) = refusal(method, &under, body);
        assert_eq!(code, ErrorCode::NotImplemented, "{body}");
        assert_eq!(fields, [(ErrorCode::NotImplemented, format!("Body({pointer:?})"))]);
    }
}

#[test]
fn routes_refuse_wrong_methods_and_keep_literals_apart() {
    let path = format!("/api/v1/sessions/s/groups/{GROUP}/profile");
    let located = Wadial.locate("PUT", &path).unwrap();
    let unrouted = located.found.unwrap_err();
    assert_eq!(unrouted.error.code, ErrorCode::MethodNotAllowed);
    assert_eq!(unrouted.allow.iter().map(|m| m.as_str()).collect::<Vec<_>>(), ["PATCH"]);
    let leave = Wadial.locate("GET", "/api/v1/sessions/s/groups/leave").unwrap();
    assert_eq!(leave.found.unwrap_err().error.code, ErrorCode::MethodNotAllowed, "leave is never a group id");
    assert!(Wadial.locate("GET", "/api/default/groups").is_none(), "WAHA paths are not Wadial-style");
    assert!(Waha.locate("GET", "/api/v1/groups").is_some(), "a WAHA session named v1 still works");
}

/// Renders `request` for a Wadial-style upstream as `METHOD path body`.
fn wadial_call(request: &GroupRequest) -> Result<String, Error> {
    let r = Wadial.render(&request.session, &request.operation)?;
    Ok(format!("{} {}{}", r.method, r.path, r.body.map(|b| format!(" {b}")).unwrap_or_default()))
}

#[test]
fn every_operation_renders_as_the_wadial_call_or_not_implemented() {
    let v1 = "/api/v1/sessions/default";
    let g = format!("/groups/{GROUP}");
    let w = |under: &str| format!("/api/default{under}");
    let id = r#"["15551234567@s.whatsapp.net"]"#;
    let people = r#"{"participants":[{"id":"15551234567@c.us"}]}"#;
    let cases = [
        (
            ok("POST", &w("/groups"), "", r#"{"name":"T","participants":[{"id":"15551234567@c.us"}]}"#),
            format!(r#"POST {v1}/groups {{"subject":"T","participants":{id}}}"#),
        ),
        (ok("GET", &w("/groups"), "", ""), format!("GET {v1}/groups")),
        (
            ok("GET", &w("/groups/join-info"), &format!("code={CODE}"), ""),
            format!(r#"POST {v1}/groups/invite/preview {{"code":"{CODE}"}}"#),
        ),
        (
            ok("POST", &w("/groups/join"), "", &format!(r#"{{"code":"{CODE}"}}"#)),
            format!(r#"POST {v1}/groups/join {{"code":"{CODE}"}}"#),
        ),
        (ok("GET", &w(&g), "", ""), format!("GET {v1}{g}")),
        (
            ok("POST", &w(&format!("{g}/leave")), "", ""),
            format!(r#"POST {v1}/groups/leave {{"groupJids":["{GROUP}"]}}"#),
        ),
        (
            ok("PUT", &w(&format!("{g}/subject")), "", r#"{"subject":"S"}"#),
            format!(r#"PATCH {v1}{g}/profile {{"subject":"S"}}"#),
        ),
        (
            ok("PUT", &w(&format!("{g}/description")), "", r#"{"description":""}"#),
            format!(r#"PATCH {v1}{g}/profile {{"description":""}}"#),
        ),
        (
            ok("PUT", &w(&format!("{g}/settings/security/info-admin-only")), "", r#"{"adminsOnly":true}"#),
            format!(r#"PATCH {v1}{g}/settings {{"setting":"locked","enabled":true}}"#),
        ),
        (
            ok("PUT", &w(&format!("{g}/settings/security/messages-admin-only")), "", r#"{"adminsOnly":false}"#),
            format!(r#"PATCH {v1}{g}/settings {{"setting":"announcement","enabled":false}}"#),
        ),
        (
            ok("PUT", &w(&format!("{g}/settings/security/member-add-mode")), "", r#"{"membersCanAddNewMember":true}"#),
            format!(r#"PATCH {v1}{g}/settings {{"memberAddMode":"all_member_add"}}"#),
        ),
        (
            ok(
                "PUT",
                &w(&format!("{g}/settings/security/member-share-history-mode")),
                "",
                r#"{"membersCanShareHistory":false}"#,
            ),
            format!(r#"PATCH {v1}{g}/settings {{"memberShareGroupHistoryMode":"admin_share"}}"#),
        ),
        (ok("GET", &w(&format!("{g}/settings/security/info-admin-only")), "", ""), format!("GET {v1}{g}")),
        (ok("GET", &w(&format!("{g}/settings/security/messages-admin-only")), "", ""), format!("GET {v1}{g}")),
        (ok("GET", &w(&format!("{g}/settings/security/member-add-mode")), "", ""), format!("GET {v1}{g}")),
        (ok("GET", &w(&format!("{g}/settings/security/membership-approval")), "", ""), format!("GET {v1}{g}")),
        (ok("GET", &w(&format!("{g}/invite-code")), "", ""), format!("GET {v1}{g}/invite-code")),
        (ok("POST", &w(&format!("{g}/invite-code/revoke")), "", ""), format!("POST {v1}{g}/invite/revoke")),
        (
            ok("POST", &w(&format!("{g}/participants/add")), "", people),
            format!(r#"POST {v1}{g}/participants {{"action":"add","participants":{id}}}"#),
        ),
        (
            ok("POST", &w(&format!("{g}/participants/remove")), "", people),
            format!(r#"POST {v1}{g}/participants {{"action":"remove","participants":{id}}}"#),
        ),
        (
            ok("POST", &w(&format!("{g}/admin/promote")), "", people),
            format!(r#"POST {v1}{g}/participants {{"action":"promote","participants":{id}}}"#),
        ),
        (
            ok("POST", &w(&format!("{g}/admin/demote")), "", people),
            format!(r#"POST {v1}{g}/participants {{"action":"demote","participants":{id}}}"#),
        ),
        (ok("GET", &w(&format!("{g}/participants/join-requests")), "", ""), format!("GET {v1}{g}/membership-requests")),
        (
            ok("POST", &w(&format!("{g}/participants/join-requests/approve")), "", people),
            format!(r#"POST {v1}{g}/membership-requests {{"action":"approve","participants":{id}}}"#),
        ),
        (
            ok("POST", &w(&format!("{g}/participants/join-requests/reject")), "", people),
            format!(r#"POST {v1}{g}/membership-requests {{"action":"reject","participants":{id}}}"#),
        ),
    ];
    let mut rendered = Vec::new();
    for (request, expected) in &cases {
        assert_eq!(wadial_call(request).unwrap(), *expected);
        rendered.push(request.operation.kind());
    }
    let lacking = [
        ok("GET", &w("/groups/count"), "", ""),
        ok("POST", &w("/groups/refresh"), "", ""),
        ok("DELETE", &w(&g), "", ""),
        ok("GET", &w(&format!("{g}/picture")), "", ""),
        ok(
            "PUT",
            &w(&format!("{g}/picture")),
            "",
            r#"{"file":{"mimetype":"image/jpeg","url":"https://example.com/p.jpg"}}"#,
        ),
        ok("DELETE", &w(&format!("{g}/picture")), "", ""),
        ok("GET", &w(&format!("{g}/participants")), "", ""),
        ok("GET", &w(&format!("{g}/participants/v2")), "", ""),
        ok(
            "PUT",
            &w(&format!("{g}/settings/security/membership-approval")),
            "",
            r#"{"newMembersApprovalRequired":true}"#,
        ),
        ok("GET", &w(&format!("{g}/settings/security/member-share-history-mode")), "", ""),
    ];
    for request in &lacking {
        let kind = request.operation.kind();
        let error = wadial_call(request).unwrap_err();
        assert_eq!(error.code, ErrorCode::NotImplemented);
        assert!(error.detail.starts_with(&format!("{}:", kind.client_name())), "{}", error.detail);
        assert!(Wadial.lacks(kind));
        rendered.push(kind);
    }
    // Every operation of the table is covered: rendered, or named as lacking.
    for kind in OperationKind::ALL {
        assert!(rendered.contains(kind), "{kind:?} is neither rendered nor lacking");
    }
    let listed = ok("GET", &w("/groups"), "limit=2", "");
    let error = Wadial.render(&listed.session, &listed.operation).unwrap_err();
    assert_eq!((error.code, error.errors[0].code), (ErrorCode::NotImplemented, ErrorCode::NotImplemented));
    assert_eq!(Wadial.credentials("k"), ("Authorization", "Bearer k".to_owned()));
    assert_eq!(Waha.credentials("k"), ("X-Api-Key", "k".to_owned()));
}

/// [`metadata_from_group_info`] of a serde_json value.
fn to_metadata(info: &Value) -> Value {
    theirs(&metadata_from_group_info(&ours(info)))
}

/// [`group_info_from_metadata`] of a serde_json value.
fn to_group_info(metadata: &Value) -> Value {
    theirs(&group_info_from_metadata(&ours(metadata)))
}

fn group_info(members: usize) -> Value {
    let mut participants = vec![json!({"id": "15550000000@c.us", "role": "superadmin"})];
    participants.extend((1..members).map(|i| json!({"id": format!("1555{i:07}@c.us"), "role": "participant"})));
    participants.push(json!({"id": "123456789012345@lid", "pn": "15550001111@c.us", "role": "admin"}));
    json!({
        "id": GROUP, "subject": "Team", "description": "About", "owner": "15550000000@c.us", "creation": 1700000000,
        "invite": "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", "membersCanAddNewMember": false,
        "membersCanSendMessages": true, "newMembersApprovalRequired": true, "infoAdminOnly": true,
        "participants": participants,
    })
}

#[test]
fn group_info_translates_to_metadata_and_back_with_a_thousand_members() {
    let info = group_info(999);
    let metadata = to_metadata(&info);
    assert_eq!(metadata["size"], 1000);
    assert_eq!(metadata["desc"], "About");
    assert_eq!(metadata["owner"], "15550000000@s.whatsapp.net");
    assert_eq!((metadata["announce"].clone(), metadata["restrict"].clone()), (json!(false), json!(true)));
    assert_eq!(
        (metadata["joinApprovalMode"].clone(), metadata["memberAddMode"].clone()),
        (json!(true), json!("admin_add"))
    );
    assert_eq!(metadata["participants"][0], json!({"id": "15550000000@s.whatsapp.net", "admin": "superadmin"}));
    assert_eq!(metadata["participants"][1], json!({"id": "15550000001@s.whatsapp.net", "admin": null}));
    assert_eq!(
        metadata["participants"][999],
        json!({"id": "123456789012345@lid", "phoneNumber": "15550001111@s.whatsapp.net", "admin": "admin"})
    );
    assert_eq!(to_group_info(&metadata), info, "round trip");
    assert_eq!(to_metadata(&to_group_info(&metadata)), metadata, "and back");
}

#[test]
fn unknown_fields_are_kept_both_ways_and_members_who_left_are_dropped() {
    let mut info = group_info(2);
    info["_data"] = json!({"engine": {"raw": [1, 2]}});
    info["membersCanShareHistory"] = json!(true);
    info["participants"].as_array_mut().unwrap().push(json!({"id": "15559999999@c.us", "role": "left"}));
    let metadata = to_metadata(&info);
    assert_eq!(metadata["_data"], info["_data"]);
    assert_eq!(metadata["membersCanShareHistory"], true);
    assert_eq!(metadata["size"], 3, "the member who left is not counted");
    let mut wadial = json!({"id": GROUP, "subject": "S", "desc": null, "participants": [], "ephemeralDuration": 86400});
    wadial["inviteCode"] = json!(CODE);
    let back = to_group_info(&wadial);
    assert_eq!((back["ephemeralDuration"].clone(), back["inviteCode"].clone()), (json!(86400), json!(CODE)));
    assert_eq!(back["description"], "", "a null desc is an empty description");
}

fn reply(status: u16, value: Value) -> Reply {
    Reply::json(status, &ours(&value))
}

fn body(outcome: Result<Reply, Error>) -> (u16, Value) {
    let reply = outcome.unwrap_or_else(|e| panic!("{e}"));
    (reply.status, serde_json::from_slice(&reply.body).unwrap())
}

#[test]
fn invite_codes_are_bare_text_on_the_waha_side() {
    use OperationKind as K;
    // WAHA (NestJS) sends the code bare, as text/html; a JSON string is read too.
    let bare = |status| Reply {
        status,
        content_type: Some("text/html; charset=utf-8".into()),
        body: CODE.as_bytes().to_vec(),
    };
    for waha in [bare(200), reply(200, json!(CODE))] {
        assert_eq!(body(from_canonical(K::GetInviteCode, &[], waha)), (200, json!({"code": CODE})));
    }
    let revoke = read("POST", &format!("/groups/{GROUP}/invite/revoke"), "").unwrap();
    assert_eq!(body(compose(&revoke, vec![Ok(bare(201))])).1, json!({"code": CODE}));
    let page = Reply { body: b"<html>login</html>".to_vec(), ..bare(200) };
    assert_eq!(from_canonical(K::GetInviteCode, &[], page).unwrap_err().code, ErrorCode::UpstreamUnavailable);
    // A Wadial-style `{code}` becomes WAHA's bare code.
    let waha = to_canonical(K::GetInviteCode, reply(200, json!({"code": CODE}))).unwrap();
    assert_eq!(
        (waha.content_type.as_deref(), waha.body.as_slice()),
        (Some("text/html; charset=utf-8"), CODE.as_bytes())
    );
    for answer in [json!({}), json!({"inviteCode": CODE}), json!({"code": null}), json!(CODE)] {
        let error = to_canonical(K::GetInviteCode, reply(200, answer.clone())).unwrap_err();
        assert_eq!(error.code, ErrorCode::UpstreamUnavailable, "{answer}");
    }
}

#[test]
fn answers_translate_both_ways() {
    use OperationKind as K;
    let cases = [
        (
            K::AddParticipants,
            json!([{"id": "15551234567@c.us", "status": "200"}, {"id": "15551230403@c.us", "status": "403", "invite": {"code": "x"}}]),
            json!([{"jid": "15551234567@s.whatsapp.net", "status": "200"}, {"jid": "15551230403@s.whatsapp.net", "status": "403", "invite": {"code": "x"}}]),
        ),
        (
            K::ApproveJoinRequests,
            json!([{"requesterId": "15551234567@c.us", "success": true}, {"requesterId": "987654321098765@lid", "success": false, "error": 404}]),
            json!([{"jid": "15551234567@s.whatsapp.net", "status": "200"}, {"jid": "987654321098765@lid", "status": "404"}]),
        ),
        (
            K::ListJoinRequests,
            json!([{"requesterId": "987654321098765@lid", "requesterPn": "15550000006@c.us", "addedById": "987654321098765@lid", "parentGroupId": null, "requestMethod": "invite_link", "timestamp": 1}]),
            json!([{"jid": "987654321098765@lid", "phoneNumber": "15550000006@s.whatsapp.net", "addedBy": "987654321098765@lid", "parentGroupJid": null, "requestMethod": "invite_link", "requestTime": 1}]),
        ),
        (K::JoinGroup, json!({"id": GROUP}), json!({"id": GROUP})),
    ];
    for (kind, canonical, wadial) in cases {
        assert_eq!(body(from_canonical(kind, &[], reply(201, canonical.clone()))).1, wadial, "{kind:?} to Wadial");
        assert_eq!(body(to_canonical(kind, reply(200, wadial))).1, canonical, "{kind:?} to WAHA");
    }
    // Statuses follow the target dialect: WAHA POST 201, Wadial 200 but create 201.
    assert_eq!(body(to_canonical(K::AddParticipants, reply(200, json!([])))).0, 201);
    assert_eq!(body(from_canonical(K::AddParticipants, &[], reply(201, json!([])))).0, 200);
    assert_eq!(body(from_canonical(K::CreateGroup, &[], reply(201, group_info(1)))).0, 201);
    // A report must list the part as done: an empty or other list is no success.
    for (kind, answer) in [
        (K::SetSubject, json!({"updated": [], "failed": []})),
        (K::SetSubject, json!({"updated": ["description"], "failed": []})),
        (K::LeaveGroup, json!({"left": [], "failed": []})),
    ] {
        let error = to_canonical(kind, reply(200, answer.clone())).unwrap_err();
        assert_eq!(error.code, ErrorCode::UpstreamUnavailable, "{kind:?} {answer}");
    }
    // A join result's status may come as a number; none known is a failure with no made-up code.
    let results = json!([{"jid": "15551234567@s.whatsapp.net", "status": 200}, {"jid": "15551230403@s.whatsapp.net"}]);
    assert_eq!(
        body(to_canonical(K::ApproveJoinRequests, reply(200, results))).1,
        json!([{"requesterId": "15551234567@c.us", "success": true}, {"requesterId": "15551230403@c.us", "success": false}])
    );
    // Reports from a Wadial-style upstream: done, or the failure they name.
    // WAHA's answer to a change is `true`, bare text as NestJS sends a boolean.
    for (kind, name) in [(K::SetSubject, "subject"), (K::SetInfoAdminOnly, "locked")] {
        let waha = to_canonical(kind, reply(200, json!({"updated": [name], "failed": []}))).unwrap();
        assert_eq!(
            (waha.status, waha.content_type.as_deref(), waha.body.as_slice()),
            (200, Some("text/html; charset=utf-8"), b"true".as_slice()),
            "{kind:?}"
        );
    }
    assert_eq!(body(to_canonical(K::LeaveGroup, reply(200, json!({"left": [GROUP], "failed": []})))).1, json!({}));
    let failed = json!({"left": [], "failed": [{"groupJid": GROUP, "status": 403, "code": "whatsapp_forbidden", "detail": "not a member"}]});
    let error = to_canonical(K::LeaveGroup, reply(200, failed)).unwrap_err();
    assert_eq!((error.code, error.status, error.detail.as_str()), (ErrorCode::WhatsappForbidden, 403, "not a member"));
    // A failed entry is classified as an upstream failure: WhatsApp's texts, and nothing taken as
    // the client's own (an upstream `unauthorized` is not the client's key; a status not 4xx is 502).
    let entry = |e: Value| reply(207, json!({"left": [], "failed": [e]}));
    for (e, code, status) in [
        (json!({"groupJid": GROUP, "status": 401, "code": "not-authorized"}), ErrorCode::WhatsappNotAuthorized, 403),
        (json!({"groupJid": GROUP, "status": 404, "code": "item-not-found"}), ErrorCode::WhatsappNotFound, 404),
        (json!({"groupJid": GROUP, "code": "rate-overlimit"}), ErrorCode::WhatsappRateLimited, 429),
        (json!({"groupJid": GROUP, "code": "unauthorized", "status": 401}), ErrorCode::UpstreamError, 502),
        (json!({"groupJid": GROUP, "status": 200}), ErrorCode::UpstreamError, 502),
        (json!({"groupJid": GROUP, "status": 1000}), ErrorCode::UpstreamError, 502),
        (json!({"groupJid": GROUP, "status": 409, "detail": "busy"}), ErrorCode::UpstreamError, 409),
    ] {
        let error = to_canonical(K::LeaveGroup, entry(e.clone())).unwrap_err();
        assert_eq!((error.code, error.status), (code, status), "{e}");
    }
    let error =
        to_canonical(K::LeaveGroup, entry(json!({"detail": "connect ECONNREFUSED 10.0.0.7:6379"}))).unwrap_err();
    assert!(!error.detail.contains("10.0.0.7"), "{}", error.detail);
    let error = to_canonical(K::LeaveGroup, entry(json!({"detail": "x".repeat(100_000)}))).unwrap_err();
    assert!(error.detail.len() < 400, "{} bytes", error.detail.len());
    // Settings read from the metadata.
    let metadata =
        json!({"announce": true, "restrict": false, "memberAddMode": "all_member_add", "joinApprovalMode": false});
    assert_eq!(
        body(to_canonical(K::GetMessagesAdminOnly, reply(200, metadata.clone()))).1,
        json!({"adminsOnly": true})
    );
    assert_eq!(body(to_canonical(K::GetInfoAdminOnly, reply(200, metadata.clone()))).1, json!({"adminsOnly": false}));
    assert_eq!(
        body(to_canonical(K::GetMemberAddMode, reply(200, metadata.clone()))).1,
        json!({"membersCanAddNewMember": true})
    );
    assert_eq!(
        body(to_canonical(K::GetMembershipApproval, reply(200, metadata))).1,
        json!({"newMembersApprovalRequired": false})
    );
    assert_eq!(
        to_canonical(K::GetMembershipApproval, reply(200, json!({}))).unwrap_err().code,
        ErrorCode::UpstreamUnavailable
    );
    // An id → group map (some WAHA engines) still lists.
    let map = json!({ GROUP: {"id": GROUP, "subject": "S"} });
    assert_eq!(body(from_canonical(K::ListGroups, &[], reply(200, map))).1, json!([{"id": GROUP, "subject": "S"}]));
}

fn plan(method: &str, under: &str, body: &str) -> Plan {
    read(method, under, body).unwrap()
}

#[test]
fn several_parts_report_each_part() {
    let left = || Ok(reply(201, json!({})));
    let gone = || Err(Error::new(ErrorCode::WhatsappNotFound, "WhatsApp answered item-not-found"));
    let leave =
        plan("POST", "/groups/leave", &format!(r#"{{"groupJids":["{GROUP}","{OTHER}","120363000000000003@g.us"]}}"#));
    let (status, report) = body(compose(&leave, vec![left(), gone(), left()]));
    assert_eq!(status, 207);
    assert_eq!(
        report,
        json!({"left": [GROUP, "120363000000000003@g.us"], "failed": [{"groupJid": OTHER, "status": 404, "code": "whatsapp_not_found", "detail": "WhatsApp answered item-not-found"}]})
    );
    assert_eq!(body(compose(&leave, vec![left(), left(), left()])).0, 200);
    let (status, report) = body(compose(&leave, vec![gone(), gone(), gone()]));
    assert_eq!((status, report["left"].clone(), report["failed"].as_array().unwrap().len()), (207, json!([]), 3));
    // One part: its problem, not a report.
    let one = plan("POST", "/groups/leave", &format!(r#"{{"groupJids":["{GROUP}"]}}"#));
    assert_eq!(compose(&one, vec![gone()]).unwrap_err().code, ErrorCode::WhatsappNotFound);

    let profile = plan("PATCH", &format!("/groups/{GROUP}/profile"), r#"{"subject":"S","description":"D"}"#);
    let (status, report) = body(compose(&profile, vec![Ok(reply(200, json!(true))), Ok(reply(200, json!(false)))]));
    assert_eq!(status, 207, "WAHA's false (no permission) is a failure, never a success");
    assert_eq!(report["updated"], json!(["subject"]));
    assert_eq!(report["failed"][0]["field"], "description");
    assert_eq!(report["failed"][0]["code"], "whatsapp_not_authorized");

    let create =
        plan("POST", "/groups", r#"{"subject":"T","participants":["15551234567@s.whatsapp.net"],"description":"D"}"#);
    let created = || Ok(reply(201, json!({"id": GROUP, "subject": "T", "description": "", "participants": []})));
    let (status, metadata) = body(compose(&create, vec![created(), Ok(reply(200, json!(true)))]));
    assert_eq!((status, metadata["desc"].clone()), (201, json!("D")));
    let (status, partial) = body(compose(&create, vec![created(), gone()]));
    assert_eq!(status, 207);
    assert_eq!(partial["group"]["id"], GROUP);
    assert_eq!(partial["group"]["desc"], "", "the description is not claimed");
    assert_eq!(partial["failed"][0]["field"], "description");
    assert_eq!(compose(&create, vec![gone(), gone()]).unwrap_err().code, ErrorCode::WhatsappNotFound);
    // A success whose body cannot be read: the refusal says what was probably done.
    let unreadable = Reply { status: 201, content_type: None, body: b"{\"id\":".to_vec() };
    let not_run = Err(Error::new(ErrorCode::UpstreamUnavailable, "not run: the create answer named no group"));
    let error = compose(&create, vec![Ok(unreadable), not_run]).unwrap_err();
    assert_eq!((error.code, error.upstream_status), (ErrorCode::UpstreamUnavailable, Some(201)));
    assert!(error.detail.contains("the group was probably created, its description not set"), "{}", error.detail);
    assert!(error.detail.contains("list the groups before creating it again"), "{}", error.detail);
}

/// A Wadial-style add to `GROUP` of the people with these numbers: its path and body.
fn wadial_add(numbers: &[&str]) -> (String, String) {
    let people: Vec<String> = numbers.iter().map(|n| format!(r#""{n}@s.whatsapp.net""#)).collect();
    (format!("/groups/{GROUP}/participants"), format!(r#"{{"action":"add","participants":[{}]}}"#, people.join(",")))
}

#[test]
fn a_wadial_add_spends_what_a_waha_add_spends() {
    let (path, body) = wadial_add(&["15551234567", "15551234568"]);
    let wadial = operations("POST", &path, &body);
    let waha = ok(
        "POST",
        &format!("/api/default/groups/{GROUP}/participants/add"),
        "",
        r#"{"participants":[{"id":"15551234567@c.us"},{"id":"15551234568@c.us"}]}"#,
    );
    assert_eq!(wadial[0].operation.rate_charges(), waha.operation.rate_charges());
    assert_eq!(waha.operation.rate_charges()[0].cost, 2);
}

#[test]
fn upstream_dialect_setting() {
    use groupgate::config::upstream_dialect;
    assert_eq!(upstream_dialect(None).unwrap().name(), "waha");
    assert_eq!(upstream_dialect(Some(" wadial ")).unwrap().name(), "wadial");
    let error = upstream_dialect(Some("secret-ish-value")).err().unwrap();
    assert!(error.starts_with("UPSTREAM_DIALECT:") && !error.contains("secret-ish-value"), "{error}");
}

#[test]
fn an_engines_object_of_per_person_outcomes_answers_one_result_per_person_asked_about() {
    let (path, body_text) = wadial_add(&["15551230003", "15551230001"]);
    let add = plan("POST", &path, &body_text);
    let keyed = json!({"15551230001@s.whatsapp.net": {"code": 200}, "15551230003@c.us": {"status": "409"}});
    assert_eq!(
        body(compose(&add, vec![Ok(reply(201, keyed))])),
        (
            200,
            json!([
                {"jid": "15551230003@s.whatsapp.net", "status": "409"},
                {"jid": "15551230001@s.whatsapp.net", "code": 200, "status": "200"}
            ])
        )
    );
    // One status for the whole call is everyone's.
    let (_, whole) = body(compose(&add, vec![Ok(reply(201, json!({"status": 200})))]));
    assert_eq!(
        whole,
        json!([{"jid": "15551230003@s.whatsapp.net", "status": "200"}, {"jid": "15551230001@s.whatsapp.net", "status": "200"}])
    );
}
