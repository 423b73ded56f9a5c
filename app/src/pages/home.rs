//! The start page.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Ikono Chat"</h1>
            <p>"Customer-service chat for every channel, with a history nobody can lose or bend."</p>
            <A href="/supervisor/queues">"Supervisor console: queues"</A>
        </section>
    }
}
