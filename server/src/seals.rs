//! The log's seals (see `domain::seal`): how events are written into a seal's MAC, how the next
//! seal is made, and how every seal is checked against the events it sealed.

use crate::secrets::SecretsKey;
use domain::event::{decode, encode};
use domain::seal::{SealEvent, SealedPosition, SEALS_STREAM};
use eventlog::{EventLog, EventLogError, ExpectedRevision, Metadata, NewEvent, Position, RecordedEvent};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// What the seals' key is derived for, from the installation's key.
const PURPOSE: &str = "ikono-chat: the log's seals, v1";
/// The most events one seal covers, so that a changed one is found among few.
pub const MOST_EVENTS_A_SEAL: usize = 1_000;

/// The key seals are made with: derived from the installation's key, held by configuration only.
#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl SealKey {
    pub fn of(key: &SecretsKey) -> Self {
        Self(key.derived(PURPOSE))
    }
}

fn position_of(position: Position) -> SealedPosition {
    SealedPosition { transaction: position.transaction, sequence: position.sequence }
}

/// One event as a seal reads it: every stored field, in a fixed order. The data is JSON with its
/// keys in order (serde_json's maps are sorted), so the same stored event always reads the same.
fn canonical(event: &RecordedEvent) -> String {
    let m = &event.metadata;
    format!(
        "{}/{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}\n",
        event.position.transaction,
        event.position.sequence,
        event.event_id,
        event.stream,
        event.revision,
        event.event_type,
        m.schema_version,
        event.data,
        m.company_id,
        m.actor,
        m.correlation_id,
        m.causation_id.map(|id| id.to_string()).unwrap_or_default(),
        m.occurred_at.timestamp_micros(),
        event.recorded_at.timestamp_micros(),
    )
}

/// A seal's MAC being made: the previous seal's MAC, then each event in the log's order.
struct Chain(Hmac<Sha256>);

