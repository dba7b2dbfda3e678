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
/// Longest session name.
pub const SESSION_NAME_MAX: usize = 64;
/// Longest query string accepted.
pub const QUERY_MAX_BYTES: usize = 2048;

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
    /// Caps `participants_per_request` at what one group can hold besides its creator.
    pub fn clamped(mut self) -> Self {
        self.participants_per_request = self.participants_per_request.clamp(1, GROUP_SIZE_MAX - 1);
        self
    }
}

/// Length of `s` as WhatsApp's clients count it (UTF-16 code units).
pub fn whatsapp_length(s: &str) -> usize {
    s.encode_utf16().count()
}
