//! Consent in bulk from a file (K3): a CSV or Excel list of WhatsApp numbers, previewed row by
//! row before anything is stored. A file with any refused row stores nothing; a good one records
//! every consent (and the contacts of numbers nobody has yet) in one transaction.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::contacts::directory::{country_of, decide_in_turn, holder_of};
use crate::services::contacts::files::{read_table, Table};
use crate::services::contacts::imports::imported_contact_id;
use crate::write::command::{commit, decide, load, with_retry, CommandContext, Decided};

use crate::state::AppState;
use domain::contact::{
    account_stream, contact_stream, Account, Channel, ConsentRecord, ConsentScope, ConsentSource, Contact,
    ContactCommand, ContactDetails, ContactState, NameSource,
};
use domain::ids::{CompanyId, ContactId};
use domain::phone::Country;
use domain::reservation::{Reservation, ReservationCommand, Reserved};
use domain::user::Role;
use eventlog::ExpectedRevision;
use serde::{Deserialize, Serialize};
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// Headers a column of numbers goes by (any case), in English and Spanish.
const NUMBER_COLUMNS: [&str; 10] =
    ["whatsapp", "phone", "number", "mobile", "teléfono", "telefono", "número", "numero", "móvil", "movil"];
const NAME_COLUMNS: [&str; 2] = ["name", "nombre"];
const CONSENT_COLUMNS: [&str; 2] = ["consent", "consentimiento"];

/// How far a file's consents reach: the number itself, every WhatsApp account of its contact, or
/// every account of its contact (K4).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentLevel {
    #[default]
    Account,
    Channel,
    General,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ConsentFileQuery {
    /// Whether the file's numbers consent (`true`, the default) or withdraw; a `Consent` column
    /// says it row by row instead.
    #[serde(default)]
    pub given: Option<bool>,
    #[serde(default)]
    pub level: ConsentLevel,
    /// Reads numbers written without their country code (two letters, e.g. `ES`).
    #[serde(default)]
    pub country: Option<String>,
}

/// One row of the file as it would be stored.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentRow {
    /// The row's number in the file, the header (when there is one) being row 1.
    pub row: usize,
    /// The number in E.164, when it is one.
    pub number: Option<String>,
    pub given: bool,
    /// The contact holding the number; none: a new contact is made for it.
    pub contact_id: Option<ContactId>,
    pub contact_name: Option<String>,
    /// The contact says so already: nothing to record.
    pub unchanged: bool,
    /// Why the row cannot be stored.
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentPreview {
    pub rows: Vec<ConsentRow>,
    /// Rows that would record a consent or a withdrawal.
    pub to_record: usize,
    /// Numbers no contact has: each would become a contact.
    pub new_contacts: usize,
    pub refused: usize,
}

/// A row as the file says it.
struct Line {
    row: usize,
    number: String,
    name: String,
    consent: Option<String>,
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| names.contains(&h.trim().to_lowercase().as_str()))
}

/// The file's rows: numbers from the column named like one (or Google's `Phone 1 - Value`), or
/// from the first column of a file without a header.
fn lines_of((header, records): Table, country: Option<Country>) -> Result<Vec<Line>, AppError> {
    let google = header.iter().position(|h| h.starts_with("Phone ") && h.ends_with(" - Value"));
    let numbers = column(&header, &NUMBER_COLUMNS).or(google);
    let headless = numbers.is_none()
        && header.first().is_some_and(|first| Account::parse(Channel::Whatsapp, first, country).is_ok());
    let (numbers, first_row, records) = match (numbers, headless) {
        (Some(numbers), _) => (numbers, 2, records),
        (None, true) => (0, 1, std::iter::once(header.clone()).chain(records).collect()),
        (None, false) => {
            return Err(AppError::Invalid(
                "the file's first row names no column of numbers: expected \"WhatsApp\", \"Phone\" or \"Number\", \
                 or a first column of numbers without a header"
                    .into(),
            ))
        }
    };
    let (names, consents) = if headless {
        (None, None)
    } else {
        (column(&header, &NAME_COLUMNS).or_else(|| column(&header, &["first name"])), column(&header, &CONSENT_COLUMNS))
    };
    fn cell(record: &[String], at: Option<usize>) -> &str {
        at.and_then(|i| record.get(i)).map_or("", |c| c.trim())
    }
    Ok(records
        .iter()
        .enumerate()
        .filter(|(_, record)| record.iter().any(|c| !c.trim().is_empty()))
        .map(|(n, record)| Line {
            row: n + first_row,
            number: cell(record, Some(numbers)).split(":::").next().unwrap_or_default().trim().to_string(),
            name: cell(record, names).to_string(),
            consent: Some(cell(record, consents).to_string()).filter(|c| !c.is_empty()),
        })
        .collect())
}

