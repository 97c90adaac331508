//! Funnel stages, moving clients between them, and the kanban board.

use std::collections::HashMap;

use entity::{client, enums::StageOutcome, pipeline_stage, stage_history};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Statement,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

use crate::{
    auth::actor::Caller,
    clients::service as clients,
    domain::text,
    error::{AppError, AppResult},
    events::domain::FunnelEvent,
    state::AppState,
    write::Tx,
};

pub async fn list<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<pipeline_stage::Model>> {
    Ok(pipeline_stage::Entity::find()
        .order_by_asc(pipeline_stage::Column::Position)
        .order_by_asc(pipeline_stage::Column::Id)
        .all(conn)
        .await?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<pipeline_stage::Model> {
    pipeline_stage::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Этап воронки", "Funnel stage", id))
}

#[derive(Clone)]
pub struct StageDraft {
    pub name: Option<String>,
    pub color: Option<String>,
    pub position: Option<i32>,
    pub outcome: Option<StageOutcome>,
    /// `Some(None)` clears the owner; `None` leaves it.
    pub owner_user_id: Option<Option<i64>>,
}

/// The owner of a stage must be an active staff member who works with clients.
pub(crate) async fn check_owner<C: ConnectionTrait>(
    conn: &C,
    field: &str,
    id: i64,
) -> AppResult<i64> {
    use crate::auth::policy::CLIENT_EDITORS;
    match entity::user::Entity::find_by_id(id).one(conn).await? {
        Some(user) if user.active && CLIENT_EDITORS.contains(&user.role) => Ok(id),
        Some(user) => Err(AppError::validation(
            field,
            format!(
                "«{}» не может вести этап: нужен активный сотрудник, работающий с клиентами",
                user.display_name
            ),
            format!(
                "`{}` cannot own a stage: an active staff member who works with clients is needed",
                user.display_name
            ),
        )),
        None => Err(AppError::validation(
            field,
            format!("сотрудника {id} нет"),
            format!("there is no staff member {id}"),
        )),
    }
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    draft: StageDraft,
) -> AppResult<pipeline_stage::Model> {
    let name = text::required("input.name", draft.name.as_deref().unwrap_or(""), 100)?;
    let color =
        text::color("input.color", draft.color.as_deref())?.unwrap_or_else(|| "#90a4ae".into());
    state
        .write(caller, |tx| {
            let color = color.clone();
            let name = name.clone();
            Box::pin(async move {
                let existing = list(tx.db()).await?;
                if existing
                    .iter()
                    .any(|s| s.name.to_lowercase() == name.to_lowercase())
                {
                    return Err(AppError::conflict(
                        format!("Этап «{name}» уже есть"),
                        format!("A stage named `{name}` exists"),
                    ));
                }
                let owner = match draft.owner_user_id.flatten() {
                    Some(id) => Some(check_owner(tx.db(), "input.ownerUserId", id).await?),
                    None => None,
                };
                let position = draft
                    .position
                    .unwrap_or_else(|| existing.iter().map(|s| s.position).max().unwrap_or(-1) + 1);
                let stage = pipeline_stage::ActiveModel {
                    name: Set(name),
                    color: Set(color),
                    position: Set(position),
                    outcome: Set(draft.outcome.unwrap_or(StageOutcome::Open)),
                    owner_user_id: Set(owner),
                    created_at: Set(tx.now()),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "stage.create",
                    "pipeline_stage",
                    Some(stage.id),
                    json!({ "name": stage.name }),
                )
                .await?;
                Ok(stage)
            })
        })
        .await
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    draft: StageDraft,
) -> AppResult<pipeline_stage::Model> {
    state
        .write(caller, |tx| {
            let draft = draft.clone();
            Box::pin(async move {
                let mut model: pipeline_stage::ActiveModel = get(tx.db(), id).await?.into();
                if let Some(name) = &draft.name {
                    model.name = Set(text::required("input.name", name, 100)?);
                }
                if let Some(color) = text::color("input.color", draft.color.as_deref())? {
                    model.color = Set(color);
                }
                if let Some(position) = draft.position {
                    model.position = Set(position);
                }
                if let Some(outcome) = draft.outcome {
                    model.outcome = Set(outcome);
                }
                if let Some(owner) = draft.owner_user_id {
                    model.owner_user_id = Set(match owner {
                        Some(id) => Some(check_owner(tx.db(), "input.ownerUserId", id).await?),
                        None => None,
                    });
                }
                let stage = model.update(tx.db()).await?;
                tx.audit(
                    "stage.update",
                    "pipeline_stage",
                    Some(id),
                    json!({
                        "name": stage.name,
                        "position": stage.position,
                        "outcome": stage.outcome,
                        "owner": stage.owner_user_id,
                    }),
                )
                .await?;
                Ok(stage)
            })
        })
        .await
}

/// Moves a client to a stage inside the caller's transaction, keeping the history.
pub async fn move_client_in(
    tx: &Tx<'_>,
    client: &client::Model,
    stage: &pipeline_stage::Model,
    note: Option<String>,
    lost_reason: Option<String>,
) -> AppResult<client::Model> {
    let (conn, caller, now) = (tx.db(), tx.caller(), tx.now());
    let rule_id = caller.actor.rule().map(|(id, _)| id);
    stage_history::ActiveModel {
        client_id: Set(client.id),
        from_stage_id: Set(client.stage_id),
        to_stage_id: Set(stage.id),
        moved_at: Set(now),
        moved_by: Set(caller.actor.user_id()),
        note: Set(note.clone()),
        lost_reason: Set(lost_reason.clone()),
        rule_id: Set(rule_id),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let mut model: client::ActiveModel = client.clone().into();
    model.stage_id = Set(Some(stage.id));
    model.stage_entered_at = Set(Some(now));
    model.updated_at = Set(now);
    let moved = model.update(conn).await?;
    tx.audit(
        "client.move_stage",
        "client",
        Some(client.id),
        json!({ "from": client.stage_id, "to": stage.id, "stage": stage.name, "note": note, "lostReason": lost_reason }),
    )
    .await?;
    tx.emit(&FunnelEvent::StageChanged {
        client_id: client.id,
        from_stage_id: client.stage_id,
        to_stage_id: stage.id,
        rule_id,
    })
    .await?;
    Ok(moved)
}

pub async fn move_client(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
    stage_id: i64,
    note: Option<String>,
    lost_reason: Option<String>,
) -> AppResult<client::Model> {
    let note = text::optional("note", note.as_deref(), 2000)?;
    let lost_reason = text::optional("lostReason", lost_reason.as_deref(), 200)?;
    state
        .write(caller, |tx| {
            let lost_reason = lost_reason.clone();
            let note = note.clone();
            Box::pin(async move {
                let client = clients::get(tx.db(), client_id).await?;
                let stage = get(tx.db(), stage_id).await.map_err(|_| {
                    AppError::validation(
                        "stageId",
                        format!("этапа {stage_id} нет"),
                        format!("there is no stage {stage_id}"),
                    )
                })?;
                if lost_reason.is_some() && stage.outcome != StageOutcome::Lost {
                    return Err(AppError::validation(
                        "lostReason",
                        "причину потери указывают только при переводе в этап потери",
                        "a lost reason goes only with a move to a lost stage",
                    ));
                }
                if client.stage_id == Some(stage_id) {
                    return Ok(client);
                }
                let moved = move_client_in(tx, &client, &stage, note, lost_reason).await?;
                Ok(moved)
            })
        })
        .await
}

/// One column of the kanban board.
pub struct Column {
    pub stage: pipeline_stage::Model,
    pub count: i64,
    /// The deal values of the stage's clients, summed.
    pub expected_value: i64,
    /// What the stage's clients have paid in all, summed.
    pub paid_value: i64,
    pub clients: Vec<client::Model>,
}

#[derive(Debug, Default, FromQueryResult)]
struct StageTotals {
    stage_id: i64,
    n: i64,
    expected: Option<i64>,
    paid: Option<i64>,
}

/// Every stage with its number of clients, their deal values and payments, and its
/// `per_stage` most recently moved clients: three statements whatever the number of stages or
/// clients.
pub async fn board(state: &AppState, per_stage: u64) -> AppResult<Vec<Column>> {
    let stages = list(&state.db).await?;
    // PostgreSQL sums BIGINT to NUMERIC; cast back so both engines answer an integer. A
    // client's payments are summed by the payment index on the client.
    let mut totals: HashMap<i64, StageTotals> = client::Entity::find()
        .select_only()
        .column(client::Column::StageId)
        .column_as(Expr::col(client::Column::Id).count(), "n")
        .column_as(
            Expr::cust("CAST(SUM(client.deal_value) AS BIGINT)"),
            "expected",
        )
        .column_as(
            Expr::cust(
                "CAST(SUM((SELECT SUM(payment.amount) FROM payment \
                 WHERE payment.client_id = client.id)) AS BIGINT)",
            ),
            "paid",
        )
        .filter(client::Column::Active.eq(true))
        .filter(client::Column::StageId.is_not_null())
        .group_by(client::Column::StageId)
        .into_model::<StageTotals>()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| (t.stage_id, t))
        .collect();
    let backend = state.db.get_database_backend();
    let placeholder = if backend == sea_orm::DatabaseBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!(
        "SELECT * FROM (SELECT client.*, ROW_NUMBER() OVER \
         (PARTITION BY stage_id ORDER BY stage_entered_at DESC, id DESC) AS board_rank \
         FROM client WHERE active = TRUE AND stage_id IS NOT NULL) ranked \
         WHERE board_rank <= {placeholder} ORDER BY stage_id, board_rank"
    );
    let top = client::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            sql,
            [(per_stage as i64).into()],
        ))
        .all(&state.db)
        .await?;
    let mut by_stage: HashMap<i64, Vec<client::Model>> = HashMap::new();
    for c in top {
        if let Some(stage) = c.stage_id {
            by_stage.entry(stage).or_default().push(c);
        }
    }
    Ok(stages
        .into_iter()
        .map(|stage| {
            let t = totals.remove(&stage.id).unwrap_or_default();
            Column {
                count: t.n,
                expected_value: t.expected.unwrap_or(0),
                paid_value: t.paid.unwrap_or(0),
                clients: by_stage.remove(&stage.id).unwrap_or_default(),
                stage,
            }
        })
        .collect())
}