impl Chain {
    fn after(key: &SealKey, previous: &str) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes a key of any length");
        mac.update(previous.as_bytes());
        mac.update(b"\n");
        Self(mac)
    }

    fn add(&mut self, event: &RecordedEvent) {
        self.0.update(canonical(event).as_bytes());
    }

    fn finish(self) -> String {
        self.0.finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// A seal as read back from its stream, with its revision there.
#[derive(Clone, Debug)]
pub struct Seal {
    pub revision: u64,
    pub after: SealedPosition,
    pub until: SealedPosition,
    pub count: u64,
    pub previous: String,
    pub mac: String,
}

pub async fn seals(log: &dyn EventLog) -> Result<Vec<Seal>, EventLogError> {
    let mut seals = Vec::new();
    for event in log.read_stream(SEALS_STREAM).await? {
        // A seal that cannot be read is one that does not match.
        let Ok(SealEvent::Sealed { after, until, count, previous, mac }) =
            decode::<SealEvent>(&event.event_type, event.metadata.schema_version, &event.data)
        else {
            seals.push(Seal {
                revision: event.revision,
                after: position_of(event.position),
                until: position_of(event.position),
                count: 0,
                previous: String::new(),
                mac: String::new(),
            });
            continue;
        };
        seals.push(Seal { revision: event.revision, after, until, count, previous, mac });
    }
    Ok(seals)
}

/// Seals the events after the last seal, up to [`MOST_EVENTS_A_SEAL`] of them, when any is not a
/// seal itself; answers whether it sealed. Two nodes sealing at once: one wins, the other's seal
/// is refused by the seals' stream revision and it changes nothing.
pub async fn seal_next(
    log: &dyn EventLog,
    key: &SealKey,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, EventLogError> {
    let known = seals(log).await?;
    let last = known.last();
    let after = last.map_or(Position::START, |seal| Position {
        transaction: seal.until.transaction,
        sequence: seal.until.sequence,
    });
    let events = log.read_all(after, MOST_EVENTS_A_SEAL).await?;
    if events.iter().all(|event| event.stream == SEALS_STREAM) {
        return Ok(false);
    }
    let previous = last.map(|seal| seal.mac.clone()).unwrap_or_default();
    let mut chain = Chain::after(key, &previous);
    events.iter().for_each(|event| chain.add(event));
    let Some(until) = events.last().map(|event| event.position) else { return Ok(false) };
    let seal = SealEvent::Sealed {
        after: position_of(after),
        until: position_of(until),
        count: events.len() as u64,
        previous,
        mac: chain.finish(),
    };
    let (event_type, data) = encode(&seal).map_err(|e| EventLogError::Configuration(e.to_string()))?;
    let metadata = Metadata {
        occurred_at: at,
        company_id: Uuid::nil(),
        actor: "system".into(),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        schema_version: 1,
    };
    let expected = last.map_or(ExpectedRevision::NoStream, |seal| ExpectedRevision::Exact(seal.revision));
    let event = NewEvent { event_id: Uuid::now_v7(), event_type, data, metadata };
    match log.append(SEALS_STREAM, expected, vec![event]).await {
        Ok(_) => Ok(true),
        Err(EventLogError::WrongExpectedRevision { .. }) => Ok(false),
        Err(error) => Err(error),
    }
}

/// What checking the seals found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SealCheck {
    pub seals: usize,
    pub sealed_events: u64,
    /// Events after the last seal: not sealed yet.
    pub unsealed_events: u64,
    /// Each seal that does not match, where, and why.
    pub broken: Vec<String>,
}

/// Checks every seal against the events it sealed, reading the whole log once in its order.
pub async fn check(log: &dyn EventLog, key: &SealKey) -> Result<SealCheck, EventLogError> {
    let seals = seals(log).await?;
    let mut check = SealCheck { seals: seals.len(), ..SealCheck::default() };
    let mut previous = (SealedPosition { transaction: 0, sequence: 0 }, String::new());
    for seal in &seals {
        if seal.after != previous.0 || seal.previous != previous.1 {
            check.broken.push(format!(
                "seal #{} does not follow the seal before it: a seal was removed or changed",
                seal.revision
            ));
        }
        previous = (seal.until, seal.mac.clone());
    }
    // Each event goes into the seal whose span holds it; spans follow each other in the log's order.
    let mut index = 0;
    let mut chain = seals.first().map(|seal| Chain::after(key, &seal.previous));
    let mut counted = 0u64;
    // The log read as one query, a few pages ahead of the chain's work on them.
    let (sender, mut pages) = tokio::sync::mpsc::channel(4);
    let reading = log.read_all_into(Position::START, 1_000, sender);
    let chaining = async {
        while let Some(page) = pages.recv().await {
            for event in &page {
                let at = position_of(event.position);
                while index < seals.len() && at > seals[index].until {
                    close(&mut check, &seals[index], chain.take(), counted);
                    index += 1;
                    counted = 0;
                    chain = seals.get(index).map(|seal| Chain::after(key, &seal.previous));
                }
                match (seals.get(index), chain.as_mut()) {
                    (Some(seal), Some(chain)) if at > seal.after => {
                        chain.add(event);
                        counted += 1;
                    }
                    _ => check.unsealed_events += 1,
                }
            }
        }
    };
    let (read, ()) = tokio::join!(reading, chaining);
    read?;
    while index < seals.len() {
        close(&mut check, &seals[index], chain.take(), counted);
        index += 1;
        counted = 0;
        chain = seals.get(index).map(|seal| Chain::after(key, &seal.previous));
    }
    Ok(check)
}

fn close(check: &mut SealCheck, seal: &Seal, chain: Option<Chain>, counted: u64) {
    let mac = chain.map(Chain::finish).unwrap_or_default();
    let span = format!(
        "seal #{} (events after {}/{} up to {}/{})",
        seal.revision, seal.after.transaction, seal.after.sequence, seal.until.transaction, seal.until.sequence
    );
    if counted != seal.count {
        check.broken.push(format!(
            "{span}: sealed {} events, the log holds {counted} there: events were removed or added",
            seal.count
        ));
    } else if mac != seal.mac {
        check.broken.push(format!("{span}: the events there are not the ones sealed: one of them was changed"));
    } else {
        check.sealed_events += counted;
    }
}
