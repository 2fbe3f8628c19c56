//! The request context: progress, logging, cancellation checkpoints, masked sections,
//! budgets, child tasks and session state.

use std::time::Duration;

use fastmcp::prelude::*;

/// Process `items` items, reporting progress and checking for cancellation between them.
#[tool(timeout_ms = 30000)]
async fn process(items: u32, ctx: &Context) -> Result<String, Error> {
    for i in 1..=items {
        ctx.checkpoint()?; // Err once cancelled or past the budget
        ctx.report_progress(i as f64, Some(items as f64), None)
            .await?;
        ctx.sleep(Duration::from_millis(10)).await?;
    }
    ctx.info(format!("processed {items} items")).await?;
    Ok(format!("processed {items}"))
}

/// Transfer money: the two writes form a masked section that cancellation cannot split.
#[tool]
async fn transfer(amount: u64, ctx: &Context) -> Result<String, Error> {
    ctx.checkpoint()?;
    let done = ctx
        .masked(async {
            tokio::time::sleep(Duration::from_millis(20)).await; // debit
            tokio::time::sleep(Duration::from_millis(20)).await; // credit
            amount
        })
        .await;
    Ok(format!("transferred {done}"))
}

/// Fan out to three workers tied to this request; the first two answers win.
#[tool]
async fn fan_out(ctx: &Context) -> Result<String, Error> {
    let work = |ms: u64| async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok::<_, Error>(ms)
    };
    let fastest = quorum(ctx, 2, [work(30), work(10), work(20)]).await?;
    Ok(format!("{fastest:?}"))
}

/// Count this session's calls. `ctx.set_state` is per session (each client counts its own);
/// state shared by every client is a `State<T>` parameter (see the `notes` example).
#[tool]
async fn visits(ctx: &Context) -> Result<u32, Error> {
    let n = ctx.get_state::<u32>("visits").unwrap_or(0) + 1;
    ctx.set_state("visits", n)?;
    Ok(n)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    Server::new("context", "1.0.0")
        .request_timeout(Duration::from_secs(60))
        .tool(process)
        .tool(transfer)
        .tool(fan_out)
        .tool(visits)
        .run_stdio()
        .await
}
