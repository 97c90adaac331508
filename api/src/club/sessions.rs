//! Play sessions: start (prepaid or open), extend, move, stop, and the stop that comes by
//! itself when prepaid time runs out. Money goes through the wallet ledger in the same
//! transaction, once per idempotency key.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use entity::{
    client,
    enums::{PaymentMethod, ResourceStatus, SessionKind, SessionStatus, StopReason},
    location, payment, pc_booking_seat, play_session, play_session_part, promotion, resource,
    tariff_package,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Statement,
};
use serde::Serialize;
use serde_json::json;

use async_graphql::ID;

use super::{
    catalog,
    live::{self, SessionEventKind},
    pricing::{self, Quote, Stretch, TariffRules, Terms},
    types::PlaySessionFilter,
};
use crate::{
    auth::actor::Caller,
    billing::{idempotency::Claim, ledger},
    domain::{Money, parse_id, text},
    error::{AppError, AppResult, Msg},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
    write::Tx,
};

/// Everything that prices play time at one location.
pub struct Rules {
    pub tz: Tz,
    pub tariffs: Vec<(TariffRules, Vec<tariff_package::Model>)>,
    pub promotions: Vec<promotion::Model>,
}

impl Rules {
    pub async fn load<C: ConnectionTrait>(conn: &C, location_id: i64) -> AppResult<Rules> {
        let location = location::Entity::find_by_id(location_id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::not_found("Локация", "Location", location_id))?;
        Ok(Rules {
            tz: location.timezone.parse().unwrap_or(Tz::UTC),
            tariffs: catalog::tariffs(conn, location_id, None).await?,
            promotions: catalog::promotions(conn, location_id).await?,
        })
    }

    fn tariff(&self, id: i64) -> Option<&TariffRules> {
        self.tariffs
            .iter()
            .map(|(r, _)| r)
            .find(|r| r.tariff.id == id)
    }

    fn package(&self, id: i64) -> Option<&tariff_package::Model> {
        self.tariffs
            .iter()
            .flat_map(|(_, p)| p.iter())
            .find(|p| p.id == id)
    }

    /// Prices a session played as `parts`, up to `until` (prepaid time is priced to its end).
    pub fn quote(
        &self,
        session: &play_session::Model,
        parts: &[play_session_part::Model],
        discount_percent: i32,
        until: DateTime<Utc>,
    ) -> Quote {
        let until = match (session.kind, session.ends_at) {
            (SessionKind::Prepaid, Some(end)) => end,
            _ => until,
        };
        let stretches: Vec<Stretch<'_>> = parts
            .iter()
            .enumerate()
            .filter_map(|(i, part)| {
                let rules = self.tariff(part.tariff_id)?;
                let to = if i + 1 == parts.len() {
                    until
                } else {
                    part.ended_at.unwrap_or(until)
                };
                Some(Stretch {
                    from: part.started_at,
                    to: to.max(part.started_at),
                    rules,
                })
            })
            .collect();
        let first_zone = parts.first().map_or(0, |p| p.zone_id);
        let start_local = session.started_at.with_timezone(&self.tz);
        let promotions: Vec<promotion::Model> = self
            .promotions
            .iter()
            .filter(|p| pricing::promotion_applies(p, first_zone, start_local))
            .cloned()
            .collect();
        let start_tariff = self.tariff(session.tariff_id);
        let terms = Terms {
            tz: self.tz,
            step_minutes: start_tariff.map_or(1, |t| i64::from(t.tariff.step_minutes)),
            rounding: start_tariff.map_or(entity::enums::Rounding::Up, |t| t.tariff.rounding),
            package: session.package_id.and_then(|id| self.package(id)),
            promotions: &promotions,
            client_discount_percent: discount_percent,
        };
        pricing::quote(&stretches, &terms)
    }
}

