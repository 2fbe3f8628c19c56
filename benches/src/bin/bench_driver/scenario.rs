//! The scenarios, their table titles, and their sizes (request counts and time limits).

use std::time::Duration;

use crate::call::Call;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    StdioCalls {
        window: usize,
        call: Call,
    },
    Http {
        conns: usize,
        stateful: bool,
        call: Call,
    },
    ToolsList,
    ColdStart,
    Sessions,
    Slow,
    /// Echo calls over `SCALE_CONNS` connections of a stateful server that already holds
    /// `idle` idle sessions.
    ScaleSessions {
        idle: usize,
    },
}

/// The connections of the load of the scale-sessions scenarios.
pub const SCALE_CONNS: usize = 32;

pub struct Scenario {
    pub id: &'static str,
    pub title: &'static str,
    pub kind: Kind,
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "stdio-seq",
        title: "stdio, sequential",
        kind: Kind::StdioCalls {
            window: 1,
            call: Call::Echo,
        },
    },
    Scenario {
        id: "stdio-64",
        title: "stdio, 64 in flight",
        kind: Kind::StdioCalls {
            window: 64,
            call: Call::Echo,
        },
    },
    Scenario {
        id: "http-1",
        title: "HTTP stateless JSON, 1 conn",
        kind: Kind::Http {
            conns: 1,
            stateful: false,
            call: Call::Echo,
        },
    },
    Scenario {
        id: "http-32",
        title: "HTTP stateless JSON, 32 conns",
        kind: Kind::Http {
            conns: 32,
            stateful: false,
            call: Call::Echo,
        },
    },
    Scenario {
        id: "http-128",
        title: "HTTP stateless JSON, 128 conns",
        kind: Kind::Http {
            conns: 128,
            stateful: false,
            call: Call::Echo,
        },
    },
    Scenario {
        id: "http-512",
        title: "HTTP stateless JSON, 512 conns",
        kind: Kind::Http {
            conns: 512,
            stateful: false,
            call: Call::Echo,
        },
    },
    Scenario {
        id: "sse-32",
        title: "HTTP stateful SSE, 32 sessions",
        kind: Kind::Http {
            conns: 32,
            stateful: true,
            call: Call::Echo,
        },
    },
    Scenario {
        id: "stdio-work-1ms",
        title: "stdio, 1 ms of work per call, 16 in flight",
        kind: Kind::StdioCalls {
            window: 16,
            call: Call::Work,
        },
    },
    Scenario {
        id: "http-work-1ms-32",
        title: "HTTP stateless JSON, 1 ms of work per call, 32 conns",
        kind: Kind::Http {
            conns: 32,
            stateful: false,
            call: Call::Work,
        },
    },
    Scenario {
        id: "tools-list",
        title: "tools/list, 1,000 tools (stdio)",
        kind: Kind::ToolsList,
    },
    Scenario {
        id: "arg-1mb",
        title: "1 MB argument (stdio)",
        kind: Kind::StdioCalls {
            window: 1,
            call: Call::EchoMiB,
        },
    },
    Scenario {
        id: "cold-start",
        title: "cold start (spawn to initialize reply)",
        kind: Kind::ColdStart,
    },
    Scenario {
        id: "sessions",
        title: "idle HTTP sessions",
        kind: Kind::Sessions,
    },
    Scenario {
        id: "slow-p99",
        title: "fast calls while a slow call runs (stdio)",
        kind: Kind::Slow,
    },
    // One scenario per count of `--idle-sessions` (see `expand`).
    Scenario {
        id: "scale-sessions",
        title: "HTTP stateful, 32 conns",
        kind: Kind::ScaleSessions { idle: 0 },
    },
];

/// Scenarios run only when `--only` names them (the scale ladder of `benches/scale.sh`).
pub const OPT_IN: &[&str] = &["http-512", "scale-sessions"];

/// The scenarios `s` stands for: itself, or for `scale-sessions` one per count in `idle`
/// (ids `scale-sessions-N`).
pub fn expand(s: &'static Scenario, idle: &[usize]) -> Vec<&'static Scenario> {
    if !matches!(s.kind, Kind::ScaleSessions { .. }) {
        return vec![s];
    }
    idle.iter()
        .map(|&n| {
            let id: &'static str = Box::leak(format!("{}-{n}", s.id).into_boxed_str());
            &*Box::leak(Box::new(Scenario {
                id,
                title: s.title,
                kind: Kind::ScaleSessions { idle: n },
            }))
        })
        .collect()
}

/// Request counts of one scenario: warm-up and measured (per connection for HTTP).
#[derive(Clone, Copy)]
pub struct Counts {
    pub warm: usize,
    pub n: usize,
}

pub struct Sizes {
    pub quick: bool,
    /// The time limit of the stdio call scenarios (twice this for HTTP and tools/list).
    pub limit: Duration,
}

impl Sizes {
    pub fn new(quick: bool) -> Sizes {
        let limit = if quick {
            Duration::from_secs(3)
        } else {
            Duration::from_secs(30)
        };
        Sizes { quick, limit }
    }

    pub fn counts(&self, id: &str) -> Counts {
        let (warm, n, qwarm, qn) = match id {
            "stdio-seq" => (2_000, 20_000, 20, 300),
            "stdio-64" => (5_000, 100_000, 64, 2_000),
            "http-1" => (1_000, 10_000, 5, 100),
            "http-32" => (30, 500, 0, 5),
            "http-128" => (10, 200, 0, 2),
            "sse-32" => (30, 300, 0, 5),
            "stdio-work-1ms" => (200, 5_000, 16, 100),
            "http-work-1ms-32" => (5, 60, 0, 3),
            "tools-list" => (20, 300, 0, 3),
            "arg-1mb" => (5, 100, 0, 3),
            "cold-start" => (1, 20, 0, 2),
            "http-512" => (5, 100, 0, 2),
            "sessions" => (0, 10_000, 0, 100),
            x if x.starts_with("scale-sessions") => (30, 500, 0, 5),
            _ => (100, 0, 10, 0),
        };
        if self.quick {
            Counts { warm: qwarm, n: qn }
        } else {
            Counts { warm, n }
        }
    }

    pub fn slow_ms(&self) -> u64 {
        if self.quick {
            300
        } else {
            2_000
        }
    }

    pub fn extra_tools(&self) -> usize {
        1_000
    }

    /// The scenario's title in the table, with its size where the size is part of it.
    pub fn title_of(&self, s: &Scenario) -> String {
        match s.kind {
            Kind::Sessions => format!("{} ({})", s.title, self.counts(s.id).n),
            Kind::Slow => format!("{} ({} ms)", s.title, self.slow_ms()),
            Kind::ScaleSessions { idle } => format!("{}, {idle} idle sessions", s.title),
            _ => s.title.to_owned(),
        }
    }

    /// Requests planned for the measured phase, where a time limit can cut it short.
    pub fn planned(&self, s: &Scenario) -> Option<usize> {
        let c = self.counts(s.id);
        match s.kind {
            Kind::StdioCalls { .. } | Kind::ToolsList => Some(c.n),
            Kind::Http { conns, .. } => Some(c.n * conns),
            Kind::ScaleSessions { .. } => Some(c.n * SCALE_CONNS),
            _ => None,
        }
    }
}
