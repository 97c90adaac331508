//! The event bus: the outbox relay publishes committed events, subscriptions listen.
//!
//! Two engines behind one type. In-process, a topic is a `tokio::sync::broadcast` channel.
//! With Redis, `publish` goes to a Redis channel and one listener task per process
//! (`PSUBSCRIBE <prefix>:*`) feeds the same local channels, so every replica's subscribers
//! see every replica's events. Redis pub/sub is at-most-once: when the listener reconnects it
//! sends [`BusMessage::Resync`] to every local subscriber, and subscriptions answer that with a
//! fresh snapshot.

pub mod domain;
pub mod outbox;
pub mod topics;

use std::{
    any::Any,
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use futures_util::{Stream, StreamExt};
use redis::AsyncCommands;
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;

pub use outbox::{Envelope, Event, Relay};
pub use topics::Topic;

use crate::error::{AppError, AppResult};

const CHANNEL_CAPACITY: usize = 256;

/// What a local subscriber receives.
#[derive(Debug, Clone)]
pub enum BusMessage {
    /// One event, shared by every local subscriber of its topic.
    Event(Arc<Payload>),
    /// Events may have been missed (slow subscriber or a lost Redis connection): refetch.
    Resync,
}

/// One event as it crossed the bus (JSON), decoded at most once per process: the first
/// subscriber to read it decodes it, the others clone the result. A live map watched by a
/// thousand screens decodes each change once, not a thousand times.
pub struct Payload {
    json: Box<str>,
    decoded: OnceLock<Option<Arc<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payload").field("json", &self.json).finish()
    }
}

impl Payload {
    fn new(json: impl Into<Box<str>>) -> Arc<Payload> {
        Arc::new(Payload {
            json: json.into(),
            decoded: OnceLock::new(),
        })
    }

    /// The event as a `T`; `None` (logged) when the JSON is not one.
    fn decode<T: DeserializeOwned + Clone + Send + Sync + 'static>(&self) -> Option<T> {
        let parse = || match serde_json::from_str::<T>(&self.json) {
            Ok(event) => Some(event),
            Err(err) => {
                tracing::warn!(%err, "undecodable event skipped");
                None
            }
        };
        let shared = self
            .decoded
            .get_or_init(|| parse().map(|e| Arc::new(e) as Arc<dyn Any + Send + Sync>));
        match shared {
            Some(any) => match any.downcast_ref::<T>() {
                Some(event) => Some(event.clone()),
                // Another type was asked of this topic first: decode this one apart.
                None => parse(),
            },
            None => None,
        }
    }

    /// The outbox id of the event; `None` when the JSON carries none.
    fn id(&self) -> Option<i64> {
        #[derive(serde::Deserialize)]
        struct Id {
            id: i64,
        }
        serde_json::from_str::<Id>(&self.json).ok().map(|e| e.id)
    }
}

/// What a typed subscription stream yields.
#[derive(Debug, Clone)]
pub enum Delivery<T> {
    /// An event, with the outbox id it is known by.
    Event {
        id: i64,
        event: T,
    },
    Resync,
}

/// How many recent event ids a topic remembers to drop a repeat delivery.
const SEEN_IDS: usize = 1024;

/// The ids a topic has delivered lately: the relay delivers at least once. Kept per topic,
/// not per subscriber, so ten thousand screens of one map share one set.
#[derive(Default)]
struct Seen {
    ids: HashSet<i64>,
    order: VecDeque<i64>,
}

impl Seen {
    /// `true` the first time `id` is seen.
    fn first(&mut self, id: i64) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > SEEN_IDS
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        true
    }
}

#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

/// One topic's local subscribers and the event ids they were given.
struct Channel {
    tx: broadcast::Sender<BusMessage>,
    seen: Seen,
}

struct Inner {
    local: Mutex<HashMap<String, Channel>>,
    redis: Option<RedisLink>,
    /// Whether events from other processes reach this one now (always, in memory).
    listening: std::sync::atomic::AtomicBool,
}