/// What starting a session asks for.
#[derive(Debug, Clone, Serialize)]
pub struct StartSpec {
    pub resource_id: i64,
    pub client_id: Option<i64>,
    pub guest_name: Option<String>,
    pub tariff_id: Option<i64>,
    pub prepaid_minutes: Option<i32>,
    pub package_id: Option<i64>,
    pub method: Option<PaymentMethod>,
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<play_session::Model> {
    play_session::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Сеанс", "Session", id))
}

/// Play sessions matching `filter`, newest first.
pub async fn list(
    state: &AppState,
    filter: PlaySessionFilter,
    page: Page,
) -> AppResult<(Vec<play_session::Model>, PageInfo)> {
    let id = |field, id: &Option<ID>| id.as_ref().map(|id| parse_id(field, id)).transpose();
    let mut select = play_session::Entity::find();
    if let Some(id) = id("filter.locationId", &filter.location_id)? {
        select = select.filter(play_session::Column::LocationId.eq(id));
    }
    if let Some(id) = id("filter.clientId", &filter.client_id)? {
        select = select.filter(play_session::Column::ClientId.eq(id));
    }
    if let Some(id) = id("filter.resourceId", &filter.resource_id)? {
        select = select.filter(play_session::Column::ResourceId.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(play_session::Column::Status.eq(status));
    }
    if let Some(from) = filter.started_from {
        select = select.filter(play_session::Column::StartedAt.gte(from));
    }
    if let Some(to) = filter.started_to {
        select = select.filter(play_session::Column::StartedAt.lt(to));
    }
    let select = select.order_by_desc(play_session::Column::Id);
    fetch_page(&state.db, select, page).await
}

pub async fn parts_of<C: ConnectionTrait>(
    conn: &C,
    session_ids: Vec<i64>,
) -> AppResult<Vec<play_session_part::Model>> {
    Ok(play_session_part::Entity::find()
        .filter(play_session_part::Column::SessionId.is_in(session_ids))
        .order_by_asc(play_session_part::Column::Id)
        .all(conn)
        .await?)
}

async fn lock_session(conn: &DatabaseTransaction, id: i64) -> AppResult<play_session::Model> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        conn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT id FROM play_session WHERE id = $1 FOR UPDATE",
            [id.into()],
        ))
        .await?;
    }
    let session = get(conn, id).await?;
    if session.status != SessionStatus::Active {
        return Err(AppError::conflict(
            format!("Сеанс {id} уже завершён"),
            format!("Session {id} is already over"),
        ));
    }
    Ok(session)
}

async fn discount_of<C: ConnectionTrait>(conn: &C, client_id: Option<i64>) -> AppResult<i32> {
    Ok(match client_id {
        Some(id) => client::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map_or(0, |c| c.discount_percent),
        None => 0,
    })
}

/// Refuses a PC that cannot take a session for `from..to`; `booking` is the booking being
/// used, whose own seat does not count against it.
async fn check_free<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    pc: &resource::Model,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    booking: Option<i64>,
) -> AppResult<()> {
    if pc.status == ResourceStatus::OutOfOrder {
        return Err(AppError::OutOfOrder(Msg::new(
            format!("«{}» не работает", pc.name),
            format!("`{}` is out of order", pc.name),
        )));
    }
    let playing = play_session::Entity::find()
        .filter(play_session::Column::ResourceId.eq(pc.id))
        .filter(play_session::Column::Status.eq(SessionStatus::Active))
        .one(conn)
        .await?;
    if playing.is_some() {
        return Err(busy(pc));
    }
    if let Some(seat) = holding_seat(conn, state, pc.id, from, to, booking).await? {
        let tz = crate::venue::locations::time_zone(conn, pc.location_id).await?;
        let local = crate::domain::timezone::local_text(tz, seat.starts_at);
        return Err(AppError::ResourceBooked(Msg::new(
            format!(
                "«{}» забронирован на {local} (бронь {})",
                pc.name, seat.booking_id
            ),
            format!(
                "`{}` is booked from {local} (booking {})",
                pc.name, seat.booking_id
            ),
        )));
    }
    Ok(())
}

/// A live booking seat that holds `pc_id` at some moment of `from..to`: a seat holds its PC
/// from `booking_show_minutes` before its start. `except` is a booking whose seats do not count.
async fn holding_seat<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    pc_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<i64>,
) -> AppResult<Option<pc_booking_seat::Model>> {
    let show = Duration::minutes(state.settings.booking_show_minutes);
    let mut seats = pc_booking_seat::Entity::find()
        .filter(pc_booking_seat::Column::ResourceId.eq(pc_id))
        .filter(pc_booking_seat::Column::Live.eq(true))
        .filter(pc_booking_seat::Column::StartsAt.lt(to + show))
        .filter(pc_booking_seat::Column::EndsAt.gt(from));
    if let Some(id) = except {
        seats = seats.filter(pc_booking_seat::Column::BookingId.ne(id));
    }
    Ok(seats.one(conn).await?)
}

fn busy(pc: &resource::Model) -> AppError {
    AppError::ResourceBusy(Msg::new(
        format!("«{}» занят: на нём идёт сеанс", pc.name),
        format!("`{}` is busy: a session is running on it", pc.name),
    ))
}

