//! A TCP relay in front of the server that cuts connections at random (chaos runs).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

/// What the relay did, and its switch.
#[derive(Default)]
pub struct Cuts {
    /// Connections cut.
    pub cut: AtomicU64,
    /// Connections relayed.
    pub relayed: AtomicU64,
    /// While set, connections are cut.
    pub on: AtomicBool,
}

/// Relay every connection of `listener` to `upstream`; while `cuts.on`, each connection
/// lives for a random time (exponential, mean `mean_life`) and is then cut.
pub async fn relay(
    listener: TcpListener,
    upstream: SocketAddr,
    mean_life: Duration,
    cuts: Arc<Cuts>,
) {
    let mut seed = 1u64;
    while let Ok((mut down, _)) = listener.accept().await {
        seed += 1;
        let cuts = cuts.clone();
        let life = mean_life.mul_f64(-(1.0 - fastrand::Rng::with_seed(seed).f64()).ln());
        tokio::spawn(async move {
            let Ok(mut up) = TcpStream::connect(upstream).await else {
                return; // The server is down: the client sees the connection close.
            };
            cuts.relayed.fetch_add(1, Relaxed);
            let copy = tokio::io::copy_bidirectional(&mut down, &mut up);
            tokio::pin!(copy);
            tokio::select! {
                _ = &mut copy => return,
                _ = tokio::time::sleep(life) => {}
            }
            if cuts.on.load(Relaxed) {
                cuts.cut.fetch_add(1, Relaxed);
            } else {
                let _ = copy.await;
            }
        });
    }
}
