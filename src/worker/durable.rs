//! The runtime's Durable Object objects, bound with `wasm_bindgen`: a namespace and its stubs
//! (the Worker's side), an object's state and SQL storage (the object's side).

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

#[wasm_bindgen]
extern "C" {
    /// A Durable Object namespace binding.
    pub type ObjectNamespace;

    /// The id of the object named `name`.
    #[wasm_bindgen(method, catch, js_name = idFromName)]
    pub fn id_from_name(this: &ObjectNamespace, name: &str) -> Result<JsValue, JsValue>;

    /// The stub of the object `id`.
    #[wasm_bindgen(method, catch)]
    pub fn get(this: &ObjectNamespace, id: &JsValue) -> Result<ObjectStub, JsValue>;

    /// A stub: calls one object.
    pub type ObjectStub;

    /// Sends the object a request for `url` with `init`.
    #[wasm_bindgen(method, catch)]
    pub fn fetch(this: &ObjectStub, url: &str, init: &web_sys::RequestInit) -> Result<Promise, JsValue>;

    /// An object's state, as its constructor receives it.
    pub type ObjectState;

    #[wasm_bindgen(method, getter)]
    fn storage(this: &ObjectState) -> ObjectStorage;

    type ObjectStorage;

    #[wasm_bindgen(method, getter)]
    fn sql(this: &ObjectStorage) -> SqlStorage;

    /// An object's SQLite storage.
    #[derive(Clone)]
    pub type SqlStorage;

    #[wasm_bindgen(method, catch, variadic, js_name = exec)]
    fn exec_cursor(this: &SqlStorage, query: &str, bindings: &[JsValue]) -> Result<SqlCursor, JsValue>;

    type SqlCursor;

    #[wasm_bindgen(method, js_name = toArray)]
    fn to_array(this: &SqlCursor) -> Array;
}

impl ObjectState {
    /// The object's SQL storage.
    pub fn sql(&self) -> SqlStorage {
        self.storage().sql()
    }
}

impl SqlStorage {
    /// Runs `query` with `bindings` for its `?`s; the rows it gives, as objects.
    pub fn exec(&self, query: &str, bindings: &[JsValue]) -> Result<Array, JsValue> {
        self.exec_cursor(query, bindings).map(|cursor| cursor.to_array())
    }
}
