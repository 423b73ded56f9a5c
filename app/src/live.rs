//! Changes pushed by the server: the page names a topic and runs a callback on every change of it.
//! People's pages use one WebSocket, `/api/v1/ws`, authenticated by the session cookie (while it is
//! open an agent is online). It reconnects after a second when it drops. (The widget's room
//! follows its own WebSocket from `public/widget-room.js`.)

/// Calls `changed` whenever the server reports a change of `topic`, and on every (re)connection,
/// since changes made meanwhile were not pushed. Does nothing on the server.
pub fn on_live_change(topic: &'static str, changed: impl Fn() + 'static) {
    on_live_change_at(|| Some("/api/v1/ws".to_string()), topic, changed);
}

/// The same over the WebSocket at `path` (on this page's host), once `path` names one, and again
/// whenever it changes.
#[cfg(feature = "hydrate")]
fn on_live_change_at(path: impl Fn() -> Option<String> + 'static, topic: &'static str, changed: impl Fn() + 'static) {
    use leptos::prelude::{on_cleanup, Effect};
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    let changed: Rc<dyn Fn()> = Rc::new(changed);
    Effect::new(move |_| {
        let Some(path) = path() else { return };
        let connection = Rc::new(Connection {
            path,
            topic,
            changed: changed.clone(),
            open: Cell::new(true),
            socket: RefCell::new(None),
        });
        connection.clone().connect();
        let connection = send_wrapper::SendWrapper::new(connection);
        on_cleanup(move || connection.close());
    });
}

#[cfg(feature = "hydrate")]
struct Connection {
    path: String,
    topic: &'static str,
    changed: std::rc::Rc<dyn Fn()>,
    /// False once the page is gone: no more reconnecting.
    open: std::cell::Cell<bool>,
    socket: std::cell::RefCell<Option<web_sys::WebSocket>>,
}

#[cfg(feature = "hydrate")]
impl Connection {
    fn connect(self: std::rc::Rc<Self>) {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;

        let Some(window) = web_sys::window() else { return };
        let location = window.location();
        let scheme = if location.protocol().as_deref() == Ok("https:") { "wss" } else { "ws" };
        let Ok(host) = location.host() else { return };
        let Ok(socket) = web_sys::WebSocket::new(&format!("{scheme}://{host}{}", self.path)) else { return };

        let this = self.clone();
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else { return };
            let Ok(change) = serde_json::from_str::<Change>(&text) else { return };
            if change.topic == this.topic || change.topic == "connected" {
                (this.changed)();
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let this = self.clone();
        let on_close = Closure::once(move |_event: web_sys::CloseEvent| {
            if !this.open.get() {
                return;
            }
            let again = this.clone();
            let retry = Closure::once(move || again.connect());
            if let Some(window) = web_sys::window() {
                let _ =
                    window.set_timeout_with_callback_and_timeout_and_arguments_0(retry.as_ref().unchecked_ref(), 1000);
            }
            retry.forget();
        });
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();
        *self.socket.borrow_mut() = Some(socket);
    }

    fn close(&self) {
        self.open.set(false);
        if let Some(socket) = self.socket.borrow_mut().take() {
            let _ = socket.close();
        }
    }
}

#[cfg(feature = "hydrate")]
#[derive(serde::Deserialize)]
struct Change {
    topic: String,
}

#[cfg(not(feature = "hydrate"))]
fn on_live_change_at(
    _path: impl Fn() -> Option<String> + 'static,
    _topic: &'static str,
    _changed: impl Fn() + 'static,
) {
}