/// What a `Consent` cell says.
fn consent_of(cell: &str) -> Result<bool, String> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "given" | "granted" | "sí" | "si" | "s" | "dado" | "otorgado" => Ok(true),
        "no" | "n" | "false" | "0" | "withdrawn" | "revoked" | "refused" | "retirado" | "revocado" => Ok(false),
        other => Err(format!("consent: \"{other}\" is neither yes nor no")),
    }
}

fn scope_of(level: ConsentLevel, account: &Account) -> ConsentScope {
    match level {
        ConsentLevel::Account => ConsentScope::Account { account: account.clone() },
        ConsentLevel::Channel => ConsentScope::Channel { channel: Channel::Whatsapp },
        ConsentLevel::General => ConsentScope::General,
    }
}

/// A contact the file changes: as its stream left it, and what the file asks of it.
struct Change {
    state: ContactState,
    expected: ExpectedRevision,
    commands: Vec<ContactCommand>,
    /// The number's reservation, claimed for a contact the file creates.
    claim: Option<Decided>,
}

/// The file read against the directory: each row as it would be stored, and the changes.
struct Plan {
    preview: ConsentPreview,
    changes: BTreeMap<ContactId, Change>,
}

async fn plan(
    state: &AppState,
    context: &CommandContext,
    company: CompanyId,
    file: &[u8],
    query: &ConsentFileQuery,
) -> Result<Plan, AppError> {
    let country = country_of(query.country.as_deref())?;
    let lines = lines_of(read_table(file).await?, country)?;
    if lines.is_empty() {
        return Err(AppError::Invalid("the file lists no numbers".into()));
    }
    let log = state.log.as_ref();
    let mut rows = Vec::new();
    let mut changes: BTreeMap<ContactId, Change> = BTreeMap::new();
    let mut seen: BTreeMap<String, (usize, bool)> = BTreeMap::new();
    for line in lines {
        let mut row = ConsentRow {
            row: line.row,
            number: None,
            given: query.given.unwrap_or(true),
            contact_id: None,
            contact_name: None,
            unchanged: false,
            error: None,
        };
        let given = line.consent.as_deref().map(consent_of).transpose();
        let account = Account::parse(Channel::Whatsapp, &line.number, country).map_err(|e| e.to_string());
        let (given, account) = match (given, account) {
            (Ok(given), Ok(account)) => (given.unwrap_or(row.given), account),
            (Err(error), _) | (_, Err(error)) => {
                row.error = Some(error);
                rows.push(row);
                continue;
            }
        };
        row.given = given;
        row.number = Some(account.id.clone());
        if let Some((earlier, said)) = seen.get(&account.id) {
            if *said != given {
                row.error = Some(format!("row {earlier} says the opposite for the same number"));
            } else {
                row.unchanged = true;
            }
            rows.push(row);
            continue;
        }
        seen.insert(account.id.clone(), (line.row, given));
        let consent = ConsentRecord {
            scope: scope_of(query.level, &account),
            given,
            source: ConsentSource::Import,
            at: context.now,
        };
        let holder = holder_of(log, company, &account).await?;
        let contact_id = holder.unwrap_or_else(|| imported_contact_id(company, &account.key()));
        let change = match changes.entry(contact_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let (found, expected) = load::<Contact>(log, &contact_stream(contact_id)).await?;
                if holder.is_none() && found.company_id.is_some() {
                    row.error =
                        Some("the number's contact let it go (a merge was split); record this one on its card".into());
                    rows.push(row);
                    continue;
                }
                let mut change = Change { state: found, expected, commands: Vec::new(), claim: None };
                if holder.is_none() {
                    let name = if line.name.is_empty() { account.id.clone() } else { line.name.clone() };
                    let none = BTreeMap::new();
                    let details = ContactDetails::parse(&name, NameSource::Import, None, "", &none, None)
                        .or_else(|_| ContactDetails::parse(&account.id, NameSource::Import, None, "", &none, None))?;
                    change.commands.push(ContactCommand::Create { contact_id, company_id: company, details });
                    change.commands.push(ContactCommand::AddAccount { account: account.clone(), line: None });
                    let claim = ReservationCommand::Claim {
                        owner: contact_id.as_uuid(),
                        name: account.key(),
                        what: Reserved::Account,
                    };
                    change.claim =
                        Some(decide::<Reservation>(log, context, &account_stream(company, &account), &claim).await?);
                }
                new.insert(change)
            }
        };
        let before = decide_in_turn(change.state.clone(), &change.commands).map_err(AppError::from)?.len();
        change.commands.push(ContactCommand::RecordConsent { consent });
        let after = decide_in_turn(change.state.clone(), &change.commands).map_err(AppError::from)?.len();
        row.unchanged = after == before;
        row.contact_id = Some(contact_id);
        row.contact_name = holder.is_some().then(|| change.state.details.name.clone());
        rows.push(row);
    }
    let refused = rows.iter().filter(|r| r.error.is_some()).count();
    let to_record = rows.iter().filter(|r| r.error.is_none() && !r.unchanged).count();
    let new_contacts = changes.values().filter(|c| c.claim.is_some()).count();
    Ok(Plan { preview: ConsentPreview { rows, to_record, new_contacts, refused }, changes })
}

