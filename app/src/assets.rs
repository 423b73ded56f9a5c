//! Where browsers find the app's files.

/// The bundle that hydrates the console and the agents' pages: `/pkg/ikono-chat.js` and its WASM.
pub const APP_BUNDLE: &str = "ikono-chat";
/// The one stylesheet every page loads.
pub const STYLESHEET: &str = "/pkg/ikono-chat.css";
