//! What the operation table says about each operation, derived from its rows: the doc, the
//! parameters and body its fields make (each field type describes itself), and the shape of its
//! successful answer, as the row's decode column reads it (the browser client's decoding).

use super::fields::{Describe, RequestShape};
use crate::ids::GroupId;
use crate::invite::InviteCode;
use crate::limits::Limits;
use crate::ops::field::{At, Description, People, Place, Subject};
use crate::ops::query::ListGroupsQuery;
use crate::ops::table::for_each_operation;
use crate::ops::OperationKind;
use crate::picture::PictureFile;

/// The schema (JSON text) of a successful answer that the browser client decodes as `$decode`.
macro_rules! answer_schema {
    (Json) => {
        "{}"
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
    (Flag($key:literal)) => {
        concat!(r#"{"type":"object","properties":{""#, $key, r#"":{"type":"boolean"}},"required":[""#, $key, r#""]}"#)
    };
}

/// [`Describe::describe`] of one field type.
type DescribeFn = fn(At, bool, &Limits, &mut RequestShape);

macro_rules! describe_operations {
    ($(
        $(#[doc = $doc:tt])*
        $name:ident ($scope:ident) = $method:ident $path:literal -> $client:ident $ret:literal $decode:ident $(($decode_key:literal))? {
            $( $field:ident : $ty:ty = $place:ident $key:literal => $param:ident $ts:literal ),* $(,)?
        } {
            $( $ofield:ident : $oty:ty = $oplace:ident $okey:literal => $oparam:ident $ots:literal ),* $(,)?
        } [ $( $class:ident $(($per:ident))? ),* ] { $(reads $read:ident)? $(drops [ $($drop:ident),* ])? } $($idempotent:ident)?;
    )*) => {
        // The tables below hold one entry per row, in the table's order, as `OperationKind`
        // declares its variants: a kind's discriminant is its row.

        /// The operation's doc, from its row of the table.
        pub fn summary(kind: OperationKind) -> &'static str {
            const SUMMARIES: &[&str] = &[$(concat!($($doc),*).trim_ascii(),)*];
            SUMMARIES[kind as usize]
        }

        /// The schema (JSON text) of the operation's successful answer.
        pub fn answer(kind: OperationKind) -> &'static str {
            const ANSWERS: &[&str] = &[$(answer_schema!($decode $(($decode_key))?),)*];
            ANSWERS[kind as usize]
        }

        /// The parameters and body the operation's fields make, with `limits` in force.
        pub fn request(kind: OperationKind, limits: &Limits) -> RequestShape {
            const FIELDS: &[&[(At, bool, DescribeFn)]] = &[$(&[
                $( (At { place: Place::$place, key: $key }, true, <$ty as Describe>::describe), )*
                $( (At { place: Place::$oplace, key: $okey }, false, <$oty as Describe>::describe), )*
            ],)*];
            let mut shape = RequestShape::default();
            for &(at, required, describe) in FIELDS[kind as usize] {
                describe(at, required, limits, &mut shape);
            }
            shape
        }
    };
}

for_each_operation!(describe_operations);
