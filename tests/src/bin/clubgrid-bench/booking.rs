//! Booking scenarios: a week of free slots over a busy clinic, and 200 people racing for one
//! slot.

use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Span, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Almaty;
use clubgrid_api::{
    auth::actor::Caller,
    booking::{
        appointments,
        availability::{self, SlotQuery},
        catalog::{self, ServiceSpec, SpecialistSpec},
        schedules::{self, BreakSpec},
    },
    clients::{fields::RawFields, service as clients},
    venue::{
        locations, resources,
        types::{CreateLocationInput, CreateResourceInput, OpeningHoursInput},
    },
};
use clubgrid_tests::{Backend, TestApp, clubgrid_client::ops};
use entity::{
    appointment, booking_claim,
    enums::{AppointmentPayment, AppointmentStatus, ResourceKind, Role},
};
use sea_orm::{ActiveValue::Set, EntityTrait};

use super::{Args, BenchResult, emit, emit_latencies};

/// The Monday the scenarios book into; the clock is pinned to the Friday before.
const MONDAY: (i32, u32, u32) = (2026, 11, 23);

fn monday() -> BenchResult<NaiveDate> {
    NaiveDate::from_ymd_opt(MONDAY.0, MONDAY.1, MONDAY.2).ok_or_else(|| "bad date".into())
}

fn time(h: u32, m: u32) -> BenchResult<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| "bad time".into())
}

fn every_day(from: NaiveTime, to: NaiveTime) -> Vec<OpeningHoursInput> {
    (1..=7)
        .map(|weekday| OpeningHoursInput {
            weekday,
            opens_at: from,
            closes_at: to,
        })
        .collect()
}

/// A clinic open 08:00–22:00 in Almaty with `rooms` rooms and a 30-minute service that needs
/// one of them; `people` specialists work 09:00–21:00 with a break 13:00–14:00, every day.
/// The clock is pinned to the Friday 08:00 before [`MONDAY`].
struct Clinic {
    location: i64,
    service: i64,
    rooms: Vec<i64>,
    specialists: Vec<i64>,
}

