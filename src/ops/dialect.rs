//! The traits every wire dialect implements. [`Upstream`]: render an operation as the dialect's
//! upstream call and translate its answer to the canonical (WAHA) shape. [`Dialect`]: find the
//! endpoint a client request names, read it into a [`Plan`] of one or more operations, and
//! compose the client's answer from the canonical outcome of each part.

use super::field::Description;
use super::waha::canonical;
use super::{Method, Operation, OperationKind, RenderedRequest};
use crate::error::{Error, ErrorCode};
use crate::ids::{GroupId, SessionName};
use crate::keys::Scope;
use crate::limits::Limits;
use crate::wire::{joined, json, quoted};
use std::borrow::Cow;

/// The key of a create answer (canonical, WAHA's shape) that holds the new group's id.
pub const CREATED_GROUP_ID: &str = "id";

/// What a dialect's router finds: the endpoint and its raw (still percent-encoded) group segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found<'p, E> {
    /// The endpoint of the dialect's table.
    pub endpoint: E,
    /// The raw group segment, for endpoints that have one.
    pub group: Option<&'p str>,
}

/// A path the dialect owns but no endpoint of it matches: the error to answer and, for a wrong
/// method, the methods the path allows (the `Allow` header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrouted {
    /// `not_found` or `method_not_allowed`.
    pub error: Error,
    /// The methods allowed on the path (empty for `not_found`).
    pub allow: Vec<Method>,
}

/// A request located in a dialect's namespace: its raw session and what the router found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<'p, E> {
    /// The raw (still percent-encoded) session segment.
    pub session: &'p str,
    /// The endpoint, or why there is none.
    pub found: Result<Found<'p, E>, Unrouted>,
}

/// What the gateway needs to know of an endpoint before reading it.
pub trait Endpoint: Copy {
    /// The endpoint's name in logs (the browser client's method name where it is one operation).
    fn name(self) -> &'static str;
    /// Every operation a request of this endpoint may become (its rate classes come from these).
    fn kinds(self) -> &'static [OperationKind];
    /// The key scope a request of this endpoint needs, checked before it is read: its first
    /// operation's (every operation a read request turns into is checked again once read).
    fn scope(self) -> Scope {
        self.kinds().first().map_or(Scope::Read, |kind| kind.scope())
    }
}

impl Endpoint for OperationKind {
    fn name(self) -> &'static str {
        self.client_name()
    }

    fn kinds(self) -> &'static [OperationKind] {
        let index = OperationKind::ALL.iter().position(|&k| k == self).unwrap_or_default();
        &OperationKind::ALL[index..=index]
    }
}

/// One part of a read request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// An operation complete as read.
    Ready(Operation),
    /// Sets the description of the group an earlier part created (its id is in that answer).
    DescribeCreated(Description),
}

impl Part {
    /// The operation kind of the part.
    pub fn kind(&self) -> OperationKind {
        match self {
            Part::Ready(operation) => operation.kind(),
            Part::DescribeCreated(_) => OperationKind::SetDescription,
        }
    }

    /// The part's operation, given the outcomes of the parts before it; `None` when it cannot
    /// run (the group it describes was not created).
    pub fn resolve(&self, before: &[Outcome]) -> Option<Cow<'_, Operation>> {
        match self {
            Part::Ready(operation) => Some(Cow::Borrowed(operation)),
            Part::DescribeCreated(description) => {
                let created = json::parse_bytes(&before.first()?.as_ref().ok()?.body).ok()?;
                let group = GroupId::parse(created.get(CREATED_GROUP_ID)?.as_str()?).ok()?;
                Some(Cow::Owned(Operation::SetDescription { group, description: description.clone() }))
            }
        }
    }
}

/// A read request: its session and its parts, run in order.
///
/// Most requests are one part. A dialect may split one request into several (a profile update
/// of subject and description, a create with a description, a leave of several groups); every
/// part is validated before any is sent, and each part's outcome is reported on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The session.
    pub session: SessionName,
    /// The parts, in the order they run.
    pub parts: Vec<Part>,
}

