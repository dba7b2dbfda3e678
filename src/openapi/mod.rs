//! The OpenAPI 3.1 document of the gateway's WAHA routes, generated from the operation table:
//! each row gives an operation (method, path, scope, rate classes, idempotency), each field type
//! describes its own schema, and the error enum gives every problem answer. The configurable
//! limits are written as placeholders (`{{SUBJECT_MAX_LENGTH}}`), so the [`template`] is the same
//! for every deployment and [`fill`] puts in the limits in force. The template is written at build
//! time (`cargo run --example openapi -- --template …`, into the Worker's static assets), and the
//! Worker fills it with its running limits at [`OPENAPI_PATH`]: the writer is no code of the
//! Worker. `make openapi` writes the document with the defaults. It is written as JSON text, with
//! [`Writer`] where something varies and as literal text where nothing does.

pub(crate) mod fields;
pub(crate) mod operations;
mod patterns;
mod problems;
#[cfg(test)]
mod tests;

use crate::headers::{API_KEY_HEADER, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX};
use crate::ids::WAHA_TOP_LEVEL_ROUTES;
use crate::limits::{Limits, SESSION_NAME_MAX};
use crate::ops::dialect::CREATED_GROUP_ID;
use crate::ops::{OperationKind, RateClass};
use crate::wire::quoted;
use crate::wire::record::Writer;
use fields::parameter;
use operations::Documented;

/// Where the Worker serves the document (no key needed).
pub const OPENAPI_PATH: &str = "/openapi.json";
/// The OpenAPI version the document follows.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// Where the template is among the Worker's static assets (it answers [`OPENAPI_PATH`] itself).
pub const TEMPLATE_ASSET: &str = "/openapi.json";

/// The placeholder of the limit `setting` in the template: `{{SETTING}}`.
fn placeholder(setting: &str) -> String {
    format!("{{{{{setting}}}}}")
}

/// The document from its `template`, each `{{SETTING}}` replaced by that limit's value in
/// `limits`; a placeholder of no known limit is an error naming it.
pub fn fill(template: &str, limits: &Limits) -> Result<String, String> {
    let mut document = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        document.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or("the OpenAPI template: a `{{` without its `}}`")?;
        let setting = &after[..end];
        let value = limits
            .by_setting(setting)
            .ok_or_else(|| format!("the OpenAPI template: {} is no limit's setting", quoted(setting)))?;
        document.push_str(&value.to_string());
        rest = &after[end + 2..];
    }
    document.push_str(rest);
    Ok(document)
}

