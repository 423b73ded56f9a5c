//! The agent board: a company's pause reasons, each agent's capacity, pause and presence, and the
//! time spent paused.

use super::{at, company, folded, History};
use domain::agent::AgentEvent;
use domain::ids::UserId;
use domain::pause::PauseReasonEvent;
use eventlog::testing::Backend;
use projections::agent_board::{AgentBoard, AgentStateRow, PausedTime, ReasonRow};
use uuid::Uuid;

eventlog::on_both_backends!(
    reasons_are_listed_by_name_renamed_in_place_and_retired_ones_left_out,
    an_agent_shows_capacity_pause_and_presence_and_the_time_paused_adds_up,
);

fn ana() -> UserId {
    UserId::from_uuid(Uuid::from_u128(13))
}

async fn reasons_are_listed_by_name_renamed_in_place_and_retired_ones_left_out(backend: Backend) {
    let (lunch, break_, training) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
    let stream = "pausereasons-1";
    let history = History::new()
        .then(stream, &PauseReasonEvent::Created { reason_id: lunch, name: "Lunch".into() })
        .then(stream, &PauseReasonEvent::Created { reason_id: break_, name: "Break".into() })
        .then(stream, &PauseReasonEvent::Created { reason_id: training, name: "training".into() })
        .then(stream, &PauseReasonEvent::Renamed { reason_id: break_, name: "Coffee".into() })
        .then(stream, &PauseReasonEvent::Retired { reason_id: lunch });
    let board = folded(backend, AgentBoard, history).await;
    assert_eq!(
        AgentBoard.reasons_of(&board.store, &company().to_string()).await.unwrap(),
        vec![
            ReasonRow { id: break_.to_string(), name: "Coffee".into() },
            ReasonRow { id: training.to_string(), name: "training".into() },
        ]
    );
}

async fn an_agent_shows_capacity_pause_and_presence_and_the_time_paused_adds_up(backend: Backend) {
    let stream = format!("agent-{}", ana());
    let reason_id = Uuid::from_u128(2);
    let paused = |since| AgentEvent::Paused { agent: ana(), reason_id, reason: "Coffee".into(), since };
    let history = History::new()
        .then(&stream, &AgentEvent::CapacitySet { agent: ana(), capacity: 3 })
        .then(&stream, &AgentEvent::CameOnline { agent: ana(), node: "node-a".into(), at: at(0) })
        .then(&stream, &paused(at(60)))
        .then(&stream, &AgentEvent::Resumed { agent: ana(), at: at(360) })
        .then(&stream, &paused(at(600)));
    let board = folded(backend, AgentBoard, history).await;
    let company = company().to_string();
    assert_eq!(
        AgentBoard.agents_of(&board.store, &company).await.unwrap(),
        vec![AgentStateRow {
            agent_id: ana().to_string(),
            capacity: 3,
            paused_reason: Some("Coffee".into()),
            paused_since: Some(at(600).to_rfc3339()),
            online: true,
        }]
    );
    assert_eq!(AgentBoard.online_on(&board.store, "node-a").await.unwrap(), vec![(ana().to_string(), company.clone())]);
    assert!(AgentBoard.online_on(&board.store, "node-b").await.unwrap().is_empty());
    // 5 minutes of the first pause, and the 2 minutes of the second within the window.
    let paused = AgentBoard.paused_between(&board.store, &company, at(0), at(720)).await.unwrap();
    assert_eq!(paused, vec![PausedTime { agent_id: ana().to_string(), reason: "Coffee".into(), seconds: 300 + 120 }]);

    let offline = History::new()
        .then(&stream, &AgentEvent::CameOnline { agent: ana(), node: "node-a".into(), at: at(0) })
        .then(&stream, &AgentEvent::WentOffline { agent: ana(), node: "node-a".into(), at: at(10) });
    let board = folded(backend, AgentBoard, offline).await;
    let agents = AgentBoard.agents_of(&board.store, &company).await.unwrap();
    let default_capacity = projections::agent_board::DEFAULT_CAPACITY;
    assert_eq!(
        agents,
        vec![AgentStateRow {
            agent_id: ana().to_string(),
            capacity: default_capacity,
            paused_reason: None,
            paused_since: None,
            online: false,
        }]
    );
}
