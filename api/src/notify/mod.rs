//! Notifications: events of the outbox and reminders on a schedule, to Telegram and Web
//! Push, with a durable per-recipient log ([`engine`] explains delivery).

pub mod channels;
pub mod engine;
pub mod fanout;
pub mod prefs;
pub mod quiet;
pub mod reminders;
pub mod templates;
pub mod vapid;

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveTime, Utc};
use entity::{enums::Role, notification, notification_preference, notification_setting};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::OnConflict,
};
use serde_json::json;

pub use engine::{Notifier, Recipient, spawn};

use crate::{
    auth::{actor::Caller, loaders::UserById, policy::policy},
    batch::load,
    clients::loaders::ClientById,
    context::ContextExt,
    domain::parse_id,
    error::{AppError, AppResult, IntoGql, Msg},
    page_type,
    pagination::{Page, PageInput, fetch_page},
    state::{AppState, wall_clock},
};

/// One message to one recipient on one channel, and where its delivery stands.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Notification {
    pub id: ID,
    /// What it came from: `event:<outbox id>` or `reminder:…`.
    pub source_key: String,
    /// What it tells: `appointment.booked`, `reminder.class`, …
    pub kind: String,
    /// `client:<id>` or `user:<id>`.
    pub recipient: String,
    /// `telegram` or `push`.
    pub channel: String,
    pub location_id: Option<ID>,
    /// `pending`, `sent`, `failed` (will retry), `dead` or `skipped`.
    pub status: String,
    pub attempts: i32,
    /// The last error, or why it was skipped.
    pub last_error: Option<String>,
    /// When the next try may go.
    pub next_attempt_at: DateTime<Utc>,
    /// Held by the location's quiet hours until then.
    pub held_until: Option<DateTime<Utc>>,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// What the templates read (a sign-in code is blanked once sent).
    pub payload: async_graphql::Json<serde_json::Value>,
}

impl From<notification::Model> for Notification {
    fn from(m: notification::Model) -> Self {
        Notification {
            id: m.id.into(),
            source_key: m.source_key,
            kind: m.kind,
            recipient: m.recipient,
            channel: m.channel,
            location_id: m.location_id.map(Into::into),
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            next_attempt_at: m.next_attempt_at,
            held_until: m.held_until,
            occurred_at: m.occurred_at,
            created_at: m.created_at,
            sent_at: m.sent_at,
            payload: async_graphql::Json(m.payload),
        }
    }
}

#[ComplexObject]
impl Notification {
    /// Who it is for: the client's name or the staff member's (none once they are gone).
    async fn recipient_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(match Recipient::parse(&self.recipient) {
            Some(Recipient::Client(id)) => load::<ClientById, _>(ctx, id)
                .await?
                .map(|c| c.display_name),
            Some(Recipient::User(id)) => {
                load::<UserById, _>(ctx, id).await?.map(|u| u.display_name)
            }
            None => None,
        })
    }
}

page_type!(NotificationPage, Notification);

/// Narrows the notification log; every given condition must hold.
#[derive(InputObject, Debug, Clone, Default)]
pub struct NotificationFilter {
    /// Only what happened at this location.
    pub location_id: Option<ID>,
    pub status: Option<String>,
    /// Everything but this status (say `skipped`: what was meant to reach somebody).
    pub not_status: Option<String>,
    pub channel: Option<String>,
    /// `client:<id>` or `user:<id>`.
    pub recipient: Option<String>,
    pub kind: Option<String>,
    /// Made from this instant, inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Made until this instant, exclusive.
    pub to: Option<DateTime<Utc>>,
}

/// A recipient's channels, opt-out and language.
#[derive(SimpleObject, Debug, Clone)]
pub struct NotificationPreferences {
    pub recipient: String,
    pub telegram: bool,
    pub push: bool,
    /// Nothing at all is sent.
    pub opted_out: bool,
    /// `ru` or `en`; none follows the Telegram account's language, else Russian.
    pub language: Option<String>,
}

