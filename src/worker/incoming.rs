//! The client's request: the runtime's object, with its method, URL and the headers most
//! requests need read in one call.

use super::batched::{request_head, HeaderNames};
use super::http::REQUEST_ID;
use crate::headers::API_KEY_HEADER;
use crate::wire::joined;

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
        thread_local!(static NAMES: HeaderNames = HeaderNames::from(joined(READ_AHEAD, "\n")));
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
        let path = &self.url[path_start(&self.url)..];
        match &path[..path.find(['?', '#']).unwrap_or(path.len())] {
            "" => "/".to_owned(),
            path => path.to_owned(),
        }
    }

    /// The URL of `path` (which starts with `/`) on the request's own origin.
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", &self.url[..path_start(&self.url)])
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

/// Where the path of a URL as the runtime serializes it (`scheme://host[:port]/path?query#fragment`)
/// starts: at the first `/` after the host (the path runs up to `?` or `#`, which a serialized path
/// never holds); the URL's end when it has no path.
fn path_start(url: &str) -> usize {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or(url.len(), |i| after_scheme + i)
}
