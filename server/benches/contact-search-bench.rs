//! Contact search benchmark (issue 5, K11): 100,000 contacts of one company, each with a name, an
//! e-mail and a WhatsApp number; then searches of every kind people type — a first name, the start
//! of a surname, two words, a phone number written with spaces, the start of a number without its
//! country code, the start of an e-mail — timed through the directory's query (the one
//! `GET /api/v1/contacts?q=` runs).
//!
//! Baseline, same run, same database: the plainest SQL finding the same contacts — a scan
//! comparing the query with the name, e-mail and account columns (`LIKE '%…%'`).
//!
//! `make bench` (TEST_DATABASE_URL names the PostgreSQL database). Not a test: it asserts nothing.

use domain::contact::{Account, Channel, ContactDetails, ContactEvent, NameSource};
use domain::ids::ContactId;
use eventlog::testing::{fresh_database, TestDatabase};
use eventlog::{ExpectedRevision, StreamBatch};
use projections::contacts::Contacts;
use projections::ReadStore;
use std::collections::BTreeMap;
use std::time::Instant;
use uuid::Uuid;

// Shared with the other benchmarks, which use the parts this one does not (their API key).
#[allow(dead_code)]
mod bench_support;
use bench_support::{backends, company, new_event, percentile, settle, start_server};

const CONTACTS: usize = 100_000;
const PER_TRANSACTION: usize = 2_000;
const SEARCHES: usize = 300;
const FIRST: [&str; 12] =
    ["Ana", "María", "José", "Lucía", "Pedro", "Sofía", "Juan", "Elena", "Luis", "Carmen", "Diego", "Paula"];
const LAST: [&str; 12] = [
    "García",
    "López",
    "Martínez",
    "González",
    "Rodríguez",
    "Fernández",
    "Pérez",
    "Sánchez",
    "Romero",
    "Díaz",
    "Ruiz",
    "Torres",
];

fn person(n: usize) -> (String, String, String) {
    let (first, last) = (FIRST[n % FIRST.len()], LAST[(n / FIRST.len()) % LAST.len()]);
    let name = format!("{first} {last} {n}");
    let email = format!("{}.{}{n}@example.com", first.to_lowercase(), last.to_lowercase());
    let phone = format!("+34{}", 600_000_000 + n * 7);
    (name, email, phone)
}

async fn set_up(log: &dyn eventlog::EventLog) {
    for start in (0..CONTACTS).step_by(PER_TRANSACTION) {
        let batches = (start..(start + PER_TRANSACTION).min(CONTACTS))
            .map(|n| {
                let (name, email, phone) = person(n);
                let contact_id = ContactId::from_uuid(Uuid::now_v7());
                let details =
                    ContactDetails::parse(&name, NameSource::Import, Some(&email), "", &BTreeMap::new(), None)
                        .expect("details");
                let account = Account::parse(Channel::Whatsapp, &phone, None).expect("a number");
                StreamBatch {
                    stream: domain::contact::contact_stream(contact_id),
                    expected: ExpectedRevision::NoStream,
                    events: vec![
                        new_event(&ContactEvent::Created { contact_id, company_id: company(), details }),
                        new_event(&ContactEvent::AccountAdded { contact_id, account, line: None }),
                    ],
                }
            })
            .collect();
        let mut transaction = log.begin().await.expect("a transaction");
        transaction.append_many(batches).await.expect("the contacts append");
        transaction.commit().await.expect("the contacts commit");
    }
}

/// What people type, the n-th time.
fn query(n: usize) -> String {
    let someone = (n * 7919) % CONTACTS;
    let (name, email, phone) = person(someone);
    let words: Vec<&str> = name.split(' ').collect();
    match n % 6 {
        0 => words[0].to_lowercase(),
        1 => words[1].chars().take(4).collect(),
        2 => format!("{} {}", words[0], words[1]),
        3 => format!("{} {} {} {}", &phone[..3], &phone[3..6], &phone[6..9], &phone[9..]),
        4 => phone[3..9].to_string(),
        _ => email.chars().take(10).collect(),
    }
}

/// The plainest SQL over the same read model: a scan comparing the text with each column.
async fn scan(store: &ReadStore, text: &str) -> usize {
    let pattern = format!("%{}%", text.to_lowercase());
    let table =
        |name| projections::tables::table_name(projections::contacts::NAME, name, projections::contacts::VERSION);
    let (contacts, accounts) = (table("contacts"), table("accounts"));
    let rows: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT c.contact_id FROM {contacts} c WHERE c.company_id = $1 AND (lower(c.name) LIKE $2 \
         OR c.email LIKE $2 OR c.contact_id IN (SELECT a.contact_id FROM {accounts} a WHERE a.account_id LIKE $2)) \
         ORDER BY c.name_key LIMIT 50"
    ))
    .bind(company().to_string())
    .bind(pattern)
    .fetch_all(store.pool())
    .await
    .expect("a scan");
    rows.len()
}

/// What each kind of search is, in the order `query` makes them.
const KINDS: [&str; 6] =
    ["first name", "surname start", "two words", "phone written out", "number start", "e-mail start"];

