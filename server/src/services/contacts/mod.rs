//! The contact directory (K1–K14).
//!
//! - [`directory`]: contacts, their accounts, consents, owners, merges and businesses.
//! - [`files`]: contacts to and from CSV files (ours and Google Contacts') and Excel workbooks.
//! - [`consents`]: consent in bulk from a file of numbers, previewed before it is stored.
//! - [`imports`]: files of contacts kept and their import started; the importer is a worker.

pub mod consents;
pub mod directory;
pub mod files;
pub mod imports;
