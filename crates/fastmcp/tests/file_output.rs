//! Files, images and audio as return values (`fastmcp::File`, `Image::read`,
//! `Audio::read`): read from real files, MIME types detected, served by a real server to a
//! real client over the in-memory transport and Streamable HTTP in both eras.

mod support;

use std::path::PathBuf;

use fastmcp::prelude::*;
use fastmcp::File;
use serde_json::{json, Value};

/// A directory of this test's own, with the files the tools read.
fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("fastmcp-file-output-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("notes.md"), "# Notes\nbuy milk\n").unwrap();
    std::fs::write(d.join("logo.png"), b"\x89PNG\r\n\x1a\nrest").unwrap();
    std::fs::write(d.join("beep.wav"), b"RIFF\0\0\0\0WAVEfmt ").unwrap();
    std::fs::write(d.join("blob"), [0u8, 159, 146, 150]).unwrap();
    std::fs::write(d.join("big.txt"), vec![b'x'; 2048]).unwrap();
    d
}

/// A file of the test directory.
#[tool]
async fn fetch(name: String) -> Result<File, Error> {
    File::read_at_most(dir().join(name), 1024).await
}

/// The logo, as an image.
#[tool]
async fn logo() -> Result<Image, Error> {
    Image::read(dir().join("logo.png")).await
}

/// The beep, as audio.
#[tool]
async fn beep() -> Result<Audio, Error> {
    Audio::read(dir().join("beep.wav")).await
}

/// The notes, as a resource.
#[resource("files://notes")]
async fn notes() -> Result<File, Error> {
    File::read(dir().join("notes.md")).await
}

fn block(r: &CallToolResult) -> Value {
    serde_json::to_value(&r.content[0]).unwrap()
}

#[tokio::test]
async fn files_images_and_audio_reach_the_client_with_their_types() {
    let running = Server::new("files", "1.0.0")
        .tool(fetch)
        .tool(logo)
        .tool(beep)
        .resource(notes)
        .start()
        .await
        .unwrap();
    for (label, c) in support::memory_and_http_clients(&running).await {
        let r = c
            .call_tool("fetch", json!({"name": "notes.md"}))
            .await
            .unwrap();
        let b = block(&r);
        assert_eq!(b["type"], "resource", "{label}");
        assert_eq!(b["resource"]["uri"], "file:///notes.md", "{label}");
        assert_eq!(b["resource"]["mimeType"], "text/markdown", "{label}");
        assert_eq!(b["resource"]["text"], "# Notes\nbuy milk\n", "{label}");

        let r = c.call_tool("fetch", json!({"name": "blob"})).await.unwrap();
        let b = block(&r);
        assert_eq!(
            b["resource"]["mimeType"], "application/octet-stream",
            "{label}"
        );
        assert_eq!(b["resource"]["blob"], "AJ+Slg==", "{label}");

        let r = c
            .call_tool("fetch", json!({"name": "logo.png"}))
            .await
            .unwrap();
        assert_eq!(block(&r)["type"], "image", "{label}");
        let r = c.call_tool("logo", json!({})).await.unwrap();
        let b = block(&r);
        assert_eq!(
            (b["type"].as_str(), b["mimeType"].as_str()),
            (Some("image"), Some("image/png")),
            "{label}"
        );
        assert_eq!(b["data"], "iVBORw0KGgpyZXN0", "{label}");
        let r = c.call_tool("beep", json!({})).await.unwrap();
        let b = block(&r);
        assert_eq!(b["type"], "audio", "{label}");
        assert!(
            b["mimeType"].as_str().unwrap().contains("wav"),
            "{label}: {b}"
        );

        // Too large, or missing: a tool error naming the file, and the server goes on.
        let r = c
            .call_tool("fetch", json!({"name": "big.txt"}))
            .await
            .unwrap();
        assert_eq!(r.is_error, Some(true), "{label}");
        assert!(
            format!("{r:?}").contains("larger than 1024 bytes"),
            "{label}: {r:?}"
        );
        let r = c
            .call_tool("fetch", json!({"name": "none.txt"}))
            .await
            .unwrap();
        assert_eq!(r.is_error, Some(true), "{label}");
        assert!(format!("{r:?}").contains("cannot read"), "{label}: {r:?}");

        let read = c.read_resource("files://notes").await.unwrap();
        let v = serde_json::to_value(&read.contents[0]).unwrap();
        assert_eq!(v["uri"], "files://notes", "{label}");
        assert_eq!(v["mimeType"], "text/markdown", "{label}");
        assert_eq!(v["text"], "# Notes\nbuy milk\n", "{label}");
    }
}
