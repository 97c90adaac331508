//! Demo data for `serve --demo` and `seed --demo`: a user per role and five venues, each with
//! a month lived through the same services the desk uses, relative to today in its own time
//! zone: a computer club (shifts, sessions on now, bookings, wallets and debts, promotions), a
//! fitness trainer (a full funnel, programs, progress journals), a BJJ academy (timetable,
//! belts, memberships, attendance, an exam), a massage studio (specialists' weeks,
//! appointments around today) and a laser-tag arena (this week's parties).
//!
//! The same seed plays the same month ([`DEMO_SEED`]); a venue that exists is left alone, so
//! seeding twice adds nothing.

mod academy;
mod arena;
mod club;
mod fitness;
mod life;
mod studio;

use chrono::{NaiveDate, NaiveTime};
use entity::{
    enums::{PromotionKind, ResourceKind, ResourceStatus, Role, Rounding},
    location, user,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    auth::{actor::Caller, users},
    booking::{
        catalog::{self as booking_catalog, ServiceSpec, SpecialistSpec},
        schedules::{self, BreakSpec},
    },
    club::catalog::{self as club_catalog, PromotionSpec, TariffSpec, WindowSpec},
    error::AppResult,
    state::AppState,
    venue::{
        locations, organisation, resources,
        types::{
            CreateLocationInput, CreateResourceInput, CreateZoneInput, HolidayInput,
            OpeningHoursInput, UpdateOrganisationInput,
        },
        zones,
    },
};

pub const DEMO_PASSWORD: &str = "demo12345";

const DEMO_ORGANISATION: &str = "clubgrid demo";

/// The seed of the demo's generator: the same seed gives the same month.
pub const DEMO_SEED: u64 = 0x00c1_0b67_1d00;

/// Username, role and display name of each demo user.
pub const DEMO_USERS: &[(&str, Role, &str)] = &[
    ("owner", Role::Owner, "Айдар Сеитов (владелец)"),
    ("admin", Role::Admin, "Марина Ким (администратор)"),
    ("manager", Role::Manager, "Ержан Абдиев (менеджер)"),
    ("operator", Role::Operator, "Дана Оспанова (оператор)"),
    ("tech", Role::Tech, "Игорь Петров (техник)"),
    ("trainer", Role::Trainer, "Алихан Нуров (тренер)"),
    ("viewer", Role::ReadOnly, "Наблюдатель"),
];

/// The resources of a demo zone.
enum Items {
    /// `count` resources named `<prefix>01`, `<prefix>02`, …
    Numbered {
        prefix: &'static str,
        count: usize,
        capacity: i32,
    },
    /// Resources with their own names and capacities.
    Named(&'static [(&'static str, i32)]),
}

impl Items {
    fn expand(&self) -> Vec<(String, i32)> {
        match self {
            Items::Numbered {
                prefix,
                count,
                capacity,
            } => (1..=*count)
                .map(|n| (format!("{prefix}{n:02}"), *capacity))
                .collect(),
            Items::Named(items) => items.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect(),
        }
    }
}

struct ZoneSpec {
    name: &'static str,
    color: &'static str,
    kind: ResourceKind,
    items: Items,
}

struct VenueSpec {
    name: &'static str,
    address: &'static str,
    timezone: &'static str,
    /// Weekly hours: the same interval every day of `days`.
    days: std::ops::RangeInclusive<i32>,
    opens: (u32, u32),
    closes: (u32, u32),
    zones: &'static [ZoneSpec],
    /// Resources without a zone: name, kind, capacity.
    loose: &'static [(&'static str, ResourceKind, i32)],
    /// What the venue sells.
    offer: Offer,
}

/// What a demo venue sells, set up after its rooms.
#[derive(Clone, Copy)]
enum Offer {
    /// Play time: a tariff per zone with a night window, a night package, a weekday promotion.
    Club,
    /// Appointments: services, a package, specialists with their week.
    Studio,
    /// Party orders, with the gift list the migrations bring.
    Arena,
    /// A personal trainer's funnel, programs and journals.
    Fitness,
    /// Classes, belts, memberships.
    Academy,
}

