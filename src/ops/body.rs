//! Reading JSON request bodies field by field, so that every invalid field is reported with its
//! JSON pointer (a derive would stop at the first).

use crate::error::{Error, ErrorCode, FieldError, FieldErrors, Recorded};
use crate::ids::{GroupId, ParticipantId};
use crate::limits::{Limits, BODY_MAX_BYTES};
use crate::wire::json::{self, Value};
use crate::wire::{joined, type_mismatch};
use std::fmt::{self, Display};

/// Parses a body of at most `BODY_MAX_BYTES`; an empty body is `None`.
pub fn parse_json(body: &[u8]) -> Result<Option<Value<'_>>, Error> {
    if body.len() > BODY_MAX_BYTES {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is {} bytes; at most {BODY_MAX_BYTES} are accepted", body.len()),
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    json::parse_bytes(body).map(Some).map_err(|at| {
        Error::new(
            ErrorCode::InvalidJson,
            format!("the body is not valid JSON (line {}, column {})", at.line, at.column),
        )
    })
}

fn wrong_type(pointer: &dyn Display, expected: &str, got: &Value<'_>) -> FieldError {
    let pointer = pointer.to_string();
    let detail = type_mismatch(&pointer, expected, got.type_name());
    FieldError::body(pointer, ErrorCode::InvalidType, detail)
}

/// A JSON pointer (RFC 6901), written out only when an error names it.
#[derive(Debug, Clone, Copy)]
pub enum Pointer<'p> {
    /// The whole body (`""`).
    Root,
    /// A key of the object at the parent pointer.
    Key(&'p Pointer<'p>, &'p str),
    /// An item of the array at the parent pointer.
    Index(&'p Pointer<'p>, usize),
}

impl Display for Pointer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pointer::Root => Ok(()),
            Pointer::Key(parent, key) => {
                write!(f, "{parent}/")?;
                for c in key.chars() {
                    match c {
                        '~' => f.write_str("~0")?,
                        '/' => f.write_str("~1")?,
                        c => fmt::Write::write_char(f, c)?,
                    }
                }
                Ok(())
            }
            Pointer::Index(parent, i) => write!(f, "{parent}/{i}"),
        }
    }
}

/// A JSON object being read, with the pointer it sits at.
pub struct Object<'v, 'p> {
    map: &'v json::Object<'v>,
    pointer: Pointer<'p>,
}

impl<'v> Object<'v, 'static> {
    /// The body as an object with exactly the `allowed` keys (others are `unknown_field`).
    /// A missing body counts as `{}`.
    pub fn root(body: Option<&'v Value<'v>>, allowed: &[&str], errors: &mut FieldErrors) -> Option<Self> {
        match body {
            None => Some(Object { map: &json::EMPTY_OBJECT, pointer: Pointer::Root }),
            Some(v) => Self::at(v, Pointer::Root, allowed, errors),
        }
    }
}

impl<'v, 'p> Object<'v, 'p> {
    fn at(value: &'v Value<'v>, pointer: Pointer<'p>, allowed: &[&str], errors: &mut FieldErrors) -> Option<Self> {
        let Value::Object(map) = value else {
            errors.push(wrong_type(&pointer, "an object", value));
            return None;
        };
        for key in map.keys().filter(|k| !allowed.contains(k)) {
            errors.push_with(|| {
                let at = Pointer::Key(&pointer, key).to_string();
                let detail = match allowed {
                    [] => format!("{at}: unknown field; none is expected here"),
                    _ => format!("{at}: unknown field; expected one of: {}", joined(allowed, ", ")),
                };
                FieldError::body(at, ErrorCode::UnknownField, detail)
            });
        }
        Some(Object { map, pointer })
    }

    /// The pointer of `key` in this object.
    pub fn pointer_to<'s>(&'s self, key: &'s str) -> Pointer<'s> {
        Pointer::Key(&self.pointer, key)
    }

    /// The pointer of `key` in this object, written out.
    pub fn pointer_of(&self, key: &str) -> String {
        self.pointer_to(key).to_string()
    }

    fn field(&self, key: &str, required: bool, errors: &mut FieldErrors) -> Option<&'v Value<'v>> {
        match self.map.get(key) {
            None if required => {
                let at = self.pointer_of(key);
                errors.push(FieldError::body(&at, ErrorCode::MissingField, format!("{at}: required")));
                None
            }
            found => found,
        }
    }

