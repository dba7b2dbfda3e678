//! The npm module in headless Chromium against the real stack (the Worker in workerd in front of
//! the WAHA simulator): `node scripts/with-stack.mjs -- wasm-pack test --headless --chrome
//! --features browser --test browser`. The page's origin is allowed by the Worker's CORS.
#![cfg(all(target_arch = "wasm32", feature = "browser"))]

use groupgate::browser::{
    is_groupgate_error, limits, parse_group_event, parse_invite, phone_to_user_id, validate_request, GroupsClient,
};
use js_sys::{Array, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The Worker (set by scripts/with-stack.mjs at compile time).
const WORKER: &str = match option_env!("GROUPGATE_TEST_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8798",
};
/// The WAHA simulator.
const SIM: &str = match option_env!("GROUPGATE_SIM_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8797",
};
const KEY: &str = "test-client-key-0123456789";
const ALPHA: &str = "120363000000000001@g.us";
const BETA: &str = "120363000000000002@g.us";
const GAMMA: &str = "120363000000000003@g.us";

// ---------------------------------------------------------------- helpers

fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|e| panic!("bad fixture {json}: {e:?}"))
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn none() -> JsValue {
    JsValue::UNDEFINED
}

/// `value.a.b.0.c`
fn at(value: &JsValue, path: &str) -> JsValue {
    path.split('.')
        .filter(|k| !k.is_empty())
        .fold(value.clone(), |v, key| Reflect::get(&v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED))
}

fn text(value: &JsValue, path: &str) -> String {
    at(value, path).as_string().unwrap_or_else(|| panic!("{path} is no string in {}", show(value)))
}

fn show(value: &JsValue) -> String {
    JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_else(|| format!("{value:?}"))
}

