use fastmcp::prelude::*;

#[derive(Debug)]
struct ParseError;

#[tool]
async fn parse(text: String) -> Result<i64, ParseError> {
    text.parse().map_err(|_| ParseError)
}

fn main() {
    let _ = Server::new("parse", "1.0.0").tool(parse);
}
