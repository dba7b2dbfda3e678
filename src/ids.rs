//! Typed WhatsApp ids: a value of these types is always well-formed.
//!
//! User ids parse from both `<digits>@c.us` (WAHA) and `<digits>@s.whatsapp.net` (Baileys,
//! Wadial) and render in WAHA's form. Group ids end in `@g.us`.

use crate::error::{ErrorCode, FieldError};
use crate::limits::{
    GROUP_DIGITS_MAX, GROUP_DIGITS_MIN, GROUP_TIMESTAMP_DIGITS_MAX, LID_DIGITS_MAX, LID_DIGITS_MIN, PHONE_DIGITS_MAX,
    PHONE_DIGITS_MIN, SESSION_NAME_MAX,
};
use std::fmt;

/// Suffix of a user id in WAHA's form.
pub const USER_SUFFIX: &str = "@c.us";
/// Suffix of a user id in Baileys' and Wadial's form.
pub const USER_SUFFIX_WHATSAPP_NET: &str = "@s.whatsapp.net";
/// Suffix of a linked id.
pub const LID_SUFFIX: &str = "@lid";
/// Suffix of a group id.
pub const GROUP_SUFFIX: &str = "@g.us";

/// Why a string is not a valid id, as a sentence without the field name.
type Reason = &'static str;

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn check_digits(digits: &str, min: usize, max: usize, what: Reason) -> Result<(), Reason> {
    if !all_digits(digits) {
        return Err(match what {
            "phone" if digits.contains('+') => "a user id carries no '+': use the digits, e.g. 15551234567@c.us",
            "phone" if digits.contains(':') => "a member id carries no device part (':<n>')",
            _ => "the part before '@' must be digits only",
        });
    }
    if digits.starts_with('0') {
        return Err("the number must not start with 0: use the international form without '+' or '00'");
    }
    if digits.len() < min {
        return Err("too few digits");
    }
    if digits.len() > max {
        return Err("too many digits");
    }
    Ok(())
}

/// A phone-number user id (`15551234567@c.us`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

impl UserId {
    /// Parses `<digits>@c.us` or `<digits>@s.whatsapp.net`.
    pub fn parse(s: &str) -> Result<Self, Reason> {
        let digits = s
            .strip_suffix(USER_SUFFIX)
            .or_else(|| s.strip_suffix(USER_SUFFIX_WHATSAPP_NET))
            .ok_or("expected <digits>@c.us or <digits>@s.whatsapp.net")?;
        Self::from_digits(digits)
    }

    /// Builds an id from international digits (no `+`).
    pub fn from_digits(digits: &str) -> Result<Self, Reason> {
        check_digits(digits, PHONE_DIGITS_MIN, PHONE_DIGITS_MAX, "phone")?;
        Ok(UserId(digits.to_owned()))
    }

    /// The international number, digits only.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)?;
        f.write_str(USER_SUFFIX)
    }
}

/// A privacy linked id (`123456789012345@lid`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lid(String);

impl Lid {
    /// Parses `<digits>@lid`.
    pub fn parse(s: &str) -> Result<Self, Reason> {
        let digits = s.strip_suffix(LID_SUFFIX).ok_or("expected <digits>@lid")?;
        check_digits(digits, LID_DIGITS_MIN, LID_DIGITS_MAX, "lid")?;
        Ok(Lid(digits.to_owned()))
    }
}

impl fmt::Display for Lid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)?;
        f.write_str(LID_SUFFIX)
    }
}

/// A group member: a phone-number user id or a linked id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParticipantId {
    /// By phone number.
    User(UserId),
    /// By linked id.
    Lid(Lid),
}

impl ParticipantId {
    /// Parses any accepted member id form; the reason names the expected shapes.
    pub fn parse(s: &str) -> Result<Self, Reason> {
        if s.ends_with(LID_SUFFIX) {
            return Lid::parse(s).map(ParticipantId::Lid);
        }
        if s.ends_with(GROUP_SUFFIX) {
            return Err("that is a group id; a participant is <digits>@c.us, <digits>@s.whatsapp.net or <digits>@lid");
        }
        if s.ends_with(USER_SUFFIX) || s.ends_with(USER_SUFFIX_WHATSAPP_NET) {
            return UserId::parse(s).map(ParticipantId::User);
        }
        Err("expected <digits>@c.us, <digits>@s.whatsapp.net or <digits>@lid")
    }

    /// Parses, reporting a failure at `pointer` with code `invalid_id`.
    pub fn parse_at(s: &str, pointer: &dyn fmt::Display) -> Result<Self, FieldError> {
        Self::parse(s).map_err(|why| {
            let pointer = pointer.to_string();
            let detail = format!("{pointer}: {why}");
            FieldError::body(pointer, ErrorCode::InvalidId, detail)
        })
    }
}

