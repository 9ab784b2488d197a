//! Failed password checks — at login and when users change their own password — counted in the
//! database by (client address, user name), by address and by user name (decision 0019), and
//! the audit records of the waits they impose. Both checks share these counts, so a stolen
//! session cannot be used to guess its user's password faster than the login page allows.

use crate::Result;
use crate::audit::append;
use crate::tx::Tx;
use jixiao_core::audit::AuditEntry;
use jixiao_core::login_throttle::{Scope, Tallies, Tally, ThrottlePolicy};
use jixiao_core::time::Micros;
use serde_json::json;

/// Serializes the attempts for `username` and for `address`: PostgreSQL advisory locks, always
/// in that order (SQLite's write lock, held by every write transaction, does the same). Read the
/// time only once they are held, so failures stamped by attempts that held them before are never
/// later than it.
pub(crate) async fn lock(tx: &mut Tx, username: &str, address: &str) -> Result<()> {
    if tx.is_postgres() {
        on_tx!(tx, |conn| {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext('login-user:' || $1))")
                .bind(username)
                .execute(&mut *conn)
                .await?;
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext('login-address:' || $1))")
                .bind(address)
                .execute(&mut *conn)
                .await?;
        });
    }
    Ok(())
}

/// The failures since `since` of the pair, of the address and of the user name.
pub(crate) async fn count(
    tx: &mut Tx,
    username: &str,
    address: &str,
    since: Micros,
) -> Result<Tallies> {
    let (pair, by_address, account) = on_tx!(tx, |conn| {
        let pair: (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM login_failures \
             WHERE username = $1 AND address = $2 AND at > $3",
        )
        .bind(username)
        .bind(address)
        .bind(since)
        .fetch_one(&mut *conn)
        .await?;
        let by_address: (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM login_failures \
             WHERE address = $1 AND at > $2",
        )
        .bind(address)
        .bind(since)
        .fetch_one(&mut *conn)
        .await?;
        let account: (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM login_failures \
             WHERE username = $1 AND at > $2",
        )
        .bind(username)
        .bind(since)
        .fetch_one(&mut *conn)
        .await?;
        (pair, by_address, account)
    });
    let tally = |(failures, last): (i64, i64)| Tally {
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        last,
    };
    Ok(Tallies {
        pair: tally(pair),
        address: tally(by_address),
        account: tally(account),
    })
}

/// Records a failure *before* the password is checked, so parallel guesses cannot slip past.
pub(crate) async fn record(tx: &mut Tx, username: &str, address: &str, now: Micros) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("INSERT INTO login_failures (username, address, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(address)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// After a right password: this address's failures for this name are forgiven (other
/// addresses' are not), and failures older than the window are removed.
pub(crate) async fn forgive(
    tx: &mut Tx,
    username: &str,
    address: &str,
    since: Micros,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM login_failures WHERE username = $1 AND address = $2")
            .bind(username)
            .bind(address)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM login_failures WHERE at <= $1")
            .bind(since)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// Audits the wait that the failure just recorded imposes on the next attempt, if any:
/// `login.locked` when it locks the account, else `login.throttled`.
pub(crate) async fn audit_imposed_wait(
    tx: &mut Tx,
    username: &str,
    jurisdiction: Option<&str>,
    address: &str,
    policy: &ThrottlePolicy,
    tallies: &Tallies,
    now: Micros,
) -> Result<()> {
    let Some(throttle) = policy.check(&tallies.plus_one(now), now) else {
        return Ok(());
    };
    let action = match throttle.scope {
        Scope::Account => "login.locked",
        Scope::Pair | Scope::Address => "login.throttled",
    };
    append(
        tx,
        AuditEntry::new(username, action, "session", username)
            .in_jurisdiction(jurisdiction)
            .with_details(json!({
                "address": address,
                "scope": throttle.scope.code(),
                "retry_after_seconds": throttle.retry_after_seconds(),
                "retry_after_ms": throttle.retry_after / 1000,
                "failures": match throttle.scope {
                    Scope::Pair => tallies.pair.failures,
                    Scope::Address => tallies.address.failures,
                    Scope::Account => tallies.account.failures,
                }.saturating_add(1),
            })),
    )
    .await?;
    Ok(())
}
