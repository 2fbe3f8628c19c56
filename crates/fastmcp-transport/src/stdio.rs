//! The stdio transport: newline-delimited JSON on stdin and stdout (logs go to stderr).

use crate::channel::Channel;
use crate::lines::{line_channel, LineOptions};

/// A channel over this process's stdin and stdout.
pub fn channel(opts: LineOptions) -> Channel {
    line_channel(tokio::io::stdin(), tokio::io::stdout(), opts)
}
