//! A directory served as resources (`FilesystemProvider`), in memory and over Streamable
//! HTTP in both eras: files listed with their types (hidden files and symlinks out of the
//! root left out), read as text or blobs, directories read as listings; every traversal
//! attempt refused; with watching, a file written reaches its subscribers and a file
//! created changes the list. `FileResource` and `DirectoryResource` on their own.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use fastmcp::prelude::*;
use fastmcp::server::{DirectoryResource, FileResource, FilesystemProvider};
use serde_json::Value;
use support::Recorder;

/// A fresh directory with a known tree; removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str) -> Tree {
        let root = std::env::temp_dir().join(format!("fastmcp-fs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("sub/deep")).unwrap();
        std::fs::write(root.join("a.txt"), "hello").unwrap();
        std::fs::write(root.join("sub/b.md"), "# B").unwrap();
        std::fs::write(root.join("sub/deep/c.json"), "{\"c\": 1}").unwrap();
        std::fs::write(root.join(".secret"), "hidden").unwrap();
        std::fs::write(root.join("sp ace.txt"), "spaced").unwrap();
        std::fs::write(root.join("img.png"), b"\x89PNG\r\n\x1a\n\0\0").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("/etc", root.join("out")).unwrap();
            symlink("/etc/hostname", root.join("host_link")).unwrap();
            symlink(root.join("sub/b.md"), root.join("inner_link.md")).unwrap();
        }
        Tree(root)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn first(r: &fastmcp::protocol::ReadResourceResult) -> Value {
    serde_json::to_value(&r.contents[0]).unwrap()
}

#[tokio::test]
async fn a_directory_is_listed_and_read_and_nothing_outside_it_is() {
    let tree = Tree::new("read");
    let provider = FilesystemProvider::new(tree.path()).unwrap();
    let running = Server::new("files", "1.0.0")
        .provider(provider)
        .start()
        .await
        .unwrap();
    for (label, c) in support::memory_and_http_clients(&running).await {
        let mut listed: Vec<_> = c.list_resources().await.unwrap();
        listed.sort_by(|a, b| a.uri.cmp(&b.uri));
        let uris: Vec<_> = listed.iter().map(|r| r.uri.as_str()).collect();
        let mut expected = vec![
            "file:///a.txt",
            "file:///img.png",
            "file:///sp%20ace.txt",
            "file:///sub/b.md",
            "file:///sub/deep/c.json",
        ];
        if cfg!(unix) {
            expected.push("file:///inner_link.md");
            expected.sort();
        }
        assert_eq!(uris, expected, "{label}: no hidden file, no symlink out");
        let md = listed.iter().find(|r| r.uri == "file:///sub/b.md").unwrap();
        assert_eq!(md.mime_type.as_deref(), Some("text/markdown"), "{label}");
        assert_eq!(md.size, Some(3), "{label}");
        let templates = c.list_resource_templates().await.unwrap();
        assert_eq!(templates[0].uri_template, "file:///{+path}", "{label}");

        let a = first(&c.read_resource("file:///a.txt").await.unwrap());
        assert_eq!(
            (a["text"].as_str(), a["mimeType"].as_str()),
            (Some("hello"), Some("text/plain")),
            "{label}"
        );
        let s = first(&c.read_resource("file:///sp%20ace.txt").await.unwrap());
        assert_eq!(s["text"], "spaced", "{label}");
        let png = first(&c.read_resource("file:///img.png").await.unwrap());
        assert_eq!(png["mimeType"], "image/png", "{label}");
        assert!(png["blob"].is_string(), "{label}: binary as a blob");
        let dir = first(&c.read_resource("file:///sub/").await.unwrap());
        let listing: Value = serde_json::from_str(dir["text"].as_str().unwrap()).unwrap();
        let names: Vec<_> = listing["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["uri"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["file:///sub/b.md", "file:///sub/deep/"], "{label}");

        for bad in [
            "file:///../etc/passwd",
            "file:///%2e%2e/etc/passwd",
            "file:///sub/../../etc/passwd",
            "file:///sub/%2E%2E/%2E%2E/etc/passwd",
            "file:////etc/passwd",
            "file:///%2Fetc/passwd",
            "file:///sub%5C..%5C..%5Cetc%5Cpasswd",
            "file:///a.txt%00.png",
            "file:///C:/Windows/win.ini",
            "file:///./a.txt",
            "file:///out/passwd",
            "file:///out/hostname",
            "file:///host_link",
            "file:///.secret",
            "file:///nothing-here",
        ] {
            let e = c.read_resource(bad).await.expect_err(bad);
            assert!([-32002, -32602].contains(&e.code()), "{label}: {bad}: {e}");
            assert!(!e.message().contains("root:"), "{label}: {bad} leaked {e}");
        }
        if cfg!(unix) {
            let l = first(&c.read_resource("file:///inner_link.md").await.unwrap());
            assert_eq!(
                l["text"], "# B",
                "{label}: a symlink inside the root is read"
            );
        }
    }
    running.shutdown().await.unwrap();
}

async fn wait_for(rec: &Recorder, method: &str) -> bool {
    for _ in 0..300 {
        if rec.other.lock().unwrap().iter().any(|m| m == method) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn a_watched_directory_tells_subscribers_and_lists_changes() {
    let tree = Tree::new("watch");
    let provider = FilesystemProvider::new(tree.path())
        .unwrap()
        .uri_prefix("docs://")
        .unwrap()
        .watch(true);
    let running = Server::new("files", "1.0.0")
        .provider(provider)
        .start()
        .await
        .unwrap();
    let rec = Recorder::default();
    let c = support::client(&running, support::modes()[0], rec.clone()).await;
    assert_eq!(
        c.list_resources().await.unwrap().len(),
        5 + usize::from(cfg!(unix))
    );
    c.subscribe("docs://sub/b.md").await.unwrap();
    std::fs::write(tree.path().join("sub/b.md"), "# B, again").unwrap();
    assert!(
        wait_for(&rec, "notifications/resources/updated").await,
        "the subscriber was told"
    );
    let b = first(&c.read_resource("docs://sub/b.md").await.unwrap());
    assert_eq!(b["text"], "# B, again");

    std::fs::write(tree.path().join("new.txt"), "new").unwrap();
    assert!(
        wait_for(&rec, "notifications/resources/list_changed").await,
        "the list changed"
    );
    let uris: Vec<_> = c
        .list_resources()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.uri)
        .collect();
    assert!(uris.contains(&"docs://new.txt".to_owned()), "{uris:?}");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_file_and_a_directory_as_resources_of_their_own() {
    let tree = Tree::new("own");
    let running = Server::new("files", "1.0.0")
        .resource(
            FileResource::new("docs://readme", tree.path().join("sub/b.md")).description("B."),
        )
        .resource(DirectoryResource::new(
            "docs://all",
            tree.path(),
            "docs://file/",
        ))
        .resource(FileResource::new("docs://big", tree.path().join("a.txt")).max_size(2))
        .start()
        .await
        .unwrap();
    let c = support::client(&running, support::modes()[1], Recorder::default()).await;
    let listed = c.list_resources().await.unwrap();
    let readme = listed.iter().find(|r| r.uri == "docs://readme").unwrap();
    assert_eq!(readme.mime_type.as_deref(), Some("text/markdown"));
    let r = first(&c.read_resource("docs://readme").await.unwrap());
    assert_eq!(r["text"], "# B");
    let all = first(&c.read_resource("docs://all").await.unwrap());
    let listing: Value = serde_json::from_str(all["text"].as_str().unwrap()).unwrap();
    let first_entry = &listing["entries"][0];
    assert_eq!(first_entry["uri"], "docs://file/a.txt");
    assert_eq!(first_entry["size"], 5);
    let e = c.read_resource("docs://big").await.unwrap_err();
    assert!(e.message().contains("larger than 2 bytes"), "{e}");
}

#[test]
fn a_root_that_is_not_a_directory_and_a_bad_prefix_are_errors() {
    let tree = Tree::new("bad");
    let e = FilesystemProvider::new(tree.path().join("a.txt"))
        .err()
        .unwrap();
    assert!(e.message().contains("not a directory"), "{e}");
    assert!(FilesystemProvider::new(tree.path().join("missing")).is_err());
    let e = FilesystemProvider::new(tree.path())
        .unwrap()
        .uri_prefix("x{y}")
        .err()
        .unwrap();
    assert!(e.message().contains("bad URI prefix"), "{e}");
}
