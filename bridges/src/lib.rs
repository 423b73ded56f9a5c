//! Channel bridges, one module per channel: each verifies and reads a provider's notifications
//! into what the domain understands, and builds what we send back. Pure: no IO, no clock; the
//! server's workers do the calling, with the fixtures of `tests/fixtures/` as the providers'
//! own words.
//!
//! - [`meta`]: what Meta's platforms share at a callback (signature, subscription handshake).
//! - [`whatsapp_cloud`]: WhatsApp Business through Meta's Cloud API.

pub mod meta;
pub mod whatsapp_cloud;
