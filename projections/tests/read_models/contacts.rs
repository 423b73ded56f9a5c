//! The contact directory: contacts with their accounts, business, owner and consents; found by
//! their words; a merged contact left out of the lists.

use super::{at, company, folded, History};
use domain::business::BusinessEvent;
use domain::contact::{
    Account, Channel, ConsentRecord, ConsentScope, ConsentSource, ContactDetails, ContactEvent, ContactOwner,
    NameSource,
};
use domain::ids::{BusinessId, ContactId, LineId, UserId};
use eventlog::testing::Backend;
use projections::contacts::{AccountRow, BusinessRow, ContactRow, Contacts};
use std::collections::BTreeMap;
use uuid::Uuid;

eventlog::on_both_backends!(
    a_contact_shows_its_details_accounts_owner_and_consents_and_is_found_by_its_words,
    a_merged_contact_leaves_the_lists_and_points_to_the_one_it_joined,
);

fn rosa() -> ContactId {
    ContactId::from_uuid(Uuid::from_u128(1))
}
fn angel() -> ContactId {
    ContactId::from_uuid(Uuid::from_u128(2))
}
fn acme() -> BusinessId {
    BusinessId::from_uuid(Uuid::from_u128(3))
}
fn whatsapp() -> Account {
    Account::parse(Channel::Whatsapp, "+34 612 34 56 78", None).expect("a WhatsApp number")
}

fn created(contact_id: ContactId, name: &str, email: Option<&str>, business: Option<BusinessId>) -> ContactEvent {
    let fields = BTreeMap::from([("Plan".to_string(), "Gold".to_string())]);
    let details = ContactDetails::parse(name, NameSource::Agent, email, "", &fields, business).expect("valid details");
    ContactEvent::Created { contact_id, company_id: company(), details }
}

/// Rosa of Acme, with a WhatsApp account that talked to two lines; Ángel, with nothing more.
fn directory() -> History {
    let (first, second) = (LineId::from_uuid(Uuid::from_u128(10)), LineId::from_uuid(Uuid::from_u128(11)));
    let consent = ConsentRecord { scope: ConsentScope::General, given: true, source: ConsentSource::Agent, at: at(0) };
    let rosas = format!("contact-{}", rosa());
    History::new()
        .then(
            format!("business-{}", acme()),
            &BusinessEvent::Created { business_id: acme(), company_id: company(), name: "Acme".into() },
        )
        .then(&rosas, &created(rosa(), "Rosa  Díaz", Some("Rosa@Shop.example"), Some(acme())))
        .then(&rosas, &ContactEvent::AccountAdded { contact_id: rosa(), account: whatsapp(), line: Some(first) })
        .then(&rosas, &ContactEvent::AccountTalkedToLine { contact_id: rosa(), account: whatsapp(), line: second })
        .then(
            &rosas,
            &ContactEvent::OwnerSet {
                contact_id: rosa(),
                owner: Some(ContactOwner::Agent(UserId::from_uuid(Uuid::from_u128(4)))),
            },
        )
        .then(&rosas, &ContactEvent::ConsentRecorded { contact_id: rosa(), consent })
        .then(format!("contact-{}", angel()), &created(angel(), "Ángel", None, None))
}

async fn a_contact_shows_its_details_accounts_owner_and_consents_and_is_found_by_its_words(backend: Backend) {
    let contacts = folded(backend, Contacts, directory()).await;
    let store = &contacts.store;
    let company = company().to_string();
    let mut lines = vec![Uuid::from_u128(10).to_string(), Uuid::from_u128(11).to_string()];
    lines.sort();
    let row = ContactRow {
        contact_id: rosa().to_string(),
        company_id: company.clone(),
        name: "Rosa Díaz".into(),
        name_source: "agent".into(),
        email: Some("rosa@shop.example".into()),
        notes: String::new(),
        fields: BTreeMap::from([("Plan".to_string(), "Gold".to_string())]),
        business_id: Some(acme().to_string()),
        business_name: Some("Acme".into()),
        owner: Some(ContactOwner::Agent(UserId::from_uuid(Uuid::from_u128(4)))),
        merged_into: None,
        accounts: vec![AccountRow { channel: "whatsapp".into(), id: "+34612345678".into(), lines }],
    };
    assert_eq!(Contacts.contact(store, &rosa().to_string()).await.unwrap(), Some(row.clone()));
    let names = |rows: Vec<ContactRow>| rows.into_iter().map(|c| c.name).collect::<Vec<_>>();
    assert_eq!(names(Contacts.contacts_of(store, &company).await.unwrap()), ["Ángel", "Rosa Díaz"], "by name");
    for words in ["rosa", "DIAZ", "acme", "rosa@shop", "612345678", "34612345678"] {
        assert_eq!(Contacts.search(store, &company, words, 10).await.unwrap(), vec![row.clone()], "{words}");
    }
    assert_eq!(names(Contacts.search(store, &company, "angel", 10).await.unwrap()), ["Ángel"], "accents or not");
    assert_eq!(Contacts.contact_of_account(store, &company, &whatsapp()).await.unwrap(), Some(rosa().to_string()));
    let consents = Contacts.consents_of_contact(store, &rosa().to_string()).await.unwrap();
    assert_eq!(
        consents,
        vec![ConsentRecord { scope: ConsentScope::General, given: true, source: ConsentSource::Agent, at: at(0) }]
    );
    assert_eq!(
        Contacts.businesses_of(store, &company).await.unwrap(),
        vec![BusinessRow { business_id: acme().to_string(), name: "Acme".into() }]
    );
    assert_eq!(Contacts.company_of_business(store, &acme().to_string()).await.unwrap(), Some(company));
}

async fn a_merged_contact_leaves_the_lists_and_points_to_the_one_it_joined(backend: Backend) {
    let merged = directory().then(
        format!("contact-{}", angel()),
        &ContactEvent::MergedInto { contact_id: angel(), into: rosa(), merge: Uuid::from_u128(9) },
    );
    let contacts = folded(backend, Contacts, merged).await;
    let store = &contacts.store;
    let company = company().to_string();
    let listed: Vec<String> =
        Contacts.contacts_of(store, &company).await.unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(listed, ["Rosa Díaz"]);
    assert!(Contacts.search(store, &company, "angel", 10).await.unwrap().is_empty(), "nor found");
    let angel = Contacts.contact(store, &angel().to_string()).await.unwrap().expect("its history stays readable");
    assert_eq!(angel.merged_into, Some(rosa().to_string()));
}
