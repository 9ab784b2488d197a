//! Password hashing with argon2id (PHC strings), and the constant-work check for unknown users.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::OnceLock;

/// The shortest password accepted.
pub const MIN_LEN: usize = 8;
/// The longest password accepted (argon2 takes any length; this bounds the work per request).
pub const MAX_LEN: usize = 128;

/// A password could not be hashed (the system's random source failed).
#[derive(Debug, thiserror::Error)]
#[error("密码处理失败")]
pub struct HashFailed;

/// Checks a new password against the policy; returns the Chinese reason when it is refused.
pub fn check_policy(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(format!("密码至少{MIN_LEN}位"));
    }
    if len > MAX_LEN {
        return Err(format!("密码不能超过{MAX_LEN}位"));
    }
    Ok(())
}

/// Hashes a password into a PHC string with a fresh random salt.
pub fn hash(password: &str) -> Result<String, HashFailed> {
    let hashed: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|_| HashFailed)?;
    Ok(hashed.to_string())
}

/// Whether `password` matches the stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Does the same work as [`verify`] against a hash no password matches, so that a login for an
/// unknown username takes as long as one with a wrong password.
pub fn verify_against_nothing(password: &str) {
    if let Some(dummy) = dummy_hash() {
        let _ = verify(password, dummy);
    }
}

fn dummy_hash() -> Option<&'static String> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| hash("jixiao-no-such-user").ok())
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() -> Result<(), HashFailed> {
        let stored = hash("correct horse")?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse", &stored));
        assert!(!verify("correct horsE", &stored));
        assert!(!verify("correct horse", "not a hash"));
        assert_ne!(hash("correct horse")?, stored, "salts differ");
        Ok(())
    }

    #[test]
    fn unknown_users_cost_the_same_work_as_known_ones() -> Result<(), HashFailed> {
        // Same algorithm, version and cost parameters: the PHC string up to the salt.
        let params = |phc: &str| phc.split('$').take(4).collect::<Vec<_>>().join("$");
        let real = hash("some password")?;
        let dummy = dummy_hash().ok_or(HashFailed)?;
        assert_eq!(params(dummy), params(&real));
        assert!(params(&real).contains("m=19456,t=2,p=1"), "{real}");
        Ok(())
    }

    #[test]
    fn the_policy_bounds_length() {
        assert!(check_policy("1234567").is_err());
        assert!(check_policy("12345678").is_ok());
        assert!(check_policy(&"x".repeat(129)).is_err());
    }
}
