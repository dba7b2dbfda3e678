//! Rate-limit classes and what one operation spends from them.

/// The rate-limit classes: the calls that get WhatsApp numbers throttled or banned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateClass {
    /// Asking WhatsApp for the group list again, one unit per call.
    Refresh,
    /// Adding people, one unit per distinct person.
    Add,
    /// Removing people, one unit per distinct person.
    Remove,
    /// Creating groups, one unit per group (a known ban trigger at a few dozen a day).
    Create,
}

impl RateClass {
    /// Every class.
    pub const ALL: [RateClass; 4] = [RateClass::Refresh, RateClass::Add, RateClass::Remove, RateClass::Create];

    /// The class's name in settings, headers and keys (`refresh`, `add`, `remove`, `create`).
    pub fn as_str(self) -> &'static str {
        match self {
            RateClass::Refresh => "refresh",
            RateClass::Add => "add",
            RateClass::Remove => "remove",
            RateClass::Create => "create",
        }
    }
}

/// Units of one class a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    /// The class charged.
    pub class: RateClass,
    /// Units spent (never 0 in [`Operation::rate_charges`](super::Operation::rate_charges)).
    pub cost: u32,
}
