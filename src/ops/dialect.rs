//! The one trait every wire dialect implements: find the operation a request names, read the
//! request into a typed [`GroupRequest`], render a request for an upstream of the dialect, and
//! translate answers between the dialect's shape and the canonical (WAHA) one.

use super::{GroupRequest, Method, OperationKind, RateClass, RenderedRequest};
use crate::error::Error;
use crate::keys::Scope;
use crate::limits::Limits;

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
    /// Every rate-limit class a request of this endpoint may spend from.
    fn rate_classes(self) -> &'static [RateClass];
    /// The key scope a request of this endpoint needs, checked before it is read.
    fn scope(self) -> Scope;
}

impl Endpoint for OperationKind {
    fn name(self) -> &'static str {
        self.client_name()
    }

    fn rate_classes(self) -> &'static [RateClass] {
        OperationKind::rate_classes(self)
    }

    fn scope(self) -> Scope {
        OperationKind::scope(self)
    }
}

/// One wire shape of the groups API, in both directions.
pub trait Dialect {
    /// An entry of the dialect's route table.
    type Endpoint: Endpoint;

    /// The dialect's name in settings and logs (`waha`).
    fn name(&self) -> &'static str;

    /// Locates `method path` in the dialect's table; `None` when the path is not in the
    /// dialect's namespace at all.
    fn locate<'p>(&self, method: &str, path: &'p str) -> Option<Located<'p, Self::Endpoint>>;

    /// Reads a located request into its typed, validated form, reporting every invalid field.
    fn read(
        &self,
        session: &str,
        found: &Found<'_, Self::Endpoint>,
        query: &str,
        body: &[u8],
        limits: &Limits,
    ) -> Result<GroupRequest, Error>;

    /// Renders a request as the dialect's upstream call (`not_implemented` for an operation the
    /// dialect has no call for).
    fn render(&self, request: &GroupRequest) -> Result<RenderedRequest, Error>;

    /// Turns an upstream answer in this dialect's shape into the canonical (WAHA) shape.
    fn answer_to_canonical(&self, _kind: OperationKind, body: Vec<u8>) -> Result<Vec<u8>, Error> {
        Ok(body)
    }

    /// Turns a canonical (WAHA) answer into this dialect's shape, for its clients.
    fn answer_from_canonical(&self, _kind: OperationKind, body: Vec<u8>) -> Result<Vec<u8>, Error> {
        Ok(body)
    }
}
