//! One line's settings beyond its rules (R6, G17): where its new chats go — a queue, one agent or a
//! group of agents — and the webhook its messages are POSTed to, whose new secret is shown once.

use crate::components::{refusal, succeeded, FormError};
use crate::contract::LineView;
use crate::error::UiError;
use crate::i18n::use_words;
use crate::pages::agents::list_agents;
use crate::pages::queues::list_queues;
use leptos::prelude::*;

/// `kind`: `queue`, `agent` or `agents`; `ids`: the queue, the agent, or the group's agents,
/// comma-separated (a form cannot send an empty list, and an empty group must be refused in words).
#[server(prefix = "/api", endpoint = "set_line_route")]
pub async fn set_line_route(line_id: String, kind: String, ids: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.set_line_route(crate::ssr::session_token(), line_id, kind, ids).await,
    )
}

/// Answers the new signing secret, or none when the address was emptied.
#[server(prefix = "/api", endpoint = "set_line_webhook")]
pub async fn set_line_webhook(line_id: String, url: String) -> Result<Option<String>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.set_line_webhook(crate::ssr::session_token(), line_id, url).await)
}

pub struct Words {
    pub settings: &'static str,
    pub settings_of: &'static str,
    go_to: &'static str,
    a_queue: &'static str,
    one_agent: &'static str,
    a_group: &'static str,
    the_menu: &'static str,
    queue: &'static str,
    agent: &'static str,
    group: &'static str,
    save_route: &'static str,
    route_saved: &'static str,
    webhook: &'static str,
    webhook_hint: &'static str,
    save_webhook: &'static str,
    secret: &'static str,
    no_webhook: &'static str,
    close: &'static str,
}

pub const ENGLISH: Words = Words {
    settings: "Settings",
    settings_of: "Settings of",
    go_to: "New chats go to",
    a_queue: "A queue",
    one_agent: "One agent",
    a_group: "A group of agents",
    the_menu: "The menu bot (its menu is edited with “Edit menu”)",
    queue: "Queue",
    agent: "Agent",
    group: "Agents of the group",
    save_route: "Save route",
    route_saved: "Route saved.",
    webhook: "Webhook address",
    webhook_hint: "The line's messages are POSTed here, signed; leave it empty to stop.",
    save_webhook: "Save webhook",
    secret: "Signing secret — copy it now, it is not shown again:",
    no_webhook: "No webhook: the line's messages are not POSTed anywhere.",
    close: "Close",
};

pub const SPANISH: Words = Words {
    settings: "Ajustes",
    settings_of: "Ajustes de",
    go_to: "Los chats nuevos van a",
    a_queue: "Una cola",
    one_agent: "Un agente",
    a_group: "Un grupo de agentes",
    the_menu: "El bot del menú (su menú se edita con «Editar menú»)",
    queue: "Cola",
    agent: "Agente",
    group: "Agentes del grupo",
    save_route: "Guardar destino",
    route_saved: "Destino guardado.",
    webhook: "Dirección del webhook",
    webhook_hint: "Los mensajes de la línea se envían aquí por POST, firmados; vacía, se dejan de enviar.",
    save_webhook: "Guardar webhook",
    secret: "Secreto de firma — cópialo ahora, no se vuelve a mostrar:",
    no_webhook: "Sin webhook: los mensajes de la línea no se envían a ningún sitio.",
    close: "Cerrar",
};

