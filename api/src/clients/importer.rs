//! Applying an imported spreadsheet to the client base, and exporting a filtered list.

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{Datelike, Utc};
use entity::{client, client_source, client_tag};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;

use super::{
    export::{ExportRow, write_clients_xlsx},
    fields::{ClientFields, RawFields},
    import::{Column, ParsedSheet, RawClientRow, parse_date, read_clients},
    search::{self, ClientSort, Criteria},
    service,
    types::{FileDownload, ImportOutcome, ImportReport, ImportRowResult},
};
use crate::{
    auth::actor::Caller,
    domain::{Phone, search::fold},
    error::{AppError, AppResult},
    state::AppState,
    write::Tx,
};

/// Which column an input field of [`RawFields`] comes from.
fn column_of(field: &str) -> &'static [Column] {
    match field {
        "firstName" => &[Column::FirstName, Column::FullName],
        "lastName" => &[Column::LastName, Column::FullName],
        "patronymic" => &[Column::Patronymic, Column::FullName],
        "phone" => &[Column::Phone],
        "phone2" => &[Column::Phone2],
        "email" => &[Column::Email],
        "telegramId" | "telegramUsername" => &[Column::Telegram],
        "notes" => &[Column::Notes],
        "tags" => &[Column::Tags],
        "birthDate" => &[Column::BirthDate],
        "source" => &[Column::Source],
        _ => &[],
    }
}

struct Outcome {
    outcome: ImportOutcome,
    client_id: Option<i64>,
    field: Option<String>,
    message: Option<String>,
}

impl Outcome {
    fn ok(outcome: ImportOutcome, id: i64, message: Option<String>) -> Outcome {
        Outcome {
            outcome,
            client_id: Some(id),
            field: None,
            message,
        }
    }

    fn error(field: &str, message: String) -> Outcome {
        Outcome {
            outcome: ImportOutcome::Error,
            client_id: None,
            field: Some(field.to_owned()),
            message: Some(message),
        }
    }
}

/// Everything a run needs to look up without a statement per row. A client is recognised by
/// either phone or, failing those, by e-mail.
/// Id, phone, second phone and e-mail of a client on file.
type ContactKeys = (i64, Option<String>, Option<String>, Option<String>);

struct Known {
    /// The business time of the import.
    now: chrono::DateTime<Utc>,
    phones: HashMap<String, i64>,
    emails: HashMap<String, i64>,
    in_file: HashMap<String, usize>,
    sources: HashMap<String, i64>,
}

pub async fn import(
    state: &AppState,
    caller: &Caller,
    bytes: &[u8],
    filename: &str,
    dry_run: bool,
) -> AppResult<ImportReport> {
    let sheet = read_clients(bytes, filename).map_err(|err| {
        let msg = err.msg();
        AppError::validation("file", msg.ru, msg.en)
    })?;
    let header = |field: &str| {
        column_of(field)
            .iter()
            .find_map(|c| {
                sheet
                    .columns
                    .iter()
                    .find(|(_, col)| col == c)
                    .map(|(h, _)| h.clone())
            })
            .unwrap_or_else(|| field.to_owned())
    };

    let header = &header;
    let sheet = &sheet;
    if dry_run {
        state
            .rehearse(caller, |tx| {
                Box::pin(import_rows(tx, sheet, header, filename, dry_run))
            })
            .await
    } else {
        state
            .write(caller, |tx| {
                Box::pin(import_rows(tx, sheet, header, filename, dry_run))
            })
            .await
    }
}

