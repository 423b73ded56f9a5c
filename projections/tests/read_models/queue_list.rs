//! The queue list: a company's queues by name, with their members in the order they joined.

use super::{at, company, folded, History};
use domain::ids::{CompanyId, QueueId, UserId};
use domain::queue::{QueueEvent, QueueName, QueueSettings};
use eventlog::testing::Backend;
use projections::queue_list::{QueueList, QueueRow};
use uuid::Uuid;

eventlog::on_both_backends!(queues_are_listed_by_name_with_their_members_and_settings);

fn name(text: &str) -> QueueName {
    QueueName::parse(text).expect("a queue name")
}

async fn queues_are_listed_by_name_with_their_members_and_settings(backend: Backend) {
    let (sales, billing, elsewhere) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
    let (sales, billing, elsewhere) =
        (QueueId::from_uuid(sales), QueueId::from_uuid(billing), QueueId::from_uuid(elsewhere));
    let (ana, ben) = (UserId::from_uuid(Uuid::from_u128(4)), UserId::from_uuid(Uuid::from_u128(5)));
    let settings = QueueSettings { waiting_message: "You are number {position}".into(), no_answer_minutes: Some(3) };
    let other_company = CompanyId::from_uuid(Uuid::from_u128(99));
    let history = History::new()
        .then(
            format!("queue-{sales}"),
            &QueueEvent::Created { queue_id: sales, company_id: company(), name: name("Sales") },
        )
        .then(
            format!("queue-{billing}"),
            &QueueEvent::Created { queue_id: billing, company_id: company(), name: name("billing") },
        )
        .then(
            format!("queue-{elsewhere}"),
            &QueueEvent::Created { queue_id: elsewhere, company_id: other_company, name: name("Another company's") },
        )
        .then(format!("queue-{sales}"), &QueueEvent::AgentAdded { queue_id: sales, agent: ben })
        .then(format!("queue-{sales}"), &QueueEvent::AgentAdded { queue_id: sales, agent: ana })
        .then(format!("queue-{billing}"), &QueueEvent::AgentAdded { queue_id: billing, agent: ana })
        .then(format!("queue-{billing}"), &QueueEvent::AgentRemoved { queue_id: billing, agent: ana })
        .then(format!("queue-{sales}"), &QueueEvent::Renamed { queue_id: sales, name: name("Ventas") })
        .then(format!("queue-{sales}"), &QueueEvent::SettingsChanged { queue_id: sales, settings: settings.clone() });
    let list = folded(backend, QueueList::new(), history).await;
    let queues = QueueList::new().queues_of(&list.store, company()).await.unwrap();
    assert_eq!(
        queues,
        vec![
            QueueRow {
                queue_id: billing.to_string(),
                name: "billing".into(),
                created_at: at(1).to_rfc3339(),
                members: vec![],
                settings: QueueSettings::default(),
            },
            QueueRow {
                queue_id: sales.to_string(),
                name: "Ventas".into(),
                created_at: at(0).to_rfc3339(),
                members: vec![ben.to_string(), ana.to_string()],
                settings,
            },
        ]
    );
}