async fn pc_of<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<resource::Model> {
    resource::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("ПК", "PC", id))
}

fn zone_of_pc(pc: &resource::Model) -> AppResult<i64> {
    pc.zone_id.ok_or_else(|| {
        AppError::validation(
            "input.resourceId",
            format!(
                "«{}» не входит ни в одну зону, поэтому у него нет тарифа",
                pc.name
            ),
            format!("`{}` is in no zone, so it has no tariff", pc.name),
        )
    })
}

/// Takes `amount` for a session by `method` and links the payment to it.
async fn charge(
    tx: &Tx<'_>,
    session: &play_session::Model,
    amount: i64,
    method: Option<PaymentMethod>,
) -> AppResult<Option<ledger::Receipt>> {
    if amount <= 0 {
        return Ok(None);
    }
    let method = method.ok_or_else(|| {
        AppError::validation(
            "input.paymentMethod",
            format!("к оплате {}: укажите способ оплаты", Money(amount)),
            format!("{} is due: give a payment method", Money(amount)),
        )
    })?;
    let op = ledger::Operation::Pay {
        client_id: session.client_id,
        amount,
        method,
        purpose: format!("Игровой сеанс {}", session.id),
    }
    .check()?;
    let receipt = ledger::write(tx, &op, Some(session.location_id)).await?;
    if let Some(id) = receipt.payment_id {
        payment::Entity::update_many()
            .col_expr(
                payment::Column::PlaySessionId,
                sea_orm::sea_query::Expr::value(session.id),
            )
            .filter(payment::Column::Id.eq(id))
            .exec(tx.db())
            .await?;
    }
    Ok(Some(receipt))
}

fn unique_busy(err: AppError, pc: &resource::Model) -> AppError {
    // The partial unique index answers a race for the same PC.
    match err {
        AppError::Conflict(_) => busy(pc),
        other => other,
    }
}

pub async fn start(
    state: &AppState,
    caller: &Caller,
    spec: StartSpec,
    key: &str,
) -> AppResult<play_session::Model> {
    let guest_name = text::optional("input.guestName", spec.guest_name.as_deref(), 100)?;
    if let Some(m) = spec.prepaid_minutes
        && !(1..=24 * 60).contains(&m)
    {
        return Err(AppError::validation(
            "input.prepaidMinutes",
            "предоплата — от 1 минуты до суток",
            "prepaid time is 1 minute to a day",
        ));
    }
    if spec.prepaid_minutes.is_some() && spec.package_id.is_some() {
        return Err(AppError::validation(
            "input.packageId",
            "укажите либо минуты предоплаты, либо пакет",
            "give either prepaid minutes or a package, not both",
        ));
    }
    let claim = Claim::new(key, "session.start", &spec)?;
    let (spec, guest_name) = (&spec, &guest_name);
    // The key's answer is the session's id: a repeat reads the session as it is now.
    let id = state
        .write_once(caller, &claim, |tx| {
            Box::pin(async move {
                let pc = pc_of(tx.db(), spec.resource_id).await?;
                let (session, changed) =
                    begin(tx, state, &pc, spec, guest_name.clone(), None).await?;
                live::announce(tx, &changed).await?;
                live::announce_session(tx, SessionEventKind::Started, &session).await?;
                Ok(session.id)
            })
        })
        .await?;
    get(&state.db, id).await
}

