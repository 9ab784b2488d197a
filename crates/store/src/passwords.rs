//! Users changing their own password: the current one verified as at login (and counted by the
//! same throttle when wrong), the new one within the policy, the user's other sessions ended and
//! the change audited in the same transaction (decision 0025).

use crate::audit::append;
use crate::login_failures;
use crate::sessions::SessionUser;
use crate::users::hash_password;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::login_throttle::ThrottlePolicy;
use jixiao_core::{password, time};
use serde_json::json;

/// A user's own password change as typed.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    /// The password in use now.
    pub current: &'a str,
    /// The new password.
    pub new: &'a str,
    /// The new password typed again, where the form asks for it.
    pub again: Option<&'a str>,
}

impl Store {
    /// Changes the password of the session's own user, for a client at `address`.
    ///
    /// The typed fields are checked first ([`password::check_change`]). The current password is
    /// then checked as a login checks it: refused while the login throttle makes the user or
    /// the address wait ([`Error::Throttled`]), a failure recorded before the check and
    /// audited as `user.change_password_failed` when the password is wrong (a field error on
    /// `current_password`). When it is right, in one transaction: the new hash is stored, the
    /// must-change flag cleared, the user's other sessions ended (this one stays), and
    /// `user.change_password` appended. No password reaches the log or the audit record.
    pub async fn change_own_password(
        &self,
        session: &SessionUser,
        change: PasswordChange<'_>,
        policy: &ThrottlePolicy,
        address: &str,
    ) -> Result<()> {
        password::check_change(change.current, change.new, change.again)?;
        let user = &session.user;
        let username = user.username.as_str();
        let address: String = address.chars().take(64).collect();

        let mut tx = self.begin().await?;
        login_failures::lock(&mut tx, username, &address).await?;
        let now = time::now();
        let since = policy.window_start(now);
        let tallies = login_failures::count(&mut tx, username, &address, since).await?;
        let (stored, was_required): (String, bool) = on_tx!(&mut tx, |conn| {
            sqlx::query_as("SELECT password_hash, must_change_password FROM users WHERE id = $1")
                .bind(user.id)
                .fetch_one(&mut *conn)
                .await?
        });
        if let Some(throttle) = policy.check(&tallies, now) {
            tx.rollback().await?;
            tracing::info!(
                "password change refused for {}s ({}): {username:?} from {address:?}",
                throttle.retry_after_seconds(),
                throttle.scope.code()
            );
            return Err(Error::Throttled {
                message: format!("密码错误次数过多，请{}后再试", throttle.wait_text()),
                retry_after_seconds: throttle.retry_after_seconds(),
            });
        }
        login_failures::record(&mut tx, username, &address, now).await?;
        tx.commit().await?;

        let current_ok = {
            let current = change.current.to_owned();
            let stored = stored.clone();
            // As at login: an over-long password cannot be right and is not hashed.
            let too_long = current.chars().count() > password::MAX_LEN;
            tokio::task::spawn_blocking(move || {
                if too_long {
                    password::verify_against_nothing("");
                    false
                } else {
                    password::verify(&current, &stored)
                }
            })
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
        };
        if !current_ok {
            let mut tx = self.begin().await?;
            append(
                &mut tx,
                AuditEntry::new(username, "user.change_password_failed", "user", username)
                    .in_jurisdiction(user.jurisdiction.as_deref())
                    .with_details(json!({"reason": "wrong_password", "address": address})),
            )
            .await?;
            login_failures::audit_imposed_wait(
                &mut tx,
                username,
                user.jurisdiction.as_deref(),
                &address,
                policy,
                &tallies,
                now,
            )
            .await?;
            tx.commit().await?;
            return Err(Error::invalid(
                "current_password",
                "wrong_password",
                "当前密码不正确，密码未修改",
            ));
        }

        let hash = hash_password(change.new).await?;
        let mut tx = self.begin().await?;
        let (changed, sessions_ended) = on_tx!(&mut tx, |conn| {
            // Only over the hash just verified: a change or reset made meanwhile wins.
            let changed = sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = FALSE \
                 WHERE id = $2 AND password_hash = $3",
            )
            .bind(&hash)
            .bind(user.id)
            .bind(&stored)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user.id)
                .bind(&session.token_digest)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            (changed, ended)
        });
        if changed == 0 {
            tx.rollback().await?;
            return Err(Error::conflict(
                crate::ConflictCode::CredentialsChanged,
                "密码刚刚已被修改或重置，请重新登录后再试".to_owned(),
            ));
        }
        login_failures::forgive(&mut tx, username, &address, since).await?;
        append(
            &mut tx,
            AuditEntry::new(username, "user.change_password", "user", username)
                .in_jurisdiction(user.jurisdiction.as_deref())
                .with_details(json!({
                    "address": address,
                    "was_required": was_required,
                    "sessions_ended": sessions_ended,
                })),
        )
        .await?;
        self.commit_session_change(tx).await
    }
}
