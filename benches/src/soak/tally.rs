//! The outcome of every operation, by kind and phase.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

/// How an operation ended.
pub enum Outcome {
    /// Answered, and the answer was checked.
    Ok,
    /// Ended with an error (a lost connection during chaos, say).
    Failed(String),
    /// Answered wrongly: never acceptable.
    Wrong(String),
    /// Did not end within the operation's bound: never acceptable.
    Hung,
}

/// Counts of one kind of operation.
#[derive(Default, Clone)]
pub struct Counts {
    pub ok: u64,
    pub failed: u64,
    pub wrong: u64,
    pub hung: u64,
    /// The first distinct error messages (a few).
    pub samples: Vec<String>,
}

impl Counts {
    /// All operations counted.
    pub fn total(&self) -> u64 {
        self.ok + self.failed + self.wrong + self.hung
    }

    fn add(&mut self, other: &Counts) {
        self.ok += other.ok;
        self.failed += other.failed;
        self.wrong += other.wrong;
        self.hung += other.hung;
    }
}

/// Every operation's outcome, by phase (`workload`, `recovery`) and kind.
pub struct Tally {
    inner: Mutex<BTreeMap<(&'static str, &'static str), Counts>>,
    last_ok: Mutex<Option<Instant>>,
}

impl Tally {
    pub fn new() -> Self {
        Tally {
            inner: Mutex::new(BTreeMap::new()),
            last_ok: Mutex::new(None),
        }
    }

    /// Count one outcome.
    pub fn record(&self, phase: &'static str, kind: &'static str, outcome: Outcome) {
        let mut map = self.inner.lock().expect("tally lock");
        let c = map.entry((phase, kind)).or_default();
        let sample = match outcome {
            Outcome::Ok => {
                c.ok += 1;
                *self.last_ok.lock().expect("tally lock") = Some(Instant::now());
                None
            }
            Outcome::Failed(m) => {
                c.failed += 1;
                Some(m)
            }
            Outcome::Wrong(m) => {
                c.wrong += 1;
                Some(format!("WRONG: {m}"))
            }
            Outcome::Hung => {
                c.hung += 1;
                Some("HUNG".to_owned())
            }
        };
        if let Some(m) = sample {
            if c.samples.len() < 4 && !c.samples.contains(&m) {
                c.samples.push(m);
            }
        }
    }

    /// When an operation last succeeded.
    pub fn last_ok(&self) -> Option<Instant> {
        *self.last_ok.lock().expect("tally lock")
    }

    /// The counts of one phase, by kind.
    pub fn phase(&self, phase: &str) -> BTreeMap<&'static str, Counts> {
        let map = self.inner.lock().expect("tally lock");
        map.iter()
            .filter(|((p, _), _)| *p == phase)
            .map(|((_, k), c)| (*k, c.clone()))
            .collect()
    }

    /// The counts of every phase and kind together.
    pub fn sum(&self) -> Counts {
        let map = self.inner.lock().expect("tally lock");
        let mut all = Counts::default();
        for c in map.values() {
            all.add(c);
        }
        all
    }
}
