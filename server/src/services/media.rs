//! Files customers send (images, audio, video, documents), kept in the database by the SHA-256 of
//! their content, so that every node serves them and a backup of the database holds them too.
//!
//! A file's address is its hash and an extension that says its kind: `/media/<sha256>.<ext>`.
//! Files are not events: the message that refers to one is. The same content sent to two
//! companies is kept once and belongs to both: each company's members read it, nobody else.

use crate::error::AppError;
use projections::store::{Dialect, ReadStore};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The largest file a customer may send.
pub const MEDIA_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The kinds of file accepted, with the extension their address ends with.
const KINDS: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
    ("audio/mpeg", "mp3"),
    ("audio/ogg", "ogg"),
    ("audio/webm", "weba"),
    ("audio/wav", "wav"),
    ("video/mp4", "mp4"),
    ("video/webm", "webm"),
    ("application/pdf", "pdf"),
    ("text/plain", "txt"),
    ("text/csv", "csv"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
];

const TABLE: &str = "media_files";
/// Which companies a file belongs to (one row per company that received or sent it).
const OWNERS: &str = "media_owners";

/// The kinds accepted, for the message that refuses another.
pub fn accepted_kinds() -> String {
    KINDS.iter().map(|(_, extension)| *extension).collect::<Vec<_>>().join(", ")
}

fn extension_of(content_type: &str) -> Option<&'static str> {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    KINDS.iter().find(|(kind, _)| *kind == essence).map(|(_, extension)| *extension)
}

fn content_type_of(extension: &str) -> Option<&'static str> {
    KINDS.iter().find(|(_, known)| *known == extension).map(|(kind, _)| *kind)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file just kept: the address messages name it by.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct KeptFile {
    /// The address to send in a message's `media`.
    pub url: String,
}

/// A stored file as it is served.
pub struct MediaFile {
    pub content_type: &'static str,
    pub content: Vec<u8>,
}

impl MediaFile {
    /// Images, audio and video are shown in the page; anything else is downloaded, never opened
    /// as a page of ours.
    pub fn shown_inline(&self) -> bool {
        ["image/", "audio/", "video/"].iter().any(|kind| self.content_type.starts_with(kind))
    }
}

/// Creates the table of files if it is missing.
pub async fn prepare(store: &ReadStore) -> Result<(), sqlx::Error> {
    let blob = match store.dialect() {
        Dialect::Sqlite => "BLOB",
        Dialect::Postgres => "BYTEA",
    };
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {TABLE} (file TEXT PRIMARY KEY, company_id TEXT NOT NULL, \
         content_type TEXT NOT NULL, size BIGINT NOT NULL, content {blob} NOT NULL)"
    ))
    .execute(store.pool())
    .await?;
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {OWNERS} (file TEXT NOT NULL, company_id TEXT NOT NULL, PRIMARY KEY (file, company_id))"
    ))
    .execute(store.pool())
    .await?;
    // Files kept before owners were recorded belong to the company that first sent them.
    sqlx::query(&format!(
        "INSERT INTO {OWNERS} (file, company_id) SELECT file, company_id FROM {TABLE} WHERE true ON CONFLICT DO NOTHING"
    ))
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Keeps a file a customer of `company` sent and answers its address; the same content twice is
/// kept once.
pub async fn keep(store: &ReadStore, company: &str, content_type: &str, content: &[u8]) -> Result<String, AppError> {
    let extension = extension_of(content_type).ok_or_else(|| {
        AppError::UnsupportedMedia(format!(
            "files of type `{content_type}` are not accepted; send one of: {}",
            accepted_kinds()
        ))
    })?;
    if content.is_empty() {
        return Err(AppError::Invalid("the file is empty".into()));
    }
    if content.len() > MEDIA_MAX_BYTES {
        return Err(too_large());
    }
    let file = format!("{}.{extension}", hex(&Sha256::digest(content)));
    let mut transaction = store.begin_write().await?;
    sqlx::query(&format!(
        "INSERT INTO {TABLE} (file, company_id, content_type, size, content) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (file) DO NOTHING"
    ))
    .bind(&file)
    .bind(company)
    .bind(content_type_of(extension).unwrap_or("application/octet-stream"))
    .bind(content.len() as i64)
    .bind(content.to_vec())
    .execute(&mut **transaction)
    .await?;
    sqlx::query(&format!("INSERT INTO {OWNERS} (file, company_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"))
        .bind(&file)
        .bind(company)
        .execute(&mut **transaction)
        .await?;
    transaction.commit().await?;
    Ok(format!("/media/{file}"))
}

/// The refusal of a file over the limit.
pub fn too_large() -> AppError {
    AppError::TooLarge(format!("files of at most {} MB are accepted", MEDIA_MAX_BYTES / (1024 * 1024)))
}

/// The file at `/media/<file>`, if `company` owns it.
pub async fn find(store: &ReadStore, company: &str, file: &str) -> Result<Option<MediaFile>, AppError> {
    let Some(content_type) = file.rsplit_once('.').and_then(|(_, extension)| content_type_of(extension)) else {
        return Ok(None);
    };
    let row = sqlx::query(&format!(
        "SELECT f.content FROM {TABLE} f JOIN {OWNERS} o ON o.file = f.file WHERE f.file = $1 AND o.company_id = $2"
    ))
    .bind(file)
    .bind(company)
    .fetch_optional(store.pool())
    .await?;
    Ok(row
        .map(|row| row.try_get::<Vec<u8>, _>("content"))
        .transpose()?
        .map(|content| MediaFile { content_type, content }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_from_the_content_type_and_back() {
        assert_eq!(extension_of("image/PNG"), Some("png"));
        assert_eq!(extension_of("text/plain; charset=utf-8"), Some("txt"));
        assert_eq!(extension_of("application/x-msdownload"), None);
        assert_eq!(content_type_of("pdf"), Some("application/pdf"));
        assert!(MediaFile { content_type: "image/png", content: vec![] }.shown_inline());
        assert!(!MediaFile { content_type: "application/pdf", content: vec![] }.shown_inline());
    }
}