struct RedisLink {
    prefix: String,
    conn: redis::aio::ConnectionManager,
}

impl EventBus {
    /// The in-process bus of the embedded mode.
    pub fn memory() -> EventBus {
        EventBus {
            inner: Arc::new(Inner {
                local: Mutex::new(HashMap::new()),
                redis: None,
                listening: std::sync::atomic::AtomicBool::new(true),
            }),
        }
    }

    /// The Redis bus of the scale-out mode; starts the listener task.
    pub async fn redis(
        client: redis::Client,
        conn: redis::aio::ConnectionManager,
        prefix: &str,
    ) -> AppResult<EventBus> {
        let bus = EventBus {
            inner: Arc::new(Inner {
                local: Mutex::new(HashMap::new()),
                redis: Some(RedisLink {
                    prefix: prefix.to_owned(),
                    conn,
                }),
                listening: std::sync::atomic::AtomicBool::new(true),
            }),
        };
        // Subscribe before returning, so nothing published after start-up is missed.
        let pubsub = listen(&client, prefix).await?;
        tokio::spawn(run_listener(
            Arc::downgrade(&bus.inner),
            client,
            prefix.to_owned(),
            pubsub,
        ));
        Ok(bus)
    }

    /// Whether this process hears events published by others right now. A cache that other
    /// processes' events keep fresh must not be trusted while this is `false`.
    pub fn listening(&self) -> bool {
        self.inner
            .listening
            .load(std::sync::atomic::Ordering::Acquire)
    }

    pub fn engine(&self) -> &'static str {
        if self.inner.redis.is_some() {
            "redis"
        } else {
            "memory"
        }
    }

    /// Publishes one event (an [`Envelope`] as JSON) on the topic spelled `key`. Only the
    /// outbox relay calls this, after the event's transaction has committed.
    pub async fn publish_json(&self, key: &str, json: &str) -> AppResult<()> {
        match &self.inner.redis {
            Some(link) => {
                let mut conn = link.conn.clone();
                let channel = format!("{}:{key}", link.prefix);
                conn.publish::<_, _, ()>(channel, json)
                    .await
                    .map_err(|e| AppError::Unavailable(format!("redis publish: {e}")))
            }
            None => {
                self.inner.deliver(key, Payload::new(json));
                Ok(())
            }
        }
    }

    /// Subscribes to a topic. A subscriber that falls behind gets `Resync` instead of the
    /// events it missed.
    pub fn subscribe<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &self,
        topic: &Topic,
    ) -> impl Stream<Item = Delivery<T>> + Send + 'static + use<T> {
        let receiver = self.inner.subscribe(&topic.key());
        futures_util::stream::unfold(receiver, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(BusMessage::Event(payload)) => {
                        if let Some(envelope) = payload.decode::<Envelope<T>>() {
                            let delivery = Delivery::Event {
                                id: envelope.id,
                                event: envelope.data,
                            };
                            return Some((delivery, rx));
                        }
                    }
                    Ok(BusMessage::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((Delivery::Resync, rx));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .boxed()
    }
}

impl Inner {
    fn subscribe(&self, key: &str) -> broadcast::Receiver<BusMessage> {
        let mut local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        // Forget topics nobody listens to any more.
        if local.len() > 1024 {
            local.retain(|_, channel| channel.tx.receiver_count() > 0);
        }
        local
            .entry(key.to_owned())
            .or_insert_with(|| Channel {
                tx: broadcast::channel(CHANNEL_CAPACITY).0,
                seen: Seen::default(),
            })
            .tx
            .subscribe()
    }

    /// Hands an event to the topic's local subscribers, unless the topic had it already.
    fn deliver(&self, key: &str, payload: Arc<Payload>) {
        let mut local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(channel) = local.get_mut(key)
            && payload.id().is_none_or(|id| channel.seen.first(id))
        {
            // No receivers is fine: nobody is watching this topic.
            let _ = channel.tx.send(BusMessage::Event(payload));
        }
    }

