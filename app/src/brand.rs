//! The company's brand (W5) in every page's top bar: its logo and name, asked by the browser like
//! who is signed in; and the supervisor's form that changes them, and the company's time zone.

use crate::components::{refusal, FormError};
use crate::contract::BrandingView;
use crate::error::UiError;
use crate::i18n::use_words;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "branding")]
pub async fn branding() -> Result<BrandingView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.branding(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "rename_company")]
pub async fn rename_company(name: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.rename_company(crate::ssr::session_token(), name).await)
}

#[server(prefix = "/api", endpoint = "set_company_time_zone")]
pub async fn set_company_time_zone(time_zone: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.set_company_time_zone(crate::ssr::session_token(), time_zone).await)
}

#[server(prefix = "/api", endpoint = "remove_company_logo")]
pub async fn remove_company_logo() -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.remove_company_logo(crate::ssr::session_token()).await)
}

/// The brand at the start of the top bar, a link to the start page; the product's name until the
/// browser has asked.
#[component]
pub fn Brand(brand: LocalResource<Result<BrandingView, UiError>>) -> impl IntoView {
    view! {
        <a href="/" class="brand">
            {move || match brand.get() {
                Some(Ok(brand)) => view! {
                    {brand.logo_url.map(|logo| view! { <img class="brand-logo" src=logo alt="" /> })}
                    <span class="brand-name">{brand.name}</span>
                }.into_any(),
                _ => view! { <span class="brand-name">"Ikono Chat"</span> }.into_any(),
            }}
        </a>
    }
}

struct Words {
    brand: &'static str,
    company_name: &'static str,
    save_name: &'static str,
    logo: &'static str,
    logo_hint: &'static str,
    remove_logo: &'static str,
    saved: &'static str,
    time_zone: &'static str,
    time_zone_hint: &'static str,
    save_time_zone: &'static str,
}

const ENGLISH: Words = Words {
    brand: "Your brand",
    company_name: "Company name",
    save_name: "Save company name",
    logo: "Logo",
    logo_hint: "A PNG, JPEG, GIF or WebP picture of at most 1 MB; every page's top bar shows it.",
    remove_logo: "Remove the logo",
    saved: "Saved.",
    time_zone: "Time zone",
    time_zone_hint: "The reports count whole days on its clocks; named as the IANA list does, such as Europe/Madrid or America/Argentina/Buenos_Aires. Until one is set, UTC.",
    save_time_zone: "Save time zone",
};

const SPANISH: Words = Words {
    brand: "Tu marca",
    company_name: "Nombre de la empresa",
    save_name: "Guardar el nombre de la empresa",
    logo: "Logo",
    logo_hint: "Una imagen PNG, JPEG, GIF o WebP de hasta 1 MB; la muestra la barra superior de cada página.",
    remove_logo: "Quitar el logo",
    saved: "Guardado.",
    time_zone: "Zona horaria",
    time_zone_hint: "Los informes cuentan días completos en su hora; con el nombre de la lista IANA, como Europe/Madrid o America/Argentina/Buenos_Aires. Mientras no haya una, UTC.",
    save_time_zone: "Guardar la zona horaria",
};

/// The supervisor's form for the company's name and logo; the logo is sent as it is chosen.
#[component]
pub fn BrandForm() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let rename = ServerAction::<RenameCompany>::new();
    let remove = ServerAction::<RemoveCompanyLogo>::new();
    let zone = ServerAction::<SetCompanyTimeZone>::new();
    let uploaded = RwSignal::new(0u64);
    let upload_refused = RwSignal::new(None::<UiError>);
    let brand = Resource::new(
        move || (rename.version().get(), remove.version().get(), zone.version().get(), uploaded.get()),
        |_| branding(),
    );
    let choose = move |_event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(file) = crate::browser::chosen_file(&_event) {
            leptos::task::spawn_local(async move {
                let sent: Result<serde_json::Value, String> =
                    crate::browser::send_file("/api/v1/company/logo", Vec::new(), file).await;
                match sent {
                    Ok(_) => {
                        upload_refused.set(None);
                        uploaded.update(|n| *n += 1);
                    }
                    Err(reason) => upload_refused.set(Some(UiError::Invalid(reason))),
                }
            });
        }
    };
    let failure = Signal::derive(move || {
        refusal(rename).or_else(|| refusal(remove)).or_else(|| refusal(zone)).or_else(|| upload_refused.get())
    });
    view! {
        <section class="brand-form" aria-labelledby="brand-form">
            <h2 id="brand-form">{move || words.get().brand}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let words = words.get();
                    let brand = brand.await.ok()?;
                    let saved = move || {
                        let done = matches!(rename.value().get(), Some(Ok(()))) || matches!(zone.value().get(), Some(Ok(())));
                        done.then(|| view! { <p role="status">{words.saved}</p> })
                    };
                    Some(view! {
                        <ActionForm action=rename attr:class="inline-form">
                            <label for="company-name">{words.company_name}</label>
                            <input id="company-name" name="name" type="text" required maxlength="120" value=brand.name />
                            <button type="submit">{words.save_name}</button>
                        </ActionForm>
                        <ActionForm action=zone attr:class="inline-form">
                            <label for="company-time-zone">{words.time_zone}</label>
                            <input id="company-time-zone" name="time_zone" type="text" required maxlength="64"
                                aria-describedby="company-time-zone-hint" value=brand.time_zone.unwrap_or_else(|| "UTC".into()) />
                            <button type="submit">{words.save_time_zone}</button>
                        </ActionForm>
                        <p class="hint" id="company-time-zone-hint">{words.time_zone_hint}</p>
                        {saved}
                        {brand.logo_url.map(|logo| view! {
                            <p><img class="brand-logo preview" src=logo alt=words.logo /></p>
                            <ActionForm action=remove attr:class="inline-form">
                                <button type="submit">{words.remove_logo}</button>
                            </ActionForm>
                        })}
                    })
                })}
            </Transition>
            <label for="company-logo">{move || words.get().logo}</label>
            <input id="company-logo" type="file" accept="image/png,image/jpeg,image/gif,image/webp"
                aria-describedby="company-logo-hint" on:change=choose />
            <p class="hint" id="company-logo-hint">{move || words.get().logo_hint}</p>
            <FormError error=failure />
        </section>
    }
}
