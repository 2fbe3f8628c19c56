//! The examples in the documentation of the attributes (`fastmcp-macros/src/lib.rs`),
//! verbatim, each in its own module: they must compile and build a server.

#![allow(dead_code)]

mod tool_example {
    use fastmcp::prelude::*;

    /// Add two numbers.
    #[tool(
        name = "add",                  // default: the function's name
        title = "Add",
        tags("math"),                  // listed in `_meta["fastmcp/tags"]`
        version = "1.0",               // `_meta["fastmcp/version"]`
        annotations(read_only, destructive = false, idempotent = true, open_world = false),
        meta = {"owner": "calc"},      // or meta(owner = "calc")
        icons("https://example.com/add.png"),
        timeout_ms = 500,
    )]
    async fn add(
        #[arg(description = "The first number", default = 0)] a: i64,
        #[arg(rename = "second")] b: Option<i64>,
        ctx: &Context,
    ) -> Result<i64, Error> {
        ctx.checkpoint()?;
        Ok(a + b.unwrap_or(0))
    }

    #[allow(clippy::let_and_return)]
    pub fn build() -> fastmcp::Server {
        let server = Server::new("calc", "1.0.0").tool(add);
        server
    }
}

mod resource_example {
    use fastmcp::prelude::*;

    /// The app's configuration.
    #[resource("config://app", mime_type = "application/json")]
    fn config() -> Json<serde_json::Value> {
        Json(serde_json::json!({"debug": false}))
    }

    fn user_ids(prefix: &str) -> Vec<String> {
        ["1", "2", "10"]
            .iter()
            .filter(|i| i.starts_with(prefix))
            .map(|i| i.to_string())
            .collect()
    }

    /// A user's profile.
    #[resource(
        "users://{id}/profile{?fields}",
        name = "profile",
        title = "User profile",
        annotations(audience = ["user"], priority = 0.5),
        complete(id = user_ids),
    )]
    async fn profile(id: u64, fields: Option<String>, ctx: &Context) -> Result<String, Error> {
        ctx.checkpoint()?;
        Ok(format!("user {id} ({})", fields.unwrap_or_default()))
    }

    #[allow(clippy::let_and_return)]
    pub fn build() -> fastmcp::Server {
        let server = Server::new("users", "1.0.0")
            .resource(config)
            .resource(profile);
        server
    }
}

mod prompt_example {
    use fastmcp::prelude::*;

    fn languages(prefix: &str) -> Vec<String> {
        ["rust", "python"]
            .iter()
            .filter(|l| l.starts_with(prefix))
            .map(|l| l.to_string())
            .collect()
    }

    /// Ask for a code review.
    #[prompt(name = "review", title = "Code review")]
    fn review(
        #[arg(description = "The code to review")] code: String,
        #[arg(complete = languages)] language: Option<String>,
        #[arg(default = 3)] points: u32,
    ) -> String {
        format!(
            "Review this {} code in {points} points:\n{code}",
            language.unwrap_or_default()
        )
    }

    #[allow(clippy::let_and_return)]
    pub fn build() -> fastmcp::Server {
        let server = Server::new("review", "1.0.0").prompt(review);
        server
    }
}

mod tools_example {
    use fastmcp::prelude::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[derive(Default)]
    struct Counter {
        n: AtomicU64,
    }

    #[tools]
    impl Counter {
        /// Add to the counter.
        #[tool]
        fn increment(&self, #[arg(default = 1)] by: u64) -> u64 {
            self.n.fetch_add(by, Ordering::SeqCst) + by
        }

        /// The counter's value.
        #[resource("counter://value")]
        fn value(&self) -> String {
            self.n.load(Ordering::SeqCst).to_string()
        }
    }

    #[allow(clippy::let_and_return)]
    pub fn build() -> fastmcp::Server {
        let server = Server::new("counter", "1.0.0").components(Counter::default());
        server
    }
}

/// Only `#[tools]` in scope: the methods' attributes are consumed by it, not resolved.
mod only_tools_in_scope {
    use fastmcp::core::IntoComponents;
    use fastmcp::tools;

    struct Greeter;

    #[tools]
    impl Greeter {
        #[tool]
        fn hello(&self) -> String {
            "hello".into()
        }

        #[fastmcp::prompt(name = "greet")]
        fn greet(&self, #[arg(description = "Who")] name: String) -> String {
            format!("Greet {name}")
        }
    }

    #[test]
    fn components() {
        let c = Greeter.into_components();
        assert_eq!(c.tools[0].tool().name, "hello");
        assert_eq!(c.prompts[0].prompt().name, "greet");
    }
}

#[test]
fn examples_build_servers() {
    let _ = tool_example::build();
    let _ = resource_example::build();
    let _ = prompt_example::build();
    let _ = tools_example::build();
}
