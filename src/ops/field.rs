//! The typed fields of operations: how each kind of value is read from its place on the wire
//! (path, query or body), validated, and written back. The operation table names a field's type
//! and its place once; these impls do the rest.

use super::body::Object;
use super::query::{parse_bool, QueryReader};
use crate::error::{ErrorCode, FieldError, FieldErrors};
use crate::ids::{GroupId, ParticipantId};
use crate::invite::InviteCode;
use crate::limits::{is_invisible, whatsapp_length, Limits};
use crate::picture::{PictureFile, PictureSource};
use crate::wire::{write_joined, Json, Query};

/// Where a field sits in a WAHA-shaped request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The `{id}` path segment.
    Path,
    /// A query parameter.
    Query,
    /// A key of the JSON body.
    Body,
}

/// A field's place and wire key (`Body`, `"participants"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    /// Path, query or body.
    pub place: Place,
    /// The key (body), parameter name (query) or segment name (path).
    pub key: &'static str,
}

/// What a request's fields are read from.
pub struct Input<'r, 'v> {
    /// The `{id}` segment, already parsed (`None`: absent or invalid, its error recorded).
    pub group: Option<GroupId>,
    /// The query parameters.
    pub query: QueryReader<'r>,
    /// The body object (`{}` when there is none).
    pub body: Object<'v, 'v>,
    /// The configurable limits.
    pub limits: &'r Limits,
}

/// What a request's fields are written to.
#[derive(Debug, Default)]
pub struct Output {
    /// Query pairs, in order.
    pub query: Query,
    /// Body fields, in order (no body when empty and the operation takes none).
    pub body: Vec<(&'static str, Json)>,
}

/// A value that can be one field of an operation.
pub trait Field: Sized {
    /// Reads the field at `at`, recording every error in `errors`.
    fn read(at: At, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Self>;

    /// Writes the field at `at`.
    fn write(&self, at: At, out: &mut Output);

    /// The query parameters this field accepts at `at`.
    fn query_names(at: At, names: &mut Vec<&'static str>) {
        if at.place == Place::Query {
            names.push(at.key);
        }
    }

    /// The body keys this field accepts at `at`.
    fn body_keys(at: At, keys: &mut Vec<&'static str>) {
        if at.place == Place::Body {
            keys.push(at.key);
        }
    }

    /// The group this field names, for the path's group id.
    fn group(&self) -> Option<&GroupId> {
        None
    }

    /// The people this field names, if it names people.
    fn people(&self) -> Option<&[ParticipantId]> {
        None
    }

    /// Rate-limit units this field stands for when an operation is charged by it.
    fn units(&self) -> u32 {
        1
    }
}

impl Field for GroupId {
    fn read(_: At, input: &mut Input<'_, '_>, _: &mut FieldErrors) -> Option<Self> {
        input.group.take()
    }

    fn write(&self, _: At, _: &mut Output) {}

