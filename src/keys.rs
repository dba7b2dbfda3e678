//! Client keys (`API_KEYS`): which key may call, in which sessions, with which scopes and from
//! which origins.
//!
//! An entry is `key[:sessions[:scopes[:origins]]]`: `sessions` and `origins` are `|`-separated
//! lists, `scopes` a list separated by `|` or `,`, and `*` in any of them means every one (an
//! absent field too). The value is one comma-separated list, so a scope after a comma continues
//! the scope list of the entry before it: a comma-separated piece whose part before any `:` is one
//! scope name continues that list (with the entry's origins after a `:`), any other piece starts a
//! new entry. This cannot be misread: a key has at least [`CLIENT_KEY_MIN`] characters, a scope
//! name at most seven. Errors name the entry's position (and the item's within a list), never a
//! key or any other part of the value.

use crate::config::normalize_origin;
use crate::error::{Error, ErrorCode};
use crate::ids::SessionName;
use crate::ops::OperationKind;
use crate::wire::{joined, Json};

/// The Worker's route answering what the calling key may do ([`ClientKey::grant`]); outside
/// `/api/`, where WAHA has its own `/api/keys`.
pub const KEY_PATH: &str = "/groupgate/key";

/// Shortest client key accepted: shorter keys are guessable.
pub const CLIENT_KEY_MIN: usize = 16;

/// Declares the scopes once: variant and wire spelling.
macro_rules! scopes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal; )*) => {
        /// What a key may do: every operation needs exactly one scope
        /// ([`OperationKind::scope`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Scope {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Scope {
            /// Every scope, in declaration order.
            pub const ALL: &'static [Scope] = &[$(Scope::$variant),*];

            /// The TypeScript union of every scope's spelling, for the npm module's declarations.
            pub const TS_UNION: &'static str = concat!(
                "/** What a client key may do (`API_KEYS` scopes). */\n",
                "export type Scope =",
                $("\n  | \"", $name, "\"",)*
                ";\n"
            );

            /// The scope as written in `API_KEYS` and answers (`members`).
            pub fn as_str(self) -> &'static str {
                match self { $(Scope::$variant => $name,)* }
            }

            /// The scope named `name` exactly, if any.
            pub fn parse(name: &str) -> Option<Scope> {
                match name { $($name => Some(Scope::$variant),)* _ => None }
            }
        }
    };
}

scopes! {
    /// Reading groups, members, settings, invite codes, join requests and pictures.
    Read = "read";
    /// Changing a group's subject, description, picture and settings.
    Write = "write";
    /// Adding, removing, promoting and demoting members; approving and rejecting join requests.
    Members = "members";
    /// Revoking a group's invite code and joining a group by invite.
    Invite = "invite";
    /// Creating groups.
    Create = "create";
    /// Deleting and leaving groups.
    Delete = "delete";
    /// Reloading the groups from WhatsApp.
    Refresh = "refresh";
}

impl Scope {
    /// The operations this scope allows, in the operation table's order.
    pub fn operations(self) -> impl Iterator<Item = OperationKind> {
        OperationKind::ALL.iter().copied().filter(move |kind| kind.scope() == self)
    }
}

/// One accepted client key and what it may do; `None` lists mean every one.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientKey {
    key: String,
    sessions: Option<Vec<SessionName>>,
    scopes: Option<Vec<Scope>>,
    origins: Option<Vec<String>>,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKey")
            .field("key", &"<redacted>")
            .field("sessions", &self.sessions)
            .field("scopes", &self.scopes)
            .field("origins", &self.origins)
            .finish()
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

/// `None` for `*`, else every `|`-separated item read by `item` (given its 1-based position).
fn list<T>(field: &str, mut item: impl FnMut(usize, &str) -> Result<T, String>) -> Result<Option<Vec<T>>, String> {
    if field.trim() == "*" {
        return Ok(None);
    }
    field.split('|').enumerate().map(|(i, text)| item(i + 1, text.trim())).collect::<Result<Vec<_>, _>>().map(Some)
}

fn scope(position: usize, name: &str) -> Result<Scope, String> {
    let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
    Scope::parse(name).ok_or_else(|| format!("scope {position} is not one of {}", joined(&names, ", ")))
}

fn origins(field: &str) -> Result<Option<Vec<String>>, String> {
    list(field, |i, origin| normalize_origin(origin).map_err(|why| format!("origin {i} {why}")))
}

