//! What the demo venues share while their month is played: a seeded generator, people with
//! Russian and Kazakh names, the business clock moved to chosen moments, and the staff acting.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use entity::{enums::Role, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    auth::actor::{Actor, Caller},
    clients::{fields::RawFields, service as clients},
    domain::timezone,
    error::{AppError, AppResult},
    state::AppState,
};

/// A small deterministic generator (SplitMix64): the same seed plays the same month.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// A number in `from..=to`.
    pub fn between(&mut self, from: i64, to: i64) -> i64 {
        if to <= from {
            from
        } else {
            from + self.below((to - from + 1) as u64) as i64
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // The lists below are never empty.
        &items[self.below(items.len() as u64) as usize]
    }
}

const MEN: &[&str] = &[
    "Айдар",
    "Ерлан",
    "Нурлан",
    "Данияр",
    "Арман",
    "Бауыржан",
    "Ержан",
    "Тимур",
    "Алихан",
    "Санжар",
    "Дмитрий",
    "Алексей",
    "Иван",
    "Сергей",
    "Максим",
    "Артём",
    "Кирилл",
    "Никита",
    "Руслан",
    "Олжас",
];
const WOMEN: &[&str] = &[
    "Айгерим",
    "Динара",
    "Асель",
    "Жанна",
    "Камила",
    "Аружан",
    "Мадина",
    "Гульнара",
    "Томирис",
    "Сабина",
    "Анна",
    "Мария",
    "Екатерина",
    "Ольга",
    "Дарья",
    "Алина",
    "Виктория",
    "Юлия",
    "Наталья",
    "Ксения",
];
/// Surnames as (his, hers).
const SURNAMES: &[(&str, &str)] = &[
    ("Сеитов", "Сеитова"),
    ("Ахметов", "Ахметова"),
    ("Жумабаев", "Жумабаева"),
    ("Нуржанов", "Нуржанова"),
    ("Касымов", "Касымова"),
    ("Омаров", "Омарова"),
    ("Искаков", "Искакова"),
    ("Тулегенов", "Тулегенова"),
    ("Бекмуханов", "Бекмуханова"),
    ("Садыков", "Садыкова"),
    ("Иванов", "Иванова"),
    ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"),
    ("Волков", "Волкова"),
    ("Соколов", "Соколова"),
    ("Морозов", "Морозова"),
    ("Лебедев", "Лебедева"),
    ("Ким", "Ким"),
    ("Пак", "Пак"),
];

/// A made-up person.
pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub phone: String,
}

/// The `n`-th person of venue `venue`: names drawn from `rng`, a phone number no other demo
/// person has (+7 705 …, or +7 916 … for the venues in Russia).
pub fn person(rng: &mut Rng, venue: u8, n: u32, russia: bool) -> Person {
    let (first, last) = if rng.chance(50) {
        (*rng.pick(MEN), rng.pick(SURNAMES).0)
    } else {
        (*rng.pick(WOMEN), rng.pick(SURNAMES).1)
    };
    let operator = if russia { "916" } else { "705" };
    Person {
        first,
        last,
        phone: format!("+7{operator}{venue}{n:06}"),
    }
}

/// Creates the client of `person` as the system would from the desk.
pub async fn client(
    state: &AppState,
    person: &Person,
    phone2: Option<String>,
    source_id: Option<i64>,
    notes: Option<&str>,
) -> AppResult<entity::client::Model> {
    let fields = RawFields {
        first_name: Some(person.first.into()),
        last_name: Some(person.last.into()),
        phone: Some(person.phone.clone()),
        phone2,
        source_id,
        notes: notes.map(Into::into),
        ..RawFields::default()
    }
    .check("input.")?;
    clients::create(state, &Caller::system(), fields).await
}

/// The business clock of a seeding run: moved to each moment the month is played at, and put
/// back as it was when the run ends, however it ends.
pub struct Clock<'a> {
    state: &'a AppState,
    was: Option<DateTime<Utc>>,
    /// "Now" of the demo: the moment the run started.
    pub now: DateTime<Utc>,
}

impl<'a> Clock<'a> {
    pub fn take(state: &'a AppState) -> Clock<'a> {
        let was = state.clock.pinned();
        let now = state.clock.now();
        state.clock.pin(Some(now));
        Clock { state, was, now }
    }

    pub fn at(&self, at: DateTime<Utc>) {
        self.state.clock.pin(Some(at));
    }

    /// Back to the demo's "now".
    pub fn present(&self) {
        self.state.clock.pin(Some(self.now));
    }
}

impl Drop for Clock<'_> {
    fn drop(&mut self) {
        self.state.clock.pin(self.was);
    }
}

/// One venue's calendar: its time zone and its "today".
#[derive(Clone, Copy)]
pub struct Calendar {
    pub tz: Tz,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

impl Calendar {
    pub fn new(tz: Tz, now: DateTime<Utc>) -> Calendar {
        Calendar {
            tz,
            today: timezone::local_date(tz, now),
            now,
        }
    }

    /// The day `offset` days from today.
    pub fn day(&self, offset: i64) -> NaiveDate {
        self.today + Duration::days(offset)
    }

    /// The instant of local `h:m` on the day `offset` days from today.
    pub fn at(&self, offset: i64, h: u32, m: u32) -> DateTime<Utc> {
        let time = NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        timezone::instant(self.tz, self.day(offset).and_time(time))
    }

    /// The instant of local `minutes` after midnight on the day `offset` days from today.
    pub fn minutes(&self, offset: i64, minutes: i64) -> DateTime<Utc> {
        self.at(offset, 0, 0) + Duration::minutes(minutes)
    }
}

/// Acts as the demo user `username`, as if signed in.
pub async fn staff(state: &AppState, username: &str) -> AppResult<Caller> {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::Internal(format!("demo user {username} is missing")))?;
    let role: Role = found.role;
    Ok(Caller {
        actor: Actor::User {
            id: found.id,
            username: found.username,
            role,
            jti: format!("demo-{}", found.id),
            expires_at: state.clock.now() + Duration::days(1),
            session: None,
            client_id: None,
        },
        address: None,
        request_id: None,
    })
}
