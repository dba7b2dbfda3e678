//! The problem answers (`application/problem+json`) an operation can give, derived from the error
//! enum: every status some code answers with, each with the codes that answer it.

use crate::error::ErrorCode;
use crate::ops::OperationKind;
use serde_json::{json, Map, Value};

/// Which operations an error code can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Occurs {
    /// Any operation.
    Every,
    /// Operations that spend from a rate-limit class.
    Limited,
    /// Operations an `Idempotency-Key` replays.
    Idempotent,
    /// Operations that need the store: limited or idempotent ones.
    Stored,
    /// None: a code of the webhook receiver or of the browser module.
    Never,
}

fn occurs(code: ErrorCode) -> Occurs {
    use ErrorCode::*;
    match code {
        RateLimited | CostExceedsQuota => Occurs::Limited,
        IdempotencyKeyReused | IdempotencyInProgress => Occurs::Idempotent,
        StoreUnavailable => Occurs::Stored,
        InvalidSignature | UnsupportedAlgorithm | UnknownEvent | NetworkError | Timeout | Aborted => Occurs::Never,
        _ => Occurs::Every,
    }
}

/// Whether `code` can answer a request of `kind`.
pub fn answers(code: ErrorCode, kind: OperationKind) -> bool {
    let limited = !kind.rate_classes().is_empty();
    match occurs(code) {
        Occurs::Every => true,
        Occurs::Limited => limited,
        Occurs::Idempotent => kind.idempotent(),
        Occurs::Stored => limited || kind.idempotent(),
        Occurs::Never => false,
    }
}

/// Every code a gateway answer can carry, in declaration order.
pub fn gateway_codes() -> Vec<&'static str> {
    ErrorCode::ALL.iter().filter(|c| occurs(**c) != Occurs::Never).map(|c| c.as_str()).collect()
}

/// The statuses of `kind`'s problem answers, each with its codes, in ascending order. An
/// upstream's own 4xx refusal is passed on with its status as `upstream_error`, so every 4xx
/// status lists that code too.
pub fn statuses(kind: OperationKind) -> Vec<(u16, Vec<ErrorCode>)> {
    let mut by_status: Vec<(u16, Vec<ErrorCode>)> = Vec::new();
    for &code in ErrorCode::ALL.iter().filter(|&&c| answers(c, kind)) {
        match by_status.iter_mut().find(|(status, _)| *status == code.status()) {
            Some((_, codes)) => codes.push(code),
            None => by_status.push((code.status(), vec![code])),
        }
    }
    for (status, codes) in &mut by_status {
        if (400..500).contains(status) && !codes.contains(&ErrorCode::UpstreamError) {
            codes.push(ErrorCode::UpstreamError);
        }
    }
    by_status.sort_by_key(|(status, _)| *status);
    by_status
}

/// The response object of a problem with `status` (`None`: any other 4xx) and one of `codes`.
pub fn response(status: Option<u16>, codes: &[ErrorCode], headers: Map<String, Value>) -> Value {
    let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let status_schema = match status {
        Some(status) => json!({ "const": status }),
        None => json!({ "minimum": 400, "maximum": 499 }),
    };
    let description = match status {
        Some(_) => format!("A problem: {}.", names.join(", ")),
        None => "The upstream's own refusal, passed on with its status.".to_owned(),
    };
    json!({
        "description": description,
        "headers": headers,
        "content": {
            "application/problem+json": {
                "schema": {
                    "allOf": [
                        { "$ref": "#/components/schemas/Problem" },
                        { "properties": { "status": status_schema, "code": { "enum": names } } },
                    ],
                },
            },
        },
    })
}

/// The `Problem` and `FieldError` schemas (RFC 9457, as `Error::problem` serializes).
pub fn schemas() -> Value {
    let codes = gateway_codes();
    json!({
        "Problem": {
            "type": "object",
            "properties": {
                "type": { "type": "string", "pattern": "^urn:groupgate:problem:[a-z0-9_]+$" },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" },
                "code": { "type": "string", "enum": codes },
                "errors": { "type": "array", "minItems": 1, "items": { "$ref": "#/components/schemas/FieldError" } },
                "retryAfter": { "type": "integer", "minimum": 0 },
                "upstreamStatus": { "type": "integer" },
                "requestId": { "type": "string" },
            },
            "required": ["type", "title", "status", "detail", "code"],
            "additionalProperties": false,
        },
        "FieldError": {
            "type": "object",
            "properties": {
                "pointer": { "type": "string" },
                "parameter": { "type": "string" },
                "code": { "type": "string", "enum": codes },
                "detail": { "type": "string" },
            },
            "oneOf": [{ "required": ["pointer"] }, { "required": ["parameter"] }],
            "required": ["code", "detail"],
            "additionalProperties": false,
        },
    })
}