    /// Whether the object has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some()
    }

    /// A required string field.
    pub fn string(&self, key: &str, errors: &mut FieldErrors) -> Option<&'v str> {
        self.typed(key, true, errors, "a string", Value::as_str)
    }

    /// An optional string field (absent → `Ok(None)`).
    pub fn optional_string(&self, key: &str, errors: &mut FieldErrors) -> Result<Option<&'v str>, Recorded> {
        match self.map.get(key) {
            None => Ok(None),
            Some(_) => self.typed(key, false, errors, "a string", Value::as_str).map(Some).ok_or(Recorded),
        }
    }

    /// A required boolean field.
    pub fn boolean(&self, key: &str, errors: &mut FieldErrors) -> Option<bool> {
        self.typed(key, true, errors, "a boolean", Value::as_bool)
    }

    fn typed<T>(
        &self,
        key: &str,
        required: bool,
        errors: &mut FieldErrors,
        expected: &str,
        get: impl Fn(&'v Value<'v>) -> Option<T>,
    ) -> Option<T> {
        let value = self.field(key, required, errors)?;
        let got = get(value);
        if got.is_none() {
            errors.push(wrong_type(&self.pointer_to(key), expected, value));
        }
        got
    }

    /// A required nested object with exactly the `allowed` keys.
    pub fn object<'s>(&'s self, key: &'s str, allowed: &[&str], errors: &mut FieldErrors) -> Option<Object<'v, 's>> {
        let value = self.field(key, true, errors)?;
        Object::at(value, self.pointer_to(key), allowed, errors)
    }

    /// A required `participants: [{id}]` list: non-empty, at most the per-request cap, every id
    /// valid, no person twice (`@c.us` and `@s.whatsapp.net` forms of one number are the same).
    pub fn participants(&self, key: &str, limits: &Limits, errors: &mut FieldErrors) -> Option<Vec<ParticipantId>> {
        self.id_list((key, "participant"), limits, errors, |item, at, errors| {
            let entry = Object::at(item, at, &["id"], errors)?;
            let id = entry.string("id", errors)?;
            errors.take(ParticipantId::parse_at(id, &entry.pointer_to("id")))
        })
    }

    /// A required list of id strings (`["…@s.whatsapp.net"]`), with the same rules as
    /// [`Object::participants`].
    pub fn id_strings(&self, key: &str, limits: &Limits, errors: &mut FieldErrors) -> Option<Vec<ParticipantId>> {
        self.id_list((key, "participant"), limits, errors, |item, at, errors| match item.as_str() {
            Some(id) => errors.take(ParticipantId::parse_at(id, &at)),
            None => {
                errors.push(wrong_type(&at, "a string", item));
                None
            }
        })
    }

    /// A required list of group id strings (`["1203…@g.us"]`): non-empty, at most the
    /// per-request cap, every id valid, no group twice.
    pub fn group_ids(&self, key: &str, limits: &Limits, errors: &mut FieldErrors) -> Option<Vec<GroupId>> {
        self.id_list((key, "group"), limits, errors, |item, at, errors| match item.as_str() {
            Some(id) => errors.take(GroupId::parse(id).map_err(|why| {
                let at = at.to_string();
                let detail = format!("{at}: {why}");
                FieldError::body(at, ErrorCode::InvalidGroupId, detail)
            })),
            None => {
                errors.push(wrong_type(&at, "a string", item));
                None
            }
        })
    }

    /// A required list read item by item. A repeated item is found by comparing it with the ones
    /// before (the list is at most the per-request cap long).
    fn id_list<T: Eq + Display>(
        &self,
        (key, noun): (&str, &str),
        limits: &Limits,
        errors: &mut FieldErrors,
        read: impl Fn(&'v Value<'v>, Pointer<'_>, &mut FieldErrors) -> Option<T>,
    ) -> Option<Vec<T>> {
        let value = self.field(key, true, errors)?;
        let at = self.pointer_to(key);
        let Value::Array(items) = value else {
            errors.push(wrong_type(&at, "an array", value));
            return None;
        };
        if items.is_empty() {
            let at = at.to_string();
            errors.push(FieldError::body(&at, ErrorCode::EmptyList, format!("{at}: give at least one {noun}")));
            return None;
        }
        let cap = limits.participants_per_request;
        if items.len() > cap {
            let at = at.to_string();
            let detail = format!("{at}: {} {noun}s; at most {cap} per request", items.len());
            errors.push(FieldError::body(&at, ErrorCode::TooManyParticipants, detail));
            return None;
        }
        let mut ids = Vec::with_capacity(items.len());
        let mut complete = true;
        for (i, item) in items.iter().enumerate() {
            let item_at = Pointer::Index(&at, i);
            match read(item, item_at, errors) {
                Some(id) if ids.contains(&id) => {
                    complete = false;
                    let item_at = item_at.to_string();
                    let detail = format!("{item_at}: {id} is already in the list");
                    errors.push(FieldError::body(item_at, ErrorCode::DuplicateParticipant, detail));
                }
                Some(id) => ids.push(id),
                None => complete = false,
            }
        }
        complete.then_some(ids)
    }
}
