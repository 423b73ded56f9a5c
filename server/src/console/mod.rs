//! The pages' server functions (the app's `Services`), answered for the caller the session cookie names.

pub mod chats;
pub mod contacts;
pub mod history;
pub mod internal_chats;
pub mod lines;
pub mod monitor;
pub mod pauses;
pub mod people;
pub mod queues;
pub mod quick_replies;
pub mod reports;
pub mod start;

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::sessions::{
    caller_from_token, change_password, expired_session_cookie, session_cookie, sign_in, sign_out,
};
use crate::state::AppState;
use app::contract::{
    AgentStatus, AgentView, ApiKeyView, BlacklistEntryView, BrandingView, BusinessView, ChatView, ColleagueChatView,
    ColleagueView, CompanyUseView, ContactCardView, ContactEditForm, ContactListView, ConversationView, HistoryFilter,
    HistoryView, LineView, MenuPreview, MonitorView, MyDay, NewAgentForm, NewContactForm, NewStaffForm, QueueForm,
    QueueView, QuickReplyForm, QuickReplyView, ReasonView, ReportFilter, ReportView, Role as SessionRole, StaffView,
    StartLineView, TemplateAdminView, TemplateForm, TransferTargets, WhatsNewView, WhatsappLinkForm, WhatsappLinked,
};
use app::error::UiError;

use app::ssr::{Services, SignedIn};
use async_trait::async_trait;
use domain::user::Role;

/// The role as the pages know it.
fn session_role(role: Role) -> SessionRole {
    match role {
        Role::Supervisor => SessionRole::Supervisor,
        Role::Agent => SessionRole::Agent,
        Role::Auditor => SessionRole::Auditor,
    }
}

/// The app's server functions, for the caller the session cookie names.
use axum::extract::ConnectInfo;
use std::net::SocketAddr;

pub struct ConsoleServices {
    pub state: AppState,
}

impl ConsoleServices {
    /// The address of the client whose request this server function serves.
    fn client(&self) -> std::net::IpAddr {
        let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
        let peer =
            parts.as_ref().and_then(|parts| parts.extensions.get::<ConnectInfo<SocketAddr>>()).map(|info| info.0);
        let unknown = SocketAddr::from(([0, 0, 0, 0], 0));
        let headers = parts.map(|parts| parts.headers).unwrap_or_default();
        self.state.client_of(peer.unwrap_or(unknown), &headers)
    }

    async fn caller(&self, token: Option<String>) -> Result<Caller, UiError> {
        Ok(caller_from_token(&self.state, token.as_deref()).await?)
    }
}

#[async_trait]
impl Services for ConsoleServices {
    async fn sign_in(&self, email: String, password: String) -> Result<SignedIn, UiError> {
        let session = sign_in(&self.state, &email, &password, self.client()).await?;
        Ok(SignedIn {
            cookie: session_cookie(&session.token, self.state.settings.secure_cookies),
            role: session_role(session.caller.role),
            password_to_change: session.password_to_change,
        })
    }

    async fn change_password(&self, token: Option<String>, current: String, new: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        Ok(change_password(&self.state, &caller, &current, &new).await?)
    }

