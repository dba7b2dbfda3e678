//! [`Operation`] and [`OperationKind`], derived from the rows of the operation table: the types,
//! reading every field (every invalid one recorded), writing them back, the group an operation
//! acts on, what it costs, the key scope it needs and the facts of its kind. `define_operations`
//! is the one reader of the rows: it also hands the OpenAPI description and the browser client
//! the parts of each row they derive their own code from.

use super::answer_shape::{answer_shape, AnswerShape};
use super::field::{At, Description, Field, Input, Output, People, Place, Subject};
use super::query::ListGroupsQuery;
use super::rate::{Charge, RateClass};
use super::table::for_each_operation;
use super::Method;
use crate::cache::CachedRead;
use crate::error::FieldErrors;
use crate::ids::{GroupId, ParticipantId};
use crate::invite::InviteCode;
use crate::keys::Scope;
use crate::picture::PictureFile;

/// Units of one charge: one per element of the named field, or one.
macro_rules! units {
    ($field:ident) => {
        Field::units($field)
    };
    () => {
        1
    };
}

/// `true` when the row carries the flag.
macro_rules! flag {
    ($flag:ident) => {
        true
    };
    () => {
        false
    };
}

macro_rules! define_operations {
    ($(
        $(#[doc = $doc:tt])*
        $name:ident ($scope:ident) = $method:ident $path:literal -> $client:ident $ret:literal $decode:ident $(($decode_key:literal))? {
            $( $field:ident : $ty:ty = $place:ident $key:literal => $param:ident $ts:literal ),* $(,)?
        } {
            $( $ofield:ident : $oty:ty = $oplace:ident $okey:literal => $oparam:ident $ots:literal ),* $(,)?
        } [ $( $class:ident $(($per:ident))? ),* ] { $(reads $read:ident)? $(drops [ $($drop:ident),* ])? } $($idempotent:ident)?;
    )*) => {
        /// A validated group operation, whatever the wire dialect. Field values are always valid;
        /// ids are normalized.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Operation {
            $(
                $(#[doc = $doc])*
                $name { $( #[doc = $key] $field: $ty, )* $( #[doc = $okey] $ofield: $oty, )* },
            )*
        }

        /// Which operation, without its values: what routing finds before anything is read.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum OperationKind {
            $( $(#[doc = $doc])* $name, )*
        }

        impl OperationKind {
            /// Every operation, in the table's order.
            pub const ALL: &'static [OperationKind] = &[$(OperationKind::$name),*];

            /// The browser client's method name, also the operation's name in logs (`setSubject`).
            pub fn client_name(self) -> &'static str {
                match self { $(OperationKind::$name => stringify!($client),)* }
            }

            /// WAHA's HTTP method for the operation.
            pub fn waha_method(self) -> Method {
                match self { $(OperationKind::$name => Method::$method,)* }
            }

            /// WAHA's path template under `/api/{session}` (`/groups/{id}/subject`).
            pub fn waha_template(self) -> &'static str {
                match self { $(OperationKind::$name => $path,)* }
            }

            /// The key scope the operation needs.
            pub fn scope(self) -> Scope {
                match self { $(OperationKind::$name => Scope::$scope,)* }
            }

            /// The rate-limit classes the operation spends from.
            pub fn rate_classes(self) -> &'static [RateClass] {
                match self { $(OperationKind::$name => &[$(RateClass::$class),*],)* }
            }

            /// The top-level shape of a successful answer (what the decode column promises).
            pub fn answer_shape(self) -> AnswerShape {
                match self { $(OperationKind::$name => answer_shape!($decode $(($decode_key))?),)* }
            }

            /// The edge-cache entry this operation reads, when it is a cached read.
            pub fn cached_read(self) -> Option<CachedRead> {
                match self { $(OperationKind::$name => None $(.or(Some(CachedRead::$read)))?,)* }
            }

            /// The cache entries of its group this operation makes stale once the upstream
            /// accepted it.
            pub fn invalidates(self) -> &'static [CachedRead] {
                match self { $(OperationKind::$name => &[$($(CachedRead::$drop),*)?],)* }
            }

            /// Whether an `Idempotency-Key` makes a replayed request answer from its record.
            pub fn idempotent(self) -> bool {
                match self { $(OperationKind::$name => flag!($($idempotent)?),)* }
            }

            /// The query parameters the operation accepts (others are refused).
            pub fn query_names(self) -> Vec<&'static str> {
                let mut names = Vec::new();
                match self {
                    $(OperationKind::$name => {
                        $( <$ty as Field>::query_names(At { place: Place::$place, key: $key }, &mut names); )*
                        $( <$oty as Field>::query_names(At { place: Place::$oplace, key: $okey }, &mut names); )*
                    })*
                }
                names
            }

            /// The body keys the operation accepts (none: it takes no body).
            pub fn body_keys(self) -> Vec<&'static str> {
                let mut keys = Vec::new();
                match self {
                    $(OperationKind::$name => {
                        $( <$ty as Field>::body_keys(At { place: Place::$place, key: $key }, &mut keys); )*
                        $( <$oty as Field>::body_keys(At { place: Place::$oplace, key: $okey }, &mut keys); )*
                    })*
                }
                keys
            }

            /// Reads the operation's fields from `input`, recording every invalid one.
            pub fn read(self, input: &mut Input<'_, '_>, errors: &mut FieldErrors) -> Option<Operation> {
                match self {
                    $(OperationKind::$name => {
                        $( let $field = <$ty as Field>::read(At { place: Place::$place, key: $key }, input, errors); )*
                        $( let $ofield = <$oty as Field>::read(At { place: Place::$oplace, key: $okey }, input, errors); )*
                        Some(Operation::$name { $( $field: $field?, )* $( $ofield: $ofield?, )* })
                    })*
                }
            }
        }

        impl Operation {
            /// The operation's kind.
            pub fn kind(&self) -> OperationKind {
                match self { $(Operation::$name { .. } => OperationKind::$name,)* }
            }

            /// The group the operation acts on, if any.
            pub fn group(&self) -> Option<&GroupId> {
                match self {
                    $(Operation::$name { $($field,)* $($ofield,)* } => {
                        None $( .or(Field::group($field)) )* $( .or(Field::group($ofield)) )*
                    })*
                }
            }

            /// The people the operation names (add, remove, promote, demote), if any.
            pub fn people(&self) -> Option<&[ParticipantId]> {
                match self {
                    $(Operation::$name { $($field,)* $($ofield,)* } => {
                        None $( .or(Field::people($field)) )* $( .or(Field::people($ofield)) )*
                    })*
                }
            }

            /// What the operation spends from each rate-limit class (classes of zero units left out).
            #[allow(unused_variables)]
            pub fn rate_charges(&self) -> Vec<Charge> {
                let charges: Vec<Charge> = match self {
                    $(Operation::$name { $($field,)* $($ofield,)* } => {
                        vec![$( Charge { class: RateClass::$class, cost: units!($($per)?) } ),*]
                    })*
                };
                charges.into_iter().filter(|c| c.cost > 0).collect()
            }

            /// Writes every field to `out`, in the table's order.
            pub fn write(&self, out: &mut Output) {
                match self {
                    $(Operation::$name { $($field,)* $($ofield,)* } => {
                        $( Field::write($field, At { place: Place::$place, key: $key }, out); )*
                        $( Field::write($ofield, At { place: Place::$oplace, key: $okey }, out); )*
                    })*
                }
            }
        }

        // Each other reader of the table gets the parts of every row it needs.
        $crate::openapi::operations::describe_operations! {
            $(
                [$($doc)*] $decode $(($decode_key))?
                { $( $ty = $place $key ),* } { $( $oty = $oplace $okey ),* }
            )*
        }
        #[cfg(feature = "browser")]
        $crate::browser::client::client_methods! {
            $(
                [$($doc)*] $name $client $ret $decode $(($decode_key))?
                { $( $ty = $place $key => $param $ts ),* } { $( $oty = $oplace $okey => $oparam $ots ),* }
            )*
        }
    };
}

for_each_operation!(define_operations);
