//! The progress journal: body measurements by date and period, chart data per measure, and
//! the change since the first entry.

use chrono::NaiveDate;
use entity::coaching_journal_entry;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use crate::{
    auth::actor::Caller,
    clients::service as clients,
    domain::text,
    error::{AppError, AppResult},
    state::AppState,
};

/// One measure of the journal: kilograms for weight, centimetres for the rest.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Weight,
    Chest,
    Waist,
    LowerAbdomen,
    Glutes,
    RightThigh,
    LeftThigh,
    RightCalf,
    LeftCalf,
    RightArm,
    LeftArm,
}

impl Measure {
    pub const ALL: [Measure; 11] = [
        Measure::Weight,
        Measure::Chest,
        Measure::Waist,
        Measure::LowerAbdomen,
        Measure::Glutes,
        Measure::RightThigh,
        Measure::LeftThigh,
        Measure::RightCalf,
        Measure::LeftCalf,
        Measure::RightArm,
        Measure::LeftArm,
    ];

    pub fn of(self, e: &coaching_journal_entry::Model) -> Option<f64> {
        match self {
            Measure::Weight => e.weight,
            Measure::Chest => e.chest,
            Measure::Waist => e.waist,
            Measure::LowerAbdomen => e.lower_abdomen,
            Measure::Glutes => e.glutes,
            Measure::RightThigh => e.right_thigh,
            Measure::LeftThigh => e.left_thigh,
            Measure::RightCalf => e.right_calf,
            Measure::LeftCalf => e.left_calf,
            Measure::RightArm => e.right_arm,
            Measure::LeftArm => e.left_arm,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Measure::Weight => "input.weight",
            Measure::Chest => "input.chest",
            Measure::Waist => "input.waist",
            Measure::LowerAbdomen => "input.lowerAbdomen",
            Measure::Glutes => "input.glutes",
            Measure::RightThigh => "input.rightThigh",
            Measure::LeftThigh => "input.leftThigh",
            Measure::RightCalf => "input.rightCalf",
            Measure::LeftCalf => "input.leftCalf",
            Measure::RightArm => "input.rightArm",
            Measure::LeftArm => "input.leftArm",
        }
    }
}

/// An entry as the service takes it.
#[derive(Debug, Clone, Default)]
pub struct EntrySpec {
    pub client_id: i64,
    pub measured_on: Option<NaiveDate>,
    pub period: Option<String>,
    pub weight: Option<f64>,
    pub chest: Option<f64>,
    pub waist: Option<f64>,
    pub lower_abdomen: Option<f64>,
    pub glutes: Option<f64>,
    pub right_thigh: Option<f64>,
    pub left_thigh: Option<f64>,
    pub right_calf: Option<f64>,
    pub left_calf: Option<f64>,
    pub right_arm: Option<f64>,
    pub left_arm: Option<f64>,
    pub notes: Option<String>,
}

impl EntrySpec {
    fn values(&self) -> [(Measure, Option<f64>); 11] {
        [
            (Measure::Weight, self.weight),
            (Measure::Chest, self.chest),
            (Measure::Waist, self.waist),
            (Measure::LowerAbdomen, self.lower_abdomen),
            (Measure::Glutes, self.glutes),
            (Measure::RightThigh, self.right_thigh),
            (Measure::LeftThigh, self.left_thigh),
            (Measure::RightCalf, self.right_calf),
            (Measure::LeftCalf, self.left_calf),
            (Measure::RightArm, self.right_arm),
            (Measure::LeftArm, self.left_arm),
        ]
    }

    fn check(mut self) -> AppResult<EntrySpec> {
        self.period = text::optional("input.period", self.period.as_deref(), 32)?;
        self.notes = text::optional("input.notes", self.notes.as_deref(), 2000)?;
        for (measure, value) in self.values() {
            if let Some(v) = value
                && !(v.is_finite() && v > 0.0 && v <= 1000.0)
            {
                return Err(AppError::validation(
                    measure.field(),
                    "значение — больше 0 и не больше 1000",
                    "a value is above 0 and at most 1000",
                ));
            }
        }
        if self.values().iter().all(|(_, v)| v.is_none()) && self.notes.is_none() {
            return Err(AppError::validation(
                "input",
                "укажите хотя бы один замер или заметку",
                "give at least one measurement or a note",
            ));
        }
        Ok(self)
    }

    fn apply(self, row: &mut coaching_journal_entry::ActiveModel) {
        row.period = Set(self.period);
        row.weight = Set(self.weight);
        row.chest = Set(self.chest);
        row.waist = Set(self.waist);
        row.lower_abdomen = Set(self.lower_abdomen);
        row.glutes = Set(self.glutes);
        row.right_thigh = Set(self.right_thigh);
        row.left_thigh = Set(self.left_thigh);
        row.right_calf = Set(self.right_calf);
        row.left_calf = Set(self.left_calf);
        row.right_arm = Set(self.right_arm);
        row.left_arm = Set(self.left_arm);
        row.notes = Set(self.notes);
    }
}

