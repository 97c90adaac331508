//! Closed sets stored as short strings and exposed as GraphQL enums.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Who someone is at the venue; decides which operations they may call.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Owns the venue: everything, including other owners.
    #[sea_orm(string_value = "owner")]
    Owner,
    /// Runs the venue: staff, settings, every feature.
    #[sea_orm(string_value = "admin")]
    Admin,
    /// Manages clients, sales and reports.
    #[sea_orm(string_value = "manager")]
    Manager,
    /// Front desk: sessions, bookings, payments, shifts.
    #[sea_orm(string_value = "operator")]
    Operator,
    /// Technician: equipment and its status.
    #[sea_orm(string_value = "tech")]
    Tech,
    /// Trainer or specialist: classes, attendance, progress.
    #[sea_orm(string_value = "trainer")]
    Trainer,
    /// Sees everything staff see, changes nothing.
    #[sea_orm(string_value = "read_only")]
    ReadOnly,
    /// A venue's client acting for themselves.
    #[sea_orm(string_value = "client")]
    Client,
    /// A machine integration acting through an API key.
    #[sea_orm(string_value = "integration")]
    Integration,
    /// The Telegram bot's API key: links Telegram accounts and acts for the linked ones.
    #[sea_orm(string_value = "bot")]
    Bot,
}

impl Role {
    /// Every role, in order of decreasing authority.
    pub const ALL: [Role; 10] = [
        Role::Owner,
        Role::Admin,
        Role::Manager,
        Role::Operator,
        Role::Tech,
        Role::Trainer,
        Role::ReadOnly,
        Role::Client,
        Role::Integration,
        Role::Bot,
    ];

    /// The stored (and token) spelling of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Operator => "operator",
            Role::Tech => "tech",
            Role::Trainer => "trainer",
            Role::ReadOnly => "read_only",
            Role::Client => "client",
            Role::Integration => "integration",
            Role::Bot => "bot",
        }
    }

    /// Parses the stored spelling back.
    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// What a bookable or playable thing is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// A gaming PC.
    #[sea_orm(string_value = "pc")]
    Pc,
    /// A console seat (PS5, Xbox).
    #[sea_orm(string_value = "console")]
    Console,
    /// A treatment room, studio or hall.
    #[sea_orm(string_value = "room")]
    Room,
    /// A play area: laser-tag arena, park, forest.
    #[sea_orm(string_value = "arena")]
    Arena,
    /// A rest room for parties after a game.
    #[sea_orm(string_value = "rest_room")]
    RestRoom,
    /// Anything else.
    #[sea_orm(string_value = "other")]
    Other,
}

/// The live state of a resource.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ResourceStatus {
    /// Available now.
    #[sea_orm(string_value = "free")]
    Free,
    /// In use now.
    #[sea_orm(string_value = "busy")]
    Busy,
    /// Held for an upcoming booking.
    #[sea_orm(string_value = "booked")]
    Booked,
    /// Broken or under maintenance.
    #[sea_orm(string_value = "out_of_order")]
    OutOfOrder,
}

/// Where a funnel stage leads.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "snake_case")]
pub enum StageOutcome {
    /// Still being worked on.
    #[sea_orm(string_value = "open")]
    Open,
    /// The client bought: counts as a conversion.
    #[sea_orm(string_value = "won")]
    Won,
    /// The client was lost.
    #[sea_orm(string_value = "lost")]
    Lost,
}

/// What kind of contact with a client happened.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    #[sea_orm(string_value = "call")]
    Call,
    #[sea_orm(string_value = "message")]
    Message,
    #[sea_orm(string_value = "meeting")]
    Meeting,
    #[sea_orm(string_value = "email")]
    Email,
    #[sea_orm(string_value = "visit")]
    Visit,
    /// An internal note about the client.
    #[sea_orm(string_value = "note")]
    Note,
}

