//! The reports' read model on a scripted history with known times: a conversation sorted by the
//! menu, answered and resolved; the same chat reopened, its agent missing the time to answer and
//! another taking it; the same customer on another line, ended at the bot; a transfer straight to
//! an agent. Every figure below is counted by hand from the script.

use super::{at, company, folded, folded_in_batches, History};
use domain::chat::{chat_stream, ChatEvent, Resolver};
use domain::contact::{Channel, NameSource};
use domain::ids::{ChatId, ConversationId, LineId, QueueId, UserId};
use domain::menu::MenuPlace;
use domain::queue::{personal_queue, queue_stream, QueueEvent, QueueName};
use eventlog::testing::Backend;
use projections::reports::{AgentSpan, Listing, OptionSpan, Reports, Scope, Span};
use projections::rows::{rows_of_tables, tables_of};
use std::collections::BTreeMap;
use uuid::Uuid;

eventlog::on_both_backends!(
    the_reports_count_conversations_new_contacts_resolutions_answers_and_options_as_scripted,
    an_agents_span_counts_their_resolutions_and_first_answers_to_their_own_assignments_only,
    the_reports_fold_alike_one_event_at_a_time_and_in_batches_of_any_size,
);

fn agent(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(100 + n))
}
fn chat(n: u128) -> ChatId {
    ChatId::from_uuid(Uuid::from_u128(200 + n))
}
fn conversation(n: u128) -> ConversationId {
    ConversationId::from_uuid(Uuid::from_u128(300 + n))
}
fn line(n: u128) -> LineId {
    LineId::from_uuid(Uuid::from_u128(500 + n))
}
fn sales() -> QueueId {
    QueueId::from_uuid(Uuid::from_u128(400))
}
fn ms(seconds: i64) -> i64 {
    at(seconds).timestamp_millis()
}
fn span(from: i64, to: i64) -> Span {
    Span { since: ms(from), until: ms(to) }
}

fn started(chat_id: ChatId, line_id: LineId, contact: &str) -> ChatEvent {
    ChatEvent::Started {
        chat_id,
        company_id: company(),
        line_id,
        channel: Channel::Whatsapp,
        contact_id: contact.into(),
        contact_name: "Rosa".into(),
        name_source: NameSource::Profile,
    }
}
fn opened(chat_id: ChatId, n: u128, seconds: i64) -> ChatEvent {
    ChatEvent::ConversationOpened { chat_id, conversation_id: conversation(n), at: at(seconds) }
}
fn customer(chat_id: ChatId, seconds: i64) -> ChatEvent {
    ChatEvent::CustomerMessageReceived {
        chat_id,
        message_id: Uuid::now_v7().to_string(),
        text: "Hola".into(),
        media: None,
        sticker: false,
        content: Default::default(),
        at: at(seconds),
    }
}
fn menu(chat_id: ChatId, seconds: i64) -> ChatEvent {
    ChatEvent::MenuShown {
        chat_id,
        message_id: Uuid::now_v7(),
        place: MenuPlace::top(),
        text: "1. Hours 2. Sales".into(),
        choices: vec![],
        at: at(seconds),
    }
}
fn chose(chat_id: ChatId, option: u8, label: &str, seconds: i64) -> ChatEvent {
    ChatEvent::MenuOptionChosen { chat_id, place: MenuPlace::top(), option, label: label.into(), at: at(seconds) }
}
fn queued(chat_id: ChatId, n: u128, queue: QueueId, seconds: i64) -> ChatEvent {
    ChatEvent::Queued { chat_id, conversation_id: conversation(n), queue, at: at(seconds) }
}
fn assigned(chat_id: ChatId, n: u128, to: UserId, queue: QueueId, seconds: i64) -> ChatEvent {
    ChatEvent::Assigned { chat_id, conversation_id: conversation(n), agent: to, queue, at: at(seconds) }
}
fn replied(chat_id: ChatId, by: UserId, seconds: i64) -> ChatEvent {
    ChatEvent::AgentReplied {
        chat_id,
        message_id: Uuid::now_v7(),
        agent: by,
        text: "Hola".into(),
        quoted: None,
        location: None,
        media: None,
        template: None,
        at: at(seconds),
    }
}
fn resolved(chat_id: ChatId, n: u128, by: Resolver, seconds: i64) -> ChatEvent {
    ChatEvent::Resolved { chat_id, conversation_id: conversation(n), by, at: at(seconds) }
}

