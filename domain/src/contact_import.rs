//! A file of contacts imported in the background (K8, K14): started with the file and how many
//! rows it has, then advanced batch by batch. Each batch's progress is appended in the same
//! transaction as the batch's contacts, and a batch must begin where the last one ended, so an
//! import stopped half-way resumes at its first row not done and no row is ever counted twice.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{CompanyId, ImportId};
use serde::{Deserialize, Serialize};

pub fn import_stream(import: ImportId) -> String {
    format!("import-contacts-{import}")
}

/// A row the import did not take, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusedRow {
    /// The row's number in the file, the header being row 1.
    pub row: usize,
    pub reason: String,
}

/// What a batch of rows came to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowCounts {
    pub created: usize,
    /// Rows whose contact was in the directory already: left as they are.
    pub unchanged: usize,
    pub refused: Vec<RefusedRow>,
}

impl RowCounts {
    fn add(&mut self, more: &RowCounts) {
        self.created += more.created;
        self.unchanged += more.unchanged;
        self.refused.extend(more.refused.iter().cloned());
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ImportEvent {
    #[serde(rename = "ContactImportStarted")]
    Started {
        import_id: ImportId,
        company_id: CompanyId,
        /// Where the file is kept (its address among the company's files).
        file: String,
        file_name: String,
        /// Rows of contacts, the header not counted.
        rows: usize,
    },
    /// Rows `from..to` (counted from 0, the header not counted) are done.
    #[serde(rename = "ContactImportRowsDone")]
    RowsDone { import_id: ImportId, from: usize, to: usize, counts: RowCounts },
    #[serde(rename = "ContactImportFinished")]
    Finished { import_id: ImportId },
}

crate::stored_names!(ImportEvent {
    STARTED = "ContactImportStarted",
    ROWS_DONE = "ContactImportRowsDone",
    FINISHED = "ContactImportFinished",
});

impl DomainEvent for ImportEvent {}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportCommand {
    Start { import_id: ImportId, company_id: CompanyId, file: String, file_name: String, rows: usize },
    RecordRows { from: usize, to: usize, counts: RowCounts },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportRejection {
    #[error("this import has started already")]
    AlreadyStarted,
    #[error("no such import")]
    NotFound,
    #[error("the file has no rows of contacts")]
    Empty,
    #[error("rows from {given} were offered, but the import is at row {done}")]
    OutOfTurn { done: usize, given: usize },
    #[error("rows up to {given} were offered, but the file has {rows}")]
    BeyondTheFile { rows: usize, given: usize },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportState {
    pub import_id: Option<ImportId>,
    pub company_id: Option<CompanyId>,
    pub file: String,
    pub file_name: String,
    pub rows: usize,
    /// Rows done, from the first: the next batch begins here.
    pub done: usize,
    pub counts: RowCounts,
    pub finished: bool,
}

pub struct ContactImport;

impl Decider for ContactImport {
    type State = ImportState;
    type Command = ImportCommand;
    type Event = ImportEvent;
    type Rejection = ImportRejection;

    fn decide(state: &ImportState, command: &ImportCommand) -> Result<Vec<ImportEvent>, ImportRejection> {
        match (command, state.import_id) {
            (ImportCommand::Start { .. }, Some(_)) => Err(ImportRejection::AlreadyStarted),
            (ImportCommand::Start { rows: 0, .. }, None) => Err(ImportRejection::Empty),
            (ImportCommand::Start { import_id, company_id, file, file_name, rows }, None) => {
                Ok(vec![ImportEvent::Started {
                    import_id: *import_id,
                    company_id: *company_id,
                    file: file.clone(),
                    file_name: file_name.clone(),
                    rows: *rows,
                }])
            }
            (ImportCommand::RecordRows { .. }, None) => Err(ImportRejection::NotFound),
            (ImportCommand::RecordRows { from, to, counts }, Some(import_id)) => {
                if *from != state.done || to <= from {
                    return Err(ImportRejection::OutOfTurn { done: state.done, given: *from });
                }
                if *to > state.rows {
                    return Err(ImportRejection::BeyondTheFile { rows: state.rows, given: *to });
                }
                let mut events =
                    vec![ImportEvent::RowsDone { import_id, from: *from, to: *to, counts: counts.clone() }];
                if *to == state.rows {
                    events.push(ImportEvent::Finished { import_id });
                }
                Ok(events)
            }
        }
    }

    fn evolve(mut state: ImportState, event: &ImportEvent) -> ImportState {
        match event {
            ImportEvent::Started { import_id, company_id, file, file_name, rows } => {
                state.import_id = Some(*import_id);
                state.company_id = Some(*company_id);
                state.file = file.clone();
                state.file_name = file_name.clone();
                state.rows = *rows;
            }
            ImportEvent::RowsDone { to, counts, .. } => {
                state.done = *to;
                state.counts.add(counts);
            }
            ImportEvent::Finished { .. } => state.finished = true,
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<ImportEvent>(ImportEvent::NAMES);
    }
    use crate::decider::given;
    use uuid::Uuid;

    fn import() -> ImportId {
        ImportId::from_uuid(Uuid::from_u128(9))
    }

    fn started(rows: usize) -> ImportEvent {
        ImportEvent::Started {
            import_id: import(),
            company_id: CompanyId::from_uuid(Uuid::from_u128(1)),
            file: "/media/abc.csv".into(),
            file_name: "contacts.csv".into(),
            rows,
        }
    }

    fn counts(created: usize) -> RowCounts {
        RowCounts { created, unchanged: 0, refused: vec![] }
    }

    fn done(from: usize, to: usize) -> ImportEvent {
        ImportEvent::RowsDone { import_id: import(), from, to, counts: counts(to - from) }
    }

    #[test]
    fn an_import_starts_once_and_never_without_rows() {
        let start = |rows| ImportCommand::Start {
            import_id: import(),
            company_id: CompanyId::from_uuid(Uuid::from_u128(1)),
            file: "/media/abc.csv".into(),
            file_name: "contacts.csv".into(),
            rows,
        };
        given::<ContactImport>(vec![]).when(start(10)).then(vec![started(10)]);
        given::<ContactImport>(vec![started(10)]).when(start(10)).then_rejects(ImportRejection::AlreadyStarted);
        given::<ContactImport>(vec![]).when(start(0)).then_rejects(ImportRejection::Empty);
    }

    #[test]
    fn batches_follow_one_another_and_the_last_finishes_the_import() {
        given::<ContactImport>(vec![started(10)])
            .when(ImportCommand::RecordRows { from: 0, to: 4, counts: counts(4) })
            .then(vec![done(0, 4)]);
        given::<ContactImport>(vec![started(10), done(0, 4)])
            .when(ImportCommand::RecordRows { from: 4, to: 10, counts: counts(6) })
            .then(vec![done(4, 10), ImportEvent::Finished { import_id: import() }]);
    }

    #[test]
    fn a_batch_done_already_or_skipping_rows_is_refused_so_no_row_counts_twice() {
        given::<ContactImport>(vec![started(10), done(0, 4)])
            .when(ImportCommand::RecordRows { from: 0, to: 4, counts: counts(4) })
            .then_rejects(ImportRejection::OutOfTurn { done: 4, given: 0 });
        given::<ContactImport>(vec![started(10), done(0, 4)])
            .when(ImportCommand::RecordRows { from: 6, to: 8, counts: counts(2) })
            .then_rejects(ImportRejection::OutOfTurn { done: 4, given: 6 });
        given::<ContactImport>(vec![started(10)])
            .when(ImportCommand::RecordRows { from: 0, to: 11, counts: counts(11) })
            .then_rejects(ImportRejection::BeyondTheFile { rows: 10, given: 11 });
    }

    #[test]
    fn the_counts_add_up_over_the_batches() {
        let refused =
            RowCounts { created: 1, unchanged: 2, refused: vec![RefusedRow { row: 3, reason: "bad".into() }] };
        let state = ContactImport::fold(&[
            started(10),
            ImportEvent::RowsDone { import_id: import(), from: 0, to: 4, counts: refused.clone() },
            ImportEvent::RowsDone { import_id: import(), from: 4, to: 10, counts: refused },
            ImportEvent::Finished { import_id: import() },
        ]);
        assert_eq!(
            (state.done, state.counts.created, state.counts.unchanged, state.counts.refused.len()),
            (10, 2, 4, 2)
        );
        assert!(state.finished);
    }
}
