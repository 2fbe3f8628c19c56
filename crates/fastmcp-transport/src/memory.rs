//! The in-memory transport: two channels wired to each other, for a client and a server in
//! the same process. Messages still travel as JSON bytes, so behaviour matches real transports.

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::channel::{Channel, Inbound, Outbound};

/// A connected pair of channels.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let (a, mut b) = fastmcp_transport::memory::pair(16);
/// a.outbound.send(&b"{}"[..]).await.unwrap();
/// assert_eq!(&b.inbound.recv().await.unwrap().unwrap()[..], b"{}");
/// # }
/// ```
pub fn pair(capacity: usize) -> (Channel, Channel) {
    let (a_out, b_in) = forward(capacity);
    let (b_out, a_in) = forward(capacity);
    (
        Channel {
            inbound: a_in,
            outbound: a_out,
        },
        Channel {
            inbound: b_in,
            outbound: b_out,
        },
    )
}

fn forward(capacity: usize) -> (Outbound, mpsc::Receiver<Inbound>) {
    let (tx, mut rx) = mpsc::channel::<Bytes>(capacity);
    let (itx, irx) = mpsc::channel::<Inbound>(capacity);
    tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if itx.send(Ok(m)).await.is_err() {
                break;
            }
        }
    });
    (Outbound::new(tx), irx)
}
