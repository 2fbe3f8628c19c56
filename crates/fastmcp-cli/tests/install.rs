//! `fastmcp install` through the real binary, with a temporary HOME: one test per client
//! (file location, merging, --force, --dry-run, the entry read back), plus remote servers,
//! project scope and files that must be left alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use fastmcp::client::{McpConfig, ServerEntry};
use serde_json::{json, Value};
use serde_yaml_ng::Value as Yaml;

/// A temporary HOME (and current directory), removed at the end.
struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        static N: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "fastmcp-install-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("home")).unwrap();
        std::fs::create_dir_all(root.join("project")).unwrap();
        Sandbox { root }
    }

    fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    fn cwd(&self) -> PathBuf {
        self.root.join("project")
    }

    /// `fastmcp install ARGS` with HOME (and APPDATA, USERPROFILE) in the sandbox.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_fastmcp"))
            .arg("install")
            .args(args)
            .env("HOME", self.home())
            .env("USERPROFILE", self.home())
            .env("APPDATA", self.home().join("AppData/Roaming"))
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("CLAUDE_CONFIG_DIR")
            .current_dir(self.cwd())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?} failed: {stderr}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// The user-scope file of `client` on this system.
    fn user_path(&self, client: &str) -> PathBuf {
        let h = self.home();
        let app = if cfg!(windows) {
            h.join("AppData/Roaming")
        } else if cfg!(target_os = "macos") {
            h.join("Library/Application Support")
        } else {
            h.join(".config")
        };
        match client {
            "claude-desktop" => app.join("Claude/claude_desktop_config.json"),
            "claude-code" => h.join(".claude.json"),
            "cursor" => h.join(".cursor/mcp.json"),
            "vscode" => app.join("Code/User/mcp.json"),
            "gemini-cli" => h.join(".gemini/settings.json"),
            "goose" if cfg!(windows) => app.join("Block/goose/config/config.yaml"),
            "goose" => h.join(".config/goose/config.yaml"),
            "mcp-json" => self.cwd().join("mcp.json"),
            other => panic!("no such client {other}"),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The stdio entry `name` read back with the project's MCPConfig parser.
fn mcp_config_stdio(path: &Path, name: &str) -> (String, Vec<String>, BTreeMap<String, String>) {
    let c = McpConfig::from_file(path).unwrap();
    match c.servers.get(name) {
        Some(ServerEntry::Stdio {
            command, args, env, ..
        }) => (command.clone(), args.clone(), env.clone()),
        other => panic!("{name}: {other:?}"),
    }
}

/// The parsed JSON of a file.
fn json_of(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// What every client must do: create the file at its place, merge a second server, refuse
/// a taken name without --force (exit 2 and a hint), replace with --force, and write
/// nothing on --dry-run. `check` verifies the entry `calc` as first installed.
fn common_flow(client: &str, check: impl Fn(&Path)) {
    let s = Sandbox::new();
    let path = s.user_path(client);
    let out = s.ok(&[client, "calc", "--env", "K=v", "--", "python", "server.py"]);
    assert!(out.contains(&path.display().to_string()), "{out}");
    assert!(out.contains("added") && out.contains("calc"), "{out}");
    check(&path);

    s.ok(&[client, "other", "--", "node", "x.js"]);
    let both = read(&path);
    assert!(
        both.contains("other") && both.contains("server.py"),
        "{both}"
    );
    check(&path);

    let refused = s.run(&[client, "calc", "--", "python", "new.py"]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("already has") && err.contains("hint:") && err.contains("--force"));
    assert_eq!(read(&path), both, "a refused install changed the file");

    let diff = s.ok(&[client, "third", "--dry-run", "--", "uvx", "third-server"]);
    assert!(diff.contains("--- ") && diff.contains("+++ "), "{diff}");
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("third")),
        "{diff}"
    );
    assert!(diff.contains("nothing written"), "{diff}");
    assert_eq!(read(&path), both, "--dry-run wrote");

    let out = s.ok(&[client, "calc", "--force", "--", "python", "new.py"]);
    assert!(out.contains("replaced"), "{out}");
    let after = read(&path);
    assert!(
        after.contains("new.py") && !after.contains("server.py"),
        "{after}"
    );
    assert!(
        after.contains("other"),
        "--force lost another server: {after}"
    );
}

/// A file with unrelated keys and servers keeps them (same values, same key order).
fn keeps_json(client: &str, key: &str, seed: Value) {
    let s = Sandbox::new();
    let path = s.user_path(client);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&seed).unwrap()).unwrap();
    s.ok(&[client, "calc", "--", "python", "server.py"]);
    let new = json_of(&path);
    let (old, new) = (seed.as_object().unwrap(), new.as_object().unwrap());
    let old_keys: Vec<_> = old.keys().collect();
    assert_eq!(old_keys, new.keys().collect::<Vec<_>>(), "top-level order");
    for (k, v) in old {
        if k != key {
            assert_eq!(&new[k], v, "{k}");
        }
    }
    let servers = new[key].as_object().unwrap();
    for (name, entry) in old[key].as_object().unwrap() {
        assert_eq!(&servers[name], entry, "server {name}");
    }
    assert!(servers.contains_key("calc"));
}