async fn clinic(app: &TestApp, people: usize, rooms: usize) -> BenchResult<Clinic> {
    let friday = Utc
        .with_ymd_and_hms(MONDAY.0, MONDAY.1, MONDAY.2 - 3, 3, 0, 0)
        .single()
        .ok_or("bad date")?;
    app.state.clock.pin(Some(friday));
    let system = Caller::system();
    let state = &app.state;
    let location = locations::create(
        state,
        &system,
        CreateLocationInput {
            name: "Клиника".into(),
            address: "Абая 1".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await?
    .id;
    locations::set_opening_hours(
        state,
        &system,
        location,
        every_day(time(8, 0)?, time(22, 0)?),
    )
    .await?;
    let mut room_ids = Vec::with_capacity(rooms);
    for i in 1..=rooms {
        let room = resources::create(
            state,
            &system,
            CreateResourceInput {
                location_id: location.into(),
                zone_id: None,
                kind: ResourceKind::Room,
                name: format!("Кабинет {i}"),
                capacity: None,
                notes: None,
                sort_order: Some(i as i32),
            },
        )
        .await?;
        room_ids.push(room.id);
    }
    let service = catalog::save_service(
        state,
        &system,
        None,
        location,
        ServiceSpec {
            name: "Приём 30 мин".into(),
            category: Some("Приём".into()),
            description: None,
            duration_minutes: 30,
            price: 800_000,
            buffer_before: 0,
            buffer_after: 0,
            active: true,
        },
    )
    .await?
    .id;
    catalog::set_service_rooms(state, &system, service, room_ids.clone()).await?;
    let mut specialists = Vec::with_capacity(people);
    for i in 1..=people {
        let id = catalog::save_specialist(
            state,
            &system,
            None,
            SpecialistSpec {
                first_name: format!("Врач {i}"),
                last_name: "Клиники".into(),
                title: None,
                bio: None,
                user_id: None,
                active: true,
            },
        )
        .await?
        .id;
        catalog::set_specialist_services(state, &system, id, vec![service]).await?;
        schedules::set_hours(
            state,
            &system,
            id,
            location,
            every_day(time(9, 0)?, time(21, 0)?),
        )
        .await?;
        let lunch = (1..=7)
            .map(|weekday| -> BenchResult<BreakSpec> {
                Ok(BreakSpec {
                    weekday: Some(weekday),
                    date: None,
                    starts_at: time(13, 0)?,
                    ends_at: time(14, 0)?,
                })
            })
            .collect::<BenchResult<Vec<_>>>()?;
        schedules::set_breaks(state, &system, id, lunch).await?;
        specialists.push(id);
    }
    Ok(Clinic {
        location,
        service,
        rooms: room_ids,
        specialists,
    })
}

async fn client(app: &TestApp, i: usize) -> BenchResult<i64> {
    let fields = RawFields {
        first_name: Some(format!("Пациент {i}")),
        phone: Some(format!("+7702{i:07}")),
        ..RawFields::default()
    }
    .check("input.")?;
    Ok(clients::create(&app.state, &Caller::system(), fields)
        .await?
        .id)
}

/// Writes `count` booked appointments straight into the tables, spread over the week's
/// working half-hours of every specialist (each in their own room), about two in three taken.
async fn seed_appointments(app: &TestApp, c: &Clinic, count: usize) -> BenchResult<usize> {
    let client_id = client(app, 0).await?;
    let now = app.state.clock.now();
    let first = monday()?;
    let mut starts: Vec<(usize, DateTime<Utc>)> = Vec::new();
    for day in 0..7 {
        let date = first + Span::days(day);
        for (s, _) in c.specialists.iter().enumerate() {
            for half in 0..24u32 {
                let local = date.and_time(time(9 + half / 2, (half % 2) * 30)?);
                // The 13:00–14:00 break.
                if (8..10).contains(&half) {
                    continue;
                }
                // A fixed pattern, about two in three half-hours booked.
                if (day as usize * 31 + s * 7 + half as usize * 13).is_multiple_of(3) {
                    continue;
                }
                let at = Almaty
                    .from_local_datetime(&local)
                    .single()
                    .ok_or("no such local time")?
                    .with_timezone(&Utc);
                starts.push((s, at));
            }
        }
    }
    starts.truncate(count);
    let mut made = 0;
    for chunk in starts.chunks(200) {
        let rows: Vec<appointment::ActiveModel> = chunk
            .iter()
            .map(|(s, at)| appointment::ActiveModel {
                location_id: Set(c.location),
                service_id: Set(c.service),
                specialist_id: Set(c.specialists[*s]),
                resource_id: Set(Some(c.rooms[*s % c.rooms.len()])),
                client_id: Set(client_id),
                starts_at: Set(*at),
                ends_at: Set(*at + Span::minutes(30)),
                status: Set(AppointmentStatus::Booked),
                payment: Set(AppointmentPayment::AtVenue),
                client_package_id: Set(None),
                price: Set(800_000),
                client_discount_percent: Set(0),
                discount_percent: Set(0),
                total: Set(800_000),
                paid: Set(0),
                refunded: Set(0),
                code: Set(appointments::new_code()),
                note: Set(None),
                cancel_reason: Set(None),
                created_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                closed_at: Set(None),
                ..Default::default()
            })
            .collect();
        appointment::Entity::insert_many(rows)
            .exec_without_returning(&app.state.db)
            .await?;
        made += chunk.len();
    }
    // One claim on the specialist and one on the room per appointment, as a booking writes.
    let booked = appointment::Entity::find().all(&app.state.db).await?;
    for chunk in booked.chunks(200) {
        let claims = chunk.iter().flat_map(|a| {
            let claim =
                |specialist_id: Option<i64>, resource_id: Option<i64>| booking_claim::ActiveModel {
                    appointment_id: Set(Some(a.id)),
                    party_order_id: Set(None),
                    specialist_id: Set(specialist_id),
                    resource_id: Set(resource_id),
                    starts_at: Set(a.starts_at),
                    ends_at: Set(a.ends_at),
                    live: Set(true),
                    ..Default::default()
                };
            [
                claim(Some(a.specialist_id), None),
                claim(None, a.resource_id),
            ]
        });
        booking_claim::Entity::insert_many(claims)
            .exec_without_returning(&app.state.db)
            .await?;
    }
    Ok(made)
}

/// A week of free slots for a service 20 specialists perform, with 2,000 appointments already
/// booked: over HTTP as the public page asks (`availableSlots`), and as the service call
/// alone (statements and computation without GraphQL).
pub(crate) async fn slots_week_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    const SPECIALISTS: usize = 20;
    const APPOINTMENTS: usize = 2_000;
    let rounds = args.rounds(200);
    let c = clinic(app, SPECIALISTS, SPECIALISTS).await?;
    let booked = seed_appointments(app, &c, APPOINTMENTS).await?;
    if booked != APPOINTMENTS {
        return Err(format!("seeded {booked} appointments, wanted {APPOINTMENTS}").into());
    }
    let from = monday()?;
    let to = from + Span::days(6);
    let query = SlotQuery {
        location_id: c.location,
        service_id: c.service,
        specialist_id: None,
        from,
        to,
        ignore_appointment: None,
    };
    let visitor = app.client();
    let vars = || ops::available_slots::Variables {
        location_id: c.location.to_string(),
        service_id: c.service.to_string(),
        specialist_id: None,
        from: from.to_string(),
        to: to.to_string(),
    };
    // Warm both paths once (connections, prepared statements).
    let slots = availability::find(&app.state, &query).await?.len();
    visitor.run::<ops::AvailableSlots>(vars()).await?;
    let mut direct = Vec::with_capacity(rounds);
    let mut http = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let found = availability::find(&app.state, &query).await?;
        direct.push(t.elapsed());
        if found.len() != slots {
            return Err(format!("{} slots, then {}", slots, found.len()).into());
        }
        let t = Instant::now();
        let found = visitor
            .run::<ops::AvailableSlots>(vars())
            .await?
            .available_slots;
        http.push(t.elapsed());
        if found.len() != slots {
            return Err(format!("{} slots, then {} over HTTP", slots, found.len()).into());
        }
    }
    let name = "slots-week";
    emit(name, "specialists", SPECIALISTS as f64, "people");
    emit(name, "appointments", booked as f64, "rows");
    emit(name, "free_slots", slots as f64, "slots");
    emit(name, "rounds", rounds as f64, "queries");
    let db = match app.db.backend {
        Backend::Postgres => "_postgres",
        Backend::Sqlite => "_sqlite",
    };
    emit_latencies(name, "service", db, &mut direct);
    emit_latencies(name, "graphql", db, &mut http);
    Ok(())
}