/// The channel of a contact.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    #[sea_orm(string_value = "phone")]
    Phone,
    #[sea_orm(string_value = "telegram")]
    Telegram,
    #[sea_orm(string_value = "whatsapp")]
    Whatsapp,
    #[sea_orm(string_value = "email")]
    Email,
    #[sea_orm(string_value = "instagram")]
    Instagram,
    #[sea_orm(string_value = "in_person")]
    InPerson,
    #[sea_orm(string_value = "website")]
    Website,
}

/// Who started a contact.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The client reached out.
    #[sea_orm(string_value = "inbound")]
    Inbound,
    /// The venue reached out.
    #[sea_orm(string_value = "outbound")]
    Outbound,
}

/// What a wallet ledger entry is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Money put into the wallet (also repays debt).
    #[sea_orm(string_value = "deposit")]
    Deposit,
    /// Money handed back to the client.
    #[sea_orm(string_value = "withdraw")]
    Withdraw,
    /// A payment from the wallet or on credit.
    #[sea_orm(string_value = "payment")]
    Payment,
    /// Money returned to the wallet.
    #[sea_orm(string_value = "refund")]
    Refund,
    /// A correction with a reason.
    #[sea_orm(string_value = "correction")]
    Correction,
}

/// How money was paid.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    #[sea_orm(string_value = "cash")]
    Cash,
    #[sea_orm(string_value = "card")]
    Card,
    #[sea_orm(string_value = "kaspi")]
    Kaspi,
    #[sea_orm(string_value = "transfer")]
    Transfer,
    /// From the client's wallet balance.
    #[sea_orm(string_value = "wallet")]
    Wallet,
    /// On credit: the wallet goes below zero, up to the client's credit limit.
    #[sea_orm(string_value = "debt")]
    Debt,
}

/// What a payment was for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// Time on a PC or console at the club.
    #[sea_orm(string_value = "club_session")]
    ClubSession,
    /// A booked service (clinic, beauty studio, arena).
    #[sea_orm(string_value = "appointment")]
    Appointment,
    /// A package of visits of a service.
    #[sea_orm(string_value = "package")]
    Package,
    /// An academy membership, sold or renewed.
    #[sea_orm(string_value = "membership")]
    Membership,
    /// A training program.
    #[sea_orm(string_value = "program")]
    Program,
    /// Anything else taken at the desk.
    #[default]
    #[sea_orm(string_value = "other")]
    Other,
}

impl PaymentKind {
    /// A sale of a service the funnel counts as bought: a program, a package or a membership.
    pub fn is_service_sale(self) -> bool {
        matches!(
            self,
            PaymentKind::Program | PaymentKind::Package | PaymentKind::Membership
        )
    }
}

/// How a billed duration is rounded to the tariff's step.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Up to the next step.
    #[sea_orm(string_value = "up")]
    Up,
    /// To the nearest step; a half step goes up.
    #[sea_orm(string_value = "nearest")]
    Nearest,
    /// Down to the step below.
    #[sea_orm(string_value = "down")]
    Down,
}

/// What a promotion does.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PromotionKind {
    /// Pay for N minutes, get M more free ("2+1" hours).
    #[sea_orm(string_value = "bonus_time")]
    BonusTime,
    /// A percentage off the time.
    #[sea_orm(string_value = "percent")]
    Percent,
    /// A fixed hourly price instead of the tariff's.
    #[sea_orm(string_value = "fixed_price")]
    FixedPrice,
}

/// How a play session is paid for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// Paid up front for a duration or a package; ends by itself.
    #[sea_orm(string_value = "prepaid")]
    Prepaid,
    /// Runs until stopped; paid at the end.
    #[sea_orm(string_value = "open")]
    Open,
}

/// Where a play session is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Playing now.
    #[sea_orm(string_value = "active")]
    Active,
    /// Over.
    #[sea_orm(string_value = "finished")]
    Finished,
}

/// Why a play session ended.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Stopped by staff.
    #[sea_orm(string_value = "operator")]
    Operator,
    /// Its prepaid time ran out.
    #[sea_orm(string_value = "time_up")]
    TimeUp,
}

