//! The Worker's settings, parsed from plain strings so the rules are testable natively.
//!
//! | setting | format |
//! |---|---|
//! | `API_KEYS` | client keys, their sessions, scopes and origins ([`crate::keys`]) |
//! | `ALLOWED_ORIGINS` | comma-separated origins (`https://admin.example.com`), or `*` |
//! | `LIMIT_REFRESH`, `LIMIT_ADD`, `LIMIT_REMOVE`, `LIMIT_CREATE` | `"<units>/<seconds>"`, or `off` |
//! | `LIMIT_ADD_PER_GROUP`, `LIMIT_REMOVE_PER_GROUP` | the same, per group (default `off`) |
//! | `RATE_LIMIT_ON_STORE_ERROR` | comma-separated `class:deny` or `class:allow` |
//! | `RATE_LIMIT_BACKEND` | `kv` (default) or `durable-object`: where the rate-limit logs live |
//! | `UPSTREAM_URL` | `http(s)://host[:port][/base]` of the WAHA server |
//! | `UPSTREAM_DIALECT` | `waha` (default) or `wadial`: the wire shape the upstream speaks |
//! | `UPSTREAM_API_KEY` | the upstream's key (secret) |
//! | `UPSTREAM_TIMEOUT_MS` | positive integer, at most what an idempotency marker covers |
//! | `UPSTREAM_ANSWER_CHECK` | `headers` or `body` ([`crate::upstream::AnswerCheck`]) |
//! | `PICTURE_URL_HOSTS` | comma-separated hosts that picture URLs may name although not public |
//! | `PICTURE_URL_FETCH` | `edge` or `upstream`: who downloads pictures from those hosts |
//! | `STORE_TIMEOUT_MS` | positive integer, at most [`STORE_TIMEOUT_MS_MAX`]: KV operations and Durable Object calls slower than this count as store failures |
//! | `SUBJECT_MAX_LENGTH`, `DESCRIPTION_MAX_LENGTH`, `MAX_PARTICIPANTS_PER_REQUEST` | positive integer |
//! | `GROUP_CACHE` | `off` or seconds ([`crate::cache::parse_setting`]) |
//! | `WEBHOOK_*` | the webhook receiver ([`crate::webhook::WebhookSettings`]) |

use crate::admission::Backend;
use crate::idempotency::check_upstream_timeout;
use crate::keys::ClientKeys;
use crate::limits::{Limits, GROUP_SIZE_MAX};
use crate::ops::{RateClass, Upstream, UPSTREAM_DIALECTS};
use crate::picture_url::PictureUrlPolicy;
use crate::ratelimit::{Policy, Quota, Scope};
use crate::upstream::AnswerCheck;
use crate::webhook::WebhookSettings;
use crate::wire::{is_http_url, joined};
use std::cell::RefCell;
use std::rc::Rc;

/// Default upstream timeout.
pub const UPSTREAM_TIMEOUT_MS_DEFAULT: u32 = 15_000;
/// Default timeout of a KV operation or Durable Object call.
pub const STORE_TIMEOUT_MS_DEFAULT: u32 = 2_000;
/// The longest `STORE_TIMEOUT_MS`: a store call slower than a minute has failed, whatever it
/// answers later, and a bounded deadline lets the Worker drop a task that waited far longer.
pub const STORE_TIMEOUT_MS_MAX: u32 = 60_000;

/// The parsed `ALLOWED_ORIGINS` setting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// No cross-origin access.
    #[default]
    None,
    /// Any origin (`*`).
    Any,
    /// Exactly these origins.
    List(Vec<String>),
}

impl AllowedOrigins {
    /// Parses `ALLOWED_ORIGINS`; each origin is `scheme://host[:port]` without a path.
    pub fn parse(s: &str) -> Result<Self, String> {
        let list: Vec<&str> = s.split(',').map(str::trim).filter(|o| !o.is_empty()).collect();
        if list == ["*"] {
            return Ok(AllowedOrigins::Any);
        }
        if list.is_empty() {
            return Ok(AllowedOrigins::None);
        }
        let list = list.into_iter().enumerate().map(|(i, origin)| {
            normalize_origin(origin).map_err(|why| format!("ALLOWED_ORIGINS entry {}: an origin {why}", i + 1))
        });
        Ok(AllowedOrigins::List(list.collect::<Result<_, _>>()?))
    }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, if it is allowed.
    pub fn grant<'o>(&self, origin: &'o str) -> Option<&'o str> {
        match self {
            AllowedOrigins::None => None,
            AllowedOrigins::Any => Some(origin),
            AllowedOrigins::List(list) => list.iter().any(|o| o.eq_ignore_ascii_case(origin)).then_some(origin),
        }
    }
}

