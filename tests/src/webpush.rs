//! A local Web Push service: it hands out subscriptions whose private keys it keeps, and for
//! each push it checks the VAPID JWT (ES256 signature with the `k=` key, `aud` = the endpoint's
//! origin, a `sub` contact, an expiry within a day), decrypts the aes128gcm payload (RFC 8291)
//! with the subscription's keys, records it, and answers as scripted (201 unless told).

use std::{
    collections::{HashMap, HashSet, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::post,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::Value;
use tokio::sync::Notify;
use web_push_native::{
    Auth,
    jwt_simple::{
        algorithms::{ECDSAP256PublicKeyLike, ES256PublicKey},
        claims::NoCustomClaims,
        common::VerificationOptions,
    },
    p256::{self, elliptic_curve::sec1::ToEncodedPoint},
};

/// One push as the service received it.
#[derive(Debug, Clone)]
pub struct Push {
    /// The subscription id (the endpoint's last segment).
    pub subscription: String,
    /// What the service answered.
    pub status: u16,
    /// The decrypted payload, when the request was good.
    pub payload: Option<Value>,
    /// Why the request was refused (bad JWT, undecryptable body).
    pub error: Option<String>,
    /// The VAPID public key (`k=`) it was signed with.
    pub vapid_key: String,
}

struct Keys {
    secret: p256::SecretKey,
    auth: Auth,
}

#[derive(Default)]
struct Inner {
    keys: HashMap<String, Keys>,
    script: HashMap<String, VecDeque<u16>>,
    pushes: Vec<Push>,
}

/// A subscription as a browser would store it.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

#[derive(Clone)]
pub struct FakePush {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    arrived: Arc<Notify>,
}

impl FakePush {
    pub async fn start() -> FakePush {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let fake = FakePush {
            url: format!("http://{addr}"),
            inner: Arc::new(Mutex::new(Inner::default())),
            arrived: Arc::new(Notify::new()),
        };
        let app = Router::new()
            .route("/push/{id}", post(receive))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    /// A new subscription: the keys a browser would make, kept here to decrypt with.
    pub fn subscribe(&self) -> Subscription {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let mut scalar = [0u8; 32];
        scalar[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        scalar[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        let secret = p256::SecretKey::from_slice(&scalar).unwrap();
        let auth: [u8; 16] = *uuid::Uuid::new_v4().as_bytes();
        let p256dh = URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes());
        let sub = Subscription {
            endpoint: format!("{}/push/{id}", self.url),
            p256dh,
            auth: URL_SAFE_NO_PAD.encode(auth),
            id: id.clone(),
        };
        self.inner.lock().unwrap().keys.insert(
            id,
            Keys {
                secret,
                auth: Auth::from(auth),
            },
        );
        sub
    }

    /// The next answers to pushes to `sub` (201 once they run out).
    pub fn script(&self, sub: &Subscription, statuses: &[u16]) {
        self.inner
            .lock()
            .unwrap()
            .script
            .entry(sub.id.clone())
            .or_default()
            .extend(statuses);
    }

    pub fn pushes(&self) -> Vec<Push> {
        self.inner.lock().unwrap().pushes.clone()
    }

    /// Waits until `count` pushes to `sub` have arrived; panics after 15 s.
    pub async fn wait_for(&self, sub: &Subscription, count: usize) -> Vec<Push> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let arrived = self.arrived.notified();
            let got: Vec<Push> = self
                .pushes()
                .into_iter()
                .filter(|p| p.subscription == sub.id)
                .collect();
            if got.len() >= count {
                return got;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!("{count} pushes to {} never came; got {got:#?}", sub.id);
            }
        }
    }
}

async fn receive(
    State(fake): State<FakePush>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let checked = check(&fake, &id, &headers, &body);
    let mut inner = fake.inner.lock().unwrap();
    let (status, payload, error, vapid_key) = match checked {
        Ok((payload, key)) => {
            let status = inner
                .script
                .get_mut(&id)
                .and_then(VecDeque::pop_front)
                .unwrap_or(201);
            (status, Some(payload), None, key)
        }
        Err(error) => (400, None, Some(error), String::new()),
    };
    inner.pushes.push(Push {
        subscription: id,
        status,
        payload,
        error,
        vapid_key,
    });
    drop(inner);
    fake.arrived.notify_waiters();
    StatusCode::from_u16(status).unwrap()
}

/// The decrypted payload and the VAPID key, or why the request is no good.
fn check(
    fake: &FakePush,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Value, String), String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or(format!("no {name} header"))
    };
    if header("content-encoding")? != "aes128gcm" {
        return Err("content-encoding is not aes128gcm".into());
    }
    header("ttl")?;
    let authorization = header("authorization")?;
    let rest = authorization
        .strip_prefix("vapid ")
        .ok_or("authorization is not vapid")?;
    let (mut token, mut key) = (None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t.to_owned());
        } else if let Some(k) = part.strip_prefix("k=") {
            key = Some(k.to_owned());
        }
    }
    let (token, key) = (token.ok_or("no t=")?, key.ok_or("no k=")?);
    let raw = URL_SAFE_NO_PAD.decode(&key).map_err(|e| e.to_string())?;
    let public = ES256PublicKey::from_bytes(&raw).map_err(|e| e.to_string())?;
    // RFC 8292: the endpoint's origin. web-push-native leaves the port out of it, which is the
    // origin of a push service on the default port; this one listens on another.
    let without_port = fake.url.split(':').take(2).collect::<Vec<_>>().join(":");
    let claims = public
        .verify_token::<NoCustomClaims>(&token, Some(VerificationOptions::default()))
        .map_err(|e| format!("VAPID JWT: {e}"))?;
    let audiences = claims
        .audiences
        .clone()
        .map(|a| a.into_set())
        .unwrap_or_default();
    let allowed = HashSet::from([fake.url.clone(), without_port]);
    if audiences.is_disjoint(&allowed) {
        return Err(format!(
            "VAPID aud {audiences:?} is not the endpoint's origin {allowed:?}"
        ));
    }
    let subject = claims.subject.unwrap_or_default();
    if !(subject.starts_with("mailto:") || subject.starts_with("https:")) {
        return Err(format!("VAPID sub {subject:?} is no contact"));
    }
    let expires = claims.expires_at.ok_or("VAPID JWT without exp")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if expires.as_secs() > now + 24 * 3600 {
        return Err("VAPID JWT lives longer than a day".into());
    }
    let inner = fake.inner.lock().unwrap();
    let keys = inner.keys.get(id).ok_or("unknown subscription")?;
    let plain = web_push_native::decrypt(body.to_vec(), &keys.secret, &keys.auth)
        .map_err(|e| format!("decrypt: {e}"))?;
    let payload = serde_json::from_slice(&plain).map_err(|e| e.to_string())?;
    Ok((payload, key))
}
