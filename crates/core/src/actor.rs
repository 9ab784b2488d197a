//! The actor of a use case: who is acting, in which role, over which jurisdiction and agency.

use crate::role::{Capability, Role};

/// Who performs an action. Web requests build it from the session; the CLI acts as the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id, or `None` for the system (CLI, demo loader, scheduled jobs).
    pub user_id: Option<i64>,
    /// The name written to the audit log (`system` for the CLI).
    pub name: String,
    /// The role the actor acts in.
    pub role: Role,
    /// The jurisdiction the actor is bound to; `None` means the whole deployment.
    pub jurisdiction: Option<String>,
    /// The agency an agency user is bound to.
    pub agency_id: Option<i64>,
}

/// Refusal of an action for lack of the right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无权执行此操作")]
pub struct Forbidden;

impl Actor {
    /// The system actor used by the command line and the demo loader: an administrator over the
    /// whole deployment.
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            name: "system".to_owned(),
            role: Role::Admin,
            jurisdiction: None,
            agency_id: None,
        }
    }

    /// Requires a capability of the actor's role.
    pub fn require(&self, capability: Capability) -> Result<(), Forbidden> {
        if self.role.can(capability) {
            Ok(())
        } else {
            Err(Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_actor_is_a_deployment_wide_admin() {
        let system = Actor::system();
        assert!(system.require(Capability::ManageUsers).is_ok());
        assert_eq!(system.jurisdiction, None);
        let viewer = Actor {
            role: Role::Viewer,
            ..Actor::system()
        };
        assert_eq!(viewer.require(Capability::ManageAgencies), Err(Forbidden));
    }
}