    async fn who_am_i(&self, token: Option<String>) -> Result<Option<SessionRole>, UiError> {
        match caller_from_token(&self.state, token.as_deref()).await {
            Ok(caller) => Ok(Some(session_role(caller.role))),
            Err(AppError::Unauthorized(_)) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    async fn sign_out(&self, token: Option<String>) -> Result<String, UiError> {
        let caller = self.caller(token).await?;
        sign_out(&self.state, &caller).await?;
        Ok(expired_session_cookie(self.state.settings.secure_cookies))
    }

    async fn queues(&self, token: Option<String>) -> Result<Vec<QueueView>, UiError> {
        Ok(queues::queues(&self.state, self.caller(token).await?).await?)
    }

    async fn set_queue_member(
        &self,
        token: Option<String>,
        queue_id: String,
        agent_id: String,
        member: bool,
    ) -> Result<(), UiError> {
        Ok(queues::set_queue_member(&self.state, self.caller(token).await?, queue_id, agent_id, member).await?)
    }

    async fn save_queue(&self, token: Option<String>, queue: QueueForm) -> Result<(), UiError> {
        Ok(queues::save_queue(&self.state, self.caller(token).await?, queue).await?)
    }

    async fn create_queue(&self, token: Option<String>, name: String) -> Result<QueueView, UiError> {
        Ok(queues::create_queue(&self.state, self.caller(token).await?, name).await?)
    }

    async fn rename_agent(&self, token: Option<String>, agent_id: String, name: String) -> Result<(), UiError> {
        Ok(people::rename_agent(&self.state, self.caller(token).await?, agent_id, name).await?)
    }

    async fn staff(&self, token: Option<String>) -> Result<Vec<StaffView>, UiError> {
        Ok(people::staff(&self.state, self.caller(token).await?).await?)
    }

    async fn create_staff(&self, token: Option<String>, person: NewStaffForm) -> Result<(), UiError> {
        Ok(people::create_staff(&self.state, self.caller(token).await?, person).await?)
    }

    async fn deactivate_staff(&self, token: Option<String>, user_id: String, role: String) -> Result<(), UiError> {
        Ok(people::deactivate_staff(&self.state, self.caller(token).await?, user_id, role).await?)
    }

    async fn branding(&self, token: Option<String>) -> Result<BrandingView, UiError> {
        let company = match caller_from_token(&self.state, token.as_deref()).await {
            Ok(caller) => caller.company_id,
            Err(AppError::Unauthorized(_)) => domain::ids::CompanyId::from_uuid(self.state.settings.company_id),
            Err(error) => return Err(error.into()),
        };
        let brand = crate::services::branding::branding_of(&self.state, company).await?;
        Ok(BrandingView { name: brand.name, logo_url: brand.logo_url, time_zone: brand.time_zone })
    }

    async fn rename_company(&self, token: Option<String>, name: String) -> Result<(), UiError> {
        Ok(crate::services::branding::rename_company(&self.state, &self.caller(token).await?, &name).await?)
    }

    async fn set_company_time_zone(&self, token: Option<String>, time_zone: String) -> Result<(), UiError> {
        Ok(crate::services::branding::set_time_zone(&self.state, &self.caller(token).await?, &time_zone).await?)
    }

    async fn remove_company_logo(&self, token: Option<String>) -> Result<(), UiError> {
        Ok(crate::services::branding::remove_logo(&self.state, &self.caller(token).await?).await?)
    }

    async fn blacklist(&self, token: Option<String>) -> Result<Vec<BlacklistEntryView>, UiError> {
        let rows = crate::services::blacklist::entries(&self.state, &self.caller(token).await?).await?;
        Ok(rows
            .into_iter()
            .map(|row| BlacklistEntryView {
                channel: row.channel,
                account_id: row.account_id,
                reason: row.reason,
                added_at: row.added_at,
                dropped: row.dropped,
            })
            .collect())
    }

    async fn add_to_blacklist(
        &self,
        token: Option<String>,
        channel: String,
        account_id: String,
        reason: String,
    ) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let listed = listed_account(&channel, account_id)?;
        Ok(crate::services::blacklist::add(&self.state, &caller, &listed, &reason).await?)
    }

    async fn remove_from_blacklist(
        &self,
        token: Option<String>,
        channel: String,
        account_id: String,
    ) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let listed = listed_account(&channel, account_id)?;
        Ok(crate::services::blacklist::remove(&self.state, &caller, &listed).await?)
    }

    async fn whats_new(&self) -> Result<WhatsNewView, UiError> {
        let page = &crate::services::whats_new::WHATS_NEW;
        Ok(WhatsNewView { features_html: page.features.clone(), changelog_html: page.changelog.clone() })
    }

    async fn company_use(&self, token: Option<String>) -> Result<CompanyUseView, UiError> {
        Ok(people::company_use(&self.state, self.caller(token).await?).await?)
    }

    async fn agents(&self, token: Option<String>) -> Result<Vec<AgentView>, UiError> {
        Ok(people::agents(&self.state, self.caller(token).await?).await?)
    }

    async fn create_agent(&self, token: Option<String>, agent: NewAgentForm) -> Result<AgentView, UiError> {
        Ok(people::create_agent(&self.state, self.caller(token).await?, agent).await?)
    }

