//! One client of the workload: a resilient connection and the operations it runs, each
//! checked against what the server must answer.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use fastmcp::client::resilient::{Backoff, Resilient, ResilientOptions};
use fastmcp::client::{Client, ClientHandler, Mode, Supports};
use fastmcp::core::{BoxFuture, Error};
use fastmcp::protocol::{
    CallToolResult, ClientCapabilities, ElicitAction, ElicitRequestParams, ElicitResult,
    ProtocolVersion,
};
use fastmcp::transport::http_client::StreamableHttp;
use serde_json::json;
use serde_json::value::RawValue;

use super::tally::Outcome;

/// The longest any operation may take before it counts as hung.
pub const BOUND: Duration = Duration::from_secs(60);

/// The resource whose changes subscribers are told about.
const TICKER: &str = "soak://ticker";

/// The operations, with their weights.
const KINDS: [(&str, u32); 6] = [
    ("progress", 3),
    ("elicit", 3),
    ("large", 2),
    ("cancel", 2),
    ("subscribe", 1),
    ("list+read", 2),
];

/// Answers elicitations from the nonce in the message; counts resource updates.
#[derive(Clone, Default)]
struct Handler {
    updates: Arc<AtomicU64>,
}

impl ClientHandler for Handler {
    fn capabilities(&self) -> ClientCapabilities {
        Supports {
            elicitation: true,
            ..Supports::NONE
        }
        .capabilities()
    }

    fn elicit(&self, params: ElicitRequestParams) -> BoxFuture<'_, Result<ElicitResult, Error>> {
        let message = match &params {
            ElicitRequestParams::Form(f) => f.message.clone(),
            ElicitRequestParams::Url(u) => u.message.clone(),
        };
        Box::pin(async move {
            let nonce = message
                .strip_prefix("account ")
                .ok_or_else(|| Error::invalid_params(format!("unexpected: {message}")))?;
            let content =
                json!({"username": format!("user-{nonce}"), "email": format!("{nonce}@soak.test")});
            Ok(ElicitResult {
                action: ElicitAction::Accept,
                content: content.as_object().cloned(),
                ..Default::default()
            })
        })
    }

    fn on_notification(&self, method: &str, _params: Option<&RawValue>) {
        if method == "notifications/resources/updated" {
            self.updates.fetch_add(1, Relaxed);
        }
    }
}

/// One client and its operations.
pub struct Worker {
    id: usize,
    client: Resilient,
    handshake: bool,
    updates: Arc<AtomicU64>,
    rng: fastrand::Rng,
    n: u64,
}

impl Worker {
    /// A client of `url` in the handshake era (or the stateless one).
    pub fn new(id: usize, url: String, handshake: bool) -> Worker {
        let handler = Handler::default();
        let updates = handler.updates.clone();
        let mode = if handshake {
            Mode::Handshake(ProtocolVersion::LATEST_HANDSHAKE)
        } else {
            Mode::Stateless(ProtocolVersion::LATEST)
        };
        let opts = ResilientOptions {
            backoff: Backoff {
                initial: Duration::from_millis(50),
                max: Duration::from_secs(2),
                attempts: 30,
            },
            breaker: None,
        };
        let client = Resilient::with_options(
            move || {
                Client::builder()
                    .info("soak-driver", "1")
                    .mode(mode)
                    .handler(handler.clone())
                    .timeout(Duration::from_secs(20))
                    .connect(StreamableHttp::new(url.clone()))
            },
            opts,
        );
        Worker {
            id,
            client,
            handshake,
            updates,
            rng: fastrand::Rng::with_seed(id as u64),
            n: 0,
        }
    }

    /// How many connections this client made.
    pub fn connections(&self) -> u64 {
        self.client.connections()
    }

    /// Run one operation, picked at random by weight.
    pub async fn step(&mut self) -> (&'static str, Outcome) {
        self.n += 1;
        let total: u32 = KINDS.iter().map(|(_, w)| w).sum();
        let mut pick = self.rng.u32(0..total);
        let kind = KINDS
            .iter()
            .find(|(_, w)| {
                let hit = pick < *w;
                pick = pick.saturating_sub(*w);
                hit
            })
            .map_or("list+read", |(k, _)| *k);
        let kind = if kind == "subscribe" && !self.handshake {
            "list+read"
        } else {
            kind
        };
        let outcome = match tokio::time::timeout(BOUND, self.run(kind)).await {
            Ok(Ok(())) => Outcome::Ok,
            Ok(Err(o)) => o,
            Err(_) => Outcome::Hung,
        };
        (kind, outcome)
    }