/// An origin `scheme://host[:port]` (http or https, no path) in lower case, as browsers send it
/// in `Origin`; the error says why not, without repeating it.
pub fn normalize_origin(origin: &str) -> Result<String, &'static str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', '*', ' ']) {
        return Err("must be scheme://host[:port] with no path");
    }
    Ok(origin.to_ascii_lowercase())
}

/// What to do with a limited request when the rate-limit store fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreFailure {
    /// Refuse with 503 (protects the number).
    Deny,
    /// Let the request through unlimited (keeps the route available).
    Allow,
}

/// Classes that may also be limited per group: each of their requests acts on one group.
pub const PER_GROUP_CLASSES: [RateClass; 2] = [RateClass::Add, RateClass::Remove];

/// Rate-limit settings of every class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    policies: [Option<Policy>; RateClass::ALL.len()],
    per_group: [Option<Policy>; RateClass::ALL.len()],
    on_store_error: [StoreFailure; RateClass::ALL.len()],
    backend: Backend,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            policies: RateClass::ALL.map(|c| Some(Policy::default_for(c))),
            per_group: [None; RateClass::ALL.len()],
            on_store_error: RateClass::ALL.map(default_store_failure),
            backend: Backend::default(),
        }
    }
}

/// Refuse refresh and add when the store fails (a burst could get the number banned); allow
/// remove (admins must be able to remove spammers during an incident).
fn default_store_failure(class: RateClass) -> StoreFailure {
    match class {
        RateClass::Refresh | RateClass::Add | RateClass::Create => StoreFailure::Deny,
        RateClass::Remove => StoreFailure::Allow,
    }
}

/// Parses one `LIMIT_*` setting: `"<units>/<seconds>"`, `off`, or unset/empty for `default`.
fn limit_setting(name: &str, value: Option<String>, default: Option<Policy>) -> Result<Option<Policy>, String> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some("off") => Ok(None),
        Some(value) => Policy::parse(value).map(Some).map_err(|e| format!("{name}: {e}")),
    }
}

impl RateLimits {
    /// Reads `LIMIT_<CLASS>` (default: [`Policy::default_for`]), `LIMIT_ADD_PER_GROUP` and
    /// `LIMIT_REMOVE_PER_GROUP` (default: off), `RATE_LIMIT_ON_STORE_ERROR` and
    /// `RATE_LIMIT_BACKEND` through `get`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut out = RateLimits::default();
        for class in RateClass::ALL {
            let name = format!("LIMIT_{}", class.as_str().to_ascii_uppercase());
            out.policies[class as usize] = limit_setting(&name, get(&name), Some(Policy::default_for(class)))?;
            if PER_GROUP_CLASSES.contains(&class) {
                let name = format!("{name}_PER_GROUP");
                out.per_group[class as usize] = limit_setting(&name, get(&name), None)?;
            }
        }
        let on_store_error = get("RATE_LIMIT_ON_STORE_ERROR").unwrap_or_default();
        for (i, item) in on_store_error.split(',').map(str::trim).filter(|s| !s.is_empty()).enumerate() {
            let fail = || format!("RATE_LIMIT_ON_STORE_ERROR item {}: expected class:deny or class:allow", i + 1);
            let (class, action) = item.split_once(':').ok_or_else(fail)?;
            let index = RateClass::ALL.iter().position(|c| c.as_str() == class.trim()).ok_or_else(fail)?;
            out.on_store_error[index] = match action.trim() {
                "deny" => StoreFailure::Deny,
                "allow" => StoreFailure::Allow,
                _ => return Err(fail()),
            };
        }
        out.backend = Backend::parse(get("RATE_LIMIT_BACKEND").as_deref())?;
        Ok(out)
    }

    /// The per-session policy of `class`, `None` when switched off.
    pub fn policy(&self, class: RateClass) -> Option<Policy> {
        self.policies[class as usize]
    }

    /// The per-group policy of `class`, `None` when switched off (always, for refresh).
    pub fn group_policy(&self, class: RateClass) -> Option<Policy> {
        self.per_group[class as usize]
    }

    /// Every quota a request of `class` must fit, the session's first; empty: unlimited.
    pub fn quotas(&self, class: RateClass) -> Vec<Quota> {
        [(Scope::Session, self.policy(class)), (Scope::Group, self.group_policy(class))]
            .into_iter()
            .filter_map(|(scope, policy)| Some(Quota { class, scope, policy: policy? }))
            .collect()
    }

    /// Where the logs live.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The store-failure behaviour of `class`.
    pub fn on_store_error(&self, class: RateClass) -> StoreFailure {
        self.on_store_error[class as usize]
    }
}

