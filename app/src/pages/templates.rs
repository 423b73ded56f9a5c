//! The company's message templates (G5, W12, W13): submitted to WhatsApp through a linked line,
//! found by name or text and narrowed by category, each with the provider's last word on it and
//! the lines that may send it.

use crate::components::{refusal, succeeded, FormError, Narrow, Toast};
use crate::contract::{TemplateAdminView, TemplateForm};
use crate::error::UiError;
use crate::i18n::use_words;
use crate::pages::lines::list_lines;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "templates")]
pub async fn templates() -> Result<Vec<TemplateAdminView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.templates(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "submit_template")]
pub async fn submit_template(form: TemplateForm) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.submit_template(crate::ssr::session_token(), form).await)
}

struct Words {
    templates: &'static str,
    no_templates: &'static str,
    none_like_that: &'static str,
    search: &'static str,
    category: &'static str,
    categories: [(&'static str, &'static str); 2],
    any: &'static str,
    name: &'static str,
    language: &'static str,
    text: &'static str,
    state: &'static str,
    lines: &'static str,
    every_line: &'static str,
    only: &'static str,
    new_template: &'static str,
    no_whatsapp_line: &'static str,
    through: &'static str,
    name_hint: &'static str,
    language_hint: &'static str,
    kind: &'static str,
    body: &'static str,
    examples: &'static str,
    shared: &'static str,
    submit: &'static str,
    submitted: &'static str,
}

const ENGLISH: Words = Words {
    templates: "Templates",
    no_templates: "No templates yet.",
    none_like_that: "No template is like that.",
    search: "Find templates by name or text",
    category: "Category of templates",
    categories: [("marketing", "Marketing"), ("utility", "Utility")],
    any: "Any",
    name: "Name",
    language: "Language",
    text: "Text",
    state: "State",
    lines: "Lines",
    every_line: "Every line",
    only: "Only",
    new_template: "Submit a template to WhatsApp",
    no_whatsapp_line: "Link a WhatsApp number to a line first: templates are submitted through it.",
    through: "Through the line",
    name_hint: "Template name (a-z, 0-9, _)",
    language_hint: "Language code (es, en_US…)",
    kind: "Template category",
    body: "Text ({{1}}, {{2}}… for values)",
    examples: "An example of each value, one per line",
    shared: "Every line of the company may send it (otherwise only this line)",
    submit: "Submit to WhatsApp",
    submitted: "Submitted: WhatsApp reviews it and its decision shows here.",
};

const SPANISH: Words = Words {
    templates: "Plantillas",
    no_templates: "Todavía no hay plantillas.",
    none_like_that: "Ninguna plantilla es así.",
    search: "Buscar plantillas por nombre o texto",
    category: "Categoría de plantillas",
    categories: [("marketing", "Marketing"), ("utility", "Utilidad")],
    any: "Cualquiera",
    name: "Nombre",
    language: "Idioma",
    text: "Texto",
    state: "Estado",
    lines: "Líneas",
    every_line: "Todas las líneas",
    only: "Solo",
    new_template: "Enviar una plantilla a WhatsApp",
    no_whatsapp_line: "Primero vincula un número de WhatsApp a una línea: las plantillas se envían por ella.",
    through: "Por la línea",
    name_hint: "Nombre de la plantilla (a-z, 0-9, _)",
    language_hint: "Código de idioma (es, en_US…)",
    kind: "Categoría de la plantilla",
    body: "Texto ({{1}}, {{2}}… para los valores)",
    examples: "Un ejemplo de cada valor, uno por línea",
    shared: "Todas las líneas de la empresa pueden enviarla (si no, solo esta línea)",
    submit: "Enviar a WhatsApp",
    submitted: "Enviada: WhatsApp la revisa y su decisión aparece aquí.",
};

/// Whether `template` has all of `words` in its name or text (any case), and is of `category`
/// (empty: any).
fn admits(template: &TemplateAdminView, words: &str, category: &str) -> bool {
    let haystack = format!("{} {}", template.name, template.body).to_lowercase();
    (category.is_empty() || template.category == category)
        && words.to_lowercase().split_whitespace().all(|word| haystack.contains(word))
}

