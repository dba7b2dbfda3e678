//! Who downloads a picture given by URL, and what a downloaded picture must be.
//!
//! By default the Worker downloads it itself, at the edge, and forwards the bytes as `file.data`:
//! WAHA, inside its own network, never fetches a URL a client chose. Hosts that are not public
//! (literal private, loopback, link-local or otherwise reserved addresses in any spelling, and
//! internal names) are refused before anything is fetched, unless the operator names them in
//! `PICTURE_URL_HOSTS`. With `PICTURE_URL_FETCH=upstream`, URLs on those named hosts are forwarded
//! to WAHA as `file.url` instead (for hosts only WAHA can reach); every other URL is still
//! downloaded at the edge.

use crate::error::{ErrorCode, FieldError};
use crate::limits::{PICTURE_MAX_BYTES, PICTURE_MIMETYPES};
use crate::netaddr::{Host, HttpsUrl};

/// Redirects an edge download follows (each to https, each checked like the first URL).
pub const PICTURE_REDIRECTS_MAX: usize = 3;
/// How long an edge download may take, redirects included.
pub const PICTURE_FETCH_TIMEOUT_MS: u32 = 5_000;

/// Who downloads pictures from the hosts named in `PICTURE_URL_HOSTS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NamedHostFetch {
    /// The Worker, like every other picture URL (`edge`, the default).
    #[default]
    Edge,
    /// WAHA: the URL is forwarded as `file.url` (`upstream`).
    Upstream,
}

/// What to do with a picture URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PictureRoute {
    /// Download it at the edge (this canonical URL) and forward the bytes as `file.data`.
    FetchAtEdge(String),
    /// Forward this canonical URL as `file.url` (a named host, with `PICTURE_URL_FETCH=upstream`).
    ForwardAsUrl(String),
}

/// The parsed `PICTURE_URL_HOSTS` and `PICTURE_URL_FETCH` settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PictureUrlPolicy {
    hosts: Vec<Host>,
    named_host_fetch: NamedHostFetch,
}