/// `UPSTREAM_DIALECT`: the name of one of [`UPSTREAM_DIALECTS`] (default `waha`).
pub fn upstream_dialect(value: Option<&str>) -> Result<&'static dyn Upstream, String> {
    let name = value.map(str::trim).filter(|v| !v.is_empty()).unwrap_or("waha");
    UPSTREAM_DIALECTS.iter().copied().find(|d| d.name() == name).ok_or_else(|| {
        let names: Vec<&str> = UPSTREAM_DIALECTS.iter().map(|d| d.name()).collect();
        format!("UPSTREAM_DIALECT: expected one of {}", joined(&names, ", "))
    })
}

/// Parses an optional positive integer setting.
pub fn positive(name: &str, value: Option<&str>, default: u32) -> Result<u32, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(default),
        Some(v) => {
            v.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| format!("{name}: expected a positive integer"))
        }
    }
}

/// Parses `STORE_TIMEOUT_MS`: a positive integer of at most [`STORE_TIMEOUT_MS_MAX`].
fn store_timeout(value: Option<&str>) -> Result<u32, String> {
    let ms = positive("STORE_TIMEOUT_MS", value, STORE_TIMEOUT_MS_DEFAULT)?;
    if ms > STORE_TIMEOUT_MS_MAX {
        return Err(format!(
            "STORE_TIMEOUT_MS: at most {STORE_TIMEOUT_MS_MAX} (a store call slower than that has failed)"
        ));
    }
    Ok(ms)
}

/// Builds the configurable validation limits from their settings; more people per request than
/// a group holds besides its creator is refused, not cut down.
pub fn limits(subject: Option<&str>, description: Option<&str>, participants: Option<&str>) -> Result<Limits, String> {
    let d = Limits::default();
    let name = Limits::PARTICIPANTS_PER_REQUEST_SETTING;
    let participants_per_request = positive(name, participants, d.participants_per_request as u32)? as usize;
    if participants_per_request >= GROUP_SIZE_MAX {
        let most = GROUP_SIZE_MAX - 1;
        return Err(format!("{name}: at most {most} (a group holds {GROUP_SIZE_MAX} people with its creator)"));
    }
    Ok(Limits {
        subject_max: positive(Limits::SUBJECT_MAX_SETTING, subject, d.subject_max as u32)? as usize,
        description_max: positive(Limits::DESCRIPTION_MAX_SETTING, description, d.description_max as u32)? as usize,
        participants_per_request,
    })
}

/// Every setting of the Worker, parsed and checked.
#[derive(Clone)]
pub struct GatewaySettings {
    /// Base URL of the WAHA server, without a trailing slash.
    pub upstream_url: String,
    /// Key sent upstream (as the upstream dialect's credentials header).
    pub upstream_key: String,
    /// The dialect the upstream speaks (`UPSTREAM_DIALECT`).
    pub upstream_dialect: &'static dyn Upstream,
    /// Accepted client keys.
    pub keys: ClientKeys,
    /// CORS origins.
    pub origins: AllowedOrigins,
    /// Validation limits.
    pub limits: Limits,
    /// Rate-limit policies.
    pub rate: RateLimits,
    /// Upstream timeout.
    pub upstream_timeout_ms: u32,
    /// How much of a successful upstream answer is checked before it is passed on.
    pub answer_check: AnswerCheck,
    /// Timeout of a KV operation or Durable Object call.
    pub store_timeout_ms: u32,
    /// Who downloads pictures given by URL (`PICTURE_URL_HOSTS`, `PICTURE_URL_FETCH`).
    pub pictures: PictureUrlPolicy,
    /// Freshness of the group cache in seconds (`GROUP_CACHE`); `None`: off.
    pub group_cache: Option<u32>,
    /// The webhook receiver.
    pub webhooks: WebhookSettings,
}

