//! Reading JSON request bodies field by field, so that every invalid field is reported with its
//! JSON pointer (a derive would stop at the first).

use crate::error::{Error, ErrorCode, FieldError, FieldErrors, Recorded};
use crate::ids::{GroupId, ParticipantId};
use crate::limits::{Limits, BODY_MAX_BYTES};
use crate::wire::type_mismatch;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt::Display;
use std::hash::Hash;

/// Parses a body of at most `BODY_MAX_BYTES`; an empty body is `None`.
pub fn parse_json(body: &[u8]) -> Result<Option<Value>, Error> {
    if body.len() > BODY_MAX_BYTES {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is {} bytes; at most {BODY_MAX_BYTES} are accepted", body.len()),
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body).map(Some).map_err(|e| {
        Error::new(
            ErrorCode::InvalidJson,
            format!("the body is not valid JSON (line {}, column {})", e.line(), e.column()),
        )
    })
}

fn wrong_type(pointer: &str, expected: &str, got: &Value) -> FieldError {
    FieldError::body(pointer, ErrorCode::InvalidType, type_mismatch(pointer, expected, got))
}

/// A JSON object being read, with the pointer it sits at.
pub struct Object<'v> {
    map: &'v Map<String, Value>,
    pointer: String,
}

impl<'v> Object<'v> {
    /// The body as an object with exactly the `allowed` keys (others are `unknown_field`).
    /// A missing body counts as `{}`.
    pub fn root(body: Option<&'v Value>, allowed: &[&str], errors: &mut FieldErrors) -> Option<Self> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        match body {
            None => Some(Object { map: EMPTY.get_or_init(Map::new), pointer: String::new() }),
            Some(v) => Self::at(v, String::new(), allowed, errors),
        }
    }

    fn at(value: &'v Value, pointer: String, allowed: &[&str], errors: &mut FieldErrors) -> Option<Self> {
        let Value::Object(map) = value else {
            errors.push(wrong_type(&pointer, "an object", value));
            return None;
        };
        for key in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
            let at = format!("{pointer}/{}", escape_pointer(key));
            let detail = format!("{at}: unknown field; expected one of: {}", allowed.join(", "));
            errors.push(FieldError::body(at, ErrorCode::UnknownField, detail));
        }
        Some(Object { map, pointer })
    }

    /// The pointer of `key` in this object.
    pub fn pointer_of(&self, key: &str) -> String {
        format!("{}/{}", self.pointer, escape_pointer(key))
    }

    fn field(&self, key: &str, required: bool, errors: &mut FieldErrors) -> Option<&'v Value> {
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
        self.map.contains_key(key)
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
        get: impl Fn(&'v Value) -> Option<T>,
    ) -> Option<T> {
        let value = self.field(key, required, errors)?;
        let got = get(value);
        if got.is_none() {
            errors.push(wrong_type(&self.pointer_of(key), expected, value));
        }
        got
    }

    /// A required nested object with exactly the `allowed` keys.
    pub fn object(&self, key: &str, allowed: &[&str], errors: &mut FieldErrors) -> Option<Object<'v>> {
        let value = self.field(key, true, errors)?;
        Object::at(value, self.pointer_of(key), allowed, errors)
    }

    /// A required `participants: [{id}]` list: non-empty, at most the per-request cap, every id
    /// valid, no person twice (`@c.us` and `@s.whatsapp.net` forms of one number are the same).
    pub fn participants(&self, key: &str, limits: &Limits, errors: &mut FieldErrors) -> Option<Vec<ParticipantId>> {
        self.id_list((key, "participant"), limits, errors, |item, at, errors| {
            let entry = Object::at(item, at, &["id"], errors)?;
            let id = entry.string("id", errors)?;
            errors.take(ParticipantId::parse_at(id, &entry.pointer_of("id")))
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
                let detail = format!("{at}: {why}");
                FieldError::body(at, ErrorCode::InvalidGroupId, detail)
            })),
            None => {
                errors.push(wrong_type(&at, "a string", item));
                None
            }
        })
    }

    fn id_list<T: Clone + Eq + Hash + Display>(
        &self,
        (key, noun): (&str, &str),
        limits: &Limits,
        errors: &mut FieldErrors,
        read: impl Fn(&'v Value, String, &mut FieldErrors) -> Option<T>,
    ) -> Option<Vec<T>> {
        let value = self.field(key, true, errors)?;
        let at = self.pointer_of(key);
        let Value::Array(items) = value else {
            errors.push(wrong_type(&at, "an array", value));
            return None;
        };
        if items.is_empty() {
            errors.push(FieldError::body(&at, ErrorCode::EmptyList, format!("{at}: give at least one {noun}")));
            return None;
        }
        let cap = limits.participants_per_request;
        if items.len() > cap {
            let detail = format!("{at}: {} {noun}s; at most {cap} per request", items.len());
            errors.push(FieldError::body(&at, ErrorCode::TooManyParticipants, detail));
            return None;
        }
        let mut seen = HashSet::with_capacity(items.len());
        let mut ids = Vec::with_capacity(items.len());
        let mut complete = true;
        for (i, item) in items.iter().enumerate() {
            let item_at = format!("{at}/{i}");
            match read(item, item_at.clone(), errors) {
                Some(id) if !seen.insert(id.clone()) => {
                    complete = false;
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

/// Escapes a key for a JSON pointer (RFC 6901).
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
