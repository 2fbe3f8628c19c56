//! Fault injection for tests: [`Faults`] wraps a [`Channel`] and drops, delays,
//! duplicates, reorders, truncates or corrupts chosen messages, or closes the connection at
//! a chosen point, in either direction. Every fault it injects is recorded in its
//! [`FaultLog`], so a test can check that what it meant to happen did happen.
//!
//! It works on any transport that gives a channel: the in-memory one, and the client side
//! of stdio, Streamable HTTP, legacy SSE and WebSocket (`fastmcp_client::FaultyTransport`
//! wraps any client transport).
//!
//! ```
//! use std::time::Duration;
//! use fastmcp_transport::faults::{Fault, Faults, When};
//! use fastmcp_transport::memory;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let (mine, mut theirs) = memory::pair(16);
//! let faults = Faults::new()
//!     .outbound(When::Nth(2), Fault::Drop)
//!     .outbound(When::Contains("slow".into()), Fault::Delay(Duration::from_millis(10)));
//! let log = faults.log();
//! let mine = faults.wrap(mine);
//! for m in ["one", "two", "three"] {
//!     mine.outbound.send(m).await.unwrap();
//! }
//! assert_eq!(theirs.inbound.recv().await.unwrap().unwrap(), "one");
//! assert_eq!(theirs.inbound.recv().await.unwrap().unwrap(), "three");
//! assert_eq!(log.entries().len(), 1);
//! # }
//! ```

mod pump;
mod rng;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::channel::{Channel, Outbound};

/// What to do to a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// It never arrives.
    Drop,
    /// It arrives this much later (the messages behind it wait too: order is kept).
    Delay(Duration),
    /// It arrives twice.
    Duplicate,
    /// It arrives after the next message (or after 100 ms, if no other comes).
    Reorder,
    /// Only its first bytes arrive.
    Truncate(usize),
    /// Some of its bytes are replaced with random ones.
    Corrupt,
    /// The connection closes instead, both ways.
    Close,
}

/// Which messages a fault applies to. Messages are counted from 1, each direction apart.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// Every message.
    Always,
    /// The n-th message.
    Nth(u64),
    /// Every n-th message (n, 2n, 3n...).
    Every(u64),
    /// Each message with this probability (from the faults' seed: runs repeat).
    Chance(f64),
    /// Each message whose text contains this.
    Contains(String),
}

/// The direction of a message, seen from the wrapped side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Sent by the wrapped side.
    Outbound,
    /// Received by the wrapped side.
    Inbound,
}

/// One fault that was injected.
#[derive(Debug, Clone, PartialEq)]
pub struct Injected {
    /// The message's direction.
    pub direction: Direction,
    /// Its number in that direction, from 1.
    pub index: u64,
    /// What was done to it.
    pub fault: Fault,
    /// Its text (the first 200 bytes).
    pub message: String,
}

/// The faults injected so far (shared with the wrapper that injects them).
#[derive(Debug, Clone, Default)]
pub struct FaultLog(Arc<Mutex<Vec<Injected>>>);

impl FaultLog {
    /// Every fault injected so far, in order.
    pub fn entries(&self) -> Vec<Injected> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many faults of this kind were injected.
    pub fn count(&self, fault: &Fault) -> usize {
        self.entries().iter().filter(|i| &i.fault == fault).count()
    }

    pub(crate) fn push(&self, i: Injected) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(i);
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) direction: Direction,
    pub(crate) when: When,
    pub(crate) fault: Fault,
}

/// A plan of faults, and the wrapper that injects them. The first rule that matches a
/// message decides what happens to it.
#[derive(Debug, Clone)]
pub struct Faults {
    rules: Vec<Rule>,
    seed: u64,
    log: FaultLog,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new()
    }
}

impl Faults {
    /// No faults yet (seed 1).
    pub fn new() -> Self {
        Faults {
            rules: vec![],
            seed: 1,
            log: FaultLog::default(),
        }
    }

