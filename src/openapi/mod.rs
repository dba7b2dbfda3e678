//! The OpenAPI 3.1 document of the gateway's WAHA routes, generated from the operation table:
//! each row gives an operation (method, path, scope, rate classes, idempotency), each field type
//! describes its own schema with the limits in force, and the error enum gives every problem
//! answer. The Worker serves it at [`OPENAPI_PATH`] with its running limits; `make openapi` writes
//! it with the defaults.

mod fields;
mod operations;
mod patterns;
mod problems;
#[cfg(test)]
mod tests;

use crate::headers::{API_KEY_HEADER, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX};
use crate::ids::WAHA_TOP_LEVEL_ROUTES;
use crate::limits::{Limits, SESSION_NAME_MAX};
use crate::ops::dialect::CREATED_GROUP_ID;
use crate::ops::{OperationKind, RateClass};
use fields::parameter;
use serde_json::{json, Map, Value};

/// Where the Worker serves the document (no key needed).
pub const OPENAPI_PATH: &str = "/openapi.json";
/// The OpenAPI version the document follows.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The document, with `limits` in force.
pub fn document(limits: &Limits) -> Value {
    let mut paths = Map::new();
    let mut shared = Shared { parameters: Components::new("parameters"), responses: Components::new("responses") };
    for &kind in OperationKind::ALL {
        let path = format!("/api/{{session}}{}", kind.waha_template());
        let item = paths.entry(path).or_insert_with(|| json!({}));
        item[kind.waha_method().as_str().to_ascii_lowercase()] = operation(kind, limits, &mut shared);
    }
    json!({
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "groupgate",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "WAHA's group routes behind groupgate: every call authenticated with a client key, \
                            validated, rate-limited where WhatsApp bans, then forwarded. Generated from the \
                            operation table.",
        },
        "paths": paths,
        "components": {
            "schemas": problems::schemas(),
            "securitySchemes": {
                "apiKey": { "type": "apiKey", "in": "header", "name": API_KEY_HEADER },
                "bearer": { "type": "http", "scheme": "bearer" },
            },
            "headers": headers(),
            "parameters": shared.parameters.objects,
            "responses": shared.responses.objects,
        },
        "security": [{ "apiKey": [] }, { "bearer": [] }],
    })
}

