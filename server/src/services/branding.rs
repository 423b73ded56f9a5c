//! A company's brand (W5): the name and logo its people see in every page's top bar, and visitors
//! on the installation's sign-in pages; and its time zone, whose days its reports count.
//! Supervisors set them; the logo is an image kept like any file, served to anyone at an address
//! that names its content.

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::media::{self, MediaFile};
use crate::state::AppState;
use crate::write::command::{commit, decide, load, with_retry};
use domain::company::{company_stream, Company, CompanyCommand, CompanyState};
use domain::ids::CompanyId;
use domain::user::Role;

/// The largest logo accepted: a top bar needs far less.
pub const LOGO_MAX_BYTES: usize = 1024 * 1024;

/// The image kinds a logo may be, each with the bytes its files start with. Never SVG: an SVG is
/// a document that may run script.
const LOGO_KINDS: &[(&str, &[&[u8]])] = &[
    ("image/png", &[b"\x89PNG\r\n\x1a\n"]),
    ("image/jpeg", &[b"\xff\xd8\xff"]),
    ("image/gif", &[b"GIF87a", b"GIF89a"]),
    ("image/webp", &[b"RIFF"]),
];

/// A company's name, and the public address of its logo if it has one.
pub struct Branding {
    pub name: String,
    pub logo_url: Option<String>,
    pub time_zone: Option<String>,
}

async fn company(state: &AppState, company: CompanyId) -> Result<CompanyState, AppError> {
    Ok(load::<Company>(state.log.as_ref(), &company_stream(company)).await?.0)
}

/// The file name (`<sha256>.<ext>`) of a kept file's address.
fn file_of(address: &str) -> &str {
    address.rsplit('/').next().unwrap_or_default()
}

pub async fn branding_of(state: &AppState, id: CompanyId) -> Result<Branding, AppError> {
    let current = company(state, id).await?;
    Ok(Branding {
        logo_url: current.logo.as_deref().map(|logo| format!("/brand/{id}/{}", file_of(logo))),
        name: current.name,
        time_zone: current.time_zone,
    })
}

async fn set_branding(
    state: &AppState,
    caller: &Caller,
    change: impl Fn(&CompanyState) -> (String, Option<String>),
) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let context = caller.context(state.clock.now());
    let log = state.log.as_ref();
    let stream = company_stream(caller.company_id);
    with_retry(&state.metrics, || async {
        let (current, _) = load::<Company>(log, &stream).await?;
        let (name, logo) = change(&current);
        let command = CompanyCommand::SetBranding { company_id: caller.company_id, name, logo };
        let decided = decide::<Company>(log, &context, &stream, &command).await?;
        commit(log, &state.metrics, vec![decided]).await
    })
    .await?;
    Ok(())
}

pub async fn rename_company(state: &AppState, caller: &Caller, name: &str) -> Result<(), AppError> {
    set_branding(state, caller, |current| (name.to_string(), current.logo.clone())).await
}

/// Keeps `content` as the company's logo, if it is an image of a kind a logo may be.
pub async fn set_logo(state: &AppState, caller: &Caller, content_type: &str, content: &[u8]) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some((kind, starts)) = LOGO_KINDS.iter().find(|(kind, _)| *kind == essence) else {
        return Err(AppError::UnsupportedMedia("a logo is a PNG, JPEG, GIF or WebP picture".into()));
    };
    if content.len() > LOGO_MAX_BYTES {
        return Err(AppError::TooLarge("a logo is at most 1 MB".into()));
    }
    if !starts.iter().any(|start| content.starts_with(start)) {
        return Err(AppError::UnsupportedMedia(format!("the file is not the {kind} picture it says it is")));
    }
    let address = media::keep(&state.store, &caller.company_id.to_string(), kind, content).await?;
    set_branding(state, caller, |current| (current.name.clone(), Some(address.clone()))).await
}

pub async fn remove_logo(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    set_branding(state, caller, |current| (current.name.clone(), None)).await
}

/// The zone whose days the company's reports count: the one its supervisors named, else UTC.
pub async fn time_zone_of(state: &AppState, id: CompanyId) -> Result<chrono_tz::Tz, AppError> {
    Ok(domain::calendar::zone_or_utc(company(state, id).await?.time_zone.as_deref()))
}

pub async fn set_time_zone(state: &AppState, caller: &Caller, time_zone: &str) -> Result<(), AppError> {
    caller.require(&[Role::Supervisor])?;
    let context = caller.context(state.clock.now());
    let log = state.log.as_ref();
    let stream = company_stream(caller.company_id);
    let command = CompanyCommand::SetTimeZone { company_id: caller.company_id, time_zone: time_zone.to_string() };
    with_retry(&state.metrics, || async {
        let decided = decide::<Company>(log, &context, &stream, &command).await?;
        commit(log, &state.metrics, vec![decided]).await
    })
    .await?;
    Ok(())
}

/// The company's logo at `file`, only while it is the company's logo.
pub async fn logo(state: &AppState, id: CompanyId, file: &str) -> Result<MediaFile, AppError> {
    let not_found = || AppError::NotFound("no such logo".into());
    let current = company(state, id).await?;
    if current.logo.as_deref().map(file_of) != Some(file) {
        return Err(not_found());
    }
    media::find(&state.store, &id.to_string(), file).await?.ok_or_else(not_found)
}
