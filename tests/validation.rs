//! One valid and one invalid case per validation rule, asserting the exact code and location.

mod common;

use common::{
    api, assert_one, field_errors, group_path, ok, param, parse, participants_body, ptr, user_ids, CODE, GROUP,
};
use groupgate::limits::{Limits, BODY_MAX_BYTES, FIELD_ERRORS_MAX_BYTES, PICTURE_MAX_BYTES};
use groupgate::{ErrorCode as C, GroupRequest, Operation};

fn picture(file: &str) -> String {
    format!(r#"{{"file":{file}}}"#)
}

#[test]
fn missing_field() {
    ok("PUT", &group_path("/subject"), "", r#"{"subject":"x"}"#);
    assert_one("PUT", &group_path("/subject"), "", "{}", C::MissingField, ptr("/subject"));
    assert_one("PUT", &group_path("/subject"), "", "", C::MissingField, ptr("/subject"));
    assert_one(
        "PUT",
        &group_path("/picture"),
        "",
        picture(r#"{"url":"https://a.example/x"}"#).as_str(),
        C::MissingField,
        ptr("/file/mimetype"),
    );
    assert_one(
        "POST",
        &group_path("/participants/add"),
        "",
        r#"{"participants":[{}]}"#,
        C::MissingField,
        ptr("/participants/0/id"),
    );
    ok("GET", &api("/groups/join-info"), &format!("code={CODE}"), "");
    assert_one("GET", &api("/groups/join-info"), "", "", C::MissingField, param("code"));
}

#[test]
fn unknown_field() {
    ok("POST", &api("/groups/join"), "", &format!(r#"{{"code":"{CODE}"}}"#));
    assert_one(
        "POST",
        &api("/groups/join"),
        "",
        &format!(r#"{{"code":"{CODE}","a/b~":1}}"#),
        C::UnknownField,
        ptr("/a~1b~0"),
    );
    assert_one(
        "POST",
        &group_path("/participants/add"),
        "",
        r#"{"participants":[{"id":"15551234567@c.us","role":"admin"}]}"#,
        C::UnknownField,
        ptr("/participants/0/role"),
    );
    ok("GET", &api("/groups"), "limit=1", "");
    assert_one("GET", &api("/groups"), "limit=1&page=2", "", C::UnknownField, param("page"));
    assert_one("GET", &api("/groups/count"), "limit=1", "", C::UnknownField, param("limit"));
    // A route without body fields says so, rather than listing none.
    let error = parse("POST", &group_path("/leave"), "", r#"{"x":1}"#).unwrap_err();
    assert_eq!(error.errors[0].detail, "/x: unknown field; none is expected here");
}

#[test]
fn a_query_that_does_not_decode_is_reported_beside_the_other_fields() {
    let fields = field_errors("GET", "/api/a.b/groups", "limit=%zz&offset=%zz", "");
    assert_eq!(
        fields,
        [
            (C::InvalidSession, param("session")),
            (C::InvalidParameter, param("limit")),
            (C::InvalidParameter, param("offset"))
        ]
    );
    // A required parameter that does not decode is reported once, for that.
    assert_eq!(field_errors("GET", &api("/groups/join-info"), "code=%zz", ""), [(C::InvalidParameter, param("code"))]);
}

/// A body of `n` distinct unknown four-character keys (`{"aaaa":0,…}`).
fn unknown_keys(n: usize) -> String {
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let key = |mut i: usize| -> String {
        (0..4)
            .map(|_| {
                let c = alphabet[i % alphabet.len()] as char;
                i /= alphabet.len();
                c
            })
            .collect()
    };
    let fields: Vec<String> = (0..n).map(|i| format!(r#""{}":0"#, key(i))).collect();
    format!("{{{}}}", fields.join(","))
}

#[test]
fn many_invalid_fields_get_an_answer_of_bounded_size() {
    // As many unknown keys as the largest body holds: each is an error, and each detail names
    // the allowed keys. The answer lists them up to FIELD_ERRORS_MAX_BYTES and counts the rest.
    let body = unknown_keys((BODY_MAX_BYTES - 2) / 9);
    assert!(body.len() <= BODY_MAX_BYTES);
    let error = parse("PUT", &group_path("/subject"), "", &body).unwrap_err();
    let problem = error.problem(None).render();
    assert!(
        problem.len() < 2 * FIELD_ERRORS_MAX_BYTES,
        "a {} byte body got a {} byte problem",
        body.len(),
        problem.len()
    );
    let listed = error.errors.len();
    assert!(listed > 1000, "{listed} listed");
    // Every key is an unknown field, and `subject` is missing: all counted in the detail.
    let total = (BODY_MAX_BYTES - 2) / 9 + 1;
    assert_eq!(error.detail, format!("{total} fields are invalid; the first {listed} are listed"));
    // Under the budget, every one is listed.
    let error = parse("PUT", &group_path("/subject"), "", &unknown_keys(50)).unwrap_err();
    assert_eq!((error.errors.len(), error.detail.as_str()), (51, "51 fields are invalid"));
}

#[test]
fn invalid_type() {
    ok("PUT", &group_path("/settings/security/info-admin-only"), "", r#"{"adminsOnly":false}"#);
    assert_one(
        "PUT",
        &group_path("/settings/security/info-admin-only"),
        "",
        r#"{"adminsOnly":"false"}"#,
        C::InvalidType,
        ptr("/adminsOnly"),
    );
    assert_one("PUT", &group_path("/subject"), "", r#"{"subject":5}"#, C::InvalidType, ptr("/subject"));
    assert_one("PUT", &group_path("/subject"), "", r#"["x"]"#, C::InvalidType, ptr(""));
    assert_one(
        "POST",
        &group_path("/participants/add"),
        "",
        r#"{"participants":{"id":"15551234567@c.us"}}"#,
        C::InvalidType,
        ptr("/participants"),
    );
    assert_one(
        "POST",
        &group_path("/participants/add"),
        "",
        r#"{"participants":[{"id":15551234567}]}"#,
        C::InvalidType,
        ptr("/participants/0/id"),
    );
    assert_one("PUT", &group_path("/picture"), "", &picture(r#""https://a.example/x""#), C::InvalidType, ptr("/file"));
    assert_one(
        "PUT",
        &group_path("/picture"),
        "",
        &picture(r#"{"mimetype":"image/png","url":null}"#),
        C::InvalidType,
        ptr("/file/url"),
    );
}

#[test]
fn invalid_id() {
    ok(
        "POST",
        &group_path("/participants/add"),
        "",
        &participants_body(&[
            "15551234567@c.us",
            "4915112345678@s.whatsapp.net",
            "123456789012345@lid",
            "447911123456@c.us",
        ]),
    );
    for bad in [
        "+447911123456@c.us",
        "07911123456@c.us",
        "447911123456:3@s.whatsapp.net",
        "447911123456",
        "447911123456@g.us",
        GROUP,
        "1234@lid",
        "4479111234567890@c.us",
    ] {
        let body = participants_body(&["15551234567@c.us", "4915112345678@s.whatsapp.net", "123456789012345@lid", bad]);
        assert_one("POST", &group_path("/participants/add"), "", &body, C::InvalidId, ptr("/participants/3/id"));
    }
}

#[test]
fn invalid_group_id() {
    for good in [GROUP, "917004635353-1628957062@g.us"] {
        ok("GET", &format!("/api/default/groups/{good}"), "", "");
    }
    for bad in [
        "120363298657503778@newsletter",
        "15551234567@c.us",
        "abc@g.us",
        "917004635353-@g.us",
        "012345678901234567@g.us",
        "120363298657503778",
    ] {
        assert_one(
            "GET",
            &format!("/api/default/groups/{bad}/participants/v2"),
            "",
            "",
            C::InvalidGroupId,
            param("id"),
        );
    }
}

#[test]
fn invalid_session() {
    ok("GET", "/api/team-1_prod-A/groups", "", "");
    for bad in
        [".hidden", "a..b", "team.prod", "a%20b", "%C3%A9t%C3%A9", &"s".repeat(55), "sessions", "Server", "sendText"]
    {
        assert_one("GET", &format!("/api/{bad}/groups"), "", "", C::InvalidSession, param("session"));
    }
    assert_one("GET", "/api//groups", "", "", C::InvalidSession, param("session"));
}

#[test]
fn empty_list() {
    ok("POST", &group_path("/participants/remove"), "", &participants_body(&["15551234567@c.us"]));
    assert_one(
        "POST",
        &group_path("/participants/remove"),
        "",
        r#"{"participants":[]}"#,
        C::EmptyList,
        ptr("/participants"),
    );
    assert_one("POST", &api("/groups"), "", r#"{"name":"x","participants":[]}"#, C::EmptyList, ptr("/participants"));
}

#[test]
fn duplicate_participant() {
    ok("POST", &group_path("/admin/promote"), "", &participants_body(&["15551234567@c.us", "123456789012345@lid"]));
    // The @c.us and @s.whatsapp.net forms of one number are one person.
    let body = participants_body(&["15551234567@c.us", "4915112345678@c.us", "15551234567@s.whatsapp.net"]);
    assert_one("POST", &group_path("/admin/promote"), "", &body, C::DuplicateParticipant, ptr("/participants/2"));
}

#[test]
fn too_many_participants() {
    let ids = user_ids(50);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    ok("POST", &group_path("/participants/add"), "", &participants_body(&refs));
    let ids = user_ids(51);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_one(
        "POST",
        &group_path("/participants/add"),
        "",
        &participants_body(&refs),
        C::TooManyParticipants,
        ptr("/participants"),
    );
    // The cap is a setting.
    let limits = Limits { participants_per_request: 2, ..Limits::default() };
    let three = participants_body(&["15551234567@c.us", "4915112345678@c.us", "447911123456@c.us"]);
    let err = GroupRequest::parse("POST", &group_path("/participants/add"), "", three.as_bytes(), &limits).unwrap_err();
    assert_eq!(err.errors[0].code, C::TooManyParticipants);
    assert_eq!(err.errors[0].location, ptr("/participants"));
}

#[test]
fn empty_subject() {
    ok("PUT", &group_path("/subject"), "", r#"{"subject":" x "}"#);
    assert_one("PUT", &group_path("/subject"), "", r#"{"subject":""}"#, C::EmptySubject, ptr("/subject"));
    assert_one("PUT", &group_path("/subject"), "", r#"{"subject":" \t\n\u00a0"}"#, C::EmptySubject, ptr("/subject"));
    // Zero-width and other invisible characters alone show nothing either.
    for invisible in [r"\u200b", r"\u200b\u200c\u200d\u2060", r"\ufeff\u3164", r"\u2800 \u00ad"] {
        let body = format!(r#"{{"subject":"{invisible}"}}"#);
        assert_one("PUT", &group_path("/subject"), "", &body, C::EmptySubject, ptr("/subject"));
    }
    ok("PUT", &group_path("/subject"), "", r#"{"subject":"\u200bTeam\u200b"}"#);
    assert_one(
        "POST",
        &api("/groups"),
        "",
        r#"{"name":"  ","participants":[{"id":"15551234567@c.us"}]}"#,
        C::EmptySubject,
        ptr("/name"),
    );
}

#[test]
fn subject_too_long() {
    let body = |s: &str| format!(r#"{{"subject":"{s}"}}"#);
    ok("PUT", &group_path("/subject"), "", &body(&"a".repeat(100)));
    ok("PUT", &group_path("/subject"), "", &body(&"é".repeat(100)));
    ok("PUT", &group_path("/subject"), "", &body(&"😀".repeat(50)));
    assert_one("PUT", &group_path("/subject"), "", &body(&"a".repeat(101)), C::SubjectTooLong, ptr("/subject"));
    // WhatsApp counts UTF-16 code units: an emoji is two.
    assert_one("PUT", &group_path("/subject"), "", &body(&"😀".repeat(51)), C::SubjectTooLong, ptr("/subject"));
    let limits = Limits { subject_max: 25, ..Limits::default() };
    let err =
        GroupRequest::parse("PUT", &group_path("/subject"), "", body(&"a".repeat(26)).as_bytes(), &limits).unwrap_err();
    assert_eq!((err.errors[0].code, &err.errors[0].location), (C::SubjectTooLong, &ptr("/subject")));
}

#[test]
fn description_too_long() {
    let body = |s: &str| format!(r#"{{"description":"{s}"}}"#);
    ok("PUT", &group_path("/description"), "", &body(""));
    ok("PUT", &group_path("/description"), "", &body(&"d".repeat(2048)));
    assert_one(
        "PUT",
        &group_path("/description"),
        "",
        &body(&"d".repeat(2049)),
        C::DescriptionTooLong,
        ptr("/description"),
    );
    assert_one(
        "PUT",
        &group_path("/description"),
        "",
        &body(&"😀".repeat(1025)),
        C::DescriptionTooLong,
        ptr("/description"),
    );
}

#[test]
fn invalid_invite_code() {
    let join = |c: &str| format!(r#"{{"code":"{c}"}}"#);
    ok("POST", &api("/groups/join"), "", &join(&"A".repeat(20)));
    ok("POST", &api("/groups/join"), "", &join(&"9".repeat(24)));
    for bad in ["short", &"A".repeat(25), "AbCdEfGhIjKlMnOpQrSt_v", ""] {
        assert_one("POST", &api("/groups/join"), "", &join(bad), C::InvalidInviteCode, ptr("/code"));
    }
    assert_one("GET", &api("/groups/join-info"), "code=short", "", C::InvalidInviteCode, param("code"));
}

#[test]
fn invalid_invite_link() {
    let join = |c: &str| format!(r#"{{"code":"{c}"}}"#);
    ok("POST", &api("/groups/join"), "", &join(&format!("https://chat.whatsapp.com/invite/{CODE}/?s=sw&p=a#x")));
    for bad in [
        format!("https://chat.whatsapp.com.evil.example/{CODE}"),
        format!("http://chat.whatsapp.com/{CODE}"),
        format!("https://wa.me/{CODE}"),
        "https://chat.whatsapp.com/".to_string(),
        format!("https://chat.whatsapp.com/{}", "A".repeat(600)),
    ] {
        assert_one("POST", &api("/groups/join"), "", &join(&bad), C::InvalidInviteLink, ptr("/code"));
    }
    assert_one(
        "GET",
        &api("/groups/join-info"),
        "code=https%3A%2F%2Fevil.example%2Fx",
        "",
        C::InvalidInviteLink,
        param("code"),
    );
}

fn url_file(url: &str) -> String {
    picture(&format!(r#"{{"mimetype":"image/jpeg","url":"{url}"}}"#))
}

#[test]
fn invalid_url() {
    ok("PUT", &group_path("/picture"), "", &url_file("https://cdn.example.com:8443/p.jpg?x=1#f"));
    for bad in [
        "cdn.example.com/p.jpg",
        "https:///p.jpg",
        "https://exa mple.com/p.jpg",
        "https://ex_ample.com/p.jpg",
        "https://example.com:abc/p.jpg",
    ] {
        assert_one("PUT", &group_path("/picture"), "", &url_file(bad), C::InvalidUrl, ptr("/file/url"));
    }
    let long = format!("https://example.com/{}", "a".repeat(2048));
    assert_one("PUT", &group_path("/picture"), "", &url_file(&long), C::InvalidUrl, ptr("/file/url"));
}

#[test]
fn insecure_url() {
    ok("PUT", &group_path("/picture"), "", &url_file("HTTPS://example.com/p.jpg"));
    for bad in ["http://example.com/p.jpg", "ftp://example.com/p.jpg", "file:///etc/passwd"] {
        assert_one("PUT", &group_path("/picture"), "", &url_file(bad), C::InsecureUrl, ptr("/file/url"));
    }
}

#[test]
fn url_has_credentials() {
    ok("PUT", &group_path("/picture"), "", &url_file("https://example.com/p.jpg?mail=a@b.example"));
    for bad in ["https://user:pass@example.com/p.jpg", "https://user@example.com/p.jpg"] {
        assert_one("PUT", &group_path("/picture"), "", &url_file(bad), C::UrlHasCredentials, ptr("/file/url"));
    }
}

fn data_file(data: &str) -> String {
    picture(&format!(r#"{{"mimetype":"image/jpeg","data":"{data}"}}"#))
}

#[test]
fn invalid_base64() {
    ok("PUT", &group_path("/picture"), "", &data_file("/9j/4AAQSkZJRg=="));
    for bad in ["/9j/4AAQSkZJRg", "/9j-4AAQ", "QQ=A", "Q===", "", "data:image/jpeg;base64,/9j/4AAQ"] {
        assert_one("PUT", &group_path("/picture"), "", &data_file(bad), C::InvalidBase64, ptr("/file/data"));
    }
}

#[test]
fn picture_too_large() {
    // Base64 of exactly PICTURE_MAX_BYTES bytes is accepted; three more bytes are not.
    assert_eq!(PICTURE_MAX_BYTES % 3, 2);
    let at_cap = "A".repeat(PICTURE_MAX_BYTES / 3 * 4) + "AAA=";
    assert_eq!(groupgate::picture::base64_decoded_len(&at_cap), Ok(PICTURE_MAX_BYTES));
    ok("PUT", &group_path("/picture"), "", &data_file(&at_cap));
    let over = "A".repeat((PICTURE_MAX_BYTES / 3 + 1) * 4);
    assert!(data_file(&over).len() < BODY_MAX_BYTES, "the body itself is within the body cap");
    assert_one("PUT", &group_path("/picture"), "", &data_file(&over), C::PictureTooLarge, ptr("/file/data"));
}

#[test]
fn invalid_mimetype() {
    ok("PUT", &group_path("/picture"), "", &picture(r#"{"mimetype":"image/png","data":"iVBORw0K"}"#));
    for bad in ["image/gif", "image/webp", "IMAGE/JPEG", "text/html", ""] {
        let body = picture(&format!(r#"{{"mimetype":"{bad}","data":"iVBORw0K"}}"#));
        assert_one("PUT", &group_path("/picture"), "", &body, C::InvalidMimetype, ptr("/file/mimetype"));
    }
}

#[test]
fn invalid_picture_source() {
    ok("PUT", &group_path("/picture"), "", &picture(r#"{"mimetype":"image/jpeg","url":"https://example.com/a.jpg"}"#));
    for bad in
        [r#"{"mimetype":"image/jpeg"}"#, r#"{"mimetype":"image/jpeg","url":"https://example.com/a.jpg","data":"QUJD"}"#]
    {
        assert_one("PUT", &group_path("/picture"), "", &picture(bad), C::InvalidPictureSource, ptr("/file"));
    }
}

#[test]
fn picture_filename() {
    let file = |name: &str| picture(&format!(r#"{{"mimetype":"image/jpeg","data":"QUJD","filename":"{name}"}}"#));
    ok("PUT", &group_path("/picture"), "", &file(&"n".repeat(255)));
    assert_one("PUT", &group_path("/picture"), "", &file(&"n".repeat(256)), C::TooLong, ptr("/file/filename"));
    assert_one("PUT", &group_path("/picture"), "", &file("../etc/passwd"), C::InvalidFilename, ptr("/file/filename"));
}

#[test]
fn invalid_parameter() {
    ok("GET", &api("/groups"), "limit=0&offset=4294967295&sortBy=id&sortOrder=asc&exclude=participants", "");
    for (query, name) in [
        ("limit=-1", "limit"),
        ("limit=%2B1", "limit"),
        ("limit=1.5", "limit"),
        ("limit=", "limit"),
        ("offset=4294967296", "offset"),
        ("limit=1&limit=2", "limit"),
        ("sortBy=name", "sortBy"),
        ("sortOrder=DESC", "sortOrder"),
        ("exclude=chats", "exclude"),
    ] {
        assert_one("GET", &api("/groups"), query, "", C::InvalidParameter, param(name));
    }
    ok("GET", &group_path("/picture"), "refresh=true", "");
    assert_one("GET", &group_path("/picture"), "refresh=1", "", C::InvalidParameter, param("refresh"));
    assert_one(
        "GET",
        &api("/groups/join-info"),
        &format!("code={CODE}&code={CODE}"),
        "",
        C::InvalidParameter,
        param("code"),
    );
    // Broken percent-encoding in a path segment or a query parameter.
    assert_one("GET", "/api/default/groups/120363298657503778%4g.us", "", "", C::InvalidParameter, param("id"));
    assert_one("GET", "/api/default/groups/120363298657503778%2F@g.us", "", "", C::InvalidParameter, param("id"));
    assert_one("GET", "/api/def%ZZ/groups", "", "", C::InvalidParameter, param("session"));
    assert_one("GET", &api("/groups"), "limit=%zz", "", C::InvalidParameter, param("limit"));
}

#[test]
fn refused_value_quoted_as_json() {
    // The value a message names is written as a JSON string: quotes and control characters
    // escaped, whatever the client sent.
    let detail = |query: &str| match parse("GET", &api("/groups"), query, "") {
        Err(e) => e.errors[0].detail.clone(),
        Ok(request) => panic!("{query} was accepted: {request:?}"),
    };
    assert_eq!(detail("exclude=a%22%1Bb"), r#"exclude: expected "participants", got "a\"\u001bb""#);
    assert_eq!(detail("sortOrder=%0A"), r#"sortOrder: expected asc or desc, got "\n""#);
}

#[test]
fn query_too_long() {
    let longest = format!("limit=1&x={}", "a".repeat(groupgate::limits::QUERY_MAX_BYTES - 10));
    assert_ne!(field_errors("GET", &api("/groups"), &longest, "")[0].0, C::TooLong);
    let over = format!("{longest}a");
    // Its pairs are still read, so what else is wrong is reported beside it.
    let fields = field_errors("GET", &api("/groups"), &over, "");
    assert_eq!(fields, [(C::TooLong, param("query")), (C::UnknownField, param("x"))]);
}

#[test]
fn invalid_json() {
    ok("PUT", &group_path("/subject"), "", " {\"subject\" : \"x\"}\n");
    for bad in ["{", r#"{"subject":"x",}"#, "subject=x", "\u{feff}{}", r#"{"subject":"x"} {}"#] {
        let err = parse("PUT", &group_path("/subject"), "", bad).unwrap_err();
        assert_eq!((err.code, err.status), (C::InvalidJson, 400), "{bad:?}");
        assert!(err.detail.contains("line 1"), "{}", err.detail);
    }
    let err = GroupRequest::parse("PUT", &group_path("/subject"), "", b"{\"subject\":\"\xff\"}", &Limits::default())
        .unwrap_err();
    assert_eq!(err.code, C::InvalidJson);
}

#[test]
fn payload_too_large() {
    // Exactly at the cap (JSON may carry trailing whitespace) is accepted; one byte more is not.
    let at_cap = format!(r#"{{"description":""}}{}"#, " ".repeat(BODY_MAX_BYTES - 18));
    assert_eq!(at_cap.len(), BODY_MAX_BYTES);
    ok("PUT", &group_path("/description"), "", &at_cap);
    let over = at_cap + " ";
    let err = parse("PUT", &group_path("/description"), "", &over).unwrap_err();
    assert_eq!((err.code, err.status), (C::PayloadTooLarge, 413));
    assert!(err.errors.is_empty());
    assert!(err.detail.contains(&BODY_MAX_BYTES.to_string()), "{}", err.detail);
}

#[test]
fn not_found() {
    ok("GET", &group_path("/participants/v2"), "", "");
    for path in [
        "/",
        "/api",
        "/api/default",
        "/api/default/",
        "/api/default/chats",
        "/v1/default/groups",
        "/api/default/groups/x/y/z",
        "/api/default/groups/120363298657503778@g.us/participants/v3",
        "/api/default/groups//",
        "/API/default/groups",
    ] {
        let err = parse("GET", path, "", "").unwrap_err();
        assert_eq!((err.code, err.status), (C::NotFound, 404), "{path}");
        assert!(err.detail.contains(path), "{}", err.detail);
    }
    // One trailing slash is ignored, as WAHA ignores it; the forwarded path has none.
    for path in ["/api/default/groups/", "/api/default/groups/120363298657503778@g.us/participants/v2/"] {
        let request = parse("GET", path, "", "").unwrap();
        assert_eq!(request.render().path, path.trim_end_matches('/'));
    }
    // An unknown method on an unknown path is still a 404.
    assert_eq!(parse("PATCH", "/api/default/chats", "", "").unwrap_err().code, C::NotFound);
}

#[test]
fn method_not_allowed_lists_the_allowed_methods() {
    ok("DELETE", &group_path("/picture"), "", "");
    let err = parse("POST", &group_path("/picture"), "", "").unwrap_err();
    assert_eq!((err.code, err.status), (C::MethodNotAllowed, 405));
    assert!(err.detail.ends_with("allowed: GET, PUT, DELETE"), "{}", err.detail);

    let err = parse("DELETE", &api("/groups"), "", "").unwrap_err();
    assert!(err.detail.ends_with("allowed: POST, GET"), "{}", err.detail);
    let err = parse("GET", &group_path("/participants/add"), "", "").unwrap_err();
    assert!(err.detail.ends_with("allowed: POST"), "{}", err.detail);

    // Methods the contract never uses on a path it has, and lower-case spellings, also list them.
    for method in ["PATCH", "HEAD", "get"] {
        let err = parse(method, &group_path("/settings/security/member-add-mode"), "", "").unwrap_err();
        assert_eq!((err.code, err.status), (C::MethodNotAllowed, 405), "{method}");
        assert!(err.detail.ends_with("allowed: PUT, GET"), "{method}: {}", err.detail);
    }
    // The dialect's router gives the same list as data (the `Allow` header).
    use groupgate::ops::{Dialect, Method, Waha};
    let allow = |method, path| Waha.locate(method, path).expect("a WAHA path").found.unwrap_err().allow;
    assert_eq!(allow("POST", "/api/default/groups/count"), vec![Method::Get]);
    assert_eq!(allow("GET", "/api/default/groups/nope/nope"), vec![]);
}

#[test]
fn every_invalid_field_is_reported_at_once() {
    // Bad session, bad group id, unknown query parameter, and three body problems.
    let body = r#"{"participants":[{"id":"+15551234567@c.us"},{"id":"15551234567@c.us"},{"id":"15551234567@s.whatsapp.net"},{}],"extra":true}"#;
    let errors = field_errors("POST", "/api/.bad/groups/nope@g.us/participants/add", "dryRun=1", body);
    let expected = vec![
        (C::InvalidSession, param("session")),
        (C::InvalidGroupId, param("id")),
        (C::UnknownField, param("dryRun")),
        (C::UnknownField, ptr("/extra")),
        (C::InvalidId, ptr("/participants/0/id")),
        (C::DuplicateParticipant, ptr("/participants/2")),
        (C::MissingField, ptr("/participants/3/id")),
    ];
    assert_eq!(errors, expected);

    let err = parse("POST", "/api/.bad/groups/nope@g.us/participants/add", "dryRun=1", body).unwrap_err();
    assert_eq!(err.detail, "7 fields are invalid");

    // Picture: every file field at once.
    let errors = field_errors(
        "PUT",
        &group_path("/picture"),
        "",
        r#"{"file":{"mimetype":"image/gif","url":"http://x.example/a","filename":"a/b"}}"#,
    );
    assert_eq!(
        errors,
        vec![
            (C::InvalidMimetype, ptr("/file/mimetype")),
            (C::InvalidFilename, ptr("/file/filename")),
            (C::InsecureUrl, ptr("/file/url")),
        ]
    );
    // List query: every bad parameter at once.
    let errors = field_errors("GET", &api("/groups"), "limit=x&offset=-1&sortBy=a&sortOrder=b&exclude=c", "");
    let names: Vec<_> = errors.iter().map(|(c, l)| (*c, l.clone())).collect();
    assert_eq!(
        names,
        ["limit", "offset", "sortBy", "sortOrder", "exclude"].map(|n| (C::InvalidParameter, param(n))).to_vec()
    );
}

#[test]
fn single_field_errors_use_their_detail_and_serialize_with_pointer_or_parameter() {
    let err =
        parse("POST", &group_path("/participants/add"), "", &participants_body(&["+15551234567@c.us"])).unwrap_err();
    assert_eq!(err.detail, err.errors[0].detail);
    assert!(err.detail.starts_with("/participants/0/id: "), "{}", err.detail);
    assert!(err.detail.contains("'+'"), "{}", err.detail);
    let problem: serde_json::Value = serde_json::from_str(&err.problem(Some("req-1")).render()).unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/participants/0/id");
    assert_eq!(problem["errors"][0]["code"], "invalid_id");
    assert_eq!(problem["status"], 422);
    let err = parse("GET", &api("/groups"), "limit=x", "").unwrap_err();
    let problem: serde_json::Value = serde_json::from_str(&err.problem(None).render()).unwrap();
    assert_eq!(problem["errors"][0]["parameter"], "limit");
}

#[test]
fn members_keep_lids_and_normalize_numbers() {
    let req = ok(
        "POST",
        &group_path("/participants/join-requests/approve"),
        "",
        &participants_body(&["123456789012345@lid", "4915112345678@s.whatsapp.net"]),
    );
    let Operation::ApproveJoinRequests { participants, .. } = &req.operation else { panic!("{req:?}") };
    let shown: Vec<String> = participants.0.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["123456789012345@lid", "4915112345678@c.us"]);
}

#[test]
fn the_people_an_operation_names_are_read_from_its_fields() {
    let ids = |request: &GroupRequest| -> Vec<String> {
        request.operation.people().unwrap_or_default().iter().map(|p| p.to_waha()).collect()
    };
    for path in ["/participants/add", "/participants/remove", "/admin/promote", "/admin/demote"] {
        let body = participants_body(&["15551234567@c.us", "123456789012345@lid"]);
        let request = ok("POST", &group_path(path), "", &body);
        assert_eq!(ids(&request), ["15551234567@c.us", "123456789012345@lid"], "{path}");
    }
    assert!(ok("GET", &group_path(""), "", "").operation.people().is_none());
}
