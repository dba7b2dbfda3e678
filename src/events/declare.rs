//! `webhook_type!`: one declaration per webhook type, from which everything about it follows.
//!
//! ```text
//! webhook_type! {
//!     /// Doc of the type (Rust and TypeScript).
//!     #[derive(Debug, Clone, PartialEq)]
//!     pub struct GroupLeaveEvent as "GroupLeavePayload" {
//!         /// Doc of the field (Rust and TypeScript).
//!         timestamp: u64 => "timestamp": "number",
//!         /// `name?:` marks an optional field: `Option<T>` in Rust, `key?:` in TypeScript.
//!         data?: Value => "_data": "unknown",
//!     }
//! }
//! ```
//!
//! Each field is its Rust name, its type, its wire key and its TypeScript type. The declaration
//! generates
//! - the struct, with its derives;
//! - its reader (`FromJson`, fields read in declaration order, so the first error is the first
//!   bad field) and its writer (`ToValue`: wire keys, absent optional fields left out);
//! - with the `browser` feature, its JS hand-off (`ToJs`: a plain object, absent optional fields
//!   left out) and, when the type has a TypeScript name, its `export interface` as a
//!   `typescript_custom_section` (a type without one is spelled inline where it is used).
//!
//! How each field type is read, written and handed to JS is its `WireValue` / `ToValue` / `ToJs`
//! impl; optional fields go through the `Option` impls of `WireField` / `ToMember` / `JsField`.

/// Declares one webhook type; see the module documentation.
macro_rules! webhook_type {
    // An optional field, `name?: Type => "key": "ts"`: normalized to `Option<Type>`, `key?` in
    // TypeScript.
    (@fields $head:tt [$($done:tt)*]
        $(#[doc = $doc:literal])+
        $field:ident ?: $ty:ty => $key:literal : $ts:literal,
        $($rest:tt)*
    ) => {
        webhook_type!(@fields $head [$($done)* [
            [$($doc)+] $field [Option<$ty>] $key "?" $ts
        ]] $($rest)*);
    };
    // A required field, `name: Type => "key": "ts"`.
    (@fields $head:tt [$($done:tt)*]
        $(#[doc = $doc:literal])+
        $field:ident : $ty:ty => $key:literal : $ts:literal,
        $($rest:tt)*
    ) => {
        webhook_type!(@fields $head [$($done)* [[$($doc)+] $field [$ty] $key "" $ts]] $($rest)*);
    };
    // Every field normalized: the items.
    (@fields [[$($doc:literal)+] [$($derive:ident),*] $name:ident [$($ts_name:literal)?]]
        [$([[$($field_doc:literal)+] $field:ident [$ty:ty] $key:literal $optional:literal $ts:literal])*]
    ) => {
        $(#[doc = $doc])+
        #[derive($($derive),*)]
        pub struct $name {
            $(
                $(#[doc = $field_doc])+
                pub $field: $ty,
            )*
        }

        impl $crate::events::read::FromJson for $name {
            fn from_json(fields: &mut $crate::events::read::Fields) -> Self {
                $name { $($field: fields.field($key),)* }
            }
        }

        impl $crate::events::write::ToValue for $name {
            fn to_value(&self) -> $crate::events::Value {
                $crate::events::write::object(vec![
                    $(($key, $crate::events::write::ToMember::to_member(&self.$field)),)*
                ])
            }
        }

        impl $crate::events::read::WireValue for $name {
            fn from_value(value: $crate::events::Value, parent: &$crate::events::read::Fields, key: &str) -> Result<Self, String> {
                $crate::events::read::read(value, parent.at(key))
            }

            fn placeholder() -> Self {
                $name { $($field: $crate::events::read::WireField::placeholder(),)* }
            }
        }

        #[cfg(feature = "browser")]
        impl $crate::browser::webhook::ToJs for $name {
            fn to_js(&self) -> ::wasm_bindgen::JsValue {
                use $crate::browser::webhook::{first_in_js, new_object, put, JsField};
                let object = new_object();
                // Two passes over the fields, decided at compile time: `timestamp` and `_data` lead.
                $(if const { first_in_js($key) } { put(&object, $key, self.$field.as_js()); })*
                $(if const { !first_in_js($key) } { put(&object, $key, self.$field.as_js()); })*
                object
            }
        }

        webhook_type!(@typescript [$($ts_name)?] [$($doc)+] $([[$($field_doc)+] $key $optional $ts])*);
    };
    // No TypeScript name: the type is spelled inline where it is used.
    (@typescript [] $($unused:tt)*) => {};
    (@typescript [$ts_name:literal] [$($doc:literal)+] $([[$($field_doc:literal)+] $key:literal $optional:literal $ts:literal])*) => {
        #[cfg(feature = "browser")]
        const _: () = {
            #[::wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
            const TS_INTERFACE: &'static str = concat!(
                "/**", $($doc,)+ " */\nexport interface ", $ts_name, " {\n",
                $("  /**", $($field_doc,)+ " */\n  ", $key, $optional, ": ", $ts, ";\n",)*
                "}"
            );
        };
    };
    // The entry: the type's docs, its derives, its name and, optionally, its TypeScript name.
    (
        $(#[doc = $doc:literal])+
        #[derive($($derive:ident),* $(,)?)]
        pub struct $name:ident $(as $ts_name:literal)? { $($fields:tt)* }
    ) => {
        webhook_type!(@fields [[$($doc)+] [$($derive),*] $name [$($ts_name)?]] [] $($fields)*);
    };
}