fn mcp_servers_check(path: &Path) {
    let (command, args, e) = mcp_config_stdio(path, "calc");
    assert_eq!(
        (command.as_str(), args),
        ("python", vec!["server.py".into()])
    );
    assert_eq!(e, env(&[("K", "v")]));
}

#[test]
fn claude_desktop() {
    common_flow("claude-desktop", mcp_servers_check);
    let seed = json!({"globalShortcut": "Ctrl+Space",
        "mcpServers": {"fs": {"command": "npx", "args": ["-y", "fs"]}}, "z": [1, {"a": null}]});
    keeps_json("claude-desktop", "mcpServers", seed);
}

#[test]
fn claude_code() {
    common_flow("claude-code", |p| {
        mcp_servers_check(p);
        assert_eq!(json_of(p)["mcpServers"]["calc"]["type"], "stdio");
    });
    let seed = json!({"numStartups": 12, "projects": {"/x": {"mcpServers": {}}},
        "mcpServers": {"gh": {"type": "http", "url": "https://gh/mcp"}}, "theme": "dark"});
    keeps_json("claude-code", "mcpServers", seed);
}

#[test]
fn cursor() {
    common_flow("cursor", mcp_servers_check);
    let seed = json!({"mcpServers": {"ctx": {"url": "https://c/mcp", "headers": {"K": "1"}}},
        "extra": true});
    keeps_json("cursor", "mcpServers", seed);
}

#[test]
fn gemini_cli() {
    common_flow("gemini-cli", mcp_servers_check);
    let seed = json!({"theme": "GitHub", "mcp": {"allowed": ["x"]},
        "mcpServers": {"old": {"command": "x", "args": [], "timeout": 30000, "trust": false}}});
    keeps_json("gemini-cli", "mcpServers", seed);
}

#[test]
fn mcp_json() {
    common_flow("mcp-json", mcp_servers_check);
    let seed = json!({"mcpServers": {"a": {"command": "a"}}, "$comment": "mine"});
    keeps_json("mcp-json", "mcpServers", seed);
}

#[test]
fn vscode() {
    common_flow("vscode", |p| {
        let e = &json_of(p)["servers"]["calc"];
        let want = json!({"type": "stdio", "command": "python", "args": ["server.py"],
            "env": {"K": "v"}});
        assert_eq!(e, &want);
    });
    let seed = json!({"inputs": [{"type": "promptString", "id": "key", "password": true}],
        "servers": {"mem": {"type": "stdio", "command": "npx", "args": ["mem"]}}});
    keeps_json("vscode", "servers", seed);
}

fn yaml_of(path: &Path) -> Yaml {
    serde_yaml_ng::from_str(&read(path)).unwrap()
}

#[test]
fn goose() {
    common_flow("goose", |p| {
        let e = &yaml_of(p)["extensions"]["calc"];
        assert_eq!(e["enabled"], Yaml::from(true));
        assert_eq!(e["type"], Yaml::from("stdio"));
        assert_eq!(e["name"], Yaml::from("calc"));
        assert_eq!(e["cmd"], Yaml::from("python"));
        assert_eq!(e["args"], Yaml::Sequence(vec![Yaml::from("server.py")]));
        assert_eq!(e["envs"]["K"], Yaml::from("v"));
        assert_eq!(e["timeout"], Yaml::from(300));
    });
    let s = Sandbox::new();
    let path = s.user_path("goose");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let seed = "GOOSE_PROVIDER: anthropic\nextensions:\n  developer:\n    enabled: true\n    \
                type: builtin\n    name: developer\n    timeout: 300\nGOOSE_MODE: smart_approve\n";
    std::fs::write(&path, seed).unwrap();
    s.ok(&["goose", "calc", "--", "python", "server.py"]);
    let (old, new): (Yaml, Yaml) = (serde_yaml_ng::from_str(seed).unwrap(), yaml_of(&path));
    let keys = |v: &Yaml| v.as_mapping().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&old), keys(&new));
    assert_eq!(old["GOOSE_MODE"], new["GOOSE_MODE"]);
    assert_eq!(
        old["extensions"]["developer"],
        new["extensions"]["developer"]
    );
    assert_eq!(new["extensions"]["calc"]["cmd"], Yaml::from("python"));
}