/// Chat A sorted by the menu, answered, resolved, reopened, missed and passed on; the same customer
/// on another line ended at the bot; chat C sent straight to Ben.
fn sorted_reopened_and_passed_on() -> History {
    let (ana, ben, boss) = (agent(1), agent(2), agent(3));
    let (a, b, c) = (chat(1), chat(2), chat(3));
    History::new()
        .then(
            queue_stream(sales()),
            &QueueEvent::Created { queue_id: sales(), company_id: company(), name: QueueName::parse("Sales").unwrap() },
        )
        // Chat A, a customer never seen: the menu, "Sales", queued; Ana takes it at 40 s.
        .then(chat_stream(a), &started(a, line(1), "+5491100000001"))
        .then(chat_stream(a), &opened(a, 1, 0))
        .then(chat_stream(a), &customer(a, 0))
        .then(chat_stream(a), &menu(a, 1))
        .then(chat_stream(a), &customer(a, 10))
        .then(chat_stream(a), &chose(a, 2, "Sales", 10))
        .then(chat_stream(a), &queued(a, 1, sales(), 10))
        .then(chat_stream(a), &assigned(a, 1, ana, sales(), 40))
        // Ana answers 60 s after the customer asked (30 s after she took it), then answers again.
        .then(chat_stream(a), &replied(a, ana, 70))
        .then(chat_stream(a), &customer(a, 100))
        .then(chat_stream(a), &replied(a, ana, 130))
        .then(chat_stream(a), &resolved(a, 1, Resolver::Agent(ana), 200))
        // The same chat reopened: no menu this time; Ana misses it and Ben answers at 1,100 s.
        .then(chat_stream(a), &opened(a, 2, 1_000))
        .then(chat_stream(a), &customer(a, 1_000))
        .then(chat_stream(a), &queued(a, 2, sales(), 1_000))
        .then(chat_stream(a), &assigned(a, 2, ana, sales(), 1_000))
        .then(
            chat_stream(a),
            &ChatEvent::ReplyDeadlineMissed { chat_id: a, conversation_id: conversation(2), agent: ana, at: at(1_060) },
        )
        .then(chat_stream(a), &queued(a, 2, sales(), 1_060))
        .then(chat_stream(a), &assigned(a, 2, ben, sales(), 1_070))
        .then(chat_stream(a), &replied(a, ben, 1_100))
        .then(chat_stream(a), &resolved(a, 2, Resolver::Supervisor(boss), 1_200))
        // The same customer on another line: not new there; the bot answers and ends it.
        .then(chat_stream(b), &started(b, line(2), "+5491100000001"))
        .then(chat_stream(b), &opened(b, 3, 300))
        .then(chat_stream(b), &customer(b, 300))
        .then(chat_stream(b), &menu(b, 301))
        .then(chat_stream(b), &customer(b, 310))
        .then(chat_stream(b), &chose(b, 1, "Hours", 310))
        .then(
            chat_stream(b),
            &ChatEvent::BotSaid { chat_id: b, message_id: Uuid::now_v7(), text: "9 to 5".into(), at: at(311) },
        )
        .then(chat_stream(b), &resolved(b, 3, Resolver::Bot, 320))
        // Chat C, another new customer, sent straight to Ben (his own queue); still open.
        .then(chat_stream(c), &started(c, line(1), "+5491100000002"))
        .then(chat_stream(c), &opened(c, 4, 400))
        .then(chat_stream(c), &customer(c, 400))
        .then(chat_stream(c), &queued(c, 4, personal_queue(ben), 400))
        .then(chat_stream(c), &assigned(c, 4, ben, personal_queue(ben), 405))
}

