//! A location's academy rules and the promotions they refuse: a child moves to the adult
//! ladder only from the location's adult age (IBJJF: 16), an adult gets no kids' belt, and a
//! belt is held for the location's minimum months before the next one. Stripes are never held
//! back.

use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entity::{academy_belt, academy_setting, academy_student, client, enums::BeltTrack};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use serde_json::json;

use super::{belts, timetable};
use crate::{
    auth::actor::Caller,
    domain::timezone,
    error::{AppError, AppResult, Msg},
    state::AppState,
};

/// IBJJF's age for the adult belts.
pub const DEFAULT_ADULT_AGE: i32 = 16;

/// A location's academy rules.
#[derive(SimpleObject, Debug, Clone)]
pub struct AcademySettings {
    pub location_id: ID,
    /// The age from which a student may hold an adult belt; younger ones stay on the kids'
    /// ladder.
    pub adult_age: i32,
    /// Months a belt is held before the next belt (stripes are not held back); 0 for none.
    pub min_months_at_belt: i32,
}

impl From<academy_setting::Model> for AcademySettings {
    fn from(m: academy_setting::Model) -> Self {
        AcademySettings {
            location_id: m.location_id.into(),
            adult_age: m.adult_age,
            min_months_at_belt: m.min_months_at_belt,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct AcademySettingsInput {
    /// 4 to 30.
    pub adult_age: i32,
    /// 0 to 120.
    pub min_months_at_belt: i32,
}

/// The rules of a location that never set its own.
pub fn defaults(location_id: i64) -> academy_setting::Model {
    academy_setting::Model {
        location_id,
        adult_age: DEFAULT_ADULT_AGE,
        min_months_at_belt: 0,
        updated_at: DateTime::<Utc>::UNIX_EPOCH,
    }
}

/// A location's rules, or the defaults.
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
) -> AppResult<academy_setting::Model> {
    Ok(academy_setting::Entity::find_by_id(location_id)
        .one(conn)
        .await?
        .unwrap_or_else(|| defaults(location_id)))
}

pub async fn set(
    state: &AppState,
    caller: &Caller,
    location_id: i64,
    input: AcademySettingsInput,
) -> AppResult<academy_setting::Model> {
    if !(4..=30).contains(&input.adult_age) {
        return Err(AppError::validation(
            "input.adultAge",
            "возраст взрослых поясов — от 4 до 30 лет",
            "the adult belt age is 4 to 30",
        ));
    }
    if !(0..=120).contains(&input.min_months_at_belt) {
        return Err(AppError::validation(
            "input.minMonthsAtBelt",
            "от 0 до 120 месяцев",
            "0 to 120 months",
        ));
    }
    state
        .write(caller, |tx| {
            let input = input.clone();
            Box::pin(async move {
                timetable::location_tz(tx.db(), location_id).await?;
                let row = academy_setting::Model {
                    location_id,
                    adult_age: input.adult_age,
                    min_months_at_belt: input.min_months_at_belt,
                    updated_at: tx.now(),
                };
                academy_setting::Entity::insert(academy_setting::ActiveModel {
                    location_id: Set(row.location_id),
                    adult_age: Set(row.adult_age),
                    min_months_at_belt: Set(row.min_months_at_belt),
                    updated_at: Set(row.updated_at),
                })
                .on_conflict(
                    OnConflict::column(academy_setting::Column::LocationId)
                        .update_columns([
                            academy_setting::Column::AdultAge,
                            academy_setting::Column::MinMonthsAtBelt,
                            academy_setting::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(tx.db())
                .await?;
                tx.audit(
                    "academy.settings",
                    "location",
                    Some(location_id),
                    json!({
                        "adultAge": row.adult_age,
                        "minMonthsAtBelt": row.min_months_at_belt,
                    }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// Full years from `birth` to `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Why `student` may not be given `belt` now, if there is a reason: the ladder's age rule when
/// the belt is on the other track, the location's months at the current belt when it is
/// another belt.
pub async fn refusal<C: ConnectionTrait>(
    conn: &C,
    student: &academy_student::Model,
    current: Option<&academy_belt::Model>,
    belt: &academy_belt::Model,
    now: DateTime<Utc>,
) -> AppResult<Option<Msg>> {
    let rules = get(conn, student.location_id).await?;
    let (_, tz) = timetable::location_tz(conn, student.location_id).await?;
    let today = timezone::local_date(tz, now);
    let person = client::Entity::find_by_id(student.client_id)
        .one(conn)
        .await?;
    let name = person
        .as_ref()
        .map_or_else(|| format!("#{}", student.id), |c| c.display_name.clone());
    let age = person
        .as_ref()
        .and_then(|c| c.birth_date)
        .map(|b| age_on(b, today));
    let adult = rules.adult_age;
    if belt.track != student.track {
        match (belt.track, age) {
            (BeltTrack::Adults, None) => {
                return Ok(Some(Msg::new(
                    format!(
                        "У ученика «{name}» не указана дата рождения: взрослые пояса — с {adult} лет. Укажите её в карточке клиента"
                    ),
                    format!(
                        "Student `{name}` has no birth date: adult belts start at {adult}. Add it to the client's card"
                    ),
                )));
            }
            (BeltTrack::Adults, Some(age)) if age < adult => {
                return Ok(Some(Msg::new(
                    format!(
                        "Ученику «{name}» {age} {}: взрослые пояса — с {adult} лет",
                        years(age)
                    ),
                    format!("Student `{name}` is {age}: adult belts start at {adult}"),
                )));
            }
            (BeltTrack::Kids, Some(age)) if age >= adult => {
                return Ok(Some(Msg::new(
                    format!(
                        "Ученику «{name}» {age} {}: детские пояса — до {adult} лет",
                        years(age)
                    ),
                    format!("Student `{name}` is {age}: kids' belts end at {adult}"),
                )));
            }
            _ => {}
        }
    }
    let months = rules.min_months_at_belt;
    if let (Some(current), true) = (current, months > 0)
        && current.id != belt.id
        && let Some(since) = belt_since(conn, student, current.id).await?
    {
        let since_day = timezone::local_date(tz, since);
        let ready = since_day
            .checked_add_months(Months::new(months.unsigned_abs()))
            .unwrap_or(NaiveDate::MAX);
        if today < ready {
            return Ok(Some(Msg::new(
                format!(
                    "«{name}» на поясе «{}» с {}: следующий пояс — не раньше {} ({months} мес. на поясе)",
                    current.name,
                    since_day.format("%d.%m.%Y"),
                    ready.format("%d.%m.%Y")
                ),
                format!(
                    "`{name}` has held `{}` since {since_day}: the next belt comes no sooner than {ready} ({months} months at a belt)",
                    current.name
                ),
            )));
        }
    }
    Ok(None)
}

/// When the student was given `belt_id` (their last move onto it); none when it came with
/// their record.
async fn belt_since<C: ConnectionTrait>(
    conn: &C,
    student: &academy_student::Model,
    belt_id: i64,
) -> AppResult<Option<DateTime<Utc>>> {
    Ok(belts::rank_history(conn, student.id)
        .await?
        .into_iter()
        .rev()
        .find(|r| r.belt_id == belt_id && r.previous_belt_id != Some(belt_id))
        .map(|r| r.promoted_at))
}

/// «год», «года» or «лет» after a number.
fn years(n: i32) -> &'static str {
    match (n % 10, n % 100) {
        (1, r) if r != 11 => "год",
        (2..=4, r) if !(12..=14).contains(&r) => "года",
        _ => "лет",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn age_turns_on_the_birthday() {
        assert_eq!(age_on(day("2010-12-02"), day("2026-12-01")), 15);
        assert_eq!(age_on(day("2010-12-02"), day("2026-12-02")), 16);
        assert_eq!(age_on(day("2008-02-29"), day("2026-02-28")), 17);
        assert_eq!(age_on(day("2008-02-29"), day("2026-03-01")), 18);
    }

    #[test]
    fn years_agree_with_the_number() {
        let words: Vec<&str> = [1, 2, 5, 11, 14, 21, 22, 25].map(years).to_vec();
        assert_eq!(
            words,
            ["год", "года", "лет", "лет", "лет", "год", "года", "лет"]
        );
    }
}
