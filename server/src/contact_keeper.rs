//! Keeps the contact directory up with the chats: the account of every new chat finds its contact
//! (or a new one, named by the channel's profile, K5) and remembers the line it talked to; what a
//! customer answers the menu bot's consent question is recorded on their contact (M12, K2).

use crate::commands::{commit, load, with_retry, CommandContext, Decided};
use crate::contacts::{create_contact, decide_in_turn, holder_of};
use crate::error::AppError;
use crate::follower::Follower;
use crate::leader::Leadership;
use crate::metrics::Metrics;
use domain::chat::ChatEvent;
use domain::contact::{
    contact_stream, Account, ConsentRecord, ConsentScope, ConsentSource, Contact, ContactCommand, ContactDetails,
    NameSource,
};
use domain::event::decode;
use domain::ids::{ChatId, CompanyId, ContactId, LineId};
use eventlog::{EventLog, Position, RecordedEvent};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// What the keeper has to do for one chat.
#[derive(Clone, Debug)]
enum Chore {
    /// A chat started: its account joins a contact.
    Meet { company: CompanyId, line: LineId, account: Account, name: String },
    /// The customer answered the consent question.
    Consent { company: CompanyId, account: Account, consent: ConsentRecord },
}

pub struct ContactKeeper {
    log: Arc<dyn EventLog>,
    metrics: Arc<Metrics>,
    leadership: Leadership,
    position: Position,
    /// Every chat's company and account, learnt from its start.
    accounts: HashMap<ChatId, (CompanyId, Account)>,
    pending: BTreeMap<Position, Chore>,
}

impl ContactKeeper {
    pub fn new(log: Arc<dyn EventLog>, metrics: Arc<Metrics>, leadership: Leadership) -> Self {
        Self {
            log,
            metrics,
            leadership,
            position: Position::default(),
            accounts: HashMap::new(),
            pending: BTreeMap::new(),
        }
    }

    fn learn_event(&mut self, event: &RecordedEvent) -> Result<(), AppError> {
        if !matches!(event.event_type.as_str(), "ChatStarted" | "ConsentGiven" | "ConsentRefused") {
            return Ok(());
        }
        let chore = match decode::<ChatEvent>(&event.event_type, event.metadata.schema_version, event.data.clone())? {
            ChatEvent::Started { chat_id, company_id, line_id, channel, contact_id, contact_name } => {
                let account = Account { channel, id: contact_id };
                self.accounts.insert(chat_id, (company_id, account.clone()));
                Chore::Meet { company: company_id, line: line_id, account, name: contact_name }
            }
            ChatEvent::ConsentGiven { chat_id, at, .. } | ChatEvent::ConsentRefused { chat_id, at, .. } => {
                let Some((company, account)) = self.accounts.get(&chat_id).cloned() else { return Ok(()) };
                let given = event.event_type == "ConsentGiven";
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
            self.do_chore(chore.clone()).await?;
            self.pending.remove(&position);
        }
        Ok(())
    }

    async fn do_chore(&self, chore: Chore) -> Result<(), AppError> {
        let log = self.log.as_ref();
        match chore {
            Chore::Meet { company, line, account, name } => {
                let context = CommandContext::system(company, chrono::Utc::now());
                if holder_of(log, company, &account).await?.is_none() {
                    // The same account always makes the same contact, so doing this twice makes one.
                    let contact = ContactId::from_uuid(Uuid::new_v5(&company.as_uuid(), account.key().as_bytes()));
                    let none = BTreeMap::new();
                    let details = ContactDetails::parse(&name, NameSource::Profile, None, "", &none, None)
                        .or_else(|_| ContactDetails::parse(&account.id, NameSource::Profile, None, "", &none, None))?;
                    let accounts = [(account.clone(), Some(line))];
                    match create_contact(log, &self.metrics, &context, contact, details, &accounts).await {
                        Err(AppError::Conflict(_)) => {} // someone claimed it meanwhile: theirs it is
                        other => return other.map(|_| ()),
                    }
                }
                let Some(contact) = holder_of(log, company, &account).await? else { return Ok(()) };
                let commands =
                    [ContactCommand::AddAccount { account, line: Some(line) }, ContactCommand::SeeProfileName { name }];
                change(log, &self.metrics, &context, contact, &commands).await
            }
            Chore::Consent { company, account, consent } => {
                let context = CommandContext::system(company, chrono::Utc::now());
                let Some(contact) = holder_of(log, company, &account).await? else { return Ok(()) };
                change(log, &self.metrics, &context, contact, &[ContactCommand::RecordConsent { consent }]).await
            }
        }
    }
}

/// Runs commands on a contact the keeper found, in turn, in one append.
async fn change(
    log: &dyn EventLog,
    metrics: &Metrics,
    context: &CommandContext,
    contact: ContactId,
    commands: &[ContactCommand],
) -> Result<(), AppError> {
    let stream = contact_stream(contact);
    with_retry(metrics, || async {
        let (state, expected) = load::<Contact>(log, &stream).await?;
        let events = decide_in_turn(state, commands).map_err(AppError::from)?;
        commit(log, metrics, vec![Decided::new(context, &stream, expected, &events)?]).await
    })
    .await
    .map(|_| ())
}

#[async_trait::async_trait]
impl Follower for ContactKeeper {
    type Error = AppError;
    const NAME: &'static str = "the contact keeper";

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
