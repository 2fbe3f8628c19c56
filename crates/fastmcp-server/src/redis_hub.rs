//! Redis pub/sub for many local followers over one connection: channels are subscribed
//! while someone in this process follows them and unsubscribed once nobody does (swept
//! every second); after a dropped connection every channel still followed is subscribed
//! again (messages published meanwhile are lost: followers must not rely on them alone).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use fastmcp_core::Error;
use futures::StreamExt;
use redis::aio::PubSubSink;
use tokio::sync::{mpsc, Notify};

use crate::lock::lock;

/// How many messages a follower may leave unread before more are dropped for it.
const FOLLOWER_BUFFER: usize = 256;

#[derive(Default)]
struct State {
    followers: HashMap<String, Vec<mpsc::Sender<Bytes>>>,
    sink: Option<PubSubSink>,
    running: bool,
}

/// One pub/sub connection shared by this process's followers.
pub(crate) struct Hub {
    client: redis::Client,
    state: Arc<Mutex<State>>,
    /// Woken when the connection is (again) up.
    connected: Arc<Notify>,
}

/// How long [`Hub::follow`] waits for the connection before it returns anyway.
const CONNECT_WAIT: Duration = Duration::from_secs(2);

impl Hub {
    pub(crate) fn new(client: redis::Client) -> Hub {
        Hub {
            client,
            state: Arc::default(),
            connected: Arc::default(),
        }
    }

    /// The messages published on `channel` from now on: from when this returns, if Redis
    /// is reachable within two seconds; else from when the connection is up.
    pub(crate) async fn follow(&self, channel: &str) -> Result<mpsc::Receiver<Bytes>, Error> {
        let (tx, rx) = mpsc::channel(FOLLOWER_BUFFER);
        let (first, start) = {
            let mut s = lock(&self.state);
            let list = s.followers.entry(channel.to_owned()).or_default();
            list.push(tx);
            let first = list.len() == 1;
            let start = !s.running;
            s.running = true;
            (first, start)
        };
        if start {
            let (client, state) = (self.client.clone(), self.state.clone());
            tokio::spawn(run(client, state, self.connected.clone()));
        }
        if first {
            if let Some(mut sink) = self.sink().await {
                // Subscribing twice (the connection loop may have) is harmless.
                let _ = sink.subscribe(channel).await;
            }
        }
        Ok(rx)
    }

    /// The connection's sink, waiting a little for the connection if it is not up.
    async fn sink(&self) -> Option<PubSubSink> {
        let deadline = tokio::time::Instant::now() + CONNECT_WAIT;
        loop {
            let up = self.connected.notified();
            tokio::pin!(up);
            up.as_mut().enable();
            if let Some(sink) = lock(&self.state).sink.clone() {
                return Some(sink);
            }
            if tokio::time::timeout_at(deadline, up).await.is_err() {
                return None;
            }
        }
    }
}

/// Keep a connection, subscribe what is followed, hand messages out, sweep channels that
/// nobody follows any more; stop once nothing has been followed for a while.
async fn run(client: redis::Client, state: Arc<Mutex<State>>, connected: Arc<Notify>) {
    let mut pause = Duration::from_millis(100);
    let mut idle_rounds = 0;
    loop {
        let conn = tokio::time::timeout(Duration::from_secs(5), client.get_async_pubsub()).await;
        let Ok(Ok(ps)) = conn else {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
            continue;
        };
        pause = Duration::from_millis(100);
        let (mut sink, mut stream) = ps.split();
        let channels: Vec<String> = lock(&state).followers.keys().cloned().collect();
        if !channels.is_empty() && sink.subscribe(&channels).await.is_err() {
            continue;
        }
        lock(&state).sink = Some(sink.clone());
        connected.notify_waiters();
        let mut sweep = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                m = stream.next() => {
                    let Some(m) = m else { break };
                    deliver(&state, m);
                }
                _ = sweep.tick() => {
                    let gone = sweep_followers(&state);
                    if !gone.is_empty() {
                        let _ = sink.unsubscribe(&gone).await;
                        // Followed again meanwhile: subscribe again.
                        let back: Vec<String> = {
                            let s = lock(&state);
                            gone.into_iter().filter(|c| s.followers.contains_key(c)).collect()
                        };
                        if !back.is_empty() {
                            let _ = sink.subscribe(&back).await;
                        }
                    }
                    let empty = lock(&state).followers.is_empty();
                    idle_rounds = if empty { idle_rounds + 1 } else { 0 };
                    if idle_rounds > 60 {
                        let mut s = lock(&state);
                        if s.followers.is_empty() {
                            s.running = false;
                            s.sink = None;
                            return;
                        }
                    }
                }
            }
        }
        lock(&state).sink = None;
    }
}

fn deliver(state: &Mutex<State>, m: redis::Msg) {
    let channel = m.get_channel_name().to_owned();
    let payload = Bytes::from(m.get_payload_bytes().to_vec());
    let s = lock(state);
    for tx in s.followers.get(&channel).into_iter().flatten() {
        // A follower that does not read loses messages rather than holding memory.
        let _ = tx.try_send(payload.clone());
    }
}

/// Drop the followers that went away; the channels nobody follows any more.
fn sweep_followers(state: &Mutex<State>) -> Vec<String> {
    let mut s = lock(state);
    let mut gone = vec![];
    s.followers.retain(|channel, list| {
        list.retain(|tx| !tx.is_closed());
        if list.is_empty() {
            gone.push(channel.clone());
        }
        !list.is_empty()
    });
    gone
}
