//! Contacts to and from files (K7, K8, K14): a standard CSV of our own and Google Contacts' CSV,
//! both ways, and Excel workbooks in either layout, read.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::sheets;

use crate::state::AppState;

use domain::contact::Channel;
use domain::user::Role;
use projections::contacts::{ContactRow, Contacts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const FIELD_PREFIX: &str = "Field: ";
const STANDARD: [&str; 9] = ["Name", "E-mail", "WhatsApp", "Instagram", "Messenger", "Web", "API", "Business", "Notes"];
const GOOGLE: [&str; 8] = [
    "First Name",
    "Last Name",
    "Notes",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Organization Name",
];

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// Ours: one column per channel, one per custom field.
    Standard,
    /// What Google Contacts exports and imports.
    Google,
}

/// A contact as one row of a file says it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ContactLine {
    pub name: String,
    pub email: Option<String>,
    pub accounts: Vec<(Channel, String)>,
    pub business: Option<String>,
    pub notes: String,
    pub fields: BTreeMap<String, String>,
}

fn many(values: impl IntoIterator<Item = String>) -> String {
    values.into_iter().collect::<Vec<_>>().join(sheets::MANY)
}

fn line_of(row: &ContactRow) -> ContactLine {
    ContactLine {
        name: row.name.clone(),
        email: row.email.clone(),
        accounts: row
            .accounts
            .iter()
            .filter_map(|a| Channel::parse(&a.channel).ok().map(|c| (c, a.id.clone())))
            .collect(),
        business: row.business_name.clone(),
        notes: row.notes.clone(),
        fields: row.fields.clone(),
    }
}