/// `POST /contacts/consents/preview`: what the file would record, row by row; nothing stored.
pub async fn preview_consents(
    state: &AppState,
    caller: &Caller,
    file: &[u8],
    query: &ConsentFileQuery,
) -> Result<ConsentPreview, AppError> {
    caller.require(&[Role::Supervisor])?;
    Ok(plan(state, &caller.context(state.clock.now()), caller.company_id, file, query).await?.preview)
}

/// `POST /contacts/consents/import`: records the file's consents, all or none: a file with any
/// refused row is refused whole, naming its rows.
pub async fn import_consents(
    state: &AppState,
    caller: &Caller,
    file: &[u8],
    query: &ConsentFileQuery,
) -> Result<ConsentPreview, AppError> {
    caller.require(&[Role::Supervisor])?;
    let context = caller.context(state.clock.now());
    let log = state.log.as_ref();
    let (preview, position) = with_retry(&state.metrics, || async {
        let Plan { preview, changes } = plan(state, &context, caller.company_id, file, query).await?;
        if preview.refused > 0 {
            let reasons: Vec<String> =
                preview.rows.iter().filter_map(|r| r.error.as_ref().map(|e| format!("row {}: {e}", r.row))).collect();
            return Err(AppError::Invalid(format!(
                "nothing was stored: {} rows are refused ({})",
                preview.refused,
                reasons.join("; ")
            ))
            .into());
        }
        let mut decisions = Vec::new();
        for (contact_id, change) in changes {
            let events = decide_in_turn(change.state, &change.commands).map_err(AppError::from)?;
            decisions.extend(change.claim);
            decisions.push(Decided::new(&context, &contact_stream(contact_id), change.expected, &events)?);
        }
        let position = commit(log, &state.metrics, decisions).await?;
        Ok((preview, position))
    })
    .await?;
    state.caught_up(&state.contacts, position).await?;
    Ok(preview)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::contacts::files::table_of;

    fn table(text: &str) -> Table {
        table_of(text.as_bytes()).unwrap()
    }

    #[test]
    fn numbers_are_found_by_their_column_in_either_language_or_first_in_a_file_without_header() {
        let lines = lines_of(table("Nombre,Teléfono,Consentimiento\nAna,612 34 56 78,sí\n"), None).unwrap();
        assert_eq!((lines[0].row, lines[0].number.as_str(), lines[0].name.as_str()), (2, "612 34 56 78", "Ana"));
        assert_eq!(lines[0].consent.as_deref(), Some("sí"));
        let bare = lines_of(table("+34612345678\n+34699112233\n"), None).unwrap();
        assert_eq!(
            bare.iter().map(|l| (l.row, l.number.as_str())).collect::<Vec<_>>(),
            [(1, "+34612345678"), (2, "+34699112233")]
        );
        let refused = lines_of(table("Colour,Size\nred,big\n"), None).err().unwrap().to_string();
        assert!(refused.contains("\"WhatsApp\""), "{refused}");
    }

    #[test]
    fn a_consent_cell_says_yes_or_no_in_english_or_spanish_and_nothing_else() {
        assert_eq!(consent_of(" Sí "), Ok(true));
        assert_eq!(consent_of("withdrawn"), Ok(false));
        assert!(consent_of("maybe").unwrap_err().contains("\"maybe\""));
    }
}