/// The document's JSON text with a placeholder for each configurable limit (see [`fill`]).
pub fn template() -> String {
    let mut shared = Shared { parameters: Components::new("parameters"), responses: Components::new("responses") };
    let mut paths = Writer::open();
    let mut templates: Vec<&str> = Vec::new();
    for &kind in OperationKind::ALL {
        let template = kind.waha_template();
        if templates.contains(&template) {
            continue;
        }
        templates.push(template);
        let mut item = Writer::open();
        for &same in OperationKind::ALL.iter().filter(|other| other.waha_template() == template) {
            let method = same.waha_method().as_str().to_ascii_lowercase();
            item = item.raw(&method, &operation(same, &mut shared));
        }
        paths = paths.raw(&format!("/api/{{session}}{template}"), &item.finish());
    }
    let api_key = Writer::open().string("type", "apiKey").string("in", "header").string("name", API_KEY_HEADER);
    let security_schemes =
        Writer::open().raw("apiKey", &api_key.finish()).raw("bearer", r#"{"type":"http","scheme":"bearer"}"#);
    let components = Writer::open()
        .raw("schemas", &problems::schemas())
        .raw("securitySchemes", &security_schemes.finish())
        .raw("headers", HEADERS)
        .raw("parameters", &shared.parameters.finish())
        .raw("responses", &shared.responses.finish());
    Writer::open()
        .string("openapi", OPENAPI_VERSION)
        .raw("info", INFO)
        .raw("paths", &paths.finish())
        .raw("components", &components.finish())
        .raw("security", r#"[{"apiKey":[]},{"bearer":[]}]"#)
        .finish()
}

/// The operation object of `kind`.
fn operation(kind: OperationKind, shared: &mut Shared) -> String {
    let shape = kind.request();
    let mut parameters = vec![shared.parameters.refer("session", session_parameter())];
    parameters.extend(shape.parameters.iter().cloned());
    if kind.idempotent() {
        let schema = Writer::open()
            .string("type", "string")
            .plain("minLength", 1)
            .plain("maxLength", IDEMPOTENCY_KEY_MAX)
            .string("pattern", "^[!-~]+$");
        parameters.push(parameter(IDEMPOTENCY_KEY_HEADER, "header", false, &schema.finish()));
    }
    let classes: Vec<&str> = kind.rate_classes().iter().map(|c| c.as_str()).collect();
    let op = Writer::open()
        .string("operationId", kind.client_name())
        .string("summary", kind.summary())
        .raws("parameters", &parameters)
        .raw("responses", &responses(kind, &mut shared.responses))
        .string("x-groupgate-scope", kind.scope().as_str())
        .strings("x-groupgate-rate-classes", &classes);
    let Some(schema) = shape.body() else { return op.finish() };
    let content = content("application/json", &schema);
    let body = Writer::open().plain("required", !shape.required.is_empty()).raw("content", &content);
    op.raw("requestBody", &body.finish()).finish()
}

/// The `{session}` path parameter (`SessionName::parse`).
fn session_parameter() -> String {
    let reserved: Vec<String> = WAHA_TOP_LEVEL_ROUTES.iter().map(|r| patterns::any_case(r)).collect();
    let not = Writer::open().string("pattern", &format!("^(?:{})$", reserved.join("|")));
    let schema = Writer::open()
        .string("type", "string")
        .string("pattern", &format!("^[A-Za-z0-9_-]{{1,{SESSION_NAME_MAX}}}$"))
        .raw("not", &not.finish())
        .string("description", "The WAHA session (not the name of one of WAHA's own routes).");
    parameter("session", "path", true, &schema.finish())
}

/// Every answer of `kind`: the upstream's success, then each problem status.
fn responses(kind: OperationKind, shared: &mut Components) -> String {
    let limited = !kind.rate_classes().is_empty();
    let with = |names: &[&str]| -> String {
        let mut headers = Writer::open();
        for name in ["X-Request-Id", "RateLimit-Policy", "RateLimit", "Retry-After"] {
            let rate_header = name.starts_with("RateLimit");
            if names.contains(&name) && (limited || !rate_header) {
                headers = headers.raw(name, &reference("headers", name));
            }
        }
        headers.finish()
    };
    let mut success = Writer::open()
        .string("description", "The upstream's answer, in WAHA's shape.")
        .raw("headers", &with(&["X-Request-Id", "RateLimit-Policy", "RateLimit"]))
        .raw("content", &answer_content(kind));
    if kind.rate_classes().contains(&RateClass::Create) {
        success = success.raw("links", &links_from_created_group());
    }
    let mut out = Writer::open().raw("2XX", &success.finish());
    for (status, codes) in problems::statuses(kind) {
        let names: &[&str] = match status {
            429 => &["X-Request-Id", "RateLimit-Policy", "RateLimit", "Retry-After"],
            503 => &["X-Request-Id", "RateLimit-Policy", "Retry-After"],
            _ => &["X-Request-Id", "RateLimit-Policy"],
        };
        let response = problems::response(Some(status), &codes, &with(names));
        out = out.raw(&status.to_string(), &shared.refer(&format!("problem{status}"), response));
    }
    let upstream = [crate::error::ErrorCode::UpstreamError];
    let response = problems::response(None, &upstream, &with(&["X-Request-Id", "RateLimit-Policy"]));
    out.raw("4XX", &shared.refer("upstreamRefusal", response)).finish()
}

/// From an operation that creates a group (it spends from the `create` class and answers the group),
/// a link to every operation on one group, with the new group's id.
fn links_from_created_group() -> String {
    let mut links = Writer::open();
    for &kind in OperationKind::ALL.iter().filter(|kind| kind.waha_template().contains("{id}")) {
        let parameters = Writer::open()
            .string("session", "$request.path.session")
            .string("id", &format!("$response.body#/{CREATED_GROUP_ID}"));
        let link = Writer::open().string("operationId", kind.client_name()).raw("parameters", &parameters.finish());
        links = links.raw(kind.client_name(), &link.finish());
    }
    links.finish()
}

/// The document's `info` object.
const INFO: &str = concat!(
    r#"{"title":"groupgate","version":""#,
    env!("CARGO_PKG_VERSION"),
    r#"","description":"WAHA's group routes behind groupgate: every call authenticated with a client key, "#,
    r#"validated, rate-limited where WhatsApp bans, then forwarded. Generated from the operation table."}"#,
);

/// The response headers the document names.
const HEADERS: &str = concat!(
    r#"{"X-Request-Id":{"description":"The request's id, to quote in support requests.","#,
    r#""schema":{"type":"string"}},"#,
    r#""RateLimit-Policy":{"description":"The quotas of the rate-limit classes the operation spends from "#,
    r#"(when any is configured).","schema":{"type":"string"}},"#,
    r#""RateLimit":{"description":"What is left of the quota that decided.","schema":{"type":"string"}},"#,
    r#""Retry-After":{"description":"Seconds to wait before retrying.","schema":{"type":"integer","minimum":0}}}"#,
);

/// An object of `members`, each a name and a JSON text.
fn object(members: &[(impl AsRef<str>, String)]) -> String {
    members.iter().fold(Writer::open(), |object, (name, text)| object.raw(name.as_ref(), text)).finish()
}

/// A `content` object: one media type, with `schema` (JSON text).
/// The media types of an operation's successful answer: JSON, and the text WAHA sends for an
/// answer that is no object (`text/html`: an invite code, a boolean).
fn answer_content(kind: OperationKind) -> String {
    let json = Writer::open().raw("schema", kind.answer()).finish();
    let mut content = Writer::open().raw("application/json", &json);
    if let Some(schema) = kind.bare_text_answer() {
        content = content.raw("text/html", &Writer::open().raw("schema", schema).finish());
    }
    content.finish()
}

fn content(media_type: &str, schema: &str) -> String {
    let media = Writer::open().raw("schema", schema).finish();
    Writer::open().raw(media_type, &media).finish()
}

/// A reference to the object stored as `name` in the `section` of `components`.
fn reference(section: &str, name: &str) -> String {
    Writer::open().string("$ref", &format!("#/components/{section}/{name}")).finish()
}

/// The sections of `components` that operations share by reference.
struct Shared {
    parameters: Components,
    responses: Components,
}

/// One section of `components`: an object met again is stored once and referred to; a different
/// object under a name already taken gets the next free one (`problem422`, `problem422_2`, …).
/// Objects are compared by their text, which one writer writes the same for the same object.
struct Components {
    section: &'static str,
    objects: Vec<(String, String)>,
}

impl Components {
    fn new(section: &'static str) -> Self {
        Components { section, objects: Vec::new() }
    }

    /// A `$ref` to `object` (JSON text), stored under `base` or the first free name after it.
    fn refer(&mut self, base: &str, object: String) -> String {
        let mut name = base.to_owned();
        for n in 2.. {
            match self.objects.iter().find(|(stored, _)| *stored == name) {
                Some((_, stored)) if *stored != object => name = format!("{base}_{n}"),
                Some(_) => break,
                None => {
                    self.objects.push((name.clone(), object));
                    break;
                }
            }
        }
        reference(self.section, &name)
    }

    /// The section's object: every stored object by name.
    fn finish(self) -> String {
        object(&self.objects)
    }
}
