//! The contact directory (K1, K10–K13): contacts with their accounts, consents, owner and
//! business, the businesses, and the words each contact is found by in the engines made for it:
//! SQLite's FTS5 and PostgreSQL's full-text search.

use crate::runner::{decode_event, Projection, ProjectionError};
use crate::store::{Dialect, ReadStore};
use async_trait::async_trait;
use domain::business::BusinessEvent;
use domain::contact::{Account, ConsentRecord, ContactDetails, ContactEvent, ContactOwner};
use domain::contact_search::{name_order_key, query_terms, Asked, SearchText};
use eventlog::RecordedEvent;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

// Versions — 2: terms carry the contact's name key, so a search sorts and cuts its matches in the
// index. 3: every prefix of every term is indexed, so each asked term is an equality in name order.
// 4: the name key has no accents, so "Ángel" is listed before "Rosa". 5: the words are indexed by
// the databases' full-text engines instead of every prefix of each by hand.
crate::projection_names!("contacts", version 5, tables {
    CONTACTS = "contacts",
    ACCOUNTS = "accounts",
    CONSENTS = "consents",
    BUSINESSES = "businesses",
    SEARCH = "search",
    WORDS = "words",
});

/// One account of a contact and the lines it talked to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRow {
    pub channel: String,
    pub id: String,
    pub lines: Vec<String>,
}

/// A contact as lists show it (K12: with its accounts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactRow {
    pub contact_id: String,
    pub company_id: String,
    pub name: String,
    /// Where the name came from: `profile`, `phone_book`, `agent` or `import` (K5).
    pub name_source: String,
    pub email: Option<String>,
    pub notes: String,
    pub fields: BTreeMap<String, String>,
    pub business_id: Option<String>,
    pub business_name: Option<String>,
    pub owner: Option<ContactOwner>,
    /// Set when this contact was merged into another (K9); its history stays readable.
    pub merged_into: Option<String>,
    pub accounts: Vec<AccountRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BusinessRow {
    pub business_id: String,
    pub name: String,
}

const CONTACT_COLUMNS: &str = "c.contact_id, c.company_id, c.name, c.name_source, c.email, c.notes, c.fields, \
                               c.business_id, b.name AS business_name, c.owner, c.merged_into";
/// A contact's row with its business's name.
fn contact_from() -> String {
    format!("{CONTACTS} c LEFT JOIN {BUSINESSES} b ON b.business_id = c.business_id AND b.deleted = 0")
}

fn decode_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn encode_json<T: Serialize>(value: &T) -> Result<String, ProjectionError> {
    serde_json::to_string(value).map_err(|e| ProjectionError::Database(sqlx::Error::Encode(Box::new(e))))
}

fn account_row(row: &sqlx::any::AnyRow) -> Result<AccountRow, sqlx::Error> {
    Ok(AccountRow {
        channel: row.try_get("channel")?,
        id: row.try_get("account_id")?,
        lines: decode_json(&row.try_get::<String, _>("lines")?)?,
    })
}

fn contact_row(row: &sqlx::any::AnyRow) -> Result<ContactRow, sqlx::Error> {
    let owner: Option<String> = row.try_get("owner")?;
    Ok(ContactRow {
        contact_id: row.try_get("contact_id")?,
        company_id: row.try_get("company_id")?,
        name: row.try_get("name")?,
        name_source: row.try_get("name_source")?,
        email: row.try_get("email")?,
        notes: row.try_get("notes")?,
        fields: decode_json(&row.try_get::<String, _>("fields")?)?,
        business_id: row.try_get("business_id")?,
        business_name: row.try_get("business_name")?,
        owner: owner.as_deref().map(decode_json).transpose()?,
        merged_into: row.try_get("merged_into")?,
        accounts: Vec::new(),
    })
}

#[derive(Default)]
pub struct Contacts;

