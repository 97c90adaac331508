//! The domain events the channels that react to a venue listen to (notifications, reminders,
//! the bot): one enum per topic, one variant per fact.
//!
//! Each is raised with [`crate::write::Tx::emit`] in the unit of work of its change, so it
//! reaches the bus if and only if the change committed. Each carries:
//! - its **location**: `location_id` in the payload and on the outbox row (none for a lead or
//!   a payment taken outside any location);
//! - its **time**: the unit's business time (`tx.now()`), the row's `occurred_at` and the
//!   envelope's `at`;
//! - its **payload**: the variant's fields, tagged with its kind (`"kind": "payment.taken"`).
//!
//! Topics span every location: a consumer subscribes once per topic and reads the location
//! from the event. Money is in minor units.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    academy_session, appointment,
    enums::{
        AppointmentPayment, AppointmentStatus, ClassSessionStatus, ContactChannel, GameType,
        PartyStatus, PaymentKind, PaymentMethod,
    },
    party_order,
};
use serde::{Deserialize, Serialize};

use super::{Event, Topic};

/// Money received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum PaymentEvent {
    /// A payment taken by any method, the wallet and debt included.
    #[serde(rename = "payment.taken")]
    Taken {
        payment_id: i64,
        /// Where it was taken: the location of what it paid for, else of the cashier's open
        /// shift.
        location_id: Option<i64>,
        /// None for a walk-in guest.
        client_id: Option<i64>,
        amount: i64,
        method: PaymentMethod,
        purpose: String,
        /// What it paid for (`other` in events written before payments said).
        #[serde(default)]
        paid_for: PaymentKind,
        shift_id: Option<i64>,
    },
}

impl Event for PaymentEvent {
    fn topic(&self) -> Topic {
        Topic::Payments
    }

    fn kind(&self) -> &'static str {
        match self {
            PaymentEvent::Taken { .. } => "payment.taken",
        }
    }

    fn location_id(&self) -> Option<i64> {
        match self {
            PaymentEvent::Taken { location_id, .. } => *location_id,
        }
    }
}

/// Academy memberships.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum MembershipEvent {
    #[serde(rename = "membership.sold")]
    Sold {
        membership_id: i64,
        location_id: i64,
        student_id: i64,
        client_id: i64,
        plan_id: i64,
        plan_name: String,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        /// None for unlimited visits.
        visits: Option<i32>,
        price: i64,
        payment_id: Option<i64>,
    },
    /// A recurring membership made its successor: paid from the wallet, or `amount_due` left.
    #[serde(rename = "membership.renewed")]
    Renewed {
        membership_id: i64,
        previous_id: i64,
        location_id: i64,
        student_id: i64,
        client_id: i64,
        plan_id: i64,
        plan_name: String,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        price: i64,
        payment_id: Option<i64>,
        amount_due: i64,
    },
}

impl Event for MembershipEvent {
    fn topic(&self) -> Topic {
        Topic::Memberships
    }

    fn kind(&self) -> &'static str {
        match self {
            MembershipEvent::Sold { .. } => "membership.sold",
            MembershipEvent::Renewed { .. } => "membership.renewed",
        }
    }

    fn location_id(&self) -> Option<i64> {
        match self {
            MembershipEvent::Sold { location_id, .. }
            | MembershipEvent::Renewed { location_id, .. } => Some(*location_id),
        }
    }
}

/// An appointment as it stands after the change an event reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentFacts {
    pub appointment_id: i64,
    pub location_id: i64,
    pub client_id: i64,
    pub service_id: i64,
    pub specialist_id: i64,
    pub resource_id: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: AppointmentStatus,
}

impl From<&appointment::Model> for AppointmentFacts {
    fn from(row: &appointment::Model) -> Self {
        AppointmentFacts {
            appointment_id: row.id,
            location_id: row.location_id,
            client_id: row.client_id,
            service_id: row.service_id,
            specialist_id: row.specialist_id,
            resource_id: row.resource_id,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            status: row.status,
        }
    }
}

/// Appointments booked, changed and cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum AppointmentEvent {
    #[serde(rename = "appointment.booked")]
    Booked {
        appointment: AppointmentFacts,
        payment: AppointmentPayment,
        total: i64,
    },
    /// Moved to another time or specialist (`moved_from` says from when), or completed or
    /// marked a no-show (`moved_from` is none; the status says which).
    #[serde(rename = "appointment.changed")]
    Changed {
        appointment: AppointmentFacts,
        moved_from: Option<DateTime<Utc>>,
        previous_specialist_id: Option<i64>,
    },
    #[serde(rename = "appointment.cancelled")]
    Cancelled {
        appointment: AppointmentFacts,
        reason: Option<String>,
        /// Returned to the wallet.
        refunded: i64,
        /// The client cancelled it themselves (signed in or by the booking's code).
        by_client: bool,
    },
}