    /// The seed of [`When::Chance`] and [`Fault::Corrupt`]: the same seed, the same run.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed.max(1);
        self
    }

    /// Apply `fault` to the messages `when` picks in `direction`.
    pub fn on(mut self, direction: Direction, when: When, fault: Fault) -> Self {
        self.rules.push(Rule {
            direction,
            when,
            fault,
        });
        self
    }

    /// A fault on what the wrapped side sends.
    pub fn outbound(self, when: When, fault: Fault) -> Self {
        self.on(Direction::Outbound, when, fault)
    }

    /// A fault on what the wrapped side receives.
    pub fn inbound(self, when: When, fault: Fault) -> Self {
        self.on(Direction::Inbound, when, fault)
    }

    /// The log of what is injected (clone it before [`Faults::wrap`]).
    pub fn log(&self) -> FaultLog {
        self.log.clone()
    }

    /// The channel with the faults in it: the wrapped side uses the returned channel,
    /// the other side of `channel` sees the faults. Call inside a tokio runtime.
    pub fn wrap(self, channel: Channel) -> Channel {
        let closed = CancellationToken::new();
        let (out_tx, out_rx) = mpsc::channel(64);
        let (in_tx, in_rx) = mpsc::channel(64);
        let rules = |d: Direction| -> Vec<Rule> {
            self.rules
                .iter()
                .filter(|r| r.direction == d)
                .cloned()
                .collect()
        };
        let pump = |d: Direction, seed: u64| pump::Pump::new(d, rules(d), seed, &self.log, &closed);
        let out = pump(Direction::Outbound, self.seed);
        let inb = pump(Direction::Inbound, self.seed.wrapping_mul(31));
        tokio::spawn(out.run(pump::Source::Out(out_rx), pump::Sink::Out(channel.outbound)));
        tokio::spawn(inb.run(pump::Source::In(channel.inbound), pump::Sink::In(in_tx)));
        Channel {
            inbound: in_rx,
            outbound: Outbound::new(out_tx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory;

    async fn texts(ch: &mut Channel, n: usize) -> Vec<String> {
        let mut out = vec![];
        for _ in 0..n {
            let m = tokio::time::timeout(Duration::from_secs(2), ch.inbound.recv())
                .await
                .expect("a message")
                .expect("open")
                .expect("a frame");
            out.push(String::from_utf8_lossy(&m).into_owned());
        }
        out
    }

    #[tokio::test]
    async fn each_fault_does_what_it_says_and_is_logged() {
        let (mine, mut theirs) = memory::pair(16);
        let faults = Faults::new()
            .outbound(When::Nth(1), Fault::Duplicate)
            .outbound(When::Nth(2), Fault::Reorder)
            .outbound(When::Nth(4), Fault::Truncate(3))
            .outbound(When::Contains("drop".into()), Fault::Drop)
            .outbound(When::Nth(6), Fault::Corrupt);
        let log = faults.log();
        let mine = faults.wrap(mine);
        for m in ["a", "b", "c", "dddddd", "drop me", "0123456789abcdefghij"] {
            mine.outbound.send(m).await.unwrap();
        }
        let got = texts(&mut theirs, 6).await;
        assert_eq!(&got[..5], ["a", "a", "c", "b", "ddd"]);
        assert_ne!(got[5], "0123456789abcdefghij", "corrupted");
        assert_eq!(log.entries().len(), 5);
        assert_eq!(log.count(&Fault::Drop), 1);
    }

    #[tokio::test]
    async fn a_held_message_goes_out_alone_after_a_while() {
        let (mine, mut theirs) = memory::pair(16);
        let mine = Faults::new()
            .outbound(When::Always, Fault::Reorder)
            .wrap(mine);
        mine.outbound.send("only").await.unwrap();
        assert_eq!(texts(&mut theirs, 1).await, ["only"]);
    }

    #[tokio::test]
    async fn close_ends_both_directions() {
        let (mine, mut theirs) = memory::pair(16);
        let mut mine = Faults::new().inbound(When::Nth(2), Fault::Close).wrap(mine);
        theirs.outbound.send("one").await.unwrap();
        theirs.outbound.send("two").await.unwrap();
        assert_eq!(texts(&mut mine, 1).await, ["one"]);
        let end = tokio::time::timeout(Duration::from_secs(2), mine.inbound.recv()).await;
        assert!(matches!(end, Ok(None)), "end of stream");
        // The other side sees its peer gone.
        let gone = tokio::time::timeout(Duration::from_secs(2), theirs.inbound.recv()).await;
        assert!(matches!(gone, Ok(None)), "closed");
        assert!(mine.outbound.send("late").await.is_err());
    }

    #[tokio::test]
    async fn chance_follows_the_seed() {
        let run = |seed| async move {
            let (mine, mut theirs) = memory::pair(64);
            let mine = Faults::new()
                .seed(seed)
                .outbound(When::Chance(0.5), Fault::Drop)
                .wrap(mine);
            for i in 0..40 {
                mine.outbound.send(format!("{i}")).await.unwrap();
            }
            drop(mine);
            let mut got = vec![];
            while let Some(Ok(m)) = theirs.inbound.recv().await {
                got.push(String::from_utf8_lossy(&m).into_owned());
            }
            got
        };
        let (a, b, c) = (run(7).await, run(7).await, run(8).await);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.len() > 5 && a.len() < 35, "{}", a.len());
    }
}
