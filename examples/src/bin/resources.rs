//! Resources: a static resource, binary content, and RFC 6570 templates (a path variable,
//! a multi-segment `{path*}` and query parameters `{?q,limit}`) with completion.

use fastmcp::prelude::*;
use serde_json::json;

/// The server's README.
#[resource("docs://readme", mime_type = "text/markdown")]
async fn readme() -> &'static str {
    "# Library\nBooks and their chapters."
}

/// A small PNG logo (binary content).
#[resource("images://logo.png", mime_type = "image/png")]
async fn logo() -> Vec<u8> {
    vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]
}

fn book_ids(prefix: &str) -> Vec<String> {
    ["dune", "emma", "ulysses"]
        .iter()
        .filter(|b| b.starts_with(prefix))
        .map(|b| b.to_string())
        .collect()
}

/// A book's metadata.
#[resource("books://{id}", mime_type = "application/json", complete(id = book_ids))]
async fn book(id: String) -> Result<Json<serde_json::Value>, Error> {
    if !book_ids("").contains(&id) {
        return Err(Error::resource_not_found(&format!("books://{id}")));
    }
    Ok(Json(json!({ "id": id, "chapters": 3 })))
}

/// A file inside a book: `{path*}` spans several segments; `..` is refused.
#[resource("books://{id}/files/{path*}")]
async fn book_file(id: String, path: String) -> String {
    format!("contents of {path} in {id}")
}

/// Search with optional query parameters.
#[resource("search://books{?q,limit}")]
async fn search(q: Option<String>, limit: Option<u32>) -> Json<serde_json::Value> {
    let q = q.unwrap_or_default();
    let hits: Vec<String> = book_ids("")
        .into_iter()
        .filter(|b| b.contains(&q))
        .collect();
    let n = limit.map_or(hits.len(), |l| l as usize);
    Json(json!({ "hits": hits.into_iter().take(n).collect::<Vec<_>>() }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    Server::new("library", "1.0.0")
        .resource(readme)
        .resource(logo)
        .resource(book)
        .resource(book_file)
        .resource(search)
        .run_stdio()
        .await
}
