//! WhatsApp Business through Meta's Cloud API: `inbound` reads what Meta posts to a line's
//! callback, `outbound` builds what we send and reads Meta's answers, `limits` holds Meta's
//! numbers. The signature and the handshake are Meta's, shared with Instagram and Messenger
//! ([`crate::meta`]).

pub mod inbound;
pub mod limits;
pub mod outbound;
