//! The request parser and validator, as the gateway runs them: the client-key and
//! `Idempotency-Key` headers, the body's media type, the Wadial-style namespace then WAHA's
//! (`locate`), then `read`. An accepted request must render for both upstream dialects (or be
//! refused by one as `not_implemented`, naming what it lacks), and its WAHA rendering must read
//! back as the same operation.
#![no_main]

use groupgate::headers::{presented_key, valid_idempotency_key, API_KEY_HEADER, IDEMPOTENCY_KEY_HEADER};
use groupgate::limits::Limits;
use groupgate::ops::{Dialect, Endpoint, Located, Part, Plan, Reply, Upstream, Wadial, Waha};
use groupgate::wire::json::Value;
use groupgate::wire::{check_body_media_type, Query};
use groupgate::{ErrorCode, GroupRequest};
use groupgate_fuzz::{check_error, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let message = Message::split(data);
    check_headers(&message);
    if let Err(error) = check_body_media_type(message.header("Content-Type").unwrap_or_default(), message.body) {
        check_error(&error);
    }
    let limits = Limits::default();
    let (path, query) = message.target.split_once('?').unwrap_or((&message.target, ""));
    if Query::parse(query).is_ok() {
        assert!(escapes_are_hex(query), "{query:?} read although an escape is not %XX");
    }
    if let Some(located) = Wadial.locate(&message.method, path) {
        read(&Wadial, &located, query, message.body, &limits);
    } else if let Some(located) = Waha.locate(&message.method, path) {
        read(&Waha, &located, query, message.body, &limits);
    }
});

/// Whether every `%` of `raw` starts an escape of two hex digits.
fn escapes_are_hex(raw: &str) -> bool {
    raw.split('%').skip(1).all(|after| after.len() >= 2 && after.bytes().take(2).all(|b| b.is_ascii_hexdigit()))
}

/// The client key is the `X-Api-Key`, else the bearer token, never empty; a valid idempotency key
/// is 1–255 visible ASCII characters.
fn check_headers(message: &Message) {
    let api_key = message.header(API_KEY_HEADER).map(str::to_owned);
    let authorization = message.header("Authorization");
    match presented_key(api_key.clone(), authorization) {
        Some(key) => {
            assert!(!key.is_empty());
            match api_key {
                Some(api_key) => assert_eq!(key, api_key, "X-Api-Key wins"),
                None => assert!(authorization.is_some_and(|a| a.contains(&key))),
            }
        }
        None => assert!(api_key.is_none_or(|k| k.is_empty())),
    }
    if let Some(key) = message.header(IDEMPOTENCY_KEY_HEADER) {
        if valid_idempotency_key(key) {
            assert!((1..=255).contains(&key.len()) && !key.contains(char::is_whitespace));
        }
    }
}

fn read<D: Dialect>(dialect: &D, located: &Located<'_, D::Endpoint>, query: &str, body: &[u8], limits: &Limits) {
    let found = match &located.found {
        Ok(found) => found,
        Err(unrouted) => {
            check_error(&unrouted.error);
            let wrong_method = unrouted.error.code == ErrorCode::MethodNotAllowed;
            assert_eq!(wrong_method, !unrouted.allow.is_empty(), "{unrouted:?}");
            return;
        }
    };
    match dialect.read(located.session, found, query, body, limits) {
        Err(error) => check_error(&error),
        Ok(plan) => check_plan(found.endpoint.kinds(), &plan, limits),
    }
}

/// What an accepted request must satisfy before anything is sent.
fn check_plan(kinds: &[groupgate::OperationKind], plan: &Plan, limits: &Limits) {
    assert!(!plan.parts.is_empty(), "a plan of nothing: {plan:?}");
    // The gateway checks scopes and sets the rate-limit policy by the endpoint's kinds.
    assert!(plan.kinds().all(|kind| kinds.contains(&kind)), "{plan:?} is not one of {kinds:?}");
    let _ = plan.fingerprint();
    for part in &plan.parts {
        let operation = match part {
            Part::Ready(operation) => operation.clone(),
            Part::DescribeCreated(_) => {
                let created = Reply::json(200, &Value::object([("id", Value::from("120363041234567890@g.us"))]));
                part.resolve(&[Ok(created)]).expect("a created group's description resolves")
            }
        };
        let request = GroupRequest { session: plan.session.clone(), operation };
        round_trip_waha(&request, limits);
        render_wadial(&request, limits);
    }
}

/// The WAHA rendering reads back as the same request.
fn round_trip_waha(request: &GroupRequest, limits: &Limits) {
    let rendered = Waha.render(request).expect("WAHA renders every operation");
    let body = rendered.body.as_deref().unwrap_or_default();
    let again = GroupRequest::parse(rendered.method.as_str(), &rendered.path, &rendered.query, body.as_bytes(), limits);
    assert_eq!(again.as_ref(), Ok(request), "{rendered:?}");
}

/// The Wadial-style rendering is a call of that dialect's table that reads back (as the same
/// operation when the dialect has a call of its own for it), or `not_implemented` naming the
/// operation or the field it cannot carry.
fn render_wadial(request: &GroupRequest, limits: &Limits) {
    match Wadial.render(request) {
        Ok(rendered) => {
            let located = Wadial.locate(rendered.method.as_str(), &rendered.path).expect("in the Wadial namespace");
            let found = located.found.unwrap_or_else(|e| panic!("{rendered:?} is not a Wadial route: {e:?}"));
            let body = rendered.body.as_deref().unwrap_or_default().as_bytes();
            let plan = Wadial.read(located.session, &found, &rendered.query, body, limits);
            let plan = plan.unwrap_or_else(|e| panic!("{rendered:?} does not read back: {e:?}"));
            assert_eq!(plan.session, request.session);
            if let [Part::Ready(operation)] = plan.parts.as_slice() {
                if operation.kind() == request.operation.kind() {
                    assert_eq!(operation, &request.operation, "{rendered:?}");
                }
            }
        }
        Err(error) => {
            check_error(&error);
            assert_eq!(error.code, ErrorCode::NotImplemented, "{error:?}");
            assert!(Wadial.lacks(request.operation.kind()) || !error.errors.is_empty(), "{error:?}");
        }
    }
}
