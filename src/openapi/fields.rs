//! Each field type of the operation table describes its own schema and place: a path or query
//! parameter, or a key of the JSON body, with the limits the validator enforces.

use super::patterns;
use crate::ids::GroupId;
use crate::invite::InviteCode;
use crate::limits::{
    Limits, INVITE_LINK_MAX, PICTURE_FILENAME_MAX, PICTURE_MAX_BYTES, PICTURE_MIMETYPES, PICTURE_URL_MAX,
};
use crate::ops::field::{At, Description, People, Place, Subject};
use crate::ops::query::{
    ListGroupsQuery, SortBy, SortOrder, EXCLUDE, EXCLUDE_PARTICIPANTS, LIMIT, OFFSET, SORT_BY, SORT_ORDER,
};
use crate::picture::PictureFile;
use serde_json::{json, Map, Value};

/// What one operation's fields make of its request: parameters and the body object's schema.
#[derive(Debug, Default)]
pub struct RequestShape {
    /// OpenAPI parameter objects (path and query), in the table's order.
    pub parameters: Vec<Value>,
    /// The body's properties, by key.
    pub properties: Map<String, Value>,
    /// The body keys that must be present.
    pub required: Vec<&'static str>,
}

impl RequestShape {
    /// Adds `schema` at `at`: a parameter, or a body property.
    pub fn add(&mut self, at: At, required: bool, schema: Value) {
        match at.place {
            Place::Body => {
                self.properties.insert(at.key.to_owned(), schema);
                if required {
                    self.required.push(at.key);
                }
            }
            Place::Path => self.parameters.push(parameter(at.key, "path", true, schema)),
            Place::Query => self.parameters.push(parameter(at.key, "query", required, schema)),
        }
    }

    /// The body's schema (`None`: the operation takes no body).
    pub fn body(&self) -> Option<Value> {
        (!self.properties.is_empty()).then(|| {
            json!({
                "type": "object",
                "properties": self.properties,
                "required": self.required,
                "additionalProperties": false,
            })
        })
    }
}

/// An OpenAPI parameter object.
pub fn parameter(name: &str, place: &str, required: bool, schema: Value) -> Value {
    json!({ "name": name, "in": place, "required": required, "schema": schema })
}

/// A field type that can say what it looks like on the wire.
pub trait Describe {
    /// Adds the field, at `at`, to `shape`, with the limits in force.
    fn describe(at: At, required: bool, limits: &Limits, shape: &mut RequestShape);
}

impl Describe for GroupId {
    fn describe(at: At, required: bool, _: &Limits, shape: &mut RequestShape) {
        let schema = json!({ "type": "string", "pattern": patterns::group_id(), "description": "A group id." });
        shape.add(at, required, schema);
    }
}

impl Describe for Subject {
    fn describe(at: At, required: bool, limits: &Limits, shape: &mut RequestShape) {
        let mut schema = text(limits.subject_max, "SUBJECT_MAX_LENGTH", "The subject: something visible");
        schema["minLength"] = json!(1);
        schema["pattern"] = json!(patterns::visible());
        shape.add(at, required, schema);
    }
}

impl Describe for Description {
    fn describe(at: At, required: bool, limits: &Limits, shape: &mut RequestShape) {
        let what = "The description (`\"\"` clears it)";
        shape.add(at, required, text(limits.description_max, "DESCRIPTION_MAX_LENGTH", what));
    }
}

/// A text of at most `max` UTF-16 code units (`within_length`), the value of `setting`.
fn text(max: usize, setting: &str, what: &str) -> Value {
    let description = format!("{what}, at most {max} UTF-16 code units (`{setting}`).");
    json!({ "type": "string", "maxLength": max, "description": description })
}

impl Describe for People {
    fn describe(at: At, required: bool, limits: &Limits, shape: &mut RequestShape) {
        let schema = json!({
            "type": "array",
            "minItems": 1,
            "maxItems": limits.participants_per_request,
            "uniqueItems": true,
            "items": {
                "type": "object",
                "properties": { "id": { "type": "string", "pattern": patterns::participant_id() } },
                "required": ["id"],
                "additionalProperties": false,
            },
            "description": format!(
                "The people, each once, at most {} (`MAX_PARTICIPANTS_PER_REQUEST`). A number's \
                 `<digits>@s.whatsapp.net` spelling is accepted too, as the same person as `<digits>@c.us`.",
                limits.participants_per_request
            ),
        });
        shape.add(at, required, schema);
    }
}

impl Describe for InviteCode {
    fn describe(at: At, required: bool, _: &Limits, shape: &mut RequestShape) {
        let schema = json!({
            "type": "string",
            "anyOf": [
                { "pattern": patterns::invite_code() },
                { "pattern": patterns::invite_link(), "maxLength": INVITE_LINK_MAX },
            ],
            "description": "An invite code or an invite link.",
        });
        shape.add(at, required, schema);
    }
}

impl Describe for PictureFile {
    fn describe(at: At, required: bool, _: &Limits, shape: &mut RequestShape) {
        let schema = json!({
            "type": "object",
            "properties": {
                "mimetype": { "type": "string", "enum": PICTURE_MIMETYPES },
                "url": {
                    "type": "string",
                    "maxLength": PICTURE_URL_MAX,
                    "pattern": patterns::https_url(),
                    "description": "An https URL of a public host, without credentials; the gateway downloads it.",
                },
                "data": {
                    "type": "string",
                    "minLength": 4,
                    "maxLength": PICTURE_MAX_BYTES.div_ceil(3) * 4,
                    "pattern": "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$",
                    "description": format!("Standard padded base64 of at most {PICTURE_MAX_BYTES} bytes."),
                },
                "filename": { "type": "string", "maxLength": PICTURE_FILENAME_MAX, "pattern": "^[^/\\\\\\u0000]*$" },
            },
            "required": ["mimetype"],
            "oneOf": [{ "required": ["url"] }, { "required": ["data"] }],
            "additionalProperties": false,
        });
        shape.add(at, required, schema);
    }
}

/// A setting's new value.
impl Describe for bool {
    fn describe(at: At, required: bool, _: &Limits, shape: &mut RequestShape) {
        shape.add(at, required, json!({ "type": "boolean" }));
    }
}

/// An optional boolean query parameter.
impl Describe for Option<bool> {
    fn describe(at: At, _: bool, _: &Limits, shape: &mut RequestShape) {
        shape.add(at, false, json!({ "type": "boolean" }));
    }
}

impl Describe for ListGroupsQuery {
    fn describe(at: At, _: bool, _: &Limits, shape: &mut RequestShape) {
        let count = json!({ "type": "integer", "minimum": 0, "maximum": u32::MAX });
        let sort_by: Vec<_> = SortBy::ALL.iter().map(|v| v.as_str()).collect();
        let sort_order: Vec<_> = SortOrder::ALL.iter().map(|v| v.as_str()).collect();
        for (key, schema) in [
            (LIMIT, count.clone()),
            (OFFSET, count),
            (SORT_BY, json!({ "type": "string", "enum": sort_by })),
            (SORT_ORDER, json!({ "type": "string", "enum": sort_order })),
            (EXCLUDE, json!({ "type": "string", "enum": [EXCLUDE_PARTICIPANTS] })),
        ] {
            shape.add(At { key, ..at }, false, schema);
        }
    }
}
