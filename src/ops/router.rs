//! Routing by a dialect's table of method and path template: the endpoint a request names, or
//! a `404`/`405` with the methods the path allows.

use super::dialect::{Found, Unrouted};
use super::waha::not_found;
use super::Method;
use crate::error::{Error, ErrorCode};
use crate::wire::joined;

/// One row of a route table: an endpoint, its method and its path template (`{id}`: the group).
#[derive(Debug, Clone, Copy)]
pub struct Route<E> {
    /// The endpoint.
    pub endpoint: E,
    /// Its method.
    pub method: Method,
    /// Its template under the session (`/groups/{id}/subject`).
    pub template: &'static str,
    /// The template's text before and after its `{id}` (`None`: it has none), split once when
    /// the table is built.
    pub around_id: Option<(&'static str, &'static str)>,
}

impl<E> Route<E> {
    /// A row of a route table.
    pub const fn new(endpoint: E, method: Method, template: &'static str) -> Self {
        Route { endpoint, method, template, around_id: split_template(template) }
    }
}

const ID: &str = "{id}";

/// Where `{id}` starts in `template`.
const fn id_position(template: &str) -> Option<usize> {
    let bytes = template.as_bytes();
    let mut at = 0;
    while at + ID.len() <= bytes.len() {
        let (b, id) = (bytes, ID.as_bytes());
        if b[at] == id[0] && b[at + 1] == id[1] && b[at + 2] == id[2] && b[at + 3] == id[3] {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// Finds the endpoint of `method` on `under` (the path under the session; `path` is the full
/// path, for the error).
pub fn find<'p, E: Copy>(
    routes: &[Route<E>],
    method: &str,
    path: &str,
    under: &'p str,
) -> Result<Found<'p, E>, Unrouted> {
    let parsed = Method::parse(method);
    let found = routes
        .iter()
        .filter(|route| Some(route.method) == parsed)
        .find_map(|route| Some(Found { endpoint: route.endpoint, group: match_template(routes, route, under)? }));
    if let Some(found) = found {
        return Ok(found);
    }
    // A method no route uses (`get`) is a 404 or a 405 by the path, like any other.
    let allow = allowed_methods(routes, under);
    if allow.is_empty() {
        return Err(Unrouted { error: not_found(method, path), allow });
    }
    let names: Vec<&str> = allow.iter().map(|m| m.as_str()).collect();
    let detail = format!("{method} is not allowed on {under}; allowed: {}", joined(&names, ", "));
    Err(Unrouted { error: Error::new(ErrorCode::MethodNotAllowed, detail), allow })
}

/// The methods the table allows on a path (empty when no endpoint has it), in the table's order.
fn allowed_methods<E>(routes: &[Route<E>], under: &str) -> Vec<Method> {
    let mut allowed = Vec::new();
    for route in routes {
        if match_template(routes, route, under).is_some() && !allowed.contains(&route.method) {
            allowed.push(route.method);
        }
    }
    allowed
}

/// `Some(id segment)` when `path` fits the route's template; `{id}` never matches a segment that
/// a literal path of the table owns (`/groups/count` is never group `count`).
fn match_template<'p, E>(routes: &[Route<E>], route: &Route<E>, path: &'p str) -> Option<Option<&'p str>> {
    let Some((before, after)) = route.around_id else {
        return (route.template == path).then_some(None);
    };
    let id = path.strip_prefix(before)?.strip_suffix(after)?;
    // The literal check runs once, on a full match only (it scans the whole table).
    let whole_segment = !id.is_empty() && !id.contains('/');
    (whole_segment && !is_literal_after_groups(routes, id)).then_some(Some(id))
}

/// A template's text before and after its `{id}` (`None`: it has none).
pub(super) const fn split_template(template: &str) -> Option<(&str, &str)> {
    match id_position(template) {
        Some(at) => {
            let (before, rest) = template.split_at(at);
            Some((before, rest.split_at(ID.len()).1))
        }
        None => None,
    }
}

/// Whether `/groups/<seg>` is a literal path of the table.
fn is_literal_after_groups<E>(routes: &[Route<E>], seg: &str) -> bool {
    const GROUPS: &str = "/groups/";
    // The length first: most templates differ in it, and then no text is compared.
    let literal = |template: &str| {
        template.len() == GROUPS.len() + seg.len() && template.starts_with(GROUPS) && template.ends_with(seg)
    };
    routes.iter().any(|route| literal(route.template))
}
