//! `conformance-client`: the client that the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`, client mode) drives.
//!
//! ```text
//! conformance-client [--scenario NAME] [--protocol-version V] [--context JSON] SERVER_URL
//! ```
//!
//! The suite starts a mock server per scenario, runs this program with the server's URL as
//! the last argument and the scenario in the environment:
//!
//! - `MCP_CONFORMANCE_SCENARIO`: the scenario's name (`tools_call`, `sse-retry`, ...),
//! - `MCP_CONFORMANCE_CONTEXT`: a JSON object with scenario data (e.g. the tool calls to
//!   make), when the scenario has some,
//! - `MCP_CONFORMANCE_PROTOCOL_VERSION` (suite 0.2 and later): the spec version of the run.
//!   `2026-07-28` makes the client stateless (`_meta` on every request, no handshake);
//!   any other version is asked for in the `initialize` handshake. Without it the client
//!   asks for 2025-11-25.
//!
//! The flags override the environment. The client is `fastmcp::client::Client` over
//! Streamable HTTP; what it does per scenario is in `scenarios.rs`. It exits 0 when the
//! scenario ran to its end, 1 when a request failed (or authorization was refused, as
//! some `auth/*` scenarios want), 2 on bad usage. In the `auth/*` scenarios the transport
//! carries `fastmcp::client::oauth::OAuth` (see `auth.rs`).

mod auth;
mod handler;
mod scenarios;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::core::Error;
use fastmcp::protocol::{Era, ProtocolVersion};
use fastmcp::transport::http_client::StreamableHttp;
use serde_json::Value;

const USAGE: &str = "usage: conformance-client [--scenario NAME] [--protocol-version V] \
                     [--context JSON] SERVER_URL";

/// What one run does.
#[derive(Debug)]
struct Args {
    url: String,
    scenario: String,
    version: ProtocolVersion,
    context: Value,
}

fn parse(args: &[String], env: impl Fn(&str) -> Option<String>) -> Result<Args, String> {
    let mut scenario = env("MCP_CONFORMANCE_SCENARIO");
    let mut version = env("MCP_CONFORMANCE_PROTOCOL_VERSION");
    let mut context = env("MCP_CONFORMANCE_CONTEXT");
    let mut url = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--scenario" => scenario = Some(value(a)?),
            "--protocol-version" => version = Some(value(a)?),
            "--context" => context = Some(value(a)?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            s if s.starts_with("--") => return Err(format!("unknown flag {s}\n{USAGE}")),
            _ => url = Some(a.clone()),
        }
    }
    let url = url.ok_or_else(|| format!("no server URL\n{USAGE}"))?;
    let scenario = scenario
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("no scenario: set MCP_CONFORMANCE_SCENARIO\n{USAGE}"))?;
    let version = match version.filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse::<ProtocolVersion>()
            .map_err(|e| format!("MCP_CONFORMANCE_PROTOCOL_VERSION: {e}"))?,
        None => ProtocolVersion::LATEST_HANDSHAKE,
    };
    let context = match context.filter(|c| !c.trim().is_empty()) {
        Some(c) => serde_json::from_str::<Value>(&c)
            .map_err(|e| format!("MCP_CONFORMANCE_CONTEXT is not JSON: {e}"))?,
        None => Value::Object(Default::default()),
    };
    Ok(Args {
        url,
        scenario,
        version,
        context,
    })
}

async fn run(a: &Args) -> Result<(), Error> {
    let mut transport = StreamableHttp::new(&a.url);
    let oauth = if a.scenario.starts_with("auth/") {
        let o = auth::oauth(&a.url, &a.scenario, &a.context).map_err(Error::invalid_params)?;
        transport = transport.auth(Arc::new(o.clone()));
        Some(o)
    } else {
        None
    };
    let result = session(a, transport).await;
    if let (Err(_), Some(e)) = (&result, oauth.as_ref().and_then(|o| o.last_error())) {
        eprintln!("conformance-client: OAuth: {e}");
    }
    result
}

async fn session(a: &Args, transport: StreamableHttp) -> Result<(), Error> {
    let mode = match a.version.era() {
        Era::Stateless => Mode::Stateless(a.version),
        Era::Handshake => Mode::Handshake(a.version),
    };
    let client = Client::builder()
        .info("fastmcp-conformance-client", env!("CARGO_PKG_VERSION"))
        .mode(mode)
        .handler(handler::Handler)
        .timeout(Duration::from_secs(20))
        .connect(transport)
        .await?;
    eprintln!(
        "conformance-client: connected to {} ({})",
        a.url,
        client.protocol_version()
    );
    let result = scenarios::run(&a.scenario, &a.context, &client).await;
    let closed = client.close().await;
    result.and(closed)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&argv, |k| std::env::var(k).ok()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if !scenarios::known(&args.scenario) {
        eprintln!(
            "conformance-client: unknown scenario {:?}: listing and calling every tool",
            args.scenario
        );
    }
    eprintln!(
        "conformance-client: scenario {} at {} (protocol {}), context {}",
        args.scenario, args.url, args.version, args.context
    );
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("conformance-client: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), run(&args))
            .await
            .unwrap_or_else(|_| Err(Error::timeout()))
    }) {
        Ok(()) => {
            eprintln!("conformance-client: {} done", args.scenario);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("conformance-client: {} failed: {e}", args.scenario);
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_environment_names_the_scenario_and_the_url_comes_last() {
        let a = parse(
            &["http://localhost:1/mcp".into()],
            env(&[
                ("MCP_CONFORMANCE_SCENARIO", "tools_call"),
                ("MCP_CONFORMANCE_PROTOCOL_VERSION", "2026-07-28"),
                ("MCP_CONFORMANCE_CONTEXT", r#"{"name":"tools_call"}"#),
            ]),
        )
        .unwrap();
        assert_eq!(a.url, "http://localhost:1/mcp");
        assert_eq!(a.scenario, "tools_call");
        assert_eq!(a.version, ProtocolVersion::V2026_07_28);
        assert_eq!(a.context["name"], "tools_call");
    }

    #[test]
    fn flags_override_and_the_default_version_is_the_latest_handshake() {
        let a = parse(
            &["--scenario".into(), "initialize".into(), "http://h/".into()],
            env(&[("MCP_CONFORMANCE_SCENARIO", "tools_call")]),
        )
        .unwrap();
        assert_eq!(a.scenario, "initialize");
        assert_eq!(a.version, ProtocolVersion::V2025_11_25);
        assert!(a.context.as_object().unwrap().is_empty());
        assert!(parse(&[], env(&[("MCP_CONFORMANCE_SCENARIO", "x")])).is_err());
        assert!(parse(&["http://h/".into()], env(&[])).is_err());
        assert!(parse(
            &["http://h/".into()],
            env(&[
                ("MCP_CONFORMANCE_SCENARIO", "x"),
                ("MCP_CONFORMANCE_PROTOCOL_VERSION", "1999-01-01")
            ])
        )
        .is_err());
    }
}
