//! Reading webhooks by hand. Every reader takes its object's fields out as it reads them and
//! ignores the ones left over; `null` counts as absent; an error is `"<JSON pointer>: <what is
//! wrong>"`.

use super::*;
use crate::wire::type_mismatch;

/// A type read from one JSON object.
pub(super) trait FromJson: Sized {
    fn from_json(fields: &mut Fields) -> Result<Self, String>;
}

/// Reads a `T` from `value`, which sits at the JSON pointer `at`.
pub(super) fn read<T: FromJson>(value: Value, at: String) -> Result<T, String> {
    T::from_json(&mut Fields::new(value, at)?)
}

/// The fields of one JSON object, at a JSON pointer.
pub(super) struct Fields {
    map: Map<String, Value>,
    at: String,
}

impl Fields {
    fn new(value: Value, at: String) -> Result<Self, String> {
        match value {
            Value::Object(map) => Ok(Fields { map, at }),
            other => Err(type_mismatch(&at, "an object", &other)),
        }
    }

    /// The pointer of `key` (the keys read here need no escaping).
    fn at(&self, key: &str) -> String {
        format!("{}/{key}", self.at)
    }

    fn optional(&mut self, key: &str) -> Option<Value> {
        self.map.get_mut(key).map(Value::take).filter(|v| !v.is_null())
    }

    fn required(&mut self, key: &str) -> Result<Value, String> {
        self.optional(key).ok_or_else(|| format!("{}: required", self.at(key)))
    }

    fn string(&mut self, key: &str) -> Result<String, String> {
        let value = self.required(key)?;
        self.string_of(key, value)
    }

    fn optional_string(&mut self, key: &str) -> Result<Option<String>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(value) => self.string_of(key, value).map(Some),
        }
    }

    fn string_of(&self, key: &str, value: Value) -> Result<String, String> {
        match value {
            Value::String(text) => Ok(text),
            other => Err(type_mismatch(&self.at(key), "a string", &other)),
        }
    }

    fn optional_bool(&mut self, key: &str) -> Result<Option<bool>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(type_mismatch(&self.at(key), "a boolean", &other)),
        }
    }

    /// A timestamp: a non-negative integer, or a float, truncated (read, never formatted).
    fn timestamp(&mut self, key: &str) -> Result<u64, String> {
        match self.required(key)? {
            Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| (0.0..18_446_744_073_709_551_616.0).contains(f)).map(|f| f as u64))
                .ok_or_else(|| format!("{}: expected a non-negative timestamp below 2^64", self.at(key))),
            other => Err(type_mismatch(&self.at(key), "a number", &other)),
        }
    }

    fn object<T: FromJson>(&mut self, key: &str) -> Result<T, String> {
        let value = self.required(key)?;
        read(value, self.at(key))
    }

    fn optional_object<T: FromJson>(&mut self, key: &str) -> Result<Option<T>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(value) => read(value, self.at(key)).map(Some),
        }
    }

    /// An object kept as it is.
    fn optional_map(&mut self, key: &str) -> Result<Option<Map<String, Value>>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(other) => Err(type_mismatch(&self.at(key), "an object", &other)),
        }
    }

    fn participants(&mut self, key: &str) -> Result<Vec<GroupParticipant>, String> {
        let value = self.required(key)?;
        self.participants_of(key, value)
    }

    fn optional_participants(&mut self, key: &str) -> Result<Option<Vec<GroupParticipant>>, String> {
        match self.optional(key) {
            None => Ok(None),
            Some(value) => self.participants_of(key, value).map(Some),
        }
    }

    fn participants_of(&self, key: &str, value: Value) -> Result<Vec<GroupParticipant>, String> {
        let at = self.at(key);
        match value {
            Value::Array(items) => {
                items.into_iter().enumerate().map(|(i, item)| read(item, format!("{at}/{i}"))).collect()
            }
            other => Err(type_mismatch(&at, "an array", &other)),
        }
    }
}

impl FromJson for GroupParticipant {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupParticipant { id: f.string("id")?, pn: f.optional_string("pn")?, role: f.string("role")?.into() })
    }
}

impl FromJson for GroupRef {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupRef { id: f.string("id")? })
    }
}

impl FromJson for GroupInfo {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupInfo {
            id: f.string("id")?,
            subject: f.optional_string("subject")?,
            description: f.optional_string("description")?,
            invite: f.optional_string("invite")?,
            members_can_add_new_member: f.optional_bool("membersCanAddNewMember")?,
            members_can_send_messages: f.optional_bool("membersCanSendMessages")?,
            new_members_approval_required: f.optional_bool("newMembersApprovalRequired")?,
            participants: f.optional_participants("participants")?,
        })
    }
}

impl FromJson for GroupJoinEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupJoinEvent {
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for GroupLeaveEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupLeaveEvent {
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for GroupUpdateEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupUpdateEvent {
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for GroupParticipantsEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupParticipantsEvent {
            change: f.string("type")?.into(),
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            participants: f.participants("participants")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for GroupJoinRequestEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(GroupJoinRequestEvent {
            action: f.string("action")?.into(),
            requester_id: f.string("requesterId")?,
            requester_pn: f.optional_string("requesterPn")?,
            request_method: f.optional_string("requestMethod")?,
            timestamp: f.timestamp("timestamp")?,
            group: f.object("group")?,
            data: f.optional("_data"),
        })
    }
}

impl FromJson for MeInfo {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(MeInfo {
            id: f.string("id")?,
            lid: f.optional_string("lid")?,
            jid: f.optional_string("jid")?,
            push_name: f.optional_string("pushName")?,
        })
    }
}

impl FromJson for Environment {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        Ok(Environment {
            version: f.optional_string("version")?,
            engine: f.optional_string("engine")?,
            tier: f.optional_string("tier")?,
            browser: f.optional_string("browser")?,
        })
    }
}

impl FromJson for WebhookEvent {
    fn from_json(f: &mut Fields) -> Result<Self, String> {
        let id = f.string("id")?;
        let timestamp = f.timestamp("timestamp")?;
        let session = f.string("session")?;
        let metadata = f.optional_map("metadata")?;
        let engine = f.string("engine")?;
        let name = f.string("event")?;
        let payload = f.required("payload")?;
        let me = f.optional_object("me")?;
        let environment = f.optional_object("environment")?.unwrap_or_default();
        let event = GroupEvent::read(name, payload, &f.at("payload"))?;
        Ok(WebhookEvent { id, timestamp, session, metadata, engine, event, me, environment })
    }
}

/// `Deserialize` through the hand-written reader: any serde format, the same rules as
/// [`parse_event`].
macro_rules! deserialize_by_hand {
    ($($name:ty),*) => {$(
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                read(Value::deserialize(deserializer)?, String::new()).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

deserialize_by_hand!(
    GroupParticipant,
    GroupRef,
    GroupInfo,
    GroupJoinEvent,
    GroupLeaveEvent,
    GroupUpdateEvent,
    GroupParticipantsEvent,
    GroupJoinRequestEvent,
    MeInfo,
    Environment,
    WebhookEvent
);
