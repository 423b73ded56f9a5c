//! What the contact pages get: the directory's rows and cards as the app shows them, and the
//! pages' forms turned into the directory's commands.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::contacts::directory::{
    add_account, add_contact, change_business, contact_card, create_business, edit_contact, list_businesses,
    merge_contacts, record_consent, search_contacts, split_contacts, ConsentForm, ContactForm, ContactQuery,
    NewAccount, NewContact,
};
use app::contract::{
    AccountView, BusinessView, ConsentView, ContactCardView, ContactChatView, ContactEditForm, ContactListView,
    MergeView, NewContactForm,
};

use crate::state::AppState;

use domain::business::BusinessCommand;
use domain::contact::{Account, Channel, ConsentScope, ContactOwner};
use domain::ids::{BusinessId, ContactId};
use domain::user::Role;
use projections::contacts::{ContactRow, Contacts};
use projections::lines::Lines;
use projections::people::People;
use projections::queue_list::QueueList;

fn account_views(row: &ContactRow, consented: impl Fn(&str, &str) -> Option<bool>) -> Vec<AccountView> {
    row.accounts
        .iter()
        .map(|a| AccountView {
            channel: a.channel.clone(),
            id: a.id.clone(),
            lines: a.lines.len(),
            consented: consented(&a.channel, &a.id),
        })
        .collect()
}

pub async fn contacts(state: &AppState, caller: &Caller, query: String) -> Result<Vec<ContactListView>, AppError> {
    let rows = search_contacts(state, caller, &ContactQuery { q: query, limit: Some(100) }).await?;
    Ok(rows
        .into_iter()
        .map(|row| ContactListView {
            accounts: account_views(&row, |_, _| None),
            id: row.contact_id,
            name: row.name,
            email: row.email,
            business: row.business_name,
        })
        .collect())
}

pub async fn create(state: &AppState, caller: &Caller, form: NewContactForm) -> Result<String, AppError> {
    let phone = form.phone.trim();
    let accounts =
        if phone.is_empty() { vec![] } else { vec![NewAccount { channel: Channel::Whatsapp, id: phone.to_string() }] };
    let new = NewContact {
        details: ContactForm {
            name: form.name,
            email: Some(form.email),
            notes: String::new(),
            fields: Default::default(),
            business_id: None,
        },
        accounts,
        country: Some(form.country),
    };
    Ok(add_contact(state, caller, new).await?.id.to_string())
}

fn contact_id(raw: &str) -> Result<ContactId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound("no such contact".into()))
}

