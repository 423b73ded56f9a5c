//! Quick replies and templates as the supervisor's page administers them (G4, G5, W12, W13).

use crate::caller::Caller;
use crate::error::AppError;
use crate::services::quick_replies::{change_quick_reply, create_quick_reply, retire_quick_reply};
use crate::state::AppState;
use app::contract::{QuickReplyForm, TemplateAdminView, TemplateForm};
use domain::quick_reply::QuickReplyDraft;
use domain::user::Role;
use projections::lines::Lines;
use projections::templates::Templates;

fn reply_id(id: &str) -> Result<uuid::Uuid, AppError> {
    id.parse().map_err(|_| AppError::NotFound("no such quick reply".into()))
}

/// Writes a new quick reply, or rewrites the one the form names.
pub async fn save(state: &AppState, caller: &Caller, form: QuickReplyForm) -> Result<(), AppError> {
    let category = Some(form.category.trim().to_string()).filter(|category| !category.is_empty());
    let draft = QuickReplyDraft { shortcut: form.shortcut, title: form.title, text: form.text, category };
    match form.id.trim() {
        "" => create_quick_reply(state, caller, draft).await.map(|_| ()),
        id => change_quick_reply(state, caller, reply_id(id)?, draft).await,
    }
}

pub async fn retire(state: &AppState, caller: &Caller, id: String) -> Result<(), AppError> {
    retire_quick_reply(state, caller, reply_id(&id)?).await
}

/// The company's templates with the provider's last word on each, and the line each is bound to.
pub async fn templates(state: &AppState, caller: &Caller) -> Result<Vec<TemplateAdminView>, AppError> {
    caller.require(&[Role::Supervisor, Role::Auditor])?;
    let company = caller.company_id.to_string();
    let lines = Lines.lines_of(&state.store, &company).await?;
    let rows = Templates.templates_of(&state.store, &company).await?;
    Ok(rows
        .into_iter()
        .map(|row| TemplateAdminView {
            line: lines.iter().find(|l| l.line_id == row.line_id).map_or(row.line_id.clone(), |l| l.name.clone()),
            category: serde_json::to_value(row.category)
                .ok()
                .and_then(|c| c.as_str().map(str::to_string))
                .unwrap_or_default(),
            name: row.name,
            language: row.language,
            body: row.body,
            status: row.status,
            reason: row.reason,
            shared: row.shared,
        })
        .collect())
}

/// Submits the form's template to WhatsApp through its line (W12): a category or line that is
/// not one is refused in words, the rest checked as the API checks it.
pub async fn submit_template(state: &AppState, caller: &Caller, form: TemplateForm) -> Result<(), AppError> {
    let line_id = form.line_id.parse().map_err(|_| AppError::Invalid("line: choose a WhatsApp line".into()))?;
    let category = serde_json::from_value(serde_json::Value::String(form.category))
        .map_err(|_| AppError::Invalid("category: marketing or utility".into()))?;
    let examples = form.examples.lines().map(str::trim).filter(|e| !e.is_empty()).map(str::to_string).collect();
    let draft = domain::template::TemplateDraft {
        name: form.name,
        language: form.language,
        category,
        body: form.body,
        examples,
    };
    let template = crate::services::templates::NewTemplate { line_id, shared: form.shared.is_some(), draft };
    crate::services::templates::submit_template(state, caller, template).await.map(|_| ())
}