/// The operation object of `kind`.
fn operation(kind: OperationKind, limits: &Limits, shared: &mut Shared) -> Value {
    let shape = operations::request(kind, limits);
    let mut parameters = vec![shared.parameters.refer("session", session_parameter())];
    parameters.extend(shape.parameters.iter().cloned());
    if kind.idempotent() {
        let schema =
            json!({ "type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX, "pattern": "^[!-~]+$" });
        parameters.push(parameter(IDEMPOTENCY_KEY_HEADER, "header", false, schema));
    }
    let classes: Vec<&str> = kind.rate_classes().iter().map(|c| c.as_str()).collect();
    let mut op = json!({
        "operationId": kind.client_name(),
        "summary": operations::summary(kind),
        "parameters": parameters,
        "responses": responses(kind, &mut shared.responses),
        "x-groupgate-scope": kind.scope().as_str(),
        "x-groupgate-rate-classes": classes,
    });
    if let Some(schema) = shape.body() {
        op["requestBody"] = json!({
            "required": !shape.required.is_empty(),
            "content": { "application/json": { "schema": schema } },
        });
    }
    op
}

/// The `{session}` path parameter (`SessionName::parse`).
fn session_parameter() -> Value {
    let reserved: Vec<String> = WAHA_TOP_LEVEL_ROUTES.iter().map(|r| patterns::any_case(r)).collect();
    let schema = json!({
        "type": "string",
        "pattern": format!("^[A-Za-z0-9_-]{{1,{SESSION_NAME_MAX}}}$"),
        "not": { "pattern": format!("^(?:{})$", reserved.join("|")) },
        "description": "The WAHA session (not the name of one of WAHA's own routes).",
    });
    parameter("session", "path", true, schema)
}

/// Every answer of `kind`: the upstream's success, then each problem status.
fn responses(kind: OperationKind, shared: &mut Components) -> Value {
    let limited = !kind.rate_classes().is_empty();
    let with = |names: &[&str]| -> Map<String, Value> {
        let mut headers = Map::new();
        for name in ["X-Request-Id", "RateLimit-Policy", "RateLimit", "Retry-After"] {
            let rate_header = name.starts_with("RateLimit");
            if names.contains(&name) && (limited || !rate_header) {
                headers.insert(name.to_owned(), json!({ "$ref": format!("#/components/headers/{name}") }));
            }
        }
        headers
    };
    let mut out = Map::new();
    let mut success = json!({
        "description": "The upstream's answer, in WAHA's shape.",
        "headers": with(&["X-Request-Id", "RateLimit-Policy", "RateLimit"]),
        "content": { "application/json": { "schema": operations::answer(kind) } },
    });
    if kind.rate_classes().contains(&RateClass::Create) {
        success["links"] = links_from_created_group();
    }
    out.insert("2XX".into(), success);
    for (status, codes) in problems::statuses(kind) {
        let names: &[&str] = match status {
            429 => &["X-Request-Id", "RateLimit-Policy", "RateLimit", "Retry-After"],
            503 => &["X-Request-Id", "RateLimit-Policy", "Retry-After"],
            _ => &["X-Request-Id", "RateLimit-Policy"],
        };
        let response = problems::response(Some(status), &codes, with(names));
        out.insert(status.to_string(), shared.refer(&format!("problem{status}"), response));
    }
    let upstream = [crate::error::ErrorCode::UpstreamError];
    let response = problems::response(None, &upstream, with(&["X-Request-Id", "RateLimit-Policy"]));
    out.insert("4XX".into(), shared.refer("upstreamRefusal", response));
    Value::Object(out)
}

/// From an operation that creates a group (it spends from the `create` class and answers the group),
/// a link to every operation on one group, with the new group's id.
fn links_from_created_group() -> Value {
    let mut links = Map::new();
    for &kind in OperationKind::ALL.iter().filter(|kind| kind.waha_template().contains("{id}")) {
        let link = json!({
            "operationId": kind.client_name(),
            "parameters": {
                "session": "$request.path.session",
                "id": format!("$response.body#/{CREATED_GROUP_ID}"),
            },
        });
        links.insert(kind.client_name().to_owned(), link);
    }
    Value::Object(links)
}

/// The response headers the document names.
fn headers() -> Value {
    let text = json!({ "type": "string" });
    json!({
        "X-Request-Id": { "description": "The request's id, to quote in support requests.", "schema": text },
        "RateLimit-Policy": {
            "description": "The quotas of the rate-limit classes the operation spends from (when any is configured).",
            "schema": text,
        },
        "RateLimit": { "description": "What is left of the quota that decided.", "schema": text },
        "Retry-After": { "description": "Seconds to wait before retrying.", "schema": { "type": "integer", "minimum": 0 } },
    })
}

/// The sections of `components` that operations share by reference.
struct Shared {
    parameters: Components,
    responses: Components,
}

/// One section of `components`: an object met again is stored once and referred to; a different
/// object under a name already taken gets the next free one (`problem422`, `problem422_2`, …).
struct Components {
    section: &'static str,
    objects: Map<String, Value>,
}

impl Components {
    fn new(section: &'static str) -> Self {
        Components { section, objects: Map::new() }
    }

    /// A `$ref` to `value`, stored under `base` or the first free name after it.
    fn refer(&mut self, base: &str, value: Value) -> Value {
        let mut name = base.to_owned();
        for n in 2.. {
            match self.objects.get(&name) {
                Some(stored) if *stored != value => name = format!("{base}_{n}"),
                Some(_) => break,
                None => {
                    self.objects.insert(name.clone(), value);
                    break;
                }
            }
        }
        json!({ "$ref": format!("#/components/{}/{name}", self.section) })
    }
}
