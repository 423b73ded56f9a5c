//! Lines, their widgets and menus as the supervisor's page shows and edits them.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::channels::{
    link_whatsapp_cloud, send_test, unlink_channel, whatsapp_callback_path, TestMessage, WhatsappCloudCredentials,
};
use crate::services::lines::{change_line_routing, list_lines, set_message_editing, set_offline_policy, NewLine};
use crate::services::menu_preview::{preview, read_menu};
use crate::state::AppState;
use app::contract::{
    ApiKeyView, LineView, MenuPreview, PreviewLineView, WhatsappLinkForm, WhatsappLinkView, WhatsappLinked,
};
use domain::ids::LineId;
use domain::line::ChannelLink;

use domain::line::{LineRouting, OfflinePolicy};
use domain::user::Role;
use projections::people::People;
use projections::queue_list::QueueList;

/// Each line that cannot send, by its name, and why (W15): what every supervisor page warns of.
pub async fn that_cannot_send(state: &AppState, caller: Caller) -> Result<Vec<(String, String)>, AppError> {
    let rows = list_lines(state, &caller).await?;
    Ok(rows.into_iter().filter_map(|row| row.sending_failure.map(|failure| (row.name, failure.reason))).collect())
}

pub async fn lines(state: &AppState, caller: Caller, origin: String) -> Result<Vec<LineView>, AppError> {
    let rows = list_lines(state, &caller).await?;
    let queues = QueueList::new().queues_of(&state.store, caller.company_id).await.map_err(AppError::from)?;
    let agents = People
        .users_of(&state.store, &caller.company_id.to_string(), Role::Agent.as_str())
        .await
        .map_err(AppError::from)?;
    let queue_name = |id: String| queues.iter().find(|q| q.queue_id == id).map_or(id, |q| q.name.clone());
    let agent_name = |id: String| agents.iter().find(|a| a.user_id == id).map_or(id, |a| a.name.clone());
    Ok(rows
        .into_iter()
        .map(|row| {
            let (route_kind, route_ids) = match &row.routing {
                LineRouting::Queue(queue) => ("queue", vec![queue.to_string()]),
                LineRouting::Agent(agent) => ("agent", vec![agent.to_string()]),
                LineRouting::Agents(agents) => ("agents", agents.iter().map(ToString::to_string).collect()),
                LineRouting::Menu(_) => ("menu", Vec::new()),
            };
            LineView {
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
                whatsapp: row.credentials.as_ref().and_then(|link| whatsapp_view(state, &origin, &row.line_id, link)),
                offline_policy: serde_json::to_value(row.offline_policy)
                    .ok()
                    .and_then(|policy| policy.as_str().map(str::to_string))
                    .unwrap_or_default(),
                agents_may_edit: row.agents_may_edit,
                route_kind: route_kind.to_string(),
                route_ids,
                webhook_url: row.webhook_url,
                cannot_send: row.sending_failure.map(|failure| (failure.since, failure.reason)),
                id: row.line_id,
                name: row.name,
            }
        })
        .collect())
}

/// Where a line's new chats go, as the page sends it: a queue, one agent or a group, by their ids
/// (comma-separated).
pub async fn set_line_route(
    state: &AppState,
    caller: Caller,
    line_id: String,
    kind: String,
    ids: String,
) -> Result<(), AppError> {
    let line: LineId = line_id.parse().map_err(|_| AppError::NotFound("no such line".into()))?;
    let ids: Vec<&str> = ids.split(',').map(str::trim).filter(|id| !id.is_empty()).collect();
    let unknown = || AppError::Invalid("choose where the line's chats go".into());
    let first = ids.first().ok_or_else(unknown)?;
    let routing = match kind.as_str() {
        "queue" => LineRouting::Queue(first.parse().map_err(|_| unknown())?),
        "agent" => LineRouting::Agent(first.parse().map_err(|_| unknown())?),
        "agents" => {
            LineRouting::Agents(ids.iter().map(|id| id.parse().map_err(|_| unknown())).collect::<Result<_, _>>()?)
        }
        _ => return Err(unknown()),
    };
    change_line_routing(state, &caller, line, routing).await
}

/// Sets the line's webhook (empty: none); answers its new secret, shown once.
pub async fn set_line_webhook(
    state: &AppState,
    caller: Caller,
    line_id: String,
    url: String,
) -> Result<Option<String>, AppError> {
    let line: LineId = line_id.parse().map_err(|_| AppError::NotFound("no such line".into()))?;
    crate::services::lines::set_webhook(state, &caller, line, Some(url)).await
}

pub async fn api_keys(state: &AppState, caller: Caller) -> Result<Vec<ApiKeyView>, AppError> {
    let rows = crate::services::lines::list_api_keys(state, &caller).await?;
    Ok(rows
        .into_iter()
        .map(|row| ApiKeyView { id: row.key_id, name: row.name, prefix: row.prefix, revoked: row.revoked })
        .collect())
}

/// Answers the new key itself: shown once, only its hash is kept.
pub async fn create_api_key(state: &AppState, caller: Caller, name: String) -> Result<String, AppError> {
    Ok(crate::services::lines::create_api_key(state, &caller, &name).await?.key)
}