impl std::fmt::Debug for GatewaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewaySettings")
            .field("upstream_url", &self.upstream_url)
            .field("upstream_key", &"<redacted>")
            .field("upstream_dialect", &self.upstream_dialect.name())
            .field("keys", &self.keys)
            .field("webhooks", &self.webhooks)
            .finish_non_exhaustive()
    }
}

impl GatewaySettings {
    /// Reads every setting through `get` (the Worker's env). Errors name the setting, never a
    /// secret's value.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let upstream_url = get("UPSTREAM_URL").unwrap_or_default().trim().trim_end_matches('/').to_owned();
        if !is_http_url(&upstream_url) || upstream_url.contains(['?', '#']) {
            return Err("UPSTREAM_URL: expected http(s)://host[:port][/base path]".into());
        }
        let upstream_key = get("UPSTREAM_API_KEY").unwrap_or_default();
        if upstream_key.is_empty() || upstream_key.contains(['\r', '\n']) {
            return Err("UPSTREAM_API_KEY: missing or not a single line".into());
        }
        let upstream_dialect = upstream_dialect(get("UPSTREAM_DIALECT").as_deref())?;
        let keys = ClientKeys::parse(&get("API_KEYS").unwrap_or_default())?;
        if keys.is_empty() {
            return Err("API_KEYS: no client key configured".into());
        }
        let setting = |name: &str| get(name);
        let (subject, description, participants) = (
            setting(Limits::SUBJECT_MAX_SETTING),
            setting(Limits::DESCRIPTION_MAX_SETTING),
            setting(Limits::PARTICIPANTS_PER_REQUEST_SETTING),
        );
        let upstream_timeout_ms =
            positive("UPSTREAM_TIMEOUT_MS", setting("UPSTREAM_TIMEOUT_MS").as_deref(), UPSTREAM_TIMEOUT_MS_DEFAULT)?;
        check_upstream_timeout(upstream_timeout_ms)?;
        Ok(GatewaySettings {
            upstream_url,
            upstream_key,
            upstream_dialect,
            keys,
            origins: AllowedOrigins::parse(&get("ALLOWED_ORIGINS").unwrap_or_default())?,
            limits: limits(subject.as_deref(), description.as_deref(), participants.as_deref())?,
            rate: RateLimits::from_lookup(&get)?,
            upstream_timeout_ms,
            answer_check: AnswerCheck::parse_setting(setting("UPSTREAM_ANSWER_CHECK").as_deref())?,
            pictures: PictureUrlPolicy::from_settings(
                setting("PICTURE_URL_HOSTS").as_deref(),
                setting("PICTURE_URL_FETCH").as_deref(),
            )?,
            store_timeout_ms: store_timeout(setting("STORE_TIMEOUT_MS").as_deref())?,
            group_cache: crate::cache::parse_setting(setting("GROUP_CACHE").as_deref())?,
            webhooks: WebhookSettings::from_lookup(&get)?,
        })
    }
}

/// A value parsed from an environment once and kept while the same environment is presented:
/// the Worker keeps its settings per isolate this way (keyed by the `env` object), so a request
/// does not read and parse every setting again. A failed parse is kept too, and every call
/// answers its error (naming the setting) again.
pub struct ParsedOnce<K, T> {
    entry: RefCell<Option<(K, Parsed<T>)>>,
}

/// What parsing gave: the shared value, or the error naming the bad setting.
pub type Parsed<T> = Result<Rc<T>, String>;

impl<K: Clone + PartialEq, T> ParsedOnce<K, T> {
    /// An empty cache.
    pub const fn new() -> Self {
        ParsedOnce { entry: RefCell::new(None) }
    }