    async fn deactivate_agent(&self, token: Option<String>, agent_id: String) -> Result<(), UiError> {
        Ok(people::deactivate_agent(&self.state, self.caller(token).await?, agent_id).await?)
    }

    async fn set_agent_capacity(
        &self,
        token: Option<String>,
        agent_id: String,
        capacity: String,
    ) -> Result<(), UiError> {
        Ok(people::set_agent_capacity(&self.state, self.caller(token).await?, agent_id, capacity).await?)
    }

    async fn my_status(&self, token: Option<String>) -> Result<AgentStatus, UiError> {
        Ok(pauses::my_status(&self.state, self.caller(token).await?).await?)
    }

    async fn my_day(&self, token: Option<String>, time_zone: Option<String>) -> Result<MyDay, UiError> {
        let caller = self.caller(token).await?;
        let day = crate::services::dashboard::my_day(&self.state, &caller, time_zone.as_deref()).await?;
        Ok(MyDay {
            pending: day.pending,
            following: day.following,
            resolved_today: day.resolved_today,
            average_first_response: day.average_first_response,
        })
    }

    async fn my_chats(&self, token: Option<String>, words: String) -> Result<Vec<ChatView>, UiError> {
        Ok(chats::my_chats(&self.state, self.caller(token).await?, words).await?)
    }

    async fn conversation(
        &self,
        token: Option<String>,
        chat_id: String,
        shown: usize,
        from: Option<String>,
    ) -> Result<ConversationView, UiError> {
        Ok(chats::conversation(&self.state, self.caller(token).await?, chat_id, shown, from).await?)
    }

    async fn reply(
        &self,
        token: Option<String>,
        chat_id: String,
        text: String,
        quote: Option<String>,
        media: Option<String>,
    ) -> Result<(), UiError> {
        Ok(chats::reply(&self.state, self.caller(token).await?, chat_id, text, quote, media).await?)
    }

    async fn colleagues(&self, token: Option<String>) -> Result<Vec<ColleagueView>, UiError> {
        Ok(internal_chats::colleague_list(&self.state, self.caller(token).await?).await?)
    }

    async fn colleague_chat(&self, token: Option<String>, colleague_id: String) -> Result<ColleagueChatView, UiError> {
        Ok(internal_chats::colleague_chat(&self.state, self.caller(token).await?, colleague_id).await?)
    }

    async fn write_to_colleague(
        &self,
        token: Option<String>,
        colleague_id: String,
        text: String,
    ) -> Result<(), UiError> {
        Ok(internal_chats::write_to_colleague(&self.state, self.caller(token).await?, colleague_id, text).await?)
    }

    async fn start_choices(&self, token: Option<String>) -> Result<Vec<StartLineView>, UiError> {
        Ok(start::start_choices(&self.state, self.caller(token).await?).await?)
    }

    async fn start_conversation(
        &self,
        token: Option<String>,
        line_id: String,
        to: String,
        name: String,
        template_id: String,
        values: Vec<String>,
    ) -> Result<String, UiError> {
        Ok(start::start(&self.state, self.caller(token).await?, line_id, to, name, template_id, values).await?)
    }

    async fn quick_replies(
        &self,
        token: Option<String>,
        words: String,
        category: String,
    ) -> Result<Vec<QuickReplyView>, UiError> {
        Ok(chats::quick_replies(&self.state, self.caller(token).await?, words, category).await?)
    }

    async fn save_quick_reply(&self, token: Option<String>, reply: QuickReplyForm) -> Result<(), UiError> {
        Ok(quick_replies::save(&self.state, &self.caller(token).await?, reply).await?)
    }

    async fn retire_quick_reply(&self, token: Option<String>, reply_id: String) -> Result<(), UiError> {
        Ok(quick_replies::retire(&self.state, &self.caller(token).await?, reply_id).await?)
    }

    async fn templates(&self, token: Option<String>) -> Result<Vec<TemplateAdminView>, UiError> {
        Ok(quick_replies::templates(&self.state, &self.caller(token).await?).await?)
    }

