//! Regular expressions (ECMA-262, as JSON Schema reads them) built from the validator's own rules
//! and constants, so that a schema's pattern and the check it describes cannot drift apart.

use crate::ids::{GROUP_SUFFIX, LID_SUFFIX, USER_SUFFIX};
use crate::invite::INVITE_HOST;
use crate::limits::{
    is_invisible_char, GROUP_DIGITS_MAX, GROUP_DIGITS_MIN, GROUP_TIMESTAMP_DIGITS_MAX, INVITE_CODE_MAX,
    INVITE_CODE_MIN, LID_DIGITS_MAX, LID_DIGITS_MIN, PHONE_DIGITS_MAX, PHONE_DIGITS_MIN,
};
use std::sync::OnceLock;

/// `s` with every character that means something in a regular expression escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\^$.|?*+()[]{}/-".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Matches `word` in any letter case (`[Aa][Pp][Pp][Ss]`), as `eq_ignore_ascii_case` compares.
pub fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| match (c.to_ascii_lowercase(), c.to_ascii_uppercase()) {
            (lower, upper) if lower != upper => format!("[{upper}{lower}]"),
            _ => escape(&c.to_string()),
        })
        .collect()
}

/// Digits as `check_digits` accepts them: `min` to `max` of them, the first not `0`.
pub fn digits(min: usize, max: usize) -> String {
    format!("[1-9][0-9]{{{},{}}}", min - 1, max - 1)
}

/// A group id (`GroupId::parse`): new style, or `<creator>-<unix seconds>`.
pub fn group_id() -> String {
    let head = digits(GROUP_DIGITS_MIN, GROUP_DIGITS_MAX);
    let stamp = digits(1, GROUP_TIMESTAMP_DIGITS_MAX);
    format!("^{head}(?:-{stamp})?{}$", escape(GROUP_SUFFIX))
}

/// A participant id (`ParticipantId::parse`) in its one canonical spelling (as `ParticipantId`
/// displays it): a phone-number user id in WAHA's form, or a lid. The other spelling of a user id
/// (`@s.whatsapp.net`) is accepted too, but documenting both would let a list that `uniqueItems`
/// admits name one person twice.
pub fn participant_id() -> String {
    let phone = digits(PHONE_DIGITS_MIN, PHONE_DIGITS_MAX);
    let lid = digits(LID_DIGITS_MIN, LID_DIGITS_MAX);
    format!("^(?:{phone}{}|{lid}{})$", escape(USER_SUFFIX), escape(LID_SUFFIX))
}

/// A bare invite code (`InviteCode::parse`).
pub fn invite_code() -> String {
    format!("^[A-Za-z0-9]{{{INVITE_CODE_MIN},{INVITE_CODE_MAX}}}$")
}

/// An invite link (`InviteCode::parse_code_or_link`): `https://` optional, the invite host in any
/// case, `/invite/` optional, the code, one trailing slash, then any query or fragment.
pub fn invite_link() -> String {
    let code = invite_code();
    let code = code.trim_start_matches('^').trim_end_matches('$');
    format!("^(?:{}://)?{}/(?:invite/)?{code}/?(?:[?#][\\s\\S]*)?$", any_case("https"), any_case(INVITE_HOST))
}

/// An https URL whose host is a name of two or more labels (an address or a single-label name is
/// never public), an optional port, then anything but whitespace and controls (`HttpsUrl::parse`).
pub fn https_url() -> String {
    let label = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
    let top = "[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
    format!(
        "^{}://(?:{label}\\.)+{top}(?::[1-9][0-9]{{0,4}})?(?:[/?#][^\\s\\u0000-\\u001F\\u007F]*)?$",
        any_case("https")
    )
}

/// Contains at least one character that shows something (the opposite of `is_invisible`): the
/// class is computed from the validator's own per-character test (once: it scans every character).
pub fn visible() -> &'static str {
    static VISIBLE: OnceLock<String> = OnceLock::new();
    VISIBLE.get_or_init(visible_class)
}

fn visible_class() -> String {
    let mut class = String::from("[^");
    let mut run: Option<(char, char)> = None;
    let push = |(lo, hi): (char, char), class: &mut String| {
        class.push_str(&escape_in_class(lo));
        if hi != lo {
            class.push('-');
            class.push_str(&escape_in_class(hi));
        }
    };
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        match (is_invisible_char(c), run) {
            (true, Some((lo, hi))) if u32::from(hi) + 1 == u32::from(c) => run = Some((lo, c)),
            (true, previous) => {
                if let Some(range) = previous {
                    push(range, &mut class);
                }
                run = Some((c, c));
            }
            (false, _) => {}
        }
    }
    if let Some(range) = run {
        push(range, &mut class);
    }
    class.push(']');
    class
}

/// One character inside a `[…]` class: the class's own syntax escaped, controls as `\uXXXX`.
fn escape_in_class(c: char) -> String {
    match c {
        '\\' | ']' | '[' | '^' | '-' => format!("\\{c}"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => format!("\\u{:04X}", c as u32),
        c => c.to_string(),
    }
}
