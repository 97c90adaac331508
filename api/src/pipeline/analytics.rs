//! Funnel figures for a period, from the stage history.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{enums::StageOutcome, pipeline_stage, stage_history};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::stages;
use crate::{
    error::{AppError, AppResult},
    state::AppState,
};

pub struct StageFigures {
    pub stage: pipeline_stage::Model,
    /// Moves into the stage during the period.
    pub entered: i64,
    /// `entered` of the next open-or-won stage divided by this one's, when this one has any.
    pub conversion_to_next: Option<f64>,
    /// Median hours between entering the stage and leaving it, for stays that ended.
    pub median_hours_in_stage: Option<f64>,
}

pub struct Analytics {
    pub stages: Vec<StageFigures>,
    /// Clients who entered the first stage in the period.
    pub leads: i64,
    /// Of those, how many reached a won stage (by now).
    pub won: i64,
    pub conversion_to_won: Option<f64>,
    /// Moves into lost stages in the period, by reason.
    pub lost_by_reason: Vec<(String, i64)>,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let m = if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    };
    Some((m * 100.0).round() / 100.0)
}

pub async fn analytics(
    state: &AppState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Analytics> {
    if to <= from {
        return Err(AppError::validation(
            "to",
            "конец периода раньше начала",
            "the period ends before it starts",
        ));
    }
    let stages = stages::list(&state.db).await?;
    // Moves from the start of the period on; later moves tell when a stay ended.
    let moves = stage_history::Entity::find()
        .filter(stage_history::Column::MovedAt.gte(from))
        .order_by_asc(stage_history::Column::ClientId)
        .order_by_asc(stage_history::Column::MovedAt)
        .order_by_asc(stage_history::Column::Id)
        .all(&state.db)
        .await?;
    let in_period = |m: &stage_history::Model| m.moved_at < to;

    let mut entered: HashMap<i64, i64> = HashMap::new();
    let mut stays: HashMap<i64, Vec<f64>> = HashMap::new();
    let mut lost: BTreeMap<String, i64> = BTreeMap::new();
    let outcome: HashMap<i64, StageOutcome> = stages.iter().map(|s| (s.id, s.outcome)).collect();
    for (i, m) in moves.iter().enumerate() {
        if !in_period(m) {
            continue;
        }
        *entered.entry(m.to_stage_id).or_default() += 1;
        if let Some(next) = moves.get(i + 1).filter(|n| n.client_id == m.client_id) {
            let hours = (next.moved_at - m.moved_at).num_seconds() as f64 / 3600.0;
            stays.entry(m.to_stage_id).or_default().push(hours);
        }
        if outcome.get(&m.to_stage_id) == Some(&StageOutcome::Lost) {
            let reason = m.lost_reason.clone().unwrap_or_else(|| "не указана".into());
            *lost.entry(reason).or_default() += 1;
        }
    }

    let first = stages.first().map(|s| s.id);
    let lead_clients: HashSet<i64> = moves
        .iter()
        .filter(|m| in_period(m) && Some(m.to_stage_id) == first)
        .map(|m| m.client_id)
        .collect();
    let won_clients: HashSet<i64> = moves
        .iter()
        .filter(|m| {
            lead_clients.contains(&m.client_id)
                && outcome.get(&m.to_stage_id) == Some(&StageOutcome::Won)
        })
        .map(|m| m.client_id)
        .collect();

    let flow: Vec<&pipeline_stage::Model> = stages
        .iter()
        .filter(|s| s.outcome != StageOutcome::Lost)
        .collect();
    let figures = stages
        .iter()
        .map(|stage| {
            let count = entered.get(&stage.id).copied().unwrap_or(0);
            let next = flow
                .iter()
                .position(|s| s.id == stage.id)
                .and_then(|i| flow.get(i + 1));
            StageFigures {
                stage: stage.clone(),
                entered: count,
                conversion_to_next: next
                    .and_then(|n| ratio(entered.get(&n.id).copied().unwrap_or(0), count)),
                median_hours_in_stage: median(stays.remove(&stage.id).unwrap_or_default()),
            }
        })
        .collect();
    let leads = lead_clients.len() as i64;
    let won = won_clients.len() as i64;
    Ok(Analytics {
        stages: figures,
        leads,
        won,
        conversion_to_won: ratio(won, leads),
        lost_by_reason: lost.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_ratios() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(ratio(1, 3), Some(0.3333));
        assert_eq!(ratio(1, 0), None);
    }
}
