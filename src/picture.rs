//! Group picture files: an https URL or base64 data, with an image mimetype and a size cap.

use crate::error::{ErrorCode, FieldError, FieldErrors};
use crate::limits::{PICTURE_FILENAME_MAX, PICTURE_MAX_BYTES, PICTURE_MIMETYPES, PICTURE_URL_MAX};

/// Where the picture comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PictureSource {
    /// An https URL without credentials; WAHA downloads it.
    Url(String),
    /// Base64 (standard alphabet, padded) of at most `PICTURE_MAX_BYTES` bytes.
    Data(String),
}

/// A validated picture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureFile {
    /// One of `PICTURE_MIMETYPES`.
    pub mimetype: String,
    /// The bytes' origin.
    pub source: PictureSource,
    /// Optional file name.
    pub filename: Option<String>,
}

/// Checks an https URL: scheme, host, no credentials, no whitespace. Returns `(code, reason)`.
pub fn check_https_url(url: &str) -> Result<(), (ErrorCode, &'static str)> {
    if url.len() > PICTURE_URL_MAX {
        return Err((ErrorCode::InvalidUrl, "the URL is longer than 2048 characters"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err((ErrorCode::InvalidUrl, "the URL contains whitespace or control characters"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err((ErrorCode::InvalidUrl, "not an absolute URL"));
    };
    if !scheme.eq_ignore_ascii_case("https") {
        return Err((ErrorCode::InsecureUrl, "only https URLs are accepted"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err((ErrorCode::UrlHasCredentials, "the URL must not carry a user name or password"));
    }
    // `host:port`; the colons of a bracketed IPv6 literal sit inside its brackets.
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => {
            if !port.bytes().all(|b| b.is_ascii_digit()) {
                return Err((ErrorCode::InvalidUrl, "the URL's port must be a number"));
            }
            host
        }
        _ => authority,
    };
    if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b)) {
        return Err((ErrorCode::InvalidUrl, "the URL has no valid host"));
    }
    Ok(())
}

/// Decoded length of standard padded base64, or why it is not valid base64.
pub fn base64_decoded_len(data: &str) -> Result<usize, &'static str> {
    let bytes = data.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return Err("base64 length must be a non-zero multiple of 4");
    }
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 {
        return Err("base64 has too much '=' padding");
    }
    let body = &bytes[..bytes.len() - padding];
    if !body.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/') {
        return Err("base64 may hold only A-Z a-z 0-9 + / and trailing '='");
    }
    Ok(bytes.len() / 4 * 3 - padding)
}

/// Standard padded base64 of `bytes` (a downloaded picture as `file.data`).
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (i, &byte)| group | u32::from(byte) << (16 - 8 * i));
        for i in 0..4 {
            // A chunk of n bytes fills n + 1 sextets; `=` pads the group to four.
            let sextet = (group >> (18 - 6 * i) & 63) as usize;
            encoded.push(if i <= chunk.len() { char::from(ALPHABET[sextet]) } else { '=' });
        }
    }
    encoded
}