    async fn submit_template(&self, token: Option<String>, form: TemplateForm) -> Result<(), UiError> {
        Ok(quick_replies::submit_template(&self.state, &self.caller(token).await?, form).await?)
    }

    async fn quick_reply_categories(&self, token: Option<String>) -> Result<Vec<String>, UiError> {
        let caller = self.caller(token).await?;
        Ok(crate::services::quick_replies::quick_reply_categories(&self.state, &caller).await?)
    }

    async fn transfer_targets(&self, token: Option<String>) -> Result<TransferTargets, UiError> {
        Ok(chats::transfer_targets(&self.state, self.caller(token).await?).await?)
    }

    async fn report(
        &self,
        token: Option<String>,
        filter: ReportFilter,
        zone: Option<String>,
    ) -> Result<ReportView, UiError> {
        Ok(reports::report_page(&self.state, self.caller(token).await?, filter, zone).await?)
    }

    async fn history(
        &self,
        token: Option<String>,
        kind: String,
        id: String,
        filter: HistoryFilter,
        zone: Option<String>,
    ) -> Result<HistoryView, UiError> {
        Ok(history::history_page(&self.state, self.caller(token).await?, kind, id, filter, zone).await?)
    }

    async fn audit(&self, token: Option<String>) -> Result<(bool, String), UiError> {
        let outcome = crate::audit::audit_for(&self.state, &self.caller(token).await?).await?;
        Ok((outcome.clean, outcome.report))
    }

    async fn audit_subjects(&self, token: Option<String>) -> Result<Vec<(String, String, String)>, UiError> {
        Ok(reports::audit_subjects(&self.state, self.caller(token).await?).await?)
    }

    async fn take_over(&self, token: Option<String>, chat_id: String) -> Result<(), UiError> {
        Ok(chats::take_over(&self.state, self.caller(token).await?, chat_id).await?)
    }

    async fn transfer_chat(
        &self,
        token: Option<String>,
        chat_id: String,
        to: String,
        note: String,
    ) -> Result<(), UiError> {
        Ok(chats::transfer_chat(&self.state, self.caller(token).await?, chat_id, to, note).await?)
    }

    async fn rename_chat(&self, token: Option<String>, chat_id: String, name: String) -> Result<(), UiError> {
        Ok(chats::rename_chat(&self.state, self.caller(token).await?, chat_id, name).await?)
    }

    async fn tag_chat(&self, token: Option<String>, chat_id: String, tag: String, on: bool) -> Result<(), UiError> {
        Ok(chats::tag_chat(&self.state, self.caller(token).await?, chat_id, tag, on).await?)
    }

    async fn write_note(&self, token: Option<String>, chat_id: String, text: String) -> Result<(), UiError> {
        Ok(chats::write_note(&self.state, self.caller(token).await?, chat_id, text).await?)
    }

    async fn share_place(
        &self,
        token: Option<String>,
        chat_id: String,
        latitude: String,
        longitude: String,
        name: String,
    ) -> Result<(), UiError> {
        Ok(chats::share_place(&self.state, self.caller(token).await?, chat_id, &latitude, &longitude, name).await?)
    }

    async fn edit_message(
        &self,
        token: Option<String>,
        chat_id: String,
        message_id: String,
        text: String,
    ) -> Result<(), UiError> {
        Ok(chats::edit_message(&self.state, self.caller(token).await?, chat_id, message_id, text).await?)
    }

    async fn delete_message(&self, token: Option<String>, chat_id: String, message_id: String) -> Result<(), UiError> {
        Ok(chats::delete_message(&self.state, self.caller(token).await?, chat_id, message_id).await?)
    }

    async fn send_template(
        &self,
        token: Option<String>,
        chat_id: String,
        template_id: String,
        values: Vec<String>,
    ) -> Result<(), UiError> {
        Ok(chats::send_template(&self.state, self.caller(token).await?, chat_id, template_id, values).await?)
    }

    async fn lines(&self, token: Option<String>, origin: String) -> Result<Vec<LineView>, UiError> {
        Ok(lines::lines(&self.state, self.caller(token).await?, origin).await?)
    }

    async fn lines_that_cannot_send(&self, token: Option<String>) -> Result<Vec<(String, String)>, UiError> {
        Ok(lines::that_cannot_send(&self.state, self.caller(token).await?).await?)
    }

