//! Helpers shared by the integration tests.
#![allow(dead_code)]

use groupgate::error::Location;
use groupgate::limits::Limits;
use groupgate::wire::json;
use groupgate::{Error, ErrorCode, GroupRequest};

/// A real new-style group id.
pub const GROUP: &str = "120363298657503778@g.us";
/// A real old-style group id.
pub const OLD_GROUP: &str = "917004635353-1628957062@g.us";
/// A typical 22-character invite code.
pub const CODE: &str = "AbCdEfGhIjKlMnOpQrStUv";

/// `/api/default` + `under`.
pub fn api(under: &str) -> String {
    format!("/api/default{under}")
}

/// `/api/default/groups/<GROUP>` + `under`.
pub fn group_path(under: &str) -> String {
    format!("/api/default/groups/{GROUP}{under}")
}

/// Parses with the default limits.
pub fn parse(method: &str, path: &str, query: &str, body: &str) -> Result<GroupRequest, Error> {
    GroupRequest::parse(method, path, query, body.as_bytes(), &Limits::default())
}

/// Parses, expecting success.
pub fn ok(method: &str, path: &str, query: &str, body: &str) -> GroupRequest {
    match parse(method, path, query, body) {
        Ok(request) => request,
        Err(e) => panic!("{method} {path}?{query} {body} was refused: {e} {:?}", e.errors),
    }
}

/// Parses, expecting a validation failure; returns its `(code, location)` pairs.
pub fn field_errors(method: &str, path: &str, query: &str, body: &str) -> Vec<(ErrorCode, Location)> {
    let err = match parse(method, path, query, body) {
        Ok(request) => panic!("{method} {path}?{query} {body} was accepted: {request:?}"),
        Err(e) => e,
    };
    assert_eq!(err.code, ErrorCode::ValidationFailed, "{err}");
    assert_eq!(err.status, 422, "{err}");
    assert!(!err.errors.is_empty(), "a validation error lists its fields: {err}");
    for field in &err.errors {
        assert!(!field.detail.is_empty(), "every field error explains itself: {field:?}");
    }
    err.errors.into_iter().map(|f| (f.code, f.location)).collect()
}

/// Expects exactly one field error, with this code at this location.
pub fn assert_one(method: &str, path: &str, query: &str, body: &str, code: ErrorCode, at: Location) {
    assert_eq!(field_errors(method, path, query, body), vec![(code, at)], "{method} {path}?{query} {body}");
}

/// A body pointer.
pub fn ptr(p: &str) -> Location {
    Location::Body(p.to_owned())
}

/// A query or path parameter.
pub fn param(p: &str) -> Location {
    Location::Parameter(p.to_owned())
}

/// `{"participants":[{"id":…},…]}`.
pub fn participants_body(ids: &[&str]) -> String {
    let items: Vec<String> = ids.iter().map(|id| format!(r#"{{"id":"{id}"}}"#)).collect();
    format!(r#"{{"participants":[{}]}}"#, items.join(","))
}

/// `n` distinct valid user ids.
pub fn user_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("1555{:07}@c.us", i)).collect()
}

/// A serde_json value (what the tests build with `json!`) as the core's JSON value, through its text.
pub fn ours(value: &serde_json::Value) -> json::Value<'static> {
    json::parse(&value.to_string()).expect("serde_json writes JSON").into_owned()
}

/// The core's JSON value as serde_json reads its text.
pub fn theirs(value: &json::Value<'_>) -> serde_json::Value {
    serde_json::from_str(&value.render()).expect("a value writes JSON")
}
