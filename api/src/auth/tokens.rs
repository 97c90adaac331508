//! Access tokens (HS256 JWT, short-lived) and opaque random secrets (refresh tokens, API keys).

use crate::state::wall_clock;
use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::enums::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    config::Settings,
    error::{AppError, AppResult, Msg},
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    pub jti: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// The sign-in (refresh-token family) this token belongs to: revoking the sign-in ends
    /// the token at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl JwtKeys {
    pub fn new(settings: &Settings) -> AppResult<JwtKeys> {
        let secret = settings
            .jwt_secret
            .as_ref()
            .ok_or_else(|| AppError::internal("JWT secret is not configured"))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&settings.jwt_issuer]);
        validation.set_audience(&[&settings.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
            ttl: Duration::minutes(settings.access_token_minutes),
        })
    }

    /// Signs a new access token for a user's sign-in.
    pub fn issue(&self, user_id: i64, role: Role, sign_in: &str) -> AppResult<(String, Claims)> {
        let now = wall_clock();
        let claims = Claims {
            sub: user_id.to_string(),
            role: role.as_str().to_owned(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
            sid: Some(sign_in.to_owned()),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)?;
        Ok((token, claims))
    }

    /// Checks signature, algorithm, issuer, audience and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims, Msg> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => Msg::new(
                    "Срок действия токена истёк: обновите его через refreshToken или войдите снова",
                    "The access token has expired: renew it with refreshToken or sign in again",
                ),
                _ => Msg::new(
                    "Токен доступа недействителен",
                    "The access token is not valid",
                ),
            })
    }
}

/// When a claim's unix time is, as a UTC instant.
pub fn instant(unix: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(unix, 0)
        .single()
        .unwrap_or_else(wall_clock)
}

/// 256 random bits as 64 hex characters.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How opaque secrets are stored: they carry 256 bits of entropy, so a fast hash suffices.
pub fn sha256_hex(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn keys() -> JwtKeys {
        let settings = Settings {
            jwt_secret: Some(Secret::new("k".repeat(32))),
            ..Settings::default()
        };
        JwtKeys::new(&settings).unwrap()
    }

    #[test]
    fn round_trip() {
        let keys = keys();
        let (token, claims) = keys.issue(7, Role::Operator, "s1").unwrap();
        let back = keys.verify(&token).unwrap();
        assert_eq!(back, claims);
        assert_eq!(back.sub, "7");
        assert_eq!(back.role, "operator");
    }

    #[test]
    fn tokens_from_other_secrets_are_refused() {
        let (token, _) = keys().issue(1, Role::Owner, "s1").unwrap();
        let other = Settings {
            jwt_secret: Some(Secret::new("x".repeat(32))),
            ..Settings::default()
        };
        assert!(JwtKeys::new(&other).unwrap().verify(&token).is_err());
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