    async fn create_line(&self, token: Option<String>, name: String, queue_id: String) -> Result<(), UiError> {
        Ok(lines::create_line(&self.state, self.caller(token).await?, name, queue_id).await?)
    }

    async fn set_line_route(
        &self,
        token: Option<String>,
        line_id: String,
        kind: String,
        ids: String,
    ) -> Result<(), UiError> {
        Ok(lines::set_line_route(&self.state, self.caller(token).await?, line_id, kind, ids).await?)
    }

    async fn set_line_webhook(
        &self,
        token: Option<String>,
        line_id: String,
        url: String,
    ) -> Result<Option<String>, UiError> {
        Ok(lines::set_line_webhook(&self.state, self.caller(token).await?, line_id, url).await?)
    }

    async fn api_keys(&self, token: Option<String>) -> Result<Vec<ApiKeyView>, UiError> {
        Ok(lines::api_keys(&self.state, self.caller(token).await?).await?)
    }

    async fn create_api_key(&self, token: Option<String>, name: String) -> Result<String, UiError> {
        Ok(lines::create_api_key(&self.state, self.caller(token).await?, name).await?)
    }

    async fn revoke_api_key(&self, token: Option<String>, key_id: String) -> Result<(), UiError> {
        Ok(lines::revoke_api_key(&self.state, self.caller(token).await?, key_id).await?)
    }

