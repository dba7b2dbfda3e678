//! The client's request: the runtime's object, with what every request reads of it read once.

use web_sys::Headers;

/// The client's request: the runtime's object, with its method, URL and headers read once.
pub struct Incoming {
    raw: web_sys::Request,
    headers: Headers,
    method: String,
    url: String,
}

impl Incoming {
    /// Wraps the runtime's request.
    pub fn new(raw: web_sys::Request) -> Self {
        Incoming { headers: raw.headers(), method: raw.method(), url: raw.url(), raw }
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

    /// The request's headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
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
