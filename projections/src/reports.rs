//! The reports' read model (W8, P1–P11): every conversation with when it opened and was resolved,
//! by whom, its line, queue, agent and menu option, and whether its contact was new; every
//! assignment with its first answer; every answer to a waiting customer with how long they waited.
//! The agent's own dashboard (P11) reads the same tables.

mod fold;

use crate::runner::{Projection, ProjectionError};
use crate::store::ReadStore;
use async_trait::async_trait;
use domain::chat::ChatEvent;
use domain::menu::MenuPlace;
use domain::queue::QueueEvent;
use eventlog::RecordedEvent;
use sqlx::{AnyConnection, Row};

crate::projection_names!("reports", version 3, tables {
    CHATS = "chats",
    ACCOUNTS = "accounts",
    QUEUES = "queues",
    CONVERSATIONS = "conversations",
    ASSIGNMENTS = "assignments",
    RESPONSES = "responses"
});

/// Who resolved a conversation, as the reports count them.
pub mod resolver {
    pub const AGENT: &str = "agent";
    pub const SUPERVISOR: &str = "supervisor";
    /// The menu bot, or the system following a rule: not a person's resolution (P5).
    pub const BOT: &str = "bot";
}

/// Milliseconds since the epoch: `since` included, `until` excluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub since: i64,
    pub until: i64,
}

/// Whose conversations a report counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Company,
    Queue(String),
    Line(String),
    /// The conversations whose latest agent they are.
    Agent(String),
}

impl Scope {
    fn condition(&self, next: usize) -> (String, Option<&str>) {
        match self {
            Scope::Company => (String::new(), None),
            Scope::Queue(id) => (format!(" AND queue_id = ${next}"), Some(id)),
            Scope::Line(id) => (format!(" AND line_id = ${next}"), Some(id)),
            Scope::Agent(id) => (format!(" AND agent_id = ${next}"), Some(id)),
        }
    }
}

/// One conversation as a report lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationRow {
    pub conversation_id: String,
    pub chat_id: String,
    pub line_id: String,
    pub queue_id: Option<String>,
    pub agent_id: Option<String>,
    pub opened_ms: i64,
    /// The first conversation of an account the company had never seen (P4).
    pub new_contact: bool,
    /// The menu option that sorted it: its path (`2.1`) and its labels (`Sales › Cars`).
    pub option: Option<(String, String)>,
    pub resolved_ms: Option<i64>,
    /// [`resolver`]'s words, and the person's id.
    pub resolved_by: Option<(String, Option<String>)>,
}

/// Some of the conversations a report counts, and how many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listed {
    pub total: i64,
    pub rows: Vec<ConversationRow>,
}

/// What one agent did in a span (P9, P11).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentSpan {
    /// Chats assigned to them.
    pub incoming: i64,
    /// Conversations they resolved.
    pub resolved: i64,
    /// Assignments they answered, and the milliseconds from each to its first answer, added up.
    pub answered: i64,
    pub first_response_ms: i64,
    /// Their answers to a customer who was waiting, and the milliseconds each waited, added up.
    pub responses: i64,
    pub response_ms: i64,
}

impl AgentSpan {
    /// The average time to a first answer, in whole seconds; none when nothing was answered.
    pub fn average_first_response_seconds(&self) -> Option<i64> {
        (self.answered > 0).then(|| self.first_response_ms / self.answered / 1000)
    }

    /// The average time a customer waited for their answer, in whole seconds.
    pub fn average_response_seconds(&self) -> Option<i64> {
        (self.responses > 0).then(|| self.response_ms / self.responses / 1000)
    }
}

/// What one menu option sorted in a span (P10).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionSpan {
    pub line_id: String,
    /// The option's place in its line's menu (`2.1`) and its labels as last chosen.
    pub path: String,
    pub label: String,
    pub incoming: i64,
    /// Resolved by an agent or a supervisor.
    pub resolved: i64,
    /// Ended at the bot.
    pub ended_by_bot: i64,
}

const CONVERSATION_COLUMNS: &str = "conversation_id, chat_id, line_id, queue_id, agent_id, opened_ms, new_contact, \
                                    option_path, option_label, resolved_ms, resolved_by, resolver_id";