    async fn set_line_rules(
        &self,
        token: Option<String>,
        line_id: String,
        offline_policy: String,
        agents_may_edit: bool,
    ) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        Ok(lines::set_line_rules(&self.state, caller, line_id, offline_policy, agents_may_edit).await?)
    }

    async fn open_widget(&self, token: Option<String>, line_id: String) -> Result<(), UiError> {
        Ok(lines::open_widget(&self.state, self.caller(token).await?, line_id).await?)
    }

    async fn preview_menu(
        &self,
        token: Option<String>,
        menu: String,
        answers: Vec<String>,
    ) -> Result<MenuPreview, UiError> {
        Ok(lines::preview_menu(&self.state, self.caller(token).await?, menu, answers).await?)
    }

    async fn save_menu(&self, token: Option<String>, line_id: String, menu: String) -> Result<(), UiError> {
        Ok(lines::save_menu(&self.state, self.caller(token).await?, line_id, menu).await?)
    }

    async fn link_whatsapp(
        &self,
        token: Option<String>,
        line_id: String,
        origin: String,
        form: WhatsappLinkForm,
    ) -> Result<WhatsappLinked, UiError> {
        Ok(lines::link_whatsapp(&self.state, self.caller(token).await?, line_id, origin, form).await?)
    }

    async fn unlink_whatsapp(&self, token: Option<String>, line_id: String) -> Result<(), UiError> {
        Ok(lines::unlink_whatsapp(&self.state, self.caller(token).await?, line_id).await?)
    }

    async fn test_whatsapp(&self, token: Option<String>, line_id: String, to: String) -> Result<String, UiError> {
        Ok(lines::test_whatsapp(&self.state, self.caller(token).await?, line_id, to).await?)
    }

    async fn contacts(&self, token: Option<String>, query: String) -> Result<Vec<ContactListView>, UiError> {
        Ok(contacts::contacts(&self.state, &self.caller(token).await?, query).await?)
    }

    async fn create_contact(&self, token: Option<String>, contact: NewContactForm) -> Result<String, UiError> {
        Ok(contacts::create(&self.state, &self.caller(token).await?, contact).await?)
    }

    async fn contact(&self, token: Option<String>, contact_id: String) -> Result<ContactCardView, UiError> {
        Ok(contacts::card(&self.state, &self.caller(token).await?, contact_id).await?)
    }

    async fn set_contact_owner(&self, token: Option<String>, contact_id: String, owner: String) -> Result<(), UiError> {
        Ok(contacts::set_contact_owner(&self.state, &self.caller(token).await?, contact_id, owner).await?)
    }

    async fn edit_contact(
        &self,
        token: Option<String>,
        contact_id: String,
        details: ContactEditForm,
    ) -> Result<(), UiError> {
        Ok(contacts::edit(&self.state, &self.caller(token).await?, contact_id, details).await?)
    }

    async fn add_contact_account(
        &self,
        token: Option<String>,
        contact_id: String,
        channel: String,
        account_id: String,
    ) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        Ok(contacts::add_account_to(&self.state, &caller, contact_id, channel, account_id).await?)
    }

    async fn record_contact_consent(
        &self,
        token: Option<String>,
        contact_id: String,
        about: String,
        given: bool,
    ) -> Result<(), UiError> {
        Ok(contacts::consent(&self.state, &self.caller(token).await?, contact_id, about, given).await?)
    }

    async fn merge_contact(&self, token: Option<String>, contact_id: String, from: String) -> Result<(), UiError> {
        Ok(contacts::merge(&self.state, &self.caller(token).await?, contact_id, from).await?)
    }

    async fn split_contact(&self, token: Option<String>, contact_id: String, merge: String) -> Result<(), UiError> {
        Ok(contacts::split(&self.state, &self.caller(token).await?, contact_id, merge).await?)
    }

    async fn businesses(&self, token: Option<String>) -> Result<Vec<BusinessView>, UiError> {
        Ok(contacts::businesses(&self.state, &self.caller(token).await?).await?)
    }

    async fn create_business(&self, token: Option<String>, name: String) -> Result<(), UiError> {
        Ok(contacts::new_business(&self.state, &self.caller(token).await?, name).await?)
    }

    async fn rename_business(&self, token: Option<String>, business_id: String, name: String) -> Result<(), UiError> {
        Ok(contacts::rename_business(&self.state, &self.caller(token).await?, business_id, name).await?)
    }

    async fn delete_business(&self, token: Option<String>, business_id: String) -> Result<(), UiError> {
        Ok(contacts::delete_business(&self.state, &self.caller(token).await?, business_id).await?)
    }

    async fn resolve_chats(&self, token: Option<String>, chat_ids: Vec<String>) -> Result<(), UiError> {
        Ok(chats::resolve_chats(&self.state, self.caller(token).await?, chat_ids).await?)
    }

    async fn monitor(
        &self,
        token: Option<String>,
        time_zone: Option<String>,
        at: String,
    ) -> Result<MonitorView, UiError> {
        Ok(monitor::monitor(&self.state, self.caller(token).await?, time_zone, at).await?)
    }

    async fn chat_as_it_stood(
        &self,
        token: Option<String>,
        time_zone: Option<String>,
        chat_id: String,
        at: String,
    ) -> Result<ConversationView, UiError> {
        Ok(chats::chat_as_it_stood(&self.state, self.caller(token).await?, time_zone, chat_id, at).await?)
    }

    async fn pause_reasons(&self, token: Option<String>) -> Result<Vec<ReasonView>, UiError> {
        Ok(pauses::pause_reasons(&self.state, self.caller(token).await?).await?)
    }

    async fn create_pause_reason(&self, token: Option<String>, name: String) -> Result<(), UiError> {
        Ok(pauses::create_pause_reason(&self.state, self.caller(token).await?, name).await?)
    }

    async fn rename_pause_reason(&self, token: Option<String>, reason_id: String, name: String) -> Result<(), UiError> {
        Ok(pauses::rename_pause_reason(&self.state, self.caller(token).await?, reason_id, name).await?)
    }

    async fn retire_pause_reason(&self, token: Option<String>, reason_id: String) -> Result<(), UiError> {
        Ok(pauses::retire_pause_reason(&self.state, self.caller(token).await?, reason_id).await?)
    }

    async fn pause(&self, token: Option<String>, reason_id: String) -> Result<(), UiError> {
        Ok(pauses::pause(&self.state, self.caller(token).await?, reason_id).await?)
    }

    async fn resume(&self, token: Option<String>) -> Result<(), UiError> {
        Ok(pauses::resume(&self.state, self.caller(token).await?).await?)
    }
}

/// An account as the blacklist's form names it.
fn listed_account(channel: &str, account_id: String) -> Result<crate::services::blacklist::ListedAccount, AppError> {
    let channel = domain::contact::Channel::parse(channel)?;
    Ok(crate::services::blacklist::ListedAccount { channel, account_id })
}
