//! The pages' server functions (the app's `Services`), answered for the caller the session cookie names.

pub mod contacts;

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::{change_agent, create_agent, list_agents, NewAgent};
use crate::services::chats::{list_chats, read_chat, reply, resolve};
use crate::services::lines::{change_line_routing, create_line, list_lines, NewLine};
use crate::services::menu_preview::{preview, read_menu};
use crate::services::pauses::{change_reasons, pause, resume};
use crate::services::queues::{create_queue, list_queues, set_membership};
use crate::services::sessions::{caller_from_token, expired_session_cookie, session_cookie, sign_in, sign_out};
use crate::state::AppState;
use app::contract::{
    AgentMonitorView, AgentStatus, AgentView, BusinessView, ChatView, ContactCardView, ContactEditForm,
    ContactListView, ConversationMessage, ConversationView, LineView, MemberView, MenuPreview, MonitorView,
    NewAgentForm, NewContactForm, PreviewLineView, QueueView, ReasonView, Role as SessionRole,
};
use app::error::UiError;

use app::ssr::{Services, SignedIn};
use async_trait::async_trait;
use domain::line::LineRouting;
use domain::pause::PauseReasonCommand;
use domain::user::Role;
use projections::agent_board::AgentBoard;
use projections::chat_board::ChatRow;
use projections::lines::Lines;
use projections::people::People;
use projections::queue_list::QueueList;

/// The role as the pages know it.
fn session_role(role: Role) -> SessionRole {
    match role {
        Role::Supervisor => SessionRole::Supervisor,
        Role::Agent => SessionRole::Agent,
        Role::Auditor => SessionRole::Auditor,
    }
}

/// The app's server functions, for the caller the session cookie names.
pub struct ConsoleServices {
    pub state: AppState,
}

impl ConsoleServices {
    async fn caller(&self, token: Option<String>) -> Result<Caller, UiError> {
        Ok(caller_from_token(&self.state, token.as_deref()).await?)
    }
}

#[async_trait]
impl Services for ConsoleServices {
    async fn sign_in(&self, email: String, password: String) -> Result<SignedIn, UiError> {
        let (token, caller) = sign_in(&self.state, &email, &password).await?;
        Ok(SignedIn { cookie: session_cookie(&token), role: session_role(caller.role) })
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
        Ok(expired_session_cookie())
    }

    async fn queues(&self, token: Option<String>) -> Result<Vec<QueueView>, UiError> {
        let caller = self.caller(token).await?;
        let rows = list_queues(&self.state, caller.company_id).await?;
        let agents = People
            .users_of(&self.state.store, &caller.company_id.to_string(), Role::Agent.as_str())
            .await
            .map_err(AppError::from)?;
        let name_of =
            |id: &str| agents.iter().find(|a| a.user_id == id).map_or_else(|| id.to_string(), |a| a.name.clone());
        Ok(rows
            .into_iter()
            .map(|row| QueueView {
                members: row.members.iter().map(|id| MemberView { id: id.clone(), name: name_of(id) }).collect(),
                id: row.queue_id,
                name: row.name,
            })
            .collect())
    }