impl From<notification_preference::Model> for NotificationPreferences {
    fn from(m: notification_preference::Model) -> Self {
        NotificationPreferences {
            recipient: m.recipient,
            telegram: m.telegram,
            push: m.push,
            opted_out: m.opted_out,
            language: m.language,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct NotificationPreferencesInput {
    pub telegram: bool,
    pub push: bool,
    pub opted_out: bool,
    /// `ru`, `en`, or none.
    pub language: Option<String>,
}

/// A location's quiet hours and reminders.
#[derive(SimpleObject, Debug, Clone)]
pub struct NotificationSettings {
    pub location_id: ID,
    /// Quiet hours, local time: messages wait from here…
    pub quiet_from: Option<NaiveTime>,
    /// …until here (past midnight when earlier than `quietFrom`).
    pub quiet_to: Option<NaiveTime>,
    /// Hours before an appointment to remind; empty is off.
    pub appointment_hours: Vec<i32>,
    /// Hours before a class to remind its booked students; none is off.
    pub class_hours: Option<i32>,
    /// Days before a membership ends to remind; none is off.
    pub membership_expiring_days: Option<i32>,
    /// Tell a student their membership ended.
    pub membership_expired: bool,
    /// Missed classes in a row that tell the student and the trainers; none is off.
    pub missed_threshold: Option<i32>,
    /// Days before an exam to remind; none is off.
    pub exam_days: Option<i32>,
    /// Days before an appointment to remind of its unpaid balance; none is off.
    pub payment_due_days: Option<i32>,
}

impl From<notification_setting::Model> for NotificationSettings {
    fn from(m: notification_setting::Model) -> Self {
        let hours = prefs::appointment_hours(&m);
        NotificationSettings {
            location_id: m.location_id.into(),
            quiet_from: m.quiet_from,
            quiet_to: m.quiet_to,
            appointment_hours: hours.into_iter().map(|h| h as i32).collect(),
            class_hours: m.class_hours,
            membership_expiring_days: m.membership_expiring_days,
            membership_expired: m.membership_expired,
            missed_threshold: m.missed_threshold,
            exam_days: m.exam_days,
            payment_due_days: m.payment_due_days,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct NotificationSettingsInput {
    pub quiet_from: Option<NaiveTime>,
    pub quiet_to: Option<NaiveTime>,
    pub appointment_hours: Vec<i32>,
    pub class_hours: Option<i32>,
    pub membership_expiring_days: Option<i32>,
    pub membership_expired: bool,
    pub missed_threshold: Option<i32>,
    pub exam_days: Option<i32>,
    pub payment_due_days: Option<i32>,
}

/// The caller as a recipient: a client login is its client, a staff login its user.
fn own_recipient(caller: &Caller) -> AppResult<Recipient> {
    use crate::auth::actor::Actor;
    match &caller.actor {
        Actor::User {
            role: Role::Client,
            client_id: Some(id),
            ..
        } => Ok(Recipient::Client(*id)),
        Actor::User {
            role: Role::Client, ..
        } => Err(AppError::Forbidden(Msg::new(
            "вход клиента не связан с карточкой клиента",
            "this client login is linked to no client record",
        ))),
        Actor::User { id, .. } => Ok(Recipient::User(*id)),
        _ => Err(AppError::Forbidden(Msg::new(
            "настройки уведомлений есть только у людей",
            "only people have notification preferences",
        ))),
    }
}

async fn set_preferences(
    state: &AppState,
    caller: &Caller,
    recipient: Recipient,
    input: NotificationPreferencesInput,
) -> AppResult<NotificationPreferences> {
    let language = match input.language.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(match prefs::Language::parse(code) {
            Some(prefs::Language::Ru) => "ru".to_owned(),
            Some(prefs::Language::En) => "en".to_owned(),
            None => {
                return Err(AppError::validation(
                    "input.language",
                    "язык: ru или en",
                    "the language is ru or en",
                ));
            }
        }),
    };
    let key = recipient.key();
    let (key, language, input) = (&key, &language, &input);
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let row = notification_preference::ActiveModel {
                    recipient: Set(key.clone()),
                    telegram: Set(input.telegram),
                    push: Set(input.push),
                    opted_out: Set(input.opted_out),
                    language: Set(language.clone()),
                    updated_at: Set(tx.now()),
                };
                notification_preference::Entity::insert(row)
                    .on_conflict(
                        OnConflict::column(notification_preference::Column::Recipient)
                            .update_columns([
                                notification_preference::Column::Telegram,
                                notification_preference::Column::Push,
                                notification_preference::Column::OptedOut,
                                notification_preference::Column::Language,
                                notification_preference::Column::UpdatedAt,
                            ])
                            .to_owned(),
                    )
                    .exec_without_returning(tx.db())
                    .await?;
                tx.audit(
                    "notification.preferences",
                    "notification_preference",
                    None,
                    json!({ "recipient": key, "telegram": input.telegram, "push": input.push,
                            "optedOut": input.opted_out, "language": language }),
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    Ok(prefs::of(&state.db, key).await?.into())
}

fn check_count(field: &str, value: Option<i32>, max: i32) -> AppResult<()> {
    match value {
        Some(v) if !(1..=max).contains(&v) => Err(AppError::validation(
            field,
            format!("от 1 до {max}, или пусто, чтобы выключить"),
            format!("from 1 to {max}, or empty to turn it off"),
        )),
        _ => Ok(()),
    }
}

async fn set_settings(
    state: &AppState,
    caller: &Caller,
    location_id: i64,
    input: NotificationSettingsInput,
) -> AppResult<NotificationSettings> {
    if input.quiet_from.is_some() != input.quiet_to.is_some() {
        return Err(AppError::validation(
            "input.quietTo",
            "укажите и начало, и конец тихих часов",
            "give both the start and the end of quiet hours",
        ));
    }
    let mut hours = input.appointment_hours.clone();
    if hours.iter().any(|h| !(1..=168).contains(h)) || hours.len() > 4 {
        return Err(AppError::validation(
            "input.appointmentHours",
            "до четырёх значений от 1 до 168 часов",
            "up to four values from 1 to 168 hours",
        ));
    }
    hours.sort_unstable_by(|a, b| b.cmp(a));
    hours.dedup();
    check_count("input.classHours", input.class_hours, 72)?;
    check_count(
        "input.membershipExpiringDays",
        input.membership_expiring_days,
        60,
    )?;
    check_count("input.missedThreshold", input.missed_threshold, 50)?;
    check_count("input.examDays", input.exam_days, 60)?;
    check_count("input.paymentDueDays", input.payment_due_days, 60)?;
    crate::venue::locations::get(state, location_id).await?;
    let (hours, input) = (&hours, &input);
    let saved = state
        .write(caller, |tx| {
            Box::pin(async move {
                let row = notification_setting::ActiveModel {
                    location_id: Set(location_id),
                    quiet_from: Set(input.quiet_from),
                    quiet_to: Set(input.quiet_to),
                    appointment_hours: Set(json!(hours)),
                    class_hours: Set(input.class_hours),
                    membership_expiring_days: Set(input.membership_expiring_days),
                    membership_expired: Set(input.membership_expired),
                    missed_threshold: Set(input.missed_threshold),
                    exam_days: Set(input.exam_days),
                    payment_due_days: Set(input.payment_due_days),
                    updated_at: Set(tx.now()),
                };
                let saved = match notification_setting::Entity::find_by_id(location_id)
                    .one(tx.db())
                    .await?
                {
                    Some(_) => row.update(tx.db()).await?,
                    None => row.insert(tx.db()).await?,
                };
                tx.audit(
                    "notification.settings",
                    "location",
                    Some(location_id),
                    json!({ "quietFrom": input.quiet_from, "quietTo": input.quiet_to,
                            "appointmentHours": hours }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await?;
    Ok(saved.into())
}

async fn list(
    state: &AppState,
    filter: NotificationFilter,
    page: Page,
) -> AppResult<NotificationPage> {
    let mut select = notification::Entity::find().order_by_desc(notification::Column::Id);
    if let Some(id) = &filter.location_id {
        let id = parse_id("filter.locationId", id)?;
        select = select.filter(notification::Column::LocationId.eq(id));
    }
    if let Some(status) = &filter.status {
        select = select.filter(notification::Column::Status.eq(status.as_str()));
    }
    if let Some(status) = &filter.not_status {
        select = select.filter(notification::Column::Status.ne(status.as_str()));
    }
    if let Some(channel) = &filter.channel {
        select = select.filter(notification::Column::Channel.eq(channel.as_str()));
    }
    if let Some(recipient) = &filter.recipient {
        select = select.filter(notification::Column::Recipient.eq(recipient.as_str()));
    }
    if let Some(kind) = &filter.kind {
        select = select.filter(notification::Column::Kind.eq(kind.as_str()));
    }
    if let Some(from) = filter.from {
        select = select.filter(notification::Column::CreatedAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(notification::Column::CreatedAt.lt(to));
    }
    let (items, page_info) = fetch_page(&state.db, select, page).await?;
    Ok(NotificationPage {
        items: items.into_iter().map(Into::into).collect(),
        page_info,
    })
}

/// Sends a message again from its first try, whatever became of it.
async fn resend(state: &AppState, caller: &Caller, id: i64) -> AppResult<Notification> {
    let row = state
        .write(caller, |tx| {
            Box::pin(async move {
                let Some(row) = notification::Entity::find_by_id(id).one(tx.db()).await? else {
                    return Err(AppError::not_found("уведомление", "notification", id));
                };
                if row.kind == engine::SIGN_IN_CODE {
                    return Err(AppError::Conflict(Msg::new(
                        "одноразовый код не отправляют повторно",
                        "a one-time code is not sent again",
                    )));
                }
                let mut model: notification::ActiveModel = row.into();
                model.status = Set(engine::PENDING.to_owned());
                model.attempts = Set(0);
                model.next_attempt_at = Set(wall_clock());
                model.held_until = Set(None);
                model.claimed_until = Set(None);
                model.claim_token = Set(None);
                model.last_error = Set(None);
                model.updated_at = Set(wall_clock());
                let row = model.update(tx.db()).await?;
                tx.audit("notification.resend", "notification", Some(id), json!({}))
                    .await?;
                Ok(row)
            })
        })
        .await?;
    state.notifier.wake.notify_one();
    Ok(row.into())
}

#[derive(Default)]
pub struct NotifyQuery;

#[Object]
impl NotifyQuery {
    /// The Web Push VAPID public key (base64url), the browser's `applicationServerKey`.
    #[graphql(guard = "policy(\"Query.vapidPublicKey\")")]
    async fn vapid_public_key(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let state = ctx.state()?;
        Ok(vapid::get(state).await.gql()?.public_key.clone())
    }

    /// The notification log, newest first.
    #[graphql(guard = "policy(\"Query.notifications\")")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        filter: Option<NotificationFilter>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<NotificationPage> {
        let state = ctx.state()?;
        let page = Page::asked(ctx, page).gql()?;
        list(state, filter.unwrap_or_default(), page).await.gql()
    }

    /// The caller's own notification preferences.
    #[graphql(guard = "policy(\"Query.myNotificationPreferences\")")]
    async fn my_notification_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<NotificationPreferences> {
        let state = ctx.state()?;
        let recipient = own_recipient(&ctx.caller()).gql()?;
        Ok(prefs::of(&state.db, &recipient.key()).await.gql()?.into())
    }

    /// A client's notification preferences.
    #[graphql(guard = "policy(\"Query.clientNotificationPreferences\")")]
    async fn client_notification_preferences(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
    ) -> async_graphql::Result<NotificationPreferences> {
        let state = ctx.state()?;
        let id = parse_id("clientId", &client_id).gql()?;
        crate::clients::service::get(&state.db, id).await.gql()?;
        Ok(prefs::of(&state.db, &Recipient::Client(id).key())
            .await
            .gql()?
            .into())
    }

    /// A location's quiet hours and reminders (the defaults until set).
    #[graphql(guard = "policy(\"Query.notificationSettings\")")]
    async fn notification_settings(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
    ) -> async_graphql::Result<NotificationSettings> {
        let state = ctx.state()?;
        let id = parse_id("locationId", &location_id).gql()?;
        crate::venue::locations::get(state, id).await.gql()?;
        Ok(prefs::settings(&state.db, id).await.gql()?.into())
    }
}

#[derive(Default)]
pub struct NotifyMutation;

#[Object]
impl NotifyMutation {
    /// Sets the caller's own notification preferences.
    #[graphql(guard = "policy(\"Mutation.setMyNotificationPreferences\")")]
    async fn set_my_notification_preferences(
        &self,
        ctx: &Context<'_>,
        input: NotificationPreferencesInput,
    ) -> async_graphql::Result<NotificationPreferences> {
        let state = ctx.state()?;
        let caller = ctx.caller();
        let recipient = own_recipient(&caller).gql()?;
        set_preferences(state, &caller, recipient, input)
            .await
            .gql()
    }

    /// Sets a client's notification preferences (say, when they ask at the desk).
    #[graphql(guard = "policy(\"Mutation.setClientNotificationPreferences\")")]
    async fn set_client_notification_preferences(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        input: NotificationPreferencesInput,
    ) -> async_graphql::Result<NotificationPreferences> {
        let state = ctx.state()?;
        let id = parse_id("clientId", &client_id).gql()?;
        crate::clients::service::get(&state.db, id).await.gql()?;
        set_preferences(state, &ctx.caller(), Recipient::Client(id), input)
            .await
            .gql()
    }

    /// Sets a location's quiet hours and reminders.
    #[graphql(guard = "policy(\"Mutation.setNotificationSettings\")")]
    async fn set_notification_settings(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        input: NotificationSettingsInput,
    ) -> async_graphql::Result<NotificationSettings> {
        let state = ctx.state()?;
        let id = parse_id("locationId", &location_id).gql()?;
        set_settings(state, &ctx.caller(), id, input).await.gql()
    }

    /// Sends a logged notification again, from its first try.
    #[graphql(guard = "policy(\"Mutation.resendNotification\")")]
    async fn resend_notification(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Notification> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        resend(state, &ctx.caller(), id).await.gql()
    }
}
