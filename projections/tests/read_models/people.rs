//! People: a company's users and their open sessions, as sign-in and every request read them.

use super::{at, company, folded, History};
use domain::email::Email;
use domain::ids::UserId;
use domain::user::{PasswordHash, Role, UserEvent};
use eventlog::testing::Backend;
use projections::people::{People, SessionRow, UserRow};
use uuid::Uuid;

eventlog::on_both_backends!(
    users_are_found_by_email_and_role_renamed_and_deactivated,
    a_session_is_open_until_it_ends_or_expires,
    a_changed_password_replaces_the_stored_one_and_clears_the_request_to_change_it,
);

fn registered(user_id: UserId, email: &str, name: &str, role: Role) -> UserEvent {
    UserEvent::Registered {
        user_id,
        company_id: company(),
        email: Email::parse(email).expect("an e-mail"),
        name: name.into(),
        role,
        password_hash: PasswordHash::new("$argon2id$v=19$stored".into()),
    }
}

fn row(user_id: UserId, email: &str, name: &str, role: &str, active: bool) -> UserRow {
    UserRow {
        user_id: user_id.to_string(),
        company_id: company().to_string(),
        email: email.into(),
        name: name.into(),
        role: role.into(),
        password_hash: "$argon2id$v=19$stored".into(),
        active,
        password_to_change: false,
    }
}

async fn a_changed_password_replaces_the_stored_one_and_clears_the_request_to_change_it(backend: Backend) {
    let (boss, ana) = (UserId::from_uuid(Uuid::from_u128(1)), UserId::from_uuid(Uuid::from_u128(2)));
    let new_hash = PasswordHash::new("$argon2id$v=19$new".into());
    let history = History::new()
        .then(format!("user-{boss}"), &registered(boss, "boss@shop.example", "Boss", Role::Supervisor))
        .then(format!("user-{ana}"), &registered(ana, "ana@shop.example", "Ana", Role::Agent))
        .then(format!("user-{boss}"), &UserEvent::PasswordChangeRequired)
        .then(format!("user-{ana}"), &UserEvent::PasswordChangeRequired)
        .then(format!("user-{ana}"), &UserEvent::PasswordChanged { password_hash: new_hash });
    let people = folded(backend, People, history).await;
    let boss_row = People.user(&people.store, &boss.to_string()).await.unwrap().unwrap();
    assert!(boss_row.password_to_change, "asked to change it");
    let ana_row = People.user(&people.store, &ana.to_string()).await.unwrap().unwrap();
    assert_eq!((ana_row.password_hash.as_str(), ana_row.password_to_change), ("$argon2id$v=19$new", false));
}

async fn users_are_found_by_email_and_role_renamed_and_deactivated(backend: Backend) {
    let (ana, ben, boss) = (
        UserId::from_uuid(Uuid::from_u128(1)),
        UserId::from_uuid(Uuid::from_u128(2)),
        UserId::from_uuid(Uuid::from_u128(3)),
    );
    let history = History::new()
        .then(format!("user-{ana}"), &registered(ana, "ana@shop.example", "Ana", Role::Agent))
        .then(format!("user-{ben}"), &registered(ben, "ben@shop.example", "ben", Role::Agent))
        .then(format!("user-{boss}"), &registered(boss, "boss@shop.example", "Boss", Role::Supervisor))
        .then(format!("user-{ana}"), &UserEvent::Renamed { name: "Ana María".into() })
        .then(format!("user-{ben}"), &UserEvent::Deactivated);
    let people = folded(backend, People, history).await;
    let ana_row = row(ana, "ana@shop.example", "Ana María", "agent", true);
    assert_eq!(People.user_by_email(&people.store, "ana@shop.example").await.unwrap(), Some(ana_row.clone()));
    assert_eq!(People.user(&people.store, &ana.to_string()).await.unwrap(), Some(ana_row.clone()));
    assert_eq!(
        People.users_of(&people.store, &company().to_string(), "agent").await.unwrap(),
        vec![ana_row, row(ben, "ben@shop.example", "ben", "agent", false)]
    );
    assert_eq!(People.count_users(&people.store).await.unwrap(), 3);
}

async fn a_session_is_open_until_it_ends_or_expires(backend: Backend) {
    let ana = UserId::from_uuid(Uuid::from_u128(1));
    let (open, ended) = (Uuid::from_u128(10), Uuid::from_u128(11));
    let stream = format!("user-{ana}");
    let history = History::new()
        .then(&stream, &registered(ana, "ana@shop.example", "Ana", Role::Agent))
        .then(
            &stream,
            &UserEvent::SessionStarted { session_id: open, token_hash: "hash-open".into(), expires_at: at(3600) },
        )
        .then(
            &stream,
            &UserEvent::SessionStarted { session_id: ended, token_hash: "hash-ended".into(), expires_at: at(3600) },
        )
        .then(&stream, &UserEvent::SessionEnded { session_id: ended });
    let people = folded(backend, People, history).await;
    let now = |seconds| at(seconds).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let session = People.open_session(&people.store, "hash-open", &now(60)).await.unwrap();
    assert_eq!(
        session,
        Some(SessionRow {
            session_id: open.to_string(),
            user_id: ana.to_string(),
            company_id: company().to_string(),
            role: "agent".into(),
            name: "Ana".into(),
            expires_at: now(3600),
        })
    );
    assert_eq!(People.open_session(&people.store, "hash-open", &now(3600)).await.unwrap(), None, "expired");
    assert_eq!(People.open_session(&people.store, "hash-ended", &now(60)).await.unwrap(), None, "ended");
    let company = company().to_string();
    assert_eq!(People.signed_in_agents(&people.store, &company, &now(60)).await.unwrap(), vec![ana.to_string()]);
    assert!(People.signed_in_agents(&people.store, &company, &now(3601)).await.unwrap().is_empty());
}