pub async fn revoke_api_key(state: &AppState, caller: Caller, key_id: String) -> Result<(), AppError> {
    let key = key_id.parse().map_err(|_| AppError::NotFound("no such key".into()))?;
    crate::services::lines::revoke_api_key(state, &caller, key).await
}

/// A line's rules for its agents (G6, G18), as the form sends them: the offline policy by its
/// name, and whether agents may change their messages.
pub async fn set_line_rules(
    state: &AppState,
    caller: Caller,
    line_id: String,
    offline_policy: String,
    agents_may_edit: bool,
) -> Result<(), AppError> {
    let line: LineId = line_id.parse().map_err(|_| AppError::NotFound("no such line".into()))?;
    let policy: OfflinePolicy = serde_json::from_value(serde_json::Value::String(offline_policy))
        .map_err(|_| AppError::Invalid("offline policy: wait, transfer_to_queue or ask_the_customer".into()))?;
    set_offline_policy(state, &caller, line, policy).await?;
    set_message_editing(state, &caller, line, agents_may_edit).await
}

fn whatsapp_view(state: &AppState, origin: &str, line_id: &str, link: &ChannelLink) -> Option<WhatsappLinkView> {
    let line: LineId = line_id.parse().ok()?;
    let ChannelLink::WhatsappCloud { phone_number_id, business_account_id, token_hint, .. } = link;
    let health = state.channel_health.of(line);
    Some(WhatsappLinkView {
        phone_number_id: phone_number_id.clone(),
        business_account_id: business_account_id.clone(),
        token_hint: token_hint.clone(),
        callback_url: format!("{origin}{}", whatsapp_callback_path(line)),
        last_notification_at: health.last_notification_at.map(|at| at.to_rfc3339()),
        last_refusal: health.last_refused.map(|refused| format!("{}: {}", refused.at.to_rfc3339(), refused.reason)),
    })
}

fn line_id(line_id: &str) -> Result<LineId, AppError> {
    line_id.parse().map_err(|_| AppError::Invalid("no such line".into()))
}

pub async fn link_whatsapp(
    state: &AppState,
    caller: Caller,
    line: String,
    origin: String,
    form: WhatsappLinkForm,
) -> Result<WhatsappLinked, AppError> {
    let line = line_id(&line)?;
    let credentials = WhatsappCloudCredentials {
        phone_number_id: form.phone_number_id,
        business_account_id: form.business_account_id,
        access_token: form.access_token,
        app_secret: form.app_secret,
        verify_token: Some(form.verify_token),
    };
    let linked = link_whatsapp_cloud(state, &caller, line, credentials).await?;
    Ok(WhatsappLinked {
        line_id: line.to_string(),
        callback_url: format!("{origin}{}", linked.callback_path),
        verify_token: linked.verify_token,
    })
}

pub async fn unlink_whatsapp(state: &AppState, caller: Caller, line: String) -> Result<(), AppError> {
    unlink_channel(state, &caller, line_id(&line)?).await
}

pub async fn test_whatsapp(state: &AppState, caller: Caller, line: String, to: String) -> Result<String, AppError> {
    Ok(send_test(state, &caller, line_id(&line)?, TestMessage { to }).await?.provider_message_id)
}

pub async fn create_line(state: &AppState, caller: Caller, name: String, queue_id: String) -> Result<(), AppError> {
    let queue = queue_id.parse().map_err(|_| AppError::Invalid("choose the queue the line's chats go to".into()))?;
    let line = NewLine { name, routing: LineRouting::Queue(queue), webhook_url: None };
    crate::services::lines::create_line(state, &caller, &line).await?;
    Ok(())
}

pub async fn open_widget(state: &AppState, caller: Caller, line_id: String) -> Result<(), AppError> {
    let line = line_id.parse().map_err(|_| AppError::Invalid("no such line".into()))?;
    crate::services::widget::open_widget(state, &caller, line).await?;
    Ok(())
}

pub async fn preview_menu(
    state: &AppState,
    caller: Caller,
    menu: String,
    answers: Vec<String>,
) -> Result<MenuPreview, AppError> {
    caller.require(&[Role::Supervisor])?;
    let menu = match read_menu(&menu) {
        Ok(menu) => menu,
        Err(problem) => {
            return Ok(MenuPreview { problem: Some(problem.reason), problem_at: problem.option, lines: vec![] })
        }
    };
    let queues = QueueList::new().queues_of(&state.store, caller.company_id).await.map_err(AppError::from)?;
    let queue_name = |queue: domain::ids::QueueId| {
        let id = queue.to_string();
        queues.iter().find(|q| q.queue_id == id).map_or_else(|| format!("an unknown queue ({id})"), |q| q.name.clone())
    };
    let lines = preview(&menu, &answers, state.clock.now(), queue_name)
        .into_iter()
        .map(|line| PreviewLineView {
            from: line.from.to_string(),
            text: line.text,
            choices: line.choices.into_iter().map(|c| (c.answer, c.label)).collect(),
        })
        .collect();
    Ok(MenuPreview { problem: None, problem_at: None, lines })
}

pub async fn save_menu(state: &AppState, caller: Caller, line_id: String, menu: String) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let line = line_id.parse().map_err(|_| AppError::Invalid("no such line".into()))?;
    let menu = read_menu(&menu)?;
    change_line_routing(state, &caller, line, LineRouting::Menu(Box::new(menu))).await?;
    Ok(())
}
