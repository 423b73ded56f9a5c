//! Channel bridges, one module per channel (web widget, Meta WhatsApp Cloud, Gupshup, Twilio,
//! Instagram, Messenger, WhatsApp Web). Each verifies and parses a provider's inbound webhook into
//! normalized domain input and sends normalized output back to the provider. The first bridge
//! arrives with the routing issue; this crate fixes its place in the workspace.
