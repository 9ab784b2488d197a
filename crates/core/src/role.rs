//! The roles of DOMAIN.md §1 and what each may do. Routes declare the roles they admit; use cases
//! check the [`Capability`] again, so a route mistake cannot open a door.

use serde::{Deserialize, Serialize};

/// Who a user is in the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: users, agencies, rulebooks, fiscal years.
    Admin,
    /// 财政局: reviews targets, approves budgets, runs monitoring and evaluation.
    Finance,
    /// 部门/单位: asks for money and sets targets; sees only its own agency tree.
    Agency,
    /// 评审专家: reviews what it is assigned.
    Expert,
    /// 第三方机构: performs key evaluations it is commissioned for.
    Institution,
    /// 人大/审计/纪检: reads everything, changes nothing.
    Viewer,
}

/// Something a use case may require of its actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Create, disable and reset users.
    ManageUsers,
    /// Create and edit agencies.
    ManageAgencies,
    /// Edit jurisdiction settings and fiscal years.
    ManageSettings,
    /// Read the audit log.
    ReadAuditLog,
    /// Read agencies (scoped by jurisdiction and, for agency users, by subtree).
    ReadAgencies,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Finance,
        Role::Agency,
        Role::Expert,
        Role::Institution,
        Role::Viewer,
    ];

    /// The code used in storage, the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Finance => "finance",
            Role::Agency => "agency",
            Role::Expert => "expert",
            Role::Institution => "institution",
            Role::Viewer => "viewer",
        }
    }

    /// The name users read.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Finance => "财政局",
            Role::Agency => "部门/单位",
            Role::Expert => "评审专家",
            Role::Institution => "第三方机构",
            Role::Viewer => "监督查询（人大/审计/纪检）",
        }
    }

    /// Parses a role code; `None` for anything not in [`Role::ALL`].
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// Whether a user of this role must be bound to an agency.
    pub fn needs_agency(self) -> bool {
        matches!(self, Role::Agency)
    }

    /// Whether this role may do `capability`.
    pub fn can(self, capability: Capability) -> bool {
        use Capability::*;
        match capability {
            ManageUsers | ManageAgencies | ManageSettings | ReadAuditLog => self == Role::Admin,
            ReadAgencies => matches!(
                self,
                Role::Admin | Role::Finance | Role::Agency | Role::Viewer
            ),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn only_admin_manages_users_and_reads_the_audit_log() {
        for role in Role::ALL {
            let admin = role == Role::Admin;
            assert_eq!(role.can(Capability::ManageUsers), admin);
            assert_eq!(role.can(Capability::ReadAuditLog), admin);
        }
        assert!(!Role::Expert.can(Capability::ReadAgencies));
        assert!(Role::Viewer.can(Capability::ReadAgencies));
    }
}