impl ParticipantId {
    /// The id as WAHA spells it (`…@c.us` or `…@lid`); what `Display` shows, without formatting.
    pub fn to_waha(&self) -> String {
        let (digits, suffix) = self.waha_parts();
        let mut id = String::with_capacity(digits.len() + suffix.len());
        self.write_waha(&mut id);
        id
    }

    /// Writes the id as WAHA spells it: digits and a fixed suffix, nothing a JSON string escapes.
    pub fn write_waha(&self, out: &mut String) {
        let (digits, suffix) = self.waha_parts();
        out.push_str(digits);
        out.push_str(suffix);
    }

    /// The id's digits and the suffix WAHA spells it with.
    fn waha_parts(&self) -> (&str, &'static str) {
        match self {
            ParticipantId::User(UserId(digits)) => (digits, USER_SUFFIX),
            ParticipantId::Lid(Lid(digits)) => (digits, LID_SUFFIX),
        }
    }
}

impl fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParticipantId::User(u) => u.fmt(f),
            ParticipantId::Lid(l) => l.fmt(f),
        }
    }
}

/// A group id: `<digits>@g.us` (new style, 18 digits) or `<creator>-<unix seconds>@g.us`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(String);

impl GroupId {
    /// Parses a group id.
    pub fn parse(s: &str) -> Result<Self, Reason> {
        if s.ends_with("@newsletter") {
            return Err("that is a channel (@newsletter), not a group (@g.us)");
        }
        let local = s.strip_suffix(GROUP_SUFFIX).ok_or("expected a group id ending in @g.us")?;
        let (head, stamp) = match local.split_once('-') {
            Some((head, stamp)) => (head, Some(stamp)),
            None => (local, None),
        };
        check_digits(head, GROUP_DIGITS_MIN, GROUP_DIGITS_MAX, "group")?;
        if let Some(stamp) = stamp {
            check_digits(stamp, 1, GROUP_TIMESTAMP_DIGITS_MAX, "group")?;
        }
        Ok(GroupId(s.to_owned()))
    }

    /// Parses the `{id}` path parameter, with code `invalid_group_id`.
    pub fn parse_parameter(s: &str) -> Result<Self, FieldError> {
        Self::parse(s).map_err(|why| FieldError::parameter("id", ErrorCode::InvalidGroupId, format!("group id: {why}")))
    }

    /// The id as WAHA spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// WAHA's own routes directly under `/api/` (its OpenAPI document, 2026). A session with one of
/// these names would turn `/api/{session}/groups…` into a call to that route instead (`GET
/// /api/sessions/groups` reads the session named `groups`). Express matches routes ignoring case.
pub const WAHA_TOP_LEVEL_ROUTES: [&str; 29] = [
    "apps",
    "checkNumberStatus",
    "contacts",
    "forwardMessage",
    "keys",
    "messages",
    "reaction",
    "reply",
    "screenshot",
    "send",
    "sendButtons",
    "sendContactVcard",
    "sendFile",
    "sendImage",
    "sendLinkPreview",
    "sendList",
    "sendLocation",
    "sendPoll",
    "sendPollVote",
    "sendSeen",
    "sendText",
    "sendVideo",
    "sendVoice",
    "server",
    "sessions",
    "star",
    "startTyping",
    "stopTyping",
    "version",
];

/// A WAHA session name, by WAHA's rules: 1–54 of `A–Z a–z 0–9 _ -`, and not the name of one of
/// WAHA's own top-level routes, so it is safe to place in the upstream URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionName(String);

impl SessionName {
    /// Parses a session name (refused as the parameter `session`).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        SessionName::parse_at(s, "session")
    }