impl AppointmentEvent {
    fn facts(&self) -> &AppointmentFacts {
        match self {
            AppointmentEvent::Booked { appointment, .. }
            | AppointmentEvent::Changed { appointment, .. }
            | AppointmentEvent::Cancelled { appointment, .. } => appointment,
        }
    }
}

impl Event for AppointmentEvent {
    fn topic(&self) -> Topic {
        Topic::Appointments
    }

    fn kind(&self) -> &'static str {
        match self {
            AppointmentEvent::Booked { .. } => "appointment.booked",
            AppointmentEvent::Changed { .. } => "appointment.changed",
            AppointmentEvent::Cancelled { .. } => "appointment.cancelled",
        }
    }

    fn location_id(&self) -> Option<i64> {
        Some(self.facts().location_id)
    }
}

/// A client's place in the sales funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum FunnelEvent {
    #[serde(rename = "client.stage_changed")]
    StageChanged {
        client_id: i64,
        from_stage_id: Option<i64>,
        to_stage_id: i64,
        /// The rule that made the move, when no person did.
        rule_id: Option<i64>,
    },
}

impl Event for FunnelEvent {
    fn topic(&self) -> Topic {
        Topic::Funnel
    }

    fn kind(&self) -> &'static str {
        match self {
            FunnelEvent::StageChanged { .. } => "client.stage_changed",
        }
    }
}

/// A training program as it stands after the change an event reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramFacts {
    pub assignment_id: i64,
    pub program_id: i64,
    pub program_title: String,
    pub client_id: i64,
    pub paid: bool,
    pub price: i64,
}

/// Training programs given to clients (seed 001's coaching).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ProgramEvent {
    #[serde(rename = "program.assigned")]
    Assigned(ProgramFacts),
    #[serde(rename = "program.started")]
    Started(ProgramFacts),
    #[serde(rename = "program.completed")]
    Completed(ProgramFacts),
}

impl Event for ProgramEvent {
    fn topic(&self) -> Topic {
        Topic::Programs
    }

    fn kind(&self) -> &'static str {
        match self {
            ProgramEvent::Assigned(_) => "program.assigned",
            ProgramEvent::Started(_) => "program.started",
            ProgramEvent::Completed(_) => "program.completed",
        }
    }
}

/// Leads from the website, the bot and the Mini App.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum LeadEvent {
    #[serde(rename = "lead.received")]
    Received {
        /// The client the lead was filed under, found by phone or made for it.
        client_id: i64,
        name: String,
        /// E.164.
        phone: String,
        source: Option<String>,
        channel: ContactChannel,
        comment: Option<String>,
    },
}

impl Event for LeadEvent {
    fn topic(&self) -> Topic {
        Topic::Leads
    }

    fn kind(&self) -> &'static str {
        match self {
            LeadEvent::Received { .. } => "lead.received",
        }
    }
}

/// A class session as it stands after the change an event reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassSessionFacts {
    pub session_id: i64,
    pub location_id: i64,
    /// None for a one-off session.
    pub class_id: Option<i64>,
    pub name: String,
    pub trainer_id: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: ClassSessionStatus,
}

impl From<&academy_session::Model> for ClassSessionFacts {
    fn from(row: &academy_session::Model) -> Self {
        ClassSessionFacts {
            session_id: row.id,
            location_id: row.location_id,
            class_id: row.class_id,
            name: row.name.clone(),
            trainer_id: row.trainer_id,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            status: row.status,
        }
    }
}

/// The academy's class sessions scheduled, generated and cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ClassSessionEvent {
    /// A one-off session added to the timetable.
    #[serde(rename = "class_session.scheduled")]
    Scheduled { session: ClassSessionFacts },
    /// Sessions of the weekly classes made for the local days `from..=to`.
    #[serde(rename = "class_session.generated")]
    Generated {
        location_id: i64,
        from: NaiveDate,
        to: NaiveDate,
        made: u64,
    },
    #[serde(rename = "class_session.cancelled")]
    Cancelled {
        session: ClassSessionFacts,
        reason: Option<String>,
    },
    /// A place of a full session came free and the first student waiting for it is told.
    #[serde(rename = "class_session.place_offered")]
    PlaceOffered {
        session: ClassSessionFacts,
        student_id: i64,
        client_id: i64,
    },
}

impl Event for ClassSessionEvent {
    fn topic(&self) -> Topic {
        Topic::ClassSessions
    }

