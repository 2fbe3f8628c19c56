//! One direction of a faulty channel: reads messages, decides each one's fate, forwards.

use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::rng::Rng;
use super::{Direction, Fault, FaultLog, Injected, Rule, When};
use crate::channel::{Inbound, Outbound};

/// How long a reordered message waits for the next one.
const REORDER_HOLD: Duration = Duration::from_millis(100);

/// Where a pump reads from.
pub(crate) enum Source {
    /// What the wrapped side sends.
    Out(mpsc::Receiver<Bytes>),
    /// What the real transport received.
    In(mpsc::Receiver<Inbound>),
}

impl Source {
    async fn recv(&mut self) -> Option<Inbound> {
        match self {
            Source::Out(r) => r.recv().await.map(Ok),
            Source::In(r) => r.recv().await,
        }
    }
}

/// Where a pump forwards to.
pub(crate) enum Sink {
    /// The real transport's sending side.
    Out(Outbound),
    /// The wrapped side's inbound frames.
    In(mpsc::Sender<Inbound>),
}

impl Sink {
    /// Forward a frame; `false` once the far side is gone.
    async fn send(&self, frame: Inbound) -> bool {
        match (self, frame) {
            (Sink::Out(o), Ok(m)) => o.send(m).await.is_ok(),
            // Frame errors only come inbound.
            (Sink::Out(_), Err(_)) => true,
            (Sink::In(i), f) => i.send(f).await.is_ok(),
        }
    }
}

/// One direction's rules and state.
pub(crate) struct Pump {
    direction: Direction,
    rules: Vec<Rule>,
    rng: Rng,
    log: FaultLog,
    closed: CancellationToken,
    count: u64,
    held: Option<Bytes>,
}

impl Pump {
    pub(crate) fn new(
        direction: Direction,
        rules: Vec<Rule>,
        seed: u64,
        log: &FaultLog,
        closed: &CancellationToken,
    ) -> Self {
        Pump {
            direction,
            rules,
            rng: Rng::new(seed),
            log: log.clone(),
            closed: closed.clone(),
            count: 0,
            held: None,
        }
    }

    /// Move messages from `source` to `sink` until either end closes or a
    /// [`Fault::Close`]; dropping `sink` then closes that side.
    pub(crate) async fn run(mut self, mut source: Source, sink: Sink) {
        loop {
            let next = tokio::select! {
                _ = self.closed.cancelled() => return,
                m = source.recv() => m,
                _ = tokio::time::sleep(REORDER_HOLD), if self.held.is_some() => {
                    let h = self.held.take().expect("a held message");
                    if !sink.send(Ok(h)).await { return; }
                    continue;
                }
            };
            let going = match next {
                None => false,
                Some(Err(e)) => sink.send(Err(e)).await,
                Some(Ok(m)) => self.one(m, &sink).await,
            };
            if !going {
                break;
            }
        }
        if let Some(h) = self.held.take() {
            if !self.closed.is_cancelled() {
                sink.send(Ok(h)).await;
            }
        }
    }

    /// The first rule that matches message number `n`.
    fn fault_for(&mut self, n: u64, m: &[u8]) -> Option<Fault> {
        for r in &self.rules {
            let hit = match &r.when {
                When::Always => true,
                When::Nth(k) => n == *k,
                When::Every(k) => *k > 0 && n.is_multiple_of(*k),
                When::Chance(p) => self.rng.unit() < *p,
                When::Contains(s) => memchr::memmem::find(m, s.as_bytes()).is_some(),
            };
            if hit {
                return Some(r.fault.clone());
            }
        }
        None
    }

    /// One message's fate; `false` to stop.
    async fn one(&mut self, m: Bytes, sink: &Sink) -> bool {
        self.count += 1;
        let Some(fault) = self.fault_for(self.count, &m) else {
            return self.forward(m, sink).await;
        };
        self.log.push(Injected {
            direction: self.direction,
            index: self.count,
            fault: fault.clone(),
            message: String::from_utf8_lossy(&m[..m.len().min(200)]).into_owned(),
        });
        match fault {
            Fault::Drop => true,
            Fault::Delay(d) => {
                tokio::time::sleep(d).await;
                self.forward(m, sink).await
            }
            Fault::Duplicate => sink.send(Ok(m.clone())).await && self.forward(m, sink).await,
            Fault::Reorder => match self.held.take() {
                Some(h) => sink.send(Ok(m)).await && sink.send(Ok(h)).await,
                None => {
                    self.held = Some(m);
                    true
                }
            },
            Fault::Truncate(k) => self.forward(m.slice(..k.min(m.len())), sink).await,
            Fault::Corrupt => {
                let mut v = m.to_vec();
                for _ in 0..(v.len() / 20).max(1) {
                    if !v.is_empty() {
                        let i = self.rng.below(v.len());
                        v[i] = self.rng.next() as u8;
                    }
                }
                self.forward(v.into(), sink).await
            }
            Fault::Close => {
                self.closed.cancel();
                false
            }
        }
    }

    /// Forward a message, then the one held back for it, if any.
    async fn forward(&mut self, m: Bytes, sink: &Sink) -> bool {
        if !sink.send(Ok(m)).await {
            return false;
        }
        match self.held.take() {
            Some(h) => sink.send(Ok(h)).await,
            None => true,
        }
    }
}
