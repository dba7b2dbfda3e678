//! The client's request: the runtime's object, with its method, URL and the headers most
//! requests need as the Worker's module read them (its head), and whether anything beyond that
//! head was read.

use super::batched::read_request_head;
use super::http::REQUEST_ID;
use crate::headers::API_KEY_HEADER;
use std::cell::Cell;
use wasm_bindgen::JsValue;

/// The headers read together with the method and URL: what most requests need.
pub const READ_AHEAD: [&str; 6] =
    [REQUEST_ID, "Origin", API_KEY_HEADER, "Authorization", "Content-Length", "Content-Type"];

/// The client's request: the runtime's object, with its method, URL and the headers of
/// [`READ_AHEAD`] read once.
pub struct Incoming {
    raw: web_sys::Request,
    method: String,
    url: String,
    read_ahead: [Option<String>; READ_AHEAD.len()],
    /// Whether a header outside the head, or the runtime's request itself, was read.
    read_beyond_head: Cell<bool>,
}

impl Incoming {
    /// Wraps the runtime's request, whose head the Worker's module read (`batched.js`'s
    /// `requestHead` of the names of [`READ_AHEAD`]; a runtime string, copied here).
    pub fn new(raw: web_sys::Request, head: &JsValue) -> Self {
        let (method, url, read_ahead) = read_request_head(&head.as_string().unwrap_or_default());
        Incoming { raw, method, url, read_ahead, read_beyond_head: Cell::new(false) }
    }

    /// The method (`GET`).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The URL as the runtime serialized it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL's path (`/api/default/groups`).
    pub fn path(&self) -> String {
        path_of(&self.url)
    }

    /// The URL of `path` (which starts with `/`) on the request's own origin.
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", &self.url[..path_start(&self.url)])
    }

    /// The value of the header `name`, if the request has it (several are joined by `, `).
    pub fn header(&self, name: &str) -> Option<String> {
        match READ_AHEAD.iter().position(|known| known.eq_ignore_ascii_case(name)) {
            Some(at) => self.read_ahead[at].clone(),
            None => {
                self.read_beyond_head.set(true);
                self.raw.headers().get(name).ok().flatten()
            }
        }
    }

    /// Whether the request has a body. Not counted as read beyond the head: the Worker's module
    /// remembers decisions of requests without one only.
    pub fn has_body(&self) -> bool {
        self.raw.body().is_some()
    }

    /// The runtime's request.
    pub fn inner(&self) -> &web_sys::Request {
        self.read_beyond_head.set(true);
        &self.raw
    }

    /// Whether anything beyond the request's head was read: a header outside [`READ_AHEAD`], or
    /// the runtime's request itself (its body, say). What was decided from the head alone is the
    /// same for every request with the same head.
    pub fn read_beyond_head(&self) -> bool {
        self.read_beyond_head.get()
    }
}

/// The path of a URL as the runtime serializes it (`/api/default/groups`).
pub fn path_of(url: &str) -> String {
    let path = &url[path_start(url)..];
    match &path[..path.find(['?', '#']).unwrap_or(path.len())] {
        "" => "/".to_owned(),
        path => path.to_owned(),
    }
}

/// Where the path of a URL as the runtime serializes it (`scheme://host[:port]/path?query#fragment`)
/// starts: at the first `/` after the host (the path runs up to `?` or `#`, which a serialized path
/// never holds); the URL's end when it has no path.
fn path_start(url: &str) -> usize {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or(url.len(), |i| after_scheme + i)
}
