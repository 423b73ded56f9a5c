//! The auditor's page of a history: the moments asked read in the reader's zone, people named,
//! the subject named, and the files' address narrowed the same way.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::agents::who_works_chats;
use crate::services::history::{history, HistoryQuery, Subject};
use crate::state::AppState;
use app::contract::{HistoryEntryView, HistoryFilter, HistoryView};
use projections::chat_board::ChatBoard;
use projections::contacts::Contacts;
use projections::lines::Lines;
use projections::people::People;
use projections::queue_list::QueueList;

/// What the page calls the subject, and where "back" leads.
async fn named(state: &AppState, caller: &Caller, subject: Subject) -> Result<(String, String), AppError> {
    let id = subject.id();
    Ok(match subject {
        Subject::Chat(_) => {
            let chat = ChatBoard.chat(&state.store, &id).await?;
            let name = chat.map(|c| c.name.unwrap_or(c.contact_name)).unwrap_or_default();
            (name, format!("/supervisor/chats/{id}"))
        }
        Subject::Contact(_) => {
            let contact = Contacts.contact(&state.store, &id).await?;
            (contact.map(|c| c.name).unwrap_or_default(), format!("/contacts/{id}"))
        }
        Subject::Agent(_) => {
            (People.user(&state.store, &id).await?.map(|u| u.name).unwrap_or_default(), "/audit".into())
        }
        Subject::Queue(_) => {
            let queues = QueueList::new().queues_of(&state.store, caller.company_id).await?;
            (queues.into_iter().find(|q| q.queue_id == id).map(|q| q.name).unwrap_or_default(), "/audit".into())
        }
        Subject::Line(_) => (Lines.line(&state.store, &id).await?.map(|l| l.name).unwrap_or_default(), "/audit".into()),
    })
}

/// A moment a page's field holds (`2026-12-04T09:30`, as `datetime-local` writes it), read in
/// `zone` (the person's; UTC when none or not a zone); none when the field is blank.
pub(crate) fn moment_in(
    zone: Option<&str>,
    what: &str,
    written: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    if written.trim().is_empty() {
        return Ok(None);
    }
    let zone: chrono_tz::Tz = zone.and_then(|zone| zone.parse().ok()).unwrap_or(chrono_tz::Tz::UTC);
    let local = chrono::NaiveDateTime::parse_from_str(written.trim(), "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(written.trim(), "%Y-%m-%dT%H:%M"))
        .map_err(|_| AppError::Invalid(format!("{what}: a date and time, such as 2026-12-04T09:30")))?;
    let at = local
        .and_local_timezone(zone)
        .earliest()
        .ok_or_else(|| AppError::Invalid(format!("{what}: that moment does not exist in {zone} (a clock change)")))?;
    Ok(Some(at.with_timezone(&chrono::Utc)))
}

/// What a page reads: the server as it stood at the moment its field holds (read in `zone`), or
/// as it is when the field is blank; and that moment.
pub(crate) async fn as_it_stood<'a>(
    state: &'a AppState,
    caller: &Caller,
    zone: Option<&str>,
    written: &str,
) -> Result<(std::borrow::Cow<'a, AppState>, Option<chrono::DateTime<chrono::Utc>>), AppError> {
    match moment_in(zone, "as it stood at", written)? {
        Some(at) => Ok((std::borrow::Cow::Owned(crate::time_travel::as_of(state, caller, at).await?), Some(at))),
        None => Ok((std::borrow::Cow::Borrowed(state), None)),
    }
}

/// `kind`'s `id` history for the page: the moments of `filter` read in `zone` (the person's; UTC
/// when none or not a zone).
pub async fn history_page(
    state: &AppState,
    caller: Caller,
    kind: String,
    id: String,
    filter: HistoryFilter,
    zone: Option<String>,
) -> Result<HistoryView, AppError> {
    let subject = Subject::parse(&kind, &id)?;
    let moment = |what: &str, written: &str| moment_in(zone.as_deref(), what, written);
    // "Until 10:30" takes in the whole minute.
    let query = HistoryQuery {
        event_type: Some(filter.event_type.trim().to_string()).filter(|kind| !kind.is_empty()),
        from: moment("from", &filter.from)?,
        until: moment("until", &filter.until)?.map(|until| until + chrono::Duration::milliseconds(59_999)),
    };
    let all = history(state, &caller, subject).await?;
    let mut event_types: Vec<String> = all.iter().map(|entry| entry.event_type.clone()).collect();
    event_types.sort();
    event_types.dedup();
    let people = who_works_chats(state, &caller.company_id.to_string()).await?;
    // The log names people `agent:<id>`, `supervisor:<id>`; customers, the bot and the system by
    // themselves.
    let actor = |actor: &str| {
        let id = actor.split_once(':').map_or(actor, |(_, id)| id);
        people.iter().find(|p| p.user_id == id).map_or_else(|| actor.to_string(), |p| format!("{} ({actor})", p.name))
    };
    let entries = all
        .into_iter()
        .filter(|entry| query.admits(entry))
        .map(|entry| HistoryEntryView {
            revision: entry.revision,
            occurred_at: entry.occurred_at.to_rfc3339(),
            actor: actor(&entry.actor),
            event_type: entry.event_type,
            correlation_id: entry.correlation_id.to_string(),
            causation_id: entry.causation_id.map(|id| id.to_string()),
            data: serde_json::to_string_pretty(&entry.data).unwrap_or_default(),
        })
        .collect();
    let mut asked = vec![];
    if let Some(kind) = &query.event_type {
        if !kind.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::Invalid("event type: one of the history's".into()));
        }
        asked.push(format!("event_type={kind}"));
    }
    for (name, at) in [("from", query.from), ("until", query.until)] {
        if let Some(at) = at {
            asked.push(format!("{name}={}", at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)));
        }
    }
    let (name, back) = named(state, &caller, subject).await?;
    Ok(HistoryView {
        kind: subject.kind().to_string(),
        id: subject.id(),
        name,
        back,
        file: format!("/api/v1/{}/{}/history", subject.kind(), subject.id()),
        query: asked.join("&"),
        entries,
        event_types,
    })
}
