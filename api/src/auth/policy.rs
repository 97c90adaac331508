//! The one table that says who may call each root field. Every root Query, Mutation and
//! Subscription field carries `#[graphql(guard = "policy(\"Type.field\")")]`, which reads it.
//! Tests fail when a root field has no entry here, and call every field as every role to check
//! that the guards enforce exactly this table.

use async_graphql::{Context, ErrorExtensions, Guard};
use entity::enums::Role::{self, *};

use crate::{
    auth::actor::{Actor, AuthFailure},
    context::ContextExt,
    error::{AppError, AppResult},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Only callers whose role is listed.
    Roles(&'static [Role]),
}

/// People who may sign in (every role but machine integrations).
pub const PEOPLE: &[Role] = &[
    Owner, Admin, Manager, Operator, Tech, Trainer, ReadOnly, Client,
];
/// Everyone on the staff, including read-only viewers.
pub const STAFF: &[Role] = &[Owner, Admin, Manager, Operator, Tech, Trainer, ReadOnly];
/// Staff and integrations reading venue data.
pub const STAFF_AND_INTEGRATIONS: &[Role] = &[
    Owner,
    Admin,
    Manager,
    Operator,
    Tech,
    Trainer,
    ReadOnly,
    Integration,
];
/// Anyone who may see the list of locations: staff, clients, integrations.
pub const VENUE_READERS: &[Role] = &[
    Owner,
    Admin,
    Manager,
    Operator,
    Tech,
    Trainer,
    ReadOnly,
    Client,
    Integration,
];
/// Who runs the business: people, keys, settings, the audit log.
pub const MANAGEMENT: &[Role] = &[Owner, Admin];
/// Who shapes the venue: locations, hours, zones, resources.
pub const VENUE_EDITORS: &[Role] = &[Owner, Admin, Manager];
/// Who works with clients day to day.
pub const CLIENT_EDITORS: &[Role] = &[Owner, Admin, Manager, Operator, Trainer];
/// Who reads the sales figures.
pub const ANALYSTS: &[Role] = &[Owner, Admin, Manager, ReadOnly];
/// Who takes and hands out money.
pub const CASHIERS: &[Role] = &[Owner, Admin, Manager, Operator];
/// Who sees money.
pub const MONEY_READERS: &[Role] = &[Owner, Admin, Manager, Operator, ReadOnly];
/// Who reads a wallet: those who see money, and a client their own (the service refuses a
/// client anyone else's).
pub const WALLET_READERS: &[Role] = &[Owner, Admin, Manager, Operator, ReadOnly, Client];
/// Who works the floor and may mark equipment busy, free or out of order.
pub const FLOOR: &[Role] = &[Owner, Admin, Manager, Operator, Tech];
/// Who books appointments: the desk and specialists for anyone, a client for themselves.
pub const BOOKERS: &[Role] = &[Owner, Admin, Manager, Operator, Trainer, Client];

/// Who reads the academy's records: students, attendance, eligibility, missed classes.
pub const ACADEMY_READERS: &[Role] = &[Owner, Admin, Manager, Operator, Trainer, ReadOnly];
/// Who reads the timetable, plans and belts: the staff, clients and integrations.
pub const SCHEDULE_READERS: &[Role] = &[
    Owner,
    Admin,
    Manager,
    Operator,
    Trainer,
    ReadOnly,
    Client,
    Integration,
];
/// Who reads a person's own records: the staff, and a client for themselves only (the
/// service refuses a client anyone else's).
pub const SELF_READERS: &[Role] = &[Owner, Admin, Manager, Operator, Trainer, ReadOnly, Client];
/// Who shapes the academy: the timetable, plans, belt ladders.
pub const ACADEMY_EDITORS: &[Role] = &[Owner, Admin, Manager];
/// Who teaches: sessions, exams, promotions, journals and programs.
pub const COACHES: &[Role] = &[Owner, Admin, Manager, Trainer];
/// Who logs a body measurement: coaches for anyone, a client for themselves (the service
/// refuses a client anyone else's).
pub const MEASURERS: &[Role] = &[Owner, Admin, Manager, Trainer, Client];
/// Who works the academy's desk: enrolment and attendance.
pub const ACADEMY_DESK: &[Role] = &[Owner, Admin, Manager, Operator, Trainer];
/// Who books a place in a class and checks in: the desk, and a client for themselves.
pub const CLASS_BOOKERS: &[Role] = &[Owner, Admin, Manager, Operator, Trainer, Client];
/// The Telegram bot's key: links Telegram accounts and signs in as the linked ones.
pub const BOT: &[Role] = &[Bot];

pub const POLICY: &[(&str, Access)] = &[
    // auth
    ("Query.me", Access::Roles(PEOPLE)),
    ("Query.users", Access::Roles(MANAGEMENT)),
    ("Query.user", Access::Roles(MANAGEMENT)),
    ("Query.apiKeys", Access::Roles(MANAGEMENT)),
    ("Mutation.login", Access::Public),
    ("Mutation.refreshToken", Access::Public),
    ("Mutation.logout", Access::Roles(PEOPLE)),
    ("Mutation.changePassword", Access::Roles(PEOPLE)),
    ("Mutation.createUser", Access::Roles(MANAGEMENT)),
    ("Mutation.updateUser", Access::Roles(MANAGEMENT)),
    ("Mutation.setUserActive", Access::Roles(MANAGEMENT)),
    ("Mutation.resetUserPassword", Access::Roles(MANAGEMENT)),
    ("Mutation.createApiKey", Access::Roles(MANAGEMENT)),
    ("Mutation.revokeApiKey", Access::Roles(MANAGEMENT)),
    // telegram
    ("Query.botChatState", Access::Roles(BOT)),
    ("Mutation.createTelegramLinkCode", Access::Roles(STAFF)),
    ("Mutation.unlinkTelegram", Access::Roles(PEOPLE)),
    ("Mutation.linkTelegramStaff", Access::Roles(BOT)),
    ("Mutation.linkTelegramClient", Access::Roles(BOT)),
    // notifications
    ("Query.vapidPublicKey", Access::Public),
    ("Query.notifications", Access::Roles(MANAGEMENT)),
    ("Query.myNotificationPreferences", Access::Roles(PEOPLE)),
    (
        "Query.clientNotificationPreferences",
        Access::Roles(CLIENT_EDITORS),
    ),
    ("Query.notificationSettings", Access::Roles(VENUE_EDITORS)),
    (
        "Mutation.setMyNotificationPreferences",
        Access::Roles(PEOPLE),
    ),
    (
        "Mutation.setClientNotificationPreferences",
        Access::Roles(CLIENT_EDITORS),
    ),
    (
        "Mutation.setNotificationSettings",
        Access::Roles(VENUE_EDITORS),
    ),
    ("Mutation.resendNotification", Access::Roles(VENUE_EDITORS)),
    ("Mutation.telegramSignIn", Access::Roles(BOT)),
    ("Mutation.saveBotChatState", Access::Roles(BOT)),
    // audit
    ("Query.auditLog", Access::Roles(MANAGEMENT)),
    // venue
    ("Query.organisation", Access::Public),
    ("Query.locations", Access::Roles(VENUE_READERS)),
    ("Query.location", Access::Roles(VENUE_READERS)),
    ("Query.zones", Access::Roles(STAFF_AND_INTEGRATIONS)),
    ("Query.resources", Access::Roles(STAFF_AND_INTEGRATIONS)),
    ("Query.resource", Access::Roles(STAFF_AND_INTEGRATIONS)),
    ("Mutation.updateOrganisation", Access::Roles(MANAGEMENT)),
    ("Mutation.createLocation", Access::Roles(VENUE_EDITORS)),
    ("Mutation.updateLocation", Access::Roles(VENUE_EDITORS)),
    ("Mutation.setOpeningHours", Access::Roles(VENUE_EDITORS)),
    ("Mutation.setHoliday", Access::Roles(VENUE_EDITORS)),
    ("Mutation.deleteHoliday", Access::Roles(VENUE_EDITORS)),
    ("Mutation.createZone", Access::Roles(VENUE_EDITORS)),
    ("Mutation.updateZone", Access::Roles(VENUE_EDITORS)),
    ("Mutation.deleteZone", Access::Roles(VENUE_EDITORS)),
    ("Mutation.createResource", Access::Roles(VENUE_EDITORS)),
    ("Mutation.updateResource", Access::Roles(VENUE_EDITORS)),
    ("Mutation.deleteResource", Access::Roles(VENUE_EDITORS)),
    ("Mutation.setResourceStatus", Access::Roles(FLOOR)),
    // The live map is for the staff on the floor, not for integrations.
    ("Subscription.resourceStatusChanged", Access::Roles(STAFF)),
    ("Subscription.sessionEvents", Access::Roles(STAFF)),
    // computer club
    ("Query.tariffs", Access::Roles(STAFF_AND_INTEGRATIONS)),
    ("Query.promotions", Access::Roles(STAFF_AND_INTEGRATIONS)),
    ("Mutation.createTariff", Access::Roles(VENUE_EDITORS)),
    ("Mutation.updateTariff", Access::Roles(VENUE_EDITORS)),
    ("Mutation.addTariffPackage", Access::Roles(VENUE_EDITORS)),
    (
        "Mutation.setTariffPackageActive",
        Access::Roles(VENUE_EDITORS),
    ),
    ("Mutation.createPromotion", Access::Roles(VENUE_EDITORS)),
    ("Mutation.updatePromotion", Access::Roles(VENUE_EDITORS)),
    ("Query.pcMap", Access::Roles(STAFF)),
    ("Query.playSessions", Access::Roles(STAFF)),
    ("Query.playSession", Access::Roles(STAFF)),
    ("Query.quoteSession", Access::Roles(STAFF)),
    ("Query.quoteStart", Access::Roles(STAFF)),
    ("Mutation.startSession", Access::Roles(CASHIERS)),
    ("Mutation.extendSession", Access::Roles(CASHIERS)),
    ("Mutation.moveSession", Access::Roles(CASHIERS)),
    ("Mutation.stopSession", Access::Roles(CASHIERS)),
    ("Query.pcBookings", Access::Roles(STAFF)),
    ("Mutation.createPcBooking", Access::Roles(CASHIERS)),
    ("Mutation.cancelPcBooking", Access::Roles(CASHIERS)),
    ("Mutation.usePcBooking", Access::Roles(CASHIERS)),
    ("Query.clubReport", Access::Roles(ANALYSTS)),
    ("Query.clubReportXlsx", Access::Roles(ANALYSTS)),
    // clients
    ("Query.clients", Access::Roles(STAFF_AND_INTEGRATIONS)),
    ("Query.client", Access::Roles(STAFF_AND_INTEGRATIONS)),
    ("Query.clientSources", Access::Roles(STAFF_AND_INTEGRATIONS)),
    ("Mutation.createClient", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.updateClient", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.archiveClient", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.mergeClients", Access::Roles(VENUE_EDITORS)),
    ("Mutation.createClientSource", Access::Roles(VENUE_EDITORS)),
    ("Mutation.importClients", Access::Roles(VENUE_EDITORS)),
    ("Mutation.exportClients", Access::Roles(VENUE_EDITORS)),
    // pipeline
    (
        "Query.pipelineStages",
        Access::Roles(STAFF_AND_INTEGRATIONS),
    ),
    ("Query.pipelineBoard", Access::Roles(STAFF)),
    ("Query.funnelAnalytics", Access::Roles(ANALYSTS)),
    ("Query.interactions", Access::Roles(STAFF)),
    ("Query.contactsDue", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.createPipelineStage", Access::Roles(VENUE_EDITORS)),
    ("Mutation.updatePipelineStage", Access::Roles(VENUE_EDITORS)),
    ("Mutation.moveClientToStage", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.setDealValue", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.logInteraction", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.setNextContact", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.submitLead", Access::Public),
    // analytics
    ("Query.revenueReport", Access::Roles(ANALYSTS)),
    ("Query.analyticsOverview", Access::Roles(ANALYSTS)),
    // billing
    ("Query.wallet", Access::Roles(WALLET_READERS)),
    ("Query.walletEntries", Access::Roles(WALLET_READERS)),
    ("Mutation.depositToWallet", Access::Roles(CASHIERS)),
    ("Mutation.withdrawFromWallet", Access::Roles(CASHIERS)),
    ("Mutation.recordPayment", Access::Roles(CASHIERS)),
    ("Mutation.refundToWallet", Access::Roles(CASHIERS)),
    ("Mutation.correctWallet", Access::Roles(VENUE_EDITORS)),
    ("Mutation.setCreditLimit", Access::Roles(VENUE_EDITORS)),
    // cashier shifts
    ("Query.currentShift", Access::Roles(MONEY_READERS)),
    ("Query.shifts", Access::Roles(MONEY_READERS)),
    ("Query.shiftReport", Access::Roles(MONEY_READERS)),
    ("Mutation.openShift", Access::Roles(CASHIERS)),
    ("Mutation.recordCashOperation", Access::Roles(CASHIERS)),
    ("Mutation.closeShift", Access::Roles(CASHIERS)),
    // academy
    ("Query.academyClasses", Access::Roles(SCHEDULE_READERS)),
    ("Query.classSessions", Access::Roles(SCHEDULE_READERS)),
    (
        "Query.upcomingClassSessions",
        Access::Roles(SCHEDULE_READERS),
    ),
    ("Query.classSession", Access::Roles(SCHEDULE_READERS)),
    ("Query.students", Access::Roles(ACADEMY_READERS)),
    ("Query.student", Access::Roles(SELF_READERS)),
    ("Query.myStudent", Access::Roles(&[Client])),
    ("Query.studentAttendance", Access::Roles(SELF_READERS)),
    ("Query.missedClasses", Access::Roles(ACADEMY_READERS)),
    ("Query.membershipPlans", Access::Roles(SCHEDULE_READERS)),
    ("Query.memberships", Access::Roles(SELF_READERS)),
    ("Query.belts", Access::Roles(SCHEDULE_READERS)),
    ("Query.promotionEligibility", Access::Roles(ACADEMY_READERS)),
    ("Query.exams", Access::Roles(ACADEMY_READERS)),
    ("Query.academyReport", Access::Roles(ANALYSTS)),
    ("Query.academySettings", Access::Roles(ACADEMY_READERS)),
    ("Query.classWaitlist", Access::Roles(ACADEMY_READERS)),
    ("Query.membershipsDue", Access::Roles(MONEY_READERS)),
    ("Query.academyReportXlsx", Access::Roles(ANALYSTS)),
    (
        "Mutation.createAcademyClass",
        Access::Roles(ACADEMY_EDITORS),
    ),
    (
        "Mutation.updateAcademyClass",
        Access::Roles(ACADEMY_EDITORS),
    ),
    ("Mutation.generateClassSessions", Access::Roles(COACHES)),
    ("Mutation.createClassSession", Access::Roles(COACHES)),
    ("Mutation.cancelClassSession", Access::Roles(COACHES)),
    ("Mutation.createStudent", Access::Roles(ACADEMY_DESK)),
    ("Mutation.updateStudent", Access::Roles(ACADEMY_DESK)),
    ("Mutation.markAttendance", Access::Roles(ACADEMY_DESK)),
    ("Mutation.markAttendanceList", Access::Roles(ACADEMY_DESK)),
    ("Mutation.removeAttendanceMark", Access::Roles(ACADEMY_DESK)),
    ("Mutation.bookClassSession", Access::Roles(CLASS_BOOKERS)),
    ("Mutation.checkIn", Access::Roles(CLASS_BOOKERS)),
    ("Mutation.cancelClassBooking", Access::Roles(CLASS_BOOKERS)),
    ("Mutation.joinClassWaitlist", Access::Roles(CLASS_BOOKERS)),
    ("Mutation.leaveClassWaitlist", Access::Roles(CLASS_BOOKERS)),
    (
        "Mutation.createMembershipPlan",
        Access::Roles(ACADEMY_EDITORS),
    ),
    (
        "Mutation.updateMembershipPlan",
        Access::Roles(ACADEMY_EDITORS),
    ),
    ("Mutation.sellMembership", Access::Roles(CASHIERS)),
    ("Mutation.freezeMembership", Access::Roles(CASHIERS)),
    ("Mutation.cancelMembership", Access::Roles(ACADEMY_EDITORS)),
    (
        "Mutation.stopMembershipRenewal",
        Access::Roles(ACADEMY_DESK),
    ),
    ("Mutation.payMembership", Access::Roles(CASHIERS)),
    ("Mutation.createBelt", Access::Roles(ACADEMY_EDITORS)),
    ("Mutation.updateBelt", Access::Roles(ACADEMY_EDITORS)),
    ("Mutation.recordExam", Access::Roles(COACHES)),
    ("Mutation.updateExam", Access::Roles(COACHES)),
    ("Mutation.promoteStudents", Access::Roles(COACHES)),
    ("Mutation.setAcademySettings", Access::Roles(VENUE_EDITORS)),
    // coaching
    ("Query.progressJournal", Access::Roles(SELF_READERS)),
    ("Query.trainingPrograms", Access::Roles(ACADEMY_READERS)),
    ("Query.trainingProgram", Access::Roles(SELF_READERS)),
    ("Query.clientPrograms", Access::Roles(SELF_READERS)),
    ("Mutation.addJournalEntry", Access::Roles(MEASURERS)),
    ("Mutation.updateJournalEntry", Access::Roles(COACHES)),
    ("Mutation.deleteJournalEntry", Access::Roles(COACHES)),
    ("Mutation.createTrainingProgram", Access::Roles(COACHES)),
    ("Mutation.updateTrainingProgram", Access::Roles(COACHES)),
    ("Mutation.assignTrainingProgram", Access::Roles(COACHES)),
    ("Mutation.startTrainingProgram", Access::Roles(MEASURERS)),
    ("Mutation.completeTrainingProgram", Access::Roles(MEASURERS)),
    // automations
    ("Query.automationRules", Access::Roles(MANAGEMENT)),
    ("Query.automationRuns", Access::Roles(MANAGEMENT)),
    ("Query.previewAutomationRule", Access::Roles(MANAGEMENT)),
    ("Mutation.createAutomationRule", Access::Roles(MANAGEMENT)),
    ("Mutation.updateAutomationRule", Access::Roles(MANAGEMENT)),
    ("Mutation.deleteAutomationRule", Access::Roles(MANAGEMENT)),
    // booking: the catalogue and schedules
    ("Query.services", Access::Public),
    ("Query.servicePackages", Access::Public),
    ("Query.specialists", Access::Public),
    ("Query.specialistSchedule", Access::Roles(STAFF)),
    ("Query.bookingRules", Access::Public),
    ("Mutation.createService", Access::Roles(VENUE_EDITORS)),
    ("Mutation.updateService", Access::Roles(VENUE_EDITORS)),
    (
        "Mutation.createServicePackage",
        Access::Roles(VENUE_EDITORS),
    ),
    (
        "Mutation.setServicePackageActive",
        Access::Roles(VENUE_EDITORS),
    ),
    ("Mutation.createSpecialist", Access::Roles(VENUE_EDITORS)),
    ("Mutation.updateSpecialist", Access::Roles(VENUE_EDITORS)),
    (
        "Mutation.setSpecialistServices",
        Access::Roles(VENUE_EDITORS),
    ),
    ("Mutation.setServiceRooms", Access::Roles(VENUE_EDITORS)),
    ("Mutation.setSpecialistHours", Access::Roles(VENUE_EDITORS)),
    ("Mutation.setSpecialistBreaks", Access::Roles(VENUE_EDITORS)),
    ("Mutation.setSpecialistDay", Access::Roles(VENUE_EDITORS)),
    ("Mutation.deleteSpecialistDay", Access::Roles(VENUE_EDITORS)),
    ("Mutation.setBookingRules", Access::Roles(VENUE_EDITORS)),
    // booking: slots, holds and appointments
    ("Query.availableSlots", Access::Public),
    ("Mutation.holdSlot", Access::Public),
    ("Mutation.releaseHold", Access::Public),
    ("Mutation.confirmBooking", Access::Roles(BOOKERS)),
    ("Query.appointments", Access::Roles(STAFF)),
    ("Query.appointment", Access::Roles(BOOKERS)),
    ("Query.myAppointments", Access::Roles(&[Client])),
    ("Mutation.rescheduleAppointment", Access::Roles(BOOKERS)),
    ("Mutation.cancelAppointment", Access::Roles(BOOKERS)),
    (
        "Mutation.completeAppointment",
        Access::Roles(CLIENT_EDITORS),
    ),
    ("Mutation.markNoShow", Access::Roles(CLIENT_EDITORS)),
    ("Query.clientPackages", Access::Roles(BOOKERS)),
    ("Mutation.sellServicePackage", Access::Roles(CASHIERS)),
    ("Mutation.linkClientAccount", Access::Roles(MANAGEMENT)),
    ("Subscription.slotsChanged", Access::Public),
    // booking: the public page
    ("Query.publicBooking", Access::Public),
    ("Mutation.confirmPublicBooking", Access::Public),
    ("Mutation.cancelPublicBooking", Access::Public),
    ("Mutation.reschedulePublicBooking", Access::Public),
    ("Mutation.deletePushSubscription", Access::Public),
    // the clients' door: public page, party requests, client sign-in, the cabinet
    ("Query.publicLocation", Access::Public),
    ("Query.publicLocations", Access::Public),
    ("Query.partyStartTimes", Access::Public),
    ("Mutation.requestParty", Access::Public),
    ("Mutation.miniAppSignIn", Access::Public),
    ("Mutation.requestSignInCode", Access::Public),
    ("Mutation.signInWithCode", Access::Public),
    ("Query.myClient", Access::Roles(&[Client])),
    ("Mutation.savePushSubscription", Access::Public),
    // booking: party orders and the calendar
    ("Query.partyGifts", Access::Roles(STAFF_AND_INTEGRATIONS)),
    ("Query.partyOrders", Access::Roles(STAFF)),
    ("Query.bookingCalendar", Access::Roles(STAFF)),
    ("Mutation.createPartyGift", Access::Roles(VENUE_EDITORS)),
    ("Mutation.updatePartyGift", Access::Roles(VENUE_EDITORS)),
    ("Mutation.createPartyOrder", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.updatePartyOrder", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.cancelPartyOrder", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.completePartyOrder", Access::Roles(CLIENT_EDITORS)),
    ("Mutation.confirmPartyOrder", Access::Roles(CLIENT_EDITORS)),
];

pub fn access_for(field: &str) -> Option<Access> {
    POLICY
        .iter()
        .find(|(key, _)| *key == field)
        .map(|(_, access)| *access)
}

/// Every root field a role may call, in table order.
pub fn permitted(role: Role) -> Vec<&'static str> {
    POLICY
        .iter()
        .filter(|(_, access)| match access {
            Access::Public => true,
            Access::Roles(roles) => roles.contains(&role),
        })
        .map(|(field, _)| *field)
        .collect()
}

/// The decision for one root field, one actor.
pub fn authorize(field: &str, actor: &Actor, failure: Option<&AuthFailure>) -> AppResult<()> {
    let access = access_for(field)
        .ok_or_else(|| AppError::internal(format!("no policy entry for {field}")))?;
    match (access, actor.role()) {
        (Access::Public, _) => Ok(()),
        (Access::Roles(_), None) => Err(match failure {
            Some(failure) => failure.error(),
            None => AppError::unauthenticated(),
        }),
        (Access::Roles(roles), Some(role)) if roles.contains(&role) => Ok(()),
        (Access::Roles(_), Some(_)) => Err(AppError::forbidden()),
    }
}

/// The field guard: `#[graphql(guard = "policy(\"Query.me\")")]`. A refusal carries
/// `extensions.policy`, the entry that refused, so clients can tell "your role may not call
/// this" from a refusal by the operation itself (a wrong password, say).
pub struct PolicyGuard(&'static str);

pub fn policy(field: &'static str) -> PolicyGuard {
    PolicyGuard(field)
}

impl Guard for PolicyGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        authorize(self.0, ctx.actor(), ctx.data_opt::<AuthFailure>())
            .map_err(|e| e.extend_with(|_, ext| ext.set("policy", self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn every_key_is_unique() {
        let mut keys: Vec<_> = POLICY.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "duplicate policy entries");
    }

    #[test]
    fn anonymous_is_unauthenticated_and_wrong_role_forbidden() {
        let anon = authorize("Query.users", &Actor::Anonymous, None).unwrap_err();
        assert_eq!(anon.code(), ErrorCode::Unauthenticated);
        let key = Actor::ApiKey {
            id: 1,
            name: "pos".into(),
            role: Role::Integration,
        };
        assert_eq!(
            authorize("Query.users", &key, None).unwrap_err().code(),
            ErrorCode::Forbidden
        );
        assert!(authorize("Mutation.login", &Actor::Anonymous, None).is_ok());
        assert_eq!(
            authorize("Query.nothing", &Actor::System, None)
                .unwrap_err()
                .code(),
            ErrorCode::Internal
        );
    }
}
