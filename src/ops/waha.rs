//! The WAHA dialect: `/api/{session}/groups…`, spelled as the operation table's WAHA columns
//! say (method, path template, query names, body keys). It is the canonical dialect: the browser
//! module speaks it, and its answers are the shape the other dialects translate to and from.

use super::body::parse_json;
use super::dialect::{Dialect, Found, Located, Outcome, Part, Plan, Upstream};
use super::field::Output;
use super::router::{find, split_template, Route};
use super::{GroupRequest, Operation, OperationKind, RenderedRequest};
use crate::error::{Error, ErrorCode, FieldError, FieldErrors};
use crate::ids::{GroupId, SessionName};
use crate::limits::Limits;
use crate::wire::{percent_decode, percent_encode, Json, Query};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The WAHA dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Waha;

impl Upstream for Waha {
    fn name(&self) -> &'static str {
        "waha"
    }

    fn credentials(&self, key: &str) -> (&'static str, String) {
        ("X-Api-Key", key.to_owned())
    }

    fn render(&self, session: &SessionName, operation: &Operation) -> Result<RenderedRequest, Error> {
        Ok(canonical(session, operation))
    }
}

impl Dialect for Waha {
    type Endpoint = OperationKind;

    fn locate<'p>(&self, method: &str, path: &'p str) -> Option<Located<'p, OperationKind>> {
        let (session, under) = split_api_path(path)?;
        Some(Located { session, found: find(routes(), method, path, under) })
    }

    fn read(
        &self,
        session: &str,
        found: &Found<'_, OperationKind>,
        query: &str,
        body: &[u8],
        limits: &Limits,
    ) -> Result<Plan, Error> {
        let mut errors = FieldErrors::new();
        let session = errors.take(decode_segment(session, "session").and_then(|s| SessionName::parse(&s)));
        let group =
            found.group.and_then(|id| errors.take(decode_segment(id, "id").and_then(|s| GroupId::parse_parameter(&s))));
        let query = Query::read(query, &mut errors);
        let body = parse_json(body)?;
        let operation = found.endpoint.read_wire(group, &query, body.as_ref(), limits, &mut errors);
        errors.finish(|| Some(Plan::single(session?, operation?)))
    }

    /// WAHA requests are one part: its outcome is the answer.
    fn answer(&self, _plan: &Plan, outcomes: Vec<Outcome>) -> Outcome {
        outcomes.into_iter().next().unwrap_or_else(|| Err(Error::new(ErrorCode::Misconfigured, "no part was run")))
    }

    fn answers_one_part_as_is(&self) -> bool {
        true
    }
}

impl GroupRequest {
    /// Parses a WAHA request: `path` is the full path (`/api/{session}/groups…`), `query` the raw
    /// query string, `body` the raw body. Every invalid field is reported at once.
    pub fn parse(method: &str, path: &str, query: &str, body: &[u8], limits: &Limits) -> Result<Self, Error> {
        let located = Waha.locate(method, path).ok_or_else(|| not_found(method, path))?;
        let found = located.found.map_err(|unrouted| unrouted.error)?;
        let plan = Waha.read(located.session, &found, query, body, limits)?;
        let Some(Part::Ready(operation)) = plan.parts.into_iter().next() else {
            return Err(not_found(method, path));
        };
        Ok(GroupRequest { session: plan.session, operation })
    }

    /// Renders the canonical (WAHA) request.
    pub fn render(&self) -> RenderedRequest {
        canonical(&self.session, &self.operation)
    }
}

/// `operation` on `session` rendered as the canonical (WAHA) request.
pub(crate) fn canonical(session: &SessionName, operation: &Operation) -> RenderedRequest {
    let kind = operation.kind();
    let mut path = String::with_capacity(128);
    path.push_str("/api/");
    path.push_str(session.as_str());
    render_template(kind.waha_template(), operation.group().map(GroupId::as_str), &mut path);
    let mut out = Output::default();
    operation.write(&mut out);
    RenderedRequest {
        method: kind.waha_method(),
        path,
        query: out.query.render(),
        body: (!out.body.is_empty()).then(|| Json::Object(out.body).render()),
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

/// The `not_found` error for `method path`.
pub(super) fn not_found(method: &str, path: &str) -> Error {
    Error::new(ErrorCode::NotFound, format!("no route {method} {path}"))
}

/// WAHA's route table: every operation with its method and path template.
fn routes() -> &'static [Route<OperationKind>] {
    static ROUTES: OnceLock<Vec<Route<OperationKind>>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let row = |&kind: &OperationKind| Route::new(kind, kind.waha_method(), kind.waha_template());
        OperationKind::ALL.iter().map(row).collect()
    })
}

/// Renders a template with its `{id}`, percent-encoded.
pub(super) fn render_template(template: &str, id: Option<&str>, out: &mut String) {
    match (split_template(template), id) {
        (Some((before, after)), Some(id)) => {
            out.push_str(before);
            percent_encode(id, out);
            out.push_str(after);
        }
        _ => out.push_str(template),
    }
}

/// Percent-decodes a path segment named `name` (a decoded `/` is refused).
pub(super) fn decode_segment<'s>(raw: &'s str, name: &'static str) -> Result<Cow<'s, str>, FieldError> {
    if !raw.contains('%') {
        return Ok(Cow::Borrowed(raw));
    }
    percent_decode(raw, false).filter(|s| !s.contains('/')).map(Cow::Owned).ok_or_else(|| {
        FieldError::parameter(name, ErrorCode::InvalidParameter, format!("{name}: invalid percent-encoding"))
    })
}
