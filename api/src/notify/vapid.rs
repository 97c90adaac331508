//! The VAPID key pair of Web Push: from the settings, else made once and kept in the
//! database (the first replica to store it wins; every other reads that one).

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use entity::notification_key;
use sea_orm::{ActiveValue::Set, EntityTrait};
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};

use crate::{
    error::{AppError, AppResult},
    state::{AppState, wall_clock},
};

pub struct Vapid {
    pub key: ES256KeyPair,
    /// The uncompressed public point, base64url: what browsers subscribe with.
    pub public_key: String,
}

impl Vapid {
    fn from_private(raw: &[u8]) -> AppResult<Vapid> {
        let key = ES256KeyPair::from_bytes(raw)
            .map_err(|e| AppError::internal(format!("VAPID private key: {e}")))?;
        let public_key =
            URL_SAFE_NO_PAD.encode(key.public_key().public_key().to_bytes_uncompressed());
        Ok(Vapid { key, public_key })
    }
}

/// This deployment's key pair.
pub async fn get(state: &AppState) -> AppResult<Arc<Vapid>> {
    state
        .notifier
        .vapid
        .get_or_try_init(|| async { load(state).await.map(Arc::new) })
        .await
        .cloned()
}

async fn load(state: &AppState) -> AppResult<Vapid> {
    if let Some(secret) = &state.settings.vapid_private_key {
        let raw = URL_SAFE_NO_PAD
            .decode(secret.expose().trim().trim_end_matches('='))
            .map_err(|e| AppError::internal(format!("VAPID private key: {e}")))?;
        return Vapid::from_private(&raw);
    }
    if let Some(row) = notification_key::Entity::find_by_id(1)
        .one(&state.db)
        .await?
    {
        return stored(&row);
    }
    let made = ES256KeyPair::generate();
    let private = URL_SAFE_NO_PAD.encode(made.to_bytes());
    let public = URL_SAFE_NO_PAD.encode(made.public_key().public_key().to_bytes_uncompressed());
    {
        let _turn = state.write_turn().await;
        notification_key::Entity::insert(notification_key::ActiveModel {
            id: Set(1),
            private_key: Set(private),
            public_key: Set(public),
            created_at: Set(wall_clock()),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(&state.db)
        .await?;
    }
    // Another replica may have stored its pair first: everyone uses the stored one.
    match notification_key::Entity::find_by_id(1)
        .one(&state.db)
        .await?
    {
        Some(row) => stored(&row),
        None => Err(AppError::internal("the VAPID key pair was not stored")),
    }
}

fn stored(row: &notification_key::Model) -> AppResult<Vapid> {
    let raw = URL_SAFE_NO_PAD
        .decode(&row.private_key)
        .map_err(|e| AppError::internal(format!("stored VAPID key: {e}")))?;
    Vapid::from_private(&raw)
}