impl Plan {
    /// A plan of one operation.
    pub fn single(session: SessionName, operation: Operation) -> Self {
        Plan { session, parts: vec![Part::Ready(operation)] }
    }

    /// The operation kinds of the parts, in order.
    pub fn kinds(&self) -> impl Iterator<Item = OperationKind> + '_ {
        self.parts.iter().map(Part::kind)
    }

    /// The plan's parts rendered canonically, one line each: what an `Idempotency-Key` binds.
    pub fn fingerprint(&self) -> String {
        let lines = self.parts.iter().map(|part| match part {
            Part::Ready(operation) => {
                let rendered = canonical(&self.session, operation);
                format!("{} {} {}", rendered.method, rendered.path, rendered.body.unwrap_or_default())
            }
            Part::DescribeCreated(description) => format!("describe {}", quoted(&description.0)),
        });
        joined(lines, "\n")
    }
}

/// An answer: status, content type and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Content type (`None`: `application/json`).
    pub content_type: Option<String>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, value: &json::Value<'_>) -> Self {
        Reply { status, content_type: None, body: value.render().into_bytes() }
    }
}

/// What one part came to: its canonical (WAHA-shaped) answer, or why it failed.
pub type Outcome = Result<Reply, Error>;

/// The `not_implemented` error for an operation an upstream dialect has no call for.
pub fn lacking(dialect: &str, kind: OperationKind) -> Error {
    Error::new(
        ErrorCode::NotImplemented,
        format!("{}: a {dialect} upstream has no call for this operation; nothing was forwarded", kind.client_name()),
    )
}

/// The upstream side of a dialect: how operations are sent to an upstream that speaks it.
pub trait Upstream: Sync {
    /// The dialect's name in settings and logs (`waha`).
    fn name(&self) -> &'static str;

    /// Whether the dialect has no upstream call for operations of `kind`.
    fn lacks(&self, _kind: OperationKind) -> bool {
        false
    }

    /// The header carrying the upstream key: name and value.
    fn credentials(&self, key: &str) -> (&'static str, String);

    /// Renders a request as the dialect's upstream call (`not_implemented` naming the operation
    /// when the dialect lacks it, or naming what it cannot carry).
    fn render(&self, session: &SessionName, operation: &Operation) -> Result<RenderedRequest, Error>;

    /// Turns a successful upstream answer in this dialect's shape into the canonical one.
    fn to_canonical(&self, _kind: OperationKind, reply: Reply) -> Outcome {
        Ok(reply)
    }

    /// Whether [`Upstream::to_canonical`] leaves every successful answer as it came (so one may
    /// be passed on without being read); a dialect that translates its answers says `false`.
    fn answers_canonically(&self) -> bool {
        true
    }
}

/// The client side of a dialect: its route table, reading and answers.
pub trait Dialect: Upstream {
    /// An entry of the dialect's route table.
    type Endpoint: Endpoint;

    /// Locates `method path` in the dialect's table; `None` when the path is not in the
    /// dialect's namespace at all.
    fn locate<'p>(&self, method: &str, path: &'p str) -> Option<Located<'p, Self::Endpoint>>;

    /// Reads a located request into its typed, validated plan, reporting every invalid field.
    fn read(
        &self,
        session: &str,
        found: &Found<'_, Self::Endpoint>,
        query: &str,
        body: &[u8],
        limits: &Limits,
    ) -> Result<Plan, Error>;

    /// Composes the client's answer from the canonical outcome of every part of `plan` (one
    /// outcome per part, in order).
    fn answer(&self, plan: &Plan, outcomes: Vec<Outcome>) -> Outcome;

    /// Whether [`Dialect::answer`] of a one-part plan is that part's canonical answer, unchanged
    /// (so it may be passed on without being read).
    fn answers_one_part_as_is(&self) -> bool {
        false
    }
}
