//! Skills (SEP-2640) through `SkillsProvider`, in memory and over Streamable HTTP in both
//! eras: the extension declared, `skills/list` and `skills/get` entries with digests and
//! sizes that match the files, `SKILL.md` listed as a resource, files read by URI and
//! nothing outside a skill, `resources/directory/read`; skills that cannot be served are
//! left out.

mod support;

use std::path::{Path, PathBuf};

use fastmcp::client::Client;
use fastmcp::prelude::*;
use fastmcp::server::{SkillsProvider, SKILLS_EXTENSION};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A fresh skills directory; removed on drop.
struct Skills(PathBuf);

impl Skills {
    fn new(name: &str) -> Skills {
        let root =
            std::env::temp_dir().join(format!("fastmcp-skills-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let w = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        w(
            "pdf/SKILL.md",
            "---\nname: pdf\ndescription: Work with PDFs.\nmetadata:\n  version: 2\n---\nUse forms.md.\n",
        );
        w("pdf/ref/forms.md", "# Forms\n");
        w("pdf/.hidden", "not served");
        w(
            "team/review-code/SKILL.md",
            "---\nname: review-code\ndescription: Review code.\n---\n",
        );
        // Left out: the folder is not named after the skill; a name against the rules.
        w(
            "misnamed/SKILL.md",
            "---\nname: other\ndescription: x\n---\n",
        );
        w(
            "Bad_Name/SKILL.md",
            "---\nname: Bad_Name\ndescription: x\n---\n",
        );
        w("broken/SKILL.md", "no front matter\n");
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/hostname", root.join("pdf/host")).unwrap();
        Skills(root)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Skills {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sha(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

async fn check(label: &str, c: &Client, dir: &Path) {
    let list = c
        .request_value("skills/list", json!({}), None)
        .await
        .unwrap();
    let uris: Vec<_> = list["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        ["skill://pdf/SKILL.md", "skill://team/review-code/SKILL.md"],
        "{label}"
    );
    let pdf = &list["skills"][0];
    assert_eq!(
        pdf["frontmatter"],
        json!({"name": "pdf", "description": "Work with PDFs.", "metadata": {"version": 2}}),
        "{label}"
    );
    let files = pdf["resources"].as_array().unwrap();
    let file_uris: Vec<_> = files.iter().map(|f| f["uri"].as_str().unwrap()).collect();
    assert_eq!(
        file_uris,
        ["skill://pdf/SKILL.md", "skill://pdf/ref/forms.md"],
        "{label}: no hidden file, no symlink out"
    );
    for (f, rel) in files.iter().zip(["pdf/SKILL.md", "pdf/ref/forms.md"]) {
        let bytes = std::fs::read(dir.join(rel)).unwrap();
        assert_eq!(f["digest"], sha(&bytes), "{label}: {rel}");
        assert_eq!(f["size"], bytes.len(), "{label}: {rel}");
    }

    let got = c
        .request_value(
            "skills/get",
            json!({"uri": "skill://team/review-code/SKILL.md"}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        got["skill"]["frontmatter"]["name"], "review-code",
        "{label}"
    );
    let e = c
        .request_value("skills/get", json!({"uri": "skill://nope/SKILL.md"}), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32602, "{label}: {e}");

    let listed = c.list_resources().await.unwrap();
    let md = listed
        .iter()
        .find(|r| r.uri == "skill://pdf/SKILL.md")
        .unwrap();
    assert_eq!(
        (md.name.as_str(), md.mime_type.as_deref()),
        ("pdf", Some("text/markdown")),
        "{label}"
    );
    assert_eq!(
        md.description.as_deref(),
        Some("Work with PDFs."),
        "{label}"
    );
    let r = c.read_resource("skill://pdf/ref/forms.md").await.unwrap();
    assert_eq!(
        serde_json::to_value(&r.contents[0]).unwrap()["text"],
        "# Forms\n",
        "{label}"
    );
    for bad in [
        "skill://pdf/../misnamed/SKILL.md",
        "skill://pdf/%2e%2e/broken/SKILL.md",
        "skill://pdf/host",
        "skill://pdf/.hidden",
        "skill://misnamed/SKILL.md",
    ] {
        assert!(
            c.read_resource(bad).await.is_err(),
            "{label}: {bad} was read"
        );
    }

    let d = c
        .request_value(
            "resources/directory/read",
            json!({"uri": "skill://pdf"}),
            None,
        )
        .await
        .unwrap();
    let kids: Vec<(String, String)> = d["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["uri"].as_str().unwrap().to_owned(),
                k["mimeType"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kids,
        [
            (
                "skill://pdf/SKILL.md".to_owned(),
                "text/markdown".to_owned()
            ),
            ("skill://pdf/ref".to_owned(), "inode/directory".to_owned()),
        ],
        "{label}"
    );
    let e = c
        .request_value(
            "resources/directory/read",
            json!({"uri": "skill://pdf/SKILL.md"}),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32602, "{label}: a file is not a directory");
    for bad in [
        "skill://pdf/..",
        "skill://pdf/%2e%2e",
        "skill://pdf/.git",
        "skill://other",
    ] {
        let e = c
            .request_value("resources/directory/read", json!({"uri": bad}), None)
            .await
            .unwrap_err();
        assert_eq!(e.code(), -32602, "{label}: {bad}: {e}");
    }
}

#[tokio::test]
async fn a_skills_directory_is_served_through_the_extension() {
    let skills = Skills::new("served");
    let running = Server::new("skills", "1.0.0")
        .extension(SkillsProvider::new(skills.path()).unwrap())
        .start()
        .await
        .unwrap();
    for (label, c) in support::memory_and_http_clients(&running).await {
        let caps = match c.era() {
            fastmcp::protocol::Era::Handshake => c.server_capabilities(),
            _ => c.discover().await.unwrap().capabilities,
        };
        let ext = &caps.extensions.as_ref().expect("extensions")[SKILLS_EXTENSION];
        assert_eq!(ext["directoryRead"], Value::Bool(true), "{label}");
        assert!(caps.resources.is_some(), "{label}: resources declared too");
        check(&label, &c, skills.path()).await;
    }
}

#[tokio::test]
async fn the_client_loads_a_skill_and_refuses_files_that_do_not_match_its_entry() {
    let skills = Skills::new("loaded");
    let running = Server::new("skills", "1.0.0")
        .extension(SkillsProvider::new(skills.path()).unwrap())
        .start()
        .await
        .unwrap();
    for mode in support::modes() {
        let c = support::client(&running, mode, support::Recorder::default()).await;
        let entries = c.list_skills().await.unwrap();
        assert_eq!(entries.len(), 2, "{mode:?}");
        let pdf = c.get_skill("skill://pdf/SKILL.md").await.unwrap();
        assert_eq!(pdf, entries[0], "{mode:?}");
        assert_eq!(pdf.name(), "pdf");
        let loaded = c.load_skill(&pdf).await.unwrap();
        assert!(loaded.text.ends_with("Use forms.md.\n"), "{mode:?}");
        let forms = c
            .read_skill_file(&pdf, "skill://pdf/ref/forms.md")
            .await
            .unwrap();
        assert_eq!(forms, b"# Forms\n");
        let e = c
            .read_skill_file(&pdf, "skill://pdf/other.md")
            .await
            .unwrap_err();
        assert!(e.message().contains("not in the manifest"), "{e}");
    }
    // Files changed after the listing: the old entry no longer vouches for them.
    let c = support::client(&running, support::modes()[0], support::Recorder::default()).await;
    let pdf = c.get_skill("skill://pdf/SKILL.md").await.unwrap();
    std::fs::write(skills.path().join("pdf/ref/forms.md"), "# FORMS\n").unwrap();
    let e = c
        .read_skill_file(&pdf, "skill://pdf/ref/forms.md")
        .await
        .unwrap_err();
    assert!(
        e.message().contains("digest"),
        "same size, other bytes: {e}"
    );
    let md = std::fs::read_to_string(skills.path().join("pdf/SKILL.md")).unwrap();
    std::fs::write(
        skills.path().join("pdf/SKILL.md"),
        md.replace("Work with PDFs.", "Work with PDF!!"),
    )
    .unwrap();
    let e = c.load_skill(&pdf).await.unwrap_err();
    assert!(e.message().contains("not used"), "{e}");
    // The new entry describes the new files.
    let fresh = c.get_skill("skill://pdf/SKILL.md").await.unwrap();
    assert_eq!(fresh.description(), "Work with PDF!!");
    c.load_skill(&fresh).await.unwrap();
}
