//! Keeps the contact directory up with the chats: the account of every new chat finds its contact
//! (or a new one, named as the channel shows them, K5) and remembers the line it talked to; what a
//! customer answers the menu bot's consent question is recorded on their contact (M12, K2).

use crate::clock::Clock;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::services::contacts::directory::{
    change_in_turn, channel_contact, find_or_create_contact, first_contact, holder_of, ChannelName, Holder,
};
use crate::workers::follower::Follower;
use crate::workers::leader::Leadership;
use crate::write::command::{commit, CommandContext, CommitError};
use domain::chat::ChatEvent;
use domain::contact::{
    account_stream, Account, ConsentRecord, ConsentScope, ConsentSource, ContactCommand, NameSource,
};
use domain::event::decode;
use domain::ids::{ChatId, CompanyId, LineId};
use eventlog::{EventLog, EventLogError, Position, RecordedEvent};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// New customers made contacts in one append, at most this many at a time.
const FIRST_MEETINGS_AT_ONCE: usize = 20;

/// What the keeper has to do for one chat.
#[derive(Clone, Debug)]
enum Chore {
    /// A chat started: its account joins a contact.
    Meet { chat: ChatId, company: CompanyId, line: LineId, account: Account, name: String, source: NameSource },
    /// The channel showed the customer under another name (K5).
    Name { company: CompanyId, account: Account, name: String, source: NameSource },
    /// The customer answered the consent question.
    Consent { company: CompanyId, account: Account, consent: ConsentRecord },
}

pub struct ContactKeeper {
    /// When contacts are made and consents moved.
    clock: Arc<dyn Clock>,
    log: Arc<dyn EventLog>,
    metrics: Arc<Metrics>,
    leadership: Leadership,
    position: Position,
    /// Every chat's company and account, learnt from its start.
    accounts: HashMap<ChatId, (CompanyId, Account)>,
    pending: BTreeMap<Position, Chore>,
    /// Where each chat's meeting waits among the chores, while it does: a name the chat shows
    /// later goes into it, so that replaying the log does not name a contact twice over.
    meets: HashMap<ChatId, Position>,
    /// The accounts' reservation streams that have a history: the others belong to customers
    /// met for the first time, whose contacts are made without reading anything.
    reserved: HashSet<String>,
}

impl ContactKeeper {
    pub fn new(log: Arc<dyn EventLog>, metrics: Arc<Metrics>, leadership: Leadership, clock: Arc<dyn Clock>) -> Self {
        Self {
            log,
            metrics,
            leadership,
            clock,
            position: Position::default(),
            accounts: HashMap::new(),
            pending: BTreeMap::new(),
            meets: HashMap::new(),
            reserved: HashSet::new(),
        }
    }

    fn learn_event(&mut self, event: &RecordedEvent) -> Result<(), AppError> {
        if event.stream.starts_with("account-") && !self.reserved.contains(&event.stream) {
            self.reserved.insert(event.stream.clone());
        }
        if !matches!(
            event.event_type.as_str(),
            ChatEvent::CHAT_STARTED
                | ChatEvent::CONTACT_NAME_SEEN
                | ChatEvent::CONSENT_GIVEN
                | ChatEvent::CONSENT_REFUSED
        ) {
            return Ok(());
        }
        let chore = match decode::<ChatEvent>(&event.event_type, event.metadata.schema_version, &event.data)? {
            ChatEvent::Started { chat_id, company_id, line_id, channel, contact_id, contact_name, name_source } => {
                let account = Account { channel, id: contact_id };
                self.accounts.insert(chat_id, (company_id, account.clone()));
                self.meets.insert(chat_id, event.position);
                let (name, source) = (contact_name, name_source);
                Chore::Meet { chat: chat_id, company: company_id, line: line_id, account, name, source }
            }
            ChatEvent::ContactNameSeen { chat_id, name, source, .. } => {
                let waiting = self.meets.get(&chat_id).and_then(|position| self.pending.get_mut(position));
                if let Some(Chore::Meet { name: met_as, source: met_by, .. }) = waiting {
                    (*met_as, *met_by) = (name, source);
                    return Ok(());
                }
                let Some((company, account)) = self.accounts.get(&chat_id).cloned() else { return Ok(()) };
                Chore::Name { company, account, name, source }
            }
            ChatEvent::ConsentGiven { chat_id, at, .. } | ChatEvent::ConsentRefused { chat_id, at, .. } => {
                let Some((company, account)) = self.accounts.get(&chat_id).cloned() else { return Ok(()) };
                let given = event.event_type == ChatEvent::CONSENT_GIVEN;
                let scope = ConsentScope::Account { account: account.clone() };
                Chore::Consent {
                    company,
                    account,
                    consent: ConsentRecord { scope, given, source: ConsentSource::Menu, at },
                }
            }
            _ => return Ok(()),
        };
        self.pending.insert(event.position, chore);
        Ok(())
    }