    /// Parses a session name given as the parameter `parameter` (refused naming it).
    pub fn parse_at(s: &str, parameter: &str) -> Result<Self, FieldError> {
        let why = if s.is_empty() || s.len() > SESSION_NAME_MAX {
            "must be 1 to 54 characters"
        } else if !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')) {
            "only letters, digits, '_' and '-' are allowed"
        } else if WAHA_TOP_LEVEL_ROUTES.iter().any(|route| route.eq_ignore_ascii_case(s)) {
            "this name is one of WAHA's own routes (/api/<name>); choose another session name"
        } else {
            return Ok(SessionName(s.to_owned()));
        };
        Err(FieldError::parameter(parameter, ErrorCode::InvalidSession, format!("{parameter}: {why}")))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Turns human phone input (`+1 (555) 123-4567`, `00 44 20 7946 0958`) into a user id.
///
/// Spaces, dashes, dots and brackets are dropped; the number must be international (`+` or `00`
/// prefix, or bare digits with the country code). A national number (leading single `0`) is refused
/// rather than guessed, and no country-specific digits are rewritten.
pub fn phone_to_user_id(input: &str) -> Result<UserId, FieldError> {
    let fail =
        |why: &str| FieldError::parameter("phone", ErrorCode::InvalidPhoneNumber, format!("phone number: {why}"));
    let trimmed = input.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' => {}
            _ => return Err(fail("only digits, spaces, '-', '.', '(', ')' and a leading '+' are allowed")),
        }
    }
    let international = match digits.strip_prefix("00") {
        Some(rest) if !plus => rest.to_owned(),
        _ if !plus && digits.starts_with('0') => {
            return Err(fail("a national number (leading 0) needs its country code: write +<country><number>"))
        }
        _ => digits,
    };
    if international.is_empty() {
        return Err(fail("no digits"));
    }
    UserId::from_digits(&international).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_parse_both_forms_and_render_waha_form() {
        assert_eq!(UserId::parse("15551234567@c.us").unwrap().to_string(), "15551234567@c.us");
        assert_eq!(UserId::parse("15551234567@s.whatsapp.net").unwrap().to_string(), "15551234567@c.us");
    }

    #[test]
    fn user_ids_refuse_plus_device_leading_zero_and_lengths() {
        assert!(UserId::parse("+15551234567@c.us").unwrap_err().contains("'+'"));
        assert!(UserId::parse("15551234567:4@s.whatsapp.net").unwrap_err().contains("device"));
        assert!(UserId::parse("05551234567@c.us").unwrap_err().contains("start with 0"));
        assert_eq!(UserId::parse("123456@c.us").unwrap_err(), "too few digits");
        assert_eq!(UserId::parse("1234567890123456@c.us").unwrap_err(), "too many digits");
        assert!(UserId::parse("15551234567@example.com").is_err());
    }

    #[test]
    fn participants_accept_lids_and_refuse_groups() {
        assert_eq!(ParticipantId::parse("123456789012345@lid").unwrap().to_string(), "123456789012345@lid");
        assert!(ParticipantId::parse("120363298657503778@g.us").unwrap_err().contains("group id"));
        let err = ParticipantId::parse_at("+1@c.us", &"/participants/0/id").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidId);
        assert_eq!(err.location, crate::error::Location::Body("/participants/0/id".into()));
    }

    #[test]
    fn group_ids_new_and_old_style() {
        assert!(GroupId::parse("120363298657503778@g.us").is_ok());
        assert!(GroupId::parse("917004635353-1628957062@g.us").is_ok());
        assert!(GroupId::parse("120363298657503778@newsletter").unwrap_err().contains("channel"));
        assert!(GroupId::parse("abc@g.us").is_err());
        assert!(GroupId::parse("917004635353-@g.us").is_err());
        assert_eq!(GroupId::parse_parameter("x").unwrap_err().code, ErrorCode::InvalidGroupId);
    }

    #[test]
    fn session_names_follow_waha_rules() {
        assert!(SessionName::parse("default").is_ok());
        assert!(SessionName::parse("team-1_prod-A").is_ok());
        assert!(SessionName::parse(&"x".repeat(54)).is_ok());
        assert!(SessionName::parse("sessions2").is_ok());
        for bad in ["", "a/b", "..", "a.b", ".hidden", "a%2Fb", "a\nb", "a b", &"x".repeat(55)] {
            assert_eq!(SessionName::parse(bad).unwrap_err().code, ErrorCode::InvalidSession, "{bad:?}");
        }
    }

    #[test]
    fn session_names_that_are_waha_routes_are_refused_in_any_case() {
        for bad in [
            "sessions",
            "Sessions",
            "SERVER",
            "version",
            "sendText",
            "sendtext",
            "contacts",
            "keys",
            "apps",
            "screenshot",
        ] {
            let err = SessionName::parse(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidSession, "{bad}");
            assert!(err.detail.contains("WAHA's own routes"), "{}", err.detail);
        }
    }

    #[test]
    fn phone_input_becomes_an_id_or_a_clear_error() {
        assert_eq!(phone_to_user_id("+1 (555) 123-4567").unwrap().to_string(), "15551234567@c.us");
        assert_eq!(phone_to_user_id("00 44 20 7946 0958").unwrap().to_string(), "442079460958@c.us");
        assert_eq!(phone_to_user_id("4915112345678").unwrap().to_string(), "4915112345678@c.us");
        for bad in ["0151 1234567", "555-1234", "+1 555 abc", "", "+"] {
            assert_eq!(phone_to_user_id(bad).unwrap_err().code, ErrorCode::InvalidPhoneNumber, "{bad:?}");
        }
    }
}