impl PictureFile {
    /// Validates the fields of a `file` object found at `pointer`, reporting every problem.
    pub fn validate(
        mimetype: &str,
        url: Option<&str>,
        data: Option<&str>,
        filename: Option<&str>,
        pointer: &str,
        errors: &mut FieldErrors,
    ) -> Option<PictureFile> {
        let at = |field: &str| format!("{pointer}/{field}");
        let mime_ok = PICTURE_MIMETYPES.contains(&mimetype);
        if !mime_ok {
            errors.push(FieldError::body(
                at("mimetype"),
                ErrorCode::InvalidMimetype,
                format!("{}: must be one of image/jpeg, image/png", at("mimetype")),
            ));
        }
        let name_problem = filename.and_then(|f| {
            if f.len() > PICTURE_FILENAME_MAX {
                Some((ErrorCode::TooLong, "at most 255 bytes"))
            } else if f.contains(['/', '\\', '\0']) {
                Some((ErrorCode::InvalidFilename, "a file name, without path separators or NUL"))
            } else {
                None
            }
        });
        let name_ok = name_problem.is_none();
        if let Some((code, why)) = name_problem {
            errors.push(FieldError::body(at("filename"), code, format!("{}: {why}", at("filename"))));
        }
        let source = match (url, data) {
            (Some(url), None) => errors.take(
                check_https_url(url)
                    .map(|()| PictureSource::Url(url.to_owned()))
                    .map_err(|(code, why)| FieldError::body(at("url"), code, format!("{}: {why}", at("url")))),
            ),
            (None, Some(data)) => errors.take(Self::check_data(data, &at("data"))),
            _ => {
                errors.push(FieldError::body(
                    pointer,
                    ErrorCode::InvalidPictureSource,
                    format!("{pointer}: give exactly one of url and data"),
                ));
                None
            }
        };
        let source = source?;
        (mime_ok && name_ok).then(|| PictureFile {
            mimetype: mimetype.to_owned(),
            source,
            filename: filename.map(str::to_owned),
        })
    }

    fn check_data(data: &str, pointer: &str) -> Result<PictureSource, FieldError> {
        if data.starts_with("data:") {
            return Err(FieldError::body(
                pointer,
                ErrorCode::InvalidBase64,
                format!("{pointer}: send bare base64, without the data: URL prefix"),
            ));
        }
        let len = base64_decoded_len(data)
            .map_err(|why| FieldError::body(pointer, ErrorCode::InvalidBase64, format!("{pointer}: {why}")))?;
        if len > PICTURE_MAX_BYTES {
            return Err(FieldError::body(
                pointer,
                ErrorCode::PictureTooLarge,
                format!("{pointer}: the picture is {len} bytes; at most {PICTURE_MAX_BYTES} are accepted"),
            ));
        }
        Ok(PictureSource::Data(data.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_only_without_credentials() {
        assert!(check_https_url("https://example.com/a.jpg").is_ok());
        assert!(check_https_url("https://example.com:8443/a.jpg?x=1").is_ok());
        assert_eq!(check_https_url("http://example.com/a.jpg").unwrap_err().0, ErrorCode::InsecureUrl);
        assert_eq!(check_https_url("https://u:p@example.com/a.jpg").unwrap_err().0, ErrorCode::UrlHasCredentials);
        assert_eq!(check_https_url("example.com/a.jpg").unwrap_err().0, ErrorCode::InvalidUrl);
        assert_eq!(check_https_url("https:///a.jpg").unwrap_err().0, ErrorCode::InvalidUrl);
        assert_eq!(check_https_url("https://exa mple.com/").unwrap_err().0, ErrorCode::InvalidUrl);
        assert_eq!(check_https_url("https://example.com:abc/").unwrap_err().0, ErrorCode::InvalidUrl);
        assert!(check_https_url("https://[2001:db8::1]:8443/a.jpg").is_ok());
        assert!(check_https_url("https://[2001:db8::1]/a.jpg").is_ok());
    }

    #[test]
    fn base64_length_and_alphabet() {
        assert_eq!(base64_decoded_len("/9j/4A=="), Ok(4));
        assert_eq!(base64_decoded_len("QUJD"), Ok(3));
        assert!(base64_decoded_len("QUJ").is_err());
        assert!(base64_decoded_len("QU-D").is_err());
        assert!(base64_decoded_len("Q===").is_err());
        assert!(base64_decoded_len("").is_err());
    }

    #[test]
    fn base64_encoding() {
        // RFC 4648's test vectors.
        for (bytes, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(bytes.as_bytes()), encoded);
        }
        let every_byte: Vec<u8> = (0..=255).collect();
        let encoded = base64_encode(&every_byte);
        assert_eq!(base64_decoded_len(&encoded), Ok(256));
        assert!(encoded.starts_with("AAECAwQF") && encoded.ends_with("+/w=="), "{encoded}");
    }
}
