//! Logins, sessions and logouts. Sessions live in the database so several servers can share
//! one PostgreSQL; only a digest of each token is stored. Failed logins are counted in the
//! database (so every server sharing it sees them) by (client address, user name), by address
//! and by user name, and attempts are refused as the throttle policy says (decision 0019).

use crate::audit::append;
use crate::login_failures;
use crate::users::{SELECT_USER, User, UserRow};
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::login_throttle::{Throttle, ThrottlePolicy};
use jixiao_core::time::{self, Micros};
use jixiao_core::{Actor, password, token, user};
use serde_json::json;

/// How long a session lasts from login.
pub const SESSION_LIFETIME: Micros = 12 * 3600 * 1_000_000;

/// How a session was opened: by the login page (cookie) or by the API (bearer token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Cookie session of a person in a browser; forms need its CSRF token.
    Web,
    /// Bearer token of another system or a script.
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// A successful login. Its `Debug` leaves the token out.
#[derive(Clone)]
pub struct LoginOutcome {
    /// The session token, given to the client once (cookie or bearer).
    pub token: String,
    /// The user.
    pub user: User,
}

/// Why a login was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginRefusal {
    /// Too many failures recently; the throttle says when to retry (and its message says it).
    Throttled(Throttle),
    /// Unknown username or wrong password (deliberately not told apart).
    BadCredentials,
    /// The password is right but the account is disabled.
    Disabled,
}

/// The user behind a live session. Its `Debug` leaves the CSRF token and the token's digest
/// out.
#[derive(Clone)]
pub struct SessionUser {
    /// The user.
    pub user: User,
    /// The session's kind.
    pub kind: SessionKind,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// Digest of the session token (to end it).
    pub token_digest: String,
    /// The business date of the user's jurisdiction (业务日期): the day its pages take as today.
    pub business_date: chrono::NaiveDate,
}

impl std::fmt::Debug for LoginOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginOutcome")
            .field("token", &"…")
            .field("user", &self.user)
            .finish()
    }
}

impl std::fmt::Debug for SessionUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionUser")
            .field("user", &self.user)
            .field("kind", &self.kind)
            .field("csrf_token", &"…")
            .field("token_digest", &"…")
            .field("business_date", &self.business_date)
            .finish()
    }
}

impl SessionUser {
    /// The actor for use cases run in this session.
    pub fn actor(&self) -> Actor {
        self.user.actor()
    }
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: i64,
    password_hash: String,
    disabled: bool,
    jurisdiction_code: Option<String>,
}

