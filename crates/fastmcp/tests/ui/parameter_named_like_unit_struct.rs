use fastmcp::prelude::*;

#[allow(non_camel_case_types)]
struct id;

#[tool]
fn user(id: u32) -> String {
    format!("user {id}")
}

#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// `add` is a constant here: `#[tool]` made it of the function `add`.
#[tool]
fn double(add: i64) -> i64 {
    add * 2
}

struct Users;

#[tools]
impl Users {
    #[tool]
    fn find(&self, id: u32) -> String {
        format!("user {id}")
    }
}

fn main() {
    let _ = Server::new("users", "1.0.0")
        .tool(user)
        .tool(add)
        .tool(double)
        .components(Users);
}
