//! The server of the official MCP conformance suite (`@modelcontextprotocol/conformance`):
//! every tool, resource and prompt its server scenarios expect, for both protocol eras.
//! FIXTURES.md maps each scenario to what it checks and where it is implemented.
//!
//! [`build_server`] makes the server; the `conformance-server` binary serves it on stdio
//! (and, later, on HTTP).
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod extras;
pub mod media;
pub mod mrtr;
pub mod prompts;
pub mod resources;
pub mod stateless;
pub mod tasks;
pub mod tools;

use fastmcp::Server;

/// The server's name in `serverInfo`.
pub const SERVER_NAME: &str = "fastmcp-conformance-server";

/// The conformance server with every fixture registered.
pub fn build_server() -> Server {
    let server = Server::new(SERVER_NAME, env!("CARGO_PKG_VERSION"))
        .title("FastMCP conformance server")
        .instructions("Fixtures of the MCP conformance suite.");
    let server = tools::register(server);
    let server = resources::register(server);
    let server = prompts::register(server);
    let server = mrtr::register(server);
    let server = stateless::register(server);
    let server = tasks::register(server);
    let server = skills(server);
    extras::register(server)
}

/// The skills of `conformance/skills`, through the skills extension (SEP-2640).
fn skills(server: Server) -> Server {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/skills");
    match fastmcp::server::SkillsProvider::new(dir) {
        Ok(skills) => server.extension(skills),
        Err(e) => {
            eprintln!("conformance-server: no skills: {e}");
            server
        }
    }
}