/// Imports the rows of a checked sheet in the open unit of work and reports on each.
async fn import_rows(
    tx: &Tx<'_>,
    sheet: &ParsedSheet,
    header: &(impl Fn(&str) -> String + Sync),
    filename: &str,
    dry_run: bool,
) -> AppResult<ImportReport> {
    let mut known = Known {
        now: tx.now(),
        phones: HashMap::new(),
        emails: HashMap::new(),
        in_file: HashMap::new(),
        sources: client_source::Entity::find()
            .all(tx.db())
            .await?
            .into_iter()
            .map(|s| (fold(&s.name), s.id))
            .collect(),
    };
    let on_file: Vec<ContactKeys> = client::Entity::find()
        .select_only()
        .columns([
            client::Column::Id,
            client::Column::Phone,
            client::Column::Phone2,
            client::Column::Email,
        ])
        .filter(client::Column::MergedIntoId.is_null())
        .into_tuple()
        .all(tx.db())
        .await?;
    for (id, phone, phone2, email) in on_file {
        for p in [phone, phone2].into_iter().flatten() {
            known.phones.insert(p, id);
        }
        if let Some(email) = email {
            known.emails.entry(email).or_insert(id);
        }
    }

    let mut rows = Vec::with_capacity(sheet.rows.len());
    let mut created_ids = Vec::new();
    for row in &sheet.rows {
        let outcome = apply_row(tx.db(), &mut known, row, header).await?;
        if outcome.outcome == ImportOutcome::Created {
            created_ids.extend(outcome.client_id);
        }
        rows.push(ImportRowResult {
            row: row.row as i32,
            outcome: outcome.outcome,
            client_id: outcome.client_id.map(Into::into),
            column: outcome.field.as_deref().map(header),
            message: outcome.message,
        });
    }
    let count = |o: ImportOutcome| rows.iter().filter(|r| r.outcome == o).count() as i32;
    let report = ImportReport {
        dry_run,
        columns: sheet.columns.iter().map(|(h, _)| h.clone()).collect(),
        total: rows.len() as i32,
        created: count(ImportOutcome::Created),
        updated: count(ImportOutcome::Updated),
        skipped: count(ImportOutcome::Skipped),
        failed: count(ImportOutcome::Error),
        rows,
    };
    if dry_run {
        return Ok(report);
    }
    tx.audit(
        "client.import",
        "client",
        None,
        json!({
            "file": filename, "created": report.created, "updated": report.updated,
            "skipped": report.skipped, "failed": report.failed, "createdIds": created_ids,
        }),
    )
    .await?;
    Ok(report)
}

/// Checks a row's fields and records every problem, not only the first: a faulty field is
/// set aside and the rest checked again.
fn every_problem(
    mut raw: RawFields,
    problems: &mut Vec<(String, String)>,
) -> AppResult<Option<ClientFields>> {
    for _ in 0..16 {
        match raw.clone().check("") {
            Ok(fields) => return Ok(Some(fields)),
            Err(AppError::Validation { field, msg }) => {
                let known_field = match field.as_str() {
                    "firstName" => raw.first_name.replace("-".into()).is_some(),
                    "lastName" => raw.last_name.replace("-".into()).is_some(),
                    "patronymic" => raw.patronymic.take().is_some(),
                    "phone" => raw.phone.take().is_some(),
                    "phone2" => raw.phone2.take().is_some(),
                    "email" => raw.email.take().is_some(),
                    "telegramId" => raw.telegram_id.take().is_some(),
                    "telegramUsername" => raw.telegram_username.take().is_some(),
                    "notes" => raw.notes.take().is_some(),
                    "discountPercent" => raw.discount_percent.take().is_some(),
                    "tags" => !std::mem::take(&mut raw.tags).is_empty(),
                    _ => false,
                };
                let named_nothing = field == "firstName" && raw.last_name.is_none();
                problems.push((field, msg.ru));
                if !known_field && !named_nothing {
                    return Ok(None);
                }
            }
            Err(other) => return Err(other),
        }
    }
    Ok(None)
}