impl Contacts {
    /// A contact with its accounts, merged or not.
    pub async fn contact(&self, store: &ReadStore, contact_id: &str) -> Result<Option<ContactRow>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {CONTACT_COLUMNS} FROM {from} WHERE c.contact_id = $1",
            from = contact_from()
        ))
        .bind(contact_id)
        .fetch_optional(store.pool())
        .await?;
        let Some(contact) = row.as_ref().map(contact_row).transpose()? else { return Ok(None) };
        Ok(self.with_accounts(store, vec![contact]).await?.pop())
    }

    /// A company's contacts (not merged away) that every term of `query` finds, by name; all of
    /// them, by name, for an empty query.
    pub async fn search(
        &self,
        store: &ReadStore,
        company: &str,
        query: &str,
        limit: u32,
    ) -> Result<Vec<ContactRow>, sqlx::Error> {
        let asked = query_terms(query);
        let limit = limit.clamp(1, 500);
        if asked.is_empty() {
            let rows = sqlx::query(&format!(
                "SELECT {CONTACT_COLUMNS} FROM {from} WHERE c.company_id = $1 AND c.merged_into IS NULL \
                 ORDER BY c.name_key, c.contact_id LIMIT {limit}",
                from = contact_from()
            ))
            .bind(company)
            .fetch_all(store.pool())
            .await?;
            let contacts = rows.iter().map(contact_row).collect::<Result<Vec<_>, _>>()?;
            return self.with_accounts(store, contacts).await;
        }
        let hits = first_found_by_all(store, company, &asked, limit as usize).await?;
        if hits.is_empty() {
            return Ok(Vec::new());
        }
        let places = (1..=hits.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
        let sql =
            format!("SELECT {CONTACT_COLUMNS} FROM {from} WHERE c.contact_id IN ({places})", from = contact_from());
        let mut statement = sqlx::query(&sql);
        for (_, contact_id) in &hits {
            statement = statement.bind(contact_id.clone());
        }
        let mut found: BTreeMap<String, ContactRow> = BTreeMap::new();
        for row in statement.fetch_all(store.pool()).await? {
            let contact = contact_row(&row)?;
            found.insert(contact.contact_id.clone(), contact);
        }
        let contacts = hits.iter().filter_map(|(_, contact_id)| found.remove(contact_id)).collect();
        self.with_accounts(store, contacts).await
    }

    /// Every contact of a company (not merged away) with its accounts, by name: what an export
    /// writes.
    pub async fn contacts_of(&self, store: &ReadStore, company: &str) -> Result<Vec<ContactRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CONTACT_COLUMNS} FROM {from} WHERE c.company_id = $1 AND c.merged_into IS NULL \
             ORDER BY c.name_key, c.contact_id",
            from = contact_from()
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        let mut contacts = rows.iter().map(contact_row).collect::<Result<Vec<_>, _>>()?;
        let mut accounts: BTreeMap<String, Vec<AccountRow>> = BTreeMap::new();
        let rows = sqlx::query(&format!(
            "SELECT contact_id, channel, account_id, lines FROM {ACCOUNTS} WHERE company_id = $1 \
             ORDER BY channel, account_id"
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        for row in rows {
            accounts.entry(row.try_get("contact_id")?).or_default().push(account_row(&row)?);
        }
        for contact in &mut contacts {
            contact.accounts = accounts.remove(&contact.contact_id).unwrap_or_default();
        }
        Ok(contacts)
    }

    /// The contact an account belongs to in a company.
    pub async fn contact_of_account(
        &self,
        store: &ReadStore,
        company: &str,
        account: &Account,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(&format!(
            "SELECT contact_id FROM {ACCOUNTS} WHERE company_id = $1 AND channel = $2 AND account_id = $3"
        ))
        .bind(company)
        .bind(account.channel.as_str())
        .bind(&account.id)
        .fetch_optional(store.pool())
        .await
    }

    /// A contact's consents, each at its level (K4).
    pub async fn consents_of_contact(
        &self,
        store: &ReadStore,
        contact_id: &str,
    ) -> Result<Vec<ConsentRecord>, sqlx::Error> {
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("SELECT record FROM {CONSENTS} WHERE contact_id = $1 ORDER BY scope_key"))
                .bind(contact_id)
                .fetch_all(store.pool())
                .await?;
        rows.iter().map(|text| decode_json(text)).collect()
    }

    pub async fn businesses_of(&self, store: &ReadStore, company: &str) -> Result<Vec<BusinessRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT business_id, name FROM {BUSINESSES} WHERE company_id = $1 AND deleted = 0 ORDER BY lower(name)"
        ))
        .bind(company)
        .fetch_all(store.pool())
        .await?;
        rows.iter()
            .map(|row| Ok(BusinessRow { business_id: row.try_get("business_id")?, name: row.try_get("name")? }))
            .collect()
    }

    /// The company a business (deleted or not) belongs to.
    pub async fn company_of_business(
        &self,
        store: &ReadStore,
        business_id: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(&format!("SELECT company_id FROM {BUSINESSES} WHERE business_id = $1 AND deleted = 0"))
            .bind(business_id)
            .fetch_optional(store.pool())
            .await
    }

    async fn with_accounts(
        &self,
        store: &ReadStore,
        mut contacts: Vec<ContactRow>,
    ) -> Result<Vec<ContactRow>, sqlx::Error> {
        if contacts.is_empty() {
            return Ok(contacts);
        }
        let places = (1..=contacts.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT contact_id, channel, account_id, lines FROM {ACCOUNTS} WHERE contact_id IN ({places}) \
             ORDER BY channel, account_id"
        );
        let mut statement = sqlx::query(&sql);
        for contact in &contacts {
            statement = statement.bind(contact.contact_id.clone());
        }
        let mut accounts: BTreeMap<String, Vec<AccountRow>> = BTreeMap::new();
        for row in statement.fetch_all(store.pool()).await? {
            accounts.entry(row.try_get("contact_id")?).or_default().push(account_row(&row)?);
        }
        for contact in &mut contacts {
            contact.accounts = accounts.remove(&contact.contact_id).unwrap_or_default();
        }
        Ok(contacts)
    }
}