fn conversation_row(row: &sqlx::any::AnyRow) -> Result<ConversationRow, sqlx::Error> {
    let path: Option<String> = row.try_get("option_path")?;
    let label: Option<String> = row.try_get("option_label")?;
    let resolved_by: Option<String> = row.try_get("resolved_by")?;
    Ok(ConversationRow {
        conversation_id: row.try_get("conversation_id")?,
        chat_id: row.try_get("chat_id")?,
        line_id: row.try_get("line_id")?,
        queue_id: row.try_get("queue_id")?,
        agent_id: row.try_get("agent_id")?,
        opened_ms: row.try_get("opened_ms")?,
        new_contact: row.try_get::<i64, _>("new_contact")? == 1,
        option: path.zip(label),
        resolved_ms: row.try_get("resolved_ms")?,
        resolved_by: match resolved_by {
            Some(role) => Some((role, row.try_get("resolver_id")?)),
            None => None,
        },
    })
}

/// Which conversations of a span a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Opened in the span (incoming).
    Opened,
    /// The first of a contact never seen before, opened in the span (P4).
    New,
    /// Resolved by an agent or a supervisor in the span (P5).
    Resolved,
}

impl Listing {
    /// The column a span reads, and what else a conversation must be.
    fn filter(self) -> (&'static str, &'static str) {
        match self {
            Listing::Opened => ("opened_ms", ""),
            Listing::New => ("opened_ms", " AND new_contact = 1"),
            Listing::Resolved => ("resolved_ms", " AND resolved_by IN ('agent', 'supervisor')"),
        }
    }
}

/// A quarter of an hour, in milliseconds.
const QUARTER_MS: i64 = 15 * 60 * 1000;

#[derive(Default)]
pub struct Reports;

