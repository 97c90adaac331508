//! Password hashing with argon2id (m = 19 MiB, t = 2, p = 1), off the async threads and
//! bounded in how many run at once.

use std::sync::Arc;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher as _, PasswordVerifier as _, phc::PasswordHash},
};
use tokio::sync::{OnceCell, Semaphore};

use crate::error::{AppError, AppResult};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

pub struct PasswordHasher {
    argon: Argon2<'static>,
    permits: Arc<Semaphore>,
    /// Verified against when the user does not exist, so both cases take the same time.
    dummy: OnceCell<String>,
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> AppResult<PasswordHasher> {
        let params = Params::new(19 * 1024, 2, 1, None).map_err(AppError::internal)?;
        Ok(PasswordHasher {
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            permits: Arc::new(Semaphore::new(concurrency)),
            dummy: OnceCell::new(),
        })
    }

    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let argon = self.argon.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            argon
                .hash_password(password.as_bytes())
                .map(|hash| hash.to_string())
                .map_err(AppError::internal)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// `true` when `password` matches `hash`. With no hash (unknown user) it still spends the
    /// time of one verification and answers `false`.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> AppResult<bool> {
        let hash = match hash {
            Some(h) => h.to_owned(),
            None => self
                .dummy
                .get_or_try_init(|| self.hash("no such user, no such password"))
                .await?
                .clone(),
        };
        let known = hash != *self.dummy.get().map(String::as_str).unwrap_or("");
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let argon = self.argon.clone();
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| argon.verify_password(password.as_bytes(), &parsed).is_ok())
                .map_err(AppError::internal)
        })
        .await
        .map_err(AppError::internal)??;
        Ok(matches && known)
    }
}

/// The rule for a new password.
pub fn check_new_password(field: &str, password: &str) -> AppResult<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AppError::validation(
            field,
            format!("пароль должен быть не короче {MIN_PASSWORD_CHARS} символов"),
            format!("the password must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AppError::validation(
            field,
            format!("пароль должен быть не длиннее {MAX_PASSWORD_CHARS} символов"),
            format!("the password must have at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err(AppError::validation(
            field,
            "пароль не может состоять из одного повторяющегося символа",
            "the password cannot be one repeated character",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_required_cost() {
        let hasher = PasswordHasher::new(2).unwrap();
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hasher.verify("correct horse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("wrong horse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("correct horse", None).await.unwrap());
    }

    #[test]
    fn new_password_rules() {
        assert!(check_new_password("password", "short").is_err());
        assert!(check_new_password("password", "aaaaaaaaaa").is_err());
        assert!(check_new_password("password", &"ab".repeat(65)).is_err());
        assert!(check_new_password("password", "demo12345").is_ok());
    }
}
