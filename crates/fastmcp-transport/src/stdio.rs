//! The stdio transport: newline-delimited JSON on stdin and stdout (logs go to stderr).

use crate::channel::Channel;
use crate::lines::{line_channel, line_channel_with_writer, LineOptions};

/// A channel over this process's stdin and stdout.
pub fn channel(opts: LineOptions) -> Channel {
    line_channel(tokio::io::stdin(), tokio::io::stdout(), opts)
}

/// A channel over stdin and stdout, and the task writing stdout: await it after the
/// session ends so that every answer is flushed before the process exits.
pub fn channel_with_writer(opts: LineOptions) -> (Channel, tokio::task::JoinHandle<()>) {
    line_channel_with_writer(tokio::io::stdin(), tokio::io::stdout(), opts)
}
