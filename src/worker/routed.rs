//! Where a request is routed: the dialect whose table holds it. Only what depends on the dialect
//! (what its router found, reading the request, composing the answer) is told apart here, so the
//! gateway's pipeline around it is compiled once rather than once per dialect.

use crate::error::Error;
use crate::keys::Scope;
use crate::limits::Limits;
use crate::ops::wadial::WadialEndpoint;
use crate::ops::{Dialect, Endpoint, Located, OperationKind, Outcome, Plan, Unrouted, Upstream, Wadial, Waha};

/// What the pipeline knows of a located endpoint before reading the request.
pub struct EndpointFacts {
    /// The endpoint's name in logs.
    pub name: &'static str,
    /// The key scope it needs before it is read.
    pub scope: Scope,
    /// Every operation a request of it may become.
    pub kinds: &'static [OperationKind],
}

/// A request located in one dialect's table.
pub enum Routed<'p> {
    /// In the Wadial-style namespace.
    Wadial(Located<'p, WadialEndpoint>),
    /// In WAHA's.
    Waha(Located<'p, OperationKind>),
}

impl<'p> Routed<'p> {
    /// Locates `method path` in a dialect's table (`None`: in none of them). The Wadial-style
    /// namespace (`/api/v1/sessions/…`) is tried first: under WAHA's reading it would be session
    /// `v1`, whose paths all start with `/groups`.
    pub fn locate(method: &str, path: &'p str) -> Option<Self> {
        match Wadial.locate(method, path) {
            Some(located) => Some(Routed::Wadial(located)),
            None => Waha.locate(method, path).map(Routed::Waha),
        }
    }

    /// The client's dialect (`waha`, `wadial`).
    pub fn dialect(&self) -> &'static str {
        match self {
            Routed::Wadial(_) => Wadial.name(),
            Routed::Waha(_) => Waha.name(),
        }
    }

    /// The raw (still percent-encoded) session segment.
    pub fn session(&self) -> &str {
        match self {
            Routed::Wadial(located) => located.session,
            Routed::Waha(located) => located.session,
        }
    }

    /// The endpoint found, or why there is none.
    pub fn endpoint(&self) -> Result<EndpointFacts, &Unrouted> {
        match self {
            Routed::Wadial(located) => facts(located),
            Routed::Waha(located) => facts(located),
        }
    }

    /// Reads the request into its validated plan.
    pub fn read(&self, query: &str, body: &[u8], limits: &Limits) -> Result<Plan, Error> {
        match self {
            Routed::Wadial(located) => read_located(&Wadial, located, query, body, limits),
            Routed::Waha(located) => read_located(&Waha, located, query, body, limits),
        }
    }

    /// Whether the client's dialect answers a one-part plan with its canonical answer as it is.
    pub fn answers_one_part_as_is(&self) -> bool {
        match self {
            Routed::Wadial(_) => Wadial.answers_one_part_as_is(),
            Routed::Waha(_) => Waha.answers_one_part_as_is(),
        }
    }

    /// Composes the client's answer from the canonical outcome of every part.
    pub fn answer(&self, plan: &Plan, outcomes: Vec<Outcome>) -> Outcome {
        match self {
            Routed::Wadial(_) => Wadial.answer(plan, outcomes),
            Routed::Waha(_) => Waha.answer(plan, outcomes),
        }
    }
}

/// What the pipeline knows of `located`'s endpoint before reading the request.
fn facts<'l, E: Endpoint>(located: &'l Located<'_, E>) -> Result<EndpointFacts, &'l Unrouted> {
    let endpoint = located.found.as_ref()?.endpoint;
    Ok(EndpointFacts { name: endpoint.name(), scope: endpoint.scope(), kinds: endpoint.kinds() })
}

/// Reads a request `located` in `dialect`'s table.
fn read_located<D: Dialect>(
    dialect: &D,
    located: &Located<'_, D::Endpoint>,
    query: &str,
    body: &[u8],
    limits: &Limits,
) -> Result<Plan, Error> {
    let found = located.found.as_ref().map_err(|unrouted| unrouted.error.clone())?;
    dialect.read(located.session, found, query, body, limits)
}