/// A contact's place in name order: its name key, then its id.
type NamePlace = (String, String);

/// The first `limit` contacts of a company, in name order, that every term finds: the engine
/// finds them all, and they are sorted by name (a contact's place in name order is not the
/// engine's to keep).
async fn first_found_by_all(
    store: &ReadStore,
    company: &str,
    asked: &[Asked],
    limit: usize,
) -> Result<Vec<NamePlace>, sqlx::Error> {
    let (found, query) = match store.dialect() {
        // Materialized, so that PostgreSQL asks the GIN index rather than reading the company's
        // contacts in name order until enough match, which costs a rare term every contact.
        Dialect::Postgres => (
            format!(
                "WITH found AS MATERIALIZED (SELECT name_key, contact_id FROM {SEARCH} \
                 WHERE company_id = $1 AND lexemes @@ CAST($2 AS tsquery)) SELECT name_key, contact_id FROM found"
            ),
            ts_query(asked),
        ),
        // FTS5 drives: the unary `+` keeps SQLite from walking the company's contacts in name
        // order and asking FTS5 about each one.
        Dialect::Sqlite => (
            format!(
                "SELECT s.name_key, s.contact_id FROM {WORDS} JOIN {SEARCH} s ON s.place = {WORDS}.rowid \
                 WHERE {WORDS} MATCH $2 AND +s.company_id = $1"
            ),
            fts_query(company, asked),
        ),
    };
    sqlx::query_as(&format!("{found} ORDER BY 1, 2 LIMIT {limit}"))
        .bind(company)
        .bind(query)
        .fetch_all(store.pool())
        .await
}

