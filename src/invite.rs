//! Invite codes and invite links (`https://chat.whatsapp.com/<code>`).

use crate::error::ErrorCode;
use crate::limits::{INVITE_CODE_MAX, INVITE_CODE_MIN, INVITE_LINK_MAX};
use std::fmt;

/// The only host of WhatsApp group invite links.
pub const INVITE_HOST: &str = "chat.whatsapp.com";

/// A group invite code: 20–24 ASCII letters and digits (22 is typical).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InviteCode(String);

impl InviteCode {
    /// Parses a bare code.
    pub fn parse(code: &str) -> Result<Self, (ErrorCode, &'static str)> {
        let fail = |why| Err((ErrorCode::InvalidInviteCode, why));
        if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return fail("an invite code has only letters and digits");
        }
        if !(INVITE_CODE_MIN..=INVITE_CODE_MAX).contains(&code.len()) {
            return fail("an invite code has 20 to 24 characters");
        }
        Ok(InviteCode(code.to_owned()))
    }

    /// Parses a code or an invite link (`https://chat.whatsapp.com/<code>`, also with `/invite/`,
    /// a trailing slash, a query or a fragment). Look-alike hosts are refused.
    pub fn parse_code_or_link(input: &str) -> Result<Self, (ErrorCode, &'static str)> {
        let input = input.trim();
        if input.len() > INVITE_LINK_MAX {
            return Err((ErrorCode::InvalidInviteLink, "too long for an invite link"));
        }
        let looks_like_link = input.contains('/') || input.contains(':') || input.contains('.');
        if !looks_like_link {
            return Self::parse(input);
        }
        let fail = |why| Err((ErrorCode::InvalidInviteLink, why));
        let rest = match input.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => rest,
            Some(_) => return fail("an invite link must use https"),
            None => input,
        };
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if !host.eq_ignore_ascii_case(INVITE_HOST) {
            return fail("an invite link must be on chat.whatsapp.com");
        }
        let path = path.strip_suffix('/').unwrap_or(path);
        let code = path.strip_prefix("invite/").unwrap_or(path);
        Self::parse(code).map_err(|(_, why)| (ErrorCode::InvalidInviteLink, why))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shareable link for this code.
    pub fn link(&self) -> String {
        format!("https://{INVITE_HOST}/{}", self.0)
    }
}

impl fmt::Display for InviteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "AbCdEfGhIjKlMnOpQrStUv";

    #[test]
    fn accepts_codes_and_link_variants() {
        for ok in [
            CODE.to_string(),
            format!("https://chat.whatsapp.com/{CODE}"),
            format!("https://chat.whatsapp.com/invite/{CODE}"),
            format!("https://chat.whatsapp.com/{CODE}/"),
            format!("https://chat.whatsapp.com/{CODE}?s=sw&p=a"),
            format!("https://CHAT.whatsapp.com/{CODE}#join"),
            format!("chat.whatsapp.com/{CODE}"),
            format!("  {CODE}  "),
        ] {
            assert_eq!(InviteCode::parse_code_or_link(&ok).unwrap().as_str(), CODE, "{ok}");
        }
        assert_eq!(InviteCode::parse(CODE).unwrap().link(), format!("https://chat.whatsapp.com/{CODE}"));
    }

    #[test]
    fn refuses_look_alikes_and_bad_codes() {
        for (bad, code) in [
            (format!("https://chat.whatsapp.com.evil.example/{CODE}"), ErrorCode::InvalidInviteLink),
            (format!("https://evil.example/chat.whatsapp.com/{CODE}"), ErrorCode::InvalidInviteLink),
            (format!("http://chat.whatsapp.com/{CODE}"), ErrorCode::InvalidInviteLink),
            (format!("https://user@chat.whatsapp.com/{CODE}"), ErrorCode::InvalidInviteLink),
            (format!("https://chat.whatsapp.com:8443/{CODE}"), ErrorCode::InvalidInviteLink),
            ("https://chat.whatsapp.com/short".to_string(), ErrorCode::InvalidInviteLink),
            ("short".to_string(), ErrorCode::InvalidInviteCode),
            (format!("{CODE}!"), ErrorCode::InvalidInviteCode),
            ("A".repeat(25), ErrorCode::InvalidInviteCode),
        ] {
            assert_eq!(InviteCode::parse_code_or_link(&bad).unwrap_err().0, code, "{bad}");
        }
    }
}
