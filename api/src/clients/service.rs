//! Creating, changing and reading client records.

use chrono::{Datelike, Utc};
use entity::{client, client_source, client_tag};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use super::fields::{ClientFields, RawFields};
use crate::{
    auth::actor::Caller,
    domain::{Phone, text},
    error::{AppError, AppResult},
    state::AppState,
    write::Tx,
};

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<client::Model> {
    client::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Клиент", "Client", id))
}

/// The active client that has `phone` as either of their numbers.
pub async fn find_by_phone<C: ConnectionTrait>(
    conn: &C,
    phone: &Phone,
    except: Option<i64>,
) -> AppResult<Option<client::Model>> {
    let mut select = client::Entity::find().filter(
        Condition::any()
            .add(client::Column::Phone.eq(phone.as_str()))
            .add(client::Column::Phone2.eq(phone.as_str())),
    );
    if let Some(id) = except {
        select = select.filter(client::Column::Id.ne(id));
    }
    Ok(select
        .filter(client::Column::MergedIntoId.is_null())
        .one(conn)
        .await?)
}

/// Refuses a phone number another client already has, naming that client.
pub async fn check_phones_free<C: ConnectionTrait>(
    conn: &C,
    fields: &ClientFields,
    except: Option<i64>,
) -> AppResult<()> {
    for (name, phone) in [("phone", &fields.phone), ("phone2", &fields.phone2)] {
        if let Some(phone) = phone
            && let Some(owner) = find_by_phone(conn, phone, except).await?
        {
            return Err(duplicate_phone(name, phone, &owner));
        }
    }
    Ok(())
}

pub fn duplicate_phone(name: &str, phone: &Phone, owner: &client::Model) -> AppError {
    AppError::conflict(
        format!(
            "Номер {phone} уже записан у клиента «{}» (id {}): откройте его карточку или объедините записи",
            owner.display_name, owner.id
        ),
        format!(
            "The number {phone} ({name}) already belongs to client `{}` (id {}): open that record or merge the two",
            owner.display_name, owner.id
        ),
    )
}

async fn check_source<C: ConnectionTrait>(conn: &C, field: &str, id: Option<i64>) -> AppResult<()> {
    if let Some(id) = id
        && client_source::Entity::find_by_id(id)
            .one(conn)
            .await?
            .is_none()
    {
        return Err(AppError::validation(
            field,
            format!("источника {id} нет"),
            format!("there is no source {id}"),
        ));
    }
    Ok(())
}

fn apply(model: &mut client::ActiveModel, fields: &ClientFields) {
    model.last_name = Set(fields.last_name.clone());
    model.first_name = Set(fields.first_name.clone());
    model.patronymic = Set(fields.patronymic.clone());
    model.display_name = Set(fields.display_name());
    model.phone = Set(fields.phone.as_ref().map(|p| p.as_str().to_owned()));
    model.phone2 = Set(fields.phone2.as_ref().map(|p| p.as_str().to_owned()));
    model.email = Set(fields.email.clone());
    model.telegram_id = Set(fields.telegram_id);
    model.telegram_username = Set(fields.telegram_username.clone());
    model.birth_date = Set(fields.birth_date);
    model.birth_month = Set(fields.birth_date.map(|d| d.month() as i16));
    model.source_id = Set(fields.source_id);
    model.notes = Set(fields.notes.clone());
    model.discount_percent = Set(fields.discount_percent);
    model.search_text = Set(fields.search_text());
}

pub async fn replace_tags<C: ConnectionTrait>(
    conn: &C,
    client_id: i64,
    tags: &[String],
) -> AppResult<()> {
    client_tag::Entity::delete_many()
        .filter(client_tag::Column::ClientId.eq(client_id))
        .exec(conn)
        .await?;
    add_tags(conn, client_id, tags).await
}

