//! [`Value`] to and from serde, for native users of the typed webhook events (their
//! `Serialize` and `Deserialize`). The browser module never calls these, so it links neither.

use super::{Object, Value};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::borrow::Cow;

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            // Written as it was read (a raw value to serde_json; other serializers get the f64):
            // a number beyond f64's precision writes back as itself.
            Value::Number(text) => match serde_json::value::RawValue::from_string(text.to_string()) {
                Ok(raw) => raw.serialize(serializer),
                Err(_) => serializer.serialize_f64(text.parse().unwrap_or(f64::NAN)),
            },
            Value::String(text) => serializer.serialize_str(text),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                items.iter().try_for_each(|item| seq.serialize_element(item))?;
                seq.end()
            }
            Value::Object(object) => object.serialize(serializer),
        }
    }
}

impl Serialize for Object<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        self.iter().try_for_each(|(key, value)| map.serialize_entry(key, value))?;
        map.end()
    }
}

impl From<serde_json::Value> for Value<'static> {
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(Cow::Owned(n.to_string())),
            serde_json::Value::String(text) => Value::String(Cow::Owned(text)),
            serde_json::Value::Array(items) => Value::Array(items.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(map) => {
                Value::Object(Object(map.into_iter().map(|(k, v)| (Cow::Owned(k), Value::from(v))).collect()))
            }
        }
    }
}
