//! What the operation table says about each operation's request, derived from its rows: the
//! doc, and the parameters and body its fields make (each field type describes itself).

use super::fields::{Describe, RequestShape};
use crate::ids::GroupId;
use crate::invite::InviteCode;
use crate::limits::Limits;
use crate::ops::field::{At, Description, People, Place, Subject};
use crate::ops::query::ListGroupsQuery;
use crate::ops::table::for_each_operation;
use crate::ops::OperationKind;
use crate::picture::PictureFile;

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
