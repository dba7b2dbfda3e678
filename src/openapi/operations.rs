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
use serde_json::{json, Value};

/// The schema of a successful answer that the browser client decodes as `$decode`.
macro_rules! answer_schema {
    (Json) => {
        json!({})
    };
    (Nothing) => {
        json!({})
    };
    (GroupList) => {
        json!({ "type": ["array", "object"], "description": "The groups, as a list or a map by id." })
    };
    (Count) => {
        json!({ "type": "object", "properties": { "count": { "type": "integer", "minimum": 0 } }, "required": ["count"] })
    };
    (Invite) => {
        json!({
            "anyOf": [
                { "type": "string" },
                { "type": "object", "properties": { "code": { "type": "string" } }, "required": ["code"] },
            ],
            "description": "The invite code, or an object with it.",
        })
    };
    (Flag($key:literal)) => {
        json!({ "type": "object", "properties": { $key: { "type": "boolean" } }, "required": [$key] })
    };
}

macro_rules! describe_operations {
    ($(
        $(#[doc = $doc:tt])*
        $name:ident ($scope:ident) = $method:ident $path:literal -> $client:ident $ret:literal $decode:ident $(($decode_key:literal))? {
            $( $field:ident : $ty:ty = $place:ident $key:literal => $param:ident $ts:literal ),* $(,)?
        } {
            $( $ofield:ident : $oty:ty = $oplace:ident $okey:literal => $oparam:ident $ots:literal ),* $(,)?
        } [ $( $class:ident $(($per:ident))? ),* ] { $(reads $read:ident)? $(drops [ $($drop:ident),* ])? } $($idempotent:ident)?;
    )*) => {
        /// The operation's doc, from its row of the table.
        pub fn summary(kind: OperationKind) -> &'static str {
            match kind { $(OperationKind::$name => concat!($($doc),*).trim_ascii(),)* }
        }

        /// The schema of the operation's successful answer.
        pub fn answer(kind: OperationKind) -> Value {
            match kind { $(OperationKind::$name => answer_schema!($decode $(($decode_key))?),)* }
        }

        /// The parameters and body the operation's fields make, with `limits` in force.
        pub fn request(kind: OperationKind, limits: &Limits) -> RequestShape {
            let mut shape = RequestShape::default();
            match kind {
                $(OperationKind::$name => {
                    $( <$ty as Describe>::describe(At { place: Place::$place, key: $key }, true, limits, &mut shape); )*
                    $( <$oty as Describe>::describe(At { place: Place::$oplace, key: $okey }, false, limits, &mut shape); )*
                })*
            }
            shape
        }
    };
}

for_each_operation!(describe_operations);