/// Where a PC booking is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Holds its PCs.
    #[sea_orm(string_value = "active")]
    Active,
    /// Turned into sessions.
    #[sea_orm(string_value = "used")]
    Used,
    /// Cancelled by staff or the client.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// Nobody came within the grace period.
    #[sea_orm(string_value = "no_show")]
    NoShow,
}

/// Which belt ladder a student climbs: adults and kids have their own.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "snake_case")]
pub enum BeltTrack {
    #[sea_orm(string_value = "adults")]
    Adults,
    #[sea_orm(string_value = "kids")]
    Kids,
}

/// Who a class is for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ClassLevel {
    /// Open to everyone.
    #[sea_orm(string_value = "all")]
    All,
    #[sea_orm(string_value = "beginner")]
    Beginner,
    #[sea_orm(string_value = "intermediate")]
    Intermediate,
    #[sea_orm(string_value = "advanced")]
    Advanced,
    #[sea_orm(string_value = "kids")]
    Kids,
    /// Competition team.
    #[sea_orm(string_value = "competition")]
    Competition,
}

/// Whether a class session takes place.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ClassSessionStatus {
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// A student's place in one class session.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    /// Signed up, not yet checked in.
    #[sea_orm(string_value = "booked")]
    Booked,
    #[sea_orm(string_value = "present")]
    Present,
    /// Came, after the start.
    #[sea_orm(string_value = "late")]
    Late,
    /// Did not come.
    #[sea_orm(string_value = "absent")]
    Absent,
    /// Did not come, with a good reason; not counted as missed.
    #[sea_orm(string_value = "excused")]
    Excused,
}

impl AttendanceStatus {
    /// Present or late: the student trained, and a visit is used.
    pub fn attended(self) -> bool {
        matches!(self, AttendanceStatus::Present | AttendanceStatus::Late)
    }

    /// Takes a place in the class (booked, present or late).
    pub fn holds_place(self) -> bool {
        matches!(
            self,
            AttendanceStatus::Booked | AttendanceStatus::Present | AttendanceStatus::Late
        )
    }
}

/// How a belt exam went.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ExamResult {
    /// Planned, not yet held.
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    #[sea_orm(string_value = "passed")]
    Passed,
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// How a training program's content is written.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ProgramFormat {
    /// Formatted text (Markdown).
    #[sea_orm(string_value = "rich_text")]
    RichText,
    /// A table of exercises.
    #[sea_orm(string_value = "table")]
    Table,
}

/// Where an appointment stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Booked and holding its time.
    #[sea_orm(string_value = "booked")]
    Booked,
    /// The client came and was served.
    #[sea_orm(string_value = "completed")]
    Completed,
    /// Cancelled by staff or the client.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// The client did not come.
    #[sea_orm(string_value = "no_show")]
    NoShow,
}

/// How an appointment is paid.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum AppointmentPayment {
    /// Taken from the client's wallet when booked.
    #[sea_orm(string_value = "wallet")]
    Wallet,
    /// One visit of the client's package.
    #[sea_orm(string_value = "package")]
    Package,
    /// Paid at the venue on the day.
    #[sea_orm(string_value = "at_venue")]
    AtVenue,
}

/// What kind of party a laser-tag order is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum GameType {
    #[sea_orm(string_value = "game")]
    Game,
    #[sea_orm(string_value = "birthday")]
    Birthday,
    #[sea_orm(string_value = "quest")]
    Quest,
}

/// Where a party order stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PartyStatus {
    /// Asked for from the public page and holding its time until a manager confirms it.
    #[sea_orm(string_value = "requested")]
    Requested,
    /// Booked and holding its area and rest room.
    #[sea_orm(string_value = "booked")]
    Booked,
    /// Played.
    #[sea_orm(string_value = "completed")]
    Completed,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

impl PartyStatus {
    /// Still ahead: requested or booked, holding its time.
    pub fn is_open(self) -> bool {
        matches!(self, PartyStatus::Requested | PartyStatus::Booked)
    }
}
