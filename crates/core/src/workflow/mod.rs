//! The workflow kernel: every document with a life cycle (项目, 监控报告, 绩效自评表, 重点评价,
//! 整改事项, 预警, 预警处置意见, 结果应用建议, 评审任务, 专家/机构库成员) declares its states, its
//! actions and one transition table here. The Chinese label of
//! each state and action is defined once beside its code, and the audit action code of a move is
//! derived from the action (`{prefix}.{action}`), never typed by hand.
//!
//! [`next`] is the only judge of a move: given the state a document is in, the action asked and
//! the role asking, it answers with the state the document moves to, or a [`Refusal`]. The store's
//! `advance` applies it inside the transaction that writes the move. `docs/workflow.md` is the
//! written matrix; a test walks every (state, action, role) of every document against it.
//!
//! A new document type is one vocabulary of states, one of actions and one table (then a line in
//! [`documents`] and a migration pair for its table with `state` and `version` columns; the
//! older tables keep their state in `status` and have no version, which
//! [`Document::STATE_COLUMN`] and [`Document::VERSIONED`] say):
//!
//! ```
//! use jixiao_core::workflow::{self, Creation, Document, Refusal, Transition};
//! use jixiao_core::{Role, vocabulary};
//!
//! vocabulary! {
//!     /// Where a leave request stands.
//!     pub enum LeaveState {
//!         Draft = ("draft", "草稿"),
//!         Submitted = ("submitted", "待审批"),
//!         Granted = ("granted", "已批准"),
//!     }
//! }
//! vocabulary! {
//!     /// What can be done to it.
//!     pub enum LeaveAction {
//!         Submit = ("submit", "提交"),
//!         Grant = ("grant", "批准"),
//!     }
//! }
//!
//! /// 请假申请.
//! pub struct Leave;
//!
//! impl Document for Leave {
//!     type State = LeaveState;
//!     type Action = LeaveAction;
//!     const TABLE: &'static str = "leave_requests";
//!     const ENTITY: &'static str = "leave_request";
//!     const AUDIT_PREFIX: &'static str = "leave";
//!     const LABEL: &'static str = "请假申请";
//!     const STATES: &'static [LeaveState] = LeaveState::ALL;
//!     const ACTIONS: &'static [LeaveAction] = LeaveAction::ALL;
//!     const CREATED_BY: &'static [Creation<LeaveState, LeaveAction>] = &[Creation {
//!         action: LeaveAction::Submit, state: LeaveState::Submitted, roles: &[Role::Agency] }];
//!     const TRANSITIONS: &'static [Transition<LeaveState, LeaveAction>] = &[
//!         Transition { from: LeaveState::Draft, action: LeaveAction::Submit,
//!                      to: LeaveState::Submitted, roles: &[Role::Agency] },
//!         Transition { from: LeaveState::Submitted, action: LeaveAction::Grant,
//!                      to: LeaveState::Granted, roles: &[Role::Finance] },
//!     ];
//! }
//!
//! assert_eq!(
//!     workflow::next::<Leave>(LeaveState::Draft, LeaveAction::Submit, Role::Agency),
//!     Ok(LeaveState::Submitted)
//! );
//! assert!(matches!(
//!     workflow::next::<Leave>(LeaveState::Draft, LeaveAction::Grant, Role::Finance),
//!     Err(Refusal::InvalidTransition { .. })
//! ));
//! assert_eq!(workflow::audit_code::<Leave>(LeaveAction::Grant), "leave.grant");
//! ```

use crate::role::Role;
use std::fmt::Debug;

/// Declares a closed vocabulary: an enum whose variants each have a stored code and a Chinese
/// label, with `ALL`, `as_str`, `label` and `parse`, usable as the states or actions of a
/// [`Document`]. The crate using it needs `serde`.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal)),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in workflow order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// The name users read.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            /// Parses a stored code; `None` for anything else.
            pub fn parse(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::workflow::UnknownCode;

            /// Reads a stored code; anything else is an error naming the vocabulary and the
            /// text (never a default).
            fn try_from(code: String) -> Result<$name, $crate::workflow::UnknownCode> {
                $name::parse(&code).ok_or($crate::workflow::UnknownCode {
                    vocabulary: stringify!($name),
                    code,
                })
            }
        }

        impl $crate::workflow::StateCode for $name {
            fn code(self) -> &'static str {
                self.as_str()
            }
            fn name(self) -> &'static str {
                self.label()
            }
        }
    };
}

/// A stored code that is not in its vocabulary (a damaged or foreign database).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored value “{code}” is not a {vocabulary} code")]
pub struct UnknownCode {
    /// The vocabulary's type name.
    pub vocabulary: &'static str,
    /// The text found.
    pub code: String,
}

/// One row of a transition table: from `from`, `action` by one of `roles` moves to `to`.
#[derive(Debug, Clone, Copy)]
pub struct Transition<S: 'static, A: 'static> {
    /// The state the document must be in.
    pub from: S,
    /// The action.
    pub action: A,
    /// The state it moves to (equal to `from` for an action that keeps the state).
    pub to: S,
    /// The roles that may take it.
    pub roles: &'static [Role],
}

