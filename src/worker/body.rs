//! Reading a fetched answer's body under a size cap: refused as soon as it is larger, never held
//! whole in memory first.

use super::chunks::Chunks;
use super::http::body_bytes;

/// Why a body could not be read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRead {
    /// Larger than the cap (declared by `Content-Length`, or counted while reading).
    TooLarge,
    /// The connection broke, or the stream failed, before the end.
    Broken,
}

/// The length of the body a response delivers, as it declares it: its `Content-Length`, unless
/// the body is encoded (`Content-Encoding` other than `identity`): the runtime decodes it, and the
/// length counts the encoded bytes (a small gzip body may decode to gigabytes).
pub fn delivered_length<'a>(content_length: Option<&'a str>, content_encoding: Option<&str>) -> Option<&'a str> {
    let encoded = content_encoding.map(str::trim).is_some_and(|e| !e.is_empty() && !e.eq_ignore_ascii_case("identity"));
    content_length.filter(|_| !encoded)
}

/// Reads `response`'s body, at most `max` bytes: in one `arrayBuffer()` call when its declared
/// length ([`delivered_length`], read by the caller with the status) fits, chunk by chunk
/// (counting) when it declares none.
pub async fn read_capped(
    response: &web_sys::Response,
    content_length: Option<&str>,
    max: usize,
) -> Result<Vec<u8>, BodyRead> {
    let declared = content_length.and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max) {
        return Err(BodyRead::TooLarge);
    }
    let Some(body) = response.body() else {
        return Ok(Vec::new());
    };
    if declared.is_some() {
        let bytes = body_bytes(response.array_buffer()).await.map_err(|_| BodyRead::Broken)?;
        return if bytes.len() > max { Err(BodyRead::TooLarge) } else { Ok(bytes) };
    }
    let mut chunks = Chunks::new(&body);
    let mut bytes = Vec::new();
    while let Some(chunk) = chunks.next().await.map_err(|_| BodyRead::Broken)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > max {
            return Err(BodyRead::TooLarge);
        }
    }
    Ok(bytes)
}