    fn group(&self) -> Option<&GroupId> {
        Some(self)
    }
}

/// A group subject: not blank, at most `limits.subject_max` UTF-16 units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(pub String);

impl Field for Subject {
    fn read(at: At, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Self> {
        let subject = input.body.string(at.key, errors)?;
        let pointer = input.body.pointer_of(at.key);
        if is_invisible(subject) {
            let detail =
                format!("{pointer}: the subject must show something (not empty, blank or invisible characters only)");
            errors.push(FieldError::body(&pointer, ErrorCode::EmptySubject, detail));
            return None;
        }
        let subject = within_length(subject, &pointer, input.limits.subject_max, ErrorCode::SubjectTooLong, errors)?;
        Some(Subject(subject.to_owned()))
    }

    fn write(&self, at: At, out: &mut Output) {
        out.body.push((at.key, Json::Str(self.0.clone())));
    }
}

/// `text` when it is at most `max` UTF-16 units (as WhatsApp counts), else `code` recorded at
/// `pointer`.
fn within_length<'t>(
    text: &'t str,
    pointer: &str,
    max: usize,
    code: ErrorCode,
    errors: &mut FieldErrors,
) -> Option<&'t str> {
    let len = whatsapp_length(text);
    if len > max {
        errors.push(FieldError::body(
            pointer,
            code,
            format!("{pointer}: {len} characters; at most {max} are accepted"),
        ));
        return None;
    }
    Some(text)
}

/// A group description: at most `limits.description_max` UTF-16 units; `""` clears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(pub String);

impl Field for Description {
    fn read(at: At, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Self> {
        let description = input.body.string(at.key, errors)?;
        let (pointer, max) = (input.body.pointer_of(at.key), input.limits.description_max);
        let description = within_length(description, &pointer, max, ErrorCode::DescriptionTooLong, errors)?;
        Some(Description(description.to_owned()))
    }

    fn write(&self, at: At, out: &mut Output) {
        out.body.push((at.key, Json::Str(self.0.clone())));
    }
}

/// The people a call acts on, as WAHA lists them (`[{id}]`): not empty, at most the per-request
/// cap, every id valid, nobody twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct People(pub Vec<ParticipantId>);

impl Field for People {
    fn read(at: At, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Self> {
        input.body.participants(at.key, input.limits, errors).map(People)
    }

    fn write(&self, at: At, out: &mut Output) {
        // As JSON text in one string, written straight from the ids (one allocation, not one per id).
        let mut list = String::with_capacity(2 + 32 * self.0.len());
        write_joined(&mut list, ['[', ']'], &self.0, |id, out| {
            out.push_str("{\"id\":\"");
            id.write_waha(out);
            out.push_str("\"}");
        });
        out.body.push((at.key, Json::Text(list)));
    }

    fn people(&self) -> Option<&[ParticipantId]> {
        Some(&self.0)
    }

    fn units(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }
}

impl Field for InviteCode {
    fn read(at: At, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Self> {
        if at.place == Place::Query {
            let code = input.query.one(at.key, "an invite code or link", errors, |s| Some(s.to_owned())).ok()?;
            let Some(code) = code else {
                errors.push(FieldError::parameter(at.key, ErrorCode::MissingField, format!("{}: required", at.key)));
                return None;
            };
            let parsed = InviteCode::parse_code_or_link(&code)
                .map_err(|(c, why)| FieldError::parameter(at.key, c, format!("{}: {why}", at.key)));
            return errors.take(parsed);
        }
        let code = input.body.string(at.key, errors)?;
        let pointer = input.body.pointer_of(at.key);
        errors.take(InviteCode::parse_code_or_link(code).map_err(|(c, why)| {
            let detail = format!("{pointer}: {why}");
            FieldError::body(pointer, c, detail)
        }))
    }

    fn write(&self, at: At, out: &mut Output) {
        match at.place {
            Place::Query => out.query.0.push((at.key.to_owned(), self.to_string())),
            _ => out.body.push((at.key, Json::Str(self.to_string()))),
        }
    }
}

impl Field for PictureFile {
    fn read(at: At, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Self> {
        let file = input.body.object(at.key, &["mimetype", "url", "data", "filename"], errors)?;
        let mimetype = file.string("mimetype", errors);
        let url = file.optional_string("url", errors);
        let data = file.optional_string("data", errors);
        let filename = file.optional_string("filename", errors);
        let (url, data, filename) = (url.ok()?, data.ok()?, filename.ok()?);
        PictureFile::validate(mimetype?, url, data, filename, &input.body.pointer_of(at.key), errors)
    }

    fn write(&self, at: At, out: &mut Output) {
        let mut fields = vec![("mimetype", Json::Str(self.mimetype.clone()))];
        match &self.source {
            PictureSource::Url(url) => fields.push(("url", Json::Str(url.clone()))),
            PictureSource::Data(data) => fields.push(("data", Json::Str(data.clone()))),
        }
        if let Some(name) = &self.filename {
            fields.push(("filename", Json::Str(name.clone())));
        }
        out.body.push((at.key, Json::Object(fields)));
    }
}

/// A required boolean body field (a setting's new value).
impl Field for bool {
    fn read(at: At, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Self> {
        input.body.boolean(at.key, errors)
    }

    fn write(&self, at: At, out: &mut Output) {
        out.body.push((at.key, Json::Bool(*self)));
    }
}

/// An optional boolean query parameter (`refresh=true`); it counts one unit when `true`.
impl Field for Option<bool> {
    fn read(at: At, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Self> {
        input.query.one(at.key, "true or false", errors, parse_bool).ok()
    }

    fn write(&self, at: At, out: &mut Output) {
        if let Some(value) = self {
            out.query.0.push((at.key.to_owned(), value.to_string()));
        }
    }

    fn units(&self) -> u32 {
        u32::from(*self == Some(true))
    }
}
