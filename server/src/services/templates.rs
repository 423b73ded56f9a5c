//! Message templates (W12, W13): a supervisor submits one through a WhatsApp Cloud line's account
//! for Meta's review, shared by all the company's lines or bound to that one; Meta's decisions,
//! from its notifications, are recorded on it.

use crate::caller::Caller;
use crate::error::AppError;
use crate::meta_api::{self, Channels};
use crate::state::{execute, AppState};
use crate::write::command::CommandContext;
use bridges::whatsapp_cloud::outbound::template_definition;
use domain::ids::{CompanyId, LineId};
use domain::line::ChannelLink;
use domain::template::{check_draft, template_stream, Template, TemplateCommand, TemplateDraft};
use domain::user::Role;
use projections::templates::{TemplateRow, Templates};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A template to submit, and through which line.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct NewTemplate {
    /// A WhatsApp Cloud line of the company: the template goes to its business account.
    pub line_id: LineId,
    /// For all the company's lines (W13), or only this one.
    #[serde(default = "shared_by_default")]
    pub shared: bool,
    #[serde(flatten)]
    pub draft: TemplateDraft,
}

fn shared_by_default() -> bool {
    true
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubmittedTemplate {
    pub template_id: Uuid,
    pub provider_id: String,
    pub status: String,
}

/// Checks the template, submits it to Meta, and records what Meta took.
pub async fn submit_template(
    state: &AppState,
    caller: &Caller,
    template: NewTemplate,
) -> Result<SubmittedTemplate, AppError> {
    caller.require(&[Role::Supervisor])?;
    let draft = check_draft(&template.draft).map_err(AppError::from)?;
    let line = state
        .directory
        .line(&state.store, &template.line_id.to_string())
        .await?
        .filter(|line| line.company_id == caller.company_id.to_string())
        .ok_or_else(|| AppError::NotFound("no such line".into()))?;
    let Some(link @ ChannelLink::WhatsappCloud { .. }) = line.credentials else {
        return Err(AppError::Invalid("templates are submitted through a line linked to a WhatsApp number".into()));
    };
    let ChannelLink::WhatsappCloud { business_account_id, .. } = &link;
    let channels = Channels::of(&state.settings);
    let route = channels
        .route(template.line_id, &link)
        .ok_or_else(|| AppError::Internal("the line's credentials cannot be read on this server".into()))?;
    let definition = template_definition(&draft.name, &draft.language, draft.category, &draft.body, &draft.examples);
    let (provider_id, status) =
        meta_api::submit_template(&meta_api::client(), &route, business_account_id, &definition)
            .await
            .map_err(|refusal| AppError::Invalid(format!("WhatsApp refused the template: {}", refusal.words)))?;
    let template_id = Uuid::now_v7();
    let command = TemplateCommand::Submit {
        template_id,
        company_id: caller.company_id,
        line_id: template.line_id,
        shared: template.shared,
        draft,
        provider_id: provider_id.clone(),
        status: status.clone(),
    };
    let stream = template_stream(template_id);
    execute::<Template>(state, &caller.context(state.clock.now()), &stream, &command, &state.templates).await?;
    Ok(SubmittedTemplate { template_id, provider_id, status })
}

/// The company's templates with Meta's last decision: for every member (agents send them).
pub async fn list_templates(state: &AppState, caller: &Caller) -> Result<Vec<TemplateRow>, AppError> {
    Ok(Templates.templates_of(&state.store, &caller.company_id.to_string()).await?)
}

/// Meta's decision on a template, from its notification: recorded on the template it names, if it
/// is one of `company`'s.
pub async fn record_template_status(
    state: &AppState,
    company: CompanyId,
    provider_id: &str,
    status: &str,
    reason: Option<String>,
) -> Result<(), AppError> {
    let row = Templates
        .template_by_provider_id(&state.store, provider_id)
        .await?
        .filter(|row| row.company_id == company.to_string())
        .ok_or_else(|| AppError::NotFound("no template of the line's company has that id".into()))?;
    let template_id: Uuid = row.template_id.parse().map_err(|_| AppError::Internal("a stored template id".into()))?;
    let command = TemplateCommand::RecordStatus { status: status.to_string(), reason };
    let context = CommandContext::system(company, state.clock.now());
    execute::<Template>(state, &context, &template_stream(template_id), &command, &state.templates).await
}
