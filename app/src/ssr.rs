//! What the server gives server functions: the operations of the product, already scoped to the
//! caller. Server functions stay thin: parse, call one of these, map the error.

use crate::error::UiError;
use crate::pages::queues::QueueView;
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
pub trait Services: Send + Sync + 'static {
    async fn queues(&self) -> Result<Vec<QueueView>, UiError>;
    async fn create_queue(&self, name: String) -> Result<QueueView, UiError>;
}

/// The services of this request, put in the context by the server.
pub fn services() -> Result<Arc<dyn Services>, UiError> {
    leptos::prelude::use_context::<Arc<dyn Services>>().ok_or(UiError::Internal)
}

/// Sets the HTTP status of a server function's failed answer: 4xx for the user's mistakes.
pub fn with_status<T>(outcome: Result<T, UiError>) -> Result<T, UiError> {
    if let Err(error) = &outcome {
        let status = match error {
            UiError::Invalid(_) => http::StatusCode::UNPROCESSABLE_ENTITY,
            UiError::Conflict(_) => http::StatusCode::CONFLICT,
            UiError::Internal | UiError::Transport(_) => http::StatusCode::INTERNAL_SERVER_ERROR,
        };
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
    }
    outcome
}