fn mcp_config_remote(
    path: &Path,
    name: &str,
) -> (String, BTreeMap<String, String>, Option<String>) {
    let c = McpConfig::from_file(path).unwrap();
    match c.servers.get(name) {
        Some(ServerEntry::Remote {
            url,
            headers,
            transport,
            ..
        }) => (url.clone(), headers.clone(), transport.clone()),
        other => panic!("{name}: {other:?}"),
    }
}

const URL: &str = "https://example.com/mcp";

fn install_remote(s: &Sandbox, client: &str, url: &str) -> PathBuf {
    s.ok(&[
        client,
        "r",
        "--url",
        url,
        "--header",
        "Authorization: Bearer t",
    ]);
    s.user_path(client)
}

#[test]
fn remote_servers_in_each_format() {
    let s = Sandbox::new();
    let auth = env(&[("Authorization", "Bearer t")]);
    for client in ["claude-code", "cursor", "mcp-json"] {
        let p = install_remote(&s, client, URL);
        assert_eq!(mcp_config_remote(&p, "r"), (URL.into(), auth.clone(), None));
    }
    let code = json_of(&s.user_path("claude-code"));
    assert_eq!(code["mcpServers"]["r"]["type"], "http");
    let vscode = json_of(&install_remote(&s, "vscode", URL));
    let want = json!({"type": "http", "url": URL, "headers": {"Authorization": "Bearer t"}});
    assert_eq!(vscode["servers"]["r"], want);
    let gemini = json_of(&install_remote(&s, "gemini-cli", URL));
    assert_eq!(gemini["mcpServers"]["r"]["httpUrl"], URL);
    assert_eq!(
        gemini["mcpServers"]["r"]["headers"]["Authorization"],
        "Bearer t"
    );
    let goose = yaml_of(&install_remote(&s, "goose", URL));
    let g = &goose["extensions"]["r"];
    assert_eq!(g["type"], Yaml::from("streamable_http"));
    assert_eq!(g["uri"], Yaml::from(URL));
    assert_eq!(g["headers"]["Authorization"], Yaml::from("Bearer t"));
}

#[test]
fn legacy_sse_servers() {
    let s = Sandbox::new();
    let sse = "http://127.0.0.1:8000/sse";
    let p = install_remote(&s, "mcp-json", sse);
    assert_eq!(mcp_config_remote(&p, "r").2.as_deref(), Some("sse"));
    let gemini = json_of(&install_remote(&s, "gemini-cli", sse));
    assert_eq!(
        gemini["mcpServers"]["r"],
        json!({"url": sse,
        "headers": {"Authorization": "Bearer t"}})
    );
    let code = json_of(&install_remote(&s, "claude-code", sse));
    assert_eq!(code["mcpServers"]["r"]["type"], "sse");
    let out = s.run(&["goose", "r", "--url", sse]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!s.user_path("goose").exists());
}