impl Store {
    /// Checks a username and password and opens a session, for a client whose address is not
    /// known (tools and tests); see [`Store::login_from`].
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        kind: SessionKind,
        policy: &ThrottlePolicy,
    ) -> Result<std::result::Result<LoginOutcome, LoginRefusal>> {
        self.login_from(username, password, kind, policy, "").await
    }

    /// Checks a username and password from the client at `address` and opens a session.
    ///
    /// The failures of the pair (address, username), of the address and of the username are
    /// counted first, in a transaction holding a lock on the username and one on the address
    /// (PostgreSQL advisory locks, always in that order; SQLite's write lock does the same), and
    /// the attempt is refused while the policy says to wait. Otherwise a failure is recorded
    /// *before* the password is checked, so parallel guesses cannot slip past the limit; a
    /// success removes the pair's failures (not those of other addresses). A failure that makes
    /// the next attempt wait is audited as `login.throttled`, or `login.locked` when it locks
    /// the account. Unknown usernames are counted and timed like real ones.
    pub async fn login_from(
        &self,
        username: &str,
        password: &str,
        kind: SessionKind,
        policy: &ThrottlePolicy,
        address: &str,
    ) -> Result<std::result::Result<LoginOutcome, LoginRefusal>> {
        // A name that cannot exist is still throttled and timed like one that could.
        let username: String = username.trim().chars().take(64).collect();
        let address: String = address.chars().take(64).collect();
        let mut tx = self.begin().await?;
        login_failures::lock(&mut tx, &username, &address).await?;
        // The time is read once the locks are held (see `login_failures::lock`).
        let now = time::now();
        let since = policy.window_start(now);
        let tallies = login_failures::count(&mut tx, &username, &address, since).await?;
        let credentials: Option<Credentials> = on_tx!(&mut tx, |conn| {
            sqlx::query_as(
                "SELECT id, password_hash, disabled, jurisdiction_code FROM users \
                 WHERE username = $1",
            )
            .bind(&username)
            .fetch_optional(&mut *conn)
            .await?
        });
        if let Some(throttle) = policy.check(&tallies, now) {
            // Refused attempts write nothing (so hammering costs the log nothing); the throttle
            // itself was audited when the failure that imposed it was recorded.
            tx.rollback().await?;
            tracing::info!(
                "login refused for {}s ({}): {username:?} from {address:?}",
                throttle.retry_after_seconds(),
                throttle.scope.code()
            );
            return Ok(Err(LoginRefusal::Throttled(throttle)));
        }
        let jurisdiction = credentials
            .as_ref()
            .and_then(|c| c.jurisdiction_code.clone());
        login_failures::record(&mut tx, &username, &address, now).await?;
        tx.commit().await?;

        let password_ok = {
            let password = password.to_owned();
            let stored = credentials.as_ref().map(|c| c.password_hash.clone());
            // An over-long password cannot be right; it is not hashed (that would let one
            // request buy a lot of work), but the usual work is still done.
            let too_long = password.chars().count() > password::MAX_LEN;
            tokio::task::spawn_blocking(move || match stored {
                Some(stored) if !too_long => password::verify(&password, &stored),
                _ => {
                    password::verify_against_nothing("");
                    false
                }
            })
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
        };

        let mut tx = self.begin().await?;
        let credentials = match credentials {
            Some(c) if password_ok && !c.disabled => c,
            other => {
                let reason = match other {
                    None => "unknown_user",
                    Some(c) if c.disabled && password_ok => "disabled",
                    Some(_) => "wrong_password",
                };
                append(
                    &mut tx,
                    AuditEntry::new(&username, "login.failed", "session", &username)
                        .in_jurisdiction(jurisdiction.as_deref())
                        .with_details(json!({"reason": reason, "address": address})),
                )
                .await?;
                // The failure just recorded may make the next attempt wait: audit that.
                login_failures::audit_imposed_wait(
                    &mut tx,
                    &username,
                    jurisdiction.as_deref(),
                    &address,
                    policy,
                    &tallies,
                    now,
                )
                .await?;
                tx.commit().await?;
                return Ok(Err(if reason == "disabled" {
                    LoginRefusal::Disabled
                } else {
                    LoginRefusal::BadCredentials
                }));
            }
        };
        let session_token = token::new_secret().map_err(|e| Error::Internal(e.to_string()))?;
        let csrf_token = token::new_secret().map_err(|e| Error::Internal(e.to_string()))?;
        login_failures::forgive(&mut tx, &username, &address, since).await?;
        let user: User = on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
                .bind(credentials.id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, \
                 expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(token::digest(&session_token))
            .bind(credentials.id)
            .bind(kind.as_str())
            .bind(&csrf_token)
            .bind(now)
            .bind(now + SESSION_LIFETIME)
            .execute(&mut *conn)
            .await?;
            let row: UserRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT_USER} WHERE u.id = $1"
            )))
            .bind(credentials.id)
            .fetch_one(&mut *conn)
            .await?;
            row.into_user()?
        });
        append(
            &mut tx,
            AuditEntry::new(&username, "login", "session", &username)
                .in_jurisdiction(jurisdiction.as_deref())
                .with_details(json!({"kind": kind.as_str(), "address": address})),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(LoginOutcome {
            token: session_token,
            user,
        }))
    }

    /// The live session for `session_token`, if any: not expired, user not disabled.
    pub async fn session(&self, session_token: &str) -> Result<Option<SessionUser>> {
        // Tokens are 64 hex characters; anything else cannot be one.
        if session_token.len() != 64 || !user::is_valid_username(session_token) {
            return Ok(None);
        }
        let digest = token::digest(session_token);
        let now = time::now();
        if let Some(cached) = self.session_cache.get(&digest, now) {
            return Ok(Some(cached));
        }
        // Taken before the read: a change heard while it runs keeps its result out of the cache,
        // and the cached copy's lifetime counts from the read's start.
        let generation = self.session_cache.generation();
        let read_at = std::time::Instant::now();
        // One statement: every API call and page runs it.
        #[derive(sqlx::FromRow)]
        struct Live {
            #[sqlx(flatten)]
            user: UserRow,
            kind: String,
            csrf_token: String,
            expires_at: i64,
            business_date: Option<String>,
        }
        let live: Option<Live> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                crate::users::user_columns!(),
                ", s.kind, s.csrf_token, s.expires_at, j.business_date FROM sessions s \
                 JOIN users u ON u.id = s.user_id \
                 LEFT JOIN agencies a ON a.id = u.agency_id \
                 LEFT JOIN jurisdictions j ON j.code = u.jurisdiction_code \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = FALSE"
            ))
            .bind(&digest)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        let Some(live) = live else { return Ok(None) };
        let user = live.user.into_user()?;
        let business_date = crate::business_dates::business_date_from(
            live.business_date.as_deref(),
            user.jurisdiction.as_deref().unwrap_or_default(),
        )?;
        let session = SessionUser {
            user,
            business_date,
            kind: if live.kind == "api" {
                SessionKind::Api
            } else {
                SessionKind::Web
            },
            csrf_token: live.csrf_token,
            token_digest: digest,
        };
        if let Some(generation) = generation {
            self.session_cache.put(
                generation,
                read_at,
                session.clone(),
                live.expires_at,
                live.business_date.is_none(),
            );
        }
        Ok(Some(session))
    }

    /// Ends a session.
    pub async fn logout(&self, session: &SessionUser) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(&session.token_digest)
                .execute(&mut *conn)
                .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &session.user.username,
                "logout",
                "session",
                &session.user.username,
            )
            .in_jurisdiction(session.user.jurisdiction.as_deref()),
        )
        .await?;
        self.commit_session_change(tx).await
    }
}