impl Reports {
    /// The latest `limit` conversations of `listing` in `span` within `scope`, and how many there
    /// are in all.
    pub async fn conversations(
        &self,
        store: &ReadStore,
        company: &str,
        scope: &Scope,
        listing: Listing,
        span: Span,
        limit: i64,
    ) -> Result<Listed, sqlx::Error> {
        let (time, extra) = listing.filter();
        let (scoped, scope_value) = scope.condition(4);
        let filter = format!("company_id = $1 AND {time} >= $2 AND {time} < $3{extra}{scoped}");
        let total_sql = format!("SELECT COUNT(*) AS total FROM {CONVERSATIONS} WHERE {filter}");
        let total: i64 =
            spanned(&total_sql, company, span, scope_value).fetch_one(store.pool()).await?.try_get("total")?;
        let limit_at = if scope_value.is_some() { 5 } else { 4 };
        let rows_sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM {CONVERSATIONS} WHERE {filter} ORDER BY {time} DESC, conversation_id LIMIT ${limit_at}"
        );
        let rows = spanned(&rows_sql, company, span, scope_value).bind(limit).fetch_all(store.pool()).await?;
        Ok(Listed { total, rows: rows.iter().map(conversation_row).collect::<Result<_, _>>()? })
    }

    /// The company's conversations not resolved yet, each with its option, queue and agent: what
    /// the report adds to the chats as they stand now.
    pub async fn unresolved(&self, store: &ReadStore, company: &str) -> Result<Vec<ConversationRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM {CONVERSATIONS} WHERE company_id = $1 AND resolved_ms IS NULL"
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        rows.iter().map(conversation_row).collect()
    }

    /// How many conversations of `scope` opened in `span` (or were resolved by a person in it) in
    /// each quarter of an hour, by the quarter's first millisecond: what the charts count per hour
    /// and per day. Every time zone's offset is a whole number of quarters of an hour, so each
    /// quarter falls in one hour of the company's day, whatever its zone; a 90-day report reads a
    /// few thousand quarters rather than every conversation.
    pub async fn quarters(
        &self,
        store: &ReadStore,
        company: &str,
        scope: &Scope,
        listing: Listing,
        span: Span,
    ) -> Result<Vec<(i64, i64)>, sqlx::Error> {
        let (time, extra) = listing.filter();
        let (scoped, scope_value) = scope.condition(4);
        let sql = format!(
            "SELECT {time} / {QUARTER_MS} AS quarter, COUNT(*) AS counted FROM {CONVERSATIONS} \
             WHERE company_id = $1 AND {time} >= $2 AND {time} < $3{extra}{scoped} GROUP BY {time} / {QUARTER_MS}"
        );
        let rows = spanned(&sql, company, span, scope_value).fetch_all(store.pool()).await?;
        rows.iter().map(|row| Ok((row.try_get::<i64, _>("quarter")? * QUARTER_MS, row.try_get("counted")?))).collect()
    }

    /// How many conversations each of the company's queues had opened in `span`, and resolved by a
    /// person in it, by queue id.
    pub async fn per_queue(
        &self,
        store: &ReadStore,
        company: &str,
        span: Span,
    ) -> Result<std::collections::BTreeMap<String, (i64, i64)>, sqlx::Error> {
        let counted = |listing: Listing| async move {
            let (time, extra) = listing.filter();
            let sql = format!(
                "SELECT queue_id, COUNT(*) AS counted FROM {CONVERSATIONS} WHERE company_id = $1 AND {time} >= $2 \
                 AND {time} < $3{extra} AND queue_id IS NOT NULL GROUP BY queue_id"
            );
            spanned(&sql, company, span, None).fetch_all(store.pool()).await
        };
        let (opened, resolved) = futures::try_join!(counted(Listing::Opened), counted(Listing::Resolved))?;
        let mut queues = std::collections::BTreeMap::<String, (i64, i64)>::new();
        for row in opened {
            queues.entry(row.try_get("queue_id")?).or_default().0 = row.try_get("counted")?;
        }
        for row in resolved {
            queues.entry(row.try_get("queue_id")?).or_default().1 = row.try_get("counted")?;
        }
        Ok(queues)
    }

    /// What one agent did in `span`: an assignment counts in the span it was made in, an answer
    /// in the span it was given in.
    pub async fn agent(
        &self,
        store: &ReadStore,
        company: &str,
        agent: &str,
        span: Span,
    ) -> Result<AgentSpan, sqlx::Error> {
        Ok(self.agents(store, company, &[agent.to_string()], span).await?.remove(agent).unwrap_or_default())
    }

    /// What each of `agents` did in `span`, by id (those with nothing in it left out), counted as
    /// [`Reports::agent`] counts. The agents are named, not grouped: each agent's answers in the
    /// span are one stretch of the index (company, agent, moment), read in the index's order, where
    /// grouping every answer of the span by agent sorts them all first (four fifths of a 90-day
    /// report's time on this).
    pub async fn agents(
        &self,
        store: &ReadStore,
        company: &str,
        agents: &[String],
        span: Span,
    ) -> Result<std::collections::BTreeMap<String, AgentSpan>, sqlx::Error> {
        let mut figures = std::collections::BTreeMap::<String, AgentSpan>::new();
        if agents.is_empty() {
            return Ok(figures);
        }
        let named: Vec<String> = (4..4 + agents.len()).map(|n| format!("${n}")).collect();
        let named = named.join(", ");
        let run = |sql: String| async move {
            let mut query = sqlx::query(&sql).bind(company).bind(span.since).bind(span.until);
            for agent in agents {
                query = query.bind(agent.as_str());
            }
            query.fetch_all(store.pool()).await
        };
        // Sums are cast: the two databases answer sums of big integers in different types.
        let (assigned, resolved, answered) = futures::try_join!(
            run(format!(
                "SELECT agent_id, COUNT(*) AS incoming, COUNT(first_reply_ms) AS answered, \
                 CAST(COALESCE(SUM(first_reply_ms - assigned_ms), 0) AS BIGINT) AS waited FROM {ASSIGNMENTS} \
                 WHERE company_id = $1 AND agent_id IN ({named}) AND assigned_ms >= $2 AND assigned_ms < $3 \
                 GROUP BY agent_id"
            )),
            run(format!(
                "SELECT resolver_id, COUNT(*) AS resolved FROM {CONVERSATIONS} WHERE company_id = $1 \
                 AND resolved_ms >= $2 AND resolved_ms < $3 AND resolved_by = 'agent' AND resolver_id IN ({named}) \
                 GROUP BY resolver_id"
            )),
            run(format!(
                "SELECT agent_id, COUNT(*) AS responses, CAST(SUM(answered_ms - asked_ms) AS BIGINT) AS waited \
                 FROM {RESPONSES} WHERE company_id = $1 AND agent_id IN ({named}) AND answered_ms >= $2 \
                 AND answered_ms < $3 GROUP BY agent_id"
            )),
        )?;
        for row in assigned {
            let agent = figures.entry(row.try_get("agent_id")?).or_default();
            agent.incoming = row.try_get("incoming")?;
            agent.answered = row.try_get("answered")?;
            agent.first_response_ms = row.try_get("waited")?;
        }
        for row in resolved {
            figures.entry(row.try_get("resolver_id")?).or_default().resolved = row.try_get("resolved")?;
        }
        for row in answered {
            let agent = figures.entry(row.try_get("agent_id")?).or_default();
            agent.responses = row.try_get("responses")?;
            agent.response_ms = row.try_get("waited")?;
        }
        Ok(figures)
    }

    /// Every menu option that sorted a conversation opened or resolved in `span`, by line and path.
    pub async fn options(&self, store: &ReadStore, company: &str, span: Span) -> Result<Vec<OptionSpan>, sqlx::Error> {
        let mut options = std::collections::BTreeMap::<(String, String), OptionSpan>::new();
        let grouped = |time: &str, counted: &str| {
            format!(
                "SELECT line_id, option_path, MAX(option_label) AS label, {counted} FROM {CONVERSATIONS} \
                 WHERE company_id = $1 AND {time} >= $2 AND {time} < $3 AND option_path IS NOT NULL \
                 GROUP BY line_id, option_path"
            )
        };
        let incoming = grouped("opened_ms", "COUNT(*) AS incoming");
        let ended = grouped(
            "resolved_ms",
            "CAST(SUM(CASE WHEN resolved_by = 'bot' THEN 0 ELSE 1 END) AS BIGINT) AS resolved, \
             CAST(SUM(CASE WHEN resolved_by = 'bot' THEN 1 ELSE 0 END) AS BIGINT) AS ended_by_bot",
        );
        let (opened, resolved) = futures::try_join!(
            spanned(&incoming, company, span, None).fetch_all(store.pool()),
            spanned(&ended, company, span, None).fetch_all(store.pool()),
        )?;
        for row in opened {
            let option = option_entry(&mut options, &row)?;
            option.incoming = row.try_get("incoming")?;
        }
        for row in resolved {
            let resolved: i64 = row.try_get("resolved")?;
            let ended_by_bot: i64 = row.try_get("ended_by_bot")?;
            let option = option_entry(&mut options, &row)?;
            option.resolved = resolved;
            option.ended_by_bot = ended_by_bot;
        }
        Ok(options.into_values().collect())
    }
}

