//! Funnel figures for a period, from the stage history; the money of its deals from the
//! clients' deal values and payments.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{client, enums::StageOutcome, payment, pipeline_stage, stage_history};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, sea_query::Expr,
};

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
    /// The deal values of the period's leads that are now in an open stage.
    pub expected_value: i64,
    /// What the won leads paid in the period.
    pub won_value: i64,
}

#[derive(Debug, FromQueryResult)]
struct Sum {
    total: Option<i64>,
}

/// The deal money of the leads of `[from, to)`: the deal values of those now in an open stage
/// (active records only), and what those who reached a won stage paid in the period. Two
/// statements; the leads are a subquery, so a long period binds no list of ids.
async fn deal_money<C: ConnectionTrait>(
    conn: &C,
    stages: &[pipeline_stage::Model],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<(i64, i64)> {
    let Some(first) = stages.first() else {
        return Ok((0, 0));
    };
    let with = |outcome: StageOutcome| -> Vec<i64> {
        stages
            .iter()
            .filter(|s| s.outcome == outcome)
            .map(|s| s.id)
            .collect()
    };
    let leads = stage_history::Entity::find()
        .select_only()
        .column(stage_history::Column::ClientId)
        .filter(stage_history::Column::ToStageId.eq(first.id))
        .filter(stage_history::Column::MovedAt.gte(from))
        .filter(stage_history::Column::MovedAt.lt(to))
        .into_query();
    // PostgreSQL sums BIGINT to NUMERIC; cast back so both engines answer an integer.
    let expected = client::Entity::find()
        .select_only()
        .column_as(
            Expr::cust("CAST(SUM(client.deal_value) AS BIGINT)"),
            "total",
        )
        .filter(client::Column::Active.eq(true))
        .filter(client::Column::StageId.is_in(with(StageOutcome::Open)))
        .filter(client::Column::Id.in_subquery(leads.clone()))
        .into_model::<Sum>()
        .one(conn)
        .await?;
    // Won as the figures above count it: a move into a won stage from the period's start on.
    let won = stage_history::Entity::find()
        .select_only()
        .column(stage_history::Column::ClientId)
        .filter(stage_history::Column::ToStageId.is_in(with(StageOutcome::Won)))
        .filter(stage_history::Column::MovedAt.gte(from))
        .into_query();
    let paid = payment::Entity::find()
        .select_only()
        .column_as(Expr::cust("CAST(SUM(payment.amount) AS BIGINT)"), "total")
        .filter(payment::Column::CreatedAt.gte(from))
        .filter(payment::Column::CreatedAt.lt(to))
        .filter(payment::Column::ClientId.in_subquery(leads))
        .filter(payment::Column::ClientId.in_subquery(won))
        .into_model::<Sum>()
        .one(conn)
        .await?;
    let total = |s: Option<Sum>| s.and_then(|s| s.total).unwrap_or(0);
    Ok((total(expected), total(paid)))
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
    let (expected_value, won_value) = deal_money(&state.db, &stages, from, to).await?;
    Ok(Analytics {
        stages: figures,
        leads,
        won,
        conversion_to_won: ratio(won, leads),
        lost_by_reason: lost.into_iter().collect(),
        expected_value,
        won_value,
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
