//! The WAHA dialect: `/api/{session}/groups…`, spelled as the operation table's WAHA columns
//! say (method, path template, query names, body keys). It is the canonical dialect: the browser
//! module speaks it, and its answers are the shape the other dialects translate to and from.

use super::body::parse_json;
use super::dialect::{Dialect, Found, Located, Unrouted};
use super::field::Output;
use super::{GroupRequest, Method, OperationKind, RenderedRequest};
use crate::error::{Error, ErrorCode, FieldError, FieldErrors};
use crate::ids::{GroupId, SessionName};
use crate::limits::Limits;
use crate::wire::{percent_decode, percent_encode, Json, Query};

/// The WAHA dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Waha;

impl Dialect for Waha {
    type Endpoint = OperationKind;

    fn name(&self) -> &'static str {
        "waha"
    }

    fn locate<'p>(&self, method: &str, path: &'p str) -> Option<Located<'p, OperationKind>> {
        let (session, under) = split_api_path(path)?;
        Some(Located { session, found: find(method, path, under) })
    }

    fn read(
        &self,
        session: &str,
        found: &Found<'_, OperationKind>,
        query: &str,
        body: &[u8],
        limits: &Limits,
    ) -> Result<GroupRequest, Error> {
        let mut errors = FieldErrors::new();
        let session = errors.take(decode_segment(session, "session").and_then(|s| SessionName::parse(&s)));
        let group =
            found.group.and_then(|id| errors.take(decode_segment(id, "id").and_then(|s| GroupId::parse_parameter(&s))));
        let query = Query::parse(query)?;
        let body = parse_json(body)?;
        let operation = found.endpoint.read_wire(group, &query, body.as_ref(), limits, &mut errors);
        errors.finish(|| Some(GroupRequest { session: session?, operation: operation? }))
    }

    fn render(&self, request: &GroupRequest) -> Result<RenderedRequest, Error> {
        Ok(request.render())
    }
}

impl GroupRequest {
    /// Parses a WAHA request: `path` is the full path (`/api/{session}/groups…`), `query` the raw
    /// query string, `body` the raw body. Every invalid field is reported at once.
    pub fn parse(method: &str, path: &str, query: &str, body: &[u8], limits: &Limits) -> Result<Self, Error> {
        let located = Waha.locate(method, path).ok_or_else(|| not_found(method, path))?;
        let found = located.found.map_err(|unrouted| unrouted.error)?;
        Waha.read(located.session, &found, query, body, limits)
    }

    /// Renders the canonical (WAHA) request.
    pub fn render(&self) -> RenderedRequest {
        let kind = self.operation.kind();
        let mut path = String::from("/api/");
        path.push_str(self.session.as_str());
        render_template(kind.waha_template(), self.operation.group().map(GroupId::as_str), &mut path);
        let mut out = Output::default();
        self.operation.write(&mut out);
        RenderedRequest {
            method: kind.waha_method(),
            path,
            query: out.query.render(),
            body: (!out.body.is_empty()).then(|| Json::Object(out.body).render()),
        }
    }
}

/// Splits `/api/{session}/groups…` into its raw session and the path under it. One trailing
/// slash is ignored, as WAHA (Express) ignores it.
pub fn split_api_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/api/")?;
    let slash = rest.find('/')?;
    let under = &rest[slash..];
    Some((&rest[..slash], under.strip_suffix('/').filter(|u| !u.is_empty()).unwrap_or(under)))
}

fn not_found(method: &str, path: &str) -> Error {
    Error::new(ErrorCode::NotFound, format!("no route {method} {path}"))
}

/// Finds the operation of `method` on `under` (the path under the session).
fn find<'p>(method: &str, path: &str, under: &'p str) -> Result<Found<'p, OperationKind>, Unrouted> {
    let parsed = Method::parse(method);
    let found = OperationKind::ALL
        .iter()
        .filter(|kind| Some(kind.waha_method()) == parsed)
        .find_map(|&kind| Some(Found { endpoint: kind, group: match_template(kind.waha_template(), under)? }));
    if let Some(found) = found {
        return Ok(found);
    }
    // A method no route uses (`PATCH`, `get`) is a 404 or a 405 by the path, like any other.
    let allow = allowed_methods(under);
    if allow.is_empty() {
        return Err(Unrouted { error: not_found(method, path), allow });
    }
    let names: Vec<&str> = allow.iter().map(|m| m.as_str()).collect();
    let detail = format!("{method} is not allowed on {under}; allowed: {}", names.join(", "));
    Err(Unrouted { error: Error::new(ErrorCode::MethodNotAllowed, detail), allow })
}

/// The methods the table allows on a path under `/api/{session}` (empty when no operation has
/// it), in the table's order.
fn allowed_methods(under: &str) -> Vec<Method> {
    let mut allowed = Vec::new();
    for &kind in OperationKind::ALL {
        if match_template(kind.waha_template(), under).is_some() && !allowed.contains(&kind.waha_method()) {
            allowed.push(kind.waha_method());
        }
    }
    allowed
}

/// `Some(id segment)` when `path` fits `template`; `{id}` never matches a segment that a literal
/// path of the table owns (`/groups/count` is never group `count`).
fn match_template<'p>(template: &str, path: &'p str) -> Option<Option<&'p str>> {
    let mut id = None;
    let mut wanted = template.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            // The literal check runs once, on a full match only (it scans the whole table).
            (None, None) => return id.is_none_or(|seg| !is_literal_after_groups(seg)).then_some(id),
            (Some("{id}"), Some(seg)) if !seg.is_empty() => id = Some(seg),
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

/// Whether `/groups/<seg>` is a literal path of the table.
fn is_literal_after_groups(seg: &str) -> bool {
    OperationKind::ALL.iter().any(|k| k.waha_template().strip_prefix("/groups/") == Some(seg))
}

/// Renders a template with its `{id}`, percent-encoded.
fn render_template(template: &str, id: Option<&str>, out: &mut String) {
    match (template.split_once("{id}"), id) {
        (Some((before, after)), Some(id)) => {
            out.push_str(before);
            percent_encode(id, out);
            out.push_str(after);
        }
        _ => out.push_str(template),
    }
}

fn decode_segment(raw: &str, name: &'static str) -> Result<String, FieldError> {
    percent_decode(raw, false).filter(|s| !s.contains('/')).ok_or_else(|| {
        FieldError::parameter(name, ErrorCode::InvalidParameter, format!("{name}: invalid percent-encoding"))
    })
}
