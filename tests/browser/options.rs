//! Options and arguments the module refuses rather than ignores, the headers it takes as `fetch`
//! does, and error answers that carry no groupgate problem. Refusals are checked with a client
//! aimed straight at the simulator, whose record proves that nothing left the browser.

use super::*;
use groupgate::browser::add_participants_paced;
use js_sys::{Function, Map};

/// A client of the simulator itself (a sent request shows in its record, then fails on CORS).
fn direct() -> GroupsClient {
    client_at(SIM, "")
}

/// Options of a client of `base` with `headers` set to the JS value given.
fn with_headers(base: &str, headers: &JsValue) -> JsValue {
    let options = js(&format!(r#"{{"baseUrl": "{base}", "apiKey": "{KEY}", "session": "default"}}"#));
    Reflect::set(&options, &s("headers"), headers).unwrap();
    options
}

#[wasm_bindgen_test]
async fn idempotency_key_is_refused_where_the_worker_does_not_honour_it() {
    reset().await;
    let c = direct();
    let key = || js(r#"{"idempotencyKey": "retry-1"}"#);
    let e = fails(c.countGroups(key()), "validation_failed").await;
    assert_eq!(field_errors(&e), vec![("idempotencyKey".to_owned(), "unknown_field".to_owned())]);
    let detail = text(&Array::from(&at(&e, "errors")).get(0), "detail");
    assert!(detail.contains("countGroups") && detail.ends_with("only for createGroup"), "{detail}");
    let e = fails(c.addParticipants(s(ALPHA), js(r#"["15551230001@c.us"]"#), key()), "validation_failed").await;
    assert!(has(&field_errors(&e), "idempotencyKey", "unknown_field"), "{}", show(&e));
    let e = fails(c.setSubject(s(ALPHA), s("Again"), key()), "validation_failed").await;
    assert!(has(&field_errors(&e), "idempotencyKey", "unknown_field"), "{}", show(&e));
    let e = fails(c.scopes(key()), "validation_failed").await;
    assert!(has(&field_errors(&e), "idempotencyKey", "unknown_field"), "{}", show(&e));
    assert_eq!(received().await.length(), 0, "nothing was sent: {}", show(&received().await.into()));
    // createGroup keeps it (tests/browser.rs `idempotency_key_makes_create_safe_to_retry`).
}

#[wasm_bindgen_test]
async fn options_that_are_no_object_are_refused() {
    reset().await;
    let c = direct();
    for (query, what) in [(s("limit=5"), "a string"), (JsValue::from(5), "a number"), (js("[5]"), "an array")] {
        let e = fails(c.listGroups(query, none()), "validation_failed").await;
        assert!(has(&field_errors(&e), "query", "invalid_type"), "{what}: {}", show(&e));
    }
    let e = fails(c.getPicture(s(ALPHA), s("refresh"), none()), "validation_failed").await;
    assert!(has(&field_errors(&e), "query", "invalid_type"), "{}", show(&e));
    let e = fails(c.countGroups(s("fast")), "validation_failed").await;
    assert!(has(&field_errors(&e), "options", "invalid_type"), "{}", show(&e));
    // Unknown keys are named too: a typo is not a silent default.
    let e = fails(c.listGroups(js(r#"{"limt": 5}"#), none()), "validation_failed").await;
    assert!(has(&field_errors(&e), "limt", "unknown_field"), "{}", show(&e));
    let e = fails(c.getPicture(s(ALPHA), js(r#"{"refrech": true}"#), none()), "validation_failed").await;
    assert!(has(&field_errors(&e), "refrech", "unknown_field"), "{}", show(&e));
    let e = fails(c.countGroups(js(r#"{"timeout": 5}"#)), "validation_failed").await;
    assert!(has(&field_errors(&e), "timeout", "unknown_field"), "{}", show(&e));
    assert_eq!(received().await.length(), 0, "nothing was sent: {}", show(&received().await.into()));

    let options = |extra: &str| {
        js(&format!(r#"{{"baseUrl": "https://example.com", "apiKey": "k", "session": "default"{extra}}}"#))
    };
    for (extra, field, code) in [
        (r#", "limits": "x""#, "limits", "invalid_type"),
        (r#", "limits": [5]"#, "limits", "invalid_type"),
        (r#", "limits": {"subjectmax": 5}"#, "limits.subjectmax", "unknown_field"),
        (r#", "limits": {"groupSize": 5}"#, "limits.groupSize", "invalid_parameter"),
        (r#", "limits": {"participantsPerRequest": 5000}"#, "limits.participantsPerRequest", "invalid_parameter"),
        (r#", "timeOutMs": 5"#, "timeOutMs", "unknown_field"),
    ] {
        let e = GroupsClient::new(options(extra)).err().unwrap_or_else(|| panic!("{extra} was accepted"));
        assert!(has(&field_errors(&e), field, code), "{extra}: {}", show(&e));
    }
    // What `limits()` answers is accepted as it is.
    let own = GroupsClient::new(options("")).unwrap().limits();
    assert!(GroupsClient::new(with_limits(options(""), &own)).is_ok());

    let path = format!("/api/default/groups/{ALPHA}/subject");
    let e = validate_request(s("PUT"), s(&path), s(r#"{"subject": "A"}"#), s("x")).unwrap_err();
    assert!(has(&field_errors(&e), "limits", "invalid_type"), "{}", show(&e));
    assert!(validate_request(s("PUT"), s(&path), s(r#"{"subject": "A"}"#), own).is_ok());

    let one = js(r#"["15551230001@c.us"]"#);
    let e = fails(add_participants_paced(c.into(), s(ALPHA), one.clone(), s("x")), "validation_failed").await;
    assert!(has(&field_errors(&e), "options", "invalid_type"), "{}", show(&e));
    let e =
        fails(add_participants_paced(direct().into(), s(ALPHA), one, js(r#"{"onprogress": 1}"#)), "validation_failed")
            .await;
    assert!(has(&field_errors(&e), "onprogress", "unknown_field"), "{}", show(&e));
    assert_eq!(received().await.length(), 0, "nothing was sent: {}", show(&received().await.into()));
}

#[wasm_bindgen_test]
async fn options_nobody_could_mean_are_refused_not_changed() {
    reset().await;
    let c = direct();
    // A base URL's query or fragment would be dropped by every call's own path.
    for base in ["https://example.com/p/?q=1", "https://example.com/p#f"] {
        let options = js(&format!(r#"{{"baseUrl": "{base}", "apiKey": "k", "session": "default"}}"#));
        let e = GroupsClient::new(options).err().unwrap_or_else(|| panic!("{base} was accepted"));
        assert!(has(&field_errors(&e), "baseUrl", "invalid_url"), "{base}: {}", show(&e));
    }
    let e = fails(c.listGroups(js(r#"{"excludeParticipants": "yes"}"#), none()), "validation_failed").await;
    assert_eq!(field_errors(&e), vec![("excludeParticipants".to_owned(), "invalid_type".to_owned())]);
    // An object whose keys cannot be read (a proxy whose ownKeys trap throws): refused by name,
    // the promise settled, the module still usable.
    let handler = js_sys::Object::new();
    Reflect::set(&handler, &s("ownKeys"), &Function::new_no_args("throw new Error('boom')")).unwrap();
    let unreadable: JsValue = js_sys::Proxy::new(&js_sys::Object::new(), &handler).into();
    let e = fails(c.listGroups(unreadable.clone(), none()), "validation_failed").await;
    assert!(has(&field_errors(&e), "query", "invalid_type"), "{}", show(&e));
    let e = fails(c.countGroups(unreadable.clone()), "validation_failed").await;
    assert!(has(&field_errors(&e), "options", "invalid_type"), "{}", show(&e));
    let e = GroupsClient::new(unreadable).err().expect("unreadable client options");
    assert!(has(&field_errors(&e), "options", "invalid_type"), "{}", show(&e));
    assert_eq!(received().await.length(), 0, "nothing was sent: {}", show(&received().await.into()));
    let still = JsFuture::from(c.countGroups(none())).await.expect_err("the direct call fails on CORS");
    assert!(!text(&still, "code").is_empty(), "still answering with its errors: {}", show(&still));
}

fn with_limits(options: JsValue, limits: &JsValue) -> JsValue {
    Reflect::set(&options, &s("limits"), limits).unwrap();
    options
}

#[wasm_bindgen_test]
async fn headers_take_what_fetch_takes() {
    let record = js(r#"{"X-Trace": "t1"}"#);
    let pairs = js(r#"[["X-Trace", "t1"]]"#);
    let headers = web_sys::Headers::new().unwrap();
    headers.append("X-Trace", "t1").unwrap();
    let map = Map::new();
    map.set(&s("X-Trace"), &s("t1"));
    for (given, what) in [(headers.into(), "a Headers"), (map.into(), "a Map"), (pairs, "pairs"), (record, "a record")]
    {
        reset().await;
        let c = GroupsClient::new(with_headers(SIM, &given)).unwrap_or_else(|e| panic!("{what}: {}", show(&e)));
        // The simulator allows no cross-origin API call: its record of the preflight shows the
        // headers the browser was about to send.
        fails(c.countGroups(none()), "network_error").await;
        let sent = received().await;
        assert!(sent.length() >= 1, "{what}: nothing was sent");
        let announced = text(&sent.get(0), "headers.access-control-request-headers");
        assert!(announced.split(',').any(|h| h.trim() == "x-trace"), "{what}: {announced}");
        assert!(!announced.split(',').any(|h| h.trim() == "0"), "{what}: {announced}");
    }
    for (given, code) in [
        (s("X-Trace: t1"), "invalid_type"),
        (JsValue::from(5), "invalid_type"),
        (js(r#"[["X-Api-Key", "other"]]"#), "invalid_parameter"),
        (js(r#"[["X-Trace"]]"#), "invalid_parameter"),
        (js(r#"[["bad header", "x"]]"#), "invalid_parameter"),
    ] {
        let e =
            GroupsClient::new(with_headers(SIM, &given)).err().unwrap_or_else(|| panic!("{} accepted", show(&given)));
        assert!(has(&field_errors(&e), "headers", code), "{}: {}", show(&given), show(&e));
    }
}

/// Runs `call` with the global `fetch` answering `status` with `body` (and `content-type`), then
/// puts the browser's `fetch` back before anything is checked.
async fn with_fetch_answering(status: u16, body: &str, content_type: &str, call: impl FnOnce() -> Promise) -> JsValue {
    let global = js_sys::global();
    let real = Reflect::get(&global, &s("fetch")).unwrap();
    let stub = Function::new_with_args(
        "",
        &format!(
            "return Promise.resolve(new Response({}, {{status: {status}, headers: {{'content-type': {}}}}}))",
            show(&s(body)),
            show(&s(content_type))
        ),
    );
    Reflect::set(&global, &s("fetch"), &stub).unwrap();
    let settled = JsFuture::from(call()).await;
    Reflect::set(&global, &s("fetch"), &real).unwrap();
    settled.expect_err("an error answer")
}

#[wasm_bindgen_test]
async fn an_error_answer_without_a_problem_is_not_blamed_on_the_request() {
    // A proxy or CDN in front of the Worker answering on its own: no groupgate problem.
    for (status, body, content_type) in
        [(400, "Bad Request", "text/plain"), (422, "", "text/plain"), (400, r#"{"error": "bad"}"#, "application/json")]
    {
        let e = with_fetch_answering(status, body, content_type, || client().countGroups(none())).await;
        assert!(is_groupgate_error(&e));
        assert_eq!(text(&e, "code"), "upstream_unavailable", "HTTP {status} {body}: {}", show(&e));
        assert_eq!(at(&e, "status").as_f64(), Some(f64::from(status)));
        assert!(text(&e, "detail").contains("without a groupgate problem"), "{}", show(&e));
    }
    // A status that says it all keeps its code.
    let e = with_fetch_answering(401, "", "text/plain", || client().countGroups(none())).await;
    assert_eq!(text(&e, "code"), "unauthorized", "{}", show(&e));
    // A problem's code is kept as the Worker sent it, one this build does not know included.
    let problem = r#"{"code": "some_future_code", "detail": "new", "errors": []}"#;
    let e = with_fetch_answering(400, problem, "application/problem+json", || client().countGroups(none())).await;
    assert_eq!((text(&e, "code"), text(&e, "detail")), ("some_future_code".to_owned(), "new".to_owned()));
}

#[wasm_bindgen_test]
fn helper_refusals_are_validation_failed_with_the_field_code_in_errors() {
    // As npm/README.md documents them: `code` is `validation_failed`, the reason in `errors[0]`.
    let e = phone_to_user_id(s("0151 1234567")).unwrap_err();
    assert_eq!(text(&e, "code"), "validation_failed");
    assert_eq!(field_errors(&e), vec![("phone".to_owned(), "invalid_phone_number".to_owned())]);
    let e = parse_invite(s("https://chat.whatsapp.com.evil.example/AbCdEfGhIjKlMnOpQrStUv")).unwrap_err();
    assert_eq!(text(&e, "code"), "validation_failed");
    assert_eq!(field_errors(&e), vec![("code".to_owned(), "invalid_invite_link".to_owned())]);
    let e = parse_group_event(JsValue::from(5)).unwrap_err();
    assert_eq!(text(&e, "code"), "validation_failed");
    assert_eq!(field_errors(&e), vec![("body".to_owned(), "invalid_type".to_owned())]);
}