/// How one attempt ended.
enum Outcome {
    Booked,
    /// Refused with SLOT_TAKEN or HOLD_EXPIRED, at the hold or at the confirmation.
    Refused,
}

type Attempt = tokio::task::JoinHandle<(Duration, Result<Outcome, String>)>;

/// Waits for every attempt of a round; adds their latencies and returns how many booked. Any
/// other failure than a refusal fails the run.
async fn race(attempts: Vec<Attempt>, latencies: &mut Vec<Duration>) -> BenchResult<usize> {
    let mut won = 0;
    for attempt in attempts {
        let (took, outcome) = attempt.await?;
        latencies.push(took);
        if matches!(outcome?, Outcome::Booked) {
            won += 1;
        }
    }
    Ok(won)
}

/// Each round (`--rounds`, default 10), 200 desks try at once to hold the same slot and confirm
/// it for their own client: exactly one may win. Then, as many rounds again, 200 confirmations
/// race on one hold token. Every attempt's latency is taken; any other count than one winner
/// per slot fails the run.
pub(crate) async fn contention_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    const ATTEMPTS: usize = 200;
    let rounds = args.rounds(10);
    let c = clinic(app, 1, 1).await?;
    let specialist = c.specialists[0];
    let mut people = Vec::with_capacity(ATTEMPTS);
    for i in 0..ATTEMPTS {
        people.push(client(app, i + 1).await?);
    }
    let desk = app.as_role(Role::Operator).await;
    // The round's slot: the day's working half-hours from 09:00 in turn (22 of them, the
    // 13:00–14:00 break skipped), day after day.
    let slot = |round: usize| -> BenchResult<String> {
        let day = monday()? + Span::days((round / 22) as i64);
        let half = round % 22;
        let half = if half >= 8 { half + 2 } else { half };
        let local = day.and_time(time(9, 0)?) + Span::minutes(30 * half as i64);
        let at = Almaty
            .from_local_datetime(&local)
            .single()
            .ok_or("no such local time")?;
        Ok(at.with_timezone(&Utc).to_rfc3339())
    };
    let hold_vars = |starts_at: String| ops::hold_slot::Variables {
        input: ops::hold_slot::HoldSlotInput {
            location_id: c.location.to_string(),
            service_id: c.service.to_string(),
            specialist_id: specialist.to_string(),
            starts_at,
        },
    };
    let confirm_vars = |token: String, client_id: i64| ops::confirm_booking::Variables {
        input: ops::confirm_booking::ConfirmBookingInput {
            hold_token: token,
            client_id: Some(client_id.to_string()),
            payment: ops::confirm_booking::AppointmentPayment::AT_VENUE,
            client_package_id: None,
            discount_percent: None,
            note: None,
            idempotency_key: None,
        },
    };
    let refused = |code: Option<&str>| matches!(code, Some("SLOT_TAKEN" | "HOLD_EXPIRED"));

    // Hold and confirm, 200 at once on one slot.
    let mut latencies = Vec::with_capacity(rounds * ATTEMPTS);
    let mut booked = 0usize;
    let mut round_walls = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let at = slot(round)?;
        let started = Instant::now();
        let tasks: Vec<_> = people
            .iter()
            .map(|client_id| {
                let desk = desk.clone();
                let hold = hold_vars(at.clone());
                let client_id = *client_id;
                let confirm = move |token| confirm_vars(token, client_id);
                tokio::spawn(async move {
                    let t = Instant::now();
                    let outcome = match desk.run::<ops::HoldSlot>(hold).await {
                        Ok(held) => match desk
                            .run::<ops::ConfirmBooking>(confirm(held.hold_slot.token))
                            .await
                        {
                            Ok(_) => Ok(Outcome::Booked),
                            Err(e) if refused(e.code()) => Ok(Outcome::Refused),
                            Err(e) => Err(format!("confirm: {e:?}")),
                        },
                        Err(e) if refused(e.code()) => Ok(Outcome::Refused),
                        Err(e) => Err(format!("hold: {e:?}")),
                    };
                    (t.elapsed(), outcome)
                })
            })
            .collect();
        let won = race(tasks, &mut latencies).await?;
        round_walls.push(started.elapsed());
        if won != 1 {
            return Err(format!("round {round}: {won} appointments for one slot").into());
        }
        booked += won;
    }

    // 200 confirmations of one hold token.
    let mut confirm_latencies = Vec::with_capacity(rounds * ATTEMPTS);
    let mut confirmed = 0usize;
    for round in 0..rounds {
        let at = slot(rounds + round)?;
        let token = desk
            .run::<ops::HoldSlot>(hold_vars(at))
            .await?
            .hold_slot
            .token;
        let tasks: Vec<_> = people
            .iter()
            .map(|client_id| {
                let desk = desk.clone();
                let vars = confirm_vars(token.clone(), *client_id);
                tokio::spawn(async move {
                    let t = Instant::now();
                    let outcome = match desk.run::<ops::ConfirmBooking>(vars).await {
                        Ok(_) => Ok(Outcome::Booked),
                        Err(e) if refused(e.code()) => Ok(Outcome::Refused),
                        Err(e) => Err(format!("confirm: {e:?}")),
                    };
                    (t.elapsed(), outcome)
                })
            })
            .collect();
        let won = race(tasks, &mut confirm_latencies).await?;
        if won != 1 {
            return Err(format!("token round {round}: {won} appointments for one hold").into());
        }
        confirmed += won;
    }

    let in_db = appointment::Entity::find().all(&app.state.db).await?.len();
    if in_db != booked + confirmed {
        return Err(format!(
            "{in_db} appointments stored, {} reported",
            booked + confirmed
        )
        .into());
    }
    let engine = format!("_{}", app.state.holds.engine());
    let name = "booking-contention";
    let attempts = (rounds * ATTEMPTS) as f64;
    emit(name, "rounds", rounds as f64, "slots");
    emit(name, "attempts_per_round", ATTEMPTS as f64, "attempts");
    emit(name, "booked", booked as f64, "appointments");
    // Printed figures keep two decimals: 1 in 200 is given as attempts per booking.
    emit(
        name,
        "attempts_per_booking",
        attempts / booked.max(1) as f64,
        "attempts",
    );
    emit_latencies(name, "hold_confirm", &engine, &mut latencies);
    emit_latencies(name, "round", &engine, &mut round_walls);
    emit(name, "token_confirmed", confirmed as f64, "appointments");
    emit_latencies(name, "token_confirm", &engine, &mut confirm_latencies);
    Ok(())
}