async fn the_reports_count_conversations_new_contacts_resolutions_answers_and_options_as_scripted(backend: Backend) {
    let (ana, ben) = (agent(1), agent(2));
    let history = sorted_reopened_and_passed_on();
    let folded = folded(backend, Reports, history).await;
    let (store, company) = (&folded.store, company().to_string());
    let list = |scope: Scope, listing: Listing, span: Span| {
        let company = company.clone();
        async move {
            let listed = Reports.conversations(store, &company, &scope, listing, span, 10).await.expect("a list");
            let ids: Vec<String> = listed.rows.iter().map(|row| row.conversation_id.clone()).collect();
            (listed.total, ids)
        }
    };
    let all = span(0, 2_000);
    let id = |n: u128| conversation(n).to_string();

    assert_eq!(list(Scope::Company, Listing::Opened, all).await, (4, vec![id(2), id(4), id(3), id(1)]));
    assert_eq!(list(Scope::Company, Listing::New, all).await, (2, vec![id(4), id(1)]), "A1 and C1 only");
    // Resolved by a person: the bot's ending is not one.
    assert_eq!(list(Scope::Company, Listing::Resolved, all).await, (2, vec![id(2), id(1)]));
    assert_eq!(list(Scope::Company, Listing::Resolved, span(0, 1_000)).await, (1, vec![id(1)]));
    // A transfer to an agent's own queue leaves the conversation in no company queue.
    assert_eq!(list(Scope::Queue(sales().to_string()), Listing::Opened, all).await, (2, vec![id(2), id(1)]));
    assert_eq!(list(Scope::Line(line(2).to_string()), Listing::Opened, all).await, (1, vec![id(3)]));
    assert_eq!(list(Scope::Agent(ben.to_string()), Listing::Opened, all).await, (2, vec![id(2), id(4)]));
    // A list stops at its limit and still says how many there are.
    let first = Reports.conversations(store, &company, &Scope::Company, Listing::Opened, all, 1).await.unwrap();
    assert_eq!((first.total, first.rows.len()), (4, 1));

    let unresolved = Reports.unresolved(store, &company).await.unwrap();
    assert_eq!(unresolved.iter().map(|row| row.conversation_id.clone()).collect::<Vec<_>>(), vec![id(4)]);
    assert_eq!(unresolved[0].agent_id, Some(ben.to_string()));
    assert_eq!(unresolved[0].queue_id, None);

    let a1 = list(Scope::Company, Listing::Resolved, span(0, 1_000)).await;
    assert_eq!(a1.1, vec![id(1)]);
    let a1 =
        Reports.conversations(store, &company, &Scope::Company, Listing::Resolved, span(0, 1_000), 1).await.unwrap();
    let a1 = &a1.rows[0];
    assert_eq!(a1.option, Some(("2".into(), "Sales".into())));
    assert_eq!(a1.resolved_by, Some(("agent".into(), Some(ana.to_string()))));
    assert_eq!((a1.opened_ms, a1.resolved_ms), (ms(0), Some(ms(200))));
    assert!(a1.new_contact);

    assert_eq!(
        Reports.options(store, &company, all).await.unwrap(),
        vec![
            OptionSpan {
                line_id: line(1).to_string(),
                path: "2".into(),
                label: "Sales".into(),
                incoming: 1,
                resolved: 1,
                ended_by_bot: 0
            },
            OptionSpan {
                line_id: line(2).to_string(),
                path: "1".into(),
                label: "Hours".into(),
                incoming: 1,
                resolved: 0,
                ended_by_bot: 1
            },
        ]
    );

    // The supervisor asked about too: their resolution is still not an agent's.
    let asked: Vec<String> = [ana, ben, agent(3)].iter().map(ToString::to_string).collect();
    let agents = Reports.agents(store, &company, &asked, all).await.unwrap();
    // Ana: taken at 40 and 1,000; one first answer 30 s after; answers after 60 s and 30 s.
    assert_eq!(
        agents.get(&ana.to_string()),
        Some(&AgentSpan {
            incoming: 2,
            resolved: 1,
            answered: 1,
            first_response_ms: 30_000,
            responses: 2,
            response_ms: 90_000
        })
    );
    // Ben: chat A from 1,070 (answered 30 s later, the customer having waited 100 s) and chat C.
    assert_eq!(
        agents.get(&ben.to_string()),
        Some(&AgentSpan {
            incoming: 2,
            resolved: 0,
            answered: 1,
            first_response_ms: 30_000,
            responses: 1,
            response_ms: 100_000
        })
    );
    assert_eq!(agents.get(&ana.to_string()).and_then(AgentSpan::average_response_seconds), Some(45));
    assert_eq!(agents.len(), 2, "a supervisor's resolution is not an agent's row: {agents:?}");
    let quarters = Reports.quarters(store, &company, &Scope::Company, Listing::New, all).await.unwrap();
    let quarter = |at: i64| ms(at) - ms(at).rem_euclid(15 * 60 * 1000);
    let mut expected = BTreeMap::new();
    for at in [0, 400] {
        *expected.entry(quarter(at)).or_insert(0) += 1;
    }
    assert_eq!(quarters.into_iter().collect::<BTreeMap<i64, i64>>(), expected, "new conversations per quarter hour");
}

