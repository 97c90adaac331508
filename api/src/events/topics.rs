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
    // The domain events of `events::domain`, each topic across every location.
    /// Payments taken.
    Payments,
    /// Memberships sold.
    Memberships,
    /// Appointments booked, changed and cancelled.
    Appointments,
    /// Leads received.
    Leads,
    /// Class sessions scheduled, generated and cancelled.
    ClassSessions,
    /// Party orders requested, booked, changed and closed.
    PartyOrders,
    /// Messages for one client alone (a one-time sign-in code), which notifications deliver.
    ClientMessages,
    /// Clients moving between funnel stages.
    Funnel,
    /// Training programs assigned, started and completed.
    Programs,
}

impl Topic {
    /// The location the topic belongs to (none for a topic across locations).
    pub fn location_id(&self) -> Option<i64> {
        match self {
            Topic::ResourceStatus { location_id }
            | Topic::Sessions { location_id }
            | Topic::Slots { location_id } => Some(*location_id),
            Topic::SignInsEnded
            | Topic::Payments
            | Topic::Memberships
            | Topic::Appointments
            | Topic::Leads
            | Topic::ClassSessions
            | Topic::PartyOrders
            | Topic::ClientMessages
            | Topic::Funnel
            | Topic::Programs => None,
        }
    }

    pub fn key(&self) -> String {
        match self {
            Topic::ResourceStatus { location_id } => format!("resource-status:{location_id}"),
            Topic::Sessions { location_id } => format!("sessions:{location_id}"),
            Topic::Slots { location_id } => format!("slots:{location_id}"),
            Topic::SignInsEnded => "sign-ins-ended".to_owned(),
            Topic::Payments => "payments".to_owned(),
            Topic::Memberships => "memberships".to_owned(),
            Topic::Appointments => "appointments".to_owned(),
            Topic::Leads => "leads".to_owned(),
            Topic::ClassSessions => "class-sessions".to_owned(),
            Topic::PartyOrders => "party-orders".to_owned(),
            Topic::ClientMessages => "client-messages".to_owned(),
            Topic::Funnel => "funnel".to_owned(),
            Topic::Programs => "programs".to_owned(),
        }
    }
}
