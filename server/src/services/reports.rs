//! The reports (W8, P1–P10) over whole days in the company's time zone: the chats of each category
//! with their totals, the agents' and the menu options' tables, and what the charts draw. What
//! stands now (pending, following, open) is the chat board's; what happened in the days, the
//! reports' read model's.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::who_works_chats;
use crate::services::branding::time_zone_of;
use crate::services::sheets::Sheet;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::calendar::{days, local_date_and_hour};
use domain::ids::{LineId, QueueId, UserId};
use domain::user::Role;
use projections::chat_board::{state as chat_state, ChatBoard, ChatRow};
use projections::lines::Lines;
use projections::people::People;
use projections::queue_list::QueueList;
use projections::reports::{ConversationRow, Listing, Reports, Scope, Span};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The most days one report spans: a year and a day, so that a leap year fits.
pub const MOST_DAYS: i64 = 366;
/// The chats a category lists on a page; its file holds them all, up to [`MOST_ROWS_IN_A_FILE`].
pub const LISTED: i64 = 100;
pub const MOST_ROWS_IN_A_FILE: i64 = 100_000;

/// Which days, and whose chats: the company's, or one queue's, line's or agent's (W8).
#[derive(Clone, Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// The first day (`YYYY-MM-DD`), in the company's time zone.
    pub from: NaiveDate,
    /// The last day, included.
    pub until: NaiveDate,
    pub queue: Option<QueueId>,
    pub line: Option<LineId>,
    pub agent: Option<UserId>,
}

/// The categories of chats (P1–P5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Now: the customer waits for the agent's answer (P1).
    Pending,
    /// Now: answered by the agent, waiting for the customer (P2).
    Following,
    /// Now: unresolved with no agent — with the bot, open with nobody, or waiting in a queue (P3).
    Open,
    /// In the days: the first conversation of a contact never seen before (P4).
    New,
    /// In the days: resolved by an agent or a supervisor (P5).
    Resolved,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Pending, Category::Following, Category::Open, Category::New, Category::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Pending => "pending",
            Category::Following => "following",
            Category::Open => "open",
            Category::New => "new",
            Category::Resolved => "resolved",
        }
    }

    fn holds_now(self, state: &str) -> bool {
        match self {
            Category::Pending => state == chat_state::PENDING,
            Category::Following => state == chat_state::FOLLOWING,
            Category::Open => [chat_state::BOT, chat_state::OPEN, chat_state::WAITING].contains(&state),
            Category::New | Category::Resolved => false,
        }
    }
}

/// One chat of a category (P6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportChat {
    pub chat_id: String,
    pub contact: String,
    pub line: String,
    pub queue: Option<String>,
    pub agent: Option<String>,
    /// Where the chat stands now (the chat board's words: `bot`, `open`, `waiting`, `pending`,
    /// `following`, `resolved`).
    pub state: String,
    /// Its last message (pending, following, open), when its conversation opened (new) or when it
    /// was resolved (resolved).
    pub at: DateTime<Utc>,
    /// Who resolved it (resolved).
    pub resolved_by: Option<String>,
}

/// A category's total and its latest chats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CategoryReport {
    pub category: Category,
    pub total: i64,
    /// The latest [`LISTED`] of them; the category's file holds all.
    pub chats: Vec<ReportChat>,
}

/// One agent's row (P9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AgentReport {
    pub agent_id: String,
    pub name: String,
    /// Now.
    pub pending: i64,
    pub following: i64,
    /// In the days.
    pub incoming: i64,
    pub resolved: i64,
    /// From each assignment to its first answer, on average, in seconds.
    pub average_first_response: Option<i64>,
    /// How long a customer waited for each answer, on average, in seconds.
    pub average_response: Option<i64>,
}

/// One menu option's row (P10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OptionReport {
    pub line: String,
    /// Its place in the line's menu (`2.1`; `~1` in the menu outside opening hours).
    pub path: String,
    pub label: String,
    /// Now.
    pub pending: i64,
    pub following: i64,
    /// In the days.
    pub incoming: i64,
    pub resolved: i64,
    pub ended_by_bot: i64,
}

