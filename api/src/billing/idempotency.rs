//! Idempotency keys: the same key twice does the work once and answers the same; the same key
//! with other input is refused.

use entity::idempotency_key;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, SqlErr};
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// A checked key and the fingerprint of the request it came with.
pub struct Claim {
    pub key: String,
    pub scope: &'static str,
    pub hash: String,
}

impl Claim {
    pub fn new(key: &str, scope: &'static str, request: &impl Serialize) -> AppResult<Claim> {
        let key = key.trim();
        if !(8..=100).contains(&key.len()) || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::validation(
                "idempotencyKey",
                "ключ идемпотентности — от 8 до 100 печатных латинских символов (например UUID)",
                "an idempotency key is 8 to 100 printable ASCII characters (a UUID, say)",
            ));
        }
        let body = serde_json::to_vec(request).map_err(AppError::internal)?;
        Ok(Claim {
            key: key.to_owned(),
            scope,
            hash: format!("{:x}", Sha256::digest(&body)),
        })
    }

    /// The stored answer when this key was used before for the same request.
    pub async fn earlier<C: ConnectionTrait, T: DeserializeOwned>(
        &self,
        conn: &C,
    ) -> AppResult<Option<T>> {
        let Some(row) = idempotency_key::Entity::find_by_id(self.key.clone())
            .one(conn)
            .await?
        else {
            return Ok(None);
        };
        if row.scope != self.scope || row.request_hash != self.hash {
            return Err(AppError::conflict(
                "Этот ключ идемпотентности уже использован для другого запроса",
                "This idempotency key was already used for a different request",
            ));
        }
        serde_json::from_value(row.response)
            .map(Some)
            .map_err(AppError::internal)
    }

    /// The answer of the request that won a race for this key, after [`Claim::remember`] said
    /// `false` and this attempt rolled back.
    pub async fn winner<C: ConnectionTrait, T: DeserializeOwned>(&self, conn: &C) -> AppResult<T> {
        self.earlier(conn)
            .await?
            .ok_or_else(|| AppError::internal("idempotency key vanished after a conflict"))
    }

    /// Stores the answer in the transaction of the work it answers. `false` when a concurrent
    /// request with the same key stored first: roll back and answer with [`Claim::earlier`].
    pub(crate) async fn remember<C: ConnectionTrait>(
        &self,
        conn: &C,
        response: &impl Serialize,
        now: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<bool> {
        let stored = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
            key: Set(self.key.clone()),
            scope: Set(self.scope.to_owned()),
            request_hash: Set(self.hash.clone()),
            response: Set(serde_json::to_value(response).map_err(AppError::internal)?),
            created_at: Set(now),
        })
        .exec_without_returning(conn)
        .await;
        match stored {
            Ok(_) => Ok(true),
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                Ok(false)
            }
            Err(err) => Err(err.into()),
        }
    }
}