/// How a document comes into being: `action` by one of `roles` creates it in `state`.
#[derive(Debug, Clone, Copy)]
pub struct Creation<S: 'static, A: 'static> {
    /// The action that creates it.
    pub action: A,
    /// The state it starts in.
    pub state: S,
    /// The roles that may create it so.
    pub roles: &'static [Role],
}

/// A state of a document: a code, a label and the whole list.
pub trait StateCode: Copy + Eq + Debug + 'static {
    /// The stored code.
    fn code(self) -> &'static str;
    /// The name users read.
    fn name(self) -> &'static str;
}

/// A document type with a life cycle.
pub trait Document: 'static {
    /// Its states.
    type State: StateCode;
    /// Its actions.
    type Action: StateCode;
    /// The table that holds its state (and `version`) columns.
    const TABLE: &'static str;
    /// The column that holds the state code (`status` on the tables older than the kernel).
    const STATE_COLUMN: &'static str = "state";
    /// Whether the table keeps a `version` for optimistic locking. Without one, a move is a
    /// compare-and-set on the state read under lock: a race is still refused (the loser finds the
    /// state moved on), but a caller cannot say which version it read.
    const VERSIONED: bool = true;
    /// The entity kind written to the audit log.
    const ENTITY: &'static str;
    /// The first part of its audit action codes (`project` in `project.submit`).
    const AUDIT_PREFIX: &'static str;
    /// Its name as users read it (项目).
    const LABEL: &'static str;
    /// Every state.
    const STATES: &'static [Self::State];
    /// Every action.
    const ACTIONS: &'static [Self::Action];
    /// How a new document is created: the action, the state it starts in, who may. Every
    /// insert of a row of `TABLE` takes its state from here (`workflow::create`).
    const CREATED_BY: &'static [Creation<Self::State, Self::Action>];
    /// The transition table.
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<Self::State, Self::Action>];
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The action does not apply to a document in this state.
    #[error("{document}当前为“{state}”，不能{action}")]
    InvalidTransition {
        /// The document's name (项目).
        document: &'static str,
        /// The label of its state.
        state: &'static str,
        /// The label of the action.
        action: &'static str,
    },
    /// The role may not take this action (in any state, or in this one).
    #[error("{role}无权对{document}执行“{action}”")]
    RoleNotAllowed {
        /// The document's name.
        document: &'static str,
        /// The label of the action.
        action: &'static str,
        /// The label of the role.
        role: &'static str,
    },
}

/// The state `action` by `role` moves a `D` in `state` to, or why not.
///
/// A role that may never take the action is refused as such ([`Refusal::RoleNotAllowed`]) before
/// the state is looked at, so a stranger learns nothing about where the document stands.
pub fn next<D: Document>(
    state: D::State,
    action: D::Action,
    role: Role,
) -> Result<D::State, Refusal> {
    let role_refusal = || Refusal::RoleNotAllowed {
        document: D::LABEL,
        action: action.name(),
        role: role.label(),
    };
    let mut rows = D::TRANSITIONS.iter().filter(|t| t.action == action);
    if !rows.clone().any(|t| t.roles.contains(&role)) {
        return Err(role_refusal());
    }
    match rows.find(|t| t.from == state) {
        None => Err(Refusal::InvalidTransition {
            document: D::LABEL,
            state: state.name(),
            action: action.name(),
        }),
        Some(t) if !t.roles.contains(&role) => Err(role_refusal()),
        Some(t) => Ok(t.to),
    }
}

/// The state a new `D` created by `action` starts in, or why `role` may not create it so.
pub fn create<D: Document>(action: D::Action, role: Role) -> Result<D::State, Refusal> {
    let Some(creation) = D::CREATED_BY.iter().find(|c| c.action == action) else {
        return Err(Refusal::InvalidTransition {
            document: D::LABEL,
            state: "尚未建立",
            action: action.name(),
        });
    };
    if creation.roles.contains(&role) {
        Ok(creation.state)
    } else {
        Err(Refusal::RoleNotAllowed {
            document: D::LABEL,
            action: action.name(),
            role: role.label(),
        })
    }
}

/// The audit action code of `action` on a `D` (`project.submit`).
pub fn audit_code<D: Document>(action: D::Action) -> String {
    format!("{}.{}", D::AUDIT_PREFIX, action.code())
}

/// Whether `role` may take `action` on a `D` in `state` (for showing buttons, never for deciding).
pub fn allows<D: Document>(state: D::State, action: D::Action, role: Role) -> bool {
    next::<D>(state, action, role).is_ok()
}

mod documents;
#[cfg(test)]
mod tests;

pub use documents::*;

