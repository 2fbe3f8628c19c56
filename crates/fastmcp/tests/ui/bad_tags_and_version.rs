use fastmcp::prelude::*;

#[tool(tags = [1])]
fn a() -> i64 {
    1
}

#[tool(tags = [""])]
fn b() -> i64 {
    1
}

#[resource("data://x", tags = 5)]
fn c() -> String {
    String::new()
}

#[prompt(tags("ok", beta))]
fn d() -> String {
    String::new()
}

#[tool(version = "")]
fn e() -> i64 {
    1
}

#[tool(tags = {"a": 1})]
fn f() -> i64 {
    1
}

fn main() {}
