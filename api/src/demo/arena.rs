//! The laser-tag arena's week: parties played in the last days, one today or tomorrow, more
//! later in the week; the families who book them, with two phones and how they found the arena.

use chrono::Duration;
use entity::enums::{GameType, PartyStatus, ResourceKind};

use super::life::{self, Calendar, Clock, Rng};
use crate::{
    booking::party::{self, PartySpec},
    clients::service as clients,
    error::AppResult,
    state::AppState,
    venue::resources,
};

const CLIENTS: u32 = 12;

/// Parties: day from today, local start, game type, players, minutes of play.
const PARTIES: &[(i64, u32, GameType, i32, i32)] = &[
    (-3, 16, GameType::Birthday, 12, 90),
    (-2, 18, GameType::Game, 15, 60),
    (-1, 12, GameType::Quest, 8, 120),
    (0, 19, GameType::Game, 15, 60),
    (1, 15, GameType::Birthday, 10, 90),
    (2, 17, GameType::Game, 14, 60),
    (4, 13, GameType::Birthday, 14, 90),
    (5, 11, GameType::Quest, 9, 120),
];

const NOTES: &[&str] = &[
    "Имениннику 10 лет, торт свой",
    "Корпоратив, нужен счёт на компанию",
    "Две команды по классу, учитель с ними",
    "Просят фотографа",
];

pub async fn seed(
    state: &AppState,
    clock: &Clock<'_>,
    cal: Calendar,
    location_id: i64,
    rng: &mut Rng,
) -> AppResult<()> {
    let manager = life::staff(state, "manager").await?;
    let rooms = resources::snapshot(state, location_id).await?;
    let areas: Vec<i64> = rooms
        .iter()
        .filter(|r| r.kind == ResourceKind::Arena)
        .map(|r| r.id)
        .collect();
    let rest: Vec<i64> = rooms
        .iter()
        .filter(|r| r.kind == ResourceKind::RestRoom)
        .map(|r| r.id)
        .collect();
    if areas.is_empty() {
        return Ok(());
    }
    let sources = clients::sources(state).await?;
    let gifts = party::gifts(state, false).await?;

    clock.at(cal.at(-30, 12, 0));
    let mut families = Vec::new();
    for n in 0..CLIENTS {
        let person = life::person(rng, 5, n, true);
        let second = format!("+7912{}{:06}", 5, n);
        let source = sources
            .get((n as usize * 3) % sources.len().max(1))
            .map(|s| s.id);
        families.push(life::client(state, &person, Some(second), source, None).await?);
    }

    let mut past = Vec::new();
    for (i, (day, hour, game, players, minutes)) in PARTIES.iter().enumerate() {
        let mut starts = cal.at(*day, *hour, 0);
        if *day == 0 && starts <= cal.now + Duration::minutes(30) {
            starts = cal.at(1, 20, 0);
        }
        // Booked a week or so ahead, or an hour ago for the late ones.
        let booked =
            (starts - Duration::days(rng.between(5, 10))).min(cal.now - Duration::hours(1));
        clock.at(booked);
        let family = &families[i % families.len()];
        let order = party::create(
            state,
            &manager,
            PartySpec {
                location_id,
                client_id: Some(family.id),
                contact_name: format!("{} {}", family.first_name, family.last_name),
                contact_phone: family.phone.clone().unwrap_or_default(),
                game_type: *game,
                players: *players,
                area_id: areas[i % areas.len()],
                starts_at: starts,
                game_minutes: *minutes,
                rest_room_id: rest.get(i % rest.len().max(1)).copied(),
                rest_minutes: if *game == GameType::Birthday { 60 } else { 30 },
                gift_ids: if *game == GameType::Birthday {
                    gifts.iter().take(2).map(|g| g.id).collect()
                } else {
                    vec![]
                },
                notes: NOTES.get(i % (NOTES.len() + 2)).map(|n| (*n).into()),
            },
        )
        .await?;
        if *day < 0 {
            past.push((
                order.id,
                starts + Duration::minutes(i64::from(*minutes) + 60),
            ));
        }
    }
    for (id, over) in past {
        clock.at(over);
        party::close(state, &manager, id, PartyStatus::Completed).await?;
    }
    Ok(())
}
