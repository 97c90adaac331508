//! Time taken on specialists and resources. Live claims of one specialist, or of one resource,
//! never overlap: PostgreSQL refuses it with an exclusion constraint; on SQLite the writer
//! checks inside its write turn, where no other booking write can run.

use chrono::{DateTime, Utc};
use entity::booking_claim;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::Expr,
};

use super::hold;
use crate::error::{AppError, AppResult};

/// What a claim belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Appointment(i64),
    Party(i64),
}

/// One claim to write.
#[derive(Debug, Clone, Copy)]
pub struct Want {
    pub specialist_id: Option<i64>,
    pub resource_id: Option<i64>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// True for the database's refusal of overlapping claims (SQLSTATE 23P01).
pub fn is_overlap(err: &DbErr) -> bool {
    let text = err.to_string();
    text.contains("23P01") || text.contains("ex_booking_claim_")
}

/// A database error, with an overlap refusal turned into SLOT_TAKEN.
pub fn db(err: DbErr) -> AppError {
    if is_overlap(&err) {
        hold::taken()
    } else {
        err.into()
    }
}

/// Whether any wanted time meets a live claim of someone else.
pub async fn clashes<C: ConnectionTrait>(
    conn: &C,
    wants: &[Want],
    except: Option<Owner>,
) -> AppResult<bool> {
    Ok(first_clash(conn, wants, except).await?.is_some())
}

/// The first live claim of someone else that a wanted time meets: what to name in a refusal.
pub async fn first_clash<C: ConnectionTrait>(
    conn: &C,
    wants: &[Want],
    except: Option<Owner>,
) -> AppResult<Option<booking_claim::Model>> {
    for want in wants {
        let mut who = Condition::any();
        if let Some(id) = want.specialist_id {
            who = who.add(booking_claim::Column::SpecialistId.eq(id));
        }
        if let Some(id) = want.resource_id {
            who = who.add(booking_claim::Column::ResourceId.eq(id));
        }
        let mut select = booking_claim::Entity::find()
            .filter(booking_claim::Column::Live.eq(true))
            .filter(booking_claim::Column::StartsAt.lt(want.to))
            .filter(booking_claim::Column::EndsAt.gt(want.from))
            .filter(who);
        match except {
            Some(Owner::Appointment(id)) => {
                select = select.filter(
                    Condition::any()
                        .add(booking_claim::Column::AppointmentId.is_null())
                        .add(booking_claim::Column::AppointmentId.ne(id)),
                );
            }
            Some(Owner::Party(id)) => {
                select = select.filter(
                    Condition::any()
                        .add(booking_claim::Column::PartyOrderId.is_null())
                        .add(booking_claim::Column::PartyOrderId.ne(id)),
                );
            }
            None => {}
        }
        if let Some(found) = select.one(conn).await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Writes the claims of an owner; an overlap becomes SLOT_TAKEN.
pub async fn take<C: ConnectionTrait>(conn: &C, owner: Owner, wants: &[Want]) -> AppResult<()> {
    let (appointment_id, party_order_id) = match owner {
        Owner::Appointment(id) => (Some(id), None),
        Owner::Party(id) => (None, Some(id)),
    };
    for want in wants {
        booking_claim::Entity::insert(booking_claim::ActiveModel {
            appointment_id: Set(appointment_id),
            party_order_id: Set(party_order_id),
            specialist_id: Set(want.specialist_id),
            resource_id: Set(want.resource_id),
            starts_at: Set(want.from),
            ends_at: Set(want.to),
            live: Set(true),
            ..Default::default()
        })
        .exec_without_returning(conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Frees every live claim of an owner.
pub async fn free<C: ConnectionTrait>(conn: &C, owner: Owner) -> AppResult<()> {
    let select = booking_claim::Entity::update_many()
        .col_expr(booking_claim::Column::Live, Expr::value(false))
        .filter(booking_claim::Column::Live.eq(true));
    let select = match owner {
        Owner::Appointment(id) => select.filter(booking_claim::Column::AppointmentId.eq(id)),
        Owner::Party(id) => select.filter(booking_claim::Column::PartyOrderId.eq(id)),
    };
    select.exec(conn).await?;
    Ok(())
}