async fn apply_row<C: ConnectionTrait>(
    conn: &C,
    known: &mut Known,
    row: &RawClientRow,
    name_of: &(dyn Fn(&str) -> String + Sync),
) -> AppResult<Outcome> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let birth_date = match row.birth_date.as_deref() {
        Some(text) => match parse_date(text) {
            Some(date) => Some(date),
            None => {
                problems.push((
                    "birthDate".to_owned(),
                    format!("«{text}» — не дата; пример: 31.12.1990"),
                ));
                None
            }
        },
        None => None,
    };
    let (telegram_id, telegram_username) = match row.telegram.as_deref() {
        Some(t) if t.chars().all(|c| c.is_ascii_digit()) => (Some(t.to_owned()), None),
        Some(t) => (None, Some(t.to_owned())),
        None => (None, None),
    };
    let source_id = match row.source.as_deref() {
        Some(name) => match known.sources.get(&fold(name)) {
            Some(id) => Some(*id),
            None => {
                let source = service::source_named(conn, name).await?;
                known.sources.insert(fold(&source.name), source.id);
                Some(source.id)
            }
        },
        None => None,
    };
    let raw = RawFields {
        last_name: row.last_name.clone(),
        first_name: row.first_name.clone(),
        patronymic: row.patronymic.clone(),
        phone: row.phone.clone(),
        phone2: row.phone2.clone(),
        email: row.email.clone(),
        telegram_id,
        telegram_username,
        birth_date,
        source_id,
        notes: row.notes.clone(),
        discount_percent: None,
        tags: row.tags.clone(),
    };
    let fields = match every_problem(raw, &mut problems)? {
        Some(fields) if problems.is_empty() => fields,
        _ => {
            // Every problem of the row, each named by its column as headed in the file.
            let message = problems
                .iter()
                .map(|(field, msg)| format!("{}: {msg}", name_of(field)))
                .collect::<Vec<_>>()
                .join("; ");
            let first = problems.first().map_or("row", |(f, _)| f.as_str());
            return Ok(Outcome::error(first, message));
        }
    };
    let phones: Vec<&Phone> = [&fields.phone, &fields.phone2]
        .into_iter()
        .flatten()
        .collect();
    // What identifies the row: its phones, or its e-mail when it has no phone.
    let keys: Vec<String> = if phones.is_empty() {
        fields.email.iter().map(|e| format!("email:{e}")).collect()
    } else {
        phones.iter().map(|p| p.as_str().to_owned()).collect()
    };
    let on_file = |known: &Known| match phones.is_empty() {
        false => phones
            .iter()
            .find_map(|p| known.phones.get(p.as_str()))
            .copied(),
        true => fields
            .email
            .as_ref()
            .and_then(|e| known.emails.get(e))
            .copied(),
    };
    if let Some(first) = keys.iter().find_map(|k| known.in_file.get(k)) {
        return Ok(Outcome {
            outcome: ImportOutcome::Skipped,
            client_id: on_file(known),
            field: None,
            message: Some(format!("повтор строки {first}")),
        });
    }
    for key in &keys {
        known.in_file.insert(key.clone(), row.row);
    }
    if let Some(id) = on_file(known) {
        return fill_existing(conn, known, id, fields).await;
    }
    let created = insert(conn, &fields, known.now).await?;
    for p in &phones {
        known.phones.insert(p.as_str().to_owned(), created.id);
    }
    if let Some(email) = &fields.email {
        known.emails.entry(email.clone()).or_insert(created.id);
    }
    Ok(Outcome::ok(ImportOutcome::Created, created.id, None))
}