struct Figures {
    /// The slowest kind of search, by its p99.
    slowest: (&'static str, f64),
    /// The five slowest searches and what they asked.
    slowest_searches: Vec<(f64, String)>,
    load_seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    scan_p50_ms: f64,
    found: usize,
    /// The search index: its words per contact and its size on disk (tables and indexes).
    words_per_contact: f64,
    index_mb: f64,
}

/// Searches are timed in a database at rest, as a directory is used, not while it digests a bulk
/// load of 100,000 contacts: PostgreSQL's autovacuum would otherwise be vacuuming and analysing
/// the new rows under the searches, and SQLite's log would hold every page written.
async fn digest_the_load(store: &ReadStore, backend: eventlog::testing::Backend) {
    let statements: &[&str] = match backend {
        eventlog::testing::Backend::Sqlite => &["PRAGMA wal_checkpoint(TRUNCATE)"],
        eventlog::testing::Backend::Postgres => &["VACUUM (ANALYZE)"],
    };
    for statement in statements {
        sqlx::query(statement).execute(store.pool()).await.expect("the database digests the load");
    }
}

/// How many words the directory's search index holds per contact, and its size in MB: the table
/// of words with its indexes, and SQLite's FTS5 index (its own tables) or PostgreSQL's GIN index.
async fn index_size(store: &ReadStore, backend: eventlog::testing::Backend) -> (f64, f64) {
    let table =
        |name| projections::tables::table_name(projections::contacts::NAME, name, projections::contacts::VERSION);
    let (search, words) = (table("search"), table("words"));
    let count: i64 = sqlx::query_scalar(&format!(
        "SELECT CAST(sum(length(words) - length(replace(words, ' ', '')) + 1) AS BIGINT) FROM {search}"
    ))
    .fetch_one(store.pool())
    .await
    .expect("a count");
    let size = match backend {
        eventlog::testing::Backend::Sqlite => format!(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE '{search}%' OR name LIKE '{words}%' \
             OR name LIKE 'sqlite_autoindex_{search}%'"
        ),
        eventlog::testing::Backend::Postgres => format!("SELECT pg_total_relation_size('{search}')"),
    };
    let bytes: i64 = sqlx::query_scalar(&size).fetch_one(store.pool()).await.expect("a size");
    (count as f64 / CONTACTS as f64, bytes as f64 / 1_048_576.0)
}

async fn timed<F: std::future::Future<Output = usize>>(search: F) -> (f64, usize) {
    let started = Instant::now();
    let found = search.await;
    (started.elapsed().as_secs_f64() * 1000.0, found)
}

async fn run(database: TestDatabase) -> Figures {
    let log = eventlog::open(&database.url).await.expect("the log opens");
    let loading = Instant::now();
    set_up(log.as_ref()).await;
    let (address, server) = start_server(&database.url).await;
    settle(&reqwest::Client::new(), &address).await;
    let load_seconds = loading.elapsed().as_secs_f64();
    // The directory is built: nothing else (the sealer catching up on the load's events) runs
    // under the searches.
    server.abort();
    let store = ReadStore::connect(&database.url).await.expect("the read store");
    digest_the_load(&store, database.backend).await;
    let company = company().to_string();
    let (mut ours, mut scans, mut found) = (Vec::new(), Vec::new(), 0);
    let mut by_kind: Vec<Vec<f64>> = vec![Vec::new(); KINDS.len()];
    let mut every: Vec<(f64, String)> = Vec::new();
    for n in 0..SEARCHES {
        let text = query(n);
        let (ms, hits) =
            timed(async { Contacts.search(&store, &company, &text, 50).await.expect("a search").len() }).await;
        ours.push(ms);
        every.push((ms, text.clone()));
        by_kind[n % KINDS.len()].push(ms);
        found += hits.min(1);
        if n % 10 == 0 {
            scans.push(timed(scan(&store, &text)).await.0);
        }
    }
    let (words_per_contact, index_mb) = index_size(&store, database.backend).await;
    ours.sort_by(|a, b| a.total_cmp(b));
    every.sort_by(|a, b| b.0.total_cmp(&a.0));
    every.truncate(5);
    scans.sort_by(|a, b| a.total_cmp(b));
    let slowest = by_kind
        .iter_mut()
        .enumerate()
        .map(|(kind, times)| {
            times.sort_by(|a, b| a.total_cmp(b));
            (KINDS[kind], percentile(times, 0.99))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or(("none", f64::NAN));
    Figures {
        slowest,
        slowest_searches: every,
        load_seconds,
        p50_ms: percentile(&ours, 0.5),
        p99_ms: percentile(&ours, 0.99),
        scan_p50_ms: percentile(&scans, 0.5),
        found,
        words_per_contact,
        index_mb,
    }
}

#[tokio::main]
async fn main() {
    println!("| backend | contacts | searches finding someone | p50 search | p99 search | slowest kind (p99) | p50 scan (baseline) | scan ÷ search | loading + indexing | words per contact | index size | goal |");
    println!("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|");
    for backend in backends() {
        let figures = run(fresh_database(backend).await).await;
        println!(
            "| {backend:?} | {CONTACTS} | {}/{SEARCHES} | {:.1} ms | {:.1} ms | {} ({:.1} ms) | {:.1} ms | {:.0}× | {:.1} s | {:.1} | {:.1} MB | p99 < 10 ms, index < 150 MB |",
            figures.found,
            figures.p50_ms,
            figures.p99_ms,
            figures.slowest.0,
            figures.slowest.1,
            figures.scan_p50_ms,
            figures.scan_p50_ms / figures.p50_ms,
            figures.load_seconds,
            figures.words_per_contact,
            figures.index_mb,
        );
        eprintln!("{backend:?}: slowest searches {:?}", figures.slowest_searches);
    }
}
