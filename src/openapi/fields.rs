//! Each field type of the operation table describes its own schema and place: a path or query
//! parameter, or a key of the JSON body, with the limits the validator enforces.

use super::object;
use super::patterns;
use super::placeholder;
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
use crate::wire::record::Writer;

/// What one operation's fields make of its request: parameters and the body object's schema.
#[derive(Debug, Default)]
pub struct RequestShape {
    /// OpenAPI parameter objects (path and query, JSON text), in the table's order.
    pub parameters: Vec<String>,
    /// The body's properties: each key with its schema (JSON text).
    pub properties: Vec<(&'static str, String)>,
    /// The body keys that must be present.
    pub required: Vec<&'static str>,
}

impl RequestShape {
    /// Adds `schema` (JSON text) at `at`: a parameter, or a body property.
    pub fn add(&mut self, at: At, required: bool, schema: String) {
        match at.place {
            Place::Body => {
                self.properties.push((at.key, schema));
                if required {
                    self.required.push(at.key);
                }
            }
            Place::Path => self.parameters.push(parameter(at.key, "path", true, &schema)),
            Place::Query => self.parameters.push(parameter(at.key, "query", required, &schema)),
        }
    }

    /// The body's schema (`None`: the operation takes no body).
    pub fn body(&self) -> Option<String> {
        (!self.properties.is_empty()).then(|| {
            Writer::open()
                .string("type", "object")
                .raw("properties", &object(&self.properties))
                .strings("required", &self.required)
                .plain("additionalProperties", false)
                .finish()
        })
    }
}

/// An OpenAPI parameter object, with `schema` (JSON text).
pub fn parameter(name: &str, place: &str, required: bool, schema: &str) -> String {
    Writer::open().string("name", name).string("in", place).plain("required", required).raw("schema", schema).finish()
}

/// A field type that can say what it looks like on the wire.
pub trait Describe {
    /// Adds the field, at `at`, to `shape` (a configurable limit as its setting's placeholder).
    fn describe(at: At, required: bool, shape: &mut RequestShape);
}

impl Describe for GroupId {
    fn describe(at: At, required: bool, shape: &mut RequestShape) {
        let schema = Writer::open()
            .string("type", "string")
            .string("pattern", &patterns::group_id())
            .string("description", "A group id.");
        shape.add(at, required, schema.finish());
    }
}

impl Describe for Subject {
    fn describe(at: At, required: bool, shape: &mut RequestShape) {
        let what = "The subject: something visible";
        let schema =
            text(Limits::SUBJECT_MAX_SETTING, what).plain("minLength", 1).string("pattern", patterns::visible());
        shape.add(at, required, schema.finish());
    }
}

impl Describe for Description {
    fn describe(at: At, required: bool, shape: &mut RequestShape) {
        let what = "The description (`\"\"` clears it)";
        shape.add(at, required, text(Limits::DESCRIPTION_MAX_SETTING, what).finish());
    }
}

/// A text of at most the value of `setting` in UTF-16 code units (`within_length`): an open
/// schema, to add to.
fn text(setting: &str, what: &str) -> Writer {
    let max = placeholder(setting);
    let description = format!("{what}, at most {max} UTF-16 code units (`{setting}`).");
    Writer::open().string("type", "string").raw("maxLength", &max).string("description", &description)
}

impl Describe for People {
    fn describe(at: At, required: bool, shape: &mut RequestShape) {
        let id = Writer::open().string("type", "string").string("pattern", &patterns::participant_id());
        let person = Writer::open()
            .string("type", "object")
            .raw("properties", &Writer::open().raw("id", &id.finish()).finish())
            .strings("required", &["id"])
            .plain("additionalProperties", false);
        let setting = Limits::PARTICIPANTS_PER_REQUEST_SETTING;
        let max = placeholder(setting);
        let description = format!(
            "The people, each once, at most {max} (`{setting}`). A number's `<digits>@s.whatsapp.net` \
             spelling is accepted too, as the same person as `<digits>@c.us`."
        );
        let schema = Writer::open()
            .string("type", "array")
            .plain("minItems", 1)
            .raw("maxItems", &max)
            .plain("uniqueItems", true)
            .raw("items", &person.finish())
            .string("description", &description);
        shape.add(at, required, schema.finish());
    }
}

impl Describe for InviteCode {
    fn describe(at: At, required: bool, shape: &mut RequestShape) {
        let code = Writer::open().string("pattern", &patterns::invite_code()).finish();
        let link =
            Writer::open().string("pattern", &patterns::invite_link()).plain("maxLength", INVITE_LINK_MAX).finish();
        let schema = Writer::open()
            .string("type", "string")
            .raws("anyOf", &[code, link])
            .string("description", "An invite code or an invite link.");
        shape.add(at, required, schema.finish());
    }
}

impl Describe for PictureFile {
    fn describe(at: At, required: bool, shape: &mut RequestShape) {
        let mimetype = Writer::open().string("type", "string").strings("enum", &PICTURE_MIMETYPES);
        let url = Writer::open()
            .string("type", "string")
            .plain("maxLength", PICTURE_URL_MAX)
            .string("pattern", &patterns::https_url())
            .string("description", "An https URL of a public host, without credentials; the gateway downloads it.");
        let data = Writer::open()
            .string("type", "string")
            .plain("minLength", 4)
            .plain("maxLength", PICTURE_MAX_BYTES.div_ceil(3) * 4)
            .string("pattern", "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$")
            .string("description", &format!("Standard padded base64 of at most {PICTURE_MAX_BYTES} bytes."));
        let filename = Writer::open()
            .string("type", "string")
            .plain("maxLength", PICTURE_FILENAME_MAX)
            .string("pattern", "^[^/\\\\\\u0000]*$");
        let properties = Writer::open()
            .raw("mimetype", &mimetype.finish())
            .raw("url", &url.finish())
            .raw("data", &data.finish())
            .raw("filename", &filename.finish());
        let schema = Writer::open()
            .string("type", "object")
            .raw("properties", &properties.finish())
            .strings("required", &["mimetype"])
            .raw("oneOf", r#"[{"required":["url"]},{"required":["data"]}]"#)
            .plain("additionalProperties", false);
        shape.add(at, required, schema.finish());
    }
}

/// A setting's new value.
impl Describe for bool {
    fn describe(at: At, required: bool, shape: &mut RequestShape) {
        shape.add(at, required, BOOLEAN.to_owned());
    }
}

/// An optional boolean query parameter.
impl Describe for Option<bool> {
    fn describe(at: At, _: bool, shape: &mut RequestShape) {
        shape.add(at, false, BOOLEAN.to_owned());
    }
}

/// The schema of a boolean.
const BOOLEAN: &str = r#"{"type":"boolean"}"#;

impl Describe for ListGroupsQuery {
    fn describe(at: At, _: bool, shape: &mut RequestShape) {
        let count = || Writer::open().string("type", "integer").plain("minimum", 0).plain("maximum", u32::MAX);
        let one_of = |values: &[&str]| Writer::open().string("type", "string").strings("enum", values);
        shape.add(At { key: LIMIT, ..at }, false, count().finish());
        shape.add(At { key: OFFSET, ..at }, false, count().finish());
        shape.add(At { key: SORT_BY, ..at }, false, one_of(&SortBy::ALL.map(SortBy::as_str)).finish());
        shape.add(At { key: SORT_ORDER, ..at }, false, one_of(&SortOrder::ALL.map(SortOrder::as_str)).finish());
        shape.add(At { key: EXCLUDE, ..at }, false, one_of(&[EXCLUDE_PARTICIPANTS]).finish());
    }
}
