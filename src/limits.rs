//! Every limit groupgate enforces, as named constants, and the configurable subset.
//!
//! Limits WhatsApp does not publish (subject and description length, members per request) are
//! settings with these defaults.

/// Members a WhatsApp group can hold (since November 2022).
pub const GROUP_SIZE_MAX: usize = 1024;
/// Default cap on participants in one add/remove/promote/demote/approve/reject/create request.
pub const PARTICIPANTS_PER_REQUEST_DEFAULT: usize = 50;
/// Default maximum subject length, in UTF-16 code units (as WhatsApp's clients count).
pub const SUBJECT_MAX_DEFAULT: usize = 100;
/// Default maximum description length, in UTF-16 code units.
pub const DESCRIPTION_MAX_DEFAULT: usize = 2048;
/// Digits in a phone number (E.164).
pub const PHONE_DIGITS_MAX: usize = 15;
/// Fewest digits accepted in a phone number, country code included (7-digit numbers of tiny
/// territories such as Niue are refused: a 7-digit input is far more often a local number).
pub const PHONE_DIGITS_MIN: usize = 8;
/// Digits in a linked id (`@lid`): 13–15 are seen; accept a margin either side.
pub const LID_DIGITS_MIN: usize = 6;
/// Most digits in a linked id.
pub const LID_DIGITS_MAX: usize = 20;
/// Fewest digits in a group id's first part.
pub const GROUP_DIGITS_MIN: usize = 6;
/// Most digits in a group id's first part (new-style ids have 18).
pub const GROUP_DIGITS_MAX: usize = 20;
/// Digits of the creation timestamp in an old-style group id (`<creator>-<unix seconds>`).
pub const GROUP_TIMESTAMP_DIGITS_MAX: usize = 12;
/// Shortest invite code accepted.
pub const INVITE_CODE_MIN: usize = 20;
/// Longest invite code accepted.
pub const INVITE_CODE_MAX: usize = 24;
/// Longest invite link accepted (code plus query and fragment noise).
pub const INVITE_LINK_MAX: usize = 512;
/// Largest picture accepted, decoded bytes.
pub const PICTURE_MAX_BYTES: usize = 2 * 1024 * 1024;
/// Longest picture URL.
pub const PICTURE_URL_MAX: usize = 2048;
/// Longest picture filename.
pub const PICTURE_FILENAME_MAX: usize = 255;
/// Image mimetypes accepted for group pictures (WhatsApp expects JPEG; PNG is converted by WAHA).
pub const PICTURE_MIMETYPES: [&str; 2] = ["image/jpeg", "image/png"];
/// Largest request body accepted, bytes (a base64 picture of the maximum size fits).
pub const BODY_MAX_BYTES: usize = 3 * 1024 * 1024;
/// Largest upstream answer the worker reads, bytes: a larger one is refused (`502
/// upstream_unavailable`) rather than held in the isolate's memory. 16 MiB holds the whole group
/// list, participants included, of an account in well over a hundred full groups; page a larger
/// list with `limit`/`offset` or `exclude=participants`.
pub const UPSTREAM_ANSWER_MAX_BYTES: usize = 16 * 1024 * 1024;
/// Longest session name (WAHA refuses longer names).
pub const SESSION_NAME_MAX: usize = 54;
/// Longest query string accepted.
pub const QUERY_MAX_BYTES: usize = 2048;
/// Field errors are listed in a refusal until their pointers and details reach this many bytes
/// (the first is always listed; the rest are counted): a body of many invalid fields gets an
/// answer of bounded size, and a refused list of the largest size is still reported item by item.
pub const FIELD_ERRORS_MAX_BYTES: usize = 256 * 1024;

/// The configurable limits, with [`Default`] giving the documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum subject length (UTF-16 code units).
    pub subject_max: usize,
    /// Maximum description length (UTF-16 code units).
    pub description_max: usize,
    /// Maximum participants in one request (never above `GROUP_SIZE_MAX - 1`).
    pub participants_per_request: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            subject_max: SUBJECT_MAX_DEFAULT,
            description_max: DESCRIPTION_MAX_DEFAULT,
            participants_per_request: PARTICIPANTS_PER_REQUEST_DEFAULT,
        }
    }
}

impl Limits {
    /// The setting of [`Limits::subject_max`].
    pub const SUBJECT_MAX_SETTING: &'static str = "SUBJECT_MAX_LENGTH";
    /// The setting of [`Limits::description_max`].
    pub const DESCRIPTION_MAX_SETTING: &'static str = "DESCRIPTION_MAX_LENGTH";
    /// The setting of [`Limits::participants_per_request`].
    pub const PARTICIPANTS_PER_REQUEST_SETTING: &'static str = "MAX_PARTICIPANTS_PER_REQUEST";

    /// The limit set by the setting named `name`, if it is one of these.
    pub fn by_setting(&self, name: &str) -> Option<usize> {
        match name {
            Self::SUBJECT_MAX_SETTING => Some(self.subject_max),
            Self::DESCRIPTION_MAX_SETTING => Some(self.description_max),
            Self::PARTICIPANTS_PER_REQUEST_SETTING => Some(self.participants_per_request),
            _ => None,
        }
    }
}

/// Length of `s` as WhatsApp's clients count it (UTF-16 code units).
pub fn whatsapp_length(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Characters that show nothing: besides whitespace and controls, the format characters, fillers
/// and selectors (Unicode's default-ignorable code points) and blank symbols such as U+2800.
const INVISIBLE_RANGES: [(char, char); 17] = [
    ('\u{00AD}', '\u{00AD}'),
    ('\u{034F}', '\u{034F}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{2800}', '\u{2800}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0000}', '\u{E0FFF}'),
];

/// Whether `c` shows nothing: whitespace, a control or an invisible character.
pub fn is_invisible_char(c: char) -> bool {
    c.is_whitespace() || c.is_control() || INVISIBLE_RANGES.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c))
}

/// Whether `s` shows nothing: empty, or only whitespace, controls and invisible characters.
pub fn is_invisible(s: &str) -> bool {
    s.chars().all(is_invisible_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_text_is_recognised() {
        for s in [
            "",
            "  ",
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}",
            "\u{2060}\u{FEFF}",
            "\u{3164}",
            "\u{2800}\u{2800}",
            "\u{E0041}\u{E007F}",
            "\u{00A0}\u{2003}",
            "\u{FE0F}",
            "\u{115F}\u{1160}",
            "\u{202E}\t",
        ] {
            assert!(is_invisible(s), "{s:?}");
        }
        for s in ["a", "\u{200B}a\u{200B}", "👍", "\u{1F44D}\u{FE0F}", "x\u{200D}y", "٠"] {
            assert!(!is_invisible(s), "{s:?}");
        }
    }
}
