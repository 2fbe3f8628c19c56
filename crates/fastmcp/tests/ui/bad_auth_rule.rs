use fastmcp::prelude::*;

/// Unknown rule.
#[tool(auth = admins_only())]
async fn a() -> String {
    String::new()
}

/// Not a string.
#[tool(auth = scopes(notes))]
async fn b() -> String {
    String::new()
}

/// Nothing to require.
#[resource("x://y", auth = roles())]
async fn c() -> String {
    String::new()
}

/// Not a rule at all.
#[prompt(auth = "admin")]
async fn d() -> String {
    String::new()
}

fn main() {}