/// Starts one session inside the unit `tx`; shared by [`start`] and the use of a booking.
/// Returns the session and the PCs whose status changed; the caller raises their events.
pub(crate) async fn begin(
    tx: &Tx<'_>,
    state: &AppState,
    pc: &resource::Model,
    spec: &StartSpec,
    guest_name: Option<String>,
    booking_id: Option<i64>,
) -> AppResult<(play_session::Model, Vec<resource::Model>)> {
    let (txn, caller, now) = (tx.db(), tx.caller(), tx.now());
    let zone_id = zone_of_pc(pc)?;
    let rules = Rules::load(txn, pc.location_id).await?;
    let tariff = match spec.tariff_id {
        Some(id) => rules
            .tariff(id)
            .filter(|t| t.tariff.zone_id == zone_id && t.tariff.active)
            .ok_or_else(|| {
                AppError::validation(
                    "input.tariffId",
                    format!("тариф {id} не действует в зоне этого ПК"),
                    format!("tariff {id} is not active in this PC's zone"),
                )
            })?,
        None => catalog::default_tariff(&rules.tariffs, zone_id).ok_or_else(|| {
            AppError::validation(
                "input.resourceId",
                "у зоны этого ПК нет действующего тарифа",
                "this PC's zone has no active tariff",
            )
        })?,
    };
    if let Some(id) = spec.client_id {
        let c = crate::clients::service::get(txn, id).await?;
        if !c.active {
            return Err(AppError::validation(
                "input.clientId",
                "клиент неактивен",
                "the client is inactive",
            ));
        }
    }
    let package = match spec.package_id {
        Some(id) => {
            let p = rules
                .package(id)
                .filter(|p| p.tariff_id == tariff.tariff.id && p.active)
                .ok_or_else(|| {
                    AppError::validation(
                        "input.packageId",
                        format!("пакет {id} не продаётся по этому тарифу"),
                        format!("package {id} is not on sale under this tariff"),
                    )
                })?;
            if !pricing::package_open_at(p, now.with_timezone(&rules.tz)) {
                return Err(AppError::validation(
                    "input.packageId",
                    format!(
                        "пакет «{}» сейчас не продаётся: он действует в своё окно",
                        p.name
                    ),
                    format!("package `{}` is sold only inside its window", p.name),
                ));
            }
            Some(p)
        }
        None => None,
    };
    let ends_at = match (package, spec.prepaid_minutes) {
        (Some(p), _) => Some(pricing::package_end(p, now, rules.tz)),
        (None, Some(m)) => Some(now + Duration::minutes(i64::from(m))),
        (None, None) => None,
    };
    check_free(
        txn,
        state,
        pc,
        now,
        ends_at.unwrap_or(now + Duration::minutes(1)),
        booking_id,
    )
    .await?;
    let session = play_session::ActiveModel {
        location_id: Set(pc.location_id),
        resource_id: Set(pc.id),
        client_id: Set(spec.client_id),
        guest_name: Set(guest_name),
        tariff_id: Set(tariff.tariff.id),
        package_id: Set(package.map(|p| p.id)),
        booking_id: Set(booking_id),
        kind: Set(if ends_at.is_some() {
            SessionKind::Prepaid
        } else {
            SessionKind::Open
        }),
        status: Set(SessionStatus::Active),
        started_at: Set(now),
        ends_at: Set(ends_at),
        paid: Set(0),
        started_by: Set(caller.actor.user_id()),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| unique_busy(e.into(), pc))?;
    let part = play_session_part::ActiveModel {
        session_id: Set(session.id),
        resource_id: Set(pc.id),
        zone_id: Set(zone_id),
        tariff_id: Set(tariff.tariff.id),
        started_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut session = session;
    if ends_at.is_some() {
        let discount = discount_of(txn, spec.client_id).await?;
        let quote = rules.quote(&session, &[part], discount, now);
        if charge(tx, &session, quote.total, spec.method)
            .await?
            .is_some()
        {
            let mut model: play_session::ActiveModel = session.into();
            model.paid = Set(quote.total);
            model.promotion_id = Set(quote.discount.as_ref().and_then(|d| d.promotion_id));
            session = model.update(txn).await?;
        }
    }
    let changed = live::refresh(tx, state, &[pc.id]).await?;
    tx.audit(
        "session.start",
        "play_session",
        Some(session.id),
        json!({ "resourceId": pc.id, "clientId": session.client_id, "kind": session.kind, "endsAt": session.ends_at, "paid": session.paid, "bookingId": booking_id }),
    )
    .await?;
    Ok((session, changed))
}

#[derive(Serialize)]
struct ExtendRequest {
    session_id: i64,
    minutes: i32,
    method: Option<PaymentMethod>,
}

/// Adds prepaid time and takes what it costs.
pub async fn extend(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    minutes: i32,
    method: Option<PaymentMethod>,
    key: &str,
) -> AppResult<play_session::Model> {
    if !(1..=24 * 60).contains(&minutes) {
        return Err(AppError::validation(
            "input.minutes",
            "продление — от 1 минуты до суток",
            "an extension is 1 minute to a day",
        ));
    }
    let request = ExtendRequest {
        session_id,
        minutes,
        method,
    };
    let claim = Claim::new(key, "session.extend", &request)?;
    let id = state
        .write_once(caller, &claim, |tx| {
            Box::pin(async move {
                let txn = tx.db();
                let session = lock_session(txn, session_id).await?;
                let Some(ends_at) = session.ends_at else {
                    return Err(AppError::validation(
                        "input.sessionId",
                        "открытый сеанс длится до остановки: продлевать нечего",
                        "an open session runs until stopped: there is nothing to extend",
                    ));
                };
                let now = tx.now();
                let new_end = ends_at.max(now) + Duration::minutes(i64::from(minutes));
                let pc = pc_of(txn, session.resource_id).await?;
                if let Some(seat) = holding_seat(txn, state, pc.id, ends_at, new_end, None).await? {
                    return Err(AppError::ResourceBooked(Msg::new(
                        format!(
                            "Продлить нельзя: «{}» забронирован (бронь {})",
                            pc.name, seat.booking_id
                        ),
                        format!(
                            "Cannot extend: `{}` is booked (booking {})",
                            pc.name, seat.booking_id
                        ),
                    )));
                }
                let rules = Rules::load(txn, session.location_id).await?;
                let parts = parts_of(txn, vec![session.id]).await?;
                let discount = discount_of(txn, session.client_id).await?;
                let mut longer = session.clone();
                longer.ends_at = Some(new_end);
                let quote = rules.quote(&longer, &parts, discount, now);
                let due = quote.total - session.paid;
                charge(tx, &session, due, method).await?;
                let mut model: play_session::ActiveModel = session.into();
                model.ends_at = Set(Some(new_end));
                model.warned_at = Set(None);
                model.paid = Set(quote.total.max(longer.paid));
                let updated = model.update(txn).await?;
                tx.audit(
                    "session.extend",
                    "play_session",
                    Some(updated.id),
                    json!({ "minutes": minutes, "endsAt": new_end, "charged": due.max(0) }),
                )
                .await?;
                live::announce_session(tx, SessionEventKind::Extended, &updated).await?;
                Ok(updated.id)
            })
        })
        .await?;
    get(&state.db, id).await
}

/// Moves a session to another PC of the location. A move into another zone continues under
/// that zone's tariff.
pub async fn move_to(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    resource_id: i64,
) -> AppResult<play_session::Model> {
    state
        .write(caller, |tx| {
            Box::pin(move_in(tx, state, session_id, resource_id))
        })
        .await
}

async fn move_in(
    tx: &Tx<'_>,
    state: &AppState,
    session_id: i64,
    resource_id: i64,
) -> AppResult<play_session::Model> {
    let txn = tx.db();
    let session = lock_session(txn, session_id).await?;
    let from_pc = session.resource_id;
    if from_pc == resource_id {
        return Err(AppError::validation(
            "input.resourceId",
            "сеанс уже идёт на этом ПК",
            "the session is already on this PC",
        ));
    }
    let target = pc_of(txn, resource_id).await?;
    if target.location_id != session.location_id {
        return Err(AppError::validation(
            "input.resourceId",
            "ПК в другой локации",
            "the PC is at another location",
        ));
    }
    let now = tx.now();
    check_free(
        txn,
        state,
        &target,
        now,
        session.ends_at.unwrap_or(now + Duration::minutes(1)),
        None,
    )
    .await?;
    let zone_id = zone_of_pc(&target)?;
    let parts = parts_of(txn, vec![session.id]).await?;
    let current = parts.last().cloned();
    let tariff_id = match &current {
        Some(part) if part.zone_id == zone_id => part.tariff_id,
        _ => {
            let rules = Rules::load(txn, session.location_id).await?;
            catalog::default_tariff(&rules.tariffs, zone_id)
                .map(|t| t.tariff.id)
                .ok_or_else(|| {
                    AppError::validation(
                        "input.resourceId",
                        "у зоны этого ПК нет действующего тарифа",
                        "this PC's zone has no active tariff",
                    )
                })?
        }
    };
    if let Some(part) = current {
        let mut model: play_session_part::ActiveModel = part.into();
        model.ended_at = Set(Some(now));
        model.update(txn).await?;
    }
    play_session_part::ActiveModel {
        session_id: Set(session.id),
        resource_id: Set(target.id),
        zone_id: Set(zone_id),
        tariff_id: Set(tariff_id),
        started_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut model: play_session::ActiveModel = session.into();
    model.resource_id = Set(target.id);
    let updated = model
        .update(txn)
        .await
        .map_err(|e| unique_busy(e.into(), &target))?;
    let changed = live::refresh(tx, state, &[from_pc, target.id]).await?;
    tx.audit(
        "session.move",
        "play_session",
        Some(updated.id),
        json!({ "from": from_pc, "to": target.id, "tariffId": tariff_id }),
    )
    .await?;
    live::announce(tx, &changed).await?;
    live::announce_session(tx, SessionEventKind::Moved, &updated).await?;
    Ok(updated)
}

#[derive(Serialize)]
struct StopRequest {
    session_id: i64,
    method: Option<PaymentMethod>,
}

/// Stops a session by hand and takes what is still due.
pub async fn stop(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    method: Option<PaymentMethod>,
    key: &str,
) -> AppResult<play_session::Model> {
    let request = StopRequest { session_id, method };
    let claim = Claim::new(key, "session.stop", &request)?;
    let id = state
        .write_once(caller, &claim, |tx| {
            Box::pin(async move {
                let session = lock_session(tx.db(), session_id).await?;
                let at = tx.now();
                let (session, changed) =
                    finish(tx, state, session, at, StopReason::Operator, method).await?;
                live::announce(tx, &changed).await?;
                live::announce_session(tx, SessionEventKind::Ended, &session).await?;
                Ok(session.id)
            })
        })
        .await?;
    get(&state.db, id).await
}

/// Ends a prepaid session whose time ran out, as of its end. Returns None when another
/// process got there first.
pub async fn time_up(state: &AppState, session_id: i64) -> AppResult<Option<play_session::Model>> {
    let caller = Caller::system();
    state
        .write(&caller, |tx| {
            Box::pin(async move {
                let session = match lock_session(tx.db(), session_id).await {
                    Ok(s) => s,
                    Err(AppError::Conflict(_)) => return Ok(None),
                    Err(e) => return Err(e),
                };
                let Some(at) = session.ends_at else {
                    return Ok(None);
                };
                let (session, changed) =
                    finish(tx, state, session, at, StopReason::TimeUp, None).await?;
                live::announce(tx, &changed).await?;
                live::announce_session(tx, SessionEventKind::Ended, &session).await?;
                Ok(Some(session))
            })
        })
        .await
}

async fn finish(
    tx: &Tx<'_>,
    state: &AppState,
    session: play_session::Model,
    at: DateTime<Utc>,
    reason: StopReason,
    method: Option<PaymentMethod>,
) -> AppResult<(play_session::Model, Vec<resource::Model>)> {
    let (txn, caller) = (tx.db(), tx.caller());
    let rules = Rules::load(txn, session.location_id).await?;
    let parts = parts_of(txn, vec![session.id]).await?;
    let discount = discount_of(txn, session.client_id).await?;
    let quote = rules.quote(&session, &parts, discount, at);
    let due = quote.total - session.paid;
    // A time-up stop takes nothing: prepaid time was paid for when bought.
    if reason == StopReason::Operator {
        charge(tx, &session, due, method).await?;
    }
    if let Some(part) = parts.last() {
        let mut model: play_session_part::ActiveModel = part.clone().into();
        model.ended_at = Set(Some(at));
        model.update(txn).await?;
    }
    let pc = session.resource_id;
    let paid = session.paid
        + if reason == StopReason::Operator {
            due.max(0)
        } else {
            0
        };
    let mut model: play_session::ActiveModel = session.into();
    model.status = Set(SessionStatus::Finished);
    model.ended_at = Set(Some(at));
    model.stop_reason = Set(Some(reason));
    model.cost = Set(Some(quote.total));
    model.paid = Set(paid);
    model.promotion_id = Set(quote.discount.as_ref().and_then(|d| d.promotion_id));
    model.breakdown = Set(Some(
        serde_json::to_value(&quote).map_err(AppError::internal)?,
    ));
    model.ended_by = Set(caller.actor.user_id());
    let updated = model.update(txn).await?;
    let changed = live::refresh(tx, state, &[pc]).await?;
    tx.audit(
        "session.stop",
        "play_session",
        Some(updated.id),
        json!({ "reason": reason, "cost": quote.total, "paid": paid, "promotionId": updated.promotion_id }),
    )
    .await?;
    Ok((updated, changed))
}

/// What a session costs so far (or in the end).
pub async fn current_quote(state: &AppState, session: &play_session::Model) -> AppResult<Quote> {
    if let Some(stored) = &session.breakdown
        && let Ok(q) = serde_json::from_value::<Quote>(stored.clone())
    {
        return Ok(q);
    }
    let rules = Rules::load(&state.db, session.location_id).await?;
    let parts = parts_of(&state.db, vec![session.id]).await?;
    let discount = discount_of(&state.db, session.client_id).await?;
    Ok(rules.quote(session, &parts, discount, state.clock.now()))
}
