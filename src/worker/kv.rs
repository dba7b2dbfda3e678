//! Workers KV through the runtime's namespace object itself (`get`, `put`, `list`, `delete`),
//! bound with `wasm_bindgen`: the `worker` crate's `KvStore` converts options and list pages with
//! serde_wasm_bindgen, about 25 KB of wasm the Worker does not need for text values.

use super::runtime::{message, Env};
use super::task::settled;
use super::KV_BINDING;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    /// A KV namespace binding, as the runtime hands it over in `env`.
    #[derive(Clone)]
    type KvNamespace;

    #[wasm_bindgen(method, catch)]
    fn get(this: &KvNamespace, key: &str, options: &Object) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn put(this: &KvNamespace, key: &str, value: &str, options: &Object) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn list(this: &KvNamespace, options: &Object) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn delete(this: &KvNamespace, key: &str) -> Result<Promise, JsValue>;
}

/// The `GROUPGATE_KV` namespace; every call fails with a message (the runtime's error, as text).
#[derive(Clone)]
pub struct Kv(KvNamespace);

/// One page of `list`: the key names, and the cursor of the next page (`None`: the last page).
pub struct KeyPage {
    /// The names of the keys on this page.
    pub names: Vec<String>,
    /// Where the next page starts, if there is one.
    pub cursor: Option<String>,
}

impl Kv {
    /// The namespace bound as `GROUPGATE_KV` in `env`.
    pub fn open(env: &Env) -> Result<Self, String> {
        env.binding(KV_BINDING).map(Kv).ok_or_else(|| format!("invalid kv store: {KV_BINDING}"))
    }

    /// The text stored under `key` (`None`: absent).
    pub async fn get_text(&self, key: &str) -> Result<Option<String>, String> {
        let value = settle(self.0.get(key, &options(&[("type", JsValue::from_str("text"))]))).await?;
        Ok(value.as_string())
    }

    /// Stores `value` under `key` for `ttl_secs` seconds.
    pub async fn put(&self, key: &str, value: &str, ttl_secs: u64) -> Result<(), String> {
        let ttl = options(&[("expirationTtl", JsValue::from_f64(ttl_secs as f64))]);
        settle(self.0.put(key, value, &ttl)).await.map(drop)
    }

    /// Removes `key` (absent already is no error).
    pub async fn delete(&self, key: &str) -> Result<(), String> {
        settle(self.0.delete(key)).await.map(drop)
    }

    /// One page of the keys under `prefix`, from `cursor` on.
    pub async fn list(&self, prefix: &str, cursor: Option<String>) -> Result<KeyPage, String> {
        let mut fields = vec![("prefix", JsValue::from_str(prefix))];
        if let Some(cursor) = cursor {
            fields.push(("cursor", JsValue::from(cursor)));
        }
        let page = settle(self.0.list(&options(&fields))).await?;
        let keys: js_sys::Array = field(&page, "keys").dyn_into().map_err(|_| "KV list: no keys".to_owned())?;
        let names = keys.iter().filter_map(|k| field(&k, "name").as_string()).collect();
        let complete = field(&page, "list_complete").as_bool().unwrap_or(true);
        let cursor = if complete { None } else { field(&page, "cursor").as_string().filter(|c| !c.is_empty()) };
        Ok(KeyPage { names, cursor })
    }
}

/// An options object with `fields`.
fn options(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(name), value);
    }
    object
}

/// `object[name]` (`undefined` when absent or not an object).
fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Awaits a call's promise; a throw or a rejection becomes its message.
async fn settle(call: Result<Promise, JsValue>) -> Result<JsValue, String> {
    settled(call.map_err(|e| message(&e))?).await.map_err(|e| message(&e))
}