/// `sql` with its company ($1), span ($2, $3) and scope ($4, when it has one) bound.
fn spanned<'q>(
    sql: &'q str,
    company: &str,
    span: Span,
    scope: Option<&str>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let query = sqlx::query(sql).bind(company.to_string()).bind(span.since).bind(span.until);
    match scope {
        Some(value) => query.bind(value.to_string()),
        None => query,
    }
}

fn option_entry<'a>(
    options: &'a mut std::collections::BTreeMap<(String, String), OptionSpan>,
    row: &sqlx::any::AnyRow,
) -> Result<&'a mut OptionSpan, sqlx::Error> {
    let line_id: String = row.try_get("line_id")?;
    let path: String = row.try_get("option_path")?;
    let label: String = row.try_get("label")?;
    let option = options.entry((line_id.clone(), path.clone())).or_insert_with(|| OptionSpan {
        line_id,
        path,
        label: label.clone(),
        ..OptionSpan::default()
    });
    option.label = label;
    Ok(option)
}

/// The menu options a choice at `place` leads to: its path and labels, after `before` (the
/// conversation's choices so far); none for choices outside the line's menu.
fn chosen(place: &MenuPlace, option: u8, label: &str, before: Option<(String, String)>) -> Option<(String, String)> {
    let (path, prefix) = match place {
        MenuPlace::Level(path) => (path, ""),
        MenuPlace::OutOfHours(path) => (path, "~"),
        _ => return None,
    };
    let mut numbers: Vec<String> = path.iter().map(u8::to_string).collect();
    numbers.push(option.to_string());
    let key = format!("{prefix}{}", numbers.join("."));
    let labels = match before {
        Some((before_key, before_labels)) if !path.is_empty() && key.starts_with(&format!("{before_key}.")) => {
            format!("{before_labels} › {label}")
        }
        _ => label.to_string(),
    };
    Some((key, labels))
}

