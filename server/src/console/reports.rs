//! The reports' page: the filter read, the report asked for, and what the page can narrow it to.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::branding::time_zone_of;
use crate::services::reports::{report, Report, ReportQuery, Tally};
use crate::state::AppState;
use app::contract::{
    ReportAgentView, ReportCategoryView, ReportChatView, ReportFilter, ReportOptionView, ReportView, TallyView,
};
use chrono::NaiveDate;
use domain::user::Role;
use projections::lines::Lines;
use projections::people::People;
use projections::queue_list::QueueList;

/// The days a report reads when none are given: the last seven, today included.
const DEFAULT_DAYS: u64 = 7;

fn date(text: &str, what: &str) -> Result<Option<NaiveDate>, AppError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::Invalid(format!("{what}: a day is written YYYY-MM-DD")))
}

async fn query_of(state: &AppState, caller: &Caller, filter: &ReportFilter) -> Result<ReportQuery, AppError> {
    let today = state.clock.now().with_timezone(&time_zone_of(state, caller.company_id).await?).date_naive();
    let until = date(&filter.until, "until")?.unwrap_or(today);
    let from = date(&filter.from, "from")?.unwrap_or(until - chrono::Days::new(DEFAULT_DAYS - 1));
    let mut query = ReportQuery { from, until, queue: None, line: None, agent: None };
    let unknown = || AppError::Invalid("a report is of the company, or of one queue, one line or one agent".into());
    match filter.of.split_once(':') {
        None if filter.of.is_empty() => {}
        Some(("queue", id)) => query.queue = Some(id.parse().map_err(|_| unknown())?),
        Some(("line", id)) => query.line = Some(id.parse().map_err(|_| unknown())?),
        Some(("agent", id)) => query.agent = Some(id.parse().map_err(|_| unknown())?),
        _ => return Err(unknown()),
    }
    Ok(query)
}

fn tallies(tallies: Vec<Tally>) -> Vec<TallyView> {
    tallies
        .into_iter()
        .map(|t| TallyView { key: t.key, incoming: t.incoming, new: t.new, resolved: t.resolved })
        .collect()
}

/// Whose histories the auditor's index lists: every agent, queue and line, by name.
pub async fn audit_subjects(state: &AppState, caller: Caller) -> Result<Vec<(String, String, String)>, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    Ok(scopes(state, &caller)
        .await?
        .into_iter()
        .filter_map(|(value, name)| value.split_once(':').map(|(kind, id)| (format!("{kind}s"), id.to_string(), name)))
        .collect())
}

/// What a report may be of: the company's queues, lines and agents, by name.
async fn scopes(state: &AppState, caller: &Caller) -> Result<Vec<(String, String)>, AppError> {
    let company = caller.company_id.to_string();
    let mut scopes = Vec::new();
    for queue in QueueList::new().queues_of(&state.store, caller.company_id).await? {
        scopes.push((format!("queue:{}", queue.queue_id), queue.name));
    }
    for line in Lines.lines_of(&state.store, &company).await? {
        scopes.push((format!("line:{}", line.line_id), line.name));
    }
    for agent in People.users_of(&state.store, &company, Role::Agent.as_str()).await? {
        scopes.push((format!("agent:{}", agent.user_id), agent.name));
    }
    Ok(scopes)
}

/// The report `filter` asks for; with a moment (read in `zone`, the reader's), as it stood then.
pub async fn report_page(
    state: &AppState,
    caller: Caller,
    filter: ReportFilter,
    zone: Option<String>,
) -> Result<ReportView, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    let (state, at) = crate::console::history::as_it_stood(state, &caller, zone.as_deref(), &filter.at).await?;
    let state = state.as_ref();
    let query = query_of(state, &caller, &filter).await?;
    let Report { from, until, time_zone, incoming, categories, agents, options, per_hour, per_day, per_queue } =
        report(state, &caller, &query).await?;
    let mut asked = format!("from={from}&until={until}");
    if let Some((kind, id)) = filter.of.split_once(':') {
        asked.push_str(&format!("&{kind}={id}"));
    }
    Ok(ReportView {
        from: from.to_string(),
        until: until.to_string(),
        time_zone,
        scopes: scopes(state, &caller).await?,
        of: filter.of,
        incoming,
        categories: categories
            .into_iter()
            .map(|category| ReportCategoryView {
                category: category.category.as_str().to_string(),
                total: category.total,
                chats: category
                    .chats
                    .into_iter()
                    .map(|chat| ReportChatView {
                        chat_id: chat.chat_id,
                        contact: chat.contact,
                        line: chat.line,
                        queue: chat.queue,
                        agent: chat.agent,
                        state: chat.state,
                        at: chat.at.to_rfc3339(),
                        resolved_by: chat.resolved_by,
                    })
                    .collect(),
            })
            .collect(),
        agents: agents
            .into_iter()
            .map(|agent| ReportAgentView {
                name: agent.name,
                pending: agent.pending,
                following: agent.following,
                incoming: agent.incoming,
                resolved: agent.resolved,
                average_first_response: agent.average_first_response,
                average_response: agent.average_response,
            })
            .collect(),
        options: options
            .into_iter()
            .map(|option| ReportOptionView {
                line: option.line,
                path: option.path,
                label: option.label,
                pending: option.pending,
                following: option.following,
                incoming: option.incoming,
                resolved: option.resolved,
                ended_by_bot: option.ended_by_bot,
            })
            .collect(),
        per_hour: tallies(per_hour),
        per_day: tallies(per_day),
        per_queue: tallies(per_queue),
        query: asked,
        at: at.map(|at| at.to_rfc3339()),
    })
}
