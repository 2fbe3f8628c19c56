//! Binding a port again for a restarted test server.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Listen on `addr` again, waiting (up to 5 s) while the last server's listener is still
/// closing; any error but `AddrInUse` fails the test.
pub async fn bind_again(addr: SocketAddr) -> tokio::net::TcpListener {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => return l,
            Err(e) if Instant::now() < deadline => {
                assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse, "{e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("bind {addr}: {e}"),
        }
    }
}