    /// The value parsed for `key`: kept from an earlier call with an equal key, else `parse()`
    /// (which then replaces what was kept).
    pub fn get(&self, key: &K, parse: impl FnOnce() -> Result<T, String>) -> Parsed<T> {
        if let Some((kept, parsed)) = self.entry.borrow().as_ref() {
            if kept == key {
                return parsed.clone();
            }
        }
        let parsed = parse().map(Rc::new);
        *self.entry.borrow_mut() = Some((key.clone(), parsed.clone()));
        parsed
    }
}

impl<K: Clone + PartialEq, T> Default for ParsedOnce<K, T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let o = AllowedOrigins::parse("https://admin.example.com, http://127.0.0.1:8788").unwrap();
        assert_eq!(o.grant("https://admin.example.com"), Some("https://admin.example.com"));
        assert_eq!(o.grant("http://127.0.0.1:8788"), Some("http://127.0.0.1:8788"));
        assert_eq!(o.grant("https://evil.example"), None);
        assert_eq!(AllowedOrigins::parse("").unwrap().grant("https://a.b"), None);
        assert_eq!(AllowedOrigins::parse("*").unwrap().grant("https://a.b"), Some("https://a.b"));
        assert!(AllowedOrigins::parse("admin.example.com").is_err());
        assert!(AllowedOrigins::parse("https://a.example/path").is_err());
    }

    /// A lookup of the given settings only.
    fn lookup(settings: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| settings.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn rate_limit_settings() {
        let r = RateLimits::from_lookup(lookup(&[
            ("LIMIT_REFRESH", "3/60"),
            ("LIMIT_ADD", "off"),
            ("RATE_LIMIT_ON_STORE_ERROR", "remove:deny"),
        ]))
        .unwrap();
        assert_eq!(r.policy(RateClass::Refresh), Some(Policy { units: 3, window_secs: 60 }));
        assert_eq!(r.policy(RateClass::Add), None);
        assert_eq!(r.policy(RateClass::Remove), Some(Policy::default_for(RateClass::Remove)));
        assert_eq!(r.on_store_error(RateClass::Remove), StoreFailure::Deny);
        assert_eq!(r.on_store_error(RateClass::Add), StoreFailure::Deny);
        assert_eq!(RateLimits::default().on_store_error(RateClass::Remove), StoreFailure::Allow);
        assert_eq!(RateLimits::from_lookup(lookup(&[])).unwrap(), RateLimits::default());
        let err = RateLimits::from_lookup(lookup(&[("LIMIT_REFRESH", "x")])).unwrap_err();
        assert!(err.starts_with("LIMIT_REFRESH:"), "{err}");
        assert!(RateLimits::from_lookup(lookup(&[("RATE_LIMIT_ON_STORE_ERROR", "add:maybe")])).is_err());
    }

    #[test]
    fn per_group_limit_settings() {
        // Off by default: a request fits its session's quota only.
        let r = RateLimits::default();
        assert_eq!(r.group_policy(RateClass::Add), None);
        assert_eq!(r.quotas(RateClass::Add).iter().map(|q| q.scope).collect::<Vec<_>>(), [Scope::Session]);

        let r = RateLimits::from_lookup(lookup(&[
            ("LIMIT_ADD", "10/600"),
            ("LIMIT_ADD_PER_GROUP", " 3/600 "),
            ("LIMIT_REMOVE", "off"),
            ("LIMIT_REMOVE_PER_GROUP", "5000/604800"),
            ("LIMIT_REFRESH_PER_GROUP", "1/60"),
        ]))
        .unwrap();
        let (session, group) = (Policy { units: 10, window_secs: 600 }, Policy { units: 3, window_secs: 600 });
        assert_eq!(r.group_policy(RateClass::Add), Some(group));
        assert_eq!(
            r.quotas(RateClass::Add),
            [
                Quota { class: RateClass::Add, scope: Scope::Session, policy: session },
                Quota { class: RateClass::Add, scope: Scope::Group, policy: group },
            ]
        );
        // A group quota without a session quota still limits.
        let remove = Policy { units: 5000, window_secs: 604_800 };
        assert_eq!(
            r.quotas(RateClass::Remove),
            [Quota { class: RateClass::Remove, scope: Scope::Group, policy: remove }]
        );
        // Refresh acts on no group: there is no LIMIT_REFRESH_PER_GROUP.
        assert_eq!(r.group_policy(RateClass::Refresh), None);
        assert_eq!(r.quotas(RateClass::Refresh).len(), 1);

        let off = RateLimits::from_lookup(lookup(&[("LIMIT_ADD_PER_GROUP", "off"), ("LIMIT_REMOVE_PER_GROUP", "")]));
        assert_eq!(off.unwrap(), RateLimits::default());
        // Same format and caps as the session limits; errors name the setting.
        for bad in ["3", "0/600", "3/0", "5001/60", "10/604801", "on"] {
            for name in ["LIMIT_ADD_PER_GROUP", "LIMIT_REMOVE_PER_GROUP"] {
                let env = move |n: &str| (n == name).then(|| bad.to_owned());
                let err = RateLimits::from_lookup(env).unwrap_err();
                assert!(err.starts_with(&format!("{name}:")), "{name}={bad}: {err}");
            }
        }
    }

    #[test]
    fn gateway_settings_from_env() {
        let env = |extra: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                let base = [
                    ("UPSTREAM_URL", "http://127.0.0.1:3001/"),
                    ("UPSTREAM_API_KEY", "upstream-secret-value"),
                    ("API_KEYS", "client-key-0123456789"),
                ];
                extra.iter().chain(base.iter()).find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
            }
        };
        let s = GatewaySettings::from_lookup(env(&[])).unwrap();
        assert_eq!(s.upstream_url, "http://127.0.0.1:3001");
        assert_eq!(s.upstream_timeout_ms, UPSTREAM_TIMEOUT_MS_DEFAULT);
        assert!(!format!("{s:?}").contains("upstream-secret-value"));
        let urls: [&'static [(&str, &str)]; 4] = [
            &[("UPSTREAM_URL", "ftp://x")],
            &[("UPSTREAM_URL", "http://wa\nha:3000")],
            &[("UPSTREAM_URL", "http://waha:3000/\tapi")],
            &[("UPSTREAM_URL", "http://waha:3000/a b")],
        ];
        for vars in urls {
            let err = GatewaySettings::from_lookup(env(vars)).unwrap_err();
            assert!(err.starts_with("UPSTREAM_URL"), "{vars:?}: {err}");
        }
        let err = GatewaySettings::from_lookup(env(&[("API_KEYS", "")])).unwrap_err();
        assert!(err.starts_with("API_KEYS"));
        let err = GatewaySettings::from_lookup(env(&[("UPSTREAM_TIMEOUT_MS", "soon")])).unwrap_err();
        assert!(err.starts_with("UPSTREAM_TIMEOUT_MS"));
        let err = GatewaySettings::from_lookup(env(&[("UPSTREAM_TIMEOUT_MS", "3600000")])).unwrap_err();
        assert!(err.starts_with("UPSTREAM_TIMEOUT_MS: at most"), "{err}");
        assert!(GatewaySettings::from_lookup(env(&[("UPSTREAM_TIMEOUT_MS", "300000")])).is_ok());
        let err = GatewaySettings::from_lookup(env(&[("STORE_TIMEOUT_MS", "60001")])).unwrap_err();
        assert!(err.starts_with("STORE_TIMEOUT_MS: at most 60000"), "{err}");
        assert!(!err.contains("60001"), "a bad setting names itself, never its value: {err}");
        let err = GatewaySettings::from_lookup(env(&[("STORE_TIMEOUT_MS", "0")])).unwrap_err();
        assert!(err.starts_with("STORE_TIMEOUT_MS: expected a positive integer"), "{err}");
        let s = GatewaySettings::from_lookup(env(&[("STORE_TIMEOUT_MS", "60000")])).unwrap();
        assert_eq!(s.store_timeout_ms, STORE_TIMEOUT_MS_MAX);
        let err = GatewaySettings::from_lookup(env(&[("PICTURE_URL_HOSTS", "bad host")])).unwrap_err();
        assert!(err.starts_with("PICTURE_URL_HOSTS"), "{err}");
        let err = GatewaySettings::from_lookup(env(&[("PICTURE_URL_FETCH", "waha")])).unwrap_err();
        assert!(err.starts_with("PICTURE_URL_FETCH"), "{err}");
        assert_eq!(s.rate.group_policy(RateClass::Add), None, "per-group limits are off by default");
        let s = GatewaySettings::from_lookup(env(&[("LIMIT_REMOVE_PER_GROUP", "4/60")])).unwrap();
        assert_eq!(s.rate.group_policy(RateClass::Remove), Some(Policy { units: 4, window_secs: 60 }));
        let err = GatewaySettings::from_lookup(env(&[("LIMIT_ADD_PER_GROUP", "lots")])).unwrap_err();
        assert!(err.starts_with("LIMIT_ADD_PER_GROUP"));
        assert_eq!((s.group_cache, s.webhooks.key.is_some()), (None, false), "cache and receiver are off by default");
        let s =
            GatewaySettings::from_lookup(env(&[("GROUP_CACHE", "30"), ("WEBHOOK_HMAC_KEY", "webhook-key-0123456789")]))
                .unwrap();
        assert_eq!((s.group_cache, s.webhooks.key.as_deref()), (Some(30), Some("webhook-key-0123456789")));
        assert!(!format!("{s:?}").contains("webhook-key-0123456789"));
        let err = GatewaySettings::from_lookup(env(&[("GROUP_CACHE", "forever")])).unwrap_err();
        assert!(err.starts_with("GROUP_CACHE"));
        assert_eq!(s.answer_check, AnswerCheck::Headers, "answers are streamed by default");
        let s = GatewaySettings::from_lookup(env(&[("UPSTREAM_ANSWER_CHECK", " body ")])).unwrap();
        assert_eq!(s.answer_check, AnswerCheck::Body);
        let err = GatewaySettings::from_lookup(env(&[("UPSTREAM_ANSWER_CHECK", "bodies")])).unwrap_err();
        assert!(err.starts_with("UPSTREAM_ANSWER_CHECK") && !err.contains("bodies"), "{err}");
        let err = GatewaySettings::from_lookup(env(&[("WEBHOOK_HMAC_KEY", "short")])).unwrap_err();
        assert!(err.starts_with("WEBHOOK_HMAC_KEY") && !err.contains("short"), "{err}");
        assert_eq!(s.rate.backend(), Backend::Kv, "KV is the default store");
        let s = GatewaySettings::from_lookup(env(&[("RATE_LIMIT_BACKEND", "durable-object")])).unwrap();
        assert_eq!(s.rate.backend(), Backend::DurableObject);
        let err = GatewaySettings::from_lookup(env(&[("RATE_LIMIT_BACKEND", "d1")])).unwrap_err();
        assert!(err.starts_with("RATE_LIMIT_BACKEND"));
    }

    #[test]
    fn limits_settings() {
        let l = limits(Some("25"), None, Some("1023")).unwrap();
        assert_eq!(l.subject_max, 25);
        assert_eq!(l.description_max, 2048);
        assert_eq!(l.participants_per_request, 1023);
        assert!(limits(Some("0"), None, None).is_err());
        // More than a group can hold is refused by name, not cut down to 1023.
        let err = limits(None, None, Some("5000")).unwrap_err();
        assert_eq!(err, "MAX_PARTICIPANTS_PER_REQUEST: at most 1023 (a group holds 1024 people with its creator)");
    }

    #[test]
    fn parsed_once_per_key_and_errors_kept() {
        use std::cell::Cell;
        let cache: ParsedOnce<u32, String> = ParsedOnce::new();
        let parses = Cell::new(0);
        let parse = |value: Result<&str, &str>| {
            parses.set(parses.get() + 1);
            value.map(str::to_owned).map_err(str::to_owned)
        };
        assert_eq!(*cache.get(&1, || parse(Ok("a"))).unwrap(), "a");
        assert_eq!(*cache.get(&1, || parse(Ok("changed"))).unwrap(), "a", "same key: kept");
        assert_eq!(parses.get(), 1);
        assert_eq!(*cache.get(&2, || parse(Ok("b"))).unwrap(), "b", "another key: parsed again");
        assert_eq!(parses.get(), 2);
        // A bad setting is parsed once and answered on every call.
        for _ in 0..3 {
            assert_eq!(cache.get(&3, || parse(Err("LIMIT_ADD: bad"))).unwrap_err(), "LIMIT_ADD: bad");
        }
        assert_eq!(parses.get(), 3);
        assert_eq!(*cache.get(&1, || parse(Ok("a again"))).unwrap(), "a again");
    }
}