/// Conversations per hour of the day (summed over the days), per day and per queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Tally {
    /// An hour (`0`–`23`), a day (`YYYY-MM-DD`) or a queue's name.
    pub key: String,
    pub incoming: i64,
    pub new: i64,
    pub resolved: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// The zone whose days these are (the company's).
    pub time_zone: String,
    /// Conversations opened in the days.
    pub incoming: i64,
    pub categories: Vec<CategoryReport>,
    pub agents: Vec<AgentReport>,
    pub options: Vec<OptionReport>,
    pub per_hour: Vec<Tally>,
    pub per_day: Vec<Tally>,
    pub per_queue: Vec<Tally>,
}

/// What a report needs to name people, queues and lines.
struct Names {
    people: HashMap<String, String>,
    queues: HashMap<String, String>,
    lines: HashMap<String, String>,
}

impl Names {
    async fn of(state: &AppState, caller: &Caller) -> Result<Self, AppError> {
        let company = caller.company_id.to_string();
        let people = who_works_chats(state, &company).await?.into_iter().map(|u| (u.user_id, u.name)).collect();
        let queues = QueueList::new().queues_of(&state.store, caller.company_id).await?;
        let lines = Lines.lines_of(&state.store, &company).await?;
        Ok(Self {
            people,
            queues: queues.into_iter().map(|queue| (queue.queue_id, queue.name)).collect(),
            lines: lines.into_iter().map(|line| (line.line_id, line.name)).collect(),
        })
    }

