//! The URL-elicitation-required error (-32042): a request cannot go on until the user
//! completes one or more URL-mode elicitations.

use fastmcp_protocol::ElicitRequestUrlParams;
use serde_json::json;

use crate::{Error, ErrorKind};

impl Error {
    /// Fail a request with -32042: the user must first complete the URL-mode
    /// `elicitations` (sent as `error.data.elicitations`). Handlers usually go through
    /// [`Context::url_elicitation_required`](crate::Context::url_elicitation_required),
    /// which checks that the client supports URL mode.
    ///
    /// ```
    /// use fastmcp_core::{Error, ErrorKind};
    /// use fastmcp_protocol::ElicitRequestUrlParams;
    /// let e = Error::url_elicitation_required(vec![ElicitRequestUrlParams::new(
    ///     "Authorize access",
    ///     "https://example.com/connect",
    ///     "e-1",
    /// )]);
    /// assert_eq!(e.code(), -32042);
    /// assert_eq!(e.data().unwrap()["elicitations"][0]["mode"], "url");
    /// assert_eq!(e.url_elicitations().unwrap()[0].url, "https://example.com/connect");
    /// ```
    pub fn url_elicitation_required(elicitations: Vec<ElicitRequestUrlParams>) -> Error {
        let message = match elicitations.as_slice() {
            [one] => format!("This request requires more information: {}", one.message),
            _ => "This request requires more information.".to_owned(),
        };
        Error::new(ErrorKind::UrlElicitationRequired, message)
            .with_data(json!({ "elicitations": elicitations }))
    }

    /// The URL-mode elicitations of a -32042 error (`None` for other errors or when its
    /// `data` does not carry well-formed elicitations).
    pub fn url_elicitations(&self) -> Option<Vec<ElicitRequestUrlParams>> {
        if self.kind() != ErrorKind::UrlElicitationRequired {
            return None;
        }
        let list = self.data()?.get("elicitations")?.clone();
        serde_json::from_value(list).ok()
    }
}
