//! `conformance-auth --port N`: the conformance server at `http://127.0.0.1:N/mcp`,
//! protected by our own authorization server at `http://127.0.0.1:N` (the issuer), in the
//! same axum app: what the official suite's authorization-server scenarios and the clients
//! of other SDKs log in to.
//!
//! - a public client `conformance` (redirect `http://127.0.0.1/callback`, any port), and
//!   dynamic registration and Client ID Metadata Documents (development mode: loopback
//!   documents allowed) for the others;
//! - users signed in by a login form: any user name, password `pw` (it is a test server);
//! - scopes `mcp:read` (required by the MCP endpoint) and OpenID Connect;
//! - the signing key is a test key of the repository (never use it anywhere else).
//!
//! Options: `--port N` (required), `--client-id ID` and `--client-secret S` (a
//! confidential client instead of the public `conformance`; the server then takes
//! confidential clients only), `--access-ttl SECONDS`.

use std::process::ExitCode;
use std::time::Duration;

use fastmcp::auth::ResourceServer;
use fastmcp::auth_server::{
    AuthorizationServer, CimdOptions, PasswordLogin, RegisteredClient, RegistrationPolicy, User,
};
use fastmcp::server::HttpOptions;

const USAGE: &str =
    "usage: conformance-auth --port N [--client-id ID] [--client-secret S] [--access-ttl SECONDS]";
const TEST_KEY: &[u8] =
    include_bytes!("../../../crates/fastmcp-auth-server/tests/fixtures/rsa.key.pem");

struct Args {
    port: u16,
    client_id: String,
    secret: Option<String>,
    access_ttl: u64,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        port: 0,
        client_id: "conformance".into(),
        secret: None,
        access_ttl: 3600,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--port" => {
                a.port = value()?
                    .parse()
                    .map_err(|_| format!("--port: not a port\n{USAGE}"))?
            }
            "--client-id" => a.client_id = value()?,
            "--client-secret" => a.secret = Some(value()?),
            "--access-ttl" => {
                a.access_ttl = value()?
                    .parse()
                    .map_err(|_| format!("--access-ttl: not a number\n{USAGE}"))?
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    if a.port == 0 {
        return Err(USAGE.into());
    }
    Ok(a)
}

async fn run(a: Args) -> Result<(), Box<dyn std::error::Error>> {
    let issuer = format!("http://127.0.0.1:{}", a.port);
    let resource = format!("{issuer}/mcp");
    let redirect = ["http://127.0.0.1/callback", "http://localhost/callback"];
    let client =
        match &a.secret {
            Some(s) => RegisteredClient::confidential(&a.client_id, s, &redirect)
                .with_grant_types(&["authorization_code", "refresh_token", "client_credentials"]),
            None => RegisteredClient::public(&a.client_id, &redirect),
        };
    let login = PasswordLogin::new(|name, password| async move {
        (password == "pw" && !name.is_empty())
            .then(|| User::new(name.clone()).with_claim("email", format!("{name}@example.com")))
    })
    .insecure_http();
    // With a secret, the server takes confidential clients only (the suite authenticates
    // with a secret only when `none` is not offered).
    let methods: &[&str] = match a.secret {
        Some(_) => &["client_secret_basic", "client_secret_post"],
        None => &["none", "client_secret_basic", "client_secret_post"],
    };
    let auth = AuthorizationServer::builder(&issuer)
        .client_auth_methods(methods)
        .signing_key("conformance-test-key", "RS256", TEST_KEY)
        .scopes(["mcp:read", "mcp:write"])
        .resource(&resource)
        .openid(true)
        .authenticator(login)
        .client(client.with_name("Conformance suite"))
        .dynamic_registration(RegistrationPolicy::default())
        .client_id_metadata_documents(CimdOptions::default().development())
        .access_token_ttl(Duration::from_secs(a.access_ttl))
        .build()?;
    let rs = ResourceServer::new(&resource, auth.verifier())
        .authorization_server(&issuer)
        .scopes_supported(["mcp:read", "mcp:write"])
        .required_scopes(["mcp:read"]);
    let opts = HttpOptions::default().auth(rs).routes(auth.router());
    eprintln!("conformance-auth: MCP at {resource}, authorization server {issuer}");
    conformance::build_server()
        .run_http_with(&format!("127.0.0.1:{}", a.port), opts)
        .await?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("conformance-auth: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conformance-auth: {e}");
            ExitCode::FAILURE
        }
    }
}