    fn person(&self, id: &str) -> String {
        self.people.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    fn queue(&self, id: &str) -> Option<String> {
        self.queues.get(id).cloned()
    }

    fn line(&self, id: &str) -> String {
        self.lines.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}

/// The days asked for, checked, as a span of the read model in `zone`.
fn span_of(query: &ReportQuery, zone: Tz) -> Result<Span, AppError> {
    if query.until < query.from {
        return Err(AppError::Invalid("the last day comes before the first".into()));
    }
    if (query.until - query.from).num_days() >= MOST_DAYS {
        return Err(AppError::Invalid(format!("a report spans at most {MOST_DAYS} days")));
    }
    let (since, until) = days(query.from, query.until, zone);
    Ok(Span { since: since.timestamp_millis(), until: until.timestamp_millis() })
}

fn scope_of(query: &ReportQuery) -> Result<Scope, AppError> {
    match (query.queue, query.line, query.agent) {
        (None, None, None) => Ok(Scope::Company),
        (Some(queue), None, None) => Ok(Scope::Queue(queue.to_string())),
        (None, Some(line), None) => Ok(Scope::Line(line.to_string())),
        (None, None, Some(agent)) => Ok(Scope::Agent(agent.to_string())),
        _ => Err(AppError::Invalid("a report is of the company, or of one queue, one line or one agent".into())),
    }
}

fn in_scope(scope: &Scope, chat: &ChatRow) -> bool {
    match scope {
        Scope::Company => true,
        Scope::Queue(id) => chat.queue_id.as_deref() == Some(id),
        Scope::Line(id) => chat.line_id == *id,
        Scope::Agent(id) => chat.agent_id.as_deref() == Some(id),
    }
}

fn moment(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn parsed(at: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(at).map(|at| at.to_utc()).unwrap_or_default()
}

/// An open chat as a category lists it.
fn open_chat(names: &Names, chat: &ChatRow) -> ReportChat {
    ReportChat {
        chat_id: chat.chat_id.clone(),
        contact: chat.name.clone().unwrap_or_else(|| chat.contact_name.clone()),
        line: names.line(&chat.line_id),
        queue: chat.queue_id.as_deref().and_then(|id| names.queue(id)),
        agent: chat.agent_id.as_deref().map(|id| names.person(id)),
        state: chat.state.clone(),
        at: parsed(&chat.last_at),
        resolved_by: None,
    }
}

/// Conversations as a category lists them, named from their chats.
async fn conversation_chats(
    state: &AppState,
    names: &Names,
    rows: &[ConversationRow],
    resolved: bool,
) -> Result<Vec<ReportChat>, AppError> {
    let ids: Vec<String> = rows.iter().map(|row| row.chat_id.clone()).collect();
    let chats: HashMap<String, ChatRow> = ChatBoard
        .chats_by_ids(&state.store, &ids)
        .await?
        .into_iter()
        .map(|chat| (chat.chat_id.clone(), chat))
        .collect();
    Ok(rows
        .iter()
        .map(|row| {
            let chat = chats.get(&row.chat_id);
            ReportChat {
                chat_id: row.chat_id.clone(),
                contact: chat.map(|c| c.name.clone().unwrap_or_else(|| c.contact_name.clone())).unwrap_or_default(),
                line: names.line(&row.line_id),
                queue: row.queue_id.as_deref().and_then(|id| names.queue(id)),
                agent: row.agent_id.as_deref().map(|id| names.person(id)),
                state: chat.map(|c| c.state.clone()).unwrap_or_default(),
                at: moment(if resolved { row.resolved_ms.unwrap_or(row.opened_ms) } else { row.opened_ms }),
                resolved_by: row
                    .resolved_by
                    .as_ref()
                    .filter(|_| resolved)
                    .and_then(|(_, person)| person.as_deref().map(|id| names.person(id))),
            }
        })
        .collect())
}

/// What every part of one report reads: whose, which days in which zone, the names, the open
/// chats now.
struct Basis<'a> {
    state: &'a AppState,
    company: String,
    zone: Tz,
    span: Span,
    scope: Scope,
    names: Names,
    open_chats: Vec<ChatRow>,
}

impl<'a> Basis<'a> {
    async fn of(state: &'a AppState, caller: &Caller, query: &ReportQuery) -> Result<Self, AppError> {
        caller.require(&[Role::Supervisor, Role::Auditor])?;
        let zone = time_zone_of(state, caller.company_id).await?;
        let span = span_of(query, zone)?;
        let scope = scope_of(query)?;
        let company = caller.company_id.to_string();
        let names = Names::of(state, caller).await?;
        let open_chats = ChatBoard.open_chats_of(&state.store, &company).await?;
        Ok(Self { state, company, zone, span, scope, names, open_chats })
    }
}

/// The chats of one category, the latest first: at most `limit` of them, and how many in all.
async fn category(basis: &Basis<'_>, category: Category, limit: i64) -> Result<CategoryReport, AppError> {
    let Basis { state, company, span, scope, names, open_chats, .. } = basis;
    let (span, company) = (*span, company.as_str());
    let listing = match category {
        Category::New => Some((Listing::New, false)),
        Category::Resolved => Some((Listing::Resolved, true)),
        _ => None,
    };
    let (total, chats) = match listing {
        Some((listing, resolved)) => {
            let listed = Reports.conversations(&state.store, company, scope, listing, span, limit).await?;
            (listed.total, conversation_chats(state, names, &listed.rows, resolved).await?)
        }
        None => {
            let mut held: Vec<&ChatRow> =
                open_chats.iter().filter(|chat| category.holds_now(&chat.state) && in_scope(scope, chat)).collect();
            // The longest waiting first: the oldest last message.
            held.sort_by(|a, b| a.last_at.cmp(&b.last_at));
            let total = held.len() as i64;
            let listed = held.into_iter().take(usize::try_from(limit).unwrap_or(usize::MAX));
            (total, listed.map(|chat| open_chat(names, chat)).collect())
        }
    };
    Ok(CategoryReport { category, total, chats })
}

fn average(total_ms: i64, count: i64) -> Option<i64> {
    (count > 0).then(|| total_ms / count / 1000)
}

/// A report's parts are read at once, each on its own connection: most are a scan of the days'
/// conversations, assignments or answers, and the database has a core for each.
pub async fn report(state: &AppState, caller: &Caller, query: &ReportQuery) -> Result<Report, AppError> {
    let basis = Basis::of(state, caller, query).await?;
    let Basis { company, zone, span, scope, names, open_chats, .. } = &basis;
    let (company, zone, span) = (company.as_str(), *zone, *span);
    let (categories, incoming, agents, options, (per_hour, per_day), per_queue) = futures::try_join!(
        futures::future::try_join_all(Category::ALL.map(|kind| category(&basis, kind, LISTED))),
        async { Ok(Reports.conversations(&state.store, company, scope, Listing::Opened, span, 0).await?.total) },
        agents_table(state, company, open_chats, span),
        options_table(state, company, names, open_chats, span),
        tallies(state, company, scope, span, zone, query),
        queues_table(state, company, names, span),
    )?;
    Ok(Report {
        from: query.from,
        until: query.until,
        time_zone: zone.name().to_string(),
        incoming,
        categories,
        agents,
        options,
        per_hour,
        per_day,
        per_queue,
    })
}

/// P9: each agent's chats now and what they did in the days; an agent no longer active only when
/// they did or hold anything.
async fn agents_table(
    state: &AppState,
    company: &str,
    open_chats: &[ChatRow],
    span: Span,
) -> Result<Vec<AgentReport>, AppError> {
    let now_of = |agent: &str, wanted: &str| {
        open_chats.iter().filter(|c| c.agent_id.as_deref() == Some(agent) && c.state == wanted).count() as i64
    };
    let people = People.users_of(&state.store, company, Role::Agent.as_str()).await?;
    let ids: Vec<String> = people.iter().map(|agent| agent.user_id.clone()).collect();
    let mut figures = Reports.agents(&state.store, company, &ids, span).await?;
    let mut agents = Vec::new();
    for agent in people {
        let span = figures.remove(&agent.user_id).unwrap_or_default();
        let (pending, following) =
            (now_of(&agent.user_id, chat_state::PENDING), now_of(&agent.user_id, chat_state::FOLLOWING));
        if !agent.active && span == Default::default() && pending + following == 0 {
            continue;
        }
        agents.push(AgentReport {
            name: agent.name,
            pending,
            following,
            incoming: span.incoming,
            resolved: span.resolved,
            average_first_response: average(span.first_response_ms, span.answered),
            average_response: average(span.response_ms, span.responses),
            agent_id: agent.user_id,
        });
    }
    agents.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.agent_id.cmp(&b.agent_id)));
    Ok(agents)
}

