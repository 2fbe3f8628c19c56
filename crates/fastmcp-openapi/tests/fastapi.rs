//! Against a real third-party API: a FastAPI application (PyPI's `fastapi` and `uvicorn`,
//! from `scripts/setup-interop.sh`) started on 127.0.0.1; its own `/openapi.json` turned
//! into tools, a resource and a template, called by our client in both eras: path, query
//! (an exploded array), header, cookie-less and body parameters, nested models, an HTTP
//! error as a tool error, a 404 as a missing resource; `HttpResource`s fetched from the
//! app. `FASTMCP_SKIP_INTEROP=1` skips it.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fastmcp::client::{Client, Mode};
use fastmcp::protocol::{CallToolResult, ProtocolVersion};
use fastmcp::Server;
use fastmcp_openapi::{HttpResource, Kind, OpenApi, RouteMap};
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The FastAPI app on a free port; killed on drop.
struct App(Child, u16);

impl App {
    fn start() -> Option<App> {
        if std::env::var_os("FASTMCP_SKIP_INTEROP").is_some() {
            eprintln!("FASTMCP_SKIP_INTEROP is set: skipping the FastAPI test");
            return None;
        }
        let setup = Command::new("bash")
            .arg(repo().join("scripts/setup-interop.sh"))
            .output()
            .unwrap();
        assert!(
            setup.status.success(),
            "setup-interop.sh: {}",
            String::from_utf8_lossy(&setup.stderr)
        );
        let python = repo().join("target/interop-venv/bin/python");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fastapi_app.py"))
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the FastAPI app did not listen within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(App(child, port))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn text(r: &CallToolResult) -> String {
    serde_json::to_value(&r.content[0]).unwrap()["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_fastapi_application_served_as_tools_resources_and_templates() {
    let Some(app) = App::start() else { return };
    let base = format!("http://127.0.0.1:{}", app.1);
    let api = OpenApi::from_url(&format!("{base}/openapi.json"))
        .await
        .unwrap()
        .base_url(&base)
        .header("x-api-key", "key-1")
        .route_map(
            RouteMap::new(Kind::Resource)
                .methods(["GET"])
                .pattern("^/health$")
                .unwrap(),
        )
        .route_map(
            RouteMap::new(Kind::Template)
                .methods(["GET"])
                .pattern(r"^/items/\{")
                .unwrap(),
        )
        .build()
        .unwrap();
    let running = Server::new("inventory", "1.0.0")
        .provider(api)
        .resource(
            HttpResource::new("ops://health", format!("{base}/health")).description("Health."),
        )
        .resource(HttpResource::new(
            "ops://missing",
            format!("{base}/nowhere"),
        ))
        .start()
        .await
        .unwrap();
    for mode in [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ] {
        let c = Client::builder()
            .mode(mode)
            .connect(running.connect_in_memory())
            .await
            .unwrap();
        let mut names: Vec<String> = c
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        names.sort();
        assert_eq!(names, ["create_item", "list_items", "whoami"], "{mode:?}");

        let r = c
            .call_tool("list_items", json!({"tag": ["home", "garden"], "limit": 5}))
            .await
            .unwrap();
        let items: Value = serde_json::from_str(&text(&r)).unwrap();
        assert_eq!(items[0]["name"], "lamp", "{mode:?}: query array, exploded");

        let new = json!({"name": "desk", "price": 99.5, "tags": ["office"], "dimensions": {"width": 1.2, "height": 0.8}, "dry_run": true});
        let r = c.call_tool("create_item", new).await.unwrap();
        assert!(!r.is_error(), "{mode:?}: {r:?}");
        let s = r.structured_content.clone().unwrap();
        assert_eq!(
            (s["name"].as_str(), s["dimensions"]["height"].as_f64()),
            (Some("desk"), Some(0.8)),
            "{mode:?}"
        );

        let r = c
            .call_tool("create_item", json!({"name": "no price"}))
            .await
            .unwrap();
        assert!(
            r.is_error() && text(&r).starts_with("HTTP 422"),
            "{mode:?}: {}",
            text(&r)
        );

        let r = c.call_tool("whoami", json!({})).await.unwrap();
        assert_eq!(
            r.structured_content.unwrap()["api_key"],
            "key-1",
            "{mode:?}: the configured header"
        );

        let templates = c.list_resource_templates().await.unwrap();
        assert_eq!(
            templates[0].uri_template, "openapi://items/{item_id}",
            "{mode:?}"
        );
        let got =
            serde_json::to_value(c.read_resource("openapi://items/1").await.unwrap()).unwrap();
        let item: Value =
            serde_json::from_str(got["contents"][0]["text"].as_str().unwrap()).unwrap();
        assert_eq!(item["item"]["name"], "lamp", "{mode:?}: a path parameter");
        let e = c.read_resource("openapi://items/99").await.unwrap_err();
        assert!([-32002, -32602].contains(&e.code()), "{mode:?}: {e}");
        let health =
            serde_json::to_value(c.read_resource("openapi://health").await.unwrap()).unwrap();
        assert_eq!(
            health["contents"][0]["mimeType"], "application/json",
            "{mode:?}"
        );
        // One resource fetched from a URL.
        let fetched = serde_json::to_value(c.read_resource("ops://health").await.unwrap()).unwrap();
        assert_eq!(
            fetched["contents"][0]["text"], r#"{"status":"ok"}"#,
            "{mode:?}"
        );
        assert_eq!(fetched["contents"][0]["uri"], "ops://health", "{mode:?}");
        let e = c.read_resource("ops://missing").await.unwrap_err();
        assert!(
            [-32002, -32602].contains(&e.code()),
            "{mode:?}: a 404 is a missing resource: {e}"
        );
    }
}