const VENUES: &[VenueSpec] = &[
    VenueSpec {
        name: "CyberArena Абая",
        address: "Алматы, пр. Абая 150",
        timezone: "Asia/Almaty",
        days: 1..=7,
        opens: (0, 0),
        closes: (0, 0),
        zones: &[
            ZoneSpec {
                name: "Standard",
                color: "#4caf50",
                kind: ResourceKind::Pc,
                items: Items::Numbered {
                    prefix: "PC-",
                    count: 10,
                    capacity: 1,
                },
            },
            ZoneSpec {
                name: "PRO",
                color: "#2196f3",
                kind: ResourceKind::Pc,
                items: Items::Numbered {
                    prefix: "PRO-",
                    count: 6,
                    capacity: 1,
                },
            },
            ZoneSpec {
                name: "VIP",
                color: "#9c27b0",
                kind: ResourceKind::Pc,
                items: Items::Numbered {
                    prefix: "VIP-",
                    count: 4,
                    capacity: 1,
                },
            },
            ZoneSpec {
                name: "PS5",
                color: "#ff9800",
                kind: ResourceKind::Console,
                items: Items::Numbered {
                    prefix: "PS5-",
                    count: 2,
                    capacity: 4,
                },
            },
        ],
        loose: &[],
        offer: Offer::Club,
    },
    VenueSpec {
        name: "Студия «Баланс»",
        address: "Астана, ул. Кабанбай батыра 11",
        timezone: "Asia/Almaty",
        days: 1..=6,
        opens: (9, 0),
        closes: (21, 0),
        zones: &[],
        loose: &[
            ("Массажный кабинет 1", ResourceKind::Room, 1),
            ("Массажный кабинет 2", ResourceKind::Room, 1),
            ("Зал йоги", ResourceKind::Room, 12),
        ],
        offer: Offer::Studio,
    },
    VenueSpec {
        name: "Лазертаг «Рубеж»",
        address: "Екатеринбург, ул. Малышева 51",
        timezone: "Asia/Yekaterinburg",
        days: 1..=7,
        opens: (10, 0),
        closes: (22, 0),
        zones: &[
            ZoneSpec {
                name: "Площадки",
                color: "#607d8b",
                kind: ResourceKind::Arena,
                items: Items::Named(&[("Арена", 20), ("Парк", 30), ("Лес", 40)]),
            },
            ZoneSpec {
                name: "Комнаты отдыха",
                color: "#795548",
                kind: ResourceKind::RestRoom,
                items: Items::Named(&[("Комната отдыха 1", 15), ("Комната отдыха 2", 15)]),
            },
        ],
        loose: &[],
        offer: Offer::Arena,
    },
    VenueSpec {
        name: "Фитнес-тренер Алина Смирнова",
        address: "Москва, ул. Тверская 18, фитнес-клуб «Пульс»",
        timezone: "Europe/Moscow",
        days: 1..=6,
        opens: (7, 0),
        closes: (22, 0),
        zones: &[],
        loose: &[("Зал персональных тренировок", ResourceKind::Room, 4)],
        offer: Offer::Fitness,
    },
    VenueSpec {
        name: "Академия BJJ «Барыс»",
        address: "Новосибирск, Красный проспект 99",
        timezone: "Asia/Novosibirsk",
        days: 1..=7,
        opens: (7, 0),
        closes: (22, 0),
        zones: &[],
        loose: &[("Татами", ResourceKind::Room, 30)],
        offer: Offer::Academy,
    },
];

fn time(hm: (u32, u32)) -> NaiveTime {
    NaiveTime::from_hms_opt(hm.0, hm.1, 0).unwrap_or(NaiveTime::MIN)
}

