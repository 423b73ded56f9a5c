//! The agent's workspace (W1): one screen, their state and inbox beside the chat they open;
//! switching chats changes only the chat's side.

use crate::i18n::use_words;
use crate::pages::agent::MyStatus;
use crate::pages::chats::MyChats;
use crate::pages::colleagues::Colleagues;
use crate::pages::dashboard::MyDashboard;
use crate::shortcuts::Shortcuts;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let new_conversation = use_words(&"New conversation", &"Nueva conversación");
    view! {
        <div class="workspace">
            <aside class="workspace-side">
                <MyStatus />
                <A href="/agent/new" attr:class="button new-conversation">{move || *new_conversation.get()}</A>
                <MyChats />
                <Colleagues />
                <Shortcuts />
            </aside>
            <div class="workspace-chat">
                <Outlet />
            </div>
        </div>
    }
}

/// The chat's side before one is opened: the agent's day, and where to start.
#[component]
pub fn NoChatOpen() -> impl IntoView {
    let words = use_words(&"Open a chat from the inbox.", &"Abre un chat de la bandeja.");
    view! {
        <MyDashboard />
        <section class="card empty no-chat"><p>{move || *words.get()}</p></section>
    }
}