/// The load per queue: conversations each of the company's queues had opened and resolved.
async fn queues_table(state: &AppState, company: &str, names: &Names, span: Span) -> Result<Vec<Tally>, AppError> {
    Ok(Reports
        .per_queue(&state.store, company, span)
        .await?
        .into_iter()
        .filter_map(|(id, (incoming, resolved))| {
            names.queue(&id).map(|name| Tally { key: name, incoming, new: 0, resolved })
        })
        .collect())
}

/// P10: each option's chats now (by their unresolved conversations) and in the days.
async fn options_table(
    state: &AppState,
    company: &str,
    names: &Names,
    open_chats: &[ChatRow],
    span: Span,
) -> Result<Vec<OptionReport>, AppError> {
    let mut options: BTreeMap<(String, String), OptionReport> = BTreeMap::new();
    for option in Reports.options(&state.store, company, span).await? {
        let row = option_row(&mut options, names, &option.line_id, &option.path, &option.label);
        row.incoming = option.incoming;
        row.resolved = option.resolved;
        row.ended_by_bot = option.ended_by_bot;
    }
    let states: HashMap<&str, &str> = open_chats
        .iter()
        .filter_map(|chat| chat.conversation_id.as_deref().map(|conversation| (conversation, chat.state.as_str())))
        .collect();
    for conversation in Reports.unresolved(&state.store, company).await? {
        let (Some((path, label)), Some(now)) =
            (&conversation.option, states.get(conversation.conversation_id.as_str()))
        else {
            continue;
        };
        let row = option_row(&mut options, names, &conversation.line_id, path, label);
        if *now == chat_state::PENDING {
            row.pending += 1;
        } else if *now == chat_state::FOLLOWING {
            row.following += 1;
        }
    }
    Ok(options.into_values().collect())
}

fn option_row<'a>(
    options: &'a mut BTreeMap<(String, String), OptionReport>,
    names: &Names,
    line_id: &str,
    path: &str,
    label: &str,
) -> &'a mut OptionReport {
    options.entry((names.line(line_id), path.to_string())).or_insert_with(|| OptionReport {
        line: names.line(line_id),
        path: path.to_string(),
        label: label.to_string(),
        pending: 0,
        following: 0,
        incoming: 0,
        resolved: 0,
        ended_by_bot: 0,
    })
}