    fn kind(&self) -> &'static str {
        match self {
            ClassSessionEvent::Scheduled { .. } => "class_session.scheduled",
            ClassSessionEvent::Generated { .. } => "class_session.generated",
            ClassSessionEvent::Cancelled { .. } => "class_session.cancelled",
            ClassSessionEvent::PlaceOffered { .. } => "class_session.place_offered",
        }
    }

    fn location_id(&self) -> Option<i64> {
        Some(match self {
            ClassSessionEvent::Scheduled { session }
            | ClassSessionEvent::Cancelled { session, .. }
            | ClassSessionEvent::PlaceOffered { session, .. } => session.location_id,
            ClassSessionEvent::Generated { location_id, .. } => *location_id,
        })
    }
}

/// A party order as it stands after the change an event reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyOrderFacts {
    pub order_id: i64,
    pub location_id: i64,
    pub client_id: i64,
    pub game_type: GameType,
    pub players: i32,
    pub area_id: i64,
    pub starts_at: DateTime<Utc>,
    pub game_minutes: i32,
    pub rest_room_id: Option<i64>,
    pub rest_minutes: i32,
    pub status: PartyStatus,
}

impl From<&party_order::Model> for PartyOrderFacts {
    fn from(row: &party_order::Model) -> Self {
        PartyOrderFacts {
            order_id: row.id,
            location_id: row.location_id,
            client_id: row.client_id,
            game_type: row.game_type,
            players: row.players,
            area_id: row.area_id,
            starts_at: row.starts_at,
            game_minutes: row.game_minutes,
            rest_room_id: row.rest_room_id,
            rest_minutes: row.rest_minutes,
            status: row.status,
        }
    }
}

/// Party orders booked, edited, cancelled and played.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum PartyOrderEvent {
    /// Asked for from the public page: its time is held until a manager confirms or cancels.
    #[serde(rename = "party_order.requested")]
    Requested { order: PartyOrderFacts },
    #[serde(rename = "party_order.booked")]
    Booked { order: PartyOrderFacts },
    /// Edited: `previous_starts_at` is when it started before.
    #[serde(rename = "party_order.changed")]
    Changed {
        order: PartyOrderFacts,
        previous_starts_at: DateTime<Utc>,
    },
    /// Cancelled or played: the status says which.
    #[serde(rename = "party_order.closed")]
    Closed { order: PartyOrderFacts },
}

impl PartyOrderEvent {
    fn facts(&self) -> &PartyOrderFacts {
        match self {
            PartyOrderEvent::Requested { order }
            | PartyOrderEvent::Booked { order }
            | PartyOrderEvent::Changed { order, .. }
            | PartyOrderEvent::Closed { order } => order,
        }
    }
}

impl Event for PartyOrderEvent {
    fn topic(&self) -> Topic {
        Topic::PartyOrders
    }

    fn kind(&self) -> &'static str {
        match self {
            PartyOrderEvent::Requested { .. } => "party_order.requested",
            PartyOrderEvent::Booked { .. } => "party_order.booked",
            PartyOrderEvent::Changed { .. } => "party_order.changed",
            PartyOrderEvent::Closed { .. } => "party_order.closed",
        }
    }

    fn location_id(&self) -> Option<i64> {
        Some(self.facts().location_id)
    }
}

/// Messages meant for one client alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ClientMessageEvent {
    /// A one-time sign-in code, sent to the client's linked Telegram chat. Notifications
    /// blank the code in their log once it is sent.
    #[serde(rename = "client.sign_in_code", rename_all = "camelCase")]
    SignInCode {
        client_id: i64,
        code: String,
        expires_at: DateTime<Utc>,
    },
}

impl Event for ClientMessageEvent {
    fn topic(&self) -> Topic {
        Topic::ClientMessages
    }

    fn kind(&self) -> &'static str {
        match self {
            ClientMessageEvent::SignInCode { .. } => "client.sign_in_code",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The payload's tag is the event's kind, and the payload reads back as the event.
    #[test]
    fn a_payload_is_tagged_with_its_kind_and_reads_back() {
        let event = PaymentEvent::Taken {
            payment_id: 7,
            location_id: Some(2),
            client_id: None,
            amount: 150_000,
            method: PaymentMethod::Kaspi,
            purpose: "Кофе".into(),
            paid_for: PaymentKind::Other,
            shift_id: None,
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["kind"], event.kind());
        assert_eq!(json["method"], "kaspi");
        assert_eq!(json["paid_for"], "other");
        // An event written before payments said what they were for reads as `other`.
        let mut old = json.clone();
        old.as_object_mut().unwrap().remove("paid_for");
        assert_eq!(serde_json::from_value::<PaymentEvent>(old).unwrap(), event);
        assert_eq!(serde_json::from_value::<PaymentEvent>(json).unwrap(), event);
        let generated = ClassSessionEvent::Generated {
            location_id: 3,
            from: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            made: 12,
        };
        let json = serde_json::to_value(&generated).unwrap();
        assert_eq!(json["kind"], "class_session.generated");
        assert_eq!(generated.location_id(), Some(3));
    }
}
