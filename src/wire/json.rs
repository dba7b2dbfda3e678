//! A small JSON reader (RFC 8259) and its [`Value`], which writes itself back. Strings without
//! escapes are borrowed from the text, objects are key lists sorted once (a repeated key keeps its
//! last value), and numbers stay as their text: nothing is formatted and no float is parsed.

use std::borrow::Cow;

mod value;

pub use value::{Object, Value, EMPTY_OBJECT};

/// Deepest nesting of arrays and objects accepted.
const DEPTH_MAX: usize = 128;

/// Where a text stops being JSON: 1-based line and column (in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    /// The line.
    pub line: usize,
    /// The column.
    pub column: usize,
}

/// Reads `text` as one JSON value (whitespace around it allowed).
pub fn parse(text: &str) -> Result<Value<'_>, SyntaxError> {
    let mut reader = Reader { text, bytes: text.as_bytes(), pos: 0 };
    let value = reader.value(0).and_then(|value| {
        reader.skip_whitespace();
        if reader.pos == reader.bytes.len() {
            Ok(value)
        } else {
            Err(Invalid)
        }
    });
    value.map_err(|Invalid| syntax_error_at(text.as_bytes(), reader.pos))
}

/// Reads `bytes` as one JSON value in UTF-8; bytes that are not UTF-8 stop it where they start.
pub fn parse_bytes(bytes: &[u8]) -> Result<Value<'_>, SyntaxError> {
    let text = std::str::from_utf8(bytes).map_err(|e| syntax_error_at(bytes, e.valid_up_to()))?;
    parse(text)
}

/// The line and column of byte `pos` of `bytes`.
fn syntax_error_at(bytes: &[u8], pos: usize) -> SyntaxError {
    let before = &bytes[..pos.min(bytes.len())];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    SyntaxError { line, column: before.len() - line_start + 1 }
}

/// The text is not JSON at the reader's position.
struct Invalid;

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

// The two smallest readers are inlined everywhere: as calls, they were a fifth of the parse
// (criterion + perf, opt-level "z").
impl<'a> Reader<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.pos += usize::from(found);
        found
    }

    fn expect(&mut self, byte: u8) -> Result<(), Invalid> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    fn skip_whitespace(&mut self) {
        while self.pos < self.bytes.len() && matches!(self.bytes[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>, Invalid> {
        self.skip_whitespace();
        let nested = matches!(self.peek(), Some(b'[' | b'{'));
        if nested && depth == DEPTH_MAX {
            return Err(Invalid);
        }
        match self.peek() {
            Some(b'{') => self.object(depth + 1).map(Value::Object),
            Some(b'[') => self.array(depth + 1).map(Value::Array),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(Invalid),
        }
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Result<Value<'a>, Invalid> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(Invalid)
        }
    }

    /// `[` was seen.
    fn array(&mut self, depth: usize) -> Result<Vec<Value<'a>>, Invalid> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat(b']') {
            return Ok(items);
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            if !self.eat(b',') {
                self.expect(b']')?;
                return Ok(items);
            }
        }
    }

    /// `{` was seen.
    fn object(&mut self, depth: usize) -> Result<Object<'a>, Invalid> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.eat(b'}') {
            return Ok(Object::default());
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(Invalid);
            }
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(b':')?;
            members.push((key, self.value(depth)?));
            self.skip_whitespace();
            if !self.eat(b',') {
                self.expect(b'}')?;
                return Ok(Object::from_members(members));
            }
        }
    }

    /// At the opening quote.
    fn string(&mut self) -> Result<Cow<'a, str>, Invalid> {
        self.pos += 1;
        let start = self.pos;
        self.skip_plain();
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                Ok(Cow::Borrowed(&self.text[start..self.pos - 1]))
            }
            Some(b'\\') => {
                let mut text = self.text[start..self.pos].to_owned();
                self.escaped(&mut text)?;
                Ok(Cow::Owned(text))
            }
            _ => Err(Invalid),
        }
    }

    /// Moves past characters that stand for themselves in a string.
    fn skip_plain(&mut self) {
        // An index loop: at `opt-level = "z"` the closure of `is_some_and` stays a call per byte.
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            self.pos += 1;
        }
    }

    /// The rest of a string from its first backslash, unescaped into `text`.
    fn escaped(&mut self, text: &mut String) -> Result<(), Invalid> {
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    text.push(self.escape()?);
                }
                _ => return Err(Invalid),
            }
            let start = self.pos;
            self.skip_plain();
            text.push_str(&self.text[start..self.pos]);
        }
    }

    /// The character of the escape after a backslash.
    fn escape(&mut self) -> Result<char, Invalid> {
        let byte = self.peek().ok_or(Invalid)?;
        self.pos += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => return Err(Invalid),
        })
    }

    /// After `\u`: one code point, a surrogate pair taking two escapes.
    fn unicode_escape(&mut self) -> Result<char, Invalid> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(Invalid);
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(Invalid);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(Invalid),
            _ => first,
        };
        char::from_u32(code).ok_or(Invalid)
    }

    fn hex4(&mut self) -> Result<u32, Invalid> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16)).ok_or(Invalid)?;
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Value<'a>, Invalid> {
        let start = self.pos;
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return Err(Invalid);
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(Invalid);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            let _sign = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return Err(Invalid);
            }
        }
        Ok(Value::Number(Cow::Borrowed(&self.text[start..self.pos])))
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }
}

