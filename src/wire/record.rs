//! Small JSON records the Worker stores or sends itself (cache entries, idempotency records, the
//! quota objects' calls and answers), read with [`super::json`] and written by hand: serde
//! derives for them inline serde_json's typed deserializer (and `f64` formatting for its errors)
//! into the Worker. [`Writer`] also writes the OpenAPI document (`crate::openapi`).

use super::json::{parse, Object, Value};
use super::{json_string, write_joined};
use std::fmt::{Display, Write};
use std::str::FromStr;

/// The members of a record read from JSON text; every getter is `None` for a missing member or
/// one of another type.
pub struct Fields<'a>(Object<'a>);

impl<'a> Fields<'a> {
    /// Reads `text` as a JSON object.
    pub fn parse(text: &'a str) -> Option<Self> {
        match parse(text).ok()? {
            Value::Object(object) => Some(Fields(object)),
            _ => None,
        }
    }

    /// A number member, as `T` (`None` also when it does not fit `T`).
    pub fn number<T: FromStr>(&self, name: &str) -> Option<T> {
        match self.0.get(name)? {
            Value::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// A string member.
    pub fn string(&self, name: &str) -> Option<String> {
        self.0.get(name)?.as_str().map(str::to_owned)
    }

    /// A boolean member.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.0.get(name)?.as_bool()
    }

    /// An array of strings.
    pub fn strings(&self, name: &str) -> Option<Vec<String>> {
        match self.0.get(name)? {
            Value::Array(items) => items.iter().map(|item| item.as_str().map(str::to_owned)).collect(),
            _ => None,
        }
    }

    /// An optional member: `Some(None)` when it is absent or `null`, `None` when `read` refuses it.
    pub fn optional<T>(&self, name: &str, read: impl FnOnce(&Self, &str) -> Option<T>) -> Option<Option<T>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Some(None),
            Some(_) => read(self, name).map(Some),
        }
    }

    /// An object member.
    pub fn object(&self, name: &str) -> Option<Fields<'a>> {
        match self.0.get(name)? {
            Value::Object(object) => Some(Fields(object.clone())),
            _ => None,
        }
    }
}

/// A JSON object written member by member.
#[must_use]
pub struct Writer(String);

impl Writer {
    /// An empty object (with room for a log line's or a record's members, grown as needed).
    pub fn open() -> Self {
        let mut text = String::with_capacity(256);
        text.push('{');
        Writer(text)
    }

    fn name(&mut self, name: &str) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        json_string(name, &mut self.0);
        self.0.push(':');
        &mut self.0
    }

    /// A string member.
    pub fn string(mut self, name: &str, value: &str) -> Self {
        json_string(value, self.name(name));
        self
    }

    /// A number or boolean member (written with `Display`).
    pub fn plain(mut self, name: &str, value: impl Display) -> Self {
        // Writing into a `String` cannot fail.
        let _ = write!(self.name(name), "{value}");
        self
    }

    /// An optional member, `null` when absent.
    pub fn optional<T>(self, name: &str, value: Option<T>, write: impl FnOnce(Self, &str, T) -> Self) -> Self {
        match value {
            Some(value) => write(self, name, value),
            None => self.raw(name, "null"),
        }
    }

    /// An array of strings.
    pub fn strings(mut self, name: &str, values: &[impl AsRef<str>]) -> Self {
        write_joined(self.name(name), ['[', ']'], values, |value, out| json_string(value.as_ref(), out));
        self
    }

    /// An array of JSON texts, each written as is (objects from other `Writer`s).
    pub fn raws(mut self, name: &str, texts: &[impl AsRef<str>]) -> Self {
        write_joined(self.name(name), ['[', ']'], texts, |text, out| out.push_str(text.as_ref()));
        self
    }

    /// A member written as is (an object from another `Writer`, or `null`).
    pub fn raw(mut self, name: &str, json: &str) -> Self {
        self.name(name).push_str(json);
        self
    }

    /// The object's text.
    pub fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_it_reads() {
        let text = Writer::open()
            .string("s", "a \"quoted\"\nline")
            .plain("n", u64::MAX)
            .plain("b", true)
            .optional("none", None::<u32>, Writer::plain)
            .optional("some", Some("x"), Writer::string)
            .strings("list", &["p", "q"])
            .raws("texts", &["{}", "[1]"])
            .raw("inner", &Writer::open().plain("k", 7).finish())
            .finish();
        let f = Fields::parse(&text).unwrap();
        assert_eq!(f.string("s").as_deref(), Some("a \"quoted\"\nline"));
        assert_eq!(f.number::<u64>("n"), Some(u64::MAX));
        assert_eq!(f.bool("b"), Some(true));
        assert_eq!(f.optional("none", Fields::number::<u32>), Some(None));
        assert_eq!(f.optional("some", Fields::string), Some(Some("x".into())));
        assert_eq!(f.optional("absent", Fields::string), Some(None));
        assert_eq!(f.strings("list"), Some(vec!["p".into(), "q".into()]));
        assert!(text.contains(r#""texts":[{},[1]]"#));
        assert_eq!(f.object("inner").and_then(|i| i.number::<u8>("k")), Some(7));
    }

    #[test]
    fn refuses_members_of_another_type() {
        let f = Fields::parse(r#"{"n": "1", "s": 1, "big": 300, "list": [1], "o": 5, "neg": -1}"#).unwrap();
        assert_eq!(f.number::<u32>("n"), None);
        assert_eq!(f.string("s"), None);
        assert_eq!(f.number::<u8>("big"), None);
        assert_eq!(f.number::<u64>("neg"), None);
        assert_eq!(f.strings("list"), None);
        assert!(f.object("o").is_none());
        assert_eq!(f.optional("s", Fields::string), None, "present but not a string");
        assert!(Fields::parse("[1]").is_none());
        assert!(Fields::parse("{").is_none());
    }
}
