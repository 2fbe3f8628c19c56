//! A request's timeout: it runs from the request's start, and (by default) starts again
//! with each progress notification of the request, up to an optional overall maximum.

use std::future::Future;
use std::time::Duration;

use fastmcp_core::Error;
use tokio::sync::Notify;
use tokio::time::{sleep_until, Instant};

/// The default timeout of a request: 60 seconds without an answer (or, by default, without
/// a progress notification).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a request may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    /// Without answer (or progress) for this long, the request fails; `None`: no limit.
    pub(crate) idle: Option<Duration>,
    /// Whether a progress notification of the request starts the timeout again.
    pub(crate) reset_on_progress: bool,
    /// Whatever the progress, the request fails after this long.
    pub(crate) max_total: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            idle: Some(DEFAULT_REQUEST_TIMEOUT),
            reset_on_progress: true,
            max_total: None,
        }
    }
}

/// Run `fut` within the timeouts; `ticks` wakes on each progress notification of the
/// request (when it has a progress token).
pub(crate) async fn within<T>(
    t: Timeouts,
    ticks: Option<&Notify>,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let start = Instant::now();
    let overall = t.max_total.map(|m| start + m);
    let ticks = ticks.filter(|_| t.reset_on_progress);
    tokio::pin!(fut);
    let mut idle_from = start;
    loop {
        let idle = async {
            match t.idle {
                Some(d) => sleep_until(idle_from + d).await,
                None => std::future::pending().await,
            }
        };
        let total = async {
            match overall {
                Some(at) => sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let tick = async {
            match ticks {
                Some(n) => n.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            r = &mut fut => return r,
            _ = idle => return Err(timed_out(t.idle, "without an answer")),
            _ = total => return Err(timed_out(t.max_total, "in all (max_total_timeout)")),
            _ = tick => idle_from = Instant::now(),
        }
    }
}

fn timed_out(d: Option<Duration>, what: &str) -> Error {
    let ms = d.map_or(0, |d| d.as_millis());
    Error::new(
        fastmcp_core::ErrorKind::Timeout,
        format!("request timed out after {ms} ms {what}"),
    )
    .with_data(serde_json::json!({ "timeoutMs": ms }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::sleep;

    #[tokio::test(start_paused = true)]
    async fn progress_extends_until_the_overall_maximum() {
        let n = Notify::new();
        let t = Timeouts {
            idle: Some(Duration::from_secs(10)),
            reset_on_progress: true,
            max_total: Some(Duration::from_secs(25)),
        };
        let started = Instant::now();
        let never = std::future::pending::<Result<(), Error>>();
        let poke = async {
            loop {
                sleep(Duration::from_secs(5)).await;
                n.notify_one();
            }
        };
        let r = tokio::select! {
            r = within(t, Some(&n), never) => r,
            _ = poke => unreachable!(),
        };
        let e = r.unwrap_err();
        assert_eq!(e.kind(), fastmcp_core::ErrorKind::Timeout);
        assert!(e.message().contains("in all"), "{e}");
        assert_eq!(started.elapsed(), Duration::from_secs(25));
    }

    #[tokio::test(start_paused = true)]
    async fn without_progress_the_idle_timeout_ends_it() {
        let n = Notify::new();
        let t = Timeouts {
            idle: Some(Duration::from_secs(10)),
            ..Timeouts::default()
        };
        let started = Instant::now();
        let never = std::future::pending::<Result<(), Error>>();
        let e = within(t, Some(&n), never).await.unwrap_err();
        assert!(e.message().contains("10000 ms without an answer"), "{e}");
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }
}