fn consent_view(record: &domain::contact::ConsentRecord) -> ConsentView {
    let (level, about) = match &record.scope {
        ConsentScope::General => ("general", String::new()),
        ConsentScope::Channel { channel } => ("channel", channel.as_str().to_string()),
        ConsentScope::Account { account } => ("account", account.key()),
    };
    let source = serde_json::to_value(record.source).ok().and_then(|v| v.as_str().map(str::to_string));
    ConsentView {
        level: level.into(),
        about,
        given: record.given,
        source: source.unwrap_or_default(),
        at: record.at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

pub async fn card(state: &AppState, caller: &Caller, id: String) -> Result<ContactCardView, AppError> {
    let card = contact_card(state, caller, contact_id(&id)?).await?;
    let lines = Lines.lines_of(&state.store, &caller.company_id.to_string()).await?;
    let line_name =
        |id: &str| lines.iter().find(|l| l.line_id == id).map_or_else(|| id.to_string(), |l| l.name.clone());
    let consented = |channel: &str, id: &str| {
        card.reachable.iter().find(|r| r.channel.as_str() == channel && r.id == id).and_then(|r| r.consented)
    };
    let (owner, owner_name, owner_choices) = owner_view(state, caller, card.contact.owner.as_ref()).await?;
    Ok(ContactCardView {
        owner,
        owner_name,
        owner_choices,
        accounts: account_views(&card.contact, consented),
        consents: card.consents.iter().map(consent_view).collect(),
        chats: card
            .chats
            .iter()
            .map(|chat| ContactChatView {
                id: chat.chat_id.clone(),
                line: line_name(&chat.line_id),
                state: chat.state.clone(),
                last_text: chat.last_text.clone(),
            })
            .collect(),
        businesses: businesses(state, caller).await?,
        id: card.contact.contact_id,
        name: card.contact.name,
        name_source: card.contact.name_source,
        email: card.contact.email,
        notes: card.contact.notes,
        business_id: card.contact.business_id,
        merged_into: card.contact.merged_into,
        merges: card
            .merges
            .into_iter()
            .map(|m| MergeView { merge: m.merge.to_string(), contact_id: m.contact_id.to_string(), name: m.name })
            .collect(),
    })
}

/// The contact's owner as the card's form names it, whose name it is, and (for supervisors) every
/// agent and queue they may choose instead.
async fn owner_view(
    state: &AppState,
    caller: &Caller,
    owner: Option<&ContactOwner>,
) -> Result<(String, Option<String>, Vec<(String, String)>), AppError> {
    let company = caller.company_id.to_string();
    let agents = People.users_of(&state.store, &company, Role::Agent.as_str()).await?;
    let queues = QueueList::new().queues_of(&state.store, caller.company_id).await?;
    let (value, name) = match owner {
        Some(ContactOwner::Agent(agent)) => {
            let id = agent.to_string();
            let name = agents.iter().find(|a| a.user_id == id).map(|a| a.name.clone());
            (format!("agent:{id}"), name)
        }
        Some(ContactOwner::Group(queue)) => {
            let id = queue.to_string();
            (format!("group:{id}"), queues.iter().find(|q| q.queue_id == id).map(|q| q.name.clone()))
        }
        None => (String::new(), None),
    };
    let choices = if caller.role == Role::Supervisor {
        let agents = agents.into_iter().filter(|a| a.active).map(|a| (format!("agent:{}", a.user_id), a.name));
        agents.chain(queues.into_iter().map(|q| (format!("group:{}", q.queue_id), q.name))).collect()
    } else {
        Vec::new()
    };
    Ok((value, name, choices))
}

/// Names (or clears, when empty) who looks after the contact, as the card's form writes it.
pub async fn set_contact_owner(state: &AppState, caller: &Caller, id: String, owner: String) -> Result<(), AppError> {
    let invalid = || AppError::Invalid("choose an agent or a group".into());
    let owner = match owner.split_once(':') {
        None if owner.is_empty() => None,
        Some(("agent", agent)) => Some(ContactOwner::Agent(agent.parse().map_err(|_| invalid())?)),
        Some(("group", queue)) => Some(ContactOwner::Group(queue.parse().map_err(|_| invalid())?)),
        _ => return Err(invalid()),
    };
    crate::services::contacts::directory::set_owner(state, caller, contact_id(&id)?, owner).await
}

pub async fn edit(state: &AppState, caller: &Caller, id: String, form: ContactEditForm) -> Result<(), AppError> {
    let business_id = match form.business_id.trim() {
        "" => None,
        raw => Some(raw.parse::<BusinessId>().map_err(|_| AppError::Invalid("business_id: no such business".into()))?),
    };
    // The page edits what it shows; fields set through the API stay as they are.
    let current = Contacts
        .contact(&state.store, &id)
        .await?
        .filter(|row| row.company_id == caller.company_id.to_string())
        .ok_or_else(|| AppError::NotFound("no such contact".into()))?;
    let details = ContactForm {
        name: form.name,
        email: Some(form.email),
        notes: form.notes,
        fields: current.fields,
        business_id,
    };
    edit_contact(state, caller, contact_id(&id)?, details).await
}

pub async fn add_account_to(
    state: &AppState,
    caller: &Caller,
    id: String,
    channel: String,
    account: String,
) -> Result<(), AppError> {
    let channel = Channel::parse(&channel)?;
    add_account(state, caller, contact_id(&id)?, NewAccount { channel, id: account }, None).await
}

pub async fn consent(
    state: &AppState,
    caller: &Caller,
    id: String,
    about: String,
    given: bool,
) -> Result<(), AppError> {
    let scope = match about.split_once(':') {
        _ if about.trim().is_empty() => ConsentScope::General,
        None => ConsentScope::Channel { channel: Channel::parse(&about)? },
        Some((channel, account)) => {
            ConsentScope::Account { account: Account::parse(Channel::parse(channel)?, account, None)? }
        }
    };
    record_consent(state, caller, contact_id(&id)?, ConsentForm { scope, given }).await
}

pub async fn merge(state: &AppState, caller: &Caller, into: String, from: String) -> Result<(), AppError> {
    merge_contacts(state, caller, contact_id(&into)?, contact_id(&from)?).await.map(|_| ())
}

pub async fn split(state: &AppState, caller: &Caller, contact: String, merge: String) -> Result<(), AppError> {
    let merge = merge.parse().map_err(|_| AppError::NotFound("no such merge of this contact".into()))?;
    split_contacts(state, caller, contact_id(&contact)?, merge).await.map(|_| ())
}

pub async fn businesses(state: &AppState, caller: &Caller) -> Result<Vec<BusinessView>, AppError> {
    Ok(list_businesses(state, caller)
        .await?
        .into_iter()
        .map(|b| BusinessView { id: b.business_id, name: b.name })
        .collect())
}

pub async fn new_business(state: &AppState, caller: &Caller, name: String) -> Result<(), AppError> {
    create_business(state, caller, crate::services::contacts::directory::BusinessForm { name }).await.map(|_| ())
}

fn business_id(raw: &str) -> Result<BusinessId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound("no such business".into()))
}

pub async fn rename_business(state: &AppState, caller: &Caller, id: String, name: String) -> Result<(), AppError> {
    change_business(state, caller, business_id(&id)?, BusinessCommand::Rename { name }).await
}

pub async fn delete_business(state: &AppState, caller: &Caller, id: String) -> Result<(), AppError> {
    change_business(state, caller, business_id(&id)?, BusinessCommand::Delete).await
}
