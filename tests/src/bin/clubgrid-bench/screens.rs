//! Live-map screens reduced to their sockets, for `fanout-10k`.
//!
//! Ten thousand screens share this box's two cores with the server they measure. Through the
//! typed client each one kept a protocol task, decoded every frame into a value and then into
//! its type, and each round spawned a waiter with its own timer per screen: the client's share
//! of the cores showed up in the server's delivery times. Here a screen is a socket and one
//! task: it speaks graphql-transport-ws by hand, stamps each frame's arrival as it is read
//! and only looks for the few bytes that say what the frame is.

use std::time::{Duration, Instant};

use clubgrid_tests::clubgrid_client::{Client, GraphQLQuery, Socket, ops};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::{sync::mpsc, task::AbortHandle};
use tokio_tungstenite::tungstenite::Message;

use super::BenchResult;

/// What a screen reports of one frame after its snapshot.
enum Seen {
    /// A change arrived at this instant.
    Change(Instant),
    /// Anything else: an error, a completion, a second snapshot or the socket ending.
    Unexpected(String),
}

/// Open screens, each reading its socket in a task of its own.
pub(crate) struct Screens {
    readers: Vec<AbortHandle>,
    seen: mpsc::UnboundedReceiver<Seen>,
}

impl Drop for Screens {
    /// Closes every socket: a screen's task owns its socket.
    fn drop(&mut self) {
        for reader in &self.readers {
            reader.abort();
        }
    }
}

/// The next text frame that is not a protocol ping (answered on the way).
async fn next_text(socket: &mut Socket) -> BenchResult<String> {
    loop {
        match socket.next().await.ok_or("the socket ended")?? {
            Message::Text(text) if text.contains(r#""type":"ping""#) => {
                socket
                    .send(Message::text(r#"{"type":"pong"}"#.to_owned()))
                    .await?;
            }
            Message::Text(text) => return Ok(text.as_str().to_owned()),
            Message::Close(frame) => return Err(format!("closed: {frame:?}").into()),
            _ => {}
        }
    }
}

/// One screen: connects as `viewer`, subscribes to the live map of `location_id` and reads
/// its snapshot.
async fn open(viewer: &Client, location_id: i64) -> BenchResult<Socket> {
    let mut socket = viewer.socket().await?;
    let token = viewer.token().ok_or("the viewer has no token")?;
    let init = json!({
        "type": "connection_init",
        "payload": { "authorization": format!("Bearer {token}") },
    });
    socket.send(Message::text(init.to_string())).await?;
    let ack = next_text(&mut socket).await?;
    if !ack.contains(r#""type":"connection_ack""#) {
        return Err(format!("expected an ack, got {ack}").into());
    }
    let body = ops::ResourceStatusChanged::build_query(ops::resource_status_changed::Variables {
        location_id: location_id.to_string(),
    });
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": body });
    socket.send(Message::text(subscribe.to_string())).await?;
    let first = next_text(&mut socket).await?;
    if !(first.contains(r#""type":"next""#) && first.contains(r#""snapshot":true"#)) {
        return Err(format!("expected a snapshot, got {first}").into());
    }
    Ok(socket)
}

/// What one change frame says, from its bytes: a change, or why it is not one.
fn classify(text: &str) -> Result<(), String> {
    if text.contains(r#""type":"next""#)
        && text.contains(r#""snapshot":false"#)
        && !text.contains(r#""errors""#)
    {
        Ok(())
    } else {
        Err(text.chars().take(300).collect())
    }
}

/// Reads `socket` until it ends, reporting each frame's arrival.
async fn read(mut socket: Socket, seen: mpsc::UnboundedSender<Seen>) {
    loop {
        let report = match next_text(&mut socket).await {
            Ok(text) => match classify(&text) {
                Ok(()) => Seen::Change(Instant::now()),
                Err(what) => Seen::Unexpected(what),
            },
            Err(err) => Seen::Unexpected(err.to_string()),
        };
        let ended = matches!(report, Seen::Unexpected(_));
        if seen.send(report).is_err() || ended {
            return;
        }
    }
}

impl Screens {
    /// Opens `n` screens of `location_id`'s live map as `viewer`, fifty at a time.
    pub(crate) async fn open(viewer: &Client, location_id: i64, n: usize) -> BenchResult<Screens> {
        let (report, seen) = mpsc::unbounded_channel();
        let mut screens = Screens {
            readers: Vec::with_capacity(n),
            seen,
        };
        let mut opening = Vec::new();
        for i in 0..n {
            let viewer = viewer.clone();
            opening.push(tokio::spawn(
                async move { open(&viewer, location_id).await },
            ));
            if opening.len() == 50 || i + 1 == n {
                for task in opening.drain(..) {
                    let socket = task.await??;
                    let reader = tokio::spawn(read(socket, report.clone()));
                    screens.readers.push(reader.abort_handle());
                }
            }
        }
        Ok(screens)
    }

    /// Waits for one change on every screen; answers each arrival's delay after `sent`.
    pub(crate) async fn changes_since(&mut self, sent: Instant) -> BenchResult<Vec<Duration>> {
        let mut delays = Vec::with_capacity(self.readers.len());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while delays.len() < self.readers.len() {
            match tokio::time::timeout_at(deadline, self.seen.recv()).await {
                Ok(Some(Seen::Change(at))) => delays.push(at.saturating_duration_since(sent)),
                Ok(Some(Seen::Unexpected(what))) => {
                    return Err(format!("a screen got {what}").into());
                }
                Ok(None) => return Err("every screen ended".into()),
                Err(_) => {
                    return Err(format!(
                        "{} of {} screens got no change in 30 s",
                        self.readers.len() - delays.len(),
                        self.readers.len()
                    )
                    .into());
                }
            }
        }
        Ok(delays)
    }
}

#[cfg(test)]
mod tests {
    use clubgrid_tests::{Backend, TestApp};
    use entity::enums::Role;

    use super::{Screens, classify};
    use crate::club::{change, location};

    /// Every screen reports each change once, stamped after it was sent; a screen that got
    /// nothing makes the wait fail instead of coming back short.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_screen_sees_each_change_once() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let app = TestApp::spawn(backend).await;
            let (location_id, _, pcs) = location(&app, "Screens", 1).await.unwrap();
            let viewer = app.as_role(Role::Operator).await;
            let tech = app.as_role(Role::Tech).await;
            let mut screens = Screens::open(&viewer, location_id, 5).await.unwrap();
            for round in 0..2 {
                let sent = change(&tech, pcs[0], round).await.unwrap();
                let delays = screens.changes_since(sent).await.unwrap();
                assert_eq!(delays.len(), 5);
                assert!(delays.iter().all(|d| d.as_secs() < 30));
            }
            // Nothing more came: a sixth report would be left in the channel.
            assert!(screens.seen.try_recv().is_err());
            drop(screens);
            app.stop().await;
        }
    }

    #[test]
    fn a_change_is_told_from_anything_else() {
        let change = r#"{"id":"1","type":"next","payload":{"data":{"resourceStatusChanged":{"snapshot":false,"removedIds":[],"resources":[]}}}}"#;
        assert!(classify(change).is_ok());
        let snapshot = change.replace("false", "true");
        assert!(classify(&snapshot).is_err());
        let failed =
            r#"{"id":"1","type":"next","payload":{"data":null,"errors":[{"message":"x"}]}}"#;
        assert!(classify(failed).is_err());
        assert!(classify(r#"{"id":"1","type":"complete"}"#).is_err());
    }
}
