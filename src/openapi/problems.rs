//! The problem answers (`application/problem+json`) an operation can give, derived from the error
//! enum: every status some code answers with, each with the codes that answer it.

use super::{content, reference};
use crate::error::ErrorCode;
use crate::ops::OperationKind;
use crate::wire::record::Writer;

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
        // Kept in order as it grows (a sort would link a sort function for this one list).
        match by_status.binary_search_by_key(&code.status(), |(status, _)| *status) {
            Ok(at) => by_status[at].1.push(code),
            Err(at) => by_status.insert(at, (code.status(), vec![code])),
        }
    }
    for (status, codes) in &mut by_status {
        if (400..500).contains(status) && !codes.contains(&ErrorCode::UpstreamError) {
            codes.push(ErrorCode::UpstreamError);
        }
    }
    by_status
}

/// The response object of a problem with `status` (`None`: any other 4xx) and one of `codes`, with
/// `headers` (JSON text).
pub fn response(status: Option<u16>, codes: &[ErrorCode], headers: &str) -> String {
    let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let (status_schema, description) = match status {
        Some(status) => (Writer::open().plain("const", status), format!("A problem: {}.", names.join(", "))),
        None => (
            Writer::open().plain("minimum", 400).plain("maximum", 499),
            "The upstream's own refusal, passed on with its status.".to_owned(),
        ),
    };
    let code = Writer::open().strings("enum", &names);
    let properties = Writer::open().raw("status", &status_schema.finish()).raw("code", &code.finish());
    let own = Writer::open().raw("properties", &properties.finish()).finish();
    let schema = Writer::open().raws("allOf", &[reference("schemas", "Problem"), own]).finish();
    Writer::open()
        .string("description", &description)
        .raw("headers", headers)
        .raw("content", &content("application/problem+json", &schema))
        .finish()
}

/// The `Problem` and `FieldError` schemas (RFC 9457, as `Error::problem` serializes).
pub fn schemas() -> String {
    let code = Writer::open().string("type", "string").strings("enum", &gateway_codes()).finish();
    [
        r#"{"Problem":{"type":"object","properties":{"#,
        r#""type":{"type":"string","pattern":"^urn:groupgate:problem:[a-z0-9_]+$"},"#,
        r#""title":{"type":"string"},"status":{"type":"integer"},"detail":{"type":"string"},"code":"#,
        &code,
        r##","errors":{"type":"array","minItems":1,"items":{"$ref":"#/components/schemas/FieldError"}},"##,
        r#""retryAfter":{"type":"integer","minimum":0},"upstreamStatus":{"type":"integer"},"#,
        r#""requestId":{"type":"string"}},"#,
        r#""required":["type","title","status","detail","code"],"additionalProperties":false},"#,
        r#""FieldError":{"type":"object","properties":{"#,
        r#""pointer":{"type":"string"},"parameter":{"type":"string"},"code":"#,
        &code,
        r#","detail":{"type":"string"}},"oneOf":[{"required":["pointer"]},{"required":["parameter"]}],"#,
        r#""required":["code","detail"],"additionalProperties":false}}"#,
    ]
    .concat()
}
