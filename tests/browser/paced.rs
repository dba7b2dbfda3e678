//! `addParticipantsPaced` against the stack: scripts/with-stack.mjs limits adds to 6 per group in
//! 3 s, so a bulk add must shrink its requests to the quota, wait out `Retry-After` and carry on.

use super::*;
use groupgate::browser::add_participants_paced;
use js_sys::{Function, Object};

/// A new group of the session with one member, for a fresh per-group quota.
async fn fresh_group(c: &GroupsClient, subject: &str) -> String {
    let created = ok(c.createGroup(s(subject), js(r#"["15557000000@c.us"]"#), none())).await;
    sim("DELETE", "/__sim/requests", None).await;
    text(&created, "id")
}

/// The participants of every add the simulator received, one list per request.
async fn forwarded_adds() -> Vec<Vec<String>> {
    received()
        .await
        .iter()
        .filter(|r| text(r, "path").ends_with("/participants/add"))
        .map(|r| {
            let body = JSON::parse(&text(&r, "body")).expect("add body is JSON");
            Array::from(&at(&body, "participants")).iter().map(|p| text(&p, "id")).collect()
        })
        .collect()
}

/// Options whose `onProgress` pushes each report into the returned array; `extra` runs on each.
fn collecting(extra: impl Fn(&JsValue) + 'static) -> (JsValue, Array, Closure<dyn FnMut(JsValue)>) {
    let reports = Array::new();
    let sink = reports.clone();
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |report: JsValue| {
        sink.push(&report);
        extra(&report);
    });
    let options: JsValue = Object::new().into();
    Reflect::set(&options, &s("onProgress"), callback.as_ref()).unwrap();
    (options, reports, callback)
}

/// Options whose signal aborts the add as soon as a progress report announces a wait.
fn aborting_on_first_wait() -> (JsValue, Array, Closure<dyn FnMut(JsValue)>) {
    let controller = Reflect::construct(
        &Reflect::get(&js_sys::global(), &s("AbortController")).unwrap().dyn_into::<Function>().unwrap(),
        &Array::new(),
    )
    .unwrap();
    let abort: Function = Reflect::get(&controller, &s("abort")).unwrap().dyn_into().unwrap();
    let on_wait = controller.clone();
    let collected = collecting(move |report| {
        if at(report, "waitSeconds").as_f64().unwrap_or(0.0) > 0.0 {
            abort.call0(&on_wait).unwrap();
        }
    });
    Reflect::set(&collected.0, &s("signal"), &at(&controller, "signal")).unwrap();
    collected
}

fn outcomes(results: &JsValue) -> Vec<String> {
    Array::from(results).iter().map(|r| text(&r, "outcome")).collect()
}

fn numbers(range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|n| format!("1555700{n:04}@c.us")).collect()
}

#[wasm_bindgen_test]
async fn paced_add_keeps_to_the_quota_waits_out_retry_after_and_reports_everyone() {
    reset().await;
    let c = client();
    let group = fresh_group(&c, "Paced").await;
    let mut people = numbers(1..=14);
    people.extend(
        ["15557000403@c.us", "15557000000@c.us", "not-a-number", "15557000001@s.whatsapp.net"].map(String::from),
    );
    let (options, reports, _callback) = collecting(|_| {});
    let results = ok(add_participants_paced(
        c.into(),
        s(&group),
        js(&show(&people.iter().map(|p| s(p)).collect::<Array>())),
        options,
    ))
    .await;

    let mut want = vec!["added"; 14];
    want.extend(["privacy_forbids", "already_member", "invalid", "invalid"]);
    assert_eq!(outcomes(&results), want, "{}", show(&results));
    assert_eq!(text(&results, "0.id"), "15557000001@c.us");
    assert_eq!(text(&results, "0.status"), "200");
    assert!(at(&results, "14.invite.code").is_string(), "privacy comes with WhatsApp's invite: {}", show(&results));
    assert_eq!(text(&results, "16.error.code"), "invalid_id");
    assert_eq!(text(&results, "17.error.code"), "duplicate_participant");
    assert_eq!(text(&results, "17.input"), "15557000001@s.whatsapp.net");

    // 16 people to send against a group quota of 6 that the 422 names: 6, 6 and 4, never more
    // (halving blindly would have sent 8, then 4s).
    let adds = forwarded_adds().await;
    assert_eq!(adds.iter().map(Vec::len).collect::<Vec<_>>(), vec![6, 6, 4], "{adds:?}");
    let waits: Vec<JsValue> = reports.iter().filter(|r| at(r, "waitSeconds").as_f64().unwrap_or(0.0) > 0.0).collect();
    assert!(!waits.is_empty(), "the helper waited out the 429: {}", show(&reports));
    assert_eq!(at(&waits[0], "rateLimitPolicy.quota").as_f64(), Some(6.0), "{}", show(&waits[0]));
    assert_eq!(at(&waits[0], "rateLimit.remaining").as_f64(), Some(0.0));
    assert_eq!(at(&waits[0], "done").as_f64(), Some(8.0), "2 invalid + the first 6");
    let done: Vec<f64> = reports.iter().map(|r| at(&r, "done").as_f64().unwrap()).collect();
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "{done:?}");
    assert_eq!(done.last(), Some(&18.0));
    assert!(reports.iter().all(|r| at(&r, "total").as_f64() == Some(18.0)));
}

