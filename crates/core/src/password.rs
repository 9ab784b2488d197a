//! Password hashing with argon2id (PHC strings), the constant-work check for unknown users, and
//! the rules for a new password: the policy, and what a user changing their own must type.

use crate::validation::ValidationErrors;
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

/// Checks a user's own password change before the current password is verified: the current
/// password given, the new one within the policy and different from the current one, and typed
/// the same twice (`again`, when the form asks for it). Every problem at once, by field.
pub fn check_change(current: &str, new: &str, again: Option<&str>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if current.is_empty() {
        errors.add("current_password", "required", "请输入当前密码");
    }
    if let Err(reason) = check_policy(new) {
        errors.add("new_password", "weak_password", reason);
    } else if new == current {
        errors.add(
            "new_password",
            "same_as_current",
            "新密码不能与当前密码相同",
        );
    }
    if again.is_some_and(|again| again != new) {
        errors.add("new_password_again", "mismatch", "两次输入的新密码不一致");
    }
    errors.into_result()
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
    fn a_change_needs_the_current_password_and_a_new_one_typed_twice() {
        let fields = |current, new, again| {
            check_change(current, new, again)
                .err()
                .unwrap_or_default()
                .0
                .into_iter()
                .map(|e| e.code)
                .collect::<Vec<_>>()
        };
        assert!(fields("old-password", "a-new-password", Some("a-new-password")).is_empty());
        assert!(fields("old-password", "a-new-password", None).is_empty());
        assert_eq!(
            fields("", "short", Some("other")),
            ["required", "weak_password", "mismatch"]
        );
        assert_eq!(
            fields("old-password", "old-password", Some("old-password")),
            ["same_as_current"]
        );
    }

    #[test]
    fn the_policy_bounds_length() {
        assert!(check_policy("1234567").is_err());
        assert!(check_policy("12345678").is_ok());
        assert!(check_policy(&"x".repeat(129)).is_err());
    }
}
