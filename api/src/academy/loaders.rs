//! Relation lookups of the academy, batched per request: a list of students with their
//! memberships, ranks and eligibility, or a session with its attendance, costs one statement
//! per relation whatever the length.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::{
    academy_attendance, academy_belt, academy_exam, academy_freeze, academy_membership,
    academy_plan, academy_rank, academy_session, academy_student, client_account,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, Order, QueryFilter, QueryOrder};

use crate::batch::{LoadError, LoaderTable, by_id_loader, grouped};

pub fn register(table: &mut LoaderTable) {
    table.add(StudentById);
    table.add(PlanById);
    table.add(SessionById);
    table.add(AttendanceBySession);
    table.add(MembershipsByStudent);
    table.add(RanksByStudent);
    table.add(ExamsByStudent);
    table.add(ClassesSinceByStudent);
    table.add(|db| Ladder(db, tokio::sync::OnceCell::new()));
    table.add(StudentByClient);
    table.add(LoginsByClient);
    table.add(FreezesByMembership);
}

by_id_loader!(StudentById, academy_student);
by_id_loader!(PlanById, academy_plan);
by_id_loader!(SessionById, academy_session);

/// A session's attendance, in marking order.
pub struct AttendanceBySession(DatabaseConnection);

impl Loader<i64> for AttendanceBySession {
    type Value = Vec<academy_attendance::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        use academy_attendance::{Column, Entity};
        grouped::<Entity>(
            &self.0,
            Column::SessionId,
            keys,
            |r| Some(r.session_id),
            [(Column::Id, Order::Asc)],
        )
        .await
    }
}

/// A student's memberships, the latest start first.
pub struct MembershipsByStudent(DatabaseConnection);

impl Loader<i64> for MembershipsByStudent {
    type Value = Vec<academy_membership::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        use academy_membership::{Column, Entity};
        grouped::<Entity>(
            &self.0,
            Column::StudentId,
            keys,
            |r| Some(r.student_id),
            [(Column::StartsOn, Order::Desc), (Column::Id, Order::Desc)],
        )
        .await
    }
}

/// A student's promotions, oldest first.
pub struct RanksByStudent(DatabaseConnection);

impl Loader<i64> for RanksByStudent {
    type Value = Vec<academy_rank::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        use academy_rank::{Column, Entity};
        grouped::<Entity>(
            &self.0,
            Column::StudentId,
            keys,
            |r| Some(r.student_id),
            [(Column::PromotedAt, Order::Asc), (Column::Id, Order::Asc)],
        )
        .await
    }
}

/// A student's exams, by date.
pub struct ExamsByStudent(DatabaseConnection);

impl Loader<i64> for ExamsByStudent {
    type Value = Vec<academy_exam::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        use academy_exam::{Column, Entity};
        grouped::<Entity>(
            &self.0,
            Column::StudentId,
            keys,
            |r| Some(r.student_id),
            [(Column::ExamDate, Order::Asc), (Column::Id, Order::Asc)],
        )
        .await
    }
}

/// Classes attended since the last promotion, per student.
pub struct ClassesSinceByStudent(DatabaseConnection);

impl Loader<i64> for ClassesSinceByStudent {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, i64>, Self::Error> {
        let mut counts = super::belts::classes_since(&self.0, keys)
            .await
            .map_err(Arc::new)?;
        for key in keys {
            counts.entry(*key).or_insert(0);
        }
        Ok(counts)
    }
}

/// Every belt of both ladders, under the key [`LADDER`]. The table is a few rows long and
/// belts appear at several depths of one query (a student's belt, their ranks' belts), so the
/// ladder is read once a request and kept.
pub struct Ladder(
    DatabaseConnection,
    tokio::sync::OnceCell<Vec<academy_belt::Model>>,
);

/// The one key of [`Ladder`].
pub const LADDER: i64 = 0;

impl Loader<i64> for Ladder {
    type Value = Vec<academy_belt::Model>;
    type Error = LoadError;

    async fn load(&self, _keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = self
            .1
            .get_or_try_init(|| async {
                academy_belt::Entity::find()
                    .order_by_asc(academy_belt::Column::Track)
                    .order_by_asc(academy_belt::Column::Position)
                    .all(&self.0)
                    .await
                    .map_err(Arc::new)
            })
            .await?;
        Ok(HashMap::from([(LADDER, rows.clone())]))
    }
}

/// The student record of a client.
pub struct StudentByClient(DatabaseConnection);

impl Loader<i64> for StudentByClient {
    type Value = academy_student::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = academy_student::Entity::find()
            .filter(academy_student::Column::ClientId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|s| (s.client_id, s)).collect())
    }
}

/// The logins linked to a client, oldest link first.
pub struct LoginsByClient(DatabaseConnection);

impl Loader<i64> for LoginsByClient {
    type Value = Vec<client_account::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        grouped::<client_account::Entity>(
            &self.0,
            client_account::Column::ClientId,
            keys,
            |l| Some(l.client_id),
            [(client_account::Column::CreatedAt, Order::Asc)],
        )
        .await
    }
}

/// A membership's freezes, by start.
pub struct FreezesByMembership(DatabaseConnection);

impl Loader<i64> for FreezesByMembership {
    type Value = Vec<academy_freeze::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        use academy_freeze::{Column, Entity};
        grouped::<Entity>(
            &self.0,
            Column::MembershipId,
            keys,
            |r| Some(r.membership_id),
            [(Column::StartsOn, Order::Asc), (Column::Id, Order::Asc)],
        )
        .await
    }
}
