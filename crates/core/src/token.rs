//! Random secrets (session tokens, CSRF tokens, generated passwords) and the digest stored for them.

use sha2::{Digest, Sha256};

/// The system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("系统随机数源不可用")]
pub struct RandomUnavailable;

/// A fresh secret of 32 random bytes, hex-encoded (64 characters).
pub fn new_secret() -> Result<String, RandomUnavailable> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| RandomUnavailable)?;
    Ok(hex::encode(bytes))
}

/// A fresh password of `len` characters from an alphabet without look-alikes (no 0/O, 1/l/I).
pub fn new_password(len: usize) -> Result<String, RandomUnavailable> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut byte = [0u8; 1];
        getrandom::fill(&mut byte).map_err(|_| RandomUnavailable)?;
        // Reject the top of the byte range so every letter is equally likely.
        let limit = 256 - 256 % ALPHABET.len();
        if usize::from(byte[0]) < limit {
            out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

/// The SHA-256 digest (hex) under which a token is stored: a stolen table yields no usable token.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_distinct_and_stored_as_digests() -> Result<(), RandomUnavailable> {
        let a = new_secret()?;
        let b = new_secret()?;
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), a);
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
        assert!(!constant_time_eq("abc", "ab"));
        let password = new_password(16)?;
        assert_eq!(password.chars().count(), 16);
        assert!(!password.contains(['0', 'O', '1', 'l', 'I']));
        Ok(())
    }
}
