//! Typed topics: the only place that knows how a topic is spelled on the wire.

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Status changes of the resources of one location.
    ResourceStatus { location_id: i64 },
    /// Play sessions of one location starting, about to end, and ending.
    Sessions { location_id: i64 },
    /// Appointment slots of one location held, released, booked or freed.
    Slots { location_id: i64 },
    /// Sign-ins ended before their tokens expired (logout, a reused refresh token, a
    /// password or role change, deactivation): open connections of them close.
    SignInsEnded,
}

impl Topic {
    /// The location the topic belongs to.
    pub fn location_id(&self) -> Option<i64> {
        match self {
            Topic::ResourceStatus { location_id }
            | Topic::Sessions { location_id }
            | Topic::Slots { location_id } => Some(*location_id),
            Topic::SignInsEnded => None,
        }
    }

    pub fn key(&self) -> String {
        match self {
            Topic::ResourceStatus { location_id } => format!("resource-status:{location_id}"),
            Topic::Sessions { location_id } => format!("sessions:{location_id}"),
            Topic::Slots { location_id } => format!("slots:{location_id}"),
            Topic::SignInsEnded => "sign-ins-ended".to_owned(),
        }
    }
}
