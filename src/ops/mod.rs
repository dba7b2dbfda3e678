//! Group operations, whatever the wire dialect.
//!
//! - [`table`]: every operation, declared once (WAHA spelling, fields, rate classes, client name);
//! - [`operation`]: [`Operation`] and [`OperationKind`], derived from the table;
//! - [`field`]: how each kind of field is read, validated and written;
//! - [`dialect`]: the [`Dialect`] trait, one implementation per wire shape;
//! - [`waha`]: the WAHA dialect (the canonical one);
//! - [`wadial`]: the Wadial-style dialect (`/api/v1/sessions/{sessionId}/groups…`);
//! - [`body`], [`query`]: field-by-field readers for bodies and query strings (every invalid field
//!   reported with its pointer);
//! - [`method`], [`rate`]: HTTP methods and rate-limit classes.
//!
//! Parsing then rendering gives the canonical request.

pub mod answer_shape;
pub mod body;
pub mod dialect;
pub mod field;
pub mod method;
pub mod operation;
pub mod per_person;
pub mod query;
pub mod rate;
mod router;
pub(crate) mod table;
pub mod wadial;
pub mod waha;

use crate::error::FieldErrors;
use crate::ids::{GroupId, SessionName};
use crate::limits::Limits;
use body::Object;
pub use dialect::{Dialect, Endpoint, Found, Located, Outcome, Part, Plan, Reply, Unrouted, Upstream};
pub use method::Method;
pub use operation::{Operation, OperationKind};
use query::QueryReader;
pub use rate::{Charge, RateClass};
pub use wadial::Wadial;
pub use waha::{split_api_path, Waha};

/// Every upstream dialect, by its `UPSTREAM_DIALECT` name.
pub const UPSTREAM_DIALECTS: &[&dyn Upstream] = &[&Waha, &Wadial];

/// A request for one session: what the Worker receives and what it forwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRequest {
    /// The WAHA session.
    pub session: SessionName,
    /// The operation.
    pub operation: Operation,
}

/// A request rendered for the upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedRequest {
    /// HTTP method.
    pub method: Method,
    /// Path from `/api/`, e.g. `/api/default/groups/1203…@g.us/subject`.
    pub path: String,
    /// Raw query string without `?` (empty when none).
    pub query: String,
    /// JSON body, for operations that take one.
    pub body: Option<String>,
}

impl OperationKind {
    /// Reads the operation from its WAHA-shaped parts: the parsed group segment (`None` when
    /// absent or invalid, its error already recorded), the query and the JSON body.
    pub fn read_wire(
        self,
        group: Option<GroupId>,
        query: &crate::wire::Query,
        body: Option<&crate::wire::json::Value<'_>>,
        limits: &Limits,
        errors: &mut FieldErrors,
    ) -> Option<Operation> {
        let query = QueryReader::new(query, self.query_names(), errors);
        let body = Object::root(body, &self.body_keys(), errors)?;
        let mut input = field::Input { group, query, body, limits };
        self.read(&mut input, errors)
    }
}