/// One document type seen without its types: what pages, the audit log and the matrix need.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    /// Audit entity kind.
    pub entity: &'static str,
    /// Audit prefix.
    pub audit_prefix: &'static str,
    /// Table.
    pub table: &'static str,
    /// The column of the table that holds the state.
    pub state_column: &'static str,
    /// Name users read.
    pub label: &'static str,
    /// (code, label) of every state.
    pub states: Vec<(&'static str, &'static str)>,
    /// (code, label) of every action.
    pub actions: Vec<(&'static str, &'static str)>,
    /// (from, action, to, roles) codes of every transition.
    pub transitions: Vec<(&'static str, &'static str, &'static str, Vec<Role>)>,
    /// (action, state, roles) codes of every way to create one.
    pub creations: Vec<(&'static str, &'static str, Vec<Role>)>,
}

impl DocumentInfo {
    fn of<D: Document>() -> DocumentInfo {
        DocumentInfo {
            entity: D::ENTITY,
            audit_prefix: D::AUDIT_PREFIX,
            table: D::TABLE,
            state_column: D::STATE_COLUMN,
            label: D::LABEL,
            states: D::STATES.iter().map(|s| (s.code(), s.name())).collect(),
            actions: D::ACTIONS.iter().map(|a| (a.code(), a.name())).collect(),
            creations: D::CREATED_BY
                .iter()
                .map(|c| (c.action.code(), c.state.code(), c.roles.to_vec()))
                .collect(),
            transitions: D::TRANSITIONS
                .iter()
                .map(|t| {
                    (
                        t.from.code(),
                        t.action.code(),
                        t.to.code(),
                        t.roles.to_vec(),
                    )
                })
                .collect(),
        }
    }
}

/// Every document type of the product.
pub fn documents() -> Vec<DocumentInfo> {
    vec![
        DocumentInfo::of::<Project>(),
        DocumentInfo::of::<MonitoringReport>(),
        DocumentInfo::of::<SelfEvaluation>(),
        DocumentInfo::of::<KeyEvaluation>(),
        DocumentInfo::of::<Rectification>(),
        DocumentInfo::of::<Alert>(),
        DocumentInfo::of::<AlertDecision>(),
        DocumentInfo::of::<Adjustment>(),
        DocumentInfo::of::<Assignment>(),
        DocumentInfo::of::<PoolMember>(),
        DocumentInfo::of::<FindingRectification>(),
        DocumentInfo::of::<RiskCase>(),
    ]
}

/// The label of an audit action code derived from a workflow action, if it is one.
pub fn audit_label(code: &str) -> Option<&'static str> {
    let (prefix, action) = code.split_once('.')?;
    documents()
        .into_iter()
        .filter(|d| d.audit_prefix == prefix)
        .find_map(|d| {
            d.actions
                .iter()
                .find(|(c, _)| *c == action)
                .map(|(_, l)| *l)
        })
}

/// Every audit action code the workflow can write, with its label.
pub fn audit_actions() -> Vec<(String, &'static str)> {
    documents()
        .into_iter()
        .flat_map(|d| {
            d.actions
                .into_iter()
                .map(move |(code, label)| (format!("{}.{code}", d.audit_prefix), label))
        })
        .collect()
}

/// The *from* cell of a creation row in `docs/workflow.md`.
pub const CREATED: &str = "— 新建";

/// The matrix of every document as `docs/workflow.md` writes it.
pub fn matrix_markdown() -> String {
    let mut out = String::from(
        "# Workflow matrix\n\n\
         Generated from `crates/core/src/workflow/documents.rs` (after a change to a table, regenerate with\n\
         `JIXIAO_WRITE_DOCS=1 cargo test -p jixiao-core workflow` and review the diff); a test walks every (state, action, role) of every document against this file. Each row: in state\n\
         *from*, *action* by one of *roles* moves the document to *to*; a row from `— 新建` creates the document in *to*. Every combination not listed\n\
         is refused: `403 forbidden` when the role may never take the action, else\n\
         `409 invalid_transition`.\n",
    );
    for d in documents() {
        let table = if d.state_column == "state" {
            d.table.to_owned()
        } else {
            format!("{}.{}", d.table, d.state_column)
        };
        out.push_str(&format!(
            "\n## {} (`{table}`, audit `{}.*`)\n\n| from | action | roles | to |\n|---|---|---|---|\n",
            d.label, d.audit_prefix
        ));
        let state_label = |code: &str| {
            d.states
                .iter()
                .find(|(c, _)| *c == code)
                .map_or("", |(_, l)| *l)
        };
        let action_label = |code: &str| {
            d.actions
                .iter()
                .find(|(c, _)| *c == code)
                .map_or("", |(_, l)| *l)
        };
        for (action, state, roles) in &d.creations {
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            out.push_str(&format!(
                "| {CREATED} | {action} {} | {} | {state} {} |\n",
                action_label(action),
                roles.join(", "),
                state_label(state)
            ));
        }
        for (from, action, to, roles) in &d.transitions {
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            out.push_str(&format!(
                "| {from} {} | {action} {} | {} | {to} {} |\n",
                state_label(from),
                action_label(action),
                roles.join(", "),
                state_label(to)
            ));
        }
    }
    out
}