/// Letters and digits alone: how an id is a token of the full-text index.
fn token_of(id: &str) -> String {
    id.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The FTS5 query for a company's contacts that every term finds. No token holds a quote, so
/// quoting each is enough.
fn fts_query(company: &str, asked: &[Asked]) -> String {
    let mut query = format!("company:\"{}\"", token_of(company));
    for term in asked {
        match term {
            Asked::Start(start) => query.push_str(&format!(" AND words:\"{start}\"*")),
            // The tokenizer drops the address's `@`, here as when it was indexed.
            Asked::Address(address) => query.push_str(&format!(" AND addresses:\"{address}\"")),
        }
    }
    query
}

/// PostgreSQL's query for what every term finds. Addresses start with `@`, which no word does, so
/// words and addresses share one list of lexemes, unweighted: GIN answers without reading them again.
fn ts_query(asked: &[Asked]) -> String {
    let quoted = |token: &str| token.replace('\\', "\\\\").replace('\'', "''");
    asked
        .iter()
        .map(|term| match term {
            Asked::Start(start) => format!("'{}':*", quoted(start)),
            Asked::Address(address) => format!("'{}'", quoted(address)),
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

fn name_key(name: &str) -> String {
    name_order_key(name)
}

/// How the contact's name was learnt, as its column keeps it.
fn name_source(details: &ContactDetails) -> Result<String, sqlx::Error> {
    let source = serde_json::to_value(details.name_source).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    Ok(source.as_str().unwrap_or("profile").to_string())
}

async fn write_details(
    connection: &mut AnyConnection,
    contact_id: &str,
    details: &ContactDetails,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "UPDATE {CONTACTS} SET name = $1, name_key = $2, name_source = $3, email = $4, notes = $5, fields = $6, \
         business_id = $7 WHERE contact_id = $8"
    ))
    .bind(details.name.clone())
    .bind(name_key(&details.name))
    .bind(name_source(details)?)
    .bind(details.email.clone())
    .bind(details.notes.clone())
    .bind(encode_json(&details.fields)?)
    .bind(details.business.map(|b| b.to_string()))
    .bind(contact_id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

async fn put_account(
    connection: &mut AnyConnection,
    contact_id: &str,
    account: &Account,
    lines: &BTreeSet<String>,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "INSERT INTO {ACCOUNTS} (company_id, channel, account_id, contact_id, lines) \
         SELECT company_id, $1, $2, contact_id, $3 FROM {CONTACTS} WHERE contact_id = $4 \
         ON CONFLICT (company_id, channel, account_id) DO UPDATE SET contact_id = excluded.contact_id, lines = excluded.lines"
    ))
    .bind(account.channel.as_str())
    .bind(account.id.clone())
    .bind(encode_json(lines)?)
    .bind(contact_id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

async fn drop_account(
    connection: &mut AnyConnection,
    contact_id: &str,
    account: &Account,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!("DELETE FROM {ACCOUNTS} WHERE contact_id = $1 AND channel = $2 AND account_id = $3"))
        .bind(contact_id)
        .bind(account.channel.as_str())
        .bind(account.id.clone())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

async fn put_consent(
    connection: &mut AnyConnection,
    contact_id: &str,
    consent: &ConsentRecord,
) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "INSERT INTO {CONSENTS} (contact_id, scope_key, record) VALUES ($1, $2, $3) \
         ON CONFLICT (contact_id, scope_key) DO UPDATE SET record = excluded.record"
    ))
    .bind(contact_id)
    .bind(encode_json(&consent.scope)?)
    .bind(encode_json(consent)?)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Contacts reindexed by one statement, well within both backends' limits on parameters.
const CONTACTS_PER_STATEMENT: usize = 500;

/// What the full-text index holds of one contact.
#[derive(PartialEq, Eq)]
struct Entry {
    place: i64,
    company: String,
    name_key: String,
    words: String,
    addresses: String,
}

/// `$from, $from+1, …`: `count` parameters for a list.
fn parameters(from: usize, count: usize) -> String {
    (from..from + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// What the index should hold of each of `contacts` that is not merged away.
async fn wanted_entries(
    connection: &mut AnyConnection,
    contacts: &[&String],
) -> Result<BTreeMap<String, Entry>, ProjectionError> {
    let list = parameters(1, contacts.len());
    let sql = format!(
        "SELECT c.contact_id, c.place, c.company_id, c.name, c.name_key, c.email, b.name AS business_name \
         FROM {from} WHERE c.contact_id IN ({list}) AND c.merged_into IS NULL",
        from = contact_from()
    );
    let mut statement = sqlx::query(&sql);
    for contact in contacts {
        statement = statement.bind((*contact).clone());
    }
    let rows = statement.fetch_all(&mut *connection).await?;
    let sql = format!("SELECT contact_id, channel, account_id FROM {ACCOUNTS} WHERE contact_id IN ({list})");
    let mut statement = sqlx::query(&sql);
    for contact in contacts {
        statement = statement.bind((*contact).clone());
    }
    let mut accounts: BTreeMap<String, Vec<Account>> = BTreeMap::new();
    for row in statement.fetch_all(&mut *connection).await? {
        let channel = domain::contact::Channel::parse(&row.try_get::<String, _>("channel")?);
        if let Ok(channel) = channel {
            let account = Account { channel, id: row.try_get("account_id")? };
            accounts.entry(row.try_get("contact_id")?).or_default().push(account);
        }
    }
    let mut wanted = BTreeMap::new();
    for contact in rows {
        let contact_id: String = contact.try_get("contact_id")?;
        let name: String = contact.try_get("name")?;
        let email: Option<String> = contact.try_get("email")?;
        let business: Option<String> = contact.try_get("business_name")?;
        let held = accounts.get(&contact_id).map(Vec::as_slice).unwrap_or_default();
        let text = SearchText::of(&name, email.as_deref(), business.as_deref(), held);
        let entry = Entry {
            place: contact.try_get("place")?,
            company: contact.try_get("company_id")?,
            name_key: contact.try_get("name_key")?,
            words: text.words_text(),
            addresses: text.addresses_text(),
        };
        wanted.insert(contact_id, entry);
    }
    Ok(wanted)
}

/// What the index holds of each of `contacts`.
async fn held_entries(
    connection: &mut AnyConnection,
    contacts: &[&String],
) -> Result<BTreeMap<String, Entry>, ProjectionError> {
    let sql = format!(
        "SELECT contact_id, place, company_id, name_key, words, addresses FROM {SEARCH} WHERE contact_id IN ({})",
        parameters(1, contacts.len())
    );
    let mut statement = sqlx::query_as::<_, (String, i64, String, String, String, String)>(&sql);
    for contact in contacts {
        statement = statement.bind((*contact).clone());
    }
    Ok(statement
        .fetch_all(&mut *connection)
        .await?
        .into_iter()
        .map(|(contact, place, company, name_key, words, addresses)| {
            (contact, Entry { place, company, name_key, words, addresses })
        })
        .collect())
}

/// Brings what the index holds of `contacts` up to date, a few statements for many contacts,
/// writing only what changed. On SQLite the words are also FTS5's, under each contact's place.
async fn reindex(connection: &mut AnyConnection, contacts: &BTreeSet<String>) -> Result<(), ProjectionError> {
    let fts5 = connection.backend_name() != "PostgreSQL";
    let contacts: Vec<&String> = contacts.iter().collect();
    for chunk in contacts.chunks(CONTACTS_PER_STATEMENT) {
        let mut wanted = wanted_entries(connection, chunk).await?;
        let held = held_entries(connection, chunk).await?;
        let (mut unlisted, mut unindexed) = (Vec::new(), Vec::new());
        for (contact, held) in &held {
            match wanted.get(contact) {
                Some(entry) if entry == held => {
                    wanted.remove(contact);
                }
                Some(entry) if (&entry.words, &entry.addresses) == (&held.words, &held.addresses) => {
                    unlisted.push(held.place)
                }
                _ => {
                    unlisted.push(held.place);
                    unindexed.push(held.place);
                }
            }
        }
        let mut deletions = vec![(SEARCH, "place", unlisted)];
        if fts5 {
            deletions.push((WORDS, "rowid", unindexed.clone()));
        }
        for (table, key, places) in deletions.into_iter().filter(|(_, _, places)| !places.is_empty()) {
            let sql = format!("DELETE FROM {table} WHERE {key} IN ({})", parameters(1, places.len()));
            let mut statement = sqlx::query(&sql);
            for place in places {
                statement = statement.bind(place);
            }
            statement.execute(&mut *connection).await?;
        }
        if wanted.is_empty() {
            continue;
        }
        let rows = (0..wanted.len()).map(|n| format!("({})", parameters(n * 6 + 1, 6))).collect::<Vec<_>>();
        let sql = format!(
            "INSERT INTO {SEARCH} (place, contact_id, company_id, name_key, words, addresses) VALUES {}",
            rows.join(", ")
        );
        let mut statement = sqlx::query(&sql);
        for (contact, entry) in &wanted {
            statement = statement
                .bind(entry.place)
                .bind(contact.clone())
                .bind(entry.company.clone())
                .bind(entry.name_key.clone())
                .bind(entry.words.clone())
                .bind(entry.addresses.clone());
        }
        statement.execute(&mut *connection).await?;
        if !fts5 {
            continue;
        }
        // Renamed only: FTS5 holds its words already.
        let to_index: Vec<&Entry> = wanted
            .iter()
            .filter(|(contact, _)| held.get(*contact).is_none_or(|h| unindexed.contains(&h.place)))
            .map(|(_, entry)| entry)
            .collect();
        if to_index.is_empty() {
            continue;
        }
        let rows = (0..to_index.len()).map(|n| format!("({})", parameters(n * 4 + 1, 4))).collect::<Vec<_>>();
        let sql = format!("INSERT INTO {WORDS} (rowid, company, words, addresses) VALUES {}", rows.join(", "));
        let mut statement = sqlx::query(&sql);
        for entry in to_index {
            statement = statement
                .bind(entry.place)
                .bind(token_of(&entry.company))
                .bind(entry.words.clone())
                .bind(entry.addresses.clone());
        }
        statement.execute(&mut *connection).await?;
    }
    Ok(())
}

async fn lines_of(
    connection: &mut AnyConnection,
    company_of: &str,
    account: &Account,
) -> Result<BTreeSet<String>, ProjectionError> {
    let text: Option<String> = sqlx::query_scalar(&format!(
        "SELECT a.lines FROM {ACCOUNTS} a JOIN {CONTACTS} c ON c.company_id = a.company_id \
         WHERE c.contact_id = $1 AND a.channel = $2 AND a.account_id = $3"
    ))
    .bind(company_of)
    .bind(account.channel.as_str())
    .bind(account.id.clone())
    .fetch_optional(&mut *connection)
    .await?;
    Ok(text.as_deref().map(decode_json).transpose()?.unwrap_or_default())
}

#[async_trait]
impl Projection for Contacts {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        VERSION
    }

    async fn create_tables(&self, connection: &mut AnyConnection) -> Result<(), ProjectionError> {
        let postgres = connection.backend_name() == "PostgreSQL";
        // Searches list contacts byte by byte in name order: PostgreSQL's "C" collation, SQLite's default.
        let bytewise = if postgres { " COLLATE \"C\"" } else { "" };
        let index = if postgres {
            [
                format!(
                    "CREATE TABLE IF NOT EXISTS {SEARCH} (place BIGINT PRIMARY KEY, contact_id TEXT NOT NULL UNIQUE, \
                     company_id TEXT NOT NULL, name_key TEXT{bytewise} NOT NULL, words TEXT NOT NULL, \
                     addresses TEXT NOT NULL, lexemes tsvector GENERATED ALWAYS AS \
                     (array_to_tsvector(string_to_array(trim(words || ' ' || addresses), ' '))) STORED)"
                ),
                format!("CREATE INDEX IF NOT EXISTS {SEARCH}_lexemes ON {SEARCH} USING GIN (lexemes)"),
            ]
        } else {
            [
                format!(
                    "CREATE TABLE IF NOT EXISTS {SEARCH} (place INTEGER PRIMARY KEY, contact_id TEXT NOT NULL UNIQUE, \
                     company_id TEXT NOT NULL, name_key TEXT NOT NULL, words TEXT NOT NULL, addresses TEXT NOT NULL)"
                ),
                // Contentless: the words are in the table above. Prefixes of up to three letters
                // have their own lists, so the commonest starts are read without merging.
                format!(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS {WORDS} USING fts5(company, words, addresses, content='', \
                     contentless_delete=1, tokenize='ascii', prefix='1 2 3', detail='column')"
                ),
            ]
        };
        for statement in [
            format!(
                "CREATE TABLE IF NOT EXISTS {CONTACTS} (contact_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
                 place BIGINT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, name_source TEXT NOT NULL, \
                 email TEXT, notes TEXT NOT NULL, fields TEXT NOT NULL, business_id TEXT, owner TEXT, merged_into TEXT)"
            ),
            format!("CREATE INDEX IF NOT EXISTS {CONTACTS}_name ON {CONTACTS} (company_id, name_key, contact_id)"),
            format!("CREATE INDEX IF NOT EXISTS {CONTACTS}_business ON {CONTACTS} (business_id)"),
            format!(
                "CREATE TABLE IF NOT EXISTS {ACCOUNTS} (company_id TEXT NOT NULL, channel TEXT NOT NULL, \
                 account_id TEXT NOT NULL, contact_id TEXT NOT NULL, lines TEXT NOT NULL, \
                 PRIMARY KEY (company_id, channel, account_id))"
            ),
            format!("CREATE INDEX IF NOT EXISTS {ACCOUNTS}_contact ON {ACCOUNTS} (contact_id)"),
            format!(
                "CREATE TABLE IF NOT EXISTS {CONSENTS} (contact_id TEXT NOT NULL, scope_key TEXT NOT NULL, \
                 record TEXT NOT NULL, PRIMARY KEY (contact_id, scope_key))"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {BUSINESSES} (business_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
                 name TEXT NOT NULL, deleted BIGINT NOT NULL)"
            ),
        ]
        .into_iter()
        .chain(index)
        .chain([format!("CREATE INDEX IF NOT EXISTS {SEARCH}_name ON {SEARCH} (company_id, name_key, contact_id)")])
        {
            sqlx::query(&statement).execute(&mut *connection).await?;
        }
        Ok(())
    }

    fn reads(&self, event: &RecordedEvent) -> bool {
        let name = event.event_type.as_str();
        BusinessEvent::NAMES.contains(&name) || ContactEvent::NAMES.contains(&name)
    }

    async fn apply(&self, connection: &mut AnyConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
        self.apply_all(connection, &[event]).await
    }

    /// A contact's search terms are written once per batch, however many of its events it holds
    /// (a new customer's contact comes with two or three).
    async fn apply_all(
        &self,
        connection: &mut AnyConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ProjectionError> {
        let mut to_reindex = BTreeSet::new();
        for event in events {
            if BusinessEvent::NAMES.contains(&event.event_type.as_str()) {
                apply_business(connection, decode_event::<BusinessEvent>(event)?).await?;
            } else if let Some(contact) = change_contact(connection, event).await? {
                to_reindex.insert(contact);
            }
        }
        reindex(connection, &to_reindex).await?;
        Ok(())
    }
}

/// Applies a contact's event to its rows; answers the contact when its search terms may have
/// changed.
async fn change_contact(
    connection: &mut AnyConnection,
    event: &RecordedEvent,
) -> Result<Option<String>, ProjectionError> {
    let decoded = decode_event::<ContactEvent>(event)?;
    let contact = event.stream.trim_start_matches("contact-").to_string();
    match decoded {
        ContactEvent::Created { contact_id, company_id, details } => {
            let source = name_source(&details)?;
            sqlx::query(&format!(
                "INSERT INTO {CONTACTS} (contact_id, company_id, place, name, name_key, name_source, email, notes, \
                 fields, business_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (contact_id) DO UPDATE \
                 SET name = excluded.name, name_key = excluded.name_key, name_source = excluded.name_source, \
                 email = excluded.email, notes = excluded.notes, fields = excluded.fields, business_id = excluded.business_id"
            ))
            .bind(contact_id.to_string())
            .bind(company_id.to_string())
            // The contact's place in the index: the position of its first event, unique and the
            // same however often the read model is rebuilt.
            .bind(event.position.sequence)
            .bind(details.name.clone())
            .bind(name_key(&details.name))
            .bind(source)
            .bind(details.email.clone())
            .bind(details.notes.clone())
            .bind(encode_json(&details.fields)?)
            .bind(details.business.map(|b| b.to_string()))
            .execute(&mut *connection)
            .await?;
        }
        ContactEvent::DetailsChanged { details, .. } => write_details(connection, &contact, &details).await?,
        ContactEvent::AccountAdded { account, line, .. } => {
            let lines = line.iter().map(|l| l.to_string()).collect();
            put_account(connection, &contact, &account, &lines).await?;
        }
        ContactEvent::AccountTalkedToLine { account, line, .. } => {
            let mut lines = lines_of(connection, &contact, &account).await?;
            lines.insert(line.to_string());
            put_account(connection, &contact, &account, &lines).await?;
            return Ok(None);
        }
        ContactEvent::AccountRemoved { account, .. } => drop_account(connection, &contact, &account).await?,
        ContactEvent::OwnerSet { owner, .. } => {
            sqlx::query(&format!("UPDATE {CONTACTS} SET owner = $1 WHERE contact_id = $2"))
                .bind(owner.map(|o| encode_json(&o)).transpose()?)
                .bind(&contact)
                .execute(&mut *connection)
                .await?;
            return Ok(None);
        }
        ContactEvent::ConsentRecorded { consent, .. } => {
            put_consent(connection, &contact, &consent).await?;
            return Ok(None);
        }
        ContactEvent::MergedInto { into, .. } => {
            sqlx::query(&format!("UPDATE {CONTACTS} SET merged_into = $1 WHERE contact_id = $2"))
                .bind(into.to_string())
                .bind(&contact)
                .execute(&mut *connection)
                .await?;
        }
        ContactEvent::Absorbed { accounts, consents, .. } => {
            for record in accounts {
                let lines = record.lines.iter().map(|l| l.to_string()).collect();
                put_account(connection, &contact, &record.account, &lines).await?;
            }
            for consent in consents {
                put_consent(connection, &contact, &consent).await?;
            }
        }
        ContactEvent::SplitOff { accounts, consents_removed, consents_restored, .. } => {
            // The other contact's `Restored`, decided with this, takes the accounts back.
            for account in accounts {
                drop_account(connection, &contact, &account).await?;
            }
            for scope in consents_removed {
                sqlx::query(&format!("DELETE FROM {CONSENTS} WHERE contact_id = $1 AND scope_key = $2"))
                    .bind(&contact)
                    .bind(encode_json(&scope)?)
                    .execute(&mut *connection)
                    .await?;
            }
            for consent in consents_restored {
                put_consent(connection, &contact, &consent).await?;
            }
        }
        ContactEvent::Restored { accounts, .. } => {
            sqlx::query(&format!("UPDATE {CONTACTS} SET merged_into = NULL WHERE contact_id = $1"))
                .bind(&contact)
                .execute(&mut *connection)
                .await?;
            for record in accounts {
                let lines = record.lines.iter().map(|l| l.to_string()).collect();
                put_account(connection, &contact, &record.account, &lines).await?;
            }
        }
    }
    Ok(Some(contact))
}

async fn apply_business(connection: &mut AnyConnection, event: BusinessEvent) -> Result<(), ProjectionError> {
    let business = match event {
        BusinessEvent::Created { business_id, company_id, name } => {
            sqlx::query(&format!(
                "INSERT INTO {BUSINESSES} (business_id, company_id, name, deleted) VALUES ($1, $2, $3, 0) \
                 ON CONFLICT (business_id) DO NOTHING"
            ))
            .bind(business_id.to_string())
            .bind(company_id.to_string())
            .bind(name)
            .execute(&mut *connection)
            .await?;
            return Ok(());
        }
        BusinessEvent::Renamed { business_id, name } => {
            sqlx::query(&format!("UPDATE {BUSINESSES} SET name = $1 WHERE business_id = $2"))
                .bind(name)
                .bind(business_id.to_string())
                .execute(&mut *connection)
                .await?;
            business_id
        }
        BusinessEvent::Deleted { business_id } => {
            sqlx::query(&format!("UPDATE {BUSINESSES} SET deleted = 1 WHERE business_id = $1"))
                .bind(business_id.to_string())
                .execute(&mut *connection)
                .await?;
            business_id
        }
    };
    let members: BTreeSet<String> =
        sqlx::query_scalar(&format!("SELECT contact_id FROM {CONTACTS} WHERE business_id = $1"))
            .bind(business.to_string())
            .fetch_all(&mut *connection)
            .await?
            .into_iter()
            .collect();
    reindex(connection, &members).await
}
