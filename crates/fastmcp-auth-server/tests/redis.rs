//! Replicas of one authorization server sharing a real `redis-server` (started by the test
//! on 127.0.0.1; `scripts/setup-redis.sh` installs it): a sign-in started on one finishes
//! on the other, tokens issued by one are accepted (and revoked) by the other, a restarted
//! replica loses nothing, and the store reconnects after Redis restarts.

mod common;
#[path = "../../fastmcp/tests/support/redis.rs"]
mod redis_support;

use std::sync::Arc;

use common::*;
use fastmcp_auth::TokenVerifier;
use fastmcp_auth_server::{AuthStore, AuthorizationServer, RedisStore, RegisteredClient};
use redis_support::RedisServer;

/// A replica of the server whose issuer is `issuer`, on a port of its own, its state in
/// the Redis at `url`: (the server, its own address, the serving task).
async fn replica(
    issuer: &str,
    url: &str,
) -> (AuthorizationServer, String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let store = RedisStore::new(url).unwrap().prefix("test-replicas:");
    let server = AuthorizationServer::builder(issuer)
        .signing_key("k1", "RS256", include_bytes!("fixtures/rsa.key.pem"))
        .scopes(["notes:read"])
        .resource(RESOURCE)
        .authenticator(login().secret(b"the replicas' shared cookie key"))
        .client(RegisteredClient::public("app", &[REDIRECT]))
        .store(Arc::new(store))
        .build()
        .unwrap();
    let app = server.router();
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (server, addr, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_logins_tokens_and_revocations_through_redis() {
    let mut redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let url = redis.url();
    // Replica A's address is the public issuer (a load balancer's, in production).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (a, _, task_a) = replica(&issuer, &url).await;
    let (b, b_addr, _task_b) = replica(&issuer, &url).await;

    // The sign-in and the consent page come from A; the consent is posted to B.
    let (verifier, challenge) = pkce();
    let browser = browser();
    let authorize = authorize_url(&b_addr, &challenge, &[("scope", "notes:read")]);
    let page = to_consent(&browser, &b_addr, &authorize, "alice")
        .await
        .unwrap();
    let back = consent(&browser, &b_addr, &page, "allow").await;
    let code = query(&back)["code"].clone();
    // The code is exchanged at B; A's verifier accepts the token.
    let (status, t) = exchange(&b_addr, &code, &verifier).await;
    assert_eq!(status, 200, "{t}");
    let access = t["access_token"].as_str().unwrap().to_owned();
    assert!(a.verifier().verify(&access).await.is_ok());
    assert!(b.verifier().verify(&access).await.is_ok());
    let (status, _) = exchange(&b_addr, &code, &verifier).await;
    assert_eq!(status, 400, "the code is spent for every replica");
    assert!(
        a.verifier().verify(&access).await.is_err(),
        "and the replay revoked the grant everywhere"
    );

    // A second login; A restarts (a new process: new connections, nothing in memory).
    let (verifier, challenge) = pkce();
    let back = log_in(
        &browser,
        &b_addr,
        &authorize_url(&b_addr, &challenge, &[("scope", "notes:read")]),
        "alice",
    )
    .await;
    let (_, t) = exchange(&b_addr, &query(&back)["code"], &verifier).await;
    task_a.abort();
    drop(a);
    let (a2, a2_addr, _task_a2) = replica(&issuer, &url).await;
    let refresh = t["refresh_token"].as_str().unwrap();
    let (status, t2) = token(
        &a2_addr,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "app"),
            ("refresh_token", refresh),
        ],
    )
    .await;
    assert_eq!(status, 200, "the restarted replica knows the grant: {t2}");
    assert!(a2
        .verifier()
        .verify(t2["access_token"].as_str().unwrap())
        .await
        .is_ok());
    // Reused at B after rotation at A: the family is revoked on both.
    let (status, _) = token(
        &b_addr,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "app"),
            ("refresh_token", refresh),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert!(a2
        .verifier()
        .verify(t2["access_token"].as_str().unwrap())
        .await
        .is_err());

    // Every key has a time to live.
    let keys = redis.command("KEYS test-replicas:*");
    assert!(keys.starts_with('*') && keys != "*0", "{keys}");
    let store = RedisStore::new(&url).unwrap().prefix("test-replicas:");
    store
        .put("probe", "1".into(), std::time::Duration::from_secs(30))
        .await
        .unwrap();
    let ttl = redis.command("PTTL test-replicas:probe");
    assert!(
        ttl.trim_start_matches(':').parse::<i64>().unwrap() > 0,
        "{ttl}"
    );

    // Redis restarts (empty: nothing is saved in this test): the store reconnects.
    let redis = tokio::task::spawn_blocking(move || {
        redis.restart();
        redis
    })
    .await
    .unwrap();
    let mut reconnected = false;
    for _ in 0..50 {
        if store
            .put("after", "1".into(), std::time::Duration::from_secs(30))
            .await
            .is_ok()
        {
            reconnected = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(reconnected, "the store did not reconnect");
    assert_eq!(store.get("after").await.unwrap().as_deref(), Some("1"));
    drop(redis);
}