/// Three chats: one answered twice by Ana, one passed from Ana to Ben, one resolved by a supervisor.
fn three_chats_answered() -> History {
    let (ana, ben) = (agent(1), agent(2));
    let (one, two, three) = (chat(1), chat(2), chat(3));
    History::new()
        .then(chat_stream(one), &started(one, line(1), "+5491100000001"))
        .then(chat_stream(one), &opened(one, 1, 0))
        .then(chat_stream(two), &started(two, line(1), "+5491100000002"))
        .then(chat_stream(two), &opened(two, 2, 0))
        .then(chat_stream(three), &started(three, line(1), "+5491100000003"))
        .then(chat_stream(three), &opened(three, 3, 0))
        // Chat 1: Ana answers 30 s after it came to her, then again (not a first answer), resolves.
        .then(chat_stream(one), &assigned(one, 1, ana, sales(), 0))
        .then(chat_stream(one), &replied(one, ana, 30))
        .then(chat_stream(one), &replied(one, ana, 90))
        .then(chat_stream(one), &resolved(one, 1, Resolver::Agent(ana), 100))
        // Chat 2: Ana never answers; it passes to Ben, who answers 20 s later — Ben's, not Ana's.
        .then(chat_stream(two), &assigned(two, 2, ana, sales(), 10))
        .then(chat_stream(two), &assigned(two, 2, ben, sales(), 200))
        .then(chat_stream(two), &replied(two, ben, 220))
        // Chat 3: assigned to Ana later; she answers after 90 s; a supervisor resolves it.
        .then(chat_stream(three), &assigned(three, 3, ana, sales(), 1_000))
        .then(chat_stream(three), &replied(three, ana, 1_090))
        .then(chat_stream(three), &resolved(three, 3, Resolver::Supervisor(ben), 1_100))
}

async fn an_agents_span_counts_their_resolutions_and_first_answers_to_their_own_assignments_only(backend: Backend) {
    let (ana, ben) = (agent(1), agent(2));
    let history = three_chats_answered();
    let folded = folded(backend, Reports, history).await;
    let (store, company) = (&folded.store, company().to_string());
    let span_of = |who: UserId, span: Span| {
        let company = company.clone();
        async move { Reports.agent(store, &company, &who.to_string(), span).await.expect("a span") }
    };
    let anas = span_of(ana, span(0, 2_000)).await;
    assert_eq!((anas.incoming, anas.resolved, anas.answered, anas.first_response_ms), (3, 1, 2, 120_000));
    assert_eq!(anas.average_first_response_seconds(), Some(60));
    let bens = span_of(ben, span(0, 2_000)).await;
    assert_eq!((bens.incoming, bens.resolved, bens.answered, bens.first_response_ms), (1, 0, 1, 20_000));
    // A span holds what began in it: chat 3's assignment only, and nothing resolved.
    let later = span_of(ana, span(500, 1_050)).await;
    assert_eq!((later.incoming, later.resolved, later.answered, later.first_response_ms), (1, 0, 1, 90_000));
    let nothing = span_of(ana, span(3_000, 4_000)).await;
    assert_eq!(nothing.average_first_response_seconds(), None);
}

/// A batch reads what it needs of the tables, folds its events in memory and writes them together:
/// each history below, folded an event at a time (every event reading what the one before wrote)
/// and in batches that cut it everywhere, leaves the same rows in every table.
async fn the_reports_fold_alike_one_event_at_a_time_and_in_batches_of_any_size(backend: Backend) {
    // The first history fills every table; the second makes no queue and has no customer waiting.
    for (name, history, empty_tables) in [
        ("sorted, reopened and passed on", sorted_reopened_and_passed_on(), 0),
        ("three chats", three_chats_answered(), 2),
    ] {
        let mut folds = Vec::new();
        for batch_size in [1, 2, 3, 5, 1_000] {
            let folded = folded_in_batches(backend, Reports, history.clone(), batch_size).await;
            let tables = tables_of(&folded.store, &Reports).await.expect("the tables");
            assert_eq!(tables.len(), 6, "every table of the read model: {tables:?}");
            let rows = rows_of_tables(&folded.store, &tables).await.expect("the rows");
            let empty = rows.iter().filter(|table| table.is_empty()).count();
            assert_eq!(empty, empty_tables, "{name}: tables without rows: {rows:?}");
            folds.push((batch_size, rows));
        }
        let (_, one_by_one) = &folds[0];
        for (batch_size, rows) in &folds[1..] {
            assert_eq!(rows, one_by_one, "{name}: folded {batch_size} events at a time");
        }
    }
}
