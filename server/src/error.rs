//! The API's errors: a status and a clear, safe message for the client; internals go to the log.

use app::error::UiError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::agent::AgentRejection;
use domain::apikey::ApiKeyRejection;
use domain::blacklist::BlacklistRejection;
use domain::business::BusinessRejection;
use domain::chat::ChatRejection;
use domain::company::CompanyRejection;
use domain::contact::ContactRejection;
use domain::contact_import::ImportRejection;
use domain::line::LineRejection;
use domain::pause::PauseRejection;
use domain::queue::QueueRejection;
use domain::reservation::ReservationRejection;
use domain::user::UserRejection;
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
    /// An address (path and query) over the limits (414).
    #[error("{0}")]
    AddressTooLong(String),
    /// A file of a kind that is not accepted (415).
    #[error("{0}")]
    UnsupportedMedia(String),
    /// Over a limit for now (429): `retry_after` seconds from now it fits again.
    #[error("{message}")]
    TooMany { message: String, retry_after: u64 },
    #[error("the history changed too often while deciding; try again")]
    Contention,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The refusal of something over a limit, `what` saying which, until `come_back` has passed.
    pub fn too_many(what: &str, come_back: crate::limits::ComeBackIn) -> Self {
        let retry_after = come_back.seconds();
        AppError::TooMany { message: format!("{what}; try again in {retry_after} s"), retry_after }
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::Malformed(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) | AppError::Contention => StatusCode::CONFLICT,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::AddressTooLong(_) => StatusCode::URI_TOO_LONG,
            AppError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
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

/// What sign-in says when the address or the password is wrong: the same, so that it tells nobody
/// which addresses have accounts.
pub const WRONG_CREDENTIALS: &str = "wrong e-mail or password";

// What each rejection of the domain means to a caller. The status of every rejection is decided
// here, once; the words are the domain's.

impl From<UserRejection> for AppError {
    fn from(rejection: UserRejection) -> Self {
        match rejection {
            UserRejection::AlreadyRegistered => AppError::Conflict(rejection.to_string()),
            UserRejection::NotRegistered => AppError::Unauthorized(WRONG_CREDENTIALS.into()),
            UserRejection::Deactivated => AppError::Forbidden(rejection.to_string()),
            UserRejection::InvalidName => AppError::Invalid(rejection.to_string()),
        }
    }
}

impl From<ReservationRejection> for AppError {
    fn from(rejection: ReservationRejection) -> Self {
        AppError::Conflict(rejection.to_string())
    }
}

impl From<CompanyRejection> for AppError {
    fn from(rejection: CompanyRejection) -> Self {
        match rejection {
            CompanyRejection::NotFound => AppError::NotFound(rejection.to_string()),
            CompanyRejection::AlreadyExists | CompanyRejection::NoSeatLeft(_) => {
                AppError::Conflict(rejection.to_string())
            }
            CompanyRejection::InvalidName | CompanyRejection::InvalidLimit | CompanyRejection::UnknownTimeZone(_) => {
                AppError::Invalid(rejection.to_string())
            }
        }
    }
}

impl From<QueueRejection> for AppError {
    fn from(rejection: QueueRejection) -> Self {
        match rejection {
            QueueRejection::NotFound => AppError::NotFound(rejection.to_string()),
            QueueRejection::AlreadyExists => AppError::Conflict(rejection.to_string()),
            QueueRejection::InvalidWaitingMessage | QueueRejection::InvalidNoAnswerTime => {
                AppError::Invalid(rejection.to_string())
            }
        }
    }
}

impl From<PauseRejection> for AppError {
    fn from(rejection: PauseRejection) -> Self {
        match rejection {
            PauseRejection::UnknownReason => AppError::NotFound(rejection.to_string()),
            PauseRejection::DuplicateName(_) => AppError::Conflict(rejection.to_string()),
            PauseRejection::InvalidName => AppError::Invalid(rejection.to_string()),
        }
    }
}

impl From<AgentRejection> for AppError {
    fn from(rejection: AgentRejection) -> Self {
        match rejection {
            AgentRejection::AlreadyPaused | AgentRejection::NotPaused | AgentRejection::Unavailable => {
                AppError::Conflict(rejection.to_string())
            }
            AgentRejection::InvalidCapacity => AppError::Invalid(rejection.to_string()),
        }
    }
}

impl From<ApiKeyRejection> for AppError {
    fn from(rejection: ApiKeyRejection) -> Self {
        match rejection {
            ApiKeyRejection::InvalidName => AppError::Invalid(rejection.to_string()),
            ApiKeyRejection::NotFound => AppError::NotFound(rejection.to_string()),
        }
    }
}

impl From<LineRejection> for AppError {
    fn from(rejection: LineRejection) -> Self {
        match rejection {
            LineRejection::NotFound => AppError::NotFound(rejection.to_string()),
            LineRejection::AlreadyExists | LineRejection::NoChannel => AppError::Conflict(rejection.to_string()),
            LineRejection::InvalidName
            | LineRejection::InvalidGroup
            | LineRejection::InvalidWebhook
            | LineRejection::InvalidMenu(_)
            | LineRejection::InvalidChannel(_) => AppError::Invalid(rejection.to_string()),
        }
    }
}

impl From<BlacklistRejection> for AppError {
    fn from(rejection: BlacklistRejection) -> Self {
        match rejection {
            BlacklistRejection::NotListed(_) => AppError::NotFound(rejection.to_string()),
            BlacklistRejection::AlreadyListed(_) => AppError::Conflict(rejection.to_string()),
            BlacklistRejection::InvalidReason => AppError::Invalid(rejection.to_string()),
        }
    }
}

impl From<ChatRejection> for AppError {
    fn from(rejection: ChatRejection) -> Self {
        match rejection {
            ChatRejection::NotFound | ChatRejection::NoSuchMessage => AppError::NotFound(rejection.to_string()),
            ChatRejection::NotYours | ChatRejection::NotYourMessage | ChatRejection::EditingNotAllowed => {
                AppError::Forbidden(rejection.to_string())
            }
            ChatRejection::NotWaiting
            | ChatRejection::NotOpen
            | ChatRejection::AlreadyThere
            | ChatRejection::AlreadyOpen
            | ChatRejection::MessageDeleted
            | ChatRejection::NotEditable
            | ChatRejection::OutsideWindow { .. } => AppError::Conflict(rejection.to_string()),
            ChatRejection::InvalidMessage
            | ChatRejection::InvalidContact
            | ChatRejection::InvalidMedia
            | ChatRejection::InvalidNote
            | ChatRejection::InvalidName
            | ChatRejection::InvalidTag => AppError::Invalid(rejection.to_string()),
            ChatRejection::Template(rejection) => rejection.into(),
        }
    }
}

impl From<ContactRejection> for AppError {
    fn from(rejection: ContactRejection) -> Self {
        match rejection {
            ContactRejection::NotFound => AppError::NotFound(rejection.to_string()),
            ContactRejection::AlreadyExists | ContactRejection::Merged(_) | ContactRejection::NoSuchMerge => {
                AppError::Conflict(rejection.to_string())
            }
            _ => AppError::Invalid(rejection.to_string()),
        }
    }
}

impl From<BusinessRejection> for AppError {
    fn from(rejection: BusinessRejection) -> Self {
        match rejection {
            BusinessRejection::NotFound => AppError::NotFound(rejection.to_string()),
            BusinessRejection::AlreadyExists => AppError::Conflict(rejection.to_string()),
            BusinessRejection::InvalidName => AppError::Invalid(rejection.to_string()),
        }
    }
}

impl From<ImportRejection> for AppError {
    fn from(rejection: ImportRejection) -> Self {
        match rejection {
            ImportRejection::NotFound => AppError::NotFound(rejection.to_string()),
            ImportRejection::Empty => AppError::Invalid(rejection.to_string()),
            ImportRejection::AlreadyStarted
            | ImportRejection::OutOfTurn { .. }
            | ImportRejection::BeyondTheFile { .. } => AppError::Conflict(rejection.to_string()),
        }
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
            | AppError::AddressTooLong(reason)
            | AppError::UnsupportedMedia(reason) => UiError::Invalid(reason),
            AppError::Conflict(reason) => UiError::Conflict(reason),
            AppError::Contention => UiError::Conflict(error.to_string()),
            AppError::NotFound(reason) | AppError::TooMany { message: reason, .. } => UiError::Invalid(reason),
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
        let mut response =
            (self.status_code(), Json(serde_json::json!({ "error": self.public_message() }))).into_response();
        if let AppError::TooMany { retry_after, .. } = &self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(*retry_after));
        }
        response
    }
}