async fn insert<C: ConnectionTrait>(
    conn: &C,
    fields: &ClientFields,
    now: chrono::DateTime<Utc>,
) -> AppResult<client::Model> {
    let created = client::ActiveModel {
        last_name: Set(fields.last_name.clone()),
        first_name: Set(fields.first_name.clone()),
        patronymic: Set(fields.patronymic.clone()),
        display_name: Set(fields.display_name()),
        phone: Set(fields.phone.as_ref().map(|p| p.as_str().to_owned())),
        phone2: Set(fields.phone2.as_ref().map(|p| p.as_str().to_owned())),
        email: Set(fields.email.clone()),
        telegram_id: Set(fields.telegram_id),
        telegram_username: Set(fields.telegram_username.clone()),
        birth_date: Set(fields.birth_date),
        birth_month: Set(fields.birth_date.map(|d| d.month() as i16)),
        source_id: Set(fields.source_id),
        notes: Set(fields.notes.clone()),
        discount_percent: Set(0),
        active: Set(true),
        stage_id: Set(None),
        stage_entered_at: Set(None),
        last_visit_at: Set(None),
        last_contact_at: Set(None),
        next_contact_at: Set(None),
        next_contact_user_id: Set(None),
        search_text: Set(fields.search_text()),
        merged_into_id: Set(None),
        credit_limit: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    service::add_tags(conn, created.id, &fields.tags).await?;
    Ok(created)
}

/// A row for a client already on file: fill what the record lacks; nothing new is a skip.
async fn fill_existing<C: ConnectionTrait>(
    conn: &C,
    known: &mut Known,
    id: i64,
    row: ClientFields,
) -> AppResult<Outcome> {
    let current_model = service::get(conn, id).await?;
    let mut merged = service::current_fields(conn, &current_model).await?;
    let before = merged.clone();
    for phone in [row.phone.clone(), row.phone2.clone()]
        .into_iter()
        .flatten()
    {
        let has = merged.phone.as_ref() == Some(&phone) || merged.phone2.as_ref() == Some(&phone);
        if !has && merged.phone2.is_none() && !known.phones.contains_key(phone.as_str()) {
            known.phones.insert(phone.as_str().to_owned(), id);
            merged.phone2 = Some(phone);
        }
    }
    merged.patronymic = merged.patronymic.or(row.patronymic);
    merged.email = merged.email.or(row.email);
    merged.telegram_id = merged.telegram_id.or(row.telegram_id);
    merged.telegram_username = merged.telegram_username.or(row.telegram_username);
    merged.birth_date = merged.birth_date.or(row.birth_date);
    merged.source_id = merged.source_id.or(row.source_id);
    merged.notes = merged.notes.or(row.notes);
    for tag in row.tags {
        if !merged.tags.contains(&tag) {
            merged.tags.push(tag);
        }
    }
    if merged == before {
        return Ok(Outcome::ok(
            ImportOutcome::Skipped,
            id,
            Some("клиент с этим телефоном уже есть".into()),
        ));
    }
    let mut model: client::ActiveModel = current_model.into();
    model.patronymic = Set(merged.patronymic.clone());
    model.phone2 = Set(merged.phone2.as_ref().map(|p| p.as_str().to_owned()));
    model.email = Set(merged.email.clone());
    model.telegram_id = Set(merged.telegram_id);
    model.telegram_username = Set(merged.telegram_username.clone());
    model.birth_date = Set(merged.birth_date);
    model.birth_month = Set(merged.birth_date.map(|d| d.month() as i16));
    model.source_id = Set(merged.source_id);
    model.notes = Set(merged.notes.clone());
    model.display_name = Set(merged.display_name());
    model.search_text = Set(merged.search_text());
    model.updated_at = Set(known.now);
    model.update(conn).await?;
    if merged.tags != before.tags {
        service::replace_tags(conn, id, &merged.tags).await?;
    }
    Ok(Outcome::ok(ImportOutcome::Updated, id, None))
}

/// The matching clients as an .xlsx file.
pub async fn export(
    state: &AppState,
    caller: &Caller,
    criteria: &Criteria,
    sort: ClientSort,
) -> AppResult<FileDownload> {
    let clients = search::all(state, criteria, sort, 1000).await?;
    let sources: HashMap<i64, String> = client_source::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in clients.chunks(500) {
        let rows = client_tag::Entity::find()
            .filter(client_tag::Column::ClientId.is_in(chunk.iter().map(|c| c.id)))
            .all(&state.db)
            .await?;
        for row in rows {
            tags.entry(row.client_id).or_default().push(row.tag);
        }
    }
    let rows: Vec<ExportRow> = clients
        .iter()
        .map(|c| ExportRow {
            id: c.id,
            last_name: c.last_name.clone(),
            first_name: c.first_name.clone(),
            patronymic: c.patronymic.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            phone2: c.phone2.clone().unwrap_or_default(),
            email: c.email.clone().unwrap_or_default(),
            telegram: c
                .telegram_username
                .as_ref()
                .map(|u| format!("@{u}"))
                .or(c.telegram_id.map(|id| id.to_string()))
                .unwrap_or_default(),
            birth_date: c.birth_date,
            source: c
                .source_id
                .and_then(|id| sources.get(&id).cloned())
                .unwrap_or_default(),
            tags: tags.get(&c.id).map(|t| t.join(", ")).unwrap_or_default(),
            notes: c.notes.clone().unwrap_or_default(),
            created_at: c.created_at,
        })
        .collect();
    let bytes = write_clients_xlsx(&rows).map_err(AppError::internal)?;
    let exported = rows.len();
    state
        .write(caller, |tx| {
            Box::pin(async move {
                tx.audit("client.export", "client", None, json!({ "rows": exported }))
                    .await
            })
        })
        .await?;
    Ok(FileDownload {
        filename: format!("clients-{}.xlsx", state.clock.now().format("%Y-%m-%d")),
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
        data_base64: STANDARD.encode(bytes),
        rows: rows.len() as i32,
    })
}
