//! Typed query parameters of the routes that take any.

use super::field::{At, Field, Input, Output};
use crate::error::{ErrorCode, FieldError, FieldErrors, Recorded};
use crate::wire::{joined, quoted, Query};

/// `sortBy` of `GET /groups`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// By group id.
    Id,
    /// By subject.
    Subject,
}

/// `sortOrder` of `GET /groups`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

impl SortBy {
    /// Every sort key.
    pub const ALL: [SortBy; 2] = [SortBy::Id, SortBy::Subject];

    /// The key as the query spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Id => "id",
            SortBy::Subject => "subject",
        }
    }
}

impl SortOrder {
    /// Both directions.
    pub const ALL: [SortOrder; 2] = [SortOrder::Asc, SortOrder::Desc];

    /// The direction as the query spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

/// Query of `GET /groups`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListGroupsQuery {
    /// At most this many groups.
    pub limit: Option<u32>,
    /// Skip this many groups.
    pub offset: Option<u32>,
    /// Sort key.
    pub sort_by: Option<SortBy>,
    /// Sort direction.
    pub sort_order: Option<SortOrder>,
    /// `exclude=participants`: leave participants out of each group.
    pub exclude_participants: bool,
}

/// Reads the query of one operation: each parameter at most once (but `exclude`), none unknown.
pub struct QueryReader<'q> {
    query: &'q Query,
    allowed: Vec<&'static str>,
}

impl<'q> QueryReader<'q> {
    /// Checks that only `allowed` names occur, recording the others.
    pub fn new(query: &'q Query, allowed: Vec<&'static str>, errors: &mut FieldErrors) -> Self {
        for (name, _) in &query.0 {
            if name.is_empty() {
                let detail = "query: a parameter without a name (`=value`)";
                errors.push(FieldError::parameter("query", ErrorCode::UnknownField, detail));
            } else if !allowed.contains(&name.as_str()) {
                let detail = if allowed.is_empty() {
                    format!("{name}: this route takes no query parameters")
                } else {
                    format!("{name}: unknown query parameter; expected one of: {}", joined(&allowed, ", "))
                };
                errors.push(FieldError::parameter(name.clone(), ErrorCode::UnknownField, detail));
            }
        }
        QueryReader { query, allowed }
    }

    /// Every value of `name`.
    fn values(&self, name: &'static str) -> impl Iterator<Item = &'q str> + 'q {
        debug_assert!(self.allowed.contains(&name), "{name} is not a parameter of this operation");
        self.query.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The single value of `name`, parsed by `parse`; `expected` describes valid values.
    pub fn one<T>(
        &self,
        name: &'static str,
        expected: &str,
        errors: &mut FieldErrors,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, Recorded> {
        let mut values = self.values(name);
        let Some(first) = values.next() else { return Ok(None) };
        let fail = |errors: &mut FieldErrors, why: String| {
            errors.push(FieldError::parameter(name, ErrorCode::InvalidParameter, format!("{name}: {why}")));
            Err(Recorded)
        };
        if values.next().is_some() {
            return fail(errors, "give it at most once".into());
        }
        match parse(first) {
            Some(v) => Ok(Some(v)),
            None => fail(errors, format!("expected {expected}, got {}", quoted(first))),
        }
    }

    /// Whether `name` appears with only the value `only` (repeats allowed); other values are errors.
    pub fn flag(&self, name: &'static str, only: &str, errors: &mut FieldErrors) -> bool {
        let mut set = false;
        for value in self.values(name) {
            if value == only {
                set = true;
            } else {
                let detail = format!("{name}: expected {}, got {}", quoted(only), quoted(value));
                errors.push(FieldError::parameter(name, ErrorCode::InvalidParameter, detail));
            }
        }
        set
    }
}

/// Parses a non-negative decimal integer that fits `u32` (no sign, no leading `+`).
pub fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `true` or `false`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `limit` of `GET /groups`.
pub const LIMIT: &str = "limit";
/// `offset` of `GET /groups`.
pub const OFFSET: &str = "offset";
/// `sortBy` of `GET /groups`.
pub const SORT_BY: &str = "sortBy";
/// `sortOrder` of `GET /groups`.
pub const SORT_ORDER: &str = "sortOrder";
/// `exclude` of `GET /groups`.
pub const EXCLUDE: &str = "exclude";
/// The only value `exclude` takes.
pub const EXCLUDE_PARTICIPANTS: &str = "participants";

impl Field for ListGroupsQuery {
    fn read(_: At, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Self> {
        ListGroupsQuery::read(&input.query, errors)
    }

    fn write(&self, _: At, out: &mut Output) {
        self.render(&mut out.query);
    }

    fn query_names(_: At, names: &mut Vec<&'static str>) {
        names.extend([LIMIT, OFFSET, SORT_BY, SORT_ORDER, EXCLUDE]);
    }
}

impl ListGroupsQuery {
    /// Reads the query, recording every invalid parameter.
    pub fn read(reader: &QueryReader<'_>, errors: &mut FieldErrors) -> Option<Self> {
        let limit = reader.one(LIMIT, "a non-negative integer", errors, parse_u32);
        let offset = reader.one(OFFSET, "a non-negative integer", errors, parse_u32);
        let sort_by =
            reader.one(SORT_BY, "id or subject", errors, |s| SortBy::ALL.into_iter().find(|v| v.as_str() == s));
        let sort_order =
            reader.one(SORT_ORDER, "asc or desc", errors, |s| SortOrder::ALL.into_iter().find(|v| v.as_str() == s));
        let exclude_participants = reader.flag(EXCLUDE, EXCLUDE_PARTICIPANTS, errors);
        Some(ListGroupsQuery {
            limit: limit.ok()?,
            offset: offset.ok()?,
            sort_by: sort_by.ok()?,
            sort_order: sort_order.ok()?,
            exclude_participants,
        })
    }

    /// Renders the query pairs in a fixed order.
    pub fn render(&self, out: &mut Query) {
        if let Some(limit) = self.limit {
            out.0.push((LIMIT.into(), limit.to_string()));
        }
        if let Some(offset) = self.offset {
            out.0.push((OFFSET.into(), offset.to_string()));
        }
        if let Some(sort_by) = self.sort_by {
            out.0.push((SORT_BY.into(), sort_by.as_str().into()));
        }
        if let Some(order) = self.sort_order {
            out.0.push((SORT_ORDER.into(), order.as_str().into()));
        }
        if self.exclude_participants {
            out.0.push((EXCLUDE.into(), EXCLUDE_PARTICIPANTS.into()));
        }
    }
}
