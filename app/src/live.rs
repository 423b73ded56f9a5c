//! Changes pushed by the server: the page names a topic and runs a callback on every change of it.
//! People's pages use one WebSocket, `/api/v1/ws`, authenticated by the session cookie (while it is
//! open an agent is online), shared by every part of the page that follows a topic: it opens with
//! the first and closes with the last. It reconnects after a second when it drops. (The widget's
//! room follows its own WebSocket from `public/widget-room.js`.)

/// Calls `changed` whenever the server reports a change of `topic`, and on every reconnection,
/// since changes made meanwhile were not pushed; until the calling component is gone. Does nothing
/// on the server.
pub fn on_live_change(topic: &'static str, changed: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    page::follow(topic, changed);
    #[cfg(not(feature = "hydrate"))]
    let _ = (topic, changed);
}

#[cfg(feature = "hydrate")]
mod page {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    const PATH: &str = "/api/v1/ws";

    thread_local! {
        /// The page's one connection, while some part of it follows a topic.
        static PAGE: RefCell<Option<Rc<Connection>>> = const { RefCell::new(None) };
    }

    pub fn follow(topic: &'static str, changed: impl Fn() + 'static) {
        let connection = PAGE.with(|page| {
            let mut page = page.borrow_mut();
            match page.as_ref() {
                Some(connection) => connection.clone(),
                None => {
                    let connection = Rc::new(Connection::default());
                    connection.clone().connect();
                    *page = Some(connection.clone());
                    connection
                }
            }
        });
        let id = connection.next.get();
        connection.next.set(id + 1);
        connection.followers.borrow_mut().push((id, topic, Rc::new(changed)));
        let gone = send_wrapper::SendWrapper::new(move || {
            connection.followers.borrow_mut().retain(|(other, _, _)| *other != id);
            if connection.followers.borrow().is_empty() {
                connection.close();
                PAGE.with(|page| *page.borrow_mut() = None);
            }
        });
        leptos::prelude::on_cleanup(move || gone.take()());
    }

    /// A part of the page following a topic: its number, the topic, what it does on a change.
    type Follower = (u64, &'static str, Rc<dyn Fn()>);

    #[derive(Default)]
    struct Connection {
        followers: RefCell<Vec<Follower>>,
        next: Cell<u64>,
        /// True once nobody follows: no more reconnecting.
        closed: Cell<bool>,
        socket: RefCell<Option<web_sys::WebSocket>>,
    }

    impl Connection {
        fn connect(self: Rc<Self>) {
            let Some(window) = web_sys::window() else { return };
            let location = window.location();
            let scheme = if location.protocol().as_deref() == Ok("https:") { "wss" } else { "ws" };
            let Ok(host) = location.host() else { return };
            let Ok(socket) = web_sys::WebSocket::new(&format!("{scheme}://{host}{PATH}")) else { return };

            let this = self.clone();
            let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let Some(text) = event.data().as_string() else { return };
                let Ok(change) = serde_json::from_str::<Change>(&text) else { return };
                // Called after the borrow ends: a callback may follow or leave a topic.
                let called: Vec<Rc<dyn Fn()>> = this
                    .followers
                    .borrow()
                    .iter()
                    .filter(|(_, topic, _)| change.topic == *topic || change.topic == "connected")
                    .map(|(_, _, changed)| changed.clone())
                    .collect();
                for changed in called {
                    changed();
                }
            });
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget();

            let this = self.clone();
            let on_close = Closure::once(move |_event: web_sys::CloseEvent| {
                if this.closed.get() {
                    return;
                }
                let again = this.clone();
                let retry = Closure::once(move || again.connect());
                if let Some(window) = web_sys::window() {
                    let _ = window
                        .set_timeout_with_callback_and_timeout_and_arguments_0(retry.as_ref().unchecked_ref(), 1000);
                }
                retry.forget();
            });
            socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
            on_close.forget();
            *self.socket.borrow_mut() = Some(socket);
        }

        fn close(&self) {
            self.closed.set(true);
            if let Some(socket) = self.socket.borrow_mut().take() {
                let _ = socket.close();
            }
        }
    }

    #[derive(serde::Deserialize)]
    struct Change {
        topic: String,
    }
}
