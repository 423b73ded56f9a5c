//! The templates: each company's, with the provider's last decision, found by the provider's id.

use super::{company, folded, History};
use domain::ids::LineId;
use domain::template::{TemplateCategory, TemplateDraft, TemplateEvent};
use eventlog::testing::Backend;
use projections::templates::{TemplateRow, Templates};
use uuid::Uuid;

eventlog::on_both_backends!(a_template_shows_the_providers_last_decision_and_is_found_by_its_id);

async fn a_template_shows_the_providers_last_decision_and_is_found_by_its_id(backend: Backend) {
    let template = Uuid::from_u128(1);
    let line = LineId::from_uuid(Uuid::from_u128(2));
    let stream = format!("template-{template}");
    let draft = TemplateDraft {
        name: "order_ready".into(),
        language: "es".into(),
        category: TemplateCategory::Utility,
        body: "Hola {{1}}".into(),
        examples: vec!["Ana".into()],
    };
    let history = History::new()
        .then(
            &stream,
            &TemplateEvent::Submitted {
                template_id: template,
                company_id: company(),
                line_id: line,
                shared: false,
                draft,
                provider_id: "594425479261596".into(),
                status: "PENDING".into(),
            },
        )
        .then(
            &stream,
            &TemplateEvent::StatusChanged {
                template_id: template,
                status: "REJECTED".into(),
                reason: Some("INVALID_FORMAT".into()),
            },
        )
        .then(
            &stream,
            &TemplateEvent::StatusChanged { template_id: template, status: "APPROVED".into(), reason: None },
        );
    let templates = folded(backend, Templates, history).await;
    let row = TemplateRow {
        template_id: template.to_string(),
        company_id: company().to_string(),
        line_id: line.to_string(),
        shared: false,
        name: "order_ready".into(),
        language: "es".into(),
        category: TemplateCategory::Utility,
        body: "Hola {{1}}".into(),
        provider_id: "594425479261596".into(),
        status: "APPROVED".into(),
        reason: None,
    };
    assert_eq!(Templates.templates_of(&templates.store, &company().to_string()).await.unwrap(), vec![row.clone()]);
    assert_eq!(Templates.template_by_provider_id(&templates.store, "594425479261596").await.unwrap(), Some(row));
    assert_eq!(Templates.template_by_provider_id(&templates.store, "1").await.unwrap(), None);
}