/// Conversations per hour of the day and per day, on the clocks of `zone`.
async fn tallies(
    state: &AppState,
    company: &str,
    scope: &Scope,
    span: Span,
    zone: Tz,
    query: &ReportQuery,
) -> Result<(Vec<Tally>, Vec<Tally>), AppError> {
    let blank = |key: String| Tally { key, incoming: 0, new: 0, resolved: 0 };
    let mut per_hour: Vec<Tally> = (0..24).map(|hour| blank(hour.to_string())).collect();
    let mut per_day: Vec<Tally> =
        query.from.iter_days().take_while(|day| *day <= query.until).map(|day| blank(day.to_string())).collect();
    let quarters = |listing| Reports.quarters(&state.store, company, scope, listing, span);
    let (opened, new, resolved) =
        futures::try_join!(quarters(Listing::Opened), quarters(Listing::New), quarters(Listing::Resolved))?;
    for (quarters, count) in [
        (opened, (|t: &mut Tally, n| t.incoming += n) as fn(&mut Tally, i64)),
        (new, |t: &mut Tally, n| t.new += n),
        (resolved, |t: &mut Tally, n| t.resolved += n),
    ] {
        for (quarter, counted) in quarters {
            let (date, hour) = local_date_and_hour(moment(quarter), zone);
            if let Some(tally) = per_hour.get_mut(hour as usize) {
                count(tally, counted);
            }
            let day = (date - query.from).num_days();
            if let Some(tally) = usize::try_from(day).ok().and_then(|day| per_day.get_mut(day)) {
                count(tally, counted);
            }
        }
    }
    Ok((per_hour, per_day))
}

/// Every chat of one category, as a table for a file.
pub async fn category_sheet(
    state: &AppState,
    caller: &Caller,
    query: &ReportQuery,
    kind: Category,
) -> Result<Sheet, AppError> {
    let basis = Basis::of(state, caller, query).await?;
    let listed = category(&basis, kind, MOST_ROWS_IN_A_FILE).await?;
    let zone = basis.zone;
    let header = ["chat", "contact", "line", "queue", "agent", "state", "at", "resolved_by"];
    Ok(Sheet::new(
        &header,
        listed.chats.into_iter().map(|chat| {
            vec![
                chat.chat_id,
                chat.contact,
                chat.line,
                chat.queue.unwrap_or_default(),
                chat.agent.unwrap_or_default(),
                chat.state,
                chat.at.with_timezone(&zone).to_rfc3339(),
                chat.resolved_by.unwrap_or_default(),
            ]
        }),
    ))
}

/// The agents' table (P9), for a file.
pub async fn agents_sheet(state: &AppState, caller: &Caller, query: &ReportQuery) -> Result<Sheet, AppError> {
    let report = report(state, caller, query).await?;
    let seconds = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    Ok(Sheet::new(
        &["agent", "pending", "following", "incoming", "resolved", "average_first_response_s", "average_response_s"],
        report.agents.into_iter().map(|agent| {
            vec![
                agent.name,
                agent.pending.to_string(),
                agent.following.to_string(),
                agent.incoming.to_string(),
                agent.resolved.to_string(),
                seconds(agent.average_first_response),
                seconds(agent.average_response),
            ]
        }),
    ))
}

/// The menu options' table (P10), for a file.
pub async fn options_sheet(state: &AppState, caller: &Caller, query: &ReportQuery) -> Result<Sheet, AppError> {
    let report = report(state, caller, query).await?;
    Ok(Sheet::new(
        &["line", "option", "label", "pending", "following", "incoming", "resolved", "ended_by_bot"],
        report.options.into_iter().map(|option| {
            vec![
                option.line,
                option.path,
                option.label,
                option.pending.to_string(),
                option.following.to_string(),
                option.incoming.to_string(),
                option.resolved.to_string(),
                option.ended_by_bot.to_string(),
            ]
        }),
    ))
}