pub async fn seed(state: &AppState) -> AppResult<()> {
    let system = Caller::system();
    if organisation::get(&state.db).await?.name != DEMO_ORGANISATION {
        organisation::update(
            state,
            &system,
            UpdateOrganisationInput {
                name: Some(DEMO_ORGANISATION.into()),
                ..Default::default()
            },
        )
        .await?;
    }

    for (username, role, display) in DEMO_USERS {
        let exists = user::Entity::find()
            .filter(user::Column::Username.eq(*username))
            .one(&state.db)
            .await?
            .is_some();
        if !exists {
            let new = users::NewUser {
                username: (*username).into(),
                display_name: Some((*display).into()),
                password: DEMO_PASSWORD.into(),
                role: *role,
            };
            users::create(state, &system, new).await?;
        }
    }

    let clock = life::Clock::take(state);
    let mut rng = life::Rng::new(DEMO_SEED);
    for venue in VENUES {
        let existing = location::Entity::find()
            .filter(location::Column::Name.eq(venue.name))
            .one(&state.db)
            .await?;
        if let Some(place) = existing {
            // Ready, or seeded before these marks existed: left alone.
            let marks = marks(state, venue.name).await?;
            let cut_off =
                marks.iter().any(|m| m == VENUE_STARTED) && !marks.iter().any(|m| m == VENUE_READY);
            if !cut_off {
                continue;
            }
            set_aside(state, &system, &place).await?;
        }
        mark(state, venue.name, VENUE_STARTED).await?;
        clock.present();
        seed_venue(state, &system, venue, &clock, &mut rng).await?;
        mark(state, venue.name, VENUE_READY).await?;
    }
    Ok(())
}

/// Audit actions that frame the seeding of one venue (entity `demo_venue`, id its name): a
/// venue started and never ready was cut off half-way, and the next run builds it again.
pub const VENUE_STARTED: &str = "demo.venue_started";
pub const VENUE_READY: &str = "demo.venue_ready";
const VENUE_ENTITY: &str = "demo_venue";

/// Records that seeding `venue` reached `action` (an audit row of the system).
pub async fn mark(state: &AppState, venue: &str, action: &str) -> AppResult<()> {
    use sea_orm::ActiveValue::Set;
    entity::audit_log::Entity::insert(entity::audit_log::ActiveModel {
        at: Set(state.clock.now()),
        actor_user_id: Set(None),
        actor_api_key_id: Set(None),
        actor_label: Set(Caller::system().actor.label()),
        action: Set(action.to_owned()),
        entity: Set(VENUE_ENTITY.to_owned()),
        entity_id: Set(Some(venue.to_owned())),
        details: Set(serde_json::json!({ "venue": venue })),
        address: Set(None),
        request_id: Set(None),
        ..Default::default()
    })
    .exec_without_returning(&state.db)
    .await?;
    Ok(())
}

async fn marks(state: &AppState, venue: &str) -> AppResult<Vec<String>> {
    Ok(entity::audit_log::Entity::find()
        .select_only()
        .column(entity::audit_log::Column::Action)
        .filter(entity::audit_log::Column::Entity.eq(VENUE_ENTITY))
        .filter(entity::audit_log::Column::EntityId.eq(venue))
        .into_tuple::<String>()
        .all(&state.db)
        .await?)
}