/// For tests, which build their JSON with serde_json's `json!`: a serde_json value as a [`Value`]
/// and back, through its text.
#[cfg(test)]
pub(crate) mod serde_text {
    use super::{parse, Value};

    /// `value` as the reader reads its text.
    pub fn ours(value: &serde_json::Value) -> Value<'static> {
        parse(&value.to_string()).expect("serde_json writes JSON").into_owned()
    }

    /// `value` as serde_json reads its text.
    pub fn theirs(value: &Value<'_>) -> serde_json::Value {
        serde_json::from_str(&value.render()).expect("a value writes JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every accepted text reads as serde_json reads it, every refused one is refused by it too.
    #[test]
    fn agrees_with_serde_json() {
        let accepted = [
            r#"{"participants":[{"id":"15551234567@c.us"}],"x":null}"#,
            r#" { "a" : [ 1 , -2.5e+3 , 0 , true , false ] , "b" : { } , "c" : [ ] } "#,
            r#""q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#,
            r#"{"a":1,"a":2}"#,
            "-0.0E-0",
            "\"é ✓\"",
        ];
        for text in accepted {
            let ours = parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            let read: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(serde_text::theirs(&ours), read, "{text}");
        }
        let refused = [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "tru",
            "nul",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"a\nb\"",
            "\"open",
            "[1 2]",
            "{\"a\" 1}",
            "1 2",
            "[1]]",
            "NaN",
            "'a'",
        ];
        for text in refused {
            assert!(parse(text).is_err(), "accepted {text:?}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_err(), "serde_json accepts {text:?}");
        }
    }

    #[test]
    fn repeated_keys_keep_the_last_value_and_keys_are_sorted() {
        let Ok(Value::Object(object)) = parse(r#"{"b":1,"a":2,"b":3,"c":4,"b":5}"#) else { panic!("not an object") };
        assert_eq!(object.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(object.get("b"), Some(&Value::Number("5".into())));
        assert_eq!(object.get("z"), None);
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        assert!(matches!(parse(r#""plain é""#), Ok(Value::String(Cow::Borrowed("plain é")))));
        assert!(matches!(parse(r#""a\nb""#), Ok(Value::String(Cow::Owned(s))) if s == "a\nb"));
    }

    #[test]
    fn nesting_is_capped() {
        let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(parse(&deep(DEPTH_MAX)).is_ok());
        assert!(parse(&deep(DEPTH_MAX + 1)).is_err());
        assert!(parse(&deep(100_000)).is_err());
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(parse("{\n  \"a\": tru\n}"), Err(SyntaxError { line: 2, column: 8 }));
        assert_eq!(parse("[1,"), Err(SyntaxError { line: 1, column: 4 }));
    }
}