fn write_standard(lines: &[ContactLine]) -> Result<String, AppError> {
    let field_names: Vec<String> = lines
        .iter()
        .flat_map(|l| l.fields.keys().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut header: Vec<String> = STANDARD.iter().map(|h| h.to_string()).collect();
    header.extend(field_names.iter().map(|f| format!("{FIELD_PREFIX}{f}")));
    let channels = [Channel::Whatsapp, Channel::Instagram, Channel::Messenger, Channel::Web, Channel::Api];
    let rows = lines.iter().map(|line| {
        let mut row = vec![line.name.clone(), line.email.clone().unwrap_or_default()];
        row.extend(
            channels
                .iter()
                .map(|channel| many(line.accounts.iter().filter(|(c, _)| c == channel).map(|(_, id)| id.clone()))),
        );
        row.push(line.business.clone().unwrap_or_default());
        row.push(line.notes.clone());
        row.extend(field_names.iter().map(|f| line.fields.get(f).cloned().unwrap_or_default()));
        row
    });
    sheets::csv(header, rows)
}

fn write_google(lines: &[ContactLine]) -> Result<String, AppError> {
    let rows = lines.iter().map(|line| {
        let (first, last) = line.name.split_once(' ').unwrap_or((line.name.as_str(), ""));
        let phones = many(line.accounts.iter().filter(|(c, _)| *c == Channel::Whatsapp).map(|(_, id)| id.clone()));
        let email = line.email.clone().unwrap_or_default();
        vec![
            first.to_string(),
            last.to_string(),
            line.notes.clone(),
            if email.is_empty() { String::new() } else { "* Other".into() },
            email,
            if phones.is_empty() { String::new() } else { "Mobile".into() },
            phones,
            line.business.clone().unwrap_or_default(),
        ]
    });
    sheets::csv(GOOGLE.iter().map(|h| h.to_string()).collect(), rows)
}

/// `GET /contacts/export`: every contact of the caller's company, as a file.
pub async fn export(state: &AppState, caller: &Caller, format: FileFormat) -> Result<String, AppError> {
    caller.require(&[Role::Supervisor])?;
    let rows = Contacts.contacts_of(&state.store, &caller.company_id.to_string()).await?;
    let lines: Vec<ContactLine> = rows.iter().map(line_of).collect();
    match format {
        FileFormat::Standard => write_standard(&lines),
        FileFormat::Google => write_google(&lines),
    }
}

fn split_many(cell: &str) -> impl Iterator<Item = String> + '_ {
    cell.split(":::").map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// A file's first row and the rows after it, as text.
pub(crate) type Table = (Vec<String>, Vec<Vec<String>>);

fn csv_table(text: &str) -> Result<Table, AppError> {
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader
        .headers()
        .map_err(|e| AppError::Invalid(format!("the file is not a CSV: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| AppError::Invalid(format!("row {}: {e}", n + 2)))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok((header, rows))
}

/// The most a workbook may unpack to, all its parts together.
const WORKBOOK_UNPACKED_MAX: u64 = 32 * 1024 * 1024;
/// The most parts a workbook may have.
const WORKBOOK_PARTS_MAX: usize = 1000;
/// The most rows, named columns and cells read from a sheet.
const SHEET_ROWS_MAX: usize = 200_000;
const SHEET_COLUMNS_MAX: usize = 500;
const SHEET_CELLS_MAX: usize = 2_000_000;

/// A workbook's parts unpacked — counted, never kept — so a small file that unpacks to gigabytes
/// is refused before anything reads it; the sizes it declares are checked, and then the sizes it
/// really unpacks to.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), AppError> {
    let too_large =
        || AppError::Invalid(format!("the workbook unpacks to more than {} MB", WORKBOOK_UNPACKED_MAX / (1024 * 1024)));
    let unreadable =
        |e: zip::result::ZipError| AppError::Invalid(format!("the file is not an Excel workbook (.xlsx): {e}"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > WORKBOOK_PARTS_MAX {
        return Err(AppError::Invalid(format!("the workbook has more than {WORKBOOK_PARTS_MAX} parts")));
    }
    let mut unpacked = 0u64;
    for index in 0..archive.len() {
        let part = archive.by_index(index).map_err(unreadable)?;
        if unpacked.saturating_add(part.size()) > WORKBOOK_UNPACKED_MAX {
            return Err(too_large());
        }
        let left = WORKBOOK_UNPACKED_MAX - unpacked;
        let read = std::io::copy(&mut std::io::Read::take(part, left + 1), &mut std::io::sink())
            .map_err(|e| AppError::Invalid(format!("the workbook could not be unpacked: {e}")))?;
        unpacked += read;
        if unpacked > WORKBOOK_UNPACKED_MAX {
            return Err(too_large());
        }
    }
    Ok(())
}

/// The first sheet of an Excel workbook (K14), cell by cell: the size the sheet declares is not
/// believed, and rows without a cell take no room.
fn xlsx_table(bytes: &[u8]) -> Result<Table, AppError> {
    use calamine::Reader;
    check_unpacked_size(bytes)?;
    let unreadable = |e: String| AppError::Invalid(format!("the file is not an Excel workbook (.xlsx): {e}"));
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| unreadable(e.to_string()))?;
    let first = workbook.sheet_names().first().cloned().ok_or_else(|| unreadable("it has no sheet".into()))?;
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(|e| unreadable(e.to_string()))?;
    // The first row with a cell names the columns; a later cell under no name is not kept.
    let mut header: Option<(u32, BTreeMap<u32, String>)> = None;
    let mut rows: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    let mut kept = 0usize;
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(e.to_string()))? {
        let (row, column) = cell.get_position();
        let value = calamine::Data::from(cell.get_value().clone()).to_string();
        if value.is_empty() {
            continue;
        }
        match &mut header {
            None => header = Some((row, BTreeMap::from([(column, value)]))),
            Some((header_row, names)) if *header_row == row => {
                if names.len() >= SHEET_COLUMNS_MAX {
                    return Err(AppError::Invalid(format!("the sheet has more than {SHEET_COLUMNS_MAX} columns")));
                }
                names.insert(column, value);
            }
            Some((header_row, names)) if row > *header_row && names.contains_key(&column) => {
                if !rows.contains_key(&row) && rows.len() >= SHEET_ROWS_MAX {
                    return Err(AppError::Invalid(format!("the sheet has more than {SHEET_ROWS_MAX} rows")));
                }
                rows.entry(row).or_default().insert(column, value);
                kept += 1;
                if kept > SHEET_CELLS_MAX {
                    return Err(AppError::Invalid(format!("the sheet has more than {SHEET_CELLS_MAX} cells")));
                }
            }
            Some(_) => {}
        }
    }
    let names = header.map(|(_, names)| names).unwrap_or_default();
    let columns: Vec<u32> = names.keys().copied().collect();
    let header = names.into_values().collect();
    let rows = rows
        .into_values()
        .map(|mut cells| columns.iter().map(|column| cells.remove(column).unwrap_or_default()).collect())
        .collect();
    Ok((header, rows))
}

/// How long a file may take to read before it is refused.
const READING_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// [`table_of`] off the async workers, within [`READING_DEADLINE`]; a file that makes the
/// reader fail in any way is refused, never a crash.
pub(crate) async fn read_table(file: &[u8]) -> Result<Table, AppError> {
    let file = file.to_vec();
    let reading = tokio::task::spawn_blocking(move || table_of(&file));
    match tokio::time::timeout(READING_DEADLINE, reading).await {
        Ok(Ok(table)) => table,
        Ok(Err(_)) => Err(AppError::Invalid("the file could not be read".into())),
        Err(_) => Err(AppError::Invalid(format!("the file took longer than {READING_DEADLINE:?} to read"))),
    }
}

/// The file's table: an Excel workbook (a zip, told by its first bytes) or CSV text.
pub(crate) fn table_of(file: &[u8]) -> Result<Table, AppError> {
    if file.starts_with(b"PK\x03\x04") {
        return xlsx_table(file);
    }
    let text =
        std::str::from_utf8(file).map_err(|_| AppError::Invalid("the file is neither UTF-8 CSV nor .xlsx".into()))?;
    csv_table(text)
}

/// Reads a table's rows, whichever of the two formats it is (told by its header).
pub(crate) fn read((header, records): Table) -> Result<Vec<ContactLine>, AppError> {
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let google = column("First Name").is_some() || column("Given Name").is_some();
    if !google && column("Name").is_none() {
        return Err(AppError::Invalid(
            "the file's first row names no contact column: expected \"Name\" (ours) or \"First Name\" (Google Contacts)"
                .into(),
        ));
    }
    let mut lines = Vec::new();
    for record in records {
        let at = |i: usize| record.get(i).map_or("", |c| sheets::as_written(c.as_str()));
        let cell = |name: &str| column(name).map_or("", at).trim().to_string();
        let line = if google {
            let name = [cell("Name"), cell("First Name"), cell("Middle Name"), cell("Last Name")];
            let name = if name[0].is_empty() {
                name[1..].iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join(" ")
            } else {
                name[0].clone()
            };
            let phones = header
                .iter()
                .enumerate()
                .filter(|(_, h)| h.starts_with("Phone ") && h.ends_with(" - Value"))
                .flat_map(|(i, _)| split_many(at(i)).collect::<Vec<_>>())
                .map(|phone| (Channel::Whatsapp, phone))
                .collect();
            let email = split_many(&cell("E-mail 1 - Value")).next();
            let business = Some(cell("Organization Name"))
                .filter(|b| !b.is_empty())
                .or_else(|| Some(cell("Organization 1 - Name")).filter(|b| !b.is_empty()));
            ContactLine { name, email, accounts: phones, business, notes: cell("Notes"), fields: BTreeMap::new() }
        } else {
            let accounts = [
                ("WhatsApp", Channel::Whatsapp),
                ("Instagram", Channel::Instagram),
                ("Messenger", Channel::Messenger),
                ("Web", Channel::Web),
                ("API", Channel::Api),
            ]
            .into_iter()
            .flat_map(|(title, channel)| split_many(&cell(title)).map(move |id| (channel, id)).collect::<Vec<_>>())
            .collect();
            let fields = header
                .iter()
                .enumerate()
                .filter_map(|(i, h)| h.strip_prefix(FIELD_PREFIX).map(|f| (f.to_string(), at(i).trim().to_string())))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            ContactLine {
                name: cell("Name"),
                email: Some(cell("E-mail")).filter(|e| !e.is_empty()),
                accounts,
                business: Some(cell("Business")).filter(|b| !b.is_empty()),
                notes: cell("Notes"),
                fields,
            }
        };
        lines.push(line);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ana() -> ContactLine {
        ContactLine {
            name: "Ana López".into(),
            email: Some("ana@example.com".into()),
            accounts: vec![
                (Channel::Whatsapp, "+34612345678".into()),
                (Channel::Whatsapp, "+34699112233".into()),
                (Channel::Instagram, "ana.ig".into()),
            ],
            business: Some("Acme, Ltd".into()),
            notes: "line one\nline two".into(),
            fields: BTreeMap::from([("Customer number".to_string(), "C-42".to_string())]),
        }
    }

    #[test]
    fn a_contact_whose_cells_a_spreadsheet_would_run_is_exported_as_text_and_read_back_as_it_was() {
        let mut line = ana();
        line.name = "=1+1".into();
        line.notes = "@danger".into();
        let written = write_standard(std::slice::from_ref(&line)).unwrap();
        assert!(
            written.contains(",'@danger") && written.starts_with("Name") && written.contains("\n'=1+1,"),
            "{written}"
        );
        assert_eq!(read(table_of(written.as_bytes()).unwrap()).unwrap(), vec![line], "read back as it was");
    }

    #[test]
    fn our_csv_reads_back_what_it_wrote() {
        let written = write_standard(&[ana()]).unwrap();
        assert_eq!(read(table_of(written.as_bytes()).unwrap()).unwrap(), vec![ana()]);
    }

    #[test]
    fn google_contacts_csv_reads_back_names_phones_email_organisation_and_notes() {
        let written = write_google(&[ana()]).unwrap();
        assert!(written.starts_with("First Name,Last Name,Notes,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name"));
        let read_back = read(table_of(written.as_bytes()).unwrap()).unwrap();
        let expected = ContactLine {
            accounts: vec![(Channel::Whatsapp, "+34612345678".into()), (Channel::Whatsapp, "+34699112233".into())],
            fields: BTreeMap::new(),
            ..ana()
        };
        assert_eq!(read_back, vec![expected], "Google has no column for Instagram or custom fields");
    }

    #[test]
    fn a_file_without_a_name_column_is_refused_with_what_was_expected() {
        let refused = read(table_of(b"Phone,Mail\n1,2\n").unwrap()).unwrap_err().to_string();
        assert!(refused.contains("\"Name\"") && refused.contains("\"First Name\""), "{refused}");
    }
}