/// Tags for a client that has none yet.
pub async fn add_tags<C: ConnectionTrait>(
    conn: &C,
    client_id: i64,
    tags: &[String],
) -> AppResult<()> {
    if !tags.is_empty() {
        client_tag::Entity::insert_many(tags.iter().map(|tag| client_tag::ActiveModel {
            client_id: Set(client_id),
            tag: Set(tag.clone()),
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// A person known only by what they typed on a form: a lead, a public booking, a party request.
pub struct Contact<'a> {
    /// First name first, as people type it: "Иван Петров".
    pub name: &'a str,
    pub phone: &'a Phone,
    /// How they heard of the venue, by name; made a source if it is new.
    pub source: Option<&'a str>,
}

/// The client with the contact's phone, or a new one made from the contact: the one way any
/// channel finds or creates a client by phone. `via` says where a new record came from.
pub async fn find_or_create(
    tx: &Tx<'_>,
    contact: Contact<'_>,
    via: &str,
) -> AppResult<client::Model> {
    if let Some(existing) = find_by_phone(tx.db(), contact.phone, None).await? {
        return Ok(existing);
    }
    let mut words = contact.name.split_whitespace();
    let (first, last) = match (words.next(), words.next()) {
        (Some(a), Some(b)) => (a.to_owned(), Some(b.to_owned())),
        (Some(a), None) => (a.to_owned(), None),
        _ => (contact.name.to_owned(), None),
    };
    let patronymic = words.collect::<Vec<_>>().join(" ");
    let source_id = match contact.source.map(str::trim).filter(|s| !s.is_empty()) {
        Some(source) => Some(source_named(tx.db(), source).await?.id),
        None => None,
    };
    let fields = RawFields {
        first_name: Some(first),
        last_name: last,
        patronymic: Some(patronymic).filter(|p| !p.is_empty()),
        phone: Some(contact.phone.as_str().to_owned()),
        source_id,
        ..RawFields::default()
    }
    .check("input.")?;
    create_in(tx, &fields, via).await
}

/// Inserts a checked client inside the caller's unit of work (phones already checked).
pub async fn create_in(tx: &Tx<'_>, fields: &ClientFields, via: &str) -> AppResult<client::Model> {
    let created = new_row(fields, tx.now()).insert(tx.db()).await?;
    add_tags(tx.db(), created.id, &fields.tags).await?;
    tx.audit(
        "client.create",
        "client",
        Some(created.id),
        json!({ "name": created.display_name, "phone": created.phone, "via": via }),
    )
    .await?;
    Ok(created)
}

fn new_row(fields: &ClientFields, now: chrono::DateTime<Utc>) -> client::ActiveModel {
    let mut model = client::ActiveModel {
        active: Set(true),
        stage_id: Set(None),
        stage_entered_at: Set(None),
        last_visit_at: Set(None),
        last_contact_at: Set(None),
        next_contact_at: Set(None),
        next_contact_user_id: Set(None),
        merged_into_id: Set(None),
        credit_limit: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut model, fields);
    model
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    fields: ClientFields,
) -> AppResult<client::Model> {
    state
        .write(caller, |tx| {
            let fields = fields.clone();
            Box::pin(async move {
                check_source(tx.db(), "input.sourceId", fields.source_id).await?;
                check_phones_free(tx.db(), &fields, None).await?;
                let created = create_in(tx, &fields, "staff").await?;
                Ok(created)
            })
        })
        .await
}

/// Replaces the fields of a client (the caller merges unchanged values in first).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    fields: ClientFields,
) -> AppResult<client::Model> {
    state
        .write(caller, |tx| {
            let fields = fields.clone();
            Box::pin(async move {
                let current = get(tx.db(), id).await?;
                check_source(tx.db(), "input.sourceId", fields.source_id).await?;
                check_phones_free(tx.db(), &fields, Some(id)).await?;
                let mut model: client::ActiveModel = current.into();
                apply(&mut model, &fields);
                model.updated_at = Set(tx.now());
                let updated = model.update(tx.db()).await?;
                replace_tags(tx.db(), id, &fields.tags).await?;
                tx.audit(
                    "client.update",
                    "client",
                    Some(id),
                    json!({ "name": updated.display_name, "phone": updated.phone, "phone2": updated.phone2, "tags": fields.tags }),
                )
                .await?;
                Ok(updated)
            })
        })
        .await
}

/// Takes a client off the books: the record stays, inactive, with its history, and no longer
/// shows in searches. Archiving an archived client changes nothing.
pub async fn archive(state: &AppState, caller: &Caller, id: i64) -> AppResult<client::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let current = get(tx.db(), id).await?;
                if !current.active {
                    return Ok(current);
                }
                let mut model: client::ActiveModel = current.into();
                model.active = Set(false);
                model.updated_at = Set(tx.now());
                let archived = model.update(tx.db()).await?;
                tx.audit(
                    "client.archive",
                    "client",
                    Some(id),
                    json!({ "name": archived.display_name, "phone": archived.phone }),
                )
                .await?;
                Ok(archived)
            })
        })
        .await
}

pub async fn tags_of<C: ConnectionTrait>(conn: &C, client_id: i64) -> AppResult<Vec<String>> {
    Ok(client_tag::Entity::find()
        .filter(client_tag::Column::ClientId.eq(client_id))
        .order_by_asc(client_tag::Column::Tag)
        .all(conn)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect())
}

/// The stored record as editable fields, to apply a partial change on top.
pub async fn current_fields<C: ConnectionTrait>(
    conn: &C,
    model: &client::Model,
) -> AppResult<ClientFields> {
    let phone = |p: &Option<String>| p.as_deref().and_then(Phone::normalise);
    Ok(ClientFields {
        last_name: model.last_name.clone(),
        first_name: model.first_name.clone(),
        patronymic: model.patronymic.clone(),
        phone: phone(&model.phone),
        phone2: phone(&model.phone2),
        email: model.email.clone(),
        telegram_id: model.telegram_id,
        telegram_username: model.telegram_username.clone(),
        birth_date: model.birth_date,
        source_id: model.source_id,
        notes: model.notes.clone(),
        discount_percent: model.discount_percent,
        tags: tags_of(conn, model.id).await?,
    })
}

pub async fn sources(state: &AppState) -> AppResult<Vec<client_source::Model>> {
    Ok(client_source::Entity::find()
        .order_by_asc(client_source::Column::SortOrder)
        .order_by_asc(client_source::Column::Name)
        .all(&state.db)
        .await?)
}

/// The source called `name` (case-insensitively), created when missing.
pub async fn source_named<C: ConnectionTrait>(
    conn: &C,
    name: &str,
) -> AppResult<client_source::Model> {
    let name = text::required("source", name, 100)?;
    let folded = crate::domain::search::fold(&name);
    let all = client_source::Entity::find().all(conn).await?;
    if let Some(found) = all
        .iter()
        .find(|s| crate::domain::search::fold(&s.name) == folded)
    {
        return Ok(found.clone());
    }
    let order = all.iter().map(|s| s.sort_order).max().unwrap_or(0) + 1;
    Ok(client_source::ActiveModel {
        name: Set(name),
        active: Set(true),
        sort_order: Set(order),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn create_source(
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> AppResult<client_source::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let source = source_named(tx.db(), name).await?;
                tx.audit(
                    "client_source.create",
                    "client_source",
                    Some(source.id),
                    json!({ "name": source.name }),
                )
                .await?;
                Ok(source)
            })
        })
        .await
}