impl ClientKey {
    /// Parses one entry `key[:sessions[:scopes[:origins]]]`; errors never repeat any of it.
    fn parse(entry: &str) -> Result<ClientKey, String> {
        let mut fields = entry.splitn(4, ':');
        let key = fields.next().unwrap_or_default();
        if key.len() < CLIENT_KEY_MIN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!("a key needs at least {CLIENT_KEY_MIN} printable characters"));
        }
        let sessions = match fields.next() {
            Some(field) => list(field, |_, name| SessionName::parse(name).map_err(|e| e.detail))?,
            None => None,
        };
        let scopes = match fields.next() {
            Some(field) => list(field, scope)?,
            None => None,
        };
        let origins = match fields.next() {
            Some(field) => origins(field)?,
            None => None,
        };
        Ok(ClientKey { key: key.to_owned(), sessions, scopes, origins })
    }

    /// Whether the key may use `session`.
    pub fn may_use_session(&self, session: &SessionName) -> bool {
        self.sessions.as_ref().is_none_or(|list| list.contains(session))
    }

    /// Whether the key holds `scope`.
    pub fn may(&self, scope: Scope) -> bool {
        self.scopes.as_ref().is_none_or(|list| list.contains(&scope))
    }

    /// Refuses a request whose `Origin` is not one the key is bound to (`403 origin_not_allowed`).
    /// A request without `Origin` (a script, a same-origin read) is not refused: a browser sends it
    /// on every cross-origin request, and a script could send any.
    pub fn check_origin(&self, origin: Option<&str>) -> Result<(), Error> {
        match (&self.origins, origin) {
            (Some(list), Some(origin)) if !list.iter().any(|o| o.eq_ignore_ascii_case(origin)) => Err(Error::new(
                ErrorCode::OriginNotAllowed,
                "this API key may not be used from this origin (see its origins in API_KEYS)",
            )),
            _ => Ok(()),
        }
    }

    /// Refuses a session the key may not use (`403 forbidden`).
    pub fn check_session(&self, session: &SessionName) -> Result<(), Error> {
        if self.may_use_session(session) {
            return Ok(());
        }
        Err(Error::new(ErrorCode::Forbidden, format!("this API key may not use session {session}")))
    }

    /// Refuses an operation of a scope the key does not hold (`403 forbidden`).
    pub fn check_scope(&self, scope: Scope) -> Result<(), Error> {
        if self.may(scope) {
            return Ok(());
        }
        Err(Error::new(ErrorCode::Forbidden, format!("this key may not use scope {}", scope.as_str())))
    }

    /// What the key may do, as `GET /groupgate/key` answers it: `sessions` and `origins` are
    /// lists or `"*"`, `scopes` always the full list. The key itself is not in it.
    pub fn grant(&self) -> Json {
        fn every_or<T>(list: &Option<Vec<T>>, text: impl Fn(&T) -> String) -> Json {
            match list {
                None => Json::Str("*".into()),
                Some(list) => Json::Array(list.iter().map(|item| Json::Str(text(item))).collect()),
            }
        }
        let scopes = Scope::ALL.iter().filter(|s| self.may(**s)).map(|s| Json::Str(s.as_str().into())).collect();
        Json::Object(vec![
            ("origins", every_or(&self.origins, String::clone)),
            ("scopes", Json::Array(scopes)),
            ("sessions", every_or(&self.sessions, SessionName::to_string)),
        ])
    }
}

/// The parsed `API_KEYS` setting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientKeys(Vec<ClientKey>);

impl ClientKeys {
    /// Parses `API_KEYS` (see the module doc). Errors name the entry's position, never a key.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut keys: Vec<ClientKey> = Vec::new();
        // Whether the last entry's scope list is still open to a scope after a comma.
        let mut open = false;
        for piece in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (head, origins_field) = match piece.split_once(':') {
                Some((head, rest)) => (head.trim(), Some(rest)),
                None => (piece, None),
            };
            if let Some(found) = Scope::parse(head) {
                let position = keys.len();
                let Some(entry) = keys.last_mut().filter(|_| open) else {
                    let what = "a scope after a comma continues the scope list of the entry before it (key:sessions:scope,scope)";
                    return Err(format!("API_KEYS entry {}: {what}", position.max(1)));
                };
                entry.scopes.get_or_insert_with(Vec::new).push(found);
                if let Some(field) = origins_field {
                    entry.origins = origins(field).map_err(|e| format!("API_KEYS entry {position}: {e}"))?;
                    open = false;
                }
                continue;
            }
            let position = keys.len() + 1;
            let entry = ClientKey::parse(piece).map_err(|e| format!("API_KEYS entry {position}: {e}"))?;
            if let Some(first) = keys.iter().position(|k| k.key == entry.key) {
                return Err(format!("API_KEYS entry {position}: the same key as entry {}", first + 1));
            }
            let fields = piece.split(':').count();
            open = fields == 3 && entry.scopes.is_some();
            keys.push(entry);
        }
        Ok(ClientKeys(keys))
    }

    /// The entry of `presented`, comparing against every key in constant time; `401
    /// unauthorized` when there is no key or no such key.
    pub fn authenticate(&self, presented: Option<&str>) -> Result<&ClientKey, Error> {
        let Some(presented) = presented else {
            return Err(Error::new(
                ErrorCode::Unauthorized,
                "missing API key: send it in X-Api-Key or Authorization: Bearer",
            ));
        };
        let found = self.0.iter().fold(None, |found, entry| {
            let same = constant_time_eq(entry.key.as_bytes(), presented.as_bytes());
            if same {
                Some(entry)
            } else {
                found
            }
        });
        found.ok_or_else(|| Error::new(ErrorCode::Unauthorized, "invalid API key"))
    }

    /// Whether no key is configured (then every request is refused).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