impl PictureUrlPolicy {
    /// Reads `PICTURE_URL_HOSTS` (comma-separated host names or addresses, IPv6 in brackets) and
    /// `PICTURE_URL_FETCH` (`edge` or `upstream`). Errors name the setting, not its value.
    pub fn from_settings(hosts: Option<&str>, fetch: Option<&str>) -> Result<Self, String> {
        let hosts = hosts
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .enumerate()
            .map(|(i, h)| Host::parse(h).map_err(|why| format!("PICTURE_URL_HOSTS entry {}: {why}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        let named_host_fetch = match fetch.map(str::trim).unwrap_or_default() {
            "" | "edge" => NamedHostFetch::Edge,
            "upstream" => NamedHostFetch::Upstream,
            _ => return Err("PICTURE_URL_FETCH: expected edge or upstream".into()),
        };
        Ok(PictureUrlPolicy { hosts, named_host_fetch })
    }

    /// Checks a host: public, or named by the operator. `Ok(true)` when named.
    fn admit(&self, url: &HttpsUrl, pointer: &str, what: &str) -> Result<bool, FieldError> {
        if self.hosts.contains(&url.host) {
            return Ok(true);
        }
        match url.host.non_public() {
            None => Ok(false),
            Some(why) => Err(FieldError::body(
                pointer,
                ErrorCode::UrlNotPublic,
                format!(
                    "{pointer}: {what} {} is {why}; only public hosts (or those in PICTURE_URL_HOSTS) are fetched",
                    url.host
                ),
            )),
        }
    }

    /// Decides how the picture at `url` (a client's `file.url` at `pointer`) is obtained.
    pub fn route(&self, url: &str, pointer: &str) -> Result<PictureRoute, FieldError> {
        let parsed = parse(url, pointer, "the URL")?;
        let named = self.admit(&parsed, pointer, "the host")?;
        Ok(match (named, self.named_host_fetch) {
            (true, NamedHostFetch::Upstream) => PictureRoute::ForwardAsUrl(parsed.canonical()),
            _ => PictureRoute::FetchAtEdge(parsed.canonical()),
        })
    }

    /// Checks the absolute `target` of a redirect met while downloading: https, and a public or
    /// named host. Returns the canonical URL to fetch next.
    pub fn admit_redirect(&self, target: &str, pointer: &str) -> Result<String, FieldError> {
        let parsed = parse(target, pointer, "the picture's server redirected to a URL that")?;
        self.admit(&parsed, pointer, "the picture's server redirected to")?;
        Ok(parsed.canonical())
    }
}

fn parse(url: &str, pointer: &str, what: &str) -> Result<HttpsUrl, FieldError> {
    HttpsUrl::parse(url).map_err(|(code, why)| {
        let why = why.strip_prefix("the URL ").unwrap_or(why);
        FieldError::body(pointer, code, format!("{pointer}: {what} {why}"))
    })
}

/// The image type of `bytes` by its magic number: `image/jpeg` or `image/png`.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// A download failure of the picture at `pointer`, with code `picture_unavailable`.
pub fn unavailable(pointer: &str, why: &str) -> FieldError {
    FieldError::body(
        pointer,
        ErrorCode::PictureUnavailable,
        format!("{pointer}: the picture could not be downloaded: {why}"),
    )
}

/// A download larger than [`PICTURE_MAX_BYTES`].
pub fn too_large(pointer: &str) -> FieldError {
    FieldError::body(
        pointer,
        ErrorCode::PictureTooLarge,
        format!("{pointer}: the picture is larger than {PICTURE_MAX_BYTES} bytes"),
    )
}

/// Checks a downloaded picture: a `Content-Type` of `image/jpeg` or `image/png` that its bytes
/// confirm. Returns the mimetype to forward.
pub fn check_download(content_type: Option<&str>, bytes: &[u8], pointer: &str) -> Result<&'static str, FieldError> {
    if bytes.len() > PICTURE_MAX_BYTES {
        return Err(too_large(pointer));
    }
    let declared = content_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let sniffed = sniff_image(bytes);
    match sniffed {
        Some(mime) if PICTURE_MIMETYPES.contains(&declared.as_str()) && declared == mime => Ok(mime),
        _ => {
            let sent = if declared.is_empty() { "no content type".to_owned() } else { declared };
            let bytes_are = sniffed.unwrap_or("not a JPEG or PNG image");
            Err(FieldError::body(
                pointer,
                ErrorCode::InvalidMimetype,
                format!("{pointer}: the server sent {sent} and the bytes are {bytes_are}; a JPEG or PNG picture is expected"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "/file/url";

    fn policy(hosts: &str, fetch: &str) -> PictureUrlPolicy {
        PictureUrlPolicy::from_settings(Some(hosts), Some(fetch)).unwrap()
    }

    #[test]
    fn public_urls_are_fetched_at_the_edge_in_canonical_form() {
        let p = PictureUrlPolicy::default();
        assert_eq!(
            p.route("https://Images.Example.com/a.jpg#x", AT),
            Ok(PictureRoute::FetchAtEdge("https://images.example.com/a.jpg".into()))
        );
        assert_eq!(p.route("https://8.8.8.8/a.jpg", AT), Ok(PictureRoute::FetchAtEdge("https://8.8.8.8/a.jpg".into())));
    }

    #[test]
    fn non_public_hosts_are_refused_naming_the_field_and_the_reason() {
        let p = PictureUrlPolicy::default();
        for url in [
            "https://0x7f000001/a.jpg",
            "https://[::ffff:127.0.0.1]/",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.5:8080/x",
            "https://localhost./",
            "https://metadata.google.internal/",
            "https://127.0.0.0x000000000000000000000001/a.jpg",
            "https://169.254.169.0x0000000000000000000000fe/latest",
        ] {
            let e = p.route(url, AT).unwrap_err();
            assert_eq!(e.code, ErrorCode::UrlNotPublic, "{url}");
            assert!(e.detail.starts_with("/file/url: the host "), "{}", e.detail);
        }
        let e = p.route("https://2130706433/", AT).unwrap_err();
        assert!(e.detail.contains("127.0.0.1 is a loopback address"), "{}", e.detail);
        assert_eq!(p.route("http://example.com/", AT).unwrap_err().code, ErrorCode::InsecureUrl);
    }

    #[test]
    fn named_hosts_may_be_non_public_and_may_be_left_to_the_upstream() {
        let edge = policy(" 127.0.0.1 , assets.internal,[::1]", "edge");
        assert_eq!(
            edge.route("https://127.1:8443/p.jpg", AT),
            Ok(PictureRoute::FetchAtEdge("https://127.0.0.1:8443/p.jpg".into()))
        );
        assert!(edge.route("https://[::1]/p.jpg", AT).is_ok());
        assert!(edge.route("https://127.0.0.2/p.jpg", AT).is_err(), "only the named host");
        let upstream = policy("assets.internal", "upstream");
        assert_eq!(
            upstream.route("https://ASSETS.internal/p.jpg", AT),
            Ok(PictureRoute::ForwardAsUrl("https://assets.internal/p.jpg".into()))
        );
        assert_eq!(
            upstream.route("https://example.com/p.jpg", AT),
            Ok(PictureRoute::FetchAtEdge("https://example.com/p.jpg".into())),
            "others stay at the edge"
        );
    }

    #[test]
    fn redirects_must_stay_https_and_public() {
        let p = policy("127.0.0.1", "edge");
        assert_eq!(p.admit_redirect("https://example.com/b.jpg", AT), Ok("https://example.com/b.jpg".into()));
        assert_eq!(p.admit_redirect("https://127.0.0.1/b.jpg", AT), Ok("https://127.0.0.1/b.jpg".into()));
        let e = p.admit_redirect("http://example.com/b.jpg", AT).unwrap_err();
        assert_eq!(e.code, ErrorCode::InsecureUrl);
        assert!(e.detail.contains("redirected"), "{}", e.detail);
        assert_eq!(p.admit_redirect("https://192.168.0.1/", AT).unwrap_err().code, ErrorCode::UrlNotPublic);
    }

    #[test]
    fn settings_errors_name_the_setting_only() {
        let e = PictureUrlPolicy::from_settings(Some("ok.example.com,secret_host"), None).unwrap_err();
        assert!(e.starts_with("PICTURE_URL_HOSTS entry 2:") && !e.contains("secret_host"), "{e}");
        let e = PictureUrlPolicy::from_settings(None, Some("wherever")).unwrap_err();
        assert!(e.starts_with("PICTURE_URL_FETCH:") && !e.contains("wherever"), "{e}");
        assert_eq!(PictureUrlPolicy::from_settings(None, None), Ok(PictureUrlPolicy::default()));
    }

    #[test]
    fn downloads_must_be_jpeg_or_png_by_type_and_bytes() {
        let jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10];
        let png = *b"\x89PNG\r\n\x1a\n\0\0";
        assert_eq!(check_download(Some("image/jpeg"), &jpeg, AT), Ok("image/jpeg"));
        assert_eq!(check_download(Some("IMAGE/PNG; charset=binary"), &png, AT), Ok("image/png"));
        for (ct, bytes) in [
            (Some("text/html"), &b"<html>"[..]),
            (Some("image/jpeg"), &png[..]),
            (None, &jpeg[..]),
            (Some("image/png"), b"GIF89a"),
        ] {
            let e = check_download(ct, bytes, AT).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidMimetype, "{ct:?}");
            assert!(e.detail.starts_with("/file/url: the server sent"), "{}", e.detail);
        }
        let big = vec![0xffu8; PICTURE_MAX_BYTES + 1];
        assert_eq!(check_download(Some("image/jpeg"), &big, AT).unwrap_err().code, ErrorCode::PictureTooLarge);
    }
}
