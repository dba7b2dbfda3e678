//! The top-level shape of an operation's successful answer, as the operation table's decode
//! column says it (`Object`, `List`, `Container` or `PerPerson`, a `Flag` or `Count` object): what the group cache checks
//! before it keeps an answer, so that an upstream answering another shape is passed on once and
//! never served from the cache.

/// What a successful answer's JSON is at its top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerShape {
    /// An object (`{…}`).
    Object,
    /// An array (`[…]`).
    List,
    /// An array or an object: the engine's own shape.
    Container,
    /// Whatever the upstream sends (a bare string or boolean, or either container).
    Any,
}

impl AnswerShape {
    /// Whether `body` (JSON text) has this shape: its first byte past whitespace opens it.
    pub fn fits(self, body: &[u8]) -> bool {
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        match self {
            AnswerShape::Object => first == Some(&b'{'),
            AnswerShape::List => first == Some(&b'['),
            AnswerShape::Container => matches!(first, Some(b'[' | b'{')),
            AnswerShape::Any => true,
        }
    }
}

/// The shape a decode column's entry names.
macro_rules! answer_shape {
    (Object) => {
        AnswerShape::Object
    };
    (Count) => {
        AnswerShape::Object
    };
    (Flag($key:literal)) => {
        AnswerShape::Object
    };
    (List) => {
        AnswerShape::List
    };
    (Container) => {
        AnswerShape::Container
    };
    (PerPerson) => {
        AnswerShape::Container
    };
    ($($other:tt)*) => {
        AnswerShape::Any
    };
}
pub(crate) use answer_shape;

#[cfg(test)]
mod tests {
    use super::AnswerShape;
    use crate::ops::OperationKind;

    #[test]
    fn shapes_follow_the_decode_column() {
        assert_eq!(OperationKind::GetGroup.answer_shape(), AnswerShape::Object);
        assert_eq!(OperationKind::GetParticipantsV2.answer_shape(), AnswerShape::List);
        assert_eq!(OperationKind::GetInfoAdminOnly.answer_shape(), AnswerShape::Object);
        assert_eq!(OperationKind::GetParticipants.answer_shape(), AnswerShape::Container);
        assert_eq!(OperationKind::GetInviteCode.answer_shape(), AnswerShape::Any);
    }

    #[test]
    fn fits_reads_the_first_byte_past_whitespace() {
        assert!(AnswerShape::Object.fits(b" \n{\"id\":1}"));
        assert!(!AnswerShape::Object.fits(b"[]"));
        assert!(!AnswerShape::Object.fits(b""));
        assert!(AnswerShape::List.fits(b"\t[1]"));
        assert!(!AnswerShape::List.fits(b"{}"));
        assert!(!AnswerShape::List.fits(b"null"));
        assert!(AnswerShape::Container.fits(b"{}") && AnswerShape::Container.fits(b"[]"));
        assert!(!AnswerShape::Container.fits(b"\"text\""));
        assert!(AnswerShape::Any.fits(b"\"code\""));
    }
}
