//! What the operation table says about each operation, derived from its rows: the doc, the
//! parameters and body its fields make (each field type describes itself), and the shape of its
//! successful answer, as the row's decode column reads it (the browser client's decoding).

use super::fields::RequestShape;
use crate::ops::field::At;

/// The schema (JSON text) of a successful answer that the browser client decodes as `$decode`.
macro_rules! answer_schema {
    (Object) => {
        r#"{"type":"object"}"#
    };
    (List) => {
        r#"{"type":"array"}"#
    };
    (Container) => {
        r#"{"type":["array","object"],"description":"The engine's own shape: a list, or an object."}"#
    };
    (PerPerson) => {
        r#"{"type":["array","object"],"description":"One result per person: a list, or the engine's own object (keyed by person, or one status for the call)."}"#
    };
    (Nothing) => {
        "{}"
    };
    (GroupList) => {
        r#"{"type":["array","object"],"description":"The groups, as a list or a map by id."}"#
    };
    (Count) => {
        r#"{"type":"object","properties":{"count":{"type":"integer","minimum":0}},"required":["count"]}"#
    };
    (Invite) => {
        concat!(
            r#"{"anyOf":[{"type":"string"},"#,
            r#"{"type":"object","properties":{"code":{"type":"string"}},"required":["code"]}],"#,
            r#""description":"The invite code, or an object with it."}"#,
        )
    };
    (Boolean) => {
        r#"{"type":"boolean","description":"false: WhatsApp did not let the session change it."}"#
    };
    (Flag($key:literal)) => {
        concat!(r#"{"type":"object","properties":{""#, $key, r#"":{"type":"boolean"}},"required":[""#, $key, r#""]}"#)
    };
}

/// The schema (JSON text) of a successful answer of an operation decoded as `$decode` that WAHA
/// may send as text (`text/html`: NestJS sends any answer that is not an object or array as
/// `String(value)`), if it may.
macro_rules! bare_text_answer {
    (Invite) => {
        Some(r#"{"type":"string","description":"The invite code, bare, as WAHA sends a string."}"#)
    };
    (Boolean) => {
        Some(r#"{"type":"string","enum":["true","false"],"description":"The boolean as text, as WAHA sends one."}"#)
    };
    (Nothing) => {
        Some(r#"{"type":"string","description":"WAHA's answer as text (a boolean, as NestJS sends one); nothing to read."}"#)
    };
    ($($other:tt)*) => {
        None
    };
}

/// [`Describe::describe`] of one field type.
pub(crate) type DescribeFn = fn(At, bool, &mut RequestShape);

/// What the description says of each operation, implemented for
/// [`OperationKind`](crate::ops::OperationKind) from the rows of the operation table
/// ([`describe_operations!`]).
pub trait Documented {
    /// The operation's doc, from its row of the table.
    fn summary(self) -> &'static str;
    /// The schema (JSON text) of the operation's successful answer.
    fn answer(self) -> &'static str;
    /// The schema (JSON text) of its successful answer as text (`text/html`), if WAHA may send it so.
    fn bare_text_answer(self) -> Option<&'static str>;
    /// The parameters and body the operation's fields make.
    fn request(self) -> RequestShape;
}

/// Implements [`Documented`] from the parts of every row it needs, in the table's order: doc,
/// decode column, and the type, place and wire key of each required and each optional field.
/// `define_operations` (`crate::ops::operation`), the one reader of the table's rows, hands them
/// over.
macro_rules! describe_operations {
    ($(
        [$($doc:literal)*] $decode:ident $(($decode_key:literal))?
        { $( $ty:ty = $place:ident $key:literal ),* } { $( $oty:ty = $oplace:ident $okey:literal ),* }
    )*) => {
        // The tables hold one entry per row, in the table's order, as `OperationKind` declares its
        // variants: a kind's discriminant is its row (data, where a `match` per kind is code).
        impl $crate::openapi::operations::Documented for $crate::ops::OperationKind {
            fn summary(self) -> &'static str {
                const SUMMARIES: &[&str] = &[$(concat!($($doc),*).trim_ascii(),)*];
                SUMMARIES[self as usize]
            }

            fn answer(self) -> &'static str {
                const ANSWERS: &[&str] = &[$($crate::openapi::operations::answer_schema!($decode $(($decode_key))?),)*];
                ANSWERS[self as usize]
            }

            fn bare_text_answer(self) -> Option<&'static str> {
                const BARE: &[Option<&str>] =
                    &[$($crate::openapi::operations::bare_text_answer!($decode $(($decode_key))?),)*];
                BARE[self as usize]
            }

            fn request(self) -> $crate::openapi::fields::RequestShape {
                use $crate::openapi::fields::Describe;
                use $crate::openapi::operations::DescribeFn;
                use $crate::ops::field::{At, Place};
                const FIELDS: &[&[(At, bool, DescribeFn)]] = &[$(&[
                    $( (At { place: Place::$place, key: $key }, true, <$ty as Describe>::describe), )*
                    $( (At { place: Place::$oplace, key: $okey }, false, <$oty as Describe>::describe), )*
                ],)*];
                let mut shape = $crate::openapi::fields::RequestShape::default();
                for &(at, required, describe) in FIELDS[self as usize] {
                    describe(at, required, &mut shape);
                }
                shape
            }
        }
    };
}
pub(crate) use {answer_schema, bare_text_answer, describe_operations};
