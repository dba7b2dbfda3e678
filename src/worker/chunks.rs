//! A body read chunk by chunk through the runtime's stream reader (for bodies of no declared
//! length, counted while they are read).

use super::task::settled;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ReadableStream, ReadableStreamDefaultReader};

/// The chunks of one body stream, in order.
pub struct Chunks(ReadableStreamDefaultReader);

impl Chunks {
    /// Locks `stream` for reading.
    pub fn new(stream: &ReadableStream) -> Self {
        Chunks(stream.get_reader().unchecked_into())
    }

    /// The next chunk's bytes (`None`: the body ended).
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, JsValue> {
        let read = settled(self.0.read()).await?;
        if Reflect::get(&read, &JsValue::from_str("done"))?.is_truthy() {
            return Ok(None);
        }
        let chunk = Reflect::get(&read, &JsValue::from_str("value"))?;
        Ok(Some(Uint8Array::new(&chunk).to_vec()))
    }
}