pub async fn get<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> AppResult<coaching_journal_entry::Model> {
    coaching_journal_entry::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Запись дневника", "Journal entry", id))
}

/// Adds an entry, or replaces entry `id` (of the same client). A client logs only their own
/// measurements; the entry keeps who logged it.
pub async fn save(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    spec: EntrySpec,
) -> AppResult<coaching_journal_entry::Model> {
    caller.actor.reach()?.may_touch(spec.client_id)?;
    let spec = spec.check()?;
    state
        .write(caller, |tx| {
            let spec = spec.clone();
            Box::pin(async move {
                clients::get(tx.db(), spec.client_id).await?;
                let now = tx.now();
                let measured_on = spec.measured_on.unwrap_or_else(|| now.date_naive());
                let mut row = match id {
                    Some(id) => {
                        let current = get(tx.db(), id).await?;
                        if current.client_id != spec.client_id {
                            return Err(AppError::validation(
                                "input.clientId",
                                "запись дневника другого клиента",
                                "the entry is another client's",
                            ));
                        }
                        current.into()
                    }
                    None => coaching_journal_entry::ActiveModel {
                        client_id: Set(spec.client_id),
                        created_by: Set(caller.actor.user_id()),
                        created_at: Set(now),
                        ..Default::default()
                    },
                };
                row.measured_on = Set(measured_on);
                row.updated_at = Set(now);
                spec.apply(&mut row);
                let row = match id {
                    Some(_) => row.update(tx.db()).await?,
                    None => row.insert(tx.db()).await?,
                };
                tx.audit(
                    if id.is_some() {
                        "coaching.journal.update"
                    } else {
                        "coaching.journal.add"
                    },
                    "client",
                    Some(row.client_id),
                    json!({ "entryId": row.id, "measuredOn": row.measured_on }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let row = get(tx.db(), id).await?;
                coaching_journal_entry::Entity::delete_by_id(id)
                    .exec(tx.db())
                    .await?;
                tx.audit(
                    "coaching.journal.delete",
                    "client",
                    Some(row.client_id),
                    json!({ "entryId": id, "measuredOn": row.measured_on }),
                )
                .await?;
                Ok(())
            })
        })
        .await
}

/// A client's entries, oldest first.
pub async fn entries<C: ConnectionTrait>(
    conn: &C,
    client_id: i64,
) -> AppResult<Vec<coaching_journal_entry::Model>> {
    Ok(coaching_journal_entry::Entity::find()
        .filter(coaching_journal_entry::Column::ClientId.eq(client_id))
        .order_by_asc(coaching_journal_entry::Column::MeasuredOn)
        .order_by_asc(coaching_journal_entry::Column::Id)
        .all(conn)
        .await?)
}

/// One point of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub date: NaiveDate,
    pub period: Option<String>,
    pub value: f64,
}

/// The points of one measure over time (entries without it are skipped).
pub fn chart(entries: &[coaching_journal_entry::Model], measure: Measure) -> Vec<Point> {
    entries
        .iter()
        .filter_map(|e| {
            measure.of(e).map(|value| Point {
                date: e.measured_on,
                period: e.period.clone(),
                value,
            })
        })
        .collect()
}

/// First and latest value of a measure, and the change between them (rounded to 0.1).
pub fn change(
    entries: &[coaching_journal_entry::Model],
    measure: Measure,
) -> Option<(Point, Point, f64)> {
    let points = chart(entries, measure);
    let first = points.first()?.clone();
    let last = points.last()?.clone();
    let delta = ((last.value - first.value) * 10.0).round() / 10.0;
    Some((first, last, delta))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(day: u32, weight: Option<f64>, waist: Option<f64>) -> coaching_journal_entry::Model {
        let now = chrono::DateTime::UNIX_EPOCH;
        coaching_journal_entry::Model {
            id: i64::from(day),
            client_id: 1,
            measured_on: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            period: None,
            weight,
            chest: None,
            waist,
            lower_abdomen: None,
            glutes: None,
            right_thigh: None,
            left_thigh: None,
            right_calf: None,
            left_calf: None,
            right_arm: None,
            left_arm: None,
            notes: None,
            created_by: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn change_skips_entries_without_the_measure() {
        let entries = [
            entry(1, Some(82.4), Some(90.0)),
            entry(8, None, Some(88.5)),
            entry(15, Some(80.1), None),
        ];
        let (first, last, delta) = change(&entries, Measure::Weight).unwrap();
        assert_eq!((first.value, last.value, delta), (82.4, 80.1, -2.3));
        assert_eq!(chart(&entries, Measure::Waist).len(), 2);
        assert!(change(&entries, Measure::Chest).is_none());
    }
}
