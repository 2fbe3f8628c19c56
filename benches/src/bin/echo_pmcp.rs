//! The echo server written with pmcp, for comparison.
//!
//! `echo-pmcp stdio [--tools N]` or `echo-pmcp http --port N [--stateful] [--tools N]`.
//! Tools are registered with `tool_with_result_and_description`, whose `CallToolResult` goes
//! out as written (pmcp's plain typed tools stringify their JSON value, so a string would
//! come back quoted). Streamable HTTP is pmcp's own `StreamableHttpServer` in its concurrent
//! form; pmcp serves it at `/`, which benches/run.sh tells the driver.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use fastmcp_bench::work::{compute_for, compute_part, sleep_part, WORK_REPLY};
use fastmcp_bench::{extra_tool_name, Mode, ServerArgs, SLOW_REPLY};
use pmcp::server::streamable_http_server::{StreamableHttpServer, StreamableHttpServerConfig};
use pmcp::types::{CallToolResult, Content};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    message: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct MsArgs {
    ms: u64,
}

fn text(s: String) -> CallToolResult {
    CallToolResult::new(vec![Content::text(s)])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = ServerArgs::from_env();
    let mut builder = pmcp::Server::builder()
        .name("echo")
        .version("1")
        .tool_with_result_and_description(
            "echo",
            "Echo the message back.",
            |a: EchoArgs, _extra| Box::pin(async move { Ok(text(a.message)) }),
        )
        .tool_with_result_and_description(
            "slow",
            "Sleep `ms` milliseconds, then answer.",
            |a: MsArgs, _extra| {
                Box::pin(async move {
                    tokio::time::sleep(Duration::from_millis(a.ms)).await;
                    Ok(text(SLOW_REPLY.to_owned()))
                })
            },
        )
        .tool_with_result_and_description(
            "work",
            "Sleep half of `ms` milliseconds, compute for the other half, then answer.",
            |a: MsArgs, _extra| {
                Box::pin(async move {
                    tokio::time::sleep(sleep_part(a.ms)).await;
                    compute_for(compute_part(a.ms));
                    Ok(text(WORK_REPLY.to_owned()))
                })
            },
        );
    for i in 0..args.tools {
        builder = builder.tool_with_result_and_description(
            extra_tool_name(i),
            "Echo the message back.",
            |a: EchoArgs, _extra| Box::pin(async move { Ok(text(a.message)) }),
        );
    }
    let server = builder.build()?;
    match args.mode {
        Mode::Stdio => server.run_stdio().await?,
        Mode::Http { port, stateful } => {
            let addr: SocketAddr = ([127, 0, 0, 1], port).into();
            let config = if stateful {
                StreamableHttpServerConfig::default()
            } else {
                StreamableHttpServerConfig {
                    allowed_origins: None,
                    ..StreamableHttpServerConfig::stateless()
                }
            };
            let http = StreamableHttpServer::with_config_concurrent(addr, Arc::new(server), config);
            let (_addr, handle) = http.start().await?;
            handle.await?;
        }
    }
    Ok(())
}