    fn resync_all(&self) {
        let local = self.local.lock().unwrap_or_else(|p| p.into_inner());
        for channel in local.values() {
            let _ = channel.tx.send(BusMessage::Resync);
        }
    }
}

async fn listen(client: &redis::Client, prefix: &str) -> AppResult<redis::aio::PubSub> {
    let mut pubsub = client
        .get_async_pubsub()
        .await
        .map_err(|e| AppError::internal(format!("redis subscribe: {e}")))?;
    pubsub
        .psubscribe(format!("{prefix}:*"))
        .await
        .map_err(|e| AppError::internal(format!("redis psubscribe: {e}")))?;
    Ok(pubsub)
}

async fn run_listener(
    inner: std::sync::Weak<Inner>,
    client: redis::Client,
    prefix: String,
    mut pubsub: redis::aio::PubSub,
) {
    let strip = format!("{prefix}:");
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                let Some(inner) = inner.upgrade() else { return };
                let Some(key) = msg.get_channel_name().strip_prefix(&strip) else {
                    continue;
                };
                match msg.get_payload::<String>() {
                    Ok(payload) => inner.deliver(key, Payload::new(payload)),
                    Err(err) => tracing::warn!(%err, "undecodable redis message skipped"),
                }
            }
        }
        tracing::warn!("redis event listener lost its connection; reconnecting");
        match inner.upgrade() {
            Some(inner) => inner
                .listening
                .store(false, std::sync::atomic::Ordering::Release),
            None => return,
        }
        let mut delay = Duration::from_millis(200);
        pubsub = loop {
            if inner.strong_count() == 0 {
                return;
            }
            match listen(&client, &prefix).await {
                Ok(p) => break p,
                Err(err) => {
                    tracing::warn!(%err, "redis event listener reconnect failed");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        };
        match inner.upgrade() {
            Some(inner) => {
                inner
                    .listening
                    .store(true, std::sync::atomic::Ordering::Release);
                inner.resync_all();
            }
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_bus_delivers_to_subscribers_of_the_topic_only() {
        let bus = EventBus::memory();
        let mut a = Box::pin(bus.subscribe::<u32>(&Topic::ResourceStatus { location_id: 1 }));
        let mut b = Box::pin(bus.subscribe::<u32>(&Topic::ResourceStatus { location_id: 2 }));
        let key = Topic::ResourceStatus { location_id: 1 }.key();
        bus.publish_json(&key, &envelope(1, 7)).await.unwrap();
        assert!(matches!(
            a.next().await,
            Some(Delivery::Event { id: 1, event: 7 })
        ));
        let nothing = tokio::time::timeout(Duration::from_millis(50), b.next()).await;
        assert!(nothing.is_err());
    }

    fn envelope(id: i64, data: u32) -> String {
        serde_json::to_string(&Envelope {
            id,
            kind: "test".into(),
            at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            data,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn a_repeated_event_id_reaches_a_subscriber_once() {
        let bus = EventBus::memory();
        let topic = Topic::ResourceStatus { location_id: 1 };
        let mut sub = Box::pin(bus.subscribe::<u32>(&topic));
        for (id, data) in [(1, 10), (1, 10), (2, 20)] {
            bus.publish_json(&topic.key(), &envelope(id, data))
                .await
                .unwrap();
        }
        assert!(matches!(
            sub.next().await,
            Some(Delivery::Event { id: 1, .. })
        ));
        assert!(matches!(
            sub.next().await,
            Some(Delivery::Event { id: 2, .. })
        ));
        let nothing = tokio::time::timeout(Duration::from_millis(50), sub.next()).await;
        assert!(nothing.is_err());
    }

    #[test]
    fn a_payload_is_decoded_once_and_other_types_apart() {
        let payload = Payload::new("7");
        assert_eq!(payload.decode::<u32>(), Some(7));
        assert!(payload.decoded.get().is_some_and(|d| d.is_some()));
        assert_eq!(payload.decode::<u32>(), Some(7));
        assert_eq!(payload.decode::<i64>(), Some(7));
        assert_eq!(payload.decode::<String>(), None);
    }
}