#[async_trait]
impl Projection for Reports {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        let statements = [
            format!(
                "CREATE TABLE IF NOT EXISTS {CHATS} (chat_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
                 line_id TEXT NOT NULL, first_of_account BIGINT NOT NULL, conversation_id TEXT, \
                 with_people BIGINT NOT NULL DEFAULT 0, asked_ms BIGINT, option_path TEXT, option_label TEXT)"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {ACCOUNTS} (company_id TEXT NOT NULL, channel TEXT NOT NULL, \
                 contact_id TEXT NOT NULL, PRIMARY KEY (company_id, channel, contact_id))"
            ),
            format!("CREATE TABLE IF NOT EXISTS {QUEUES} (queue_id TEXT PRIMARY KEY)"),
            format!(
                "CREATE TABLE IF NOT EXISTS {CONVERSATIONS} (conversation_id TEXT PRIMARY KEY, chat_id TEXT NOT NULL, \
                 company_id TEXT NOT NULL, line_id TEXT NOT NULL, queue_id TEXT, agent_id TEXT, \
                 opened_ms BIGINT NOT NULL, new_contact BIGINT NOT NULL, option_path TEXT, option_label TEXT, \
                 resolved_ms BIGINT, resolved_by TEXT, resolver_id TEXT)"
            ),
            // A report's counts of a span are read from these indexes alone, never from the table's
            // rows: each holds every column a count of conversations opened (resolved) filters or
            // groups by.
            format!(
                "CREATE INDEX IF NOT EXISTS {CONVERSATIONS}_opened ON {CONVERSATIONS} (company_id, opened_ms, \
                 new_contact, queue_id, line_id, agent_id, option_path, option_label)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS {CONVERSATIONS}_resolved ON {CONVERSATIONS} (company_id, resolved_ms, \
                 resolved_by, resolver_id, queue_id, line_id, agent_id, option_path, option_label)"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {ASSIGNMENTS} (event_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
                 chat_id TEXT NOT NULL, agent_id TEXT NOT NULL, revision BIGINT NOT NULL, assigned_ms BIGINT NOT NULL, \
                 first_reply_ms BIGINT)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS {ASSIGNMENTS}_agent ON {ASSIGNMENTS} (company_id, agent_id, assigned_ms, \
                 first_reply_ms)"
            ),
            format!("CREATE INDEX IF NOT EXISTS {ASSIGNMENTS}_chat ON {ASSIGNMENTS} (chat_id, revision)"),
            format!(
                "CREATE TABLE IF NOT EXISTS {RESPONSES} (event_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
                 agent_id TEXT NOT NULL, asked_ms BIGINT NOT NULL, answered_ms BIGINT NOT NULL)"
            ),
            format!(
                "CREATE INDEX IF NOT EXISTS {RESPONSES}_agent ON {RESPONSES} (company_id, agent_id, answered_ms, asked_ms)"
            ),
        ];
        for statement in statements {
            sqlx::query(&statement).execute(&mut *connection).await?;
        }
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        matches!(
            event.event_type.as_str(),
            QueueEvent::CREATED
                | ChatEvent::CHAT_STARTED
                | ChatEvent::CONVERSATION_OPENED
                | ChatEvent::CUSTOMER_MESSAGE_RECEIVED
                | ChatEvent::MENU_OPTION_CHOSEN
                | ChatEvent::MENU_SHOWN
                | ChatEvent::BOT_SAID
                | ChatEvent::BOT_SENT_FILE
                | ChatEvent::INPUT_REQUESTED
                | ChatEvent::CHAT_QUEUED
                | ChatEvent::CHAT_ASSIGNED
                | ChatEvent::AGENT_REPLIED
                | ChatEvent::CHAT_RESOLVED
        )
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        self.apply_all(connection, &[event]).await
    }

    /// A batch's events are folded in memory over the rows they need, then written together.
    async fn apply_all(
        &self,
        connection: &mut AnyConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ProjectionError> {
        fold::Batch::fold(connection, events).await?.write(connection).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::chosen;
    use domain::menu::MenuPlace;

    #[test]
    fn an_options_path_and_labels_follow_the_levels_chosen_in_the_conversation() {
        let top = chosen(&MenuPlace::Level(vec![]), 2, "Sales", None);
        assert_eq!(top, Some(("2".into(), "Sales".into())));
        let below = chosen(&MenuPlace::Level(vec![2]), 1, "Cars", top);
        assert_eq!(below, Some(("2.1".into(), "Sales › Cars".into())));
        // Back at the top, a new choice starts again.
        assert_eq!(chosen(&MenuPlace::Level(vec![]), 3, "Help", below), Some(("3".into(), "Help".into())));
        let closed = chosen(&MenuPlace::OutOfHours(vec![]), 1, "Leave a message", None);
        assert_eq!(closed, Some(("~1".into(), "Leave a message".into())));
        assert_eq!(chosen(&MenuPlace::AfterText, 1, "Back", None), None);
    }
}