    async fn do_chores(&mut self) -> Result<(), AppError> {
        if self.pending.is_empty() || !self.leadership.try_lead().await {
            return Ok(());
        }
        while let Some((&position, chore)) = self.pending.first_key_value() {
            let first_meetings = self.first_meetings_ahead();
            if !first_meetings.is_empty() {
                self.meet_at_once(first_meetings).await?;
                continue;
            }
            self.do_chore(chore.clone()).await?;
            self.done(position);
        }
        Ok(())
    }

    fn done(&mut self, position: Position) {
        if let Some(Chore::Meet { chat, company, account, .. }) = self.pending.remove(&position) {
            self.meets.remove(&chat);
            self.reserved.insert(account_stream(company, &account));
        }
    }

    /// The chores at the head of the line that meet a customer for the first time, each on an
    /// account of its own.
    fn first_meetings_ahead(&self) -> Vec<Position> {
        let mut accounts = HashSet::new();
        self.pending
            .iter()
            .map_while(|(position, chore)| match chore {
                Chore::Meet { company, account, .. } => {
                    let stream = account_stream(*company, account);
                    (!self.reserved.contains(&stream) && accounts.insert(stream)).then_some(*position)
                }
                Chore::Name { .. } | Chore::Consent { .. } => None,
            })
            .take(FIRST_MEETINGS_AT_ONCE)
            .collect()
    }

    /// Makes the contacts of customers met for the first time in one append; should any of their
    /// accounts or contacts have a history after all, meets each on its own.
    async fn meet_at_once(&mut self, meetings: Vec<Position>) -> Result<(), AppError> {
        let mut decisions = Vec::new();
        for position in &meetings {
            let Some(Chore::Meet { company, line, account, name, source, .. }) = self.pending.get(position) else {
                continue;
            };
            let context = CommandContext::system(*company, self.clock.now());
            let (contact, details) = channel_contact(*company, account, ChannelName { name, source: *source })?;
            decisions.extend(first_contact(&context, contact, details, &[(account.clone(), Some(*line))])?);
        }
        let refused = match commit(self.log.as_ref(), &self.metrics, decisions).await {
            Ok(_) => false,
            Err(CommitError::Log(EventLogError::WrongExpectedRevision { .. })) => {
                self.metrics.append_conflict();
                true
            }
            Err(CommitError::Log(error)) => return Err(error.into()),
            Err(CommitError::Rejected(error)) => return Err(error),
        };
        for position in meetings {
            if refused {
                if let Some(chore) = self.pending.get(&position).cloned() {
                    self.do_chore(chore).await?;
                }
            }
            self.done(position);
        }
        Ok(())
    }

    async fn do_chore(&self, chore: Chore) -> Result<(), AppError> {
        let log = self.log.as_ref();
        let context = CommandContext::system(chore.company(), self.clock.now());
        let (contact, commands) = match chore {
            Chore::Meet { line, account, name, source, .. } => {
                let seen = ChannelName { name: &name, source };
                let contact = match find_or_create_contact(log, &self.metrics, &context, &account, line, seen).await? {
                    Holder::Known(contact) => Some(contact),
                    // Made as the chat shows it, holding the account from the line: nothing more.
                    Holder::New(_) => None,
                };
                let commands = vec![
                    ContactCommand::AddAccount { account, line: Some(line) },
                    ContactCommand::SeeChannelName { name, source },
                ];
                (contact, commands)
            }
            Chore::Name { company, account, name, source } => {
                (holder_of(log, company, &account).await?, vec![ContactCommand::SeeChannelName { name, source }])
            }
            Chore::Consent { company, account, consent } => {
                (holder_of(log, company, &account).await?, vec![ContactCommand::RecordConsent { consent }])
            }
        };
        let Some(contact) = contact else { return Ok(()) };
        change_in_turn(log, &self.metrics, &context, contact, &commands).await.map(|_| ())
    }
}

impl Chore {
    fn company(&self) -> CompanyId {
        match self {
            Chore::Meet { company, .. } | Chore::Name { company, .. } | Chore::Consent { company, .. } => *company,
        }
    }
}

#[async_trait::async_trait]
impl Follower for ContactKeeper {
    type Error = AppError;
    const NAME: &'static str = "contact keeper";

    fn log(&self) -> Arc<dyn EventLog> {
        self.log.clone()
    }

    fn position(&mut self) -> &mut Position {
        &mut self.position
    }

    fn learn(&mut self, event: &RecordedEvent) -> Result<(), AppError> {
        self.learn_event(event)
    }

    async fn act(&mut self) -> Result<(), AppError> {
        self.do_chores().await
    }
}
