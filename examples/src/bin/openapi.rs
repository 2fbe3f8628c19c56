//! An OpenAPI server in ten lines: `openapi URL-OR-FILE [BASE-URL]` serves every operation of
//! the document as a tool, on stdio.

use fastmcp::openapi::OpenApi;
use fastmcp::{Error, Server};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let source = args
        .first()
        .ok_or_else(|| Error::invalid_params("usage: openapi URL-OR-FILE [BASE-URL]"))?;
    let mut api = match source.starts_with("http") {
        true => OpenApi::from_url(source).await?,
        false => OpenApi::from_file(source)?,
    };
    if let Some(base) = args.get(1) {
        api = api.base_url(base);
    }
    Server::new("openapi", "1.0.0")
        .provider(api.build()?)
        .run_stdio()
        .await
}
