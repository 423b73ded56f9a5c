//! The contact keeper makes the contacts of customers it meets for the first time many in one
//! append, and meets on their own those who turn out to have a contact by the time it acts.

use domain::chat::{chat_stream, Chat, ChatCommand, ChatState, Inbound};
use domain::contact::{contact_stream, Account, Channel, ContactDetails, NameSource};
use domain::decider::Decider;
use domain::ids::{ChatId, CompanyId, ContactId, ConversationId, LineId, QueueId};
use eventlog::testing::{fresh_database, readable, Backend, TestDatabase};
use eventlog::{EventLog, ExpectedRevision, Position};
use server::clock::{Clock, SystemClock};
use server::metrics::Metrics;
use server::services::contacts::directory::{channel_contact, create_contact, holder_of, ChannelName};
use server::workers::contact_keeper::ContactKeeper;
use server::workers::follower::Follower;
use server::workers::leader::Leadership;
use server::write::command::{commit, CommandContext, Decided};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

eventlog::on_both_backends!(
    customers_met_for_the_first_time_get_their_contacts_in_one_append,
    a_customer_given_a_contact_before_the_keeper_acts_joins_that_contact,
);

struct Keeping {
    log: Arc<dyn EventLog>,
    metrics: Arc<Metrics>,
    keeper: ContactKeeper,
    company: CompanyId,
    line: LineId,
    learnt: Position,
    /// Events written by the test, and how many of them the keeper has learnt.
    written: usize,
    learnt_events: usize,
    _database: TestDatabase,
}

async fn keeping(backend: Backend) -> Keeping {
    let database = fresh_database(backend).await;
    let log = eventlog::open(&database.url).await.expect("the log opens");
    let metrics = Arc::new(Metrics::default());
    let keeper = ContactKeeper::new(
        log.clone(),
        metrics.clone(),
        Leadership::new(&database.url, "contacts"),
        Arc::new(SystemClock),
    );
    let (company, line) = (CompanyId::from_uuid(Uuid::now_v7()), LineId::from_uuid(Uuid::now_v7()));
    Keeping {
        log,
        metrics,
        keeper,
        company,
        line,
        learnt: Position::default(),
        written: 0,
        learnt_events: 0,
        _database: database,
    }
}

fn account(id: &str) -> Account {
    Account { channel: Channel::Api, id: id.into() }
}

impl Keeping {
    /// A customer writes on the line for the first time: their chat starts.
    async fn customer_writes(&mut self, account_id: &str, name: &str) {
        let chat_id = ChatId::from_uuid(Uuid::now_v7());
        let inbound = Inbound {
            company_id: self.company,
            line_id: self.line,
            channel: Channel::Api,
            contact_id: account_id.into(),
            contact_name: name.into(),
            name_source: NameSource::Profile,
            message_id: Uuid::now_v7().to_string(),
            text: "hello".into(),
            media: None,
            sticker: false,
            content: Default::default(),
            queue: QueueId::from_uuid(Uuid::now_v7()),
            menu: None,
            consent_on_record: false,
        };
        let conversation_id = ConversationId::from_uuid(Uuid::now_v7());
        let receive = ChatCommand::Receive { chat_id, inbound, conversation_id, at: SystemClock.now() };
        let events = Chat::decide(&ChatState::default(), &receive).expect("a first message");
        self.written += events.len();
        let context = CommandContext::system(self.company, SystemClock.now());
        let started = Decided::new(&context, &chat_stream(chat_id), ExpectedRevision::NoStream, &events).unwrap();
        commit(self.log.as_ref(), &self.metrics, vec![started]).await.expect("the chat starts");
    }

    /// The keeper learns what the test has written by now.
    async fn keeper_learns(&mut self) {
        for event in readable(self.log.as_ref(), self.learnt, self.written - self.learnt_events).await {
            self.keeper.learn(&event).expect("the keeper learns");
            self.learnt = event.position;
            self.learnt_events += 1;
        }
    }

    async fn holder(&self, account_id: &str) -> Option<ContactId> {
        holder_of(self.log.as_ref(), self.company, &account(account_id)).await.expect("the reservation reads")
    }

    async fn event_types(&self, contact: ContactId) -> Vec<String> {
        let history = self.log.read_stream(&contact_stream(contact)).await.expect("the contact reads");
        history.into_iter().map(|event| event.event_type).collect()
    }

    fn conflicts(&self) -> String {
        let metrics = self.metrics.render(&[]);
        metrics.lines().find(|line| line.starts_with("eventlog_append_conflicts_total")).unwrap_or_default().into()
    }
}

async fn customers_met_for_the_first_time_get_their_contacts_in_one_append(backend: Backend) {
    let mut keeping = keeping(backend).await;
    keeping.customer_writes("+5491100000001", "Ana").await;
    keeping.customer_writes("+5491100000002", "Ben").await;
    keeping.keeper_learns().await;

    keeping.keeper.act().await.expect("the keeper acts");

    let mut made_in = Vec::new();
    for (account_id, name) in [("+5491100000001", "Ana"), ("+5491100000002", "Ben")] {
        let contact = keeping.holder(account_id).await.expect("the account has a contact");
        let shown = ChannelName { name, source: NameSource::Profile };
        assert_eq!(contact, channel_contact(keeping.company, &account(account_id), shown).unwrap().0);
        assert_eq!(keeping.event_types(contact).await, ["ContactCreated", "ContactAccountAdded"]);
        let history = keeping.log.read_stream(&contact_stream(contact)).await.unwrap();
        assert_eq!(history[0].data["details"]["name"], name, "named as the channel shows them");
        made_in.push(history[0].position.transaction);
    }
    assert_eq!(made_in[0], made_in[1], "both contacts are made in one append");
    assert_eq!(keeping.conflicts(), "eventlog_append_conflicts_total 0");
}

async fn a_customer_given_a_contact_before_the_keeper_acts_joins_that_contact(backend: Backend) {
    let mut keeping = keeping(backend).await;
    keeping.customer_writes("+5491100000001", "Ana").await;
    keeping.customer_writes("+5491100000002", "Ben").await;
    keeping.keeper_learns().await;
    // An agent files Ana under her full name after the keeper learnt of her chat, before it acts.
    let filed = ContactId::from_uuid(Uuid::now_v7());
    let none = BTreeMap::new();
    let details = ContactDetails::parse("Ana Pérez", NameSource::Agent, None, "", &none, None).unwrap();
    let context = CommandContext::system(keeping.company, SystemClock.now());
    let accounts = [(account("+5491100000001"), None)];
    create_contact(keeping.log.as_ref(), &keeping.metrics, &context, filed, details, &accounts).await.unwrap();

    keeping.keeper.act().await.expect("the keeper acts");

    assert_eq!(keeping.holder("+5491100000001").await, Some(filed), "Ana stays with the contact she was filed under");
    let types = keeping.event_types(filed).await;
    assert_eq!(
        types,
        ["ContactCreated", "ContactAccountAdded", "ContactAccountTalkedToLine"],
        "and the line she wrote to"
    );
    let shown = ChannelName { name: "Ana", source: NameSource::Profile };
    let unmade = channel_contact(keeping.company, &account("+5491100000001"), shown).unwrap().0;
    assert!(keeping.event_types(unmade).await.is_empty(), "no second contact for Ana");
    assert!(keeping.holder("+5491100000002").await.is_some(), "Ben, met along with her, gets his contact");
    assert_eq!(keeping.conflicts(), "eventlog_append_conflicts_total 1", "the append of both was refused once");
}