    async fn set_queue_member(
        &self,
        token: Option<String>,
        queue_id: String,
        agent_id: String,
        member: bool,
    ) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let queue = queue_id.parse().map_err(|_| UiError::Invalid("no such queue".into()))?;
        let agent = agent_id.parse().map_err(|_| UiError::Invalid("no such agent".into()))?;
        Ok(set_membership(&self.state, &caller, queue, agent, member).await?)
    }

    async fn create_queue(&self, token: Option<String>, name: String) -> Result<QueueView, UiError> {
        let caller = self.caller(token).await?;
        caller.require(&[Role::Supervisor])?;
        let created = create_queue(&self.state, &caller.context(self.state.clock.now()), &name).await?;
        Ok(QueueView { id: created.id.to_string(), name: created.name.to_string(), members: Vec::new() })
    }

    async fn agents(&self, token: Option<String>) -> Result<Vec<AgentView>, UiError> {
        let caller = self.caller(token).await?;
        let rows = list_agents(&self.state, &caller).await?;
        Ok(rows
            .into_iter()
            .map(|row| AgentView { id: row.user_id, name: row.name, email: row.email, active: row.active })
            .collect())
    }

    async fn create_agent(&self, token: Option<String>, agent: NewAgentForm) -> Result<AgentView, UiError> {
        let caller = self.caller(token).await?;
        let new = NewAgent { name: agent.name, email: agent.email, password: agent.password };
        let row = create_agent(&self.state, &caller, &new).await?;
        Ok(AgentView { id: row.user_id, name: row.name, email: row.email, active: row.active })
    }

    async fn deactivate_agent(&self, token: Option<String>, agent_id: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let agent = agent_id.parse().map_err(|_| UiError::Invalid("no such agent".into()))?;
        Ok(change_agent(&self.state, &caller, agent, domain::user::UserCommand::Deactivate).await?)
    }

    async fn my_status(&self, token: Option<String>) -> Result<AgentStatus, UiError> {
        let caller = self.caller(token).await?;
        caller.require(&[Role::Agent])?;
        let company = caller.company_id.to_string();
        let me = caller.user_id.to_string();
        let states = AgentBoard.agents_of(&self.state.store, &company).await.map_err(AppError::from)?;
        let paused =
            states.into_iter().find(|s| s.agent_id == me).and_then(|s| Some((s.paused_reason?, s.paused_since?)));
        let reasons = AgentBoard.reasons_of(&self.state.store, &company).await.map_err(AppError::from)?;
        Ok(AgentStatus {
            name: caller.name,
            paused,
            reasons: reasons.into_iter().map(|r| ReasonView { id: r.id, name: r.name }).collect(),
        })
    }

    async fn my_chats(&self, token: Option<String>) -> Result<Vec<ChatView>, UiError> {
        let caller = self.caller(token).await?;
        caller.require(&[Role::Agent])?;
        let rows = list_chats(&self.state, &caller).await?;
        Ok(chat_views(&self.state, &caller, rows).await?)
    }

    async fn conversation(&self, token: Option<String>, chat_id: String) -> Result<ConversationView, UiError> {
        let caller = self.caller(token).await?;
        let chat = chat_id.parse().map_err(|_| UiError::Invalid("no such chat".into()))?;
        let read = read_chat(&self.state, &caller, chat).await?;
        let people = People.users_of(&self.state.store, &read.chat.company_id, Role::Agent.as_str()).await;
        let people = people.map_err(AppError::from)?;
        let author = |id: &str| match id {
            "customer" => read.chat.contact_name.clone(),
            "bot" => "Bot".to_string(),
            agent => people.iter().find(|p| p.user_id == agent).map_or_else(|| agent.to_string(), |p| p.name.clone()),
        };
        let messages = read
            .messages
            .iter()
            .map(|message| ConversationMessage {
                id: message.message_id.clone(),
                direction: message.direction.clone(),
                author: author(&message.author),
                text: message.text.clone(),
                media: message.media.clone(),
            })
            .collect();
        Ok(ConversationView {
            id: read.chat.chat_id.clone(),
            contact: read.chat.contact_name.clone(),
            state: read.chat.state.clone(),
            messages,
        })
    }

    async fn reply(&self, token: Option<String>, chat_id: String, text: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let chat = chat_id.parse().map_err(|_| UiError::Invalid("no such chat".into()))?;
        reply(&self.state, &caller, chat, &text).await?;
        Ok(())
    }

    async fn lines(&self, token: Option<String>, origin: String) -> Result<Vec<LineView>, UiError> {
        let caller = self.caller(token).await?;
        let rows = list_lines(&self.state, &caller).await?;
        let queues = QueueList::new().queues_of(&self.state.store, caller.company_id).await.map_err(AppError::from)?;
        let agents = People
            .users_of(&self.state.store, &caller.company_id.to_string(), Role::Agent.as_str())
            .await
            .map_err(AppError::from)?;
        let queue_name = |id: String| queues.iter().find(|q| q.queue_id == id).map_or(id, |q| q.name.clone());
        let agent_name = |id: String| agents.iter().find(|a| a.user_id == id).map_or(id, |a| a.name.clone());
        Ok(rows
            .into_iter()
            .map(|row| LineView {
                routes_to: match &row.routing {
                    LineRouting::Queue(queue) => format!("Queue {}", queue_name(queue.to_string())),
                    LineRouting::Agent(agent) => format!("Agent {}", agent_name(agent.to_string())),
                    LineRouting::Agents(agents) => format!(
                        "Agents {}",
                        agents.iter().map(|a| agent_name(a.to_string())).collect::<Vec<_>>().join(", ")
                    ),
                    LineRouting::Menu(_) => "The menu bot".into(),
                },
                menu: row.routing.menu().and_then(|menu| serde_json::to_string_pretty(menu).ok()),
                widget_snippet: row.widget_key.map(|key| crate::services::widget::snippet(&origin, &key)),
                id: row.line_id,
                name: row.name,
            })
            .collect())
    }

    async fn create_line(&self, token: Option<String>, name: String, queue_id: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let queue = queue_id.parse().map_err(|_| UiError::Invalid("choose the queue the line's chats go to".into()))?;
        let line = NewLine { name, routing: LineRouting::Queue(queue), webhook_url: None };
        create_line(&self.state, &caller, &line).await?;
        Ok(())
    }

    async fn open_widget(&self, token: Option<String>, line_id: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let line = line_id.parse().map_err(|_| UiError::Invalid("no such line".into()))?;
        crate::services::widget::open_widget(&self.state, &caller, line).await?;
        Ok(())
    }

    async fn preview_menu(
        &self,
        token: Option<String>,
        menu: String,
        answers: Vec<String>,
    ) -> Result<MenuPreview, UiError> {
        let caller = self.caller(token).await?;
        caller.require(&[Role::Supervisor])?;
        let menu = match read_menu(&menu) {
            Ok(menu) => menu,
            Err(problem) => return Ok(MenuPreview { problem: Some(problem.to_string()), lines: vec![] }),
        };
        let queues = QueueList::new().queues_of(&self.state.store, caller.company_id).await.map_err(AppError::from)?;
        let queue_name = |queue: domain::ids::QueueId| {
            let id = queue.to_string();
            queues
                .iter()
                .find(|q| q.queue_id == id)
                .map_or_else(|| format!("an unknown queue ({id})"), |q| q.name.clone())
        };
        let lines = preview(&menu, &answers, self.state.clock.now(), queue_name)
            .into_iter()
            .map(|line| PreviewLineView {
                from: line.from.to_string(),
                text: line.text,
                choices: line.choices.into_iter().map(|c| (c.answer, c.label)).collect(),
            })
            .collect();
        Ok(MenuPreview { problem: None, lines })
    }

    async fn save_menu(&self, token: Option<String>, line_id: String, menu: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        caller.require(&[Role::Supervisor])?;
        let line = line_id.parse().map_err(|_| UiError::Invalid("no such line".into()))?;
        let menu = read_menu(&menu)?;
        change_line_routing(&self.state, &caller, line, LineRouting::Menu(Box::new(menu))).await?;
        Ok(())
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

    async fn resolve_chat(&self, token: Option<String>, chat_id: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let chat = chat_id.parse().map_err(|_| UiError::Invalid("no such chat".into()))?;
        Ok(resolve(&self.state, &caller, chat).await?)
    }

    async fn monitor(&self, token: Option<String>) -> Result<MonitorView, UiError> {
        let caller = self.caller(token).await?;
        caller.require(&[Role::Supervisor, Role::Auditor])?;
        let company = caller.company_id.to_string();
        let agents = list_agents(&self.state, &caller).await?;
        let chats = list_chats(&self.state, &caller).await?;
        let now = self.state.clock.now();
        let day_start = now.date_naive().and_hms_opt(0, 0, 0).map_or(now, |start| start.and_utc());
        let paused =
            AgentBoard.paused_between(&self.state.store, &company, day_start, now).await.map_err(AppError::from)?;
        let agents = agents
            .into_iter()
            .filter(|agent| agent.active)
            .map(|agent| AgentMonitorView {
                state: match (&agent.paused, agent.online) {
                    (Some(_), _) => "paused",
                    (None, true) => "online",
                    (None, false) => "offline",
                }
                .to_string(),
                paused: agent.paused.map(|p| (p.reason, p.since)),
                active_chats: chats.iter().filter(|c| c.agent_id.as_deref() == Some(agent.user_id.as_str())).count(),
                capacity: agent.capacity,
                paused_today: paused
                    .iter()
                    .filter(|p| p.agent_id == agent.user_id)
                    .map(|p| (p.reason.clone(), p.seconds / 60))
                    .collect(),
                id: agent.user_id,
                name: agent.name,
            })
            .collect();
        Ok(MonitorView { agents, chats: chat_views(&self.state, &caller, chats).await? })
    }

    async fn pause_reasons(&self, token: Option<String>) -> Result<Vec<ReasonView>, UiError> {
        let caller = self.caller(token).await?;
        caller.require(&[Role::Supervisor])?;
        let reasons =
            AgentBoard.reasons_of(&self.state.store, &caller.company_id.to_string()).await.map_err(AppError::from)?;
        Ok(reasons.into_iter().map(|r| ReasonView { id: r.id, name: r.name }).collect())
    }

    async fn create_pause_reason(&self, token: Option<String>, name: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let command = PauseReasonCommand::Create { reason_id: uuid::Uuid::now_v7(), name };
        Ok(change_reasons(&self.state, &caller, command).await?)
    }

    async fn retire_pause_reason(&self, token: Option<String>, reason_id: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let reason_id = reason_id.parse().map_err(|_| UiError::Invalid("no such pause reason".into()))?;
        Ok(change_reasons(&self.state, &caller, PauseReasonCommand::Retire { reason_id }).await?)
    }

    async fn pause(&self, token: Option<String>, reason_id: String) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        let reason = reason_id.parse().map_err(|_| UiError::Invalid("choose a pause reason".into()))?;
        Ok(pause(&self.state, &caller, reason).await?)
    }

    async fn resume(&self, token: Option<String>) -> Result<(), UiError> {
        let caller = self.caller(token).await?;
        Ok(resume(&self.state, &caller).await?)
    }
}

