//! Pictures given by URL are downloaded here, at the edge, and forwarded to WAHA as `file.data`,
//! so WAHA never fetches a URL a client chose (see `crate::picture_url` for the rules).
//!
//! The download follows at most `PICTURE_REDIRECTS_MAX` redirects by hand, each to https and each
//! checked like the first URL; it stops at `PICTURE_MAX_BYTES` and after `PICTURE_FETCH_TIMEOUT_MS`.

use super::batched::{answer_head, send, HeaderList, HeaderNames, Outbound};
use super::body::{delivered_length, read_capped, BodyRead};
use super::deadline::within;
use crate::config::GatewaySettings;
use crate::error::{Error, FieldError};
use crate::limits::PICTURE_MAX_BYTES;
use crate::ops::Operation;
use crate::picture::{base64_encode, PictureSource};
use crate::picture_url::{
    check_download, too_large, unavailable, PictureRoute, PictureUrlPolicy, PICTURE_FETCH_TIMEOUT_MS,
    PICTURE_REDIRECTS_MAX,
};
use web_sys::{AbortController, AbortSignal};

/// Where the picture URL sits in the request body.
const POINTER: &str = "/file/url";

/// Replaces the URL of a set-picture request by the downloaded picture (`file.data`, with the
/// mimetype its bytes have), or by its canonical form when WAHA is to download it. Other
/// requests are left alone.
pub async fn resolve_picture_url(operation: &mut Operation, settings: &GatewaySettings) -> Result<(), Error> {
    let Operation::SetPicture { file, .. } = operation else {
        return Ok(());
    };
    let PictureSource::Url(url) = &file.source else {
        return Ok(());
    };
    match settings.pictures.route(url, POINTER)? {
        PictureRoute::ForwardAsUrl(canonical) => file.source = PictureSource::Url(canonical),
        PictureRoute::FetchAtEdge(canonical) => {
            let (mimetype, bytes) = download(&settings.pictures, canonical).await?;
            file.mimetype = mimetype.to_owned();
            file.source = PictureSource::Data(base64_encode(&bytes));
        }
    }
    Ok(())
}

/// Downloads `url` within the time limit: the checked mimetype and the bytes.
async fn download(policy: &PictureUrlPolicy, url: String) -> Result<(&'static str, Vec<u8>), FieldError> {
    let unreachable = |_| unavailable(POINTER, "the server could not be reached");
    let controller = AbortController::new().map_err(unreachable)?;
    let signal = controller.signal();
    let work = follow(policy, url, &signal);
    match within(PICTURE_FETCH_TIMEOUT_MS, work).await {
        Ok(result) => result,
        Err(_) => {
            controller.abort();
            Err(unavailable(POINTER, &format!("no complete answer within {PICTURE_FETCH_TIMEOUT_MS} ms")))
        }
    }
}

/// Fetches `url`, following checked redirects, and reads the picture.
async fn follow(
    policy: &PictureUrlPolicy,
    mut url: String,
    signal: &AbortSignal,
) -> Result<(&'static str, Vec<u8>), FieldError> {
    thread_local!(static NAMES: HeaderNames =
        HeaderNames::from("Location\nContent-Type\nContent-Length\nContent-Encoding"));
    for _ in 0..=PICTURE_REDIRECTS_MAX {
        let response = fetch(&url, signal).await?;
        let (status, [location, content_type, content_length, content_encoding]) = answer_head(&response, &NAMES);
        if (300..400).contains(&status) {
            let location = location.ok_or_else(|| unavailable(POINTER, "a redirect without a Location"))?;
            // The runtime's URL parser resolves the Location against the URL it answered for.
            let target = web_sys::Url::new_with_base(&location, &url).map(|target| target.href());
            let target = target.map_err(|_| unavailable(POINTER, "a redirect to an invalid URL"))?;
            url = policy.admit_redirect(&target, POINTER)?;
            continue;
        }
        if !(200..300).contains(&status) {
            return Err(unavailable(POINTER, &format!("the server answered HTTP {status}")));
        }
        let length = delivered_length(content_length.as_deref(), content_encoding.as_deref());
        let bytes = read_picture(&response, length).await?;
        return check_download(content_type.as_deref(), &bytes, POINTER).map(|mime| (mime, bytes));
    }
    Err(unavailable(POINTER, &format!("more than {PICTURE_REDIRECTS_MAX} redirects")))
}

/// One GET of `url` without following redirects and without any credentials.
async fn fetch(url: &str, signal: &AbortSignal) -> Result<web_sys::Response, FieldError> {
    let headers = HeaderList::default().with("Accept", "image/jpeg, image/png");
    let outbound =
        Outbound { method: "GET", headers: &headers, body: None, signal: Some(signal), follow_redirects: false };
    send(url, &outbound).await.map_err(|_| unavailable(POINTER, "the server could not be reached"))
}

/// Reads the body, refusing it as soon as it is larger than `PICTURE_MAX_BYTES`.
async fn read_picture(response: &web_sys::Response, content_length: Option<&str>) -> Result<Vec<u8>, FieldError> {
    read_capped(response, content_length, PICTURE_MAX_BYTES).await.map_err(|failure| match failure {
        BodyRead::TooLarge => too_large(POINTER),
        BodyRead::Broken => unavailable(POINTER, "the connection broke while reading the picture"),
    })
}
