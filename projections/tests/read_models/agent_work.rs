//! Each agent's work: resolutions and the time from an assignment to its first answer, counted
//! in the span asked for.

use super::{at, folded, History};
use domain::chat::{chat_stream, ChatEvent, Resolver};
use domain::ids::{ChatId, ConversationId, QueueId, UserId};
use eventlog::testing::Backend;
use projections::agent_work::{AgentSpan, AgentWork};
use uuid::Uuid;

eventlog::on_both_backends!(an_agents_span_counts_their_resolutions_and_first_answers_to_their_own_assignments_only,);

fn agent(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(100 + n))
}
fn chat(n: u128) -> ChatId {
    ChatId::from_uuid(Uuid::from_u128(200 + n))
}
fn assigned(chat_id: ChatId, to: UserId, seconds: i64) -> ChatEvent {
    ChatEvent::Assigned {
        chat_id,
        conversation_id: ConversationId::from_uuid(Uuid::from_u128(300)),
        agent: to,
        queue: QueueId::from_uuid(Uuid::from_u128(400)),
        at: at(seconds),
    }
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
fn resolved(chat_id: ChatId, by: Resolver, seconds: i64) -> ChatEvent {
    ChatEvent::Resolved {
        chat_id,
        conversation_id: ConversationId::from_uuid(Uuid::from_u128(300)),
        by,
        at: at(seconds),
    }
}

async fn an_agents_span_counts_their_resolutions_and_first_answers_to_their_own_assignments_only(backend: Backend) {
    let (ana, ben) = (agent(1), agent(2));
    let (one, two, three) = (chat_stream(chat(1)), chat_stream(chat(2)), chat_stream(chat(3)));
    let history = History::new()
        // Chat 1: Ana answers 30 s after it came to her, then again (not a first answer), resolves.
        .then(&one, &assigned(chat(1), ana, 0))
        .then(&one, &replied(chat(1), ana, 30))
        .then(&one, &replied(chat(1), ana, 90))
        .then(&one, &resolved(chat(1), Resolver::Agent(ana), 100))
        // Chat 2: Ana never answers; it passes to Ben, who answers 20 s later — Ben's, not Ana's.
        .then(&two, &assigned(chat(2), ana, 10))
        .then(&two, &assigned(chat(2), ben, 200))
        .then(&two, &replied(chat(2), ben, 220))
        // Chat 3: assigned to Ana later; she answers after 90 s; a supervisor resolves it.
        .then(&three, &assigned(chat(3), ana, 1_000))
        .then(&three, &replied(chat(3), ana, 1_090))
        .then(&three, &resolved(chat(3), Resolver::Supervisor(ben), 1_100));
    let work = folded(backend, AgentWork, history).await;
    let ms = |seconds: i64| at(seconds).timestamp_millis();

    let anas = AgentWork.span_of(&work.store, &ana.to_string(), ms(0), ms(2_000)).await.unwrap();
    assert_eq!(anas, AgentSpan { resolved: 1, answered: 2, first_response_ms: 120_000 });
    assert_eq!(anas.average_first_response_seconds(), Some(60));
    let bens = AgentWork.span_of(&work.store, &ben.to_string(), ms(0), ms(2_000)).await.unwrap();
    assert_eq!(bens, AgentSpan { resolved: 0, answered: 1, first_response_ms: 20_000 });
    // A span holds what began in it: chat 3's assignment only, and nothing resolved.
    let later = AgentWork.span_of(&work.store, &ana.to_string(), ms(500), ms(1_050)).await.unwrap();
    assert_eq!(later, AgentSpan { resolved: 0, answered: 1, first_response_ms: 90_000 });
    let nothing = AgentWork.span_of(&work.store, &ana.to_string(), ms(3_000), ms(4_000)).await.unwrap();
    assert_eq!(nothing.average_first_response_seconds(), None);
}
