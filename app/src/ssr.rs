//! What the server gives server functions: the operations of the product, already scoped to the
//! caller. Server functions stay thin: parse, call one of these, map the error.

use crate::contract::{
    AgentStatus, AgentView, ApiKeyView, BlacklistEntryView, BrandingView, BusinessView, ChatView, ColleagueChatView,
    ColleagueView, CompanyUseView, ContactCardView, ContactEditForm, ContactListView, ConversationView, HistoryFilter,
    HistoryView, LineView, MenuPreview, MonitorView, MyDay, NewAgentForm, NewContactForm, NewStaffForm, QueueForm,
    QueueView, QuickReplyForm, QuickReplyView, ReasonView, ReportFilter, ReportView, Role, StaffView, StartLineView,
    TemplateAdminView, TemplateForm, TransferTargets, WhatsNewView, WhatsappLinkForm, WhatsappLinked,
};
use crate::error::UiError;

use async_trait::async_trait;
use std::sync::Arc;

/// A session just opened: the cookie to set, and the role signed in.
pub struct SignedIn {
    pub cookie: String,
    pub role: Role,
    /// They signed in with the installation's default password and are asked to change it.
    pub password_to_change: bool,
}

/// Every operation takes the request's session token; the server resolves who is asking.
#[async_trait]
pub trait Services: Send + Sync + 'static {
    async fn sign_in(&self, email: String, password: String) -> Result<SignedIn, UiError>;
    /// The role of the session `token` opens; nobody for no token or one that ended.
    async fn who_am_i(&self, token: Option<String>) -> Result<Option<Role>, UiError>;
    /// Changes the caller's password, once `current` is checked; their other sessions end.
    async fn change_password(&self, token: Option<String>, current: String, new: String) -> Result<(), UiError>;
    /// Ends the session; answers the cookie that removes it.
    async fn sign_out(&self, token: Option<String>) -> Result<String, UiError>;
    async fn queues(&self, token: Option<String>) -> Result<Vec<QueueView>, UiError>;
    async fn create_queue(&self, token: Option<String>, name: String) -> Result<QueueView, UiError>;
    async fn set_queue_member(
        &self,
        token: Option<String>,
        queue_id: String,
        agent_id: String,
        member: bool,
    ) -> Result<(), UiError>;
    async fn save_queue(&self, token: Option<String>, queue: QueueForm) -> Result<(), UiError>;
    async fn agents(&self, token: Option<String>) -> Result<Vec<AgentView>, UiError>;
    async fn rename_agent(&self, token: Option<String>, agent_id: String, name: String) -> Result<(), UiError>;
    async fn staff(&self, token: Option<String>) -> Result<Vec<StaffView>, UiError>;
    async fn create_staff(&self, token: Option<String>, person: NewStaffForm) -> Result<(), UiError>;
    async fn deactivate_staff(&self, token: Option<String>, user_id: String, role: String) -> Result<(), UiError>;
    async fn company_use(&self, token: Option<String>) -> Result<CompanyUseView, UiError>;
    async fn whats_new(&self) -> Result<WhatsNewView, UiError>;
    async fn blacklist(&self, token: Option<String>) -> Result<Vec<BlacklistEntryView>, UiError>;
    async fn add_to_blacklist(
        &self,
        token: Option<String>,
        channel: String,
        account_id: String,
        reason: String,
    ) -> Result<(), UiError>;
    async fn remove_from_blacklist(
        &self,
        token: Option<String>,
        channel: String,
        account_id: String,
    ) -> Result<(), UiError>;
    /// The signed-in person's company's brand; a visitor's, the installation's first company's.
    async fn branding(&self, token: Option<String>) -> Result<BrandingView, UiError>;
    async fn rename_company(&self, token: Option<String>, name: String) -> Result<(), UiError>;
    /// The zone whose days the company's reports count.
    async fn set_company_time_zone(&self, token: Option<String>, time_zone: String) -> Result<(), UiError>;
    async fn remove_company_logo(&self, token: Option<String>) -> Result<(), UiError>;
    async fn deactivate_agent(&self, token: Option<String>, agent_id: String) -> Result<(), UiError>;
    /// How many chats an agent handles at once, as written in the form.
    async fn set_agent_capacity(
        &self,
        token: Option<String>,
        agent_id: String,
        capacity: String,
    ) -> Result<(), UiError>;
    async fn my_status(&self, token: Option<String>) -> Result<AgentStatus, UiError>;
    /// The agent's own dashboard (P11); `time_zone`: where their day begins (IANA; UTC if not one).
    async fn my_day(&self, token: Option<String>, time_zone: Option<String>) -> Result<MyDay, UiError>;
    /// The agent's chats; with `words`, those whose name, number or messages hold them (W7).
    async fn my_chats(&self, token: Option<String>, words: String) -> Result<Vec<ChatView>, UiError>;
    async fn resolve_chats(&self, token: Option<String>, chat_ids: Vec<String>) -> Result<(), UiError>;
    async fn monitor(
        &self,
        token: Option<String>,
        time_zone: Option<String>,
        at: String,
    ) -> Result<MonitorView, UiError>;
    async fn chat_as_it_stood(
        &self,
        token: Option<String>,
        time_zone: Option<String>,
        chat_id: String,
        at: String,
    ) -> Result<ConversationView, UiError>;
    async fn pause_reasons(&self, token: Option<String>) -> Result<Vec<ReasonView>, UiError>;
    async fn create_pause_reason(&self, token: Option<String>, name: String) -> Result<(), UiError>;
    async fn rename_pause_reason(&self, token: Option<String>, reason_id: String, name: String) -> Result<(), UiError>;
    async fn retire_pause_reason(&self, token: Option<String>, reason_id: String) -> Result<(), UiError>;
    async fn pause(&self, token: Option<String>, reason_id: String) -> Result<(), UiError>;
    async fn resume(&self, token: Option<String>) -> Result<(), UiError>;
    async fn create_agent(&self, token: Option<String>, agent: NewAgentForm) -> Result<AgentView, UiError>;
    /// The chat with its messages from `from` on (the message the page shows first), else its
    /// latest `shown` (a page's worth when 0).
    async fn conversation(
        &self,
        token: Option<String>,
        chat_id: String,
        shown: usize,
        from: Option<String>,
    ) -> Result<ConversationView, UiError>;
    /// `quote`: the id of a message of the chat the reply quotes (C4); `media`: the address of a
    /// file uploaded to the chat (C1), sent with the text as its caption.
    async fn reply(
        &self,
        token: Option<String>,
        chat_id: String,
        text: String,
        quote: Option<String>,
        media: Option<String>,
    ) -> Result<(), UiError>;
    /// The company's quick replies whose shortcut, title or text holds `words`, in `category`
    /// (empty: any).
    /// The caller's colleagues (G8), with what each wrote that the caller has not read.
    async fn colleagues(&self, token: Option<String>) -> Result<Vec<ColleagueView>, UiError>;
    /// The caller's conversation with a colleague, which they have then read.
    async fn colleague_chat(&self, token: Option<String>, colleague_id: String) -> Result<ColleagueChatView, UiError>;
    async fn write_to_colleague(
        &self,
        token: Option<String>,
        colleague_id: String,
        text: String,
    ) -> Result<(), UiError>;
    /// The lines an agent may write first from, each with its approved templates (G3, W10).
    async fn start_choices(&self, token: Option<String>) -> Result<Vec<StartLineView>, UiError>;
    /// Opens a conversation with a customer's number on a line, with an approved template;
    /// answers the chat's id.
    async fn start_conversation(
        &self,
        token: Option<String>,
        line_id: String,
        to: String,
        name: String,
        template_id: String,
        values: Vec<String>,
    ) -> Result<String, UiError>;
    async fn quick_replies(
        &self,
        token: Option<String>,
        words: String,
        category: String,
    ) -> Result<Vec<QuickReplyView>, UiError>;
    async fn quick_reply_categories(&self, token: Option<String>) -> Result<Vec<String>, UiError>;
    async fn save_quick_reply(&self, token: Option<String>, reply: QuickReplyForm) -> Result<(), UiError>;
    async fn retire_quick_reply(&self, token: Option<String>, reply_id: String) -> Result<(), UiError>;
    async fn templates(&self, token: Option<String>) -> Result<Vec<TemplateAdminView>, UiError>;
    /// Submits a template to WhatsApp through one of the company's linked lines (W12).
    async fn submit_template(&self, token: Option<String>, form: TemplateForm) -> Result<(), UiError>;
    /// The colleagues and queues the caller may transfer a chat to (R5).
    async fn transfer_targets(&self, token: Option<String>) -> Result<TransferTargets, UiError>;
    /// A history as the log holds it — `kind` `chats`, `contacts`, `agents`, `queues` or
    /// `lines` — narrowed (supervisors, auditors).
    async fn history(
        &self,
        token: Option<String>,
        kind: String,
        id: String,
        filter: HistoryFilter,
        zone: Option<String>,
    ) -> Result<HistoryView, UiError>;
    /// Whose histories the auditor's index lists: `(kind, id, name)` of every agent, queue and
    /// line of the company.
    async fn audit_subjects(&self, token: Option<String>) -> Result<Vec<(String, String, String)>, UiError>;
    /// Audits the installation: whether nothing differs, and the report as `server audit` prints it.
    async fn audit(&self, token: Option<String>) -> Result<(bool, String), UiError>;
    /// A report over days in the company's zone (supervisors, auditors).
    async fn report(
        &self,
        token: Option<String>,
        filter: ReportFilter,
        zone: Option<String>,
    ) -> Result<ReportView, UiError>;
    /// A supervisor takes the chat over, to answer it themselves (G1).
    async fn take_over(&self, token: Option<String>, chat_id: String) -> Result<(), UiError>;
    /// Transfers the chat (R5): `to` is `agent:<id>` or `queue:<id>`; a blank note is none.
    async fn transfer_chat(
        &self,
        token: Option<String>,
        chat_id: String,
        to: String,
        note: String,
    ) -> Result<(), UiError>;
    /// The chat's name for the company (W6); blank: the contact's again.
    async fn rename_chat(&self, token: Option<String>, chat_id: String, name: String) -> Result<(), UiError>;
    /// Puts a tag on the chat, or takes it off (W11).
    async fn tag_chat(&self, token: Option<String>, chat_id: String, tag: String, on: bool) -> Result<(), UiError>;
    /// A private note in the chat, for colleagues only (G7).
    async fn write_note(&self, token: Option<String>, chat_id: String, text: String) -> Result<(), UiError>;
    /// A place on the map sent to the customer (C6): coordinates as written, and its name if any.
    async fn share_place(
        &self,
        token: Option<String>,
        chat_id: String,
        latitude: String,
        longitude: String,
        name: String,
    ) -> Result<(), UiError>;
    /// New words for one of the caller's own replies or notes (G18).
    async fn edit_message(
        &self,
        token: Option<String>,
        chat_id: String,
        message_id: String,
        text: String,
    ) -> Result<(), UiError>;
    /// Takes back one of the caller's own replies or notes (G18).
    async fn delete_message(&self, token: Option<String>, chat_id: String, message_id: String) -> Result<(), UiError>;
    /// One of the line's approved templates, its variables filled with `values` in order (G3).
    async fn send_template(
        &self,
        token: Option<String>,
        chat_id: String,
        template_id: String,
        values: Vec<String>,
    ) -> Result<(), UiError>;
    /// The caller's lines; widget tags load from `origin`.
    async fn lines(&self, token: Option<String>, origin: String) -> Result<Vec<LineView>, UiError>;
    /// The lines that cannot send (W15): their names and why, and nothing else of them.
    async fn lines_that_cannot_send(&self, token: Option<String>) -> Result<Vec<(String, String)>, UiError>;
    async fn create_line(&self, token: Option<String>, name: String, queue_id: String) -> Result<(), UiError>;
    async fn open_widget(&self, token: Option<String>, line_id: String) -> Result<(), UiError>;
    /// A line's rules for its agents: the offline policy (G6) and whether they may change their
    /// messages (G18).
    async fn set_line_route(
        &self,
        token: Option<String>,
        line_id: String,
        kind: String,
        ids: String,
    ) -> Result<(), UiError>;
    async fn set_line_webhook(
        &self,
        token: Option<String>,
        line_id: String,
        url: String,
    ) -> Result<Option<String>, UiError>;
    async fn api_keys(&self, token: Option<String>) -> Result<Vec<ApiKeyView>, UiError>;
    async fn create_api_key(&self, token: Option<String>, name: String) -> Result<String, UiError>;
    async fn revoke_api_key(&self, token: Option<String>, key_id: String) -> Result<(), UiError>;
    async fn set_line_rules(
        &self,
        token: Option<String>,
        line_id: String,
        offline_policy: String,
        agents_may_edit: bool,
    ) -> Result<(), UiError>;
    async fn preview_menu(
        &self,
        token: Option<String>,
        menu: String,
        answers: Vec<String>,
    ) -> Result<MenuPreview, UiError>;
    async fn save_menu(&self, token: Option<String>, line_id: String, menu: String) -> Result<(), UiError>;
    /// Links the line to a WhatsApp Cloud number; the callback URL starts with `origin`.
    async fn link_whatsapp(
        &self,
        token: Option<String>,
        line_id: String,
        origin: String,
        form: WhatsappLinkForm,
    ) -> Result<WhatsappLinked, UiError>;
    async fn unlink_whatsapp(&self, token: Option<String>, line_id: String) -> Result<(), UiError>;
    /// Sends Meta's test template from the line's number to `to`; answers Meta's id of it.
    async fn test_whatsapp(&self, token: Option<String>, line_id: String, to: String) -> Result<String, UiError>;
    async fn contacts(&self, token: Option<String>, query: String) -> Result<Vec<ContactListView>, UiError>;
    /// Answers the new contact's id.
    async fn create_contact(&self, token: Option<String>, contact: NewContactForm) -> Result<String, UiError>;
    async fn contact(&self, token: Option<String>, contact_id: String) -> Result<ContactCardView, UiError>;
    async fn set_contact_owner(&self, token: Option<String>, contact_id: String, owner: String) -> Result<(), UiError>;
    async fn edit_contact(
        &self,
        token: Option<String>,
        contact_id: String,
        details: ContactEditForm,
    ) -> Result<(), UiError>;
    async fn add_contact_account(
        &self,
        token: Option<String>,
        contact_id: String,
        channel: String,
        account_id: String,
    ) -> Result<(), UiError>;
    /// `about`: empty for every account, a channel, or `channel:id`.
    async fn record_contact_consent(
        &self,
        token: Option<String>,
        contact_id: String,
        about: String,
        given: bool,
    ) -> Result<(), UiError>;
    async fn merge_contact(&self, token: Option<String>, contact_id: String, from: String) -> Result<(), UiError>;
    async fn split_contact(&self, token: Option<String>, contact_id: String, merge: String) -> Result<(), UiError>;
    async fn businesses(&self, token: Option<String>) -> Result<Vec<BusinessView>, UiError>;
    async fn create_business(&self, token: Option<String>, name: String) -> Result<(), UiError>;
    async fn rename_business(&self, token: Option<String>, business_id: String, name: String) -> Result<(), UiError>;
    async fn delete_business(&self, token: Option<String>, business_id: String) -> Result<(), UiError>;
}

