//! The operation table against WAHA's published groups routes (the fixture
//! `tests/fixtures/waha-routes.tsv`), and parse → render → parse per operation family.

mod common;

use common::{api, group_path, ok, parse, ptr, CODE, GROUP, OLD_GROUP};
use groupgate::ops::field::Subject;
use groupgate::{ErrorCode, GroupRequest, Operation, OperationKind};
use std::collections::HashSet;

const WAHA_ROUTES: &str = include_str!("fixtures/waha-routes.tsv");

/// Every `(method, path template)` pair of WAHA's groups routes, in the fixture's order.
fn contract_pairs() -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for line in WAHA_ROUTES.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells.len(), 3, "row {line:?}");
        assert!(cells[2].starts_with("/groups"), "row {}: path {:?}", cells[0], cells[2]);
        pairs.push((cells[1].to_owned(), cells[2].to_owned()));
    }
    pairs
}

/// A valid canonical `(query, body)` for `route`.
fn sample(kind: OperationKind) -> (&'static str, &'static str) {
    match kind {
        OperationKind::CreateGroup => {
            ("", r#"{"name":"Team","participants":[{"id":"15551234567@c.us"},{"id":"123456789012345@lid"}]}"#)
        }
        OperationKind::ListGroups => ("limit=10&offset=20&sortBy=subject&sortOrder=desc&exclude=participants", ""),
        OperationKind::JoinInfo => ("code=AbCdEfGhIjKlMnOpQrStUv", ""),
        OperationKind::JoinGroup => ("", r#"{"code":"AbCdEfGhIjKlMnOpQrStUv"}"#),
        OperationKind::SetSubject => ("", r#"{"subject":"Weekend hikes"}"#),
        OperationKind::SetDescription => ("", r#"{"description":"Meet at 9.\nBring water."}"#),
        OperationKind::GetPicture => ("refresh=true", ""),
        OperationKind::SetPicture => {
            ("", r#"{"file":{"mimetype":"image/jpeg","url":"https://example.com/p.jpg","filename":"p.jpg"}}"#)
        }
        OperationKind::SetInfoAdminOnly | OperationKind::SetMessagesAdminOnly => ("", r#"{"adminsOnly":true}"#),
        OperationKind::SetMemberAddMode => ("", r#"{"membersCanAddNewMember":false}"#),
        OperationKind::SetMemberShareHistoryMode => ("", r#"{"membersCanShareHistory":true}"#),
        OperationKind::SetMembershipApproval => ("", r#"{"newMembersApprovalRequired":true}"#),
        OperationKind::AddParticipants
        | OperationKind::RemoveParticipants
        | OperationKind::PromoteParticipants
        | OperationKind::DemoteParticipants
        | OperationKind::ApproveJoinRequests
        | OperationKind::RejectJoinRequests => {
            ("", r#"{"participants":[{"id":"15551234567@c.us"},{"id":"4915112345678@c.us"}]}"#)
        }
        _ => ("", ""),
    }
}

#[test]
fn waha_has_35_pairs_and_they_are_the_operation_table() {
    let pairs = contract_pairs();
    assert_eq!(pairs.len(), 35, "{pairs:?}");
    let from_contract: HashSet<(String, String)> = pairs.iter().cloned().collect();
    assert_eq!(from_contract.len(), 35, "no pair twice");
    let from_table: HashSet<(String, String)> = OperationKind::ALL
        .iter()
        .map(|r| (r.waha_method().as_str().to_owned(), r.waha_template().to_owned()))
        .collect();
    assert_eq!(OperationKind::ALL.len(), 35);
    assert_eq!(from_contract, from_table);
    // Same order too: `OperationKind::ALL` is "in the contract's order".
    let ordered: Vec<(String, String)> = OperationKind::ALL
        .iter()
        .map(|r| (r.waha_method().as_str().to_owned(), r.waha_template().to_owned()))
        .collect();
    assert_eq!(pairs, ordered);
}

#[test]
fn every_contract_pair_parses_to_its_route_and_renders_back_identically() {
    for (method, template) in contract_pairs() {
        let path = format!("/api/default{}", template.replace("{id}", GROUP));
        let route = *OperationKind::ALL
            .iter()
            .find(|r| r.waha_method().as_str() == method && r.waha_template() == template)
            .unwrap_or_else(|| panic!("no route for {method} {template}"));
        let (query, body) = sample(route);
        let request = ok(&method, &path, query, body);
        let got = request.operation.kind();
        assert_eq!(got, route, "{method} {path}");
        assert_eq!(got.waha_method().as_str(), method);
        assert_eq!(got.waha_template(), template);
        assert_eq!(request.session.as_str(), "default");
        assert_eq!(request.operation.group().map(|g| g.as_str()), template.contains("{id}").then_some(GROUP));

        let rendered = request.render();
        assert_eq!(rendered.method.as_str(), method, "{method} {path}");
        assert_eq!(rendered.path, path);
        assert_eq!(rendered.query, query, "{method} {path}: canonical query");
        assert_eq!(rendered.body.as_deref().unwrap_or(""), body, "{method} {path}: canonical body");
        let back =
            ok(rendered.method.as_str(), &rendered.path, &rendered.query, rendered.body.as_deref().unwrap_or(""));
        assert_eq!(back, request, "{method} {path}: parse(render(x)) == x");
    }
}

#[test]
fn routes_without_a_body_take_none_and_routes_with_one_require_it() {
    for &route in OperationKind::ALL {
        let path = format!("/api/default{}", route.waha_template().replace("{id}", GROUP));
        let (query, body) = sample(route);
        if body.is_empty() {
            // Any field in a body-less route's body is refused.
            let err = parse(route.waha_method().as_str(), &path, query, r#"{"x":1}"#).unwrap_err();
            assert_eq!(err.code, ErrorCode::ValidationFailed, "{route:?}");
            assert_eq!(err.errors[0].code, ErrorCode::UnknownField, "{route:?}");
            assert_eq!(err.errors[0].location, ptr("/x"));
            assert_eq!(ok(route.waha_method().as_str(), &path, query, "{}").render().body, None, "{route:?}");
        } else {
            let err = parse(route.waha_method().as_str(), &path, query, "").unwrap_err();
            assert!(err.errors.iter().all(|e| e.code == ErrorCode::MissingField), "{route:?}: {err:?}");
        }
    }
}

/// Parses, renders, parses again: the two parses must be equal and the render stable.
fn round_trip(method: &str, path: &str, query: &str, body: &str) -> (GroupRequest, groupgate::RenderedRequest) {
    let first = ok(method, path, query, body);
    let rendered = first.render();
    let second = ok(rendered.method.as_str(), &rendered.path, &rendered.query, rendered.body.as_deref().unwrap_or(""));
    assert_eq!(second, first, "parse(render(parse(x))) == parse(x) for {method} {path}");
    assert_eq!(second.render(), rendered, "render is canonical");
    (first, rendered)
}

fn body_json(rendered: &groupgate::RenderedRequest) -> serde_json::Value {
    serde_json::from_str(rendered.body.as_deref().expect("a body")).expect("the rendered body is JSON")
}

#[test]
fn family_collection_create_list_count_refresh() {
    // Create: ids normalized to WAHA's @c.us, lids kept, subject sent as WAHA's `name`.
    let (req, out) = round_trip(
        "POST",
        &api("/groups"),
        "",
        r#"{"participants":[{"id":"4915112345678@s.whatsapp.net"},{"id":"123456789012345@lid"}],"name":"Ünïcode 🎉"}"#,
    );
    assert!(matches!(req.operation, Operation::CreateGroup { .. }));
    assert_eq!(
        body_json(&out),
        serde_json::json!({"name":"Ünïcode 🎉","participants":[{"id":"4915112345678@c.us"},{"id":"123456789012345@lid"}]})
    );
    assert_eq!(
        parse(
            "POST",
            &api("/groups"),
            "",
            r#"{"name":"x","participants":[{"id":"15551234567@c.us"}],"description":"d"}"#
        )
        .unwrap_err()
        .errors[0]
            .location,
        ptr("/description")
    );

    // List: parameters in a fixed order, `+`/percent forms decoded, repeated `exclude` folded.
    let (_, out) =
        round_trip("GET", &api("/groups"), "exclude=participants&sortOrder=asc&exclude=participants&limit=5", "");
    assert_eq!(out.query, "limit=5&sortOrder=asc&exclude=participants");
    assert_eq!(out.body, None);
    let (_, out) = round_trip("GET", &api("/groups"), "", "");
    assert_eq!(out.query, "");

    for (path, route) in
        [("/groups/count", OperationKind::CountGroups), ("/groups/refresh", OperationKind::RefreshGroups)]
    {
        let method = route.waha_method().as_str();
        let (req, out) = round_trip(method, &api(path), "", "");
        assert_eq!(req.operation.kind(), route);
        assert_eq!((out.path.as_str(), out.query.as_str(), out.body.as_deref()), (api(path).as_str(), "", None));
    }
    // `/groups/count` is never the group "count".
    assert_eq!(parse("DELETE", &api("/groups/count"), "", "").unwrap_err().code, ErrorCode::MethodNotAllowed);
}

#[test]
fn family_invites_join_info_and_join() {
    let link = format!("https%3A%2F%2Fchat.whatsapp.com%2Finvite%2F{CODE}%3Fs%3Dsw");
    let (req, out) = round_trip("GET", &api("/groups/join-info"), &format!("code={link}"), "");
    assert_eq!(req.operation.kind(), OperationKind::JoinInfo);
    assert_eq!(out.query, format!("code={CODE}"), "a link is sent upstream as its bare code");

    for given in
        [format!("https://chat.whatsapp.com/{CODE}"), format!(" {CODE} "), format!("chat.whatsapp.com/{CODE}/")]
    {
        let (_, out) = round_trip("POST", &api("/groups/join"), "", &format!(r#"{{"code":"{given}"}}"#));
        assert_eq!(body_json(&out), serde_json::json!({ "code": CODE }), "{given}");
    }
    let err = parse("POST", &api("/groups/join"), "", &format!(r#"{{"code":"{CODE}","link":"x"}}"#)).unwrap_err();
    assert_eq!(err.errors[0].location, ptr("/link"));
}

#[test]
fn family_one_group_get_delete_leave() {
    for (method, under, route) in [
        ("GET", "", OperationKind::GetGroup),
        ("DELETE", "", OperationKind::DeleteGroup),
        ("POST", "/leave", OperationKind::LeaveGroup),
    ] {
        for id in [GROUP, OLD_GROUP] {
            let path = format!("/api/s1/groups/{id}{under}");
            let (req, out) = round_trip(method, &path, "", "");
            assert_eq!(req.operation.kind(), route);
            assert_eq!(req.operation.group().map(|g| g.as_str()), Some(id));
            assert_eq!(out.path, path);
        }
    }
    // A percent-encoded `@` is decoded, and rendered in the plain form WAHA's clients use.
    let (_, out) = round_trip("GET", "/api/default/groups/120363298657503778%40g.us", "", "");
    assert_eq!(out.path, group_path(""));
}

#[test]
fn family_info_subject_and_description() {
    let (req, out) = round_trip("PUT", &group_path("/subject"), "", r#"{"subject":"Quote \" and \\ and\ttab"}"#);
    assert_eq!(
        req.operation,
        Operation::SetSubject {
            group: req.operation.group().cloned().unwrap(),
            subject: Subject("Quote \" and \\ and\ttab".into())
        }
    );
    assert_eq!(body_json(&out), serde_json::json!({"subject":"Quote \" and \\ and\ttab"}));

    let (_, out) = round_trip("PUT", &group_path("/description"), "", r#"{"description":""}"#);
    assert_eq!(out.body.as_deref(), Some(r#"{"description":""}"#), "an empty description clears it and is forwarded");
    let err = parse("PUT", &group_path("/description"), "", r#"{"description":"a","subject":"b"}"#).unwrap_err();
    assert_eq!(err.errors[0].location, ptr("/subject"));
}

#[test]
fn family_picture_get_set_delete() {
    let (req, out) = round_trip("GET", &group_path("/picture"), "refresh=false", "");
    assert_eq!(
        req.operation,
        Operation::GetPicture { group: req.operation.group().cloned().unwrap(), refresh: Some(false) }
    );
    assert_eq!(out.query, "refresh=false");
    let (_, out) = round_trip("GET", &group_path("/picture"), "", "");
    assert_eq!(out.query, "", "no refresh given, none forwarded");

    let (_, out) =
        round_trip("PUT", &group_path("/picture"), "", r#"{"file":{"data":"/9j/4AAQ","mimetype":"image/jpeg"}}"#);
    assert_eq!(body_json(&out), serde_json::json!({"file":{"mimetype":"image/jpeg","data":"/9j/4AAQ"}}));
    let (_, out) = round_trip(
        "PUT",
        &group_path("/picture"),
        "",
        r#"{"file":{"url":"https://cdn.example.com/a.png?v=1","mimetype":"image/png","filename":"a.png"}}"#,
    );
    assert_eq!(
        body_json(&out),
        serde_json::json!({"file":{"mimetype":"image/png","url":"https://cdn.example.com/a.png?v=1","filename":"a.png"}})
    );
    let err = parse(
        "PUT",
        &group_path("/picture"),
        "",
        r#"{"file":{"url":"https://a.example/x","mimetype":"image/png","size":1}}"#,
    )
    .unwrap_err();
    assert_eq!(err.errors[0].location, ptr("/file/size"));

    let (req, out) = round_trip("DELETE", &group_path("/picture"), "", "");
    assert_eq!(req.operation.kind(), OperationKind::DeletePicture);
    assert_eq!(out.body, None);
}

/// Each security setting: its read, its change, and the body key of the change.
const SETTINGS: [(OperationKind, OperationKind, &str); 5] = [
    (OperationKind::GetInfoAdminOnly, OperationKind::SetInfoAdminOnly, "adminsOnly"),
    (OperationKind::GetMessagesAdminOnly, OperationKind::SetMessagesAdminOnly, "adminsOnly"),
    (OperationKind::GetMemberAddMode, OperationKind::SetMemberAddMode, "membersCanAddNewMember"),
    (OperationKind::GetMemberShareHistoryMode, OperationKind::SetMemberShareHistoryMode, "membersCanShareHistory"),
    (OperationKind::GetMembershipApproval, OperationKind::SetMembershipApproval, "newMembersApprovalRequired"),
];

#[test]
fn family_security_settings() {
    for (get, set, field) in SETTINGS {
        assert_eq!(set.body_keys(), [field], "{set:?}");
        let (req, out) =
            round_trip("GET", &format!("/api/default{}", get.waha_template().replace("{id}", GROUP)), "", "");
        assert_eq!(req.operation.kind(), get);
        assert_eq!(out.body, None);
        for value in [true, false] {
            let path = format!("/api/default{}", set.waha_template().replace("{id}", GROUP));
            let body = format!(r#"{{"{field}":{value}}}"#);
            let (req, out) = round_trip("PUT", &path, "", &body);
            assert_eq!(req.operation.kind(), set);
            assert_eq!(out.body.as_deref(), Some(body.as_str()));
            // Another setting's field is not this one's.
            let other = if field == "adminsOnly" { "membersCanAddNewMember" } else { "adminsOnly" };
            let err = parse("PUT", &path, "", &format!(r#"{{"{other}":{value}}}"#)).unwrap_err();
            let codes: Vec<ErrorCode> = err.errors.iter().map(|e| e.code).collect();
            assert_eq!(codes, vec![ErrorCode::UnknownField, ErrorCode::MissingField], "{set:?}");
        }
    }
}

#[test]
fn family_invite_code_and_member_lists() {
    for (method, under, route) in [
        ("GET", "/invite-code", OperationKind::GetInviteCode),
        ("POST", "/invite-code/revoke", OperationKind::RevokeInviteCode),
        ("GET", "/participants", OperationKind::GetParticipants),
        ("GET", "/participants/v2", OperationKind::GetParticipantsV2),
        ("GET", "/participants/join-requests", OperationKind::ListJoinRequests),
    ] {
        let (req, out) = round_trip(method, &group_path(under), "", "");
        assert_eq!(req.operation.kind(), route, "{under}");
        assert_eq!((out.query.as_str(), out.body.as_deref()), ("", None));
    }
}

#[test]
fn family_member_actions() {
    for (under, action) in [
        ("/participants/add", OperationKind::AddParticipants),
        ("/participants/remove", OperationKind::RemoveParticipants),
        ("/admin/promote", OperationKind::PromoteParticipants),
        ("/admin/demote", OperationKind::DemoteParticipants),
        ("/participants/join-requests/approve", OperationKind::ApproveJoinRequests),
        ("/participants/join-requests/reject", OperationKind::RejectJoinRequests),
    ] {
        let (req, out) = round_trip(
            "POST",
            &group_path(under),
            "",
            r#"{"participants":[{"id":"4915112345678@s.whatsapp.net"},{"id":"15551234567@c.us"},{"id":"123456789012345@lid"}]}"#,
        );
        assert_eq!(req.operation.kind(), action);
        let (Operation::AddParticipants { participants, .. }
        | Operation::RemoveParticipants { participants, .. }
        | Operation::PromoteParticipants { participants, .. }
        | Operation::DemoteParticipants { participants, .. }
        | Operation::ApproveJoinRequests { participants, .. }
        | Operation::RejectJoinRequests { participants, .. }) = &req.operation
        else {
            panic!("{under}: {req:?}")
        };
        assert_eq!(participants.0.len(), 3);
        assert_eq!(
            out.body.as_deref(),
            Some(
                r#"{"participants":[{"id":"4915112345678@c.us"},{"id":"15551234567@c.us"},{"id":"123456789012345@lid"}]}"#
            ),
            "{under}: ids normalized to @c.us, order kept"
        );
        // Wadial-style bare strings are not WAHA's shape.
        let err = parse("POST", &group_path(under), "", r#"{"participants":["15551234567@c.us"]}"#).unwrap_err();
        assert_eq!(err.errors[0].code, ErrorCode::InvalidType);
        assert_eq!(err.errors[0].location, ptr("/participants/0"));
    }
}

#[test]
fn operations_are_charged_to_their_rate_classes() {
    use groupgate::ops::{Charge, RateClass};
    let charges =
        |method: &str, path: &str, query: &str, body: &str| ok(method, path, query, body).operation.rate_charges();
    let two = r#"{"participants":[{"id":"15551234567@c.us"},{"id":"4915112345678@c.us"}]}"#;
    let create = r#"{"name":"Team","participants":[{"id":"15551234567@c.us"},{"id":"4915112345678@c.us"},{"id":"123456789012345@lid"}]}"#;
    let charge = |class, cost| Charge { class, cost };
    // A create spends one group and one add unit per initial participant.
    assert_eq!(charges("POST", &api("/groups"), "", create), [charge(RateClass::Create, 1), charge(RateClass::Add, 3)]);
    assert_eq!(charges("POST", &group_path("/participants/add"), "", two), [charge(RateClass::Add, 2)]);
    assert_eq!(charges("POST", &group_path("/participants/remove"), "", two), [charge(RateClass::Remove, 2)]);
    // An approval adds the person to the group: it is an add.
    assert_eq!(
        charges("POST", &group_path("/participants/join-requests/approve"), "", two),
        [charge(RateClass::Add, 2)]
    );
    assert_eq!(charges("POST", &group_path("/participants/join-requests/reject"), "", two), []);
    assert_eq!(charges("POST", &api("/groups/refresh"), "", ""), [charge(RateClass::Refresh, 1)]);
    // A picture read asking WhatsApp again is a refresh; a plain one is free.
    assert_eq!(charges("GET", &group_path("/picture"), "refresh=true", ""), [charge(RateClass::Refresh, 1)]);
    assert_eq!(charges("GET", &group_path("/picture"), "refresh=false", ""), []);
    assert_eq!(charges("GET", &group_path("/picture"), "", ""), []);
    // Every other operation is free, and every kind names exactly the classes it may spend.
    for &kind in OperationKind::ALL {
        let limited = matches!(
            kind,
            OperationKind::CreateGroup
                | OperationKind::AddParticipants
                | OperationKind::RemoveParticipants
                | OperationKind::ApproveJoinRequests
                | OperationKind::RefreshGroups
                | OperationKind::GetPicture
        );
        assert_eq!(!kind.rate_classes().is_empty(), limited, "{kind:?}");
    }
}
