//! How each browser method's arguments become the WAHA-shaped parts of a call (group segment,
//! query pairs, JSON body), which the core's field readers then validate. Most fields go where
//! their place says; the few whose JavaScript shape differs from the wire say how.

use super::errors::{get, set};
use crate::ids::GroupId;
use crate::invite::InviteCode;
use crate::ops::field::{At, Description, People, Place, Subject};
use crate::ops::query::{ListGroupsQuery, EXCLUDE, LIMIT, OFFSET, SORT_BY, SORT_ORDER};
use crate::picture::PictureFile;
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
}

impl Call {
    fn body_field(&mut self, key: &str, value: &JsValue) {
        let body = self.body.get_or_insert_with(|| Object::new().into());
        set(body, key, value);
    }
}

/// A field's browser argument.
pub(crate) trait Argument {
    /// Puts the argument `value` where the field sits.
    fn put(value: JsValue, at: At, call: &mut Call) {
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
    fn put(value: JsValue, at: At, call: &mut Call) {
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
    fn put(query: JsValue, _: At, call: &mut Call) {
        let exclude = match get(&query, "excludeParticipants") {
            v if v.as_bool() == Some(true) => JsValue::from_str("participants"),
            v if v.as_bool() == Some(false) => JsValue::UNDEFINED,
            other => other,
        };
        for name in [LIMIT, OFFSET, SORT_BY, SORT_ORDER] {
            call.query.push((name, get(&query, name)));
        }
        call.query.push((EXCLUDE, exclude));
    }
}

/// `{refresh}` → `refresh=…`.
impl Argument for Option<bool> {
    fn put(query: JsValue, at: At, call: &mut Call) {
        call.query.push((at.key, get(&query, at.key)));
    }
}
