//! Secrets tenants hand us (providers' tokens, app secrets), sealed before they reach the log:
//! XChaCha20-Poly1305 under the installation's key, which comes from configuration and is never
//! stored with the data. A sealed secret is bound to what it belongs to (a line's id and the
//! secret's name), so that it cannot be copied into another line and opened there.
//!
//! Sealed text: `v1:` and the hex of a random 24-byte nonce followed by the ciphertext.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use domain::line::Sealed;

const VERSION: &str = "v1:";
const NONCE_BYTES: usize = 24;

/// What a secret of a line is sealed for: the line and the secret's name (`access_token`…).
pub fn line_secret(line: domain::ids::LineId, name: &str) -> String {
    format!("line:{line}:{name}")
}

/// The installation's key: 32 bytes.
#[derive(Clone)]
pub struct SecretsKey([u8; 32]);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(…)")
    }
}

impl PartialEq for SecretsKey {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secrets key is 64 hexadecimal digits (32 bytes)")]
    InvalidKey,
    #[error("a sealed secret could not be opened: another key sealed it, or it belongs elsewhere")]
    Unopenable,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

impl SecretsKey {
    /// Another key for another use (`purpose`), derived from this one: knowing it opens nothing
    /// this key seals.
    pub fn derived(&self, purpose: &str) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let bytes = from_hex(text.trim()).ok_or(SecretError::InvalidKey)?;
        Ok(SecretsKey(bytes.try_into().map_err(|_| SecretError::InvalidKey)?))
    }

    /// Seals `secret` as belonging to `owner` (e.g. `line:<id>:access_token`).
    pub fn seal(&self, owner: &str, secret: &str) -> Sealed {
        let mut nonce = [0u8; NONCE_BYTES];
        // Without the system's randomness there is no safe nonce: nothing is sealed at all.
        if getrandom::fill(&mut nonce).is_err() {
            return Sealed(String::new());
        }
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret.as_bytes(), aad: owner.as_bytes() })
            .unwrap_or_default();
        Sealed(format!("{VERSION}{}{}", hex(&nonce), hex(&sealed)))
    }

    /// Opens what [`Self::seal`] sealed for the same `owner`.
    pub fn open(&self, owner: &str, sealed: &Sealed) -> Result<String, SecretError> {
        let bytes = sealed.0.strip_prefix(VERSION).and_then(from_hex).ok_or(SecretError::Unopenable)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(SecretError::Unopenable);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: owner.as_bytes() })
            .map_err(|_| SecretError::Unopenable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Unopenable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretsKey {
        SecretsKey::parse(&format!("{byte:02x}").repeat(32)).expect("a key")
    }

    #[test]
    fn a_secret_opens_with_its_key_for_its_owner_only() {
        let sealed = key(1).seal("line:a:access_token", "EAAG-token");
        assert!(sealed.0.starts_with("v1:") && !sealed.0.contains("EAAG"));
        assert_eq!(key(1).open("line:a:access_token", &sealed), Ok("EAAG-token".into()));
        assert_eq!(key(2).open("line:a:access_token", &sealed), Err(SecretError::Unopenable));
        assert_eq!(key(1).open("line:b:access_token", &sealed), Err(SecretError::Unopenable));
        assert_ne!(key(1).seal("o", "same").0, key(1).seal("o", "same").0, "a fresh nonce each time");
        for broken in ["", "v1:", "v1:zz", "v2:00", &format!("v1:{}", "00".repeat(24))] {
            assert_eq!(key(1).open("o", &Sealed(broken.into())), Err(SecretError::Unopenable), "{broken}");
        }
        let mut tampered = sealed.0.clone();
        tampered.replace_range(tampered.len() - 2.., "00");
        assert_eq!(key(1).open("line:a:access_token", &Sealed(tampered)), Err(SecretError::Unopenable));
    }

    #[test]
    fn a_key_is_64_hex_digits() {
        assert!(SecretsKey::parse(&"ab".repeat(32)).is_ok());
        for bad in ["", "ab", &"ab".repeat(31), &"zz".repeat(32), &"é".repeat(32)] {
            assert_eq!(SecretsKey::parse(bad), Err(SecretError::InvalidKey), "{bad}");
        }
        assert_eq!(format!("{:?}", key(7)), "SecretsKey(…)");
    }
}