fn client_at(base: &str, extra: &str) -> GroupsClient {
    let options = js(&format!(r#"{{"baseUrl": "{base}", "apiKey": "{KEY}", "session": "default"{extra}}}"#));
    GroupsClient::new(options).unwrap_or_else(|e| panic!("client: {}", show(&e)))
}

fn client() -> GroupsClient {
    client_at(WORKER, "")
}

async fn ok(promise: Promise) -> JsValue {
    match JsFuture::from(promise).await {
        Ok(value) => value,
        Err(e) => panic!("call failed: {} {}", show(&e), at(&e, "message").as_string().unwrap_or_default()),
    }
}

/// The rejection of `promise`, checked to be a `GroupgateError` with `code`.
async fn fails(promise: Promise, code: &str) -> JsValue {
    match JsFuture::from(promise).await {
        Ok(value) => panic!("expected {code}, got the answer {}", show(&value)),
        Err(e) => {
            assert!(is_groupgate_error(&e), "not a GroupgateError: {e:?}");
            assert!(e.is_instance_of::<js_sys::Error>());
            assert_eq!(text(&e, "name"), "GroupgateError");
            assert_eq!(text(&e, "code"), code, "{}: {}", show(&e), at(&e, "message").as_string().unwrap_or_default());
            e
        }
    }
}

/// The `errors` of a validation failure as `(pointer or parameter, code)` pairs.
fn field_errors(error: &JsValue) -> Vec<(String, String)> {
    let list: Array = at(error, "errors").dyn_into().expect("errors is an array");
    list.iter()
        .map(|e| {
            let place = at(&e, "pointer").as_string().or_else(|| at(&e, "parameter").as_string()).unwrap_or_default();
            assert!(at(&e, "detail").is_string(), "detail in {}", show(&e));
            (place, text(&e, "code"))
        })
        .collect()
}

fn has(errors: &[(String, String)], place: &str, code: &str) -> bool {
    errors.iter().any(|(p, c)| p == place && c == code)
}

/// A call to the simulator's control API.
async fn sim(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let builder = gloo_net::http::RequestBuilder::new(&format!("{SIM}{path}")).method(match method {
        "POST" => gloo_net::http::Method::POST,
        "DELETE" => gloo_net::http::Method::DELETE,
        _ => gloo_net::http::Method::GET,
    });
    let request = match body {
        Some(body) => builder.header("content-type", "application/json").body(body),
        None => builder.build(),
    };
    let response = request.expect("sim request").send().await.expect("the simulator answers");
    let text = response.text().await.expect("sim body");
    assert!(response.ok(), "sim {method} {path}: {text}");
    JSON::parse(&text).expect("sim JSON")
}

/// Fresh simulator state (seed groups, no recorded requests, no faults).
async fn reset() {
    sim("POST", "/__sim/reset", None).await;
}

async fn received() -> Array {
    sim("GET", "/__sim/requests", None).await.dyn_into().expect("requests list")
}

// ---------------------------------------------------------------- every method, real answers

#[wasm_bindgen_test]
async fn groups_list_count_get_create_delete() {
    reset().await;
    let c = client();
    let all = ok(c.listGroups(none(), none())).await;
    assert!(Array::is_array(&all));
    assert_eq!(Array::from(&all).length(), 3, "Alpha, Beta and Gamma: {}", show(&all));
    assert!(at(&all, "0.participants").is_object());

    let page = ok(c.listGroups(
        js(r#"{"limit": 1, "offset": 0, "sortBy": "subject", "sortOrder": "desc", "excludeParticipants": true}"#),
        none(),
    ))
    .await;
    assert_eq!(Array::from(&page).length(), 1);
    assert_eq!(text(&page, "0.subject"), "Gamma Friends");
    assert!(at(&page, "0.participants").is_undefined(), "participants excluded: {}", show(&page));

    assert_eq!(ok(c.countGroups(none())).await.as_f64(), Some(3.0));
    let alpha = ok(c.getGroup(s(ALPHA), none())).await;
    assert_eq!(text(&alpha, "subject"), "Alpha Team");
    assert_eq!(text(&alpha, "participants.0.role"), "superadmin");

    let created =
        ok(c.createGroup(s("Delta Crew"), js(r#"["15551230001@c.us", {"id": "15551230002@s.whatsapp.net"}]"#), none()))
            .await;
    let id = text(&created, "id");
    assert!(id.ends_with("@g.us"), "{id}");
    assert_eq!(text(&created, "subject"), "Delta Crew");
    assert_eq!(ok(c.countGroups(none())).await.as_f64(), Some(4.0));
    assert!(ok(c.deleteGroup(s(&id), none())).await.is_undefined());
    assert_eq!(ok(c.countGroups(none())).await.as_f64(), Some(3.0));
}

#[wasm_bindgen_test]
async fn invites_join_and_leave() {
    reset().await;
    let c = client();
    let invite = ok(c.getInviteCode(s(ALPHA), none())).await;
    assert_eq!(text(&invite, "code"), "AlphaInviteCode0000001");
    assert_eq!(text(&invite, "link"), "https://chat.whatsapp.com/AlphaInviteCode0000001");

    let preview = ok(c.joinInfo(s("https://chat.whatsapp.com/invite/BetaInviteCode00000002?s=sw"), none())).await;
    assert_eq!(text(&preview, "subject"), "Beta Testers");
    assert_eq!(text(&preview, "id"), BETA);

    assert!(ok(c.leaveGroup(s(GAMMA), none())).await.is_undefined());
    assert_eq!(ok(c.countGroups(none())).await.as_f64(), Some(2.0));
    let joined = ok(c.joinGroup(s("GammaInviteCode0000003"), none())).await;
    assert_eq!(text(&joined, "id"), GAMMA);
    assert_eq!(ok(c.countGroups(none())).await.as_f64(), Some(3.0));

    let fresh = ok(c.revokeInviteCode(s(ALPHA), none())).await;
    assert_ne!(text(&fresh, "code"), "AlphaInviteCode0000001");
    assert_eq!(text(&fresh, "link"), format!("https://chat.whatsapp.com/{}", text(&fresh, "code")));
    let gone = fails(c.joinInfo(s("AlphaInviteCode0000001"), none()), "whatsapp_gone").await;
    assert_eq!(at(&gone, "status").as_f64(), Some(410.0));
}

#[wasm_bindgen_test]
async fn subject_description_and_picture() {
    reset().await;
    let c = client();
    assert_eq!(ok(c.setSubject(s(ALPHA), s("Alpha Renamed"), none())).await.as_bool(), Some(true));
    assert_eq!(ok(c.setDescription(s(ALPHA), s("New plans"), none())).await.as_bool(), Some(true));
    let alpha = ok(c.getGroup(s(ALPHA), none())).await;
    assert_eq!(text(&alpha, "subject"), "Alpha Renamed");
    assert_eq!(text(&alpha, "description"), "New plans");
    // Gamma's info is admin-only and I am a plain member there: WAHA answers false.
    assert_eq!(ok(c.setSubject(s(GAMMA), s("Mine now"), none())).await.as_bool(), Some(false));

    let beta = ok(c.getPicture(s(BETA), none(), none())).await;
    assert!(text(&beta, "url").starts_with("https://"));
    assert!(ok(c.getPicture(s(ALPHA), js(r#"{"refresh": true}"#), none())).await.is_object());
    let set = ok(c.setPicture(s(ALPHA), js(r#"{"mimetype": "image/jpeg", "data": "/9j/4AAQ"}"#), none())).await;
    assert_eq!(at(&set, "success").as_bool(), Some(true));
    assert!(text(&ok(c.getPicture(s(ALPHA), none(), none())).await, "url").starts_with("https://"));
    let deleted = ok(c.deletePicture(s(ALPHA), none())).await;
    assert_eq!(at(&deleted, "success").as_bool(), Some(true));
    assert!(at(&ok(c.getPicture(s(ALPHA), none(), none())).await, "url").is_null());
}

#[wasm_bindgen_test]
async fn security_settings_round_trip() {
    reset().await;
    let c = client();
    let t = JsValue::TRUE;
    let f = JsValue::FALSE;
    assert_eq!(ok(c.getInfoAdminOnly(s(ALPHA), none())).await.as_bool(), Some(false));
    assert!(ok(c.setInfoAdminOnly(s(ALPHA), t.clone(), none())).await.is_undefined());
    assert_eq!(ok(c.getInfoAdminOnly(s(ALPHA), none())).await.as_bool(), Some(true));

    assert_eq!(ok(c.getMessagesAdminOnly(s(ALPHA), none())).await.as_bool(), Some(false));
    ok(c.setMessagesAdminOnly(s(ALPHA), t.clone(), none())).await;
    assert_eq!(ok(c.getMessagesAdminOnly(s(ALPHA), none())).await.as_bool(), Some(true));

    assert_eq!(ok(c.getMemberAddMode(s(ALPHA), none())).await.as_bool(), Some(true));
    ok(c.setMemberAddMode(s(ALPHA), f.clone(), none())).await;
    assert_eq!(ok(c.getMemberAddMode(s(ALPHA), none())).await.as_bool(), Some(false));

    assert_eq!(ok(c.getMemberShareHistoryMode(s(ALPHA), none())).await.as_bool(), Some(true));
    ok(c.setMemberShareHistoryMode(s(ALPHA), f.clone(), none())).await;
    assert_eq!(ok(c.getMemberShareHistoryMode(s(ALPHA), none())).await.as_bool(), Some(false));

    assert_eq!(ok(c.getMembershipApproval(s(BETA), none())).await.as_bool(), Some(true));
    ok(c.setMembershipApproval(s(BETA), f, none())).await;
    assert_eq!(ok(c.getMembershipApproval(s(BETA), none())).await.as_bool(), Some(false));

    // Not an admin of Gamma: WhatsApp's not-authorized, mapped by the Worker.
    let e = fails(c.setInfoAdminOnly(s(GAMMA), t, none()), "whatsapp_not_authorized").await;
    assert_eq!(at(&e, "status").as_f64(), Some(403.0));
    assert!(at(&e, "requestId").is_string(), "request id: {}", show(&e));
}

#[wasm_bindgen_test]
async fn participants_and_join_requests() {
    reset().await;
    let c = client();
    let members = ok(c.getParticipants(s(ALPHA), none())).await;
    assert_eq!(Array::from(&members).length(), 5, "v2 lists who left too: {}", show(&members));
    assert_eq!(text(&members, "3.pn"), "15550001111@c.us");
    let raw = ok(c.getParticipantsRaw(s(ALPHA), none())).await;
    assert!(Array::is_array(&raw) && at(&raw, "0").is_object());

    let added =
        ok(c.addParticipants(s(ALPHA), js(r#"["15557654321@c.us", {"id": "15550000002@c.us"}]"#), none())).await;
    assert_eq!(text(&added, "0.status"), "200");
    assert_eq!(text(&added, "1.status"), "409", "already a member");
    let promoted = ok(c.promoteParticipants(s(ALPHA), js(r#"["15557654321@c.us"]"#), none())).await;
    assert_eq!(text(&promoted, "0.status"), "200");
    let demoted = ok(c.demoteParticipants(s(ALPHA), js(r#"["15557654321@c.us"]"#), none())).await;
    assert_eq!(text(&demoted, "0.status"), "200");
    let removed = ok(c.removeParticipants(s(ALPHA), js(r#"["15557654321@s.whatsapp.net"]"#), none())).await;
    assert_eq!(text(&removed, "0.status"), "200");

    let pending = ok(c.listJoinRequests(s(BETA), none())).await;
    assert_eq!(Array::from(&pending).length(), 2);
    assert_eq!(text(&pending, "1.requesterPn"), "15550000006@c.us");
    let approved = ok(c.approveJoinRequests(s(BETA), js(r#"["15550000005@c.us"]"#), none())).await;
    assert_eq!(at(&approved, "0.success").as_bool(), Some(true));
    let rejected = ok(c.rejectJoinRequests(s(BETA), js(r#"[{"id": "987654321098765@lid"}]"#), none())).await;
    assert_eq!(at(&rejected, "0.success").as_bool(), Some(true));
    assert_eq!(Array::from(&ok(c.listJoinRequests(s(BETA), none())).await).length(), 0);
}

#[wasm_bindgen_test]
async fn upstream_errors_keep_code_status_and_request_id() {
    reset().await;
    let c = client();
    let e = fails(c.getGroup(s("120363999999999999@g.us"), none()), "whatsapp_not_found").await;
    assert_eq!(at(&e, "status").as_f64(), Some(404.0));
    assert!(!text(&e, "requestId").is_empty());
    assert!(!text(&e, "detail").is_empty());
    assert_eq!(Array::from(&at(&e, "errors")).length(), 0);

    let wrong_key = GroupsClient::new(js(&format!(
        r#"{{"baseUrl": "{WORKER}", "apiKey": "not-the-key-0123456789", "session": "default"}}"#
    )))
    .unwrap();
    let e = fails(wrong_key.countGroups(none()), "unauthorized").await;
    assert_eq!(at(&e, "status").as_f64(), Some(401.0));
}

// ---------------------------------------------------------------- validation before sending

#[wasm_bindgen_test]
async fn invalid_input_is_refused_before_any_request() {
    reset().await;
    // The simulator records every /api request (and CORS preflight) it receives: a client aimed
    // straight at it proves that nothing left the browser, not merely that the Worker refused.
    let direct = client_at(SIM, "");
    for c in [client(), direct] {
        let e = fails(c.createGroup(s(" "), js("[]"), none()), "validation_failed").await;
        let errors = field_errors(&e);
        assert!(has(&errors, "/name", "empty_subject"), "{errors:?}");
        assert!(has(&errors, "/participants", "empty_list"), "{errors:?}");
        assert_eq!(at(&e, "status").as_f64(), Some(422.0));

        let e = fails(
            c.addParticipants(
                s(ALPHA),
                js(r#"["+15551234567@c.us", "15550000001@c.us", "15550000001@s.whatsapp.net", 7]"#),
                none(),
            ),
            "validation_failed",
        )
        .await;
        let errors = field_errors(&e);
        assert!(has(&errors, "/participants/0/id", "invalid_id"), "{errors:?}");
        assert!(has(&errors, "/participants/2", "duplicate_participant"), "{errors:?}");
        assert!(has(&errors, "/participants/3", "invalid_type"), "{errors:?}");

        for bad in ["123", "count", "", "120363000000000001@newsletter", "a/b@g.us"] {
            let e = fails(c.getGroup(s(bad), none()), "validation_failed").await;
            let errors = field_errors(&e);
            assert!(errors.iter().any(|(p, _)| p == "id"), "{bad:?}: {errors:?}");
        }
        let e = fails(c.getGroup(JsValue::from(5), none()), "validation_failed").await;
        assert!(has(&field_errors(&e), "id", "invalid_type"));

        let e = fails(c.setSubject(s("bad"), s(&"x".repeat(101)), none()), "validation_failed").await;
        let errors = field_errors(&e);
        assert!(has(&errors, "id", "invalid_group_id") && has(&errors, "/subject", "subject_too_long"), "{errors:?}");

        let e = fails(
            c.listGroups(js(r#"{"limit": -1, "sortBy": "size", "excludeParticipants": "yes"}"#), none()),
            "validation_failed",
        )
        .await;
        let errors = field_errors(&e);
        for (parameter, code) in
            [("limit", "invalid_parameter"), ("sortBy", "invalid_parameter"), ("excludeParticipants", "invalid_type")]
        {
            assert!(has(&errors, parameter, code), "{parameter}: {errors:?}");
        }

        let e = fails(
            c.joinGroup(s("https://chat.whatsapp.com.evil.example/AbCdEfGhIjKlMnOpQrStUv"), none()),
            "validation_failed",
        )
        .await;
        assert!(has(&field_errors(&e), "/code", "invalid_invite_link"));
        let e = fails(c.joinInfo(s("short"), none()), "validation_failed").await;
        assert!(has(&field_errors(&e), "code", "invalid_invite_code"));

        let e = fails(
            c.setPicture(s(ALPHA), js(r#"{"mimetype": "image/gif", "url": "http://example.com/a.gif"}"#), none()),
            "validation_failed",
        )
        .await;
        let errors = field_errors(&e);
        assert!(errors.iter().any(|(p, _)| p.starts_with("/file")), "{errors:?}");

        let e = fails(c.setInfoAdminOnly(s(ALPHA), s("yes"), none()), "validation_failed").await;
        assert!(has(&field_errors(&e), "/adminsOnly", "invalid_type"));
        let e = fails(c.getPicture(s(ALPHA), js(r#"{"refresh": "sometimes"}"#), none()), "validation_failed").await;
        assert!(has(&field_errors(&e), "refresh", "invalid_parameter"));
        let too_many: Vec<String> = (0..51).map(|i| format!("\"155500{i:05}@c.us\"")).collect();
        let e =
            fails(c.addParticipants(s(ALPHA), js(&format!("[{}]", too_many.join(","))), none()), "validation_failed")
                .await;
        assert!(has(&field_errors(&e), "/participants", "too_many_participants"));
        let e = fails(c.countGroups(js(r#"{"timeoutMs": -5, "signal": "stop"}"#)), "validation_failed").await;
        let errors = field_errors(&e);
        assert!(has(&errors, "timeoutMs", "invalid_parameter") && has(&errors, "signal", "invalid_type"), "{errors:?}");
    }
    assert_eq!(received().await.length(), 0, "nothing reached the simulator: {}", show(&received().await.into()));

    // Control: a valid call from the direct client does reach the simulator (and fails on CORS):
    // its preflight announces the key and the extra header.
    fails(client_at(SIM, r#", "headers": {"X-Trace": "t1"}"#).countGroups(none()), "network_error").await;
    let sent = received().await;
    assert!(sent.length() >= 1, "the record sees requests that were sent");
    let announced = text(&sent.get(0), "headers.access-control-request-headers");
    assert!(announced.contains("x-api-key") && announced.contains("x-trace"), "{announced}");
}

#[wasm_bindgen_test]
async fn idempotency_key_makes_create_safe_to_retry() {
    reset().await;
    let c = client();
    let options = js(&format!(r#"{{"idempotencyKey": "browser-create-{}"}}"#, js_sys::Date::now()));
    let first = ok(c.createGroup(s("Retry Safe"), js(r#"["15551230001@c.us"]"#), options.clone())).await;
    let again = ok(c.createGroup(s("Retry Safe"), js(r#"["15551230001@c.us"]"#), options)).await;
    assert_eq!(text(&first, "id"), text(&again, "id"), "the replay answers the first group");
    assert_eq!(ok(c.countGroups(none())).await.as_f64(), Some(4.0), "one group was created");
    let e = fails(c.countGroups(js(r#"{"idempotencyKey": "has space"}"#)), "validation_failed").await;
    assert!(has(&field_errors(&e), "idempotencyKey", "invalid_parameter"));
}

#[wasm_bindgen_test]
fn invalid_options_are_refused() {
    let e = GroupsClient::new(js(r#"{"baseUrl": "not a url", "session": "a/b", "timeoutMs": 1.5, "headers": {"x": 1}, "limits": {"subjectMax": 0}}"#))
        .err()
        .expect("invalid options");
    assert!(is_groupgate_error(&e));
    assert_eq!(text(&e, "code"), "validation_failed");
    let errors = field_errors(&e);
    for (parameter, code) in [
        ("baseUrl", "invalid_url"),
        ("apiKey", "missing_field"),
        ("session", "invalid_session"),
        ("timeoutMs", "invalid_parameter"),
        ("headers", "invalid_type"),
        ("limits.subjectMax", "invalid_parameter"),
    ] {
        assert!(has(&errors, parameter, code), "{parameter}: {errors:?}");
    }
    let options = |headers: &str| {
        js(&format!(
            r#"{{"baseUrl": "https://example.com", "apiKey": "k", "session": "default", "headers": {headers}}}"#
        ))
    };
    for headers in [r#"{"X-Api-Key": "other"}"#, r#"{"bad header": "x"}"#, r#"{"X-Ok": "line\nbreak"}"#] {
        let e = GroupsClient::new(options(headers)).err().expect(headers);
        assert!(has(&field_errors(&e), "headers", "invalid_parameter"), "{headers}: {}", show(&e));
    }
    // The refused name is quoted as JSON writes it (`\u001b`, not Rust's `\u{1b}`).
    let e = GroupsClient::new(options(r#"{"bad\u001bheader": "x"}"#)).err().expect("a control character");
    let detail = text(&Array::from(&at(&e, "errors")).get(0), "detail");
    assert_eq!(detail, r#"headers: "bad\u001bheader" is not a valid header"#, "{}", show(&e));
    assert!(GroupsClient::new(options(r#"{"X-Trace": "t1"}"#)).is_ok());
    let e = GroupsClient::new(JsValue::from_str("https://example.com")).err().expect("not an object");
    assert!(has(&field_errors(&e), "options", "invalid_type"));
    let e = GroupsClient::new(js(r#"{"baseUrl": "https://u:p@example.com", "apiKey": "k", "session": "default"}"#))
        .err()
        .expect("credentials in the URL");
    assert!(has(&field_errors(&e), "baseUrl", "url_has_credentials"));
}

#[wasm_bindgen_test]
async fn configured_limits_apply_before_sending() {
    reset().await;
    let c = client_at(WORKER, r#", "limits": {"subjectMax": 5, "participantsPerRequest": 2}"#);
    assert_eq!(at(&c.limits(), "subjectMax").as_f64(), Some(5.0));
    let e = fails(c.setSubject(s(ALPHA), s("Too long"), none()), "validation_failed").await;
    assert!(has(&field_errors(&e), "/subject", "subject_too_long"));
    let e = fails(
        c.addParticipants(s(ALPHA), js(r#"["15551230001@c.us", "15551230002@c.us", "15551230003@c.us"]"#), none()),
        "validation_failed",
    )
    .await;
    assert!(has(&field_errors(&e), "/participants", "too_many_participants"));
    assert_eq!(received().await.length(), 0);
}

// ---------------------------------------------------------------- 429, timeouts, aborts, network

#[wasm_bindgen_test]
async fn whatsapp_rate_limit_surfaces_retry_after() {
    reset().await;
    sim(
        "POST",
        "/__sim/faults",
        Some(&format!(r#"{{"whatsappError": "rate-overlimit", "times": 1, "match": "/groups/{ALPHA}"}}"#)),
    )
    .await;
    let e = fails(client().getGroup(s(ALPHA), none()), "whatsapp_rate_limited").await;
    assert_eq!(at(&e, "status").as_f64(), Some(429.0));
    assert!(at(&e, "retryAfter").as_f64().is_some_and(|s| s > 0.0), "retryAfter: {}", show(&e));
    assert!(at(&e, "requestId").is_string());
    // The fault is used up: the next call goes through.
    assert_eq!(text(&ok(client().getGroup(s(ALPHA), none())).await, "id"), ALPHA);
}

#[wasm_bindgen_test]
async fn answers_of_another_shape_than_promised_are_refused() {
    reset().await;
    let c = client();
    // The Worker passes sound JSON on whatever its shape; the module promises a `GroupInfo`, a
    // `Participant[]`: a list, no body at all, or an object where a list is due is refused.
    for (answer, path, call, expected) in [
        (r#""[]""#, format!("/groups/{ALPHA}"), "getGroup", "expected an object"),
        (r#""""#, format!("/groups/{ALPHA}"), "getGroup", "expected an object"),
        (
            r#""{\"id\": \"15551234567@c.us\"}""#,
            format!("/groups/{ALPHA}/participants/v2"),
            "getParticipants",
            "expected a list",
        ),
    ] {
        let fault = format!(r#"{{"answerJson": {answer}, "times": 1, "method": "GET", "match": "{path}"}}"#);
        sim("POST", "/__sim/faults", Some(&fault)).await;
        let promise = match call {
            "getGroup" => c.getGroup(s(ALPHA), none()),
            _ => c.getParticipants(s(ALPHA), none()),
        };
        let e = fails(promise, "upstream_unavailable").await;
        let message = text(&e, "message");
        assert!(message.contains(expected), "{call} answered {answer}: {message}");
    }
    // Each fault was used once: the same calls resolve again.
    assert_eq!(text(&ok(c.getGroup(s(ALPHA), none())).await, "id"), ALPHA);
    assert!(Array::is_array(&ok(c.getParticipants(s(ALPHA), none())).await));

    // Per-person results: an engine's object becomes one result per person asked about, in the
    // order asked; text is refused. (A group no other test changes: the simulator answers the
    // fault whatever the group.)
    let group = "120363000000000042@g.us";
    let answer_once = |path: &str, json: &str| {
        let quoted = String::from(JSON::stringify(&s(json)).expect("a string"));
        format!(r#"{{"answerJson": {quoted}, "times": 1, "match": "/groups/{group}/{path}"}}"#)
    };
    let two = || js(r#"["15551230001@c.us", "15551230003@c.us"]"#);
    // Keyed by person (the engine's own id form kept), its code as `status`; a person the answer
    // does not name: status "".
    let keyed = r#"{"15551230001@s.whatsapp.net":{"code":200,"message":"added"}}"#;
    sim("POST", "/__sim/faults", Some(&answer_once("participants/add", keyed))).await;
    let results = ok(c.addParticipants(s(group), two(), none())).await;
    assert_eq!(
        show(&results),
        r#"[{"code":200,"id":"15551230001@s.whatsapp.net","message":"added","status":"200"},{"id":"15551230003@c.us","status":""}]"#
    );
    // One status for the whole call applies to everyone.
    sim("POST", "/__sim/faults", Some(&answer_once("participants/remove", r#"{"status":200}"#))).await;
    let results = ok(c.removeParticipants(s(group), two(), none())).await;
    assert_eq!(
        show(&results),
        r#"[{"id":"15551230001@c.us","status":"200"},{"id":"15551230003@c.us","status":"200"}]"#
    );
    // A device suffix names the same person; a `status` text is taken as it is.
    let device = r#"{"15551230003:7@s.whatsapp.net":{"status":"409"}}"#;
    sim("POST", "/__sim/faults", Some(&answer_once("admin/promote", device))).await;
    let results = ok(c.promoteParticipants(s(group), js(r#"["15551230003@c.us"]"#), none())).await;
    assert_eq!(show(&results), r#"[{"id":"15551230003:7@s.whatsapp.net","status":"409"}]"#);
    sim("POST", "/__sim/faults", Some(&answer_once("participants/add", r#""done""#))).await;
    let e = fails(c.addParticipants(s(group), js(r#"["15551230002@c.us"]"#), none()), "upstream_unavailable").await;
    assert!(text(&e, "message").contains("expected a list or an object"), "{}", show(&e));
}

#[wasm_bindgen_test]
async fn worker_rate_limit_surfaces_retry_after_and_ratelimit_fields() {
    reset().await;
    // A session of its own: the refresh quota it spends is not the one other tests' refreshing
    // picture reads spend.
    let c = client_for(KEY, "refreshing");
    let first = ok(c.refreshGroups(none())).await;
    assert_eq!(at(&first, "success").as_bool(), Some(true));
    // The refresh policy is 6 per hour: the seventh call at the latest is refused.
    let mut refused = None;
    for _ in 0..10 {
        if let Err(e) = JsFuture::from(c.refreshGroups(none())).await {
            refused = Some(e);
            break;
        }
    }
    let e = refused.expect("the Worker limits refresh");
    assert!(is_groupgate_error(&e));
    assert_eq!(text(&e, "code"), "rate_limited", "{}", show(&e));
    assert_eq!(at(&e, "status").as_f64(), Some(429.0));
    assert!(at(&e, "retryAfter").as_f64().is_some_and(|s| s >= 1.0), "{}", show(&e));
    assert_eq!(text(&e, "rateLimit.policy"), "refresh", "{}", show(&e));
    assert_eq!(at(&e, "rateLimit.remaining").as_f64(), Some(0.0));
    assert!(at(&e, "rateLimit.reset").as_f64().is_some_and(|s| s >= 1.0));
    assert_eq!(text(&e, "rateLimitPolicy.policy"), "refresh");
    assert!(at(&e, "rateLimitPolicy.quota").as_f64().is_some_and(|q| q >= 1.0));
    assert!(at(&e, "rateLimitPolicy.window").as_f64().is_some_and(|w| w >= 1.0));
}

#[wasm_bindgen_test]
async fn a_group_quota_that_binds_is_the_one_reported() {
    // scripts/with-stack.mjs: removes are limited to 1000 per session and 2 per group an hour.
    let c = client();
    let mut refused = None;
    for i in 0..5 {
        let person = format!(r#"["1555765{i:04}@c.us"]"#);
        if let Err(e) = JsFuture::from(c.removeParticipants(s(BETA), js(&person), none())).await {
            refused = Some(e);
            break;
        }
    }
    let e = refused.expect("the group quota refuses the third remove");
    assert_eq!(text(&e, "code"), "rate_limited", "{}", show(&e));
    assert_eq!(text(&e, "rateLimit.policy"), "remove-group", "{}", show(&e));
    assert_eq!(at(&e, "rateLimit.remaining").as_f64(), Some(0.0));
    assert_eq!(text(&e, "rateLimitPolicy.policy"), "remove-group");
    assert_eq!(at(&e, "rateLimitPolicy.quota").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
async fn slow_answers_time_out() {
    reset().await;
    sim("POST", "/__sim/faults", Some(r#"{"delayMs": 3000, "times": 1, "match": "/groups/count"}"#)).await;
    let c = client_at(WORKER, r#", "timeoutMs": 200"#);
    let started = js_sys::Date::now();
    let e = fails(c.countGroups(none()), "timeout").await;
    assert!(js_sys::Date::now() - started < 2500.0, "the timeout fired early");
    assert_eq!(at(&e, "status").as_f64(), Some(504.0));

    // A per-call timeout overrides the client's.
    sim("POST", "/__sim/faults", Some(r#"{"delayMs": 3000, "times": 1, "match": "/groups/count"}"#)).await;
    fails(client().countGroups(js(r#"{"timeoutMs": 150}"#)), "timeout").await;
}

#[wasm_bindgen_test]
async fn abort_signals_cancel_calls() {
    reset().await;
    let c = client();
    // Already aborted: refused before sending.
    let options = js("{}");
    Reflect::set(&options, &s("signal"), &web_sys::AbortSignal::abort()).unwrap();
    let e = fails(c.getGroup(s(ALPHA), options), "aborted").await;
    assert_eq!(at(&e, "status").as_f64(), Some(0.0));
    assert_eq!(received().await.length(), 0);

    // Aborted while the answer is slow.
    sim("POST", "/__sim/faults", Some(r#"{"delayMs": 3000, "times": 1, "match": "/groups/count"}"#)).await;
    let options = js("{}");
    Reflect::set(&options, &s("signal"), &web_sys::AbortSignal::timeout_with_u32(150)).unwrap();
    let started = js_sys::Date::now();
    fails(c.countGroups(options), "aborted").await;
    assert!(js_sys::Date::now() - started < 2500.0);
}

#[wasm_bindgen_test]
async fn unreachable_worker_is_a_network_error() {
    let e = fails(client_at("http://127.0.0.1:9", "").countGroups(none()), "network_error").await;
    assert_eq!(at(&e, "status").as_f64(), Some(0.0));
    assert!(at(&e, "requestId").is_undefined());
}

// ---------------------------------------------------------------- helpers

#[wasm_bindgen_test]
fn phone_input_becomes_an_id() {
    assert_eq!(phone_to_user_id(s("+1 (555) 123-4567")).unwrap(), "15551234567@c.us");
    assert_eq!(phone_to_user_id(s("0044 20 7946 0958")).unwrap(), "442079460958@c.us");
    let e = phone_to_user_id(s("0151 1234567")).unwrap_err();
    assert!(is_groupgate_error(&e));
    assert!(has(&field_errors(&e), "phone", "invalid_phone_number"));
    assert!(phone_to_user_id(JsValue::NULL).is_err());
}

#[wasm_bindgen_test]
fn invites_parse_to_code_and_link() {
    let invite = parse_invite(s("https://chat.whatsapp.com/invite/AbCdEfGhIjKlMnOpQrStUv?s=sw")).unwrap();
    assert_eq!(text(&invite, "code"), "AbCdEfGhIjKlMnOpQrStUv");
    assert_eq!(text(&invite, "link"), "https://chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv");
    let e = parse_invite(s("https://chat.whatsapp.com.evil.example/AbCdEfGhIjKlMnOpQrStUv")).unwrap_err();
    assert!(has(&field_errors(&e), "code", "invalid_invite_link"));
    let e = parse_invite(s("nope")).unwrap_err();
    assert!(has(&field_errors(&e), "code", "invalid_invite_code"));
}

#[wasm_bindgen_test]
fn limits_for_a_ui() {
    let l = limits();
    assert_eq!(at(&l, "subjectMax").as_f64(), Some(100.0));
    assert_eq!(at(&l, "descriptionMax").as_f64(), Some(2048.0));
    assert_eq!(at(&l, "participantsPerRequest").as_f64(), Some(50.0));
    assert_eq!(at(&l, "groupSize").as_f64(), Some(1024.0));
    assert!(at(&l, "pictureMaxBytes").as_f64().is_some());
}

#[wasm_bindgen_test]
fn group_events_parse_with_a_kind() {
    let envelope = |event: &str, payload: &str| {
        format!(
            r#"{{"id": "evt_01aaaaaaaaaaaaaaaaaaaaaaaa", "timestamp": 1634567890123, "session": "default",
               "engine": "GOWS", "event": "{event}", "payload": {payload},
               "me": {{"id": "15550000000@c.us", "pushName": "Me"}},
               "environment": {{"version": "2026.8.2", "engine": "GOWS", "tier": "PLUS", "browser": null}}}}"#
        )
    };
    let body = envelope(
        "group.v2.participants",
        r#"{"type": "promote", "timestamp": 1634567890, "group": {"id": "120363000000000001@g.us"},
            "participants": [{"id": "123456789012345@lid", "pn": "15550001111@c.us", "role": "admin"}],
            "_data": {"raw": [1, 2.5, {"x": null}]}}"#,
    );
    let event = parse_group_event(s(&body)).unwrap();
    assert_eq!(text(&event, "kind"), "participants");
    assert_eq!(text(&event, "event"), "group.v2.participants");
    assert_eq!(at(&event, "timestamp").as_f64(), Some(1634567890123.0));
    assert_eq!(text(&event, "payload.type"), "promote");
    assert_eq!(text(&event, "payload.participants.0.role"), "admin");
    assert_eq!(at(&event, "payload._data.raw.1").as_f64(), Some(2.5));
    assert_eq!(text(&event, "me.pushName"), "Me");
    assert!(at(&event, "environment.browser").is_undefined());
    assert!(at(&event, "metadata").is_undefined(), "absent, not null");

    let join = parse_group_event(s(&envelope(
        "group.v2.join",
        r#"{"timestamp": 1, "group": {"id": "120363000000000001@g.us", "subject": "Alpha", "participants": []}}"#,
    )))
    .unwrap();
    assert_eq!(text(&join, "kind"), "join");
    assert_eq!(text(&join, "payload.group.subject"), "Alpha");
    let other = parse_group_event(s(&envelope("message", r#"{"body": "hi"}"#))).unwrap();
    assert_eq!(text(&other, "kind"), "other");
    assert_eq!(text(&other, "payload.body"), "hi");

    let e = parse_group_event(s("{not json")).unwrap_err();
    assert!(is_groupgate_error(&e));
    assert_eq!(text(&e, "code"), "invalid_json");
    let e = parse_group_event(s(&envelope("group.v2.leave", r#"{"timestamp": "soon"}"#))).unwrap_err();
    assert_eq!(text(&e, "code"), "invalid_type");
    assert!(text(&e, "detail").contains("/payload/timestamp"), "{}", text(&e, "detail"));

    // Values from a newer WAHA are kept, not refused; float timestamps are truncated.
    let newer = parse_group_event(s(&envelope(
        "group.v2.participants",
        r#"{"type": "kick", "timestamp": 1634567890.5, "group": {"id": "120363000000000001@g.us"},
            "participants": [{"id": "1@lid", "role": "moderator", "pn": null}], "future": {"x": 1}}"#,
    )))
    .unwrap();
    assert_eq!(text(&newer, "payload.type"), "kick");
    assert_eq!(text(&newer, "payload.participants.0.role"), "moderator");
    assert!(at(&newer, "payload.participants.0.pn").is_undefined(), "null is left out");
    assert_eq!(at(&newer, "payload.timestamp").as_f64(), Some(1634567890.0));
    assert!(at(&newer, "payload.future").is_undefined(), "only the typed fields");
    let request = parse_group_event(s(&envelope(
        "group.v2.participants.join-request",
        r#"{"group": {"id": "120363000000000001@g.us"}, "action": "approved", "requesterId": "1@lid",
            "requesterPn": "15550001111@c.us", "timestamp": 2}"#,
    )))
    .unwrap();
    assert_eq!(text(&request, "kind"), "join-request");
    assert_eq!(text(&request, "payload.action"), "approved");
    assert_eq!(text(&request, "payload.requesterPn"), "15550001111@c.us");
    assert!(at(&request, "payload.requestMethod").is_undefined());
}

#[wasm_bindgen_test]
fn raw_event_json_reaches_js_as_json_parse_gives_it() {
    let body = r#"{"id": "evt_1", "timestamp": 1, "session": "default", "engine": "GOWS", "event": "message",
        "payload": {"n": [2.5e1, -0.125, 7], "s": "a\u00e9\n", "z": null, "__proto__": {"a": 1}}, "environment": {}}"#;
    let other = parse_group_event(s(body)).unwrap_or_else(|e| panic!("{}", show(&e)));
    // `__proto__` is an own key, as JSON.parse makes it, not the object's prototype.
    assert_eq!(show(&at(&other, "payload")), r#"{"__proto__":{"a":1},"n":[25,-0.125,7],"s":"aé\n","z":null}"#);
    assert!(at(&other, "payload.a").is_undefined(), "nothing inherited");
}

#[wasm_bindgen_test]
fn validate_request_checks_like_the_worker_and_renders_what_it_forwards() {
    let path = format!("/api/default/groups/{ALPHA}/participants/add");
    let body = r#"{"participants": [{"id": "15551234567@s.whatsapp.net"}, {"id": "123456789012345@lid"}]}"#;
    let ok = validate_request(s("POST"), s(&path), s(body), none()).unwrap_or_else(|e| panic!("{}", show(&e)));
    assert_eq!(text(&ok, "method"), "POST");
    assert_eq!(text(&ok, "path"), path);
    assert_eq!(text(&ok, "query"), "");
    assert_eq!(text(&ok, "body"), r#"{"participants":[{"id":"15551234567@c.us"},{"id":"123456789012345@lid"}]}"#);

    let list = validate_request(s("GET"), s("/api/default/groups?limit=5"), none(), none()).unwrap();
    assert_eq!((text(&list, "method"), text(&list, "query")), ("GET".to_owned(), "limit=5".to_owned()));
    assert!(at(&list, "body").is_undefined(), "no body: {}", show(&list));

    let bad = r#"{"participants": [{"id": "+15551234567@c.us"}, {"id": "15551234567@c.us"}], "x": 1}"#;
    let e = validate_request(s("POST"), s(&path), s(bad), none()).unwrap_err();
    assert!(is_groupgate_error(&e));
    assert_eq!(text(&e, "code"), "validation_failed");
    let errors = field_errors(&e);
    assert!(has(&errors, "/participants/0/id", "invalid_id"), "{errors:?}");
    assert!(has(&errors, "/x", "unknown_field"), "{errors:?}");

    let e = validate_request(s("POST"), s(&path), s(body), js(r#"{"participantsPerRequest": 1}"#)).unwrap_err();
    assert!(has(&field_errors(&e), "/participants", "too_many_participants"), "{}", show(&e));
    let e = validate_request(s("POST"), s(&path), s("{\"participants\": ["), none()).unwrap_err();
    assert_eq!(text(&e, "code"), "invalid_json");
    let e = validate_request(s("POST"), s("/api/default/nothing"), none(), none()).unwrap_err();
    assert_eq!(text(&e, "code"), "not_found");
    let e = validate_request(JsValue::from(1), s(&path), none(), none()).unwrap_err();
    assert_eq!(text(&e, "code"), "validation_failed");
}

#[wasm_bindgen_test]
fn group_event_objects_keep_their_key_order() {
    // Keys in a scrambled wire order: the objects list them in their own fixed order (envelope:
    // kind first; payloads: `timestamp` and `_data` first), absent and `null` ones left out.
    let body = r#"{"environment": {"tier": "PLUS", "version": "2026.8.2"}, "me": {"pushName": "Me", "id": "1@c.us"},
        "payload": {"participants": [{"role": "admin", "pn": "2@c.us", "id": "2@lid"}], "_data": {"b": 1, "a": [2.5]},
                    "group": {"id": "120363000000000001@g.us"}, "type": "promote", "timestamp": 3},
        "event": "group.v2.participants", "engine": "GOWS", "metadata": {"z": 1, "a": null}, "session": "default",
        "timestamp": 1634567890123, "id": "evt_1"}"#;
    assert_eq!(
        show(&parse_group_event(s(body)).unwrap()),
        concat!(
            r#"{"kind":"participants","id":"evt_1","timestamp":1634567890123,"session":"default","metadata":{"a":null,"z":1},"#,
            r#""engine":"GOWS","event":"group.v2.participants","payload":{"timestamp":3,"_data":{"a":[2.5],"b":1},"#,
            r#""type":"promote","group":{"id":"120363000000000001@g.us"},"participants":[{"id":"2@lid","pn":"2@c.us","role":"admin"}]},"#,
            r#""me":{"id":"1@c.us","pushName":"Me"},"environment":{"version":"2026.8.2","tier":"PLUS"}}"#
        )
    );
    let body = r#"{"id": "evt_2", "timestamp": 1, "session": "s", "engine": "NOWEB", "event": "group.v2.participants.join-request",
        "payload": {"group": {"id": "120363000000000001@g.us"}, "requestMethod": "invite_link", "requesterId": "1@lid",
                    "action": "created", "timestamp": 2}}"#;
    assert_eq!(
        show(&parse_group_event(s(body)).unwrap()),
        concat!(
            r#"{"kind":"join-request","id":"evt_2","timestamp":1,"session":"s","engine":"NOWEB","#,
            r#""event":"group.v2.participants.join-request","payload":{"timestamp":2,"action":"created","requesterId":"1@lid","#,
            r#""requestMethod":"invite_link","group":{"id":"120363000000000001@g.us"}},"environment":{}}"#
        )
    );
}

#[wasm_bindgen_test]
fn the_type_guard_tells_groupgate_errors_apart() {
    let e = parse_invite(s("nope")).unwrap_err();
    assert!(is_groupgate_error(&e));
    assert!(!is_groupgate_error(&js_sys::Error::new("other").into()));
    assert!(!is_groupgate_error(&js(r#"{"name": "GroupgateError", "code": "x"}"#)), "not an Error instance");
    assert!(!is_groupgate_error(&JsValue::from_str("GroupgateError")));
    assert!(!is_groupgate_error(&JsValue::NULL));
}

/// A client of the Worker with another key and session.
fn client_for(key: &str, session: &str) -> GroupsClient {
    let options = js(&format!(r#"{{"baseUrl": "{WORKER}", "apiKey": "{key}", "session": "{session}"}}"#));
    GroupsClient::new(options).unwrap_or_else(|e| panic!("client: {}", show(&e)))
}

/// The strings of the array at `path`.
fn strings(value: &JsValue, path: &str) -> Vec<String> {
    let list: Array = at(value, path).dyn_into().unwrap_or_else(|_| panic!("{path} is no array in {}", show(value)));
    list.iter().map(|v| v.as_string().expect("a string")).collect()
}

#[wasm_bindgen_test]
async fn scopes_say_what_the_key_may_do_in_the_session() {
    reset().await;
    let every = ok(client().scopes(none())).await;
    assert_eq!(text(&every, "session"), "default");
    assert_eq!(text(&every, "sessions"), "*");
    assert_eq!(strings(&every, "scopes"), ["read", "write", "members", "invite", "create", "delete", "refresh"]);
    let methods = strings(&every, "methods");
    assert_eq!(methods.len(), 35, "every operation: {methods:?}");
    assert!(methods.iter().any(|m| m == "addParticipants") && methods.iter().any(|m| m == "listGroups"));

    // The stack's read-only key (`<key>:*:read`): reads listed and allowed, writes neither.
    let reader = client_for("read-only-key-0123456789", "default");
    let read = ok(reader.scopes(none())).await;
    assert_eq!(strings(&read, "scopes"), ["read"]);
    let methods = strings(&read, "methods");
    for method in ["listGroups", "countGroups", "getGroup", "getParticipants", "getInviteCode", "joinInfo"] {
        assert!(methods.iter().any(|m| m == method), "{method} in {methods:?}");
    }
    for method in ["addParticipants", "setSubject", "createGroup", "deleteGroup", "revokeInviteCode", "refreshGroups"] {
        assert!(!methods.iter().any(|m| m == method), "{method} not in {methods:?}");
    }
    let count = ok(reader.countGroups(none())).await;
    assert_eq!(count.as_f64(), Some(3.0));
    let refused = fails(reader.addParticipants(s(ALPHA), js(r#"["15557654321@c.us"]"#), none()), "forbidden").await;
    assert_eq!(text(&refused, "detail"), "this key may not use scope members");
    assert_eq!(at(&refused, "status").as_f64(), Some(403.0));

    // A key for another session may do nothing in this one.
    let elsewhere = ok(client_for("sales-only-key-0123456789", "default").scopes(none())).await;
    assert_eq!(strings(&elsewhere, "sessions"), ["sales"]);
    assert!(strings(&elsewhere, "scopes").is_empty() && strings(&elsewhere, "methods").is_empty());
    let own = ok(client_for("sales-only-key-0123456789", "sales").scopes(none())).await;
    assert_eq!(strings(&own, "scopes").len(), 7);

    fails(client_for("unknown-key-0123456789ab", "default").scopes(none()), "unauthorized").await;
    fails(client().scopes(js(r#"{"timeoutMs": -1}"#)), "validation_failed").await;
}

// ---------------------------------------------------------------- the paced bulk add

#[path = "browser/paced.rs"]
mod paced;

// ---------------------------------------------------------------- options, headers, bare errors

#[path = "browser/options.rs"]
mod options;
