//! The echo server written with rmcp (the official Rust SDK), for comparison.
//!
//! `echo-rmcp stdio [--tools N]` or `echo-rmcp http --port N [--stateful] [--tools N]`.
//! Streamable HTTP is rmcp's `StreamableHttpService` (a tower service) served by hyper;
//! stateless mode turns off `legacy_session_mode` and turns on `json_response`.

use std::sync::Arc;
use std::time::Duration;

use fastmcp_bench::work::{compute_for, compute_part, sleep_part, WORK_REPLY};
use fastmcp_bench::{extra_tool_name, Mode, ServerArgs, SLOW_REPLY};
use rmcp::handler::server::router::tool::{CallToolHandlerExt, IntoToolRoute, ToolRouter};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{tool, tool_handler, tool_router, ServiceExt};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    message: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct MsArgs {
    ms: u64,
}

#[derive(Clone)]
struct Echo {
    tool_router: ToolRouter<Echo>,
}

#[tool_router]
impl Echo {
    /// Echo the message back.
    #[tool]
    async fn echo(&self, Parameters(a): Parameters<EchoArgs>) -> String {
        a.message
    }

    /// Sleep `ms` milliseconds, then answer.
    #[tool]
    async fn slow(&self, Parameters(a): Parameters<MsArgs>) -> String {
        tokio::time::sleep(Duration::from_millis(a.ms)).await;
        SLOW_REPLY.to_owned()
    }

    /// Sleep half of `ms` milliseconds, compute for the other half, then answer.
    #[tool]
    async fn work(&self, Parameters(a): Parameters<MsArgs>) -> String {
        tokio::time::sleep(sleep_part(a.ms)).await;
        compute_for(compute_part(a.ms));
        WORK_REPLY.to_owned()
    }
}

#[tool_handler(router = self.tool_router, name = "echo", version = "1")]
impl rmcp::ServerHandler for Echo {}

impl Echo {
    fn new(extra: usize) -> Echo {
        let mut tool_router = Self::tool_router();
        for i in 0..extra {
            let echo = |Parameters(a): Parameters<EchoArgs>| async move { a.message };
            tool_router.add_route(
                echo.name(extra_tool_name(i))
                    .description("Echo the message back.")
                    .parameters::<EchoArgs>()
                    .into_tool_route(),
            );
        }
        Echo { tool_router }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = ServerArgs::from_env();
    let server = Echo::new(args.tools);
    match args.mode {
        Mode::Stdio => {
            let running = server.serve(rmcp::transport::stdio()).await?;
            running.waiting().await?;
        }
        Mode::Http { port, stateful } => {
            let config = StreamableHttpServerConfig::default()
                .with_legacy_session_mode(stateful)
                .with_json_response(!stateful);
            let service = StreamableHttpService::new(
                move || Ok(server.clone()),
                Arc::new(LocalSessionManager::default()),
                config,
            );
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            loop {
                let (tcp, _) = listener.accept().await?;
                let _ = tcp.set_nodelay(true);
                let svc = hyper_util::service::TowerToHyperService::new(service.clone());
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                        .await;
                });
            }
        }
    }
    Ok(())
}