impl From<domain::internal_chat::InternalChatRejection> for AppError {
    fn from(rejection: domain::internal_chat::InternalChatRejection) -> Self {
        use domain::internal_chat::InternalChatRejection;
        match rejection {
            InternalChatRejection::NotFound => AppError::NotFound(rejection.to_string()),
            InternalChatRejection::InvalidText | InternalChatRejection::ToOneself => {
                AppError::Invalid(rejection.to_string())
            }
        }
    }
}

impl From<domain::quick_reply::QuickReplyRejection> for AppError {
    fn from(rejection: domain::quick_reply::QuickReplyRejection) -> Self {
        use domain::quick_reply::QuickReplyRejection;
        match rejection {
            QuickReplyRejection::NotFound => AppError::NotFound(rejection.to_string()),
            QuickReplyRejection::AlreadyExists => AppError::Conflict(rejection.to_string()),
            QuickReplyRejection::InvalidShortcut
            | QuickReplyRejection::InvalidWords
            | QuickReplyRejection::InvalidCategory => AppError::Invalid(rejection.to_string()),
        }
    }
}

impl From<domain::template::TemplateRejection> for AppError {
    fn from(rejection: domain::template::TemplateRejection) -> Self {
        use domain::template::TemplateRejection;
        match rejection {
            TemplateRejection::NotFound => AppError::NotFound(rejection.to_string()),
            TemplateRejection::AlreadyExists => AppError::Conflict(rejection.to_string()),
            TemplateRejection::InvalidName
            | TemplateRejection::InvalidLanguage
            | TemplateRejection::InvalidBody(_)
            | TemplateRejection::InvalidValues { .. } => AppError::Invalid(rejection.to_string()),
        }
    }
}