#[wasm_bindgen_test]
async fn whatsapps_throttle_is_waited_out_even_with_quota_units_left() {
    reset().await;
    let c = client();
    let group = fresh_group(&c, "Throttled").await;
    // WhatsApp answers the first add rate-overlimit; the Worker's quota still has units left.
    sim("POST", "/__sim/faults", Some(r#"{"whatsappError":"rate-overlimit","times":1,"match":"/participants/add"}"#))
        .await;
    let (options, reports, _callback) = aborting_on_first_wait();
    let people: Array = numbers(41..=44).iter().map(|p| s(p)).collect();
    let e = fails(add_participants_paced(c.into(), s(&group), people.into(), options), "aborted").await;
    assert_eq!(at(&e, "status").as_f64(), Some(0.0));
    let wait = reports.iter().find(|r| at(r, "waitSeconds").as_f64().unwrap_or(0.0) > 0.0).expect("a wait");
    assert_eq!(at(&wait, "waitSeconds").as_f64(), Some(60.0), "WhatsApp's throttle: {}", show(&wait));
    let adds = forwarded_adds().await;
    assert_eq!(adds.iter().map(Vec::len).collect::<Vec<_>>(), vec![4], "nothing sent during the throttle: {adds:?}");
}

#[wasm_bindgen_test]
async fn a_cost_over_the_quota_names_the_quota_that_refused_it() {
    reset().await;
    let c = client();
    let group = fresh_group(&c, "Too many").await;
    let people: Array = numbers(31..=37).iter().map(|p| s(p)).collect();
    let e = fails(c.addParticipants(s(&group), people.into(), none()), "cost_exceeds_quota").await;
    assert!(at(&e, "rateLimit").is_undefined(), "the limiter decided nothing: {}", show(&e));
    assert_eq!(text(&e, "rateLimitPolicy.policy"), "add-group", "the smallest quota: {}", show(&e));
    assert_eq!(at(&e, "rateLimitPolicy.quota").as_f64(), Some(6.0));
    assert_eq!(at(&e, "rateLimitPolicy.window").as_f64(), Some(3.0));
    assert_eq!(forwarded_adds().await.len(), 0);
}

#[wasm_bindgen_test]
async fn requests_never_carry_more_than_the_clients_cap() {
    reset().await;
    let c = client_at(WORKER, r#", "limits": {"participantsPerRequest": 2}"#);
    let group = fresh_group(&c, "Capped").await;
    let people: Array = numbers(11..=15).iter().map(|p| s(p)).collect();
    let results = ok(add_participants_paced(c.into(), s(&group), people.into(), none())).await;
    assert_eq!(outcomes(&results), vec!["added"; 5]);
    let adds = forwarded_adds().await;
    assert_eq!(adds.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 2, 1], "{adds:?}");
}

#[wasm_bindgen_test]
async fn a_paced_add_can_be_cancelled_while_it_waits() {
    reset().await;
    let c = client();
    let group = fresh_group(&c, "Cancelled").await;
    let (options, reports, _callback) = aborting_on_first_wait();
    let people: Array = numbers(21..=28).iter().map(|p| s(p)).collect();
    let e = fails(add_participants_paced(c.into(), s(&group), people.into(), options), "aborted").await;
    assert_eq!(at(&e, "status").as_f64(), Some(0.0));
    let adds = forwarded_adds().await;
    assert_eq!(adds.iter().map(Vec::len).collect::<Vec<_>>(), vec![6], "nothing after the abort: {adds:?}");
    let reported: usize = reports.iter().map(|r| Array::from(&at(&r, "results")).length() as usize).sum();
    assert_eq!(reported, 6, "the first six were reported: {}", show(&reports));
    assert_eq!(outcomes(&at(&e, "results")), vec!["added"; 6], "the error carries them too: {}", show(&e));
}

#[wasm_bindgen_test]
async fn invalid_arguments_are_refused_before_anything_is_sent() {
    reset().await;
    let one = || js(r#"["15551230001@c.us"]"#);
    let e = fails(add_participants_paced(js("{}"), s(ALPHA), one(), none()), "validation_failed").await;
    assert_eq!(field_errors(&e), vec![("client".to_owned(), "invalid_type".to_owned())]);
    let e =
        fails(add_participants_paced(client().into(), s(ALPHA), s("15551230001@c.us"), none()), "validation_failed")
            .await;
    assert!(has(&field_errors(&e), "people", "invalid_type"));
    let e = fails(add_participants_paced(client().into(), s(ALPHA), js("[]"), none()), "validation_failed").await;
    assert!(has(&field_errors(&e), "people", "empty_list"));
    let e = fails(
        add_participants_paced(client().into(), s(ALPHA), one(), js(r#"{"onProgress": 5}"#)),
        "validation_failed",
    )
    .await;
    assert!(has(&field_errors(&e), "onProgress", "invalid_type"));
    let e = fails(add_participants_paced(client().into(), s("nope"), one(), none()), "validation_failed").await;
    assert!(has(&field_errors(&e), "groupId", "invalid_group_id"), "{}", show(&e));
    assert_eq!(received().await.length(), 0, "nothing reached the simulator");
}

#[wasm_bindgen_test]
async fn a_bad_group_id_is_refused_before_anything_starts() {
    reset().await;
    // Nobody valid to send: the group id is still checked.
    let e =
        fails(add_participants_paced(client().into(), s("garbage"), js(r#"["nope"]"#), none()), "validation_failed")
            .await;
    assert_eq!(field_errors(&e), vec![("groupId".to_owned(), "invalid_group_id".to_owned())]);
    let e = fails(
        add_participants_paced(client().into(), JsValue::from(7), js(r#"["nope"]"#), none()),
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&e), vec![("groupId".to_owned(), "invalid_type".to_owned())]);
    // Valid and invalid people: a plain GroupgateError before any report, not a PacedAddError.
    let (options, reports, _callback) = collecting(|_| {});
    let people = js(r#"["15551230001@c.us", "nope"]"#);
    let e = fails(add_participants_paced(client().into(), s("garbage"), people, options), "validation_failed").await;
    assert_eq!(field_errors(&e), vec![("groupId".to_owned(), "invalid_group_id".to_owned())]);
    assert!(at(&e, "results").is_undefined(), "not a PacedAddError: {}", show(&e));
    assert_eq!(reports.length(), 0, "onProgress was not called: {}", show(&reports));
    assert_eq!(received().await.length(), 0, "nothing reached the simulator");
}