#[test]
fn claude_desktop_refuses_a_url() {
    let s = Sandbox::new();
    let out = s.run(&["claude-desktop", "r", "--url", URL]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hint:") && err.contains("mcp-remote"), "{err}");
    assert!(!s.user_path("claude-desktop").exists());
}

#[test]
fn project_scope_writes_in_the_current_directory() {
    let s = Sandbox::new();
    let cases = [
        ("claude-code", ".mcp.json"),
        ("cursor", ".cursor/mcp.json"),
        ("vscode", ".vscode/mcp.json"),
        ("gemini-cli", ".gemini/settings.json"),
    ];
    for (client, rel) in cases {
        s.ok(&[client, "calc", "--scope", "project", "--", "python", "s.py"]);
        assert!(s.cwd().join(rel).is_file(), "{client}: no {rel}");
        assert!(
            !s.user_path(client).exists(),
            "{client} wrote the user's file"
        );
    }
    let (command, ..) = mcp_config_stdio(&s.cwd().join(".mcp.json"), "calc");
    assert_eq!(command, "python");
    for client in ["goose", "claude-desktop"] {
        let out = s.run(&[client, "calc", "--scope", "project", "--", "x"]);
        assert_eq!(out.status.code(), Some(2), "{client}");
    }
}

#[test]
fn a_file_that_does_not_parse_is_left_alone() {
    let s = Sandbox::new();
    let path = s.user_path("vscode");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text = "{\n  // my servers\n  \"servers\": {},\n}\n";
    std::fs::write(&path, text).unwrap();
    let out = s.run(&["vscode", "calc", "--", "python", "s.py"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not valid JSON") && err.contains("hint:"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    assert_eq!(read(&path), text);
    let goose = s.user_path("goose");
    std::fs::create_dir_all(goose.parent().unwrap()).unwrap();
    std::fs::write(&goose, "extensions: [\n").unwrap();
    assert_eq!(s.run(&["goose", "calc", "--", "x"]).status.code(), Some(2));
    assert_eq!(read(&goose), "extensions: [\n");
}

#[test]
fn config_path_and_usage_errors() {
    let s = Sandbox::new();
    let file = s.cwd().join("nested/dir/servers.json");
    s.ok(&[
        "mcp-json",
        "calc",
        "--config-path",
        "nested/dir/servers.json",
        "--",
        "x",
    ]);
    assert_eq!(mcp_config_stdio(&file, "calc").0, "x");
    assert!(!s.cwd().join("mcp.json").exists());
    let usage = [
        vec!["cursor", "calc"],
        vec!["cursor", "calc", "--url", URL, "--", "x"],
        vec!["cursor", "calc", "--env", "NOEQUALS", "--", "x"],
        vec!["cursor", "calc", "--header", "nocolon", "--url", URL],
        vec!["cursor", "calc", "--url", "ftp://x"],
        vec!["cursor", "calc", "--env", "K=v", "--url", URL],
        vec!["nosuchclient", "calc", "--", "x"],
    ];
    for args in usage {
        let out = s.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    assert!(!s.user_path("cursor").exists());
}

#[cfg(unix)]
#[test]
fn a_symlinked_config_stays_a_link() {
    let s = Sandbox::new();
    let target = s.home().join("dotfiles/cursor-mcp.json");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, "{\"mcpServers\": {}}\n").unwrap();
    let link = s.user_path("cursor");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    s.ok(&["cursor", "calc", "--", "python", "s.py"]);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(mcp_config_stdio(&target, "calc").0, "python");
}

#[cfg(unix)]
#[test]
fn permissions_are_kept_and_no_temporary_file_is_left() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    let path = s.user_path("claude-code");
    std::fs::write(&path, "{\"userID\": \"x\"}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    s.ok(&["claude-code", "calc", "--", "python", "s.py"]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(json_of(&path)["userID"], "x");
    let names: Vec<_> = std::fs::read_dir(s.home())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, [".claude.json"]);
}

#[test]
fn relative_programs_and_files_become_absolute_and_bare_programs_stay() {
    let sb = Sandbox::new();
    std::fs::write(sb.cwd().join("server.py"), "print()").unwrap();
    std::fs::create_dir_all(sb.cwd().join("bin")).unwrap();
    std::fs::write(sb.cwd().join("bin/srv"), "").unwrap();
    sb.ok(&[
        "cursor",
        "py",
        "--",
        "python",
        "server.py",
        "--verbose",
        "nofile.txt",
    ]);
    sb.ok(&["cursor", "srv", "--", "./bin/srv"]);
    let config = McpConfig::from_file(sb.user_path("cursor")).unwrap();
    let cwd = sb.cwd().canonicalize().unwrap();
    match &config.servers["py"] {
        ServerEntry::Stdio { command, args, .. } => {
            assert_eq!(command, "python");
            let script = cwd.join("server.py").display().to_string();
            assert_eq!(args, &[script.as_str(), "--verbose", "nofile.txt"]);
        }
        other => panic!("{other:?}"),
    }
    match &config.servers["srv"] {
        ServerEntry::Stdio { command, .. } => {
            assert_eq!(command, &cwd.join("bin/srv").display().to_string())
        }
        other => panic!("{other:?}"),
    }
}
