//! A rule's dry run: what it would have done over the last days' events (kept in the outbox
//! for 31 days), each judged by where its client stood at the time, without writing anything.
//! A no-contact rule is judged on the clients quiet now.
//!
//! Where a client stood comes from the stage history; tags are read as they are now (they
//! keep no history).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{client, client_tag, outbox_event, pipeline_stage};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{
    engine::{self, Facts, MovePlan},
    rules::{Action, AutomationTrigger, Draft},
};
use crate::{
    error::{AppError, AppResult},
    pipeline::stages,
    state::AppState,
};

/// The most events a dry run reads.
const MAX_EVENTS: u64 = 5000;

pub struct PreviewItem {
    pub event_id: Option<i64>,
    pub event_kind: String,
    pub occurred_at: DateTime<Utc>,
    pub client: client::Model,
    /// Whether any action would have changed something.
    pub acts: bool,
    /// What each action would have done, or why not.
    pub actions: Vec<String>,
}

pub struct Preview {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Events of the rule's trigger in the period (or quiet clients, for a no-contact rule).
    pub considered: usize,
    /// Those whose conditions held: one item each.
    pub items: Vec<PreviewItem>,
}

/// Where a client stood at `at`, by their moves (oldest first).
fn stage_at(moves: Option<&Vec<(DateTime<Utc>, i64)>>, at: DateTime<Utc>) -> Option<i64> {
    moves?
        .iter()
        .take_while(|(moved_at, _)| *moved_at <= at)
        .last()
        .map(|(_, stage)| *stage)
}

/// What the actions would do for a client standing at `stage`; moves carry on to the next
/// action as they would.
fn rehearse(
    draft: &Draft,
    stages: &HashMap<i64, pipeline_stage::Model>,
    mut stage: Option<i64>,
    tags: &[String],
) -> (bool, Vec<String>) {
    let mut acts = false;
    let mut said = Vec::with_capacity(draft.actions.len());
    for action in &draft.actions {
        let (did, text) = match action {
            Action::MoveToStage {
                stage_id,
                allow_backwards,
                ..
            } => match stages.get(stage_id) {
                None => (false, format!("Этапа {stage_id} больше нет")),
                Some(target) => {
                    let current = stage.and_then(|s| stages.get(&s));
                    match engine::plan_move(current, target, *allow_backwards) {
                        MovePlan::Stay(why) => (false, format!("Не перевёл бы: {why}")),
                        MovePlan::Move => {
                            let from = current.map_or("вне воронки".to_owned(), |c| {
                                format!("«{}»", c.name)
                            });
                            stage = Some(target.id);
                            (true, format!("Перевёл бы из {from} в «{}»", target.name))
                        }
                    }
                }
            },
            Action::SetNextContact { in_days, .. } => (
                true,
                format!("Назначил бы следующий контакт через {in_days} дн."),
            ),
            Action::CreateInteraction { text, .. } => {
                (true, format!("Записал бы в историю: {text}"))
            }
            Action::AddTag { tag } if tags.contains(tag) => {
                (false, format!("Метка «{tag}» уже есть"))
            }
            Action::AddTag { tag } => (true, format!("Добавил бы метку «{tag}»")),
            Action::RemoveTag { tag } if !tags.contains(tag) => {
                (false, format!("Метки «{tag}» и так нет"))
            }
            Action::RemoveTag { tag } => (true, format!("Снял бы метку «{tag}»")),
            Action::SendMessage { text } => (true, format!("Отправил бы сообщение: {text}")),
        };
        acts |= did;
        said.push(text);
    }
    (acts, said)
}

/// Runs `draft` (checked as it would be saved) over the last `days` days; `rule_id` is the
/// saved rule it is, if any, whose own events it skips.
pub async fn preview(
    state: &AppState,
    rule_id: Option<i64>,
    draft: &Draft,
    days: i32,
) -> AppResult<Preview> {
    if !(1..=30).contains(&days) {
        return Err(AppError::validation(
            "days",
            "пробный прогон смотрит от 1 до 30 дней назад",
            "a dry run looks 1 to 30 days back",
        ));
    }
    let to = state.clock.now();
    let from = to - chrono::Duration::days(i64::from(days));
    let stages: HashMap<i64, pipeline_stage::Model> = stages::list(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let c = &draft.conditions;

    let (considered, candidates): (usize, Vec<Facts>) =
        if draft.trigger == AutomationTrigger::NoContact {
            let days = c.days.unwrap_or(super::rules::DEFAULT_NO_CONTACT_DAYS);
            let quiet = engine::quiet_clients(&state.db, to, days).await?;
            let facts: Vec<Facts> = quiet.iter().map(|q| engine::quiet_facts(q, to)).collect();
            (facts.len(), facts)
        } else {
            let events = outbox_event::Entity::find()
                .filter(outbox_event::Column::Kind.eq(draft.trigger.key()))
                .filter(outbox_event::Column::OccurredAt.gte(from))
                .filter(outbox_event::Column::OccurredAt.lte(to))
                .order_by_asc(outbox_event::Column::Id)
                .limit(MAX_EVENTS)
                .all(&state.db)
                .await?;
            let facts: Vec<Facts> = events
                .iter()
                .map(Facts::of_event)
                .filter(|f| rule_id.is_none_or(|id| !f.chain.contains(&id)))
                .collect();
            (
                facts.len(),
                facts
                    .into_iter()
                    .filter(|f| engine::event_matches(c, f))
                    .collect(),
            )
        };

    let mut ids: Vec<i64> = candidates.iter().filter_map(|f| f.client_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let moves = engine::stage_moves(&state.db, &ids).await?;
    let mut people: HashMap<i64, client::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in client::Entity::find()
            .filter(client::Column::Id.is_in(chunk.iter().copied()))
            .all(&state.db)
            .await?
        {
            people.insert(row.id, row);
        }
    }
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in client_tag::Entity::find()
            .filter(client_tag::Column::ClientId.is_in(chunk.iter().copied()))
            .all(&state.db)
            .await?
        {
            tags.entry(row.client_id).or_default().push(row.tag);
        }
    }

    let mut items = Vec::new();
    for f in candidates {
        let Some(person) = f.client_id.and_then(|id| people.get(&id)) else {
            continue;
        };
        if !person.active {
            continue;
        }
        let stage = if draft.trigger == AutomationTrigger::NoContact {
            person.stage_id
        } else {
            stage_at(moves.get(&person.id), f.occurred_at)
        };
        let client_tags = tags.get(&person.id).map(Vec::as_slice).unwrap_or_default();
        if !engine::client_matches(c, stage, client_tags) {
            continue;
        }
        let (acts, actions) = rehearse(draft, &stages, stage, client_tags);
        items.push(PreviewItem {
            event_id: f.event_id,
            event_kind: f.kind,
            occurred_at: f.occurred_at,
            client: person.clone(),
            acts,
            actions,
        });
    }
    Ok(Preview {
        from,
        to,
        considered,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_stands_where_their_last_move_before_the_moment_put_them() {
        let t = |h: i64| DateTime::UNIX_EPOCH + chrono::Duration::hours(h);
        let moves = vec![(t(1), 10), (t(5), 11)];
        assert_eq!(stage_at(Some(&moves), t(0)), None);
        assert_eq!(stage_at(Some(&moves), t(1)), Some(10));
        assert_eq!(stage_at(Some(&moves), t(4)), Some(10));
        assert_eq!(stage_at(Some(&moves), t(9)), Some(11));
        assert_eq!(stage_at(None, t(9)), None);
    }
}