/// The settings card of `line`; `changed` is told when something the lines' table shows changed.
#[component]
pub fn LineSettings(line: LineView, changed: RwSignal<u64>, close: RwSignal<Option<LineView>>) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let route = ServerAction::<SetLineRoute>::new();
    let webhook = ServerAction::<SetLineWebhook>::new();
    Effect::new(move || {
        if succeeded(route) || succeeded(webhook) {
            changed.update(|n| *n += 1);
        }
    });
    let queues = Resource::new(|| (), |_| list_queues());
    let agents = Resource::new(|| (), |_| list_agents());
    let kind = RwSignal::new(line.route_kind.clone());
    let first = line.route_ids.first().cloned().unwrap_or_default();
    let queue = RwSignal::new(if line.route_kind == "queue" { first.clone() } else { String::new() });
    let agent = RwSignal::new(if line.route_kind == "agent" { first } else { String::new() });
    let group = RwSignal::new(if line.route_kind == "agents" { line.route_ids.clone() } else { Vec::new() });
    let line_id = StoredValue::new(line.id.clone());
    let webhook_url = StoredValue::new(line.webhook_url.clone().unwrap_or_default());
    let save_route = move |_| {
        let kind = kind.get_untracked();
        let ids = match kind.as_str() {
            "queue" => vec![queue.get_untracked()],
            "agent" => vec![agent.get_untracked()],
            _ => group.get_untracked(),
        };
        route.dispatch(SetLineRoute { line_id: line_id.get_value(), kind, ids: ids.join(",") });
    };
    let radio = move |value: &'static str, label: &'static str| {
        let id = format!("route-kind-{value}");
        view! {
            <span>
                <input type="radio" id=id.clone() name="route-kind" value=value
                    prop:checked=move || kind.get() == value on:change=move |_| kind.set(value.to_string()) />
                " " <label for=id>{label}</label>
            </span>
        }
    };
    let title = format!("{} {}", words.get_untracked().settings_of, line.name);
    view! {
        <section class="card line-settings" aria-labelledby="line-settings">
            <h2 id="line-settings">{title}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let words = words.get();
                    let queues = queues.await.unwrap_or_default();
                    let agents: Vec<_> = agents.await.unwrap_or_default().into_iter().filter(|a| a.active).collect();
                    let group_agents = agents.clone();
                    view! {
                        <fieldset class="stacked-form line-route">
                            <legend>{words.go_to}</legend>
                            {radio("queue", words.a_queue)}
                            <label for="route-queue">{words.queue}</label>
                            <select id="route-queue" on:change=move |e| { queue.set(event_target_value(&e)); kind.set("queue".into()); }>
                                <option value="">"—"</option>
                                {queues.into_iter().map(|q| {
                                    let selected = q.id == queue.get_untracked();
                                    view! { <option value=q.id selected=selected>{q.name}</option> }
                                }).collect_view()}
                            </select>
                            {radio("agent", words.one_agent)}
                            <label for="route-agent">{words.agent}</label>
                            <select id="route-agent" on:change=move |e| { agent.set(event_target_value(&e)); kind.set("agent".into()); }>
                                <option value="">"—"</option>
                                {agents.into_iter().map(|a| {
                                    let selected = a.id == agent.get_untracked();
                                    view! { <option value=a.id selected=selected>{a.name}</option> }
                                }).collect_view()}
                            </select>
                            {radio("agents", words.a_group)}
                            <fieldset class="route-group">
                                <legend>{words.group}</legend>
                                {group_agents.into_iter().map(|a| {
                                    let (id, field) = (a.id.clone(), format!("route-group-{}", a.id));
                                    let checked = id.clone();
                                    view! {
                                        <span>
                                            <input type="checkbox" id=field.clone()
                                                prop:checked=move || group.with(|g| g.contains(&checked))
                                                on:change=move |e| {
                                                    let on = event_target_checked(&e);
                                                    group.update(|g| {
                                                        g.retain(|other| *other != id);
                                                        if on { g.push(id.clone()); }
                                                    });
                                                    kind.set("agents".into());
                                                } />
                                            " " <label for=field>{a.name}</label>
                                        </span>
                                    }
                                }).collect_view()}
                            </fieldset>
                            {(kind.get_untracked() == "menu").then(|| radio("menu", words.the_menu))}
                            <button type="button" on:click=save_route disabled=move || route.pending().get()>{words.save_route}</button>
                            {move || matches!(route.value().get(), Some(Ok(()))).then(|| view! { <p role="status">{words.route_saved}</p> })}
                            <FormError error=Signal::derive(move || refusal(route)) />
                        </fieldset>
                    }
                })}
            </Transition>
            {move || {
                let words = words.get();
                view! {
                    <ActionForm action=webhook attr:class="stacked-form line-webhook">
                        <input type="hidden" name="line_id" value=line_id.get_value() />
                        <label for="line-webhook">{words.webhook}</label>
                        <input id="line-webhook" name="url" type="url" autocomplete="off" aria-describedby="line-webhook-hint"
                            value=webhook_url.get_value() />
                        <p class="hint" id="line-webhook-hint">{words.webhook_hint}</p>
                        <button type="submit">{words.save_webhook}</button>
                    </ActionForm>
                }
            }}
            {move || match webhook.value().get() {
                Some(Ok(Some(secret))) => view! {
                    <p role="status" class="shown-once">{words.get().secret} " " <code class="secret">{secret}</code></p>
                }.into_any(),
                Some(Ok(None)) => view! { <p role="status">{words.get().no_webhook}</p> }.into_any(),
                _ => ().into_any(),
            }}
            <FormError error=Signal::derive(move || refusal(webhook)) />
            <button type="button" on:click=move |_| close.set(None)>{move || words.get().close}</button>
        </section>
    }
}
