//! Users: creating, listing, disabling and resetting them, and requiring a password change at
//! the next login. Disabling or resetting a user ends every session the user has.

use crate::audit::append;
use crate::{Error, Result, Store};
use jixiao_core::audit::AuditEntry;
use jixiao_core::user::NewUser;
use jixiao_core::{Actor, Capability, Role, password, time, token};
use serde::Serialize;
use serde_json::json;

/// A user as pages and the API show it (never with the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Internal id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown on pages.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Jurisdiction, `None` for a deployment-wide administrator.
    pub jurisdiction: Option<String>,
    /// The agency of an agency user: id, code and name.
    pub agency_id: Option<i64>,
    /// Agency code.
    pub agency_code: Option<String>,
    /// Agency name.
    pub agency_name: Option<String>,
    /// Whether the user is disabled.
    pub disabled: bool,
    /// Whether the user must change their password before doing anything else (an
    /// administrator required it, or reset the password).
    pub must_change_password: bool,
}

impl User {
    /// The actor for use cases run as this user.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            name: self.username.clone(),
            role: self.role,
            jurisdiction: self.jurisdiction.clone(),
            agency_id: self.agency_id,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub jurisdiction_code: Option<String>,
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub disabled: bool,
    pub must_change_password: bool,
}

/// The columns of a [`UserRow`], over `users u LEFT JOIN agencies a ON a.id = u.agency_id`.
macro_rules! user_columns {
    () => {
        "u.id, u.username, u.display_name, u.role, u.jurisdiction_code, u.agency_id, \
         a.code AS agency_code, a.name AS agency_name, u.disabled, u.must_change_password"
    };
}
pub(crate) use user_columns;

pub(crate) const SELECT_USER: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM users u LEFT JOIN agencies a ON a.id = u.agency_id"
);

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| Error::Internal(format!("未知角色 {}", self.role)))?;
        Ok(User {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            role,
            jurisdiction: self.jurisdiction_code,
            agency_id: self.agency_id,
            agency_code: self.agency_code,
            agency_name: self.agency_name,
            disabled: self.disabled,
            must_change_password: self.must_change_password,
        })
    }
}

/// Hashes on a blocking thread: argon2 is deliberately slow and must not stall the server.
pub(crate) async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(|e| Error::Internal(e.to_string()))
}

