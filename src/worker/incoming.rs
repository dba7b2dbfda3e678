//! The client's request: the runtime's object, with its method, URL and the headers most
//! requests need read in one call.

use super::batched::{request_head, HeaderNames};
use super::http::REQUEST_ID;
use crate::headers::API_KEY_HEADER;

/// The headers read together with the method and URL: what most requests need.
const READ_AHEAD: [&str; 6] = [REQUEST_ID, "Origin", API_KEY_HEADER, "Authorization", "Content-Length", "Content-Type"];

/// The client's request: the runtime's object, with its method, URL and the headers of
/// [`READ_AHEAD`] read once.
pub struct Incoming {
    raw: web_sys::Request,
    method: String,
    url: String,
    read_ahead: [Option<String>; READ_AHEAD.len()],
}

impl Incoming {
    /// Wraps the runtime's request.
    pub fn new(raw: web_sys::Request) -> Self {
        thread_local!(static NAMES: HeaderNames = HeaderNames::from(READ_AHEAD.join("\n")));
        let (method, url, read_ahead) = request_head(&raw, &NAMES);
        Incoming { raw, method, url, read_ahead }
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
        path_of(&self.url).to_owned()
    }

    /// The value of the header `name`, if the request has it (several are joined by `, `).
    pub fn header(&self, name: &str) -> Option<String> {
        match READ_AHEAD.iter().position(|known| known.eq_ignore_ascii_case(name)) {
            Some(at) => self.read_ahead[at].clone(),
            None => self.raw.headers().get(name).ok().flatten(),
        }
    }

    /// The runtime's request.
    pub fn inner(&self) -> &web_sys::Request {
        &self.raw
    }
}

/// The path of a URL as the runtime serializes it (`scheme://host[:port]/path?query#fragment`):
/// from the first `/` after the host up to `?` or `#`, which a serialized path never holds.
fn path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let Some(start) = url[after_scheme..].find('/').map(|i| after_scheme + i) else {
        return "/";
    };
    let path = &url[start..];
    &path[..path.find(['?', '#']).unwrap_or(path.len())]
}