/// A venue a cut-off run left half-built is kept, renamed and switched off, so nothing it
/// holds is lost and its name is free for a whole one.
async fn set_aside(state: &AppState, system: &Caller, place: &location::Model) -> AppResult<()> {
    tracing::warn!(venue = %place.name, "demo venue was left half-built; building it again");
    locations::update(
        state,
        system,
        place.id,
        crate::venue::types::UpdateLocationInput {
            name: Some(format!(
                "{} (прерванный запуск демо #{})",
                place.name, place.id
            )),
            active: Some(false),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

async fn seed_venue(
    state: &AppState,
    system: &Caller,
    venue: &VenueSpec,
    clock: &life::Clock<'_>,
    rng: &mut life::Rng,
) -> AppResult<()> {
    let location = locations::create(
        state,
        system,
        CreateLocationInput {
            name: venue.name.into(),
            address: venue.address.into(),
            timezone: Some(venue.timezone.into()),
        },
    )
    .await?;
    let hours = venue
        .days
        .clone()
        .map(|weekday| OpeningHoursInput {
            weekday,
            opens_at: time(venue.opens),
            closes_at: time(venue.closes),
        })
        .collect();
    locations::set_opening_hours(state, system, location.id, hours).await?;
    if let Some(new_year) = NaiveDate::from_ymd_opt(2027, 1, 1) {
        let holiday = HolidayInput {
            date: new_year,
            name: "Новый год".into(),
            opens_at: None,
            closes_at: None,
        };
        locations::set_holiday(state, system, location.id, holiday).await?;
    }

    let resource =
        |zone_id: Option<i64>, kind, name: String, capacity, order| CreateResourceInput {
            location_id: location.id.into(),
            zone_id: zone_id.map(Into::into),
            kind,
            name,
            capacity: Some(capacity),
            notes: None,
            sort_order: Some(order),
        };
    for (z, spec) in venue.zones.iter().enumerate() {
        let zone = zones::create(
            state,
            system,
            CreateZoneInput {
                location_id: location.id.into(),
                name: spec.name.into(),
                description: None,
                color: Some(spec.color.into()),
                sort_order: Some(z as i32),
            },
        )
        .await?;
        for (order, (name, capacity)) in spec.items.expand().into_iter().enumerate() {
            resources::create(
                state,
                system,
                resource(Some(zone.id), spec.kind, name, capacity, order as i32),
            )
            .await?;
        }
    }
    for (order, (name, kind, capacity)) in venue.loose.iter().enumerate() {
        resources::create(
            state,
            system,
            resource(None, *kind, (*name).into(), *capacity, order as i32),
        )
        .await?;
    }
    match venue.offer {
        Offer::Club => seed_club(state, system, location.id).await?,
        Offer::Studio => seed_studio(state, system, location.id).await?,
        Offer::Arena | Offer::Fitness | Offer::Academy => {}
    }
    // One broken PC, so the live map shows every colour.
    if let Some(broken) = resources::snapshot(state, location.id)
        .await?
        .into_iter()
        .find(|r| r.name == "PC-07")
    {
        resources::set_status(
            state,
            system,
            broken.id,
            ResourceStatus::OutOfOrder,
            Some("Не включается монитор".into()),
        )
        .await?;
    }

    // The month behind it, played in the venue's own time.
    let tz = crate::domain::timezone::Timezone::parse("timezone", venue.timezone)?.0;
    let cal = life::Calendar::new(tz, clock.now);
    match venue.offer {
        Offer::Club => club::seed(state, clock, cal, location.id, rng).await?,
        Offer::Studio => studio::seed(state, clock, cal, location.id, rng).await?,
        Offer::Arena => arena::seed(state, clock, cal, location.id, rng).await?,
        Offer::Fitness => fitness::seed(state, clock, cal, rng).await?,
        Offer::Academy => {
            let mat = resources::snapshot(state, location.id)
                .await?
                .first()
                .map(|r| r.id);
            academy::seed(state, clock, cal, location.id, mat, rng).await?
        }
    }
    clock.present();
    Ok(())
}

/// Hourly prices per zone (minor units): day, and night 22:00–08:00.
const CLUB_PRICES: &[(&str, i64, i64)] = &[
    ("Standard", 40_000, 25_000),
    ("PRO", 60_000, 40_000),
    ("VIP", 90_000, 60_000),
    ("PS5", 120_000, 80_000),
];

async fn seed_club(state: &AppState, system: &Caller, location_id: i64) -> AppResult<()> {
    let zones = zones::list(state, location_id).await?;
    let mut standard = Vec::new();
    for zone in &zones {
        let Some((_, day, night)) = CLUB_PRICES.iter().find(|(n, _, _)| *n == zone.name) else {
            continue;
        };
        let tariff = club_catalog::create_tariff(
            state,
            system,
            zone.id,
            TariffSpec {
                name: zone.name.clone(),
                price_per_hour: *day,
                step_minutes: 1,
                rounding: Rounding::Up,
                active: true,
                windows: vec![WindowSpec {
                    name: "Ночь".into(),
                    weekdays: (1..=7).collect(),
                    starts_at: time((22, 0)),
                    ends_at: time((8, 0)),
                    price_per_hour: *night,
                }],
            },
        )
        .await?;
        club_catalog::add_package(
            state,
            system,
            tariff.id,
            "3 часа",
            day * 5 / 2,
            Some(180),
            None,
        )
        .await?;
        club_catalog::add_package(
            state,
            system,
            tariff.id,
            "Ночь 22:00–08:00",
            night * 6,
            None,
            Some((time((22, 0)), time((8, 0)))),
        )
        .await?;
        if zone.name == "Standard" {
            standard.push(zone.id);
        }
    }
    club_catalog::save_promotion(
        state,
        system,
        None,
        location_id,
        PromotionSpec {
            name: "2+1 по будням до 14:00".into(),
            kind: PromotionKind::BonusTime,
            pay_minutes: Some(120),
            free_minutes: Some(60),
            percent: None,
            price_per_hour: None,
            weekdays: (1..=5).collect(),
            starts_at: Some(time((8, 0))),
            ends_at: Some(time((14, 0))),
            valid_from: None,
            valid_to: None,
            zone_ids: standard,
            active: true,
        },
    )
    .await?;
    Ok(())
}

async fn seed_studio(state: &AppState, system: &Caller, location_id: i64) -> AppResult<()> {
    let rooms: Vec<i64> = resources::snapshot(state, location_id)
        .await?
        .into_iter()
        .filter(|r| r.name.starts_with("Массажный кабинет"))
        .map(|r| r.id)
        .collect();
    let mut services = Vec::new();
    for (name, minutes, price) in [
        ("Классический массаж 60 мин", 60, 1_200_000),
        ("Массаж спины 30 мин", 30, 700_000),
        ("Антицеллюлитный массаж 90 мин", 90, 1_800_000),
    ] {
        let service = booking_catalog::save_service(
            state,
            system,
            None,
            location_id,
            ServiceSpec {
                name: name.into(),
                category: Some("Массаж".into()),
                description: None,
                duration_minutes: minutes,
                price,
                buffer_before: 0,
                buffer_after: 15,
                active: true,
            },
        )
        .await?;
        booking_catalog::set_service_rooms(state, system, service.id, rooms.clone()).await?;
        services.push(service.id);
    }
    if let Some(classic) = services.first() {
        booking_catalog::create_package(
            state,
            system,
            *classic,
            "5 массажей по цене 4",
            5,
            90,
            4_800_000,
        )
        .await?;
    }
    for (first, last, from, to) in [
        ("Анна", "Лебедева", (10, 0), (19, 0)),
        ("Айгерим", "Жунусова", (9, 0), (18, 0)),
    ] {
        let specialist = booking_catalog::save_specialist(
            state,
            system,
            None,
            SpecialistSpec {
                first_name: first.into(),
                last_name: last.into(),
                title: Some("Массажист".into()),
                bio: None,
                user_id: None,
                active: true,
            },
        )
        .await?;
        booking_catalog::set_specialist_services(state, system, specialist.id, services.clone())
            .await?;
        let week = (1..=6)
            .map(|weekday| OpeningHoursInput {
                weekday,
                opens_at: time(from),
                closes_at: time(to),
            })
            .collect();
        schedules::set_hours(state, system, specialist.id, location_id, week).await?;
        let lunch = (1..=6)
            .map(|weekday| BreakSpec {
                weekday: Some(weekday),
                date: None,
                starts_at: time((14, 0)),
                ends_at: time((15, 0)),
            })
            .collect();
        schedules::set_breaks(state, system, specialist.id, lunch).await?;
    }
    Ok(())
}
