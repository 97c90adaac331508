//! Demo data for `serve --demo` and `seed --demo`: a user per role and three venues (a computer
//! club, a studio, a laser-tag arena). Seeding twice changes nothing.

use chrono::{NaiveDate, NaiveTime};
use entity::{
    enums::{ResourceKind, ResourceStatus, Role},
    location, user,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    auth::{actor::Caller, users},
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
    /// Weekly hours: the same interval every day of `days`.
    days: std::ops::RangeInclusive<i32>,
    opens: (u32, u32),
    closes: (u32, u32),
    zones: &'static [ZoneSpec],
    /// Resources without a zone: name, kind, capacity.
    loose: &'static [(&'static str, ResourceKind, i32)],
}

const VENUES: &[VenueSpec] = &[
    VenueSpec {
        name: "CyberArena Абая",
        address: "Алматы, пр. Абая 150",
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
    },
    VenueSpec {
        name: "Студия «Баланс»",
        address: "Астана, ул. Кабанбай батыра 11",
        days: 1..=6,
        opens: (9, 0),
        closes: (21, 0),
        zones: &[],
        loose: &[
            ("Массажный кабинет 1", ResourceKind::Room, 1),
            ("Массажный кабинет 2", ResourceKind::Room, 1),
            ("Зал йоги", ResourceKind::Room, 12),
        ],
    },
    VenueSpec {
        name: "Лазертаг «Рубеж»",
        address: "Алматы, ул. Саина 40",
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
    },
];

fn time(hm: (u32, u32)) -> NaiveTime {
    NaiveTime::from_hms_opt(hm.0, hm.1, 0).unwrap_or(NaiveTime::MIN)
}

pub async fn seed(state: &AppState) -> AppResult<()> {
    let system = Caller::system();
    organisation::update(
        state,
        &system,
        UpdateOrganisationInput {
            name: Some("clubgrid demo".into()),
            ..Default::default()
        },
    )
    .await?;

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

    for venue in VENUES {
        let exists = location::Entity::find()
            .filter(location::Column::Name.eq(venue.name))
            .one(&state.db)
            .await?
            .is_some();
        if !exists {
            seed_venue(state, &system, venue).await?;
        }
    }
    Ok(())
}

async fn seed_venue(state: &AppState, system: &Caller, venue: &VenueSpec) -> AppResult<()> {
    let location = locations::create(
        state,
        system,
        CreateLocationInput {
            name: venue.name.into(),
            address: venue.address.into(),
            timezone: Some("Asia/Almaty".into()),
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
    Ok(())
}