#[component]
pub fn Templates() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let submit = ServerAction::<SubmitTemplate>::new();
    let told = RwSignal::new(None);
    Effect::new(move || {
        if succeeded(submit) {
            told.set(Some(words.get_untracked().submitted.to_string()));
        }
    });
    let list = Resource::new(move || submit.version().get(), |_| templates());
    let lines = Resource::new(|| (), |_| list_lines());
    let searched = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let failure = Signal::derive(move || refusal(submit));
    view! {
        <h2>{move || words.get().templates}</h2>
        <Toast told />
        <details class="new-template">
            <summary>{move || words.get().new_template}</summary>
            <FormError error=failure />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let words = words.get();
                    let linked: Vec<(String, String)> = lines
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|line| line.whatsapp.is_some())
                        .map(|line| (line.id, line.name))
                        .collect();
                    if linked.is_empty() {
                        return view! { <p class="hint">{words.no_whatsapp_line}</p> }.into_any();
                    }
                    view! {
                        <ActionForm action=submit attr:class="stacked-form template-form">
                            <label for="template-line">{words.through}</label>
                            <select id="template-line" name="form[line_id]" required>
                                {linked.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                            <label for="template-name">{words.name_hint}</label>
                            <input id="template-name" name="form[name]" required autocomplete="off" maxlength="512" />
                            <label for="template-language">{words.language_hint}</label>
                            <input id="template-language" name="form[language]" required autocomplete="off" value="es" maxlength="10" />
                            <label for="template-category">{words.kind}</label>
                            <select id="template-category" name="form[category]">
                                {words.categories.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                            </select>
                            <label for="template-body">{words.body}</label>
                            <textarea id="template-body" name="form[body]" required rows="4" maxlength="1024"></textarea>
                            <label for="template-examples">{words.examples}</label>
                            <textarea id="template-examples" name="form[examples]" rows="2"></textarea>
                            <span>
                                <input id="template-shared" type="checkbox" name="form[shared]" checked />
                                " "
                                <label for="template-shared">{words.shared}</label>
                            </span>
                            <button type="submit">{words.submit}</button>
                        </ActionForm>
                    }
                    .into_any()
                })}
            </Suspense>
        </details>
        <div class="inbox-filters">
            <label for="template-search">{move || words.get().search}</label>
            <input id="template-search" type="search" autocomplete="off"
                on:input=move |event| searched.set(event_target_value(&event)) />
            {move || {
                let words = words.get();
                let options = words.categories.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect();
                view! { <Narrow id="template-category-filter" label=words.category any=words.any options chosen=category /> }
            }}
        </div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let words = words.get();
                let all = list.await.unwrap_or_default();
                if all.is_empty() {
                    return view! { <p class="empty">{words.no_templates}</p> }.into_any();
                }
                let shown = move || {
                    let (searched, category) = (searched.get(), category.get());
                    let shown: Vec<TemplateAdminView> =
                        all.iter().filter(|t| admits(t, &searched, &category)).cloned().collect();
                    if shown.is_empty() {
                        return view! { <p class="empty">{words.none_like_that}</p> }.into_any();
                    }
                    view! {
                        <table aria-label=words.templates>
                            <thead><tr>
                                <th scope="col">{words.name}</th><th scope="col">{words.language}</th>
                                <th scope="col">{words.kind}</th><th scope="col">{words.text}</th>
                                <th scope="col">{words.state}</th><th scope="col">{words.lines}</th>
                            </tr></thead>
                            <tbody>
                                {shown.into_iter().map(|t| {
                                    let state_class = format!("template-state state-{}", t.status.to_lowercase());
                                    let kind = words.categories.iter().find(|(v, _)| *v == t.category).map_or(t.category.clone(), |(_, l)| l.to_string());
                                    view! {
                                    <tr>
                                        <th scope="row">{t.name}</th>
                                        <td>{t.language}</td>
                                        <td>{kind}</td>
                                        <td class="template-body">{t.body}</td>
                                        <td class=state_class>
                                            {t.status} {t.reason.map(|why| format!(": {why}"))}
                                        </td>
                                        <td>{if t.shared { words.every_line.to_string() } else { format!("{} {}", words.only, t.line) }}</td>
                                    </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any()
                };
                shown.into_any()
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::admits;
    use crate::contract::TemplateAdminView;

    #[test]
    fn templates_are_found_by_every_word_of_their_name_or_text_and_by_category() {
        let template = TemplateAdminView {
            name: "order_ready".into(),
            language: "es".into(),
            category: "utility".into(),
            body: "Hola {{1}}, tu pedido está listo".into(),
            status: "APPROVED".into(),
            reason: None,
            shared: true,
            line: "Shop".into(),
        };
        assert!(admits(&template, "PEDIDO order", ""));
        assert!(admits(&template, "", "utility"));
        assert!(!admits(&template, "pedido", "marketing"));
        assert!(!admits(&template, "factura", ""));
    }
}
