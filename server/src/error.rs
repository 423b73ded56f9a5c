//! The API's errors: a status and a clear, safe message for the client; internals go to the log.

use app::error::UiError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use eventlog::EventLogError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request could not be read at all (400).
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// A file over the size limit (413).
    #[error("{0}")]
    TooLarge(String),
    /// A file of a kind that is not accepted (415).
    #[error("{0}")]
    UnsupportedMedia(String),
    #[error("the history changed too often while deciding; try again")]
    Contention,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::Malformed(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) | AppError::Contention => StatusCode::CONFLICT,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the client is told.
    fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "something went wrong on our side; please try again".into(),
            other => other.to_string(),
        }
    }
}

impl From<EventLogError> for AppError {
    fn from(error: EventLogError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl From<projections::ProjectionError> for AppError {
    fn from(error: projections::ProjectionError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl From<domain::event::EventDataError> for AppError {
    fn from(error: domain::event::EventDataError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl From<AppError> for UiError {
    fn from(error: AppError) -> Self {
        if let AppError::Internal(cause) = &error {
            tracing::error!(%cause, "internal error");
        }
        match error {
            AppError::Invalid(reason)
            | AppError::Malformed(reason)
            | AppError::TooLarge(reason)
            | AppError::UnsupportedMedia(reason) => UiError::Invalid(reason),
            AppError::Conflict(reason) => UiError::Conflict(reason),
            AppError::Contention => UiError::Conflict(error.to_string()),
            AppError::NotFound(reason) => UiError::Invalid(reason),
            AppError::Unauthorized(reason) => UiError::Unauthorized(reason),
            AppError::Forbidden(reason) => UiError::Forbidden(reason),
            AppError::Internal(_) => UiError::Internal,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        (self.status_code(), Json(serde_json::json!({ "error": self.public_message() }))).into_response()
    }
}