    /// Close the connection (the server ends the session).
    pub async fn close(&self) {
        self.client.disconnect().await;
    }

    async fn run(&mut self, kind: &str) -> Result<(), Outcome> {
        match kind {
            "progress" => self.progress().await,
            "elicit" => self.elicit().await,
            "large" => self.large().await,
            "cancel" => self.cancel().await,
            "subscribe" => self.subscribe().await,
            _ => self.list_and_read().await,
        }
    }

    async fn progress(&self) -> Result<(), Outcome> {
        let c = self.client.client().await.map_err(failed)?;
        let seen = Arc::new(AtomicU64::new(0));
        let count = seen.clone();
        let args = json!({"steps": 5, "ms": 10});
        let r = c
            .call_tool_with_progress("progress", args, move |_| {
                count.fetch_add(1, Relaxed);
            })
            .await
            .map_err(failed)?;
        expect(&r, "5 steps")?;
        match seen.load(Relaxed) {
            5 => Ok(()),
            n => Err(Outcome::Wrong(format!("{n} progress notifications, not 5"))),
        }
    }

    async fn elicit(&self) -> Result<(), Outcome> {
        let nonce = format!("{}-{}", self.id, self.n);
        let r = self
            .client
            .call_tool("ask", json!({"nonce": nonce}))
            .await
            .map_err(failed)?;
        expect(&r, &format!("user-{nonce} {nonce}@soak.test"))
    }

    async fn large(&mut self) -> Result<(), Outcome> {
        let len = if self.rng.u8(0..10) == 0 {
            1 << 20
        } else {
            64 << 10
        };
        let shift = self.rng.u8(0..26);
        let data: String = (0..len)
            .map(|i| char::from(b'a' + ((i % 26) as u8 + shift) % 26))
            .collect();
        let want = format!("{} {:016x}", data.len(), super::fnv1a(&data));
        let r = self
            .client
            .call_tool("digest", json!({"data": data}))
            .await
            .map_err(failed)?;
        expect(&r, &want)
    }

    async fn cancel(&mut self) -> Result<(), Outcome> {
        let c = self.client.client().await.map_err(failed)?;
        let wait = Duration::from_millis(self.rng.u64(20..100));
        match tokio::time::timeout(wait, c.call_tool("slow", json!({"ms": 10_000}))).await {
            Err(_) => Ok(()), // Dropped: the client tells the server it is cancelled.
            Ok(Err(e)) => Err(failed(e)),
            Ok(Ok(r)) => Err(Outcome::Wrong(format!("a 10 s call ended early: {r:?}"))),
        }
    }

    async fn subscribe(&self) -> Result<(), Outcome> {
        let before = self.updates.load(Relaxed);
        self.client.subscribe(TICKER).await.map_err(failed)?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while self.updates.load(Relaxed) == before {
            if tokio::time::Instant::now() > deadline {
                return Err(Outcome::Failed("no resources/updated within 5 s".into()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.client.unsubscribe(TICKER).await.map_err(failed)
    }

    async fn list_and_read(&self) -> Result<(), Outcome> {
        let tools = self.client.list_tools().await.map_err(failed)?;
        if tools.len() != 4 {
            return Err(Outcome::Wrong(format!("{} tools, not 4", tools.len())));
        }
        let r = self.client.read_resource(TICKER).await.map_err(failed)?;
        let v = serde_json::to_value(&r.contents).unwrap_or_default();
        match v[0]["text"].as_str().map(str::parse::<u64>) {
            Some(Ok(_)) => Ok(()),
            _ => Err(Outcome::Wrong(format!("the ticker read {v}"))),
        }
    }
}

fn failed(e: Error) -> Outcome {
    Outcome::Failed(e.to_string())
}

/// The result must be this one text.
fn expect(r: &CallToolResult, want: &str) -> Result<(), Outcome> {
    let v = serde_json::to_value(&r.content).unwrap_or_default();
    let text = v[0]["text"].as_str().unwrap_or_default();
    if r.is_error == Some(true) {
        return Err(Outcome::Failed(format!("tool error: {text}")));
    }
    if text == want {
        Ok(())
    } else {
        Err(Outcome::Wrong(format!("answered {text:?}, not {want:?}")))
    }
}