impl Store {
    /// The users the actor may manage (its jurisdiction and below), ordered by name.
    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>> {
        actor.require(Capability::ManageUsers)?;
        let visible = self.visible_jurisdiction_codes(actor).await?;
        let rows: Vec<UserRow> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT_USER} ORDER BY u.username"
            )))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .filter(|row| match (&visible, &row.jurisdiction_code) {
                (None, _) => true,
                (Some(codes), Some(code)) => codes.contains(code),
                (Some(_), None) => false,
            })
            .map(UserRow::into_user)
            .collect()
    }

    /// One user by name, if the actor may manage it.
    pub async fn user(&self, actor: &Actor, username: &str) -> Result<User> {
        self.users(actor)
            .await?
            .into_iter()
            .find(|u| u.username == username)
            .ok_or_else(|| Error::NotFound(format!("用户“{username}”不存在")))
    }

    /// Creates a user. The password is hashed with argon2; only the hash is stored.
    pub async fn add_user(&self, actor: &Actor, new: &NewUser) -> Result<User> {
        actor.require(Capability::ManageUsers)?;
        let role = new.validate()?;
        match &new.jurisdiction {
            None if actor.jurisdiction.is_some() => return Err(Error::Forbidden),
            Some(code) if !self.covers_jurisdiction(actor, code).await? => {
                return Err(Error::Forbidden);
            }
            Some(code) if !self.jurisdictions().await?.iter().any(|j| &j.code == code) => {
                return Err(Error::invalid(
                    "jurisdiction",
                    "unknown_jurisdiction",
                    format!("财政区划“{code}”不存在"),
                ));
            }
            _ => {}
        }
        let agency = match (&new.agency_code, &new.jurisdiction) {
            (Some(code), Some(jurisdiction)) => Some(
                self.agency_by_code(jurisdiction, code)
                    .await?
                    .ok_or_else(|| {
                        Error::invalid("agency", "unknown_agency", format!("单位“{code}”不存在"))
                    })?,
            ),
            _ => None,
        };
        if let (Some(code), Some(jurisdiction)) = (&new.area_code, &new.jurisdiction) {
            let area = self
                .area_by_code(jurisdiction, code)
                .await?
                .ok_or_else(|| {
                    Error::invalid("area", "unknown_area", format!("区域“{code}”不存在"))
                })?;
            let fits = match role {
                Role::Village => area.level == "village",
                Role::Township => area.level == "township",
                _ => true,
            };
            if !fits {
                return Err(Error::invalid(
                    "area",
                    "wrong_level",
                    format!(
                        "{}用户应绑定{}",
                        role.label(),
                        if role == Role::Village {
                            "行政村"
                        } else {
                            "乡镇（街道）"
                        }
                    ),
                ));
            }
        }
        let display_name = match new.display_name.trim() {
            "" => new.username.clone(),
            name => name.to_owned(),
        };
        let hash = hash_password(&new.password).await?;
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |conn| {
            sqlx::query_scalar(
                "INSERT INTO users (username, display_name, password_hash, role, \
                 jurisdiction_code, agency_id, disabled, created_at, area_code, sector) \
                 VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $8, $9) RETURNING id",
            )
            .bind(&new.username)
            .bind(&display_name)
            .bind(&hash)
            .bind(role.as_str())
            .bind(&new.jurisdiction)
            .bind(agency.as_ref().map(|a| a.id))
            .bind(time::now())
            .bind(&new.area_code)
            .bind(new.sector.as_deref().map(str::trim))
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| Error::unique_as_duplicate(e, format!("用户名“{}”已存在", new.username)))?
        });
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "user.create", "user", &new.username)
                .in_jurisdiction(new.jurisdiction.as_deref())
                .with_details(json!({
                    "role": role.as_str(),
                    "display_name": display_name,
                    "agency": new.agency_code,
                    "area": new.area_code,
                    "sector": new.sector,
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(User {
            id,
            username: new.username.clone(),
            display_name,
            role,
            jurisdiction: new.jurisdiction.clone(),
            agency_id: agency.as_ref().map(|a| a.id),
            agency_code: agency.as_ref().map(|a| a.code.clone()),
            agency_name: agency.map(|a| a.name),
            disabled: false,
            must_change_password: false,
        })
    }

    /// Disables (or re-enables) a user. Disabling ends every session the user has.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        username: &str,
        disabled: bool,
    ) -> Result<()> {
        let user = self.user(actor, username).await?;
        if disabled && actor.user_id == Some(user.id) {
            return Err(Error::conflict(
                crate::ConflictCode::OwnAccount,
                "不能停用自己的账号".to_owned(),
            ));
        }
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                .bind(disabled)
                .bind(user.id)
                .execute(&mut *conn)
                .await?;
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user.id)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        append(
            &mut tx,
            AuditEntry::new(&actor.name, action, "user", username)
                .in_jurisdiction(user.jurisdiction.as_deref()),
        )
        .await?;
        self.commit_session_change(tx).await
    }

    /// Sets a new password for a user; the user's sessions end, and the user must change the
    /// password (which the administrator knows) at the next login.
    pub async fn reset_password(&self, actor: &Actor, username: &str, new: &str) -> Result<()> {
        let user = self.user(actor, username).await?;
        password::check_policy(new)
            .map_err(|reason| Error::invalid("password", "weak_password", reason))?;
        let hash = hash_password(new).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = TRUE WHERE id = $2",
            )
            .bind(&hash)
            .bind(user.id)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.id)
                .execute(&mut *conn)
                .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(&actor.name, "user.reset_password", "user", username)
                .in_jurisdiction(user.jurisdiction.as_deref())
                .with_details(json!({"must_change_password": true})),
        )
        .await?;
        self.commit_session_change(tx).await
    }

    /// Requires a user to change their password before doing anything else: from their next
    /// request on (sessions already open included), pages lead only to the change-password page
    /// and the API refuses everything but the change and logging out. Cleared by the change.
    pub async fn require_password_change(&self, actor: &Actor, username: &str) -> Result<()> {
        let user = self.user(actor, username).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| {
            sqlx::query("UPDATE users SET must_change_password = TRUE WHERE id = $1")
                .bind(user.id)
                .execute(&mut *conn)
                .await?;
        });
        append(
            &mut tx,
            AuditEntry::new(
                &actor.name,
                "user.require_password_change",
                "user",
                username,
            )
            .in_jurisdiction(user.jurisdiction.as_deref()),
        )
        .await?;
        self.commit_session_change(tx).await
    }

    /// On a database without an administrator, creates `admin` (deployment-wide) with a random
    /// password and returns that password, to be shown once. Returns `None` when an
    /// administrator exists (or another server starting on the same database just created it).
    pub async fn ensure_initial_admin(&self) -> Result<Option<String>> {
        let admins: i64 = on_pool!(&self.pool, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
                .fetch_one(pool)
                .await?
        });
        if admins > 0 {
            return Ok(None);
        }
        let password = token::new_password(16).map_err(|e| Error::Internal(e.to_string()))?;
        let new = NewUser {
            username: "admin".to_owned(),
            display_name: "系统管理员".to_owned(),
            role: Role::Admin.as_str().to_owned(),
            jurisdiction: None,
            agency_code: None,
            password: password.clone(),
            area_code: None,
            sector: None,
        };
        match self.add_user(&Actor::system(), &new).await {
            Ok(_) => Ok(Some(password)),
            // Another server starting on the same new database created it a moment ago.
            Err(Error::Duplicate(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }
}
