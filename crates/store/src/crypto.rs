//! Secrets at rest: the Telegram token is encrypted with AES-256-GCM under `SECRET_KEY`;
//! API tokens are stored only as SHA-256 hashes and compared in constant time.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use remnabot_domain::{Error, Result};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Binds ciphertexts to their purpose, so a value cannot be moved into another column.
const TELEGRAM_TOKEN_AAD: &[u8] = b"remnabot:bots.telegram_token:v1";
/// Prefix of every API token, so a leaked one is easy to recognise and scan for.
pub const API_TOKEN_PREFIX: &str = "rbt_";

/// The 32-byte key for secrets at rest. Its `Debug` prints nothing of the key.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl SecretKey {
    /// Parses a key written as 64 hex digits or as base64 of 32 bytes.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `SECRET_KEY` with what is wrong (never the value).
    pub fn parse(text: &str) -> Result<SecretKey> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
                .collect::<std::result::Result<Vec<u8>, _>>()
                .map_err(|_| Error::invalid("SECRET_KEY", "is not valid hex"))?
        } else {
            STANDARD
                .decode(text)
                .or_else(|_| URL_SAFE_NO_PAD.decode(text))
                .map_err(|_| Error::invalid("SECRET_KEY", "must be 64 hex digits or base64 of 32 bytes"))?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|v: Vec<u8>| {
            Error::invalid("SECRET_KEY", format!("must be 32 bytes (64 hex digits), got {} bytes", v.len()))
        })?;
        Ok(SecretKey(key))
    }

    /// A fresh random key.
    pub fn generate() -> SecretKey {
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        SecretKey(key)
    }

    /// The key as 64 hex digits, for writing the generated key file.
    pub fn to_hex(&self) -> SecretString {
        SecretString::from(self.0.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    fn cipher(&self) -> Aes256Gcm {
        // A 32-byte slice is always a valid AES-256 key.
        Aes256Gcm::new(&self.0.into())
    }

    /// Encrypts a Telegram token: base64 of `nonce (12 bytes) || ciphertext || tag`.
    ///
    /// # Errors
    /// [`Error::Unavailable`] if the cipher fails (it does not for in-memory input).
    pub fn encrypt_telegram_token(&self, token: &SecretString) -> Result<String> {
        self.encrypt(TELEGRAM_TOKEN_AAD, token)
    }

    /// Decrypts what [`SecretKey::encrypt_telegram_token`] produced.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the value is damaged or was encrypted under another key.
    pub fn decrypt_telegram_token(&self, stored: &str) -> Result<SecretString> {
        self.decrypt(TELEGRAM_TOKEN_AAD, stored)
    }

    /// Encrypts a secret of a tenant's configuration, bound to the tenant and the key so it
    /// cannot be copied to another tenant or another setting.
    ///
    /// # Errors
    /// [`Error::Unavailable`] if the cipher fails.
    pub fn encrypt_config_secret(&self, bot_id: i64, key: &str, value: &SecretString) -> Result<String> {
        self.encrypt(format!("remnabot:bot_configurations:{bot_id}:{key}:v1").as_bytes(), value)
    }

    /// Decrypts what [`SecretKey::encrypt_config_secret`] produced for the same tenant and key.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the value is damaged, moved, or under another key.
    pub fn decrypt_config_secret(&self, bot_id: i64, key: &str, stored: &str) -> Result<SecretString> {
        self.decrypt(format!("remnabot:bot_configurations:{bot_id}:{key}:v1").as_bytes(), stored)
    }

    fn encrypt(&self, aad: &[u8], value: &SecretString) -> Result<String> {
        let mut nonce = [0u8; 12];
        rand::fill(&mut nonce);
        let ct = self
            .cipher()
            .encrypt(&Nonce::from(nonce), Payload { msg: value.expose_secret().as_bytes(), aad })
            .map_err(|_| Error::unavailable("encryption", CipherError))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(STANDARD.encode(out))
    }

    fn decrypt(&self, aad: &[u8], stored: &str) -> Result<SecretString> {
        let raw = STANDARD.decode(stored).map_err(|_| Error::unavailable("decryption", CipherError))?;
        if raw.len() < 12 + 16 {
            return Err(Error::unavailable("decryption", CipherError));
        }
        let (nonce, ct) = raw.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| Error::unavailable("decryption", CipherError))?;
        let plain = self.cipher().decrypt(&Nonce::from(nonce), Payload { msg: ct, aad }).map_err(|_| {
            Error::unavailable("decryption (is SECRET_KEY the one the data was written with?)", CipherError)
        })?;
        String::from_utf8(plain).map(SecretString::from).map_err(|_| Error::unavailable("decryption", CipherError))
    }

    /// A secret derived from this key for `label` (HMAC-SHA256, hex), such as a bot's webhook
    /// secret: stable across restarts, never stored, different for every label.
    #[allow(clippy::expect_used)]
    pub fn derive(&self, label: &str) -> SecretString {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.0).expect("BUG: HMAC takes any key length");
        mac.update(b"remnabot:derive:");
        mac.update(label.as_bytes());
        SecretString::from(hex(&mac.finalize().into_bytes()))
    }

    /// Keyed hash of a Telegram token (HMAC-SHA256, hex), for unique lookup.
    #[allow(clippy::expect_used)]
    pub fn telegram_token_hash(&self, token: &SecretString) -> String {
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.0).expect("BUG: HMAC takes any key length");
        mac.update(token.expose_secret().as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// A cipher failure, without any detail that could help an attacker.
#[derive(Debug, thiserror::Error)]
#[error("authenticated encryption failed")]
struct CipherError;

/// A new API token: `rbt_` and 43 characters of base64url (256 random bits).
pub fn generate_api_token() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    SecretString::from(format!("{API_TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// SHA-256 of an API token, hex. Tokens carry 256 random bits, so a fast hash is enough.
pub fn api_token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two hashes in constant time.
pub fn hashes_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn telegram_tokens_round_trip_and_fail_under_another_key() {
        let key = SecretKey::generate();
        let token = SecretString::from("123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi".to_owned());
        let enc = key.encrypt_telegram_token(&token).unwrap();
        assert!(!enc.contains("ABCDEFGHIJ"));
        assert_ne!(enc, key.encrypt_telegram_token(&token).unwrap(), "nonces must differ");
        assert_eq!(key.decrypt_telegram_token(&enc).unwrap().expose_secret(), token.expose_secret());
        assert!(SecretKey::generate().decrypt_telegram_token(&enc).is_err());
        assert!(key.decrypt_telegram_token("not base64!").is_err());
        let secret = key.encrypt_config_secret(1, "panel_token", &token).unwrap();
        assert_eq!(
            key.decrypt_config_secret(1, "panel_token", &secret).unwrap().expose_secret(),
            token.expose_secret()
        );
        assert!(key.decrypt_config_secret(2, "panel_token", &secret).is_err(), "bound to its tenant");
        assert!(key.decrypt_telegram_token(&secret).is_err(), "bound to its purpose");
    }

    #[test]
    fn secret_key_parses_hex_and_base64_and_names_the_problem() {
        let key = SecretKey::generate();
        let hex = key.to_hex();
        assert!(SecretKey::parse(hex.expose_secret()).is_ok());
        assert!(SecretKey::parse(&STANDARD.encode([7u8; 32])).is_ok());
        let err = SecretKey::parse("short").unwrap_err().to_string();
        assert!(err.contains("SECRET_KEY"), "{err}");
        assert!(!format!("{key:?}").contains(&hex.expose_secret()[..8]));
    }

    #[test]
    fn api_tokens_are_random_and_compared_by_hash() {
        let a = generate_api_token();
        let b = generate_api_token();
        assert!(a.expose_secret().starts_with(API_TOKEN_PREFIX));
        assert_ne!(a.expose_secret(), b.expose_secret());
        let ha = api_token_hash(a.expose_secret());
        assert!(hashes_equal(&ha, &api_token_hash(a.expose_secret())));
        assert!(!hashes_equal(&ha, &api_token_hash(b.expose_secret())));
    }
}
