//! The HTTP entry points of [`Server`] and [`RunningServer`]: every HTTP transport as an
//! axum `Router`, served on a listener, or run until Ctrl-C.

use fastmcp_core::Error;

use super::HttpOptions;
use crate::builder::Server;
use crate::running::RunningServer;

impl Server {
    /// Serve HTTP at `addr` (e.g. `127.0.0.1:8000`) until Ctrl-C or `SIGTERM`, then shut
    /// down gracefully (see [`RunningServer::serve_http`]): Streamable HTTP at `/mcp`,
    /// legacy HTTP+SSE at `/sse` and `/messages`, WebSocket at `/ws`.
    pub async fn run_http(self, addr: &str) -> Result<(), Error> {
        self.run_http_with(addr, HttpOptions::default()).await
    }

    /// [`Server::run_http`] with options.
    ///
    /// Prints a startup banner on stderr (unless `FASTMCP_NO_BANNER` is set) and, with
    /// `FASTMCP_LOG` set to a `tracing` filter (`info`, `debug`...), logs to stderr.
    pub async fn run_http_with(self, addr: &str, opts: HttpOptions) -> Result<(), Error> {
        crate::console::init_logging();
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(Error::from)?;
        let addr = listener.local_addr().map_err(Error::from)?;
        tracing::info!(
            "serving MCP on http://{addr}{} (legacy SSE: {}, WebSocket: ws://{addr}{})",
            opts.path,
            opts.sse_path,
            opts.ws_path
        );
        let running = self.start().await?;
        let mut transport = format!(
            "Streamable HTTP http://{addr}{} · legacy SSE {} · WebSocket ws://{addr}{}",
            opts.path, opts.sse_path, opts.ws_path
        );
        if let Some(m) = &opts.metrics_path {
            transport.push_str(&format!(" · metrics {m}"));
        }
        if let Some(rs) = &opts.auth {
            transport.push_str(&format!(
                "\n  auth       bearer tokens for {} (metadata {})",
                rs.resource(),
                rs.metadata_url()
            ));
        }
        if let Some(note) = super::host::accepted_hosts_note(addr, &opts) {
            tracing::warn!("bound to {addr}: {note}");
            transport.push_str(&format!("\n  hosts      {note}"));
        }
        crate::console::banner(&running, &transport).await;
        let token = running.shared.shutdown.clone();
        tokio::spawn(async move {
            if crate::signals::stop_signal().await.is_ok() {
                token.cancel();
            }
        });
        running.serve_http(listener, opts).await?;
        running.shutdown().await
    }
}

impl RunningServer {
    /// The Streamable HTTP endpoint as an axum `Router` (nest it into an application, or
    /// serve it with [`RunningServer::serve_http`]). Call inside a tokio runtime.
    pub fn streamable_http(&self, opts: HttpOptions) -> axum::Router {
        super::with_metadata(
            super::streamable_router(self.shared.clone(), opts.clone()),
            &opts,
        )
    }

    /// The legacy HTTP+SSE transport of protocol 2024-11-05 as an axum `Router`: `GET /sse`
    /// opens a session's event stream (its first event, `endpoint`, names where to POST),
    /// `POST /messages?sessionId=..` takes the client's messages (`202 Accepted`; responses
    /// go out on the stream). Closing the stream ends the session. Paths are set with
    /// [`HttpOptions::legacy_paths`]. Call inside a tokio runtime.
    pub fn legacy_sse(&self, opts: HttpOptions) -> axum::Router {
        super::with_metadata(
            super::legacy_sse_router(self.shared.clone(), opts.clone()),
            &opts,
        )
    }

    /// The WebSocket transport as an axum `Router`: `GET /ws` upgrades (subprotocol `mcp`
    /// when offered), each text frame is one JSON-RPC message, and the socket is one
    /// session, served like stdio. The path is set with
    /// [`HttpOptions::websocket_path`].
    #[cfg(feature = "websocket")]
    pub fn websocket(&self, opts: HttpOptions) -> axum::Router {
        super::with_metadata(
            super::websocket_router(self.shared.clone(), opts.clone()),
            &opts,
        )
    }

    /// Every HTTP transport on one axum `Router`: Streamable HTTP
    /// ([`RunningServer::streamable_http`]), legacy HTTP+SSE ([`RunningServer::legacy_sse`])
    /// and WebSocket ([`RunningServer::websocket`]); their paths must differ. This is what
    /// [`RunningServer::serve_http`] serves. Call inside a tokio runtime.
    pub fn http_router(&self, opts: HttpOptions) -> axum::Router {
        super::combined_router(self.shared.clone(), opts)
    }

    /// Serve every HTTP transport ([`RunningServer::http_router`]) on a bound listener,
    /// HTTP/1.1 and h2c (prior knowledge), until the server shuts down. `TCP_NODELAY` is
    /// set on every connection; request headers must arrive within
    /// [`HttpOptions::header_read_timeout`] and at most [`HttpOptions::max_connections`]
    /// are open at once.
    ///
    /// At shutdown it stops accepting, closes idle connections and standalone streams,
    /// lets requests in flight finish within the shutdown grace (their responses still
    /// go out, on their SSE streams too), then returns.
    pub async fn serve_http(
        &self,
        listener: tokio::net::TcpListener,
        opts: HttpOptions,
    ) -> Result<(), Error> {
        let limits = super::accept::Limits {
            header_timeout: opts.header_timeout,
            max_connections: opts.max_connections,
            grace: self.shared.rt.config.shutdown_grace,
        };
        let app = super::combined(self.shared.clone(), opts);
        let token = self.shared.shutdown.clone();
        super::accept::serve(listener, app, limits, token)
            .await
            .map_err(Error::from)
    }
}
