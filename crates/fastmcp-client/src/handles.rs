//! The transport handles a client keeps: the Streamable HTTP session and the child process.
//! When their transport is compiled out (features `http`, `child-process`) they are types
//! without values, so the client's code is the same either way.

#[cfg(feature = "http")]
pub(crate) use fastmcp_transport::http_client::HttpHandle;
#[cfg(feature = "child-process")]
pub(crate) use fastmcp_transport::ChildProcess;

/// There is no Streamable HTTP session without the `http` feature.
#[cfg(not(feature = "http"))]
pub(crate) enum HttpHandle {}

#[cfg(not(feature = "http"))]
impl HttpHandle {
    pub(crate) fn session_id(&self) -> Option<String> {
        match *self {}
    }

    pub(crate) async fn closed(&self) {
        match *self {}
    }
}

/// There is no child process without the `child-process` feature.
#[cfg(not(feature = "child-process"))]
pub(crate) enum ChildProcess {}

#[cfg(not(feature = "child-process"))]
impl ChildProcess {
    pub(crate) async fn shutdown(self) -> std::io::Result<std::process::ExitStatus> {
        match self {}
    }
}
