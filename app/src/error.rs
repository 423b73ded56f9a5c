//! The error server functions return: a reason the user can read, typed so the UI can react.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UiError {
    /// The input was refused; the text says why.
    #[error("{0}")]
    Invalid(String),
    /// The input clashes with what exists (a duplicate name, a stale edit).
    #[error("{0}")]
    Conflict(String),
    /// Nobody is signed in, or the session ended.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but this role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Something failed on our side; details are in the server's log, not shown.
    #[error("something went wrong on our side; please try again")]
    Internal,
    /// The request never reached the function or its answer could not be read.
    #[error("the server could not be reached: {0}")]
    Transport(String),
}

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        UiError::Transport(value.to_string())
    }
}
