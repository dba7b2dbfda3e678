//! The JSON value the reader gives and the writer takes: numbers kept as their text, objects as
//! key lists sorted once (each key once), so a value is written back exactly as it was read.

use crate::order::sorted_positions;
use crate::wire::{json_string, write_joined};
use std::borrow::Cow;

/// A JSON value borrowing from the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(Cow<'a, str>),
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// An object.
    Object(Object<'a>),
}

impl<'a> Value<'a> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one written as a non-negative integer that fits a `u64` (`2.0`
    /// and `2e0` are not: no float is read).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&Vec<Value<'a>>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The items, to change, if this is an array.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value<'a>>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The members, to change, if this is an object.
    pub fn as_object_mut(&mut self) -> Option<&mut Object<'a>> {
        match self {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    /// An object of `members` in any order; of a repeated key, the last value is kept.
    pub fn object<K: Into<Cow<'a, str>>>(members: impl IntoIterator<Item = (K, Value<'a>)>) -> Self {
        Value::Object(members.into_iter().collect())
    }

    /// The member `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.as_object()?.get(key)
    }

    /// The value with everything it borrows copied.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Number(text) => Value::Number(Cow::Owned(text.into_owned())),
            Value::String(text) => Value::String(Cow::Owned(text.into_owned())),
            Value::Array(items) => Value::Array(items.into_iter().map(Value::into_owned).collect()),
            Value::Object(object) => Value::Object(object.into_owned()),
        }
    }

    /// The JSON type as an error message names it (`a string`, `an object`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The value as compact JSON text; numbers are written as they were read.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(text) => out.push_str(text),
            Value::String(text) => json_string(text, out),
            Value::Array(items) => write_joined(out, ['[', ']'], items, Value::write),
            Value::Object(object) => write_joined(out, ['{', '}'], &object.0, |(key, value), out| {
                json_string(key, out);
                out.push(':');
                value.write(out);
            }),
        }
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Value::String(Cow::Borrowed(text))
    }
}

impl From<String> for Value<'_> {
    fn from(text: String) -> Self {
        Value::String(Cow::Owned(text))
    }
}

impl From<u64> for Value<'_> {
    fn from(n: u64) -> Self {
        Value::Number(Cow::Owned(n.to_string()))
    }
}

/// A JSON object: its members sorted by key, each key once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Object<'a>(Vec<(Cow<'a, str>, Value<'a>)>);

/// The empty object.
pub static EMPTY_OBJECT: Object<'static> = Object(Vec::new());

impl<'a> Object<'a> {
    /// Sorts `members` by key; of a repeated key, the last value is kept.
    pub(super) fn from_members(mut members: Vec<(Cow<'a, str>, Value<'a>)>) -> Self {
        if members.len() > 1 {
            let order = sorted_positions(members.len(), &|a, b| members[a].0 <= members[b].0);
            let mut slots: Vec<Option<_>> = members.into_iter().map(Some).collect();
            members = order.into_iter().filter_map(|at| slots[at].take()).collect();
            // `dedup_by` keeps the first of a run: move the later value into it.
            members.dedup_by(|later, kept| {
                let repeated = later.0 == kept.0;
                if repeated {
                    std::mem::swap(later, kept);
                }
                repeated
            });
        }
        Object(members)
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    /// The value of `key`, to change or take.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value<'a>> {
        self.find(key).ok().map(|i| &mut self.0[i].1)
    }

    /// Sets `key` to `value`, in its place among the keys.
    pub fn insert(&mut self, key: impl Into<Cow<'a, str>>, value: Value<'a>) {
        let key = key.into();
        match self.find(&key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// Takes `key` out.
    pub fn remove(&mut self, key: &str) -> Option<Value<'a>> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    /// The keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    /// The members, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// The object with everything it borrows copied.
    pub fn into_owned(self) -> Object<'static> {
        Object(self.0.into_iter().map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned())).collect())
    }
}

/// An object of the members in any order; of a repeated key, the last value is kept.
impl<'a, K: Into<Cow<'a, str>>> FromIterator<(K, Value<'a>)> for Object<'a> {
    fn from_iter<I: IntoIterator<Item = (K, Value<'a>)>>(members: I) -> Self {
        Object::from_members(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::json::parse;

    #[test]
    fn writes_back_what_it_reads() {
        let big = format!("178000{}0000", "2".repeat(111));
        let text = format!(r#"{{"a":[1,-2.5e+3,0,true,false,null],"b":{{}},"c":[],"n":{big},"q":"\"\\\n\u0001é"}}"#);
        assert_eq!(parse(&text).unwrap().render(), text);
        assert_eq!(parse(" [ 1e400 , -0.0 ] ").unwrap().render(), "[1e400,-0.0]");
    }

    #[test]
    fn objects_stay_sorted_as_they_change() {
        let members = [("b", Value::from(1u64)), ("a", Value::from("x")), ("b", Value::from(2u64))];
        let Value::Object(mut object) = Value::object(members) else { unreachable!() };
        assert_eq!(Value::Object(object.clone()).render(), r#"{"a":"x","b":2}"#);
        object.insert("c", Value::Null);
        object.insert("a", Value::Bool(true));
        object.insert(String::from("0"), Value::Array(Vec::new()));
        assert_eq!(object.remove("b"), Some(Value::from(2u64)));
        assert_eq!(object.remove("z"), None);
        assert_eq!(Value::Object(object).render(), r#"{"0":[],"a":true,"c":null}"#);
    }

    #[test]
    fn only_plain_integers_read_as_u64() {
        for (text, want) in [("200", Some(200)), ("18446744073709551615", Some(u64::MAX))] {
            assert_eq!(parse(text).unwrap().as_u64(), want, "{text}");
        }
        for text in ["2.0", "2e0", "-1", "-0", "18446744073709551616", "\"2\""] {
            assert_eq!(parse(text).unwrap().as_u64(), None, "{text}");
        }
    }
}
