//! How each browser method's arguments become the WAHA-shaped parts of a call (group segment,
//! query pairs, JSON body), which the core's field readers then validate. Most fields go where
//! their place says; the few whose JavaScript shape differs from the wire say how.

use super::errors::{get, set};
use crate::error::{ErrorCode, FieldError};
use crate::ids::GroupId;
use crate::invite::InviteCode;
use crate::ops::field::{At, Description, People, Place, Subject};
use crate::ops::query::{ListGroupsQuery, EXCLUDE, LIMIT, OFFSET, SORT_BY, SORT_ORDER};
use crate::picture::PictureFile;
use crate::wire::{joined, quoted};
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What one call sends, before validation.
#[derive(Default)]
pub(crate) struct Call {
    /// The `{id}` argument.
    pub group: Option<JsValue>,
    /// Query parameters, JS values still (the core judges them).
    pub query: Vec<(&'static str, JsValue)>,
    /// The body object, when a field goes there.
    pub body: Option<JsValue>,
    /// Arguments refused before the core sees them (an options argument that is no object).
    pub refused: Vec<FieldError>,
}

impl Call {
    /// An options argument as an object, `None` when absent or refused (the refusal kept).
    fn options(&mut self, value: JsValue, name: &str, known: &[&str]) -> Option<JsValue> {
        options_object(&value, name, known).map_err(|e| self.refused.push(e)).ok().flatten()
    }

    fn body_field(&mut self, key: &str, value: &JsValue) {
        let body = self.body.get_or_insert_with(|| Object::new().into());
        set(body, key, value);
    }
}

/// A field's browser argument.
pub(crate) trait Argument {
    /// Puts the argument `value`, the JS parameter `name`, where the field sits.
    fn put(value: JsValue, at: At, _name: &'static str, call: &mut Call) {
        match at.place {
            Place::Path => call.group = Some(value),
            Place::Query => call.query.push((at.key, value)),
            Place::Body => call.body_field(at.key, &value),
        }
    }
}

impl Argument for GroupId {}
impl Argument for Subject {}
impl Argument for Description {}
impl Argument for InviteCode {}
impl Argument for PictureFile {}
impl Argument for bool {}

/// People as strings or `{id}`: `["1555…@c.us", {id}]` → `[{id: "1555…@c.us"}, {id}]`; anything
/// else is left for the core to report at its pointer.
impl Argument for People {
    fn put(value: JsValue, at: At, _name: &'static str, call: &mut Call) {
        let list = match value.dyn_ref::<Array>() {
            Some(list) => list
                .iter()
                .map(|item| {
                    if !item.is_string() {
                        return item;
                    }
                    let entry: JsValue = Object::new().into();
                    set(&entry, "id", &item);
                    entry
                })
                .collect::<Array>()
                .into(),
            None => value,
        };
        call.body_field(at.key, &list);
    }
}

/// `{limit, offset, sortBy, sortOrder, excludeParticipants}` → the query of `GET /groups`.
impl Argument for ListGroupsQuery {
    fn put(query: JsValue, _: At, name: &'static str, call: &mut Call) {
        let known = [LIMIT, OFFSET, SORT_BY, SORT_ORDER, "excludeParticipants"];
        let Some(query) = call.options(query, name, &known) else { return };
        let exclude = match get(&query, "excludeParticipants").as_bool() {
            Some(true) => JsValue::from_str("participants"),
            Some(false) => JsValue::UNDEFINED,
            None if get(&query, "excludeParticipants").is_undefined() => JsValue::UNDEFINED,
            None => {
                let detail = "excludeParticipants: expected true or false";
                call.refused.push(FieldError::parameter("excludeParticipants", ErrorCode::InvalidType, detail));
                JsValue::UNDEFINED
            }
        };
        for name in [LIMIT, OFFSET, SORT_BY, SORT_ORDER] {
            call.query.push((name, get(&query, name)));
        }
        call.query.push((EXCLUDE, exclude));
    }
}

/// `{refresh}` → `refresh=…`.
impl Argument for Option<bool> {
    fn put(query: JsValue, at: At, name: &'static str, call: &mut Call) {
        let Some(query) = call.options(query, name, &[at.key]) else { return };
        call.query.push((at.key, get(&query, at.key)));
    }
}

/// An options argument `name`: `None` when `undefined` or `null`; anything but a non-array object
/// is refused (`invalid_type` on `name`), and so is an own key not in `known` (`unknown_field` on
/// the key), rather than silently ignored.
pub(crate) fn options_object(value: &JsValue, name: &str, known: &[&str]) -> Result<Option<JsValue>, FieldError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() || Array::is_array(value) {
        let detail = format!("{name}: expected an object {{{}}}", joined(known, ", "));
        return Err(FieldError::parameter(name, ErrorCode::InvalidType, detail));
    }
    if let Some(key) = unknown_key(value, name, known)? {
        let detail = format!("{}: not an option of {name} (expected {})", quoted(&key), joined(known, ", "));
        return Err(FieldError::parameter(key, ErrorCode::UnknownField, detail));
    }
    Ok(Some(value.clone()))
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Object.keys`, whose exception (a proxy's `ownKeys` trap) is caught.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
}

/// The first own enumerable key of the object `value` (the argument `name`) that is not in
/// `known`; refused as `invalid_type` when its keys cannot be read.
pub(crate) fn unknown_key(value: &JsValue, name: &str, known: &[&str]) -> Result<Option<String>, FieldError> {
    if !value.is_object() {
        return Ok(None);
    }
    let keys = object_keys(value).map_err(|_| {
        FieldError::parameter(name, ErrorCode::InvalidType, format!("{name}: its keys could not be read"))
    })?;
    Ok(keys.iter().filter_map(|k| k.as_string()).find(|k| !known.contains(&k.as_str())))
}