/// The time zone the person's browser said it is in (the `ikono_tz` cookie), if any.
pub fn time_zone() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    cookie(&parts.headers, crate::preferences::TIME_ZONE_COOKIE).map(|zone| zone.replace("%2F", "/"))
}

/// The session token of the request being served, from its cookies.
pub fn session_token() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    token_from_cookies(&parts.headers)
}

/// The session token among a request's cookies.
pub fn token_from_cookies(headers: &http::HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).filter(|token| !token.is_empty())
}

/// The value of the cookie `wanted` among a request's cookies.
fn cookie(headers: &http::HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_string())
}

/// Where the browser reached this server (`http://host:port`), from the request being served.
pub fn request_origin() -> String {
    let parts = leptos::prelude::use_context::<http::request::Parts>();
    origin_of(parts.as_ref().map_or(&http::HeaderMap::new(), |parts| &parts.headers))
}

/// Where the browser reached this server, as a request's headers name it (a proxy's first).
pub fn origin_of(headers: &http::HeaderMap) -> String {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let scheme = header("x-forwarded-proto").unwrap_or("http");
    let host = header("x-forwarded-host").or_else(|| header("host")).unwrap_or("127.0.0.1:3000");
    format!("{scheme}://{host}")
}

/// Sets a cookie on the server function's answer.
pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) =
        (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(value))
    {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// The name of the session cookie; the server sets it, pages read it.
pub const SESSION_COOKIE: &str = "ikono_session";

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
            UiError::Unauthorized(_) => http::StatusCode::UNAUTHORIZED,
            UiError::Forbidden(_) => http::StatusCode::FORBIDDEN,
            UiError::Internal | UiError::Transport(_) => http::StatusCode::INTERNAL_SERVER_ERROR,
        };
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
    }
    outcome
}