/// Chats as the pages show them: names of contacts, agents and queues (or lines) instead of ids.
async fn chat_views(state: &AppState, caller: &Caller, rows: Vec<ChatRow>) -> Result<Vec<ChatView>, AppError> {
    let company = caller.company_id.to_string();
    let agents = People.users_of(&state.store, &company, Role::Agent.as_str()).await?;
    let queues = QueueList::new().queues_of(&state.store, caller.company_id).await?;
    let lines = Lines.lines_of(&state.store, &company).await?;
    let queue_name = |id: &str| {
        queues
            .iter()
            .find(|q| q.queue_id == id)
            .map(|q| q.name.clone())
            .or_else(|| lines.iter().find(|l| l.line_id == id).map(|l| l.name.clone()))
            .or_else(|| agents.iter().find(|a| a.user_id == id).map(|a| a.name.clone()))
    };
    Ok(rows
        .into_iter()
        .map(|row| ChatView {
            agent: row
                .agent_id
                .as_deref()
                .and_then(|id| agents.iter().find(|a| a.user_id == id))
                .map(|a| a.name.clone()),
            queue: row.queue_id.as_deref().and_then(queue_name),
            contact: if row.contact_name.is_empty() { row.contact_id } else { row.contact_name },
            id: row.chat_id,
            state: row.state,
            last_text: row.last_text,
        })
        .collect())
}
