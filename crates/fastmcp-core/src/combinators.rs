//! Combinators over futures that respect a request's cancellation scope: each ends early with
//! the scope's cancellation error, dropping (cancelling) the futures still running.

use std::future::Future;

use futures::stream::{FuturesUnordered, StreamExt};

use crate::{Context, Error};

async fn scoped<T>(ctx: &Context, fut: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    tokio::select! {
        biased;
        r = ctx.scope().cancelled() => Err(r.to_error()),
        v = fut => v,
    }
}

/// Run all futures concurrently; results in input order.
pub async fn join_all<T, F>(
    ctx: &Context,
    futs: impl IntoIterator<Item = F>,
) -> Result<Vec<T>, Error>
where
    F: Future<Output = T>,
{
    scoped(ctx, async { Ok(futures::future::join_all(futs).await) }).await
}

/// The first future to finish wins; the others are dropped. `Err` when given none.
pub async fn race<T, F>(ctx: &Context, futs: impl IntoIterator<Item = F>) -> Result<T, Error>
where
    F: Future<Output = T>,
{
    scoped(ctx, async {
        let mut set: FuturesUnordered<F> = futs.into_iter().collect();
        set.next()
            .await
            .ok_or_else(|| Error::invalid_params("race of no futures"))
    })
    .await
}

/// The first `Ok`; the others are dropped. When all fail, the last error.
pub async fn first_ok<T, F>(ctx: &Context, futs: impl IntoIterator<Item = F>) -> Result<T, Error>
where
    F: Future<Output = Result<T, Error>>,
{
    scoped(ctx, async {
        let mut set: FuturesUnordered<F> = futs.into_iter().collect();
        let mut last = Error::invalid_params("first_ok of no futures");
        while let Some(r) = set.next().await {
            match r {
                Ok(v) => return Ok(v),
                Err(e) => last = e,
            }
        }
        Err(last)
    })
    .await
}

/// The first `k` successes (in completion order); `Err` as soon as `k` can no longer be
/// reached, with the last error. The futures still running are dropped.
pub async fn quorum<T, F>(
    ctx: &Context,
    k: usize,
    futs: impl IntoIterator<Item = F>,
) -> Result<Vec<T>, Error>
where
    F: Future<Output = Result<T, Error>>,
{
    scoped(ctx, async {
        let mut set: FuturesUnordered<F> = futs.into_iter().collect();
        let mut left = set.len();
        if k > left {
            return Err(Error::invalid_params(format!(
                "quorum of {k} out of {left}"
            )));
        }
        let mut ok = Vec::with_capacity(k);
        while ok.len() < k {
            let Some(r) = set.next().await else { break };
            left -= 1;
            match r {
                Ok(v) => ok.push(v),
                Err(e) if ok.len() + left < k => return Err(e),
                Err(_) => {}
            }
        }
        Ok(ok)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::time::sleep;

    async fn after(ms: u64, v: Result<u32, Error>) -> Result<u32, Error> {
        sleep(Duration::from_millis(ms)).await;
        v
    }

    #[tokio::test(start_paused = true)]
    async fn combinators_behave() {
        let ctx = Context::for_testing();
        let all = join_all(&ctx, [after(30, Ok(1)), after(10, Ok(2))])
            .await
            .unwrap();
        assert_eq!(
            all.into_iter().map(|r| r.unwrap()).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(
            race(&ctx, [after(30, Ok(1)), after(10, Ok(2))])
                .await
                .unwrap()
                .unwrap(),
            2
        );
        let f = first_ok(&ctx, [after(5, Err(Error::tool("x"))), after(20, Ok(7))]).await;
        assert_eq!(f.unwrap(), 7);
        let q = quorum(
            &ctx,
            2,
            [after(5, Ok(1)), after(50, Ok(2)), after(10, Ok(3))],
        )
        .await;
        assert_eq!(q.unwrap(), [1, 3]);
        let q = quorum(
            &ctx,
            2,
            [
                after(5, Err(Error::tool("a"))),
                after(6, Err(Error::tool("b"))),
                after(60, Ok(3)),
            ],
        )
        .await;
        assert!(q.is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_ends_combinators() {
        let ctx = Context::for_testing();
        let c = ctx.clone();
        tokio::spawn(async move {
            sleep(Duration::from_millis(10)).await;
            c.scope().cancel(crate::CancelReason::Requested(None));
        });
        let r = join_all(&ctx, [after(1000, Ok(1))]).await;
        assert_eq!(r.unwrap_err().kind(), crate::ErrorKind::Cancelled);
    }
}
