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
//! use jixiao_core::workflow::{self, Document, Refusal, Transition};
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
//!     const CREATED_BY: &'static [(LeaveAction, LeaveState)] = &[];
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
    /// The states a new document may be created in, with the action that creates it.
    const CREATED_BY: &'static [(Self::Action, Self::State)];
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
    let Some(&(_, state)) = D::CREATED_BY.iter().find(|(a, _)| *a == action) else {
        return Err(Refusal::InvalidTransition {
            document: D::LABEL,
            state: "尚未建立",
            action: action.name(),
        });
    };
    // Creation is a move from "nothing": the roles are those of the transitions the action has.
    if D::TRANSITIONS
        .iter()
        .any(|t| t.action == action && t.roles.contains(&role))
    {
        Ok(state)
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

const AGENCY: &[Role] = &[Role::Agency];
const FINANCE: &[Role] = &[Role::Finance];
const INSTITUTION: &[Role] = &[Role::Institution];
const REVIEWERS: &[Role] = &[Role::Agency, Role::Finance];
const IMPORTERS: &[Role] = &[Role::Agency, Role::Finance, Role::Admin];
const MEMBERS: &[Role] = &[Role::Expert, Role::Institution];

vocabulary! {
    /// Where a project stands (项目).
    pub enum ProjectState {
        /// Being written by the agency.
        Draft = ("draft", "草稿"),
        /// In review, at one of the rulebook's steps.
        Submitted = ("submitted", "待审核"),
        /// Sent back with comments.
        Returned = ("returned", "被退回"),
        /// Approved together with its money.
        Approved = ("approved", "已审核"),
    }
}

impl ProjectState {
    /// Whether the agency may edit the project and its targets in this state.
    pub fn editable(self) -> bool {
        matches!(self, ProjectState::Draft | ProjectState::Returned)
    }
}

vocabulary! {
    /// What can be done to a project.
    pub enum ProjectAction {
        /// The agency submits it through the gate.
        Submit = ("submit", "提交审核"),
        /// A reviewer passes the current step to the next one.
        PassStep = ("pass_step", "审核通过，转下一环节"),
        /// Finance passes the last step: approved with its money.
        Approve = ("approve", "审核通过并批复"),
        /// A reviewer sends it back.
        Return = ("return", "退回修改"),
        /// The agency starts a revision of its approved targets.
        Revise = ("revise", "发起目标调整"),
        /// Finance confirms an alert's adjustment, which reopens the targets.
        ReviseAfterAlert = ("revise_after_alert", "预警处置调整目标"),
    }
}

/// 项目.
pub struct Project;

impl Document for Project {
    type State = ProjectState;
    type Action = ProjectAction;
    const TABLE: &'static str = "projects";
    const ENTITY: &'static str = "project";
    const AUDIT_PREFIX: &'static str = "project";
    const LABEL: &'static str = "项目";
    const STATES: &'static [ProjectState] = ProjectState::ALL;
    const ACTIONS: &'static [ProjectAction] = ProjectAction::ALL;
    const CREATED_BY: &'static [(ProjectAction, ProjectState)] = &[];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<ProjectState, ProjectAction>] = {
        use ProjectAction::*;
        use ProjectState::*;
        &[
            Transition { from: Draft, action: Submit, to: Submitted, roles: AGENCY },
            Transition { from: Returned, action: Submit, to: Submitted, roles: AGENCY },
            Transition { from: Submitted, action: PassStep, to: Submitted, roles: REVIEWERS },
            Transition { from: Submitted, action: Approve, to: Approved, roles: FINANCE },
            Transition { from: Submitted, action: Return, to: Returned, roles: REVIEWERS },
            Transition { from: Approved, action: Revise, to: Draft, roles: AGENCY },
            Transition { from: Approved, action: ReviseAfterAlert, to: Draft, roles: FINANCE },
        ]
    };
}

vocabulary! {
    /// Where a monitoring report stands (监控报告).
    pub enum ReportState {
        /// Opened by the round, nothing entered yet.
        Pending = ("pending", "待填报"),
        /// Entries saved, not yet submitted.
        Draft = ("draft", "填报中"),
        /// With finance.
        Submitted = ("submitted", "待审核"),
        /// Sent back by finance.
        Returned = ("returned", "被退回"),
        /// Accepted by finance.
        Approved = ("approved", "已审核"),
    }
}

vocabulary! {
    /// What can be done to a monitoring report.
    pub enum ReportAction {
        /// The agency saves its entries.
        Save = ("save", "保存监控报告"),
        /// The agency submits the report.
        Submit = ("submit", "报送监控报告"),
        /// Finance accepts it.
        Approve = ("approve", "监控报告审核通过"),
        /// Finance sends it back.
        Return = ("return", "退回监控报告"),
    }
}

/// 监控报告.
pub struct MonitoringReport;

impl Document for MonitoringReport {
    type State = ReportState;
    type Action = ReportAction;
    const TABLE: &'static str = "monitoring_reports";
    const ENTITY: &'static str = "monitoring_report";
    const AUDIT_PREFIX: &'static str = "monitoring";
    const LABEL: &'static str = "监控报告";
    const STATES: &'static [ReportState] = ReportState::ALL;
    const ACTIONS: &'static [ReportAction] = ReportAction::ALL;
    const CREATED_BY: &'static [(ReportAction, ReportState)] = &[];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<ReportState, ReportAction>] = {
        use ReportAction::*;
        use ReportState::*;
        &[
            Transition { from: Pending, action: Save, to: Draft, roles: AGENCY },
            Transition { from: Draft, action: Save, to: Draft, roles: AGENCY },
            Transition { from: Returned, action: Save, to: Draft, roles: AGENCY },
            Transition { from: Pending, action: Submit, to: Submitted, roles: AGENCY },
            Transition { from: Draft, action: Submit, to: Submitted, roles: AGENCY },
            Transition { from: Returned, action: Submit, to: Submitted, roles: AGENCY },
            Transition { from: Submitted, action: Approve, to: Approved, roles: FINANCE },
            Transition { from: Submitted, action: Return, to: Returned, roles: FINANCE },
        ]
    };
}

vocabulary! {
    /// Where a self-evaluation sheet stands (绩效自评表).
    pub enum SelfEvaluationState {
        /// No sheet yet (never stored: the absence of a row).
        NotStarted = ("not_started", "未填报"),
        /// Saved by the agency.
        Draft = ("draft", "草稿"),
        /// With finance.
        Submitted = ("submitted", "待审核"),
        /// Sent back by finance.
        Returned = ("returned", "被退回"),
        /// Accepted by finance.
        Approved = ("approved", "已审核"),
    }
}

impl SelfEvaluationState {
    /// Whether the agency may still change the sheet.
    pub fn editable(self) -> bool {
        matches!(
            self,
            SelfEvaluationState::NotStarted
                | SelfEvaluationState::Draft
                | SelfEvaluationState::Returned
        )
    }
}

vocabulary! {
    /// What can be done to a self-evaluation sheet.
    pub enum SelfEvaluationAction {
        /// The agency saves the sheet from the form.
        Save = ("save", "保存绩效自评表"),
        /// A sheet in the county's own layout is imported (and counts as submitted).
        Import = ("import", "导入绩效自评表"),
        /// The agency submits it.
        Submit = ("submit", "报送绩效自评表"),
        /// Finance accepts it.
        Approve = ("approve", "绩效自评表审核通过"),
        /// Finance sends it back.
        Return = ("return", "退回绩效自评表"),
    }
}

/// 绩效自评表.
pub struct SelfEvaluation;

impl Document for SelfEvaluation {
    type State = SelfEvaluationState;
    type Action = SelfEvaluationAction;
    const TABLE: &'static str = "self_evaluations";
    const ENTITY: &'static str = "self_evaluation";
    const AUDIT_PREFIX: &'static str = "self_evaluation";
    const LABEL: &'static str = "绩效自评表";
    const STATES: &'static [SelfEvaluationState] = SelfEvaluationState::ALL;
    const ACTIONS: &'static [SelfEvaluationAction] = SelfEvaluationAction::ALL;
    const CREATED_BY: &'static [(SelfEvaluationAction, SelfEvaluationState)] = &[
        (SelfEvaluationAction::Save, SelfEvaluationState::Draft),
        (SelfEvaluationAction::Import, SelfEvaluationState::Submitted),
    ];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<SelfEvaluationState, SelfEvaluationAction>] = {
        use SelfEvaluationAction::*;
        use SelfEvaluationState::*;
        &[
            Transition { from: NotStarted, action: Save, to: Draft, roles: AGENCY },
            Transition { from: Draft, action: Save, to: Draft, roles: AGENCY },
            Transition { from: Returned, action: Save, to: Draft, roles: AGENCY },
            Transition { from: NotStarted, action: Import, to: Submitted, roles: IMPORTERS },
            Transition { from: Draft, action: Import, to: Submitted, roles: IMPORTERS },
            Transition { from: Returned, action: Import, to: Submitted, roles: IMPORTERS },
            Transition { from: Draft, action: Submit, to: Submitted, roles: AGENCY },
            Transition { from: Returned, action: Submit, to: Submitted, roles: AGENCY },
            Transition { from: Submitted, action: Approve, to: Approved, roles: FINANCE },
            Transition { from: Submitted, action: Return, to: Returned, roles: FINANCE },
        ]
    };
}

vocabulary! {
    /// Where a key evaluation stands (重点绩效评价).
    pub enum KeyEvaluationState {
        /// Commissioned; the institution is working on it.
        Commissioned = ("commissioned", "已委托，评价中"),
        /// The report is in; finance confirms.
        Submitted = ("submitted", "已提交报告，待财政确认"),
        /// Sent back to the institution.
        Returned = ("returned", "被退回修改"),
        /// Confirmed with a final score.
        Confirmed = ("confirmed", "已确认"),
    }
}

vocabulary! {
    /// What can be done to a key evaluation.
    pub enum KeyEvaluationAction {
        /// Finance or a department commissions the drawn institution.
        Commission = ("commission", "委托重点评价"),
        /// The institution saves its scores.
        Save = ("save", "保存评价报告"),
        /// The institution submits its report.
        Submit = ("submit", "提交评价报告"),
        /// Finance confirms the result.
        Confirm = ("confirm", "确认评价结果"),
        /// Finance sends the report back.
        Return = ("return", "退回评价报告"),
    }
}

/// 重点绩效评价.
pub struct KeyEvaluation;

impl Document for KeyEvaluation {
    type State = KeyEvaluationState;
    type Action = KeyEvaluationAction;
    const TABLE: &'static str = "evaluations";
    const ENTITY: &'static str = "evaluation";
    const AUDIT_PREFIX: &'static str = "evaluation";
    const LABEL: &'static str = "重点绩效评价";
    const STATES: &'static [KeyEvaluationState] = KeyEvaluationState::ALL;
    const ACTIONS: &'static [KeyEvaluationAction] = KeyEvaluationAction::ALL;
    const CREATED_BY: &'static [(KeyEvaluationAction, KeyEvaluationState)] = &[(
        KeyEvaluationAction::Commission,
        KeyEvaluationState::Commissioned,
    )];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<KeyEvaluationState, KeyEvaluationAction>] = {
        use KeyEvaluationAction::*;
        use KeyEvaluationState::*;
        &[
            // Commissioning creates the document; this row carries who may do it.
            Transition { from: Commissioned, action: Commission, to: Commissioned, roles: REVIEWERS },
            Transition { from: Commissioned, action: Save, to: Commissioned, roles: INSTITUTION },
            Transition { from: Returned, action: Save, to: Returned, roles: INSTITUTION },
            Transition { from: Commissioned, action: Submit, to: Submitted, roles: INSTITUTION },
            Transition { from: Returned, action: Submit, to: Submitted, roles: INSTITUTION },
            Transition { from: Submitted, action: Confirm, to: Confirmed, roles: FINANCE },
            Transition { from: Submitted, action: Return, to: Returned, roles: FINANCE },
        ]
    };
}

vocabulary! {
    /// Where a rectification item stands (整改事项).
    pub enum RectificationState {
        /// With the agency.
        Open = ("open", "待整改"),
        /// Answered; finance checks.
        Answered = ("answered", "已反馈，待核查"),
        /// Checked off.
        Closed = ("closed", "已销号"),
    }
}

vocabulary! {
    /// What can be done to a rectification item.
    pub enum RectificationAction {
        /// Finance raises it.
        Raise = ("raise", "列入整改"),
        /// The agency answers with what it did.
        Answer = ("answer", "反馈整改情况"),
        /// Finance checks it off.
        Close = ("close", "整改销号"),
        /// Finance sends it back to the agency.
        SendBack = ("send_back", "退回继续整改"),
    }
}

/// 整改事项.
pub struct Rectification;

impl Document for Rectification {
    type State = RectificationState;
    type Action = RectificationAction;
    const TABLE: &'static str = "rectifications";
    const ENTITY: &'static str = "rectification";
    const AUDIT_PREFIX: &'static str = "rectification";
    const LABEL: &'static str = "整改事项";
    const STATES: &'static [RectificationState] = RectificationState::ALL;
    const ACTIONS: &'static [RectificationAction] = RectificationAction::ALL;
    const CREATED_BY: &'static [(RectificationAction, RectificationState)] =
        &[(RectificationAction::Raise, RectificationState::Open)];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<RectificationState, RectificationAction>] = {
        use RectificationAction::*;
        use RectificationState::*;
        &[
            // Raising creates the document; this row carries who may do it.
            Transition { from: Open, action: Raise, to: Open, roles: FINANCE },
            Transition { from: Open, action: Answer, to: Answered, roles: AGENCY },
            Transition { from: Answered, action: Close, to: Closed, roles: FINANCE },
            Transition { from: Answered, action: SendBack, to: Open, roles: FINANCE },
        ]
    };
}

vocabulary! {
    /// Where a monitoring alert stands (预警).
    pub enum AlertState {
        /// Raised; a red alert waits for the agency's proposal (a yellow one is only watched).
        Open = ("open", "待单位提出处置意见"),
        /// The agency proposed what to do; finance confirms.
        Proposed = ("proposed", "待财政确认"),
        /// Finance confirmed a proposal.
        Decided = ("decided", "已处置"),
    }
}

vocabulary! {
    /// What can be done to an alert.
    pub enum AlertAction {
        /// The agency proposes to continue, adjust or cancel.
        Propose = ("propose", "提出预警处置意见"),
        /// Finance confirms the proposal, which takes effect.
        Confirm = ("confirm", "确认预警处置意见"),
        /// Finance declines it: back to the agency.
        Reject = ("reject", "不同意预警处置意见"),
        /// The deadline passed undecided: payments stop (the state stays; finance, or the daily
        /// job acting as finance).
        Suspend = ("suspend", "逾期未处置，暂停支付"),
    }
}

/// 预警 (the rows of `alerts`, whose state lives in `status`).
pub struct Alert;

impl Document for Alert {
    type State = AlertState;
    type Action = AlertAction;
    const TABLE: &'static str = "alerts";
    const STATE_COLUMN: &'static str = "status";
    const VERSIONED: bool = false;
    const ENTITY: &'static str = "alert";
    const AUDIT_PREFIX: &'static str = "alert";
    const LABEL: &'static str = "预警";
    const STATES: &'static [AlertState] = AlertState::ALL;
    const ACTIONS: &'static [AlertAction] = AlertAction::ALL;
    // Raised by evaluating a round (recorded as `monitoring.evaluate`).
    const CREATED_BY: &'static [(AlertAction, AlertState)] = &[];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<AlertState, AlertAction>] = {
        use AlertAction::*;
        use AlertState::*;
        &[
            Transition { from: Open, action: Propose, to: Proposed, roles: AGENCY },
            Transition { from: Proposed, action: Confirm, to: Decided, roles: FINANCE },
            Transition { from: Proposed, action: Reject, to: Open, roles: FINANCE },
            Transition { from: Open, action: Suspend, to: Open, roles: FINANCE },
            Transition { from: Proposed, action: Suspend, to: Proposed, roles: FINANCE },
        ]
    };
}

vocabulary! {
    /// Where an agency's proposal on an alert stands (预警处置意见).
    pub enum AlertDecisionState {
        /// With finance.
        Proposed = ("proposed", "待财政确认"),
        /// Confirmed by finance.
        Confirmed = ("confirmed", "财政已确认"),
        /// Declined by finance.
        Rejected = ("rejected", "财政未同意"),
    }
}

vocabulary! {
    /// What finance does with a proposal.
    pub enum AlertDecisionAction {
        /// Finance confirms it.
        Confirm = ("confirm", "确认处置意见"),
        /// Finance declines it, with a reason.
        Reject = ("reject", "不同意处置意见"),
    }
}

/// 预警处置意见 (the rows of `alert_decisions`; proposing one is recorded on its alert as
/// `alert.propose`).
pub struct AlertDecision;

impl Document for AlertDecision {
    type State = AlertDecisionState;
    type Action = AlertDecisionAction;
    const TABLE: &'static str = "alert_decisions";
    const STATE_COLUMN: &'static str = "status";
    const VERSIONED: bool = false;
    const ENTITY: &'static str = "alert_decision";
    const AUDIT_PREFIX: &'static str = "alert_decision";
    const LABEL: &'static str = "预警处置意见";
    const STATES: &'static [AlertDecisionState] = AlertDecisionState::ALL;
    const ACTIONS: &'static [AlertDecisionAction] = AlertDecisionAction::ALL;
    const CREATED_BY: &'static [(AlertDecisionAction, AlertDecisionState)] = &[];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<AlertDecisionState, AlertDecisionAction>] = {
        use AlertDecisionAction::*;
        use AlertDecisionState::*;
        &[
            Transition { from: Proposed, action: Confirm, to: Confirmed, roles: FINANCE },
            Transition { from: Proposed, action: Reject, to: Rejected, roles: FINANCE },
        ]
    };
}

vocabulary! {
    /// Where a results-application proposal stands (结果应用建议).
    pub enum AdjustmentState {
        /// Made by the rulebook; finance decides before next year's approval.
        Proposed = ("proposed", "待决定"),
        /// The rulebook's cut taken.
        Accepted = ("accepted", "采纳建议"),
        /// Another cut, with a reason.
        Changed = ("changed", "调整后采纳"),
        /// No cut, with a reason.
        Rejected = ("rejected", "不采纳"),
    }
}

vocabulary! {
    /// Finance's decision on a proposal.
    pub enum AdjustmentAction {
        /// Take the rulebook's cut.
        Accept = ("accept", "采纳结果应用建议"),
        /// Cut another amount.
        Change = ("change", "调整后采纳结果应用建议"),
        /// Cut nothing.
        Reject = ("reject", "不采纳结果应用建议"),
    }
}

/// 结果应用建议 (the rows of `adjustments`; the year's proposals are made together and recorded
/// as `adjustment.propose`).
pub struct Adjustment;

impl Document for Adjustment {
    type State = AdjustmentState;
    type Action = AdjustmentAction;
    const TABLE: &'static str = "adjustments";
    const STATE_COLUMN: &'static str = "status";
    const VERSIONED: bool = false;
    const ENTITY: &'static str = "adjustment";
    const AUDIT_PREFIX: &'static str = "adjustment";
    const LABEL: &'static str = "结果应用建议";
    const STATES: &'static [AdjustmentState] = AdjustmentState::ALL;
    const ACTIONS: &'static [AdjustmentAction] = AdjustmentAction::ALL;
    const CREATED_BY: &'static [(AdjustmentAction, AdjustmentState)] = &[];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<AdjustmentState, AdjustmentAction>] = {
        use AdjustmentAction::*;
        use AdjustmentState::*;
        &[
            Transition { from: Proposed, action: Accept, to: Accepted, roles: FINANCE },
            Transition { from: Proposed, action: Change, to: Changed, roles: FINANCE },
            Transition { from: Proposed, action: Reject, to: Rejected, roles: FINANCE },
        ]
    };
}

vocabulary! {
    /// Where a drawn member's job stands (评审任务).
    pub enum AssignmentState {
        /// Drawn and invited.
        Invited = ("invited", "待接受"),
        /// Accepted; the member is at work.
        Accepted = ("accepted", "评审中"),
        /// Declined (the next backup is called).
        Declined = ("declined", "已谢绝"),
        /// The score and opinion (or the institution's report) are in.
        Submitted = ("submitted", "已提交"),
    }
}

vocabulary! {
    /// What the member does with its job.
    pub enum AssignmentAction {
        /// Accept the invitation.
        Accept = ("accept", "接受评审任务"),
        /// Decline it, with a reason.
        Decline = ("decline", "谢绝评审任务"),
        /// Submit the review (an institution: its key-evaluation report).
        Submit = ("submit", "提交评审意见"),
    }
}

/// 评审任务 (the rows of `assignments`; opened by a draw, recorded as `pool.draw`).
pub struct Assignment;

impl Document for Assignment {
    type State = AssignmentState;
    type Action = AssignmentAction;
    const TABLE: &'static str = "assignments";
    const STATE_COLUMN: &'static str = "status";
    const VERSIONED: bool = false;
    const ENTITY: &'static str = "assignment";
    const AUDIT_PREFIX: &'static str = "assignment";
    const LABEL: &'static str = "评审任务";
    const STATES: &'static [AssignmentState] = AssignmentState::ALL;
    const ACTIONS: &'static [AssignmentAction] = AssignmentAction::ALL;
    const CREATED_BY: &'static [(AssignmentAction, AssignmentState)] = &[];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<AssignmentState, AssignmentAction>] = {
        use AssignmentAction::*;
        use AssignmentState::*;
        &[
            Transition { from: Invited, action: Accept, to: Accepted, roles: MEMBERS },
            Transition { from: Invited, action: Decline, to: Declined, roles: MEMBERS },
            Transition { from: Accepted, action: Submit, to: Submitted, roles: MEMBERS },
        ]
    };
}

vocabulary! {
    /// Where a member of the expert or institution pool stands (专家/机构库成员).
    pub enum PoolMemberState {
        /// May be drawn.
        Active = ("active", "在库"),
        /// Not drawn until a date.
        Suspended = ("suspended", "暂停"),
        /// Out of the pool (a recorded decision).
        Removed = ("removed", "已出库"),
    }
}

vocabulary! {
    /// What finance decides about a member. The codes are the states they lead to, as the audit
    /// log has always recorded them (`pool.suspended`).
    pub enum PoolMemberAction {
        /// Back in the pool.
        #[serde(rename = "active")]
        Reinstate = ("active", "恢复在库"),
        /// Suspended until a date (by decision, or after a substantiated complaint).
        #[serde(rename = "suspended")]
        Suspend = ("suspended", "暂停使用"),
        /// Out of the pool.
        #[serde(rename = "removed")]
        Remove = ("removed", "出库"),
    }
}

/// 专家/机构库成员 (the rows of `pool_members`; registering one is recorded as `pool.add`).
pub struct PoolMember;

impl Document for PoolMember {
    type State = PoolMemberState;
    type Action = PoolMemberAction;
    const TABLE: &'static str = "pool_members";
    const STATE_COLUMN: &'static str = "status";
    const VERSIONED: bool = false;
    const ENTITY: &'static str = "pool_member";
    const AUDIT_PREFIX: &'static str = "pool";
    const LABEL: &'static str = "专家/机构库成员";
    const STATES: &'static [PoolMemberState] = PoolMemberState::ALL;
    const ACTIONS: &'static [PoolMemberAction] = PoolMemberAction::ALL;
    const CREATED_BY: &'static [(PoolMemberAction, PoolMemberState)] = &[];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<PoolMemberState, PoolMemberAction>] = {
        use PoolMemberAction::*;
        use PoolMemberState::*;
        &[
            Transition { from: Active, action: Suspend, to: Suspended, roles: FINANCE },
            // A new end date or reason for a suspension.
            Transition { from: Suspended, action: Suspend, to: Suspended, roles: FINANCE },
            Transition { from: Active, action: Remove, to: Removed, roles: FINANCE },
            Transition { from: Suspended, action: Remove, to: Removed, roles: FINANCE },
            Transition { from: Suspended, action: Reinstate, to: Active, roles: FINANCE },
            Transition { from: Removed, action: Reinstate, to: Active, roles: FINANCE },
        ]
    };
}

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

/// The matrix of every document as `docs/workflow.md` writes it.
pub fn matrix_markdown() -> String {
    let mut out = String::from(
        "# Workflow matrix\n\n\
         Generated from `crates/core/src/workflow.rs` (after a change to a table, regenerate with\n\
         `JIXIAO_WRITE_DOCS=1 cargo test -p jixiao-core workflow` and review the diff); a test walks every (state, action, role) of every document against this file. Each row: in state\n\
         *from*, *action* by one of *roles* moves the document to *to*. Every combination not listed\n\
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// (document label, from, action, role) → to, read from the written matrix.
    fn written_matrix() -> HashMap<(String, String, String, String), String> {
        let text = include_str!("../../../docs/workflow.md");
        let mut matrix = HashMap::new();
        let mut document = String::new();
        for line in text.lines() {
            if let Some(heading) = line.strip_prefix("## ") {
                document = heading.split(" (").next().unwrap_or("").to_owned();
                continue;
            }
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            if cells.len() != 4 || cells[0] == "from" || cells[0].starts_with("---") {
                continue;
            }
            let code = |cell: &str| cell.split_whitespace().next().unwrap_or("").to_owned();
            for role in cells[2].split(',').map(str::trim) {
                let key = (
                    document.clone(),
                    code(cells[0]),
                    code(cells[1]),
                    role.to_owned(),
                );
                assert!(
                    matrix.insert(key, code(cells[3])).is_none(),
                    "duplicate row in docs/workflow.md: {line}"
                );
            }
        }
        matrix
    }

    fn check_against_written<D: Document>(
        matrix: &HashMap<(String, String, String, String), String>,
    ) -> usize {
        let mut walked = 0;
        for &state in D::STATES {
            for &action in D::ACTIONS {
                for role in Role::ALL {
                    walked += 1;
                    let key = (
                        D::LABEL.to_owned(),
                        state.code().to_owned(),
                        action.code().to_owned(),
                        role.as_str().to_owned(),
                    );
                    match (next::<D>(state, action, role), matrix.get(&key)) {
                        (Ok(to), Some(written)) => assert_eq!(to.code(), written, "{key:?}"),
                        (Err(_), None) => {}
                        (got, written) => {
                            panic!(
                                "{key:?}: the table says {got:?}, docs/workflow.md says {written:?}"
                            )
                        }
                    }
                }
            }
        }
        walked
    }

    #[test]
    fn every_state_action_and_role_agrees_with_the_written_matrix() {
        let matrix = written_matrix();
        let walked = check_against_written::<Project>(&matrix)
            + check_against_written::<MonitoringReport>(&matrix)
            + check_against_written::<SelfEvaluation>(&matrix)
            + check_against_written::<KeyEvaluation>(&matrix)
            + check_against_written::<Rectification>(&matrix)
            + check_against_written::<Alert>(&matrix)
            + check_against_written::<AlertDecision>(&matrix)
            + check_against_written::<Adjustment>(&matrix)
            + check_against_written::<Assignment>(&matrix)
            + check_against_written::<PoolMember>(&matrix);
        assert_eq!(
            walked,
            (4 * 6 + 5 * 4 + 5 * 5 + 4 * 5 + 3 * 4 + 3 * 4 + 3 * 2 + 4 * 3 + 4 * 3 + 3 * 3)
                * Role::ALL.len()
        );
        let rows: usize = documents()
            .iter()
            .map(|d| d.transitions.iter().map(|t| t.3.len()).sum::<usize>())
            .sum();
        assert_eq!(
            rows,
            matrix.len(),
            "docs/workflow.md lists rows the table does not have"
        );
    }

    #[test]
    fn the_written_matrix_is_the_generated_one() {
        let written = include_str!("../../../docs/workflow.md");
        if written != matrix_markdown() {
            if std::env::var_os("JIXIAO_WRITE_DOCS").is_some() {
                let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/workflow.md");
                std::fs::write(path, matrix_markdown()).expect("write docs/workflow.md");
            }
            panic!("docs/workflow.md is stale: run with JIXIAO_WRITE_DOCS=1 and review the diff");
        }
    }

    #[test]
    fn codes_labels_and_serde_agree_and_are_unique() {
        fn check<T: StateCode + serde::Serialize>(all: &[T]) {
            let mut codes = std::collections::HashSet::new();
            let mut labels = std::collections::HashSet::new();
            for v in all {
                assert_eq!(
                    serde_json::to_value(v).ok(),
                    Some(serde_json::json!(v.code()))
                );
                assert!(codes.insert(v.code()), "duplicate code {}", v.code());
                assert!(labels.insert(v.name()), "duplicate label {}", v.name());
                assert!(!v.name().is_empty() && !v.name().is_ascii());
            }
        }
        check(ProjectState::ALL);
        check(ProjectAction::ALL);
        check(ReportState::ALL);
        check(ReportAction::ALL);
        check(SelfEvaluationState::ALL);
        check(SelfEvaluationAction::ALL);
        check(KeyEvaluationState::ALL);
        check(KeyEvaluationAction::ALL);
        check(RectificationState::ALL);
        check(RectificationAction::ALL);
        check(AlertState::ALL);
        check(AlertAction::ALL);
        check(AlertDecisionState::ALL);
        check(AlertDecisionAction::ALL);
        check(AdjustmentState::ALL);
        check(AdjustmentAction::ALL);
        check(AssignmentState::ALL);
        check(AssignmentAction::ALL);
        check(PoolMemberState::ALL);
        check(PoolMemberAction::ALL);
        assert_eq!(
            ProjectState::parse("approved"),
            Some(ProjectState::Approved)
        );
        assert_eq!(ProjectState::parse("Approved"), None);
    }

    #[test]
    fn audit_codes_are_derived_and_labelled() {
        assert_eq!(
            audit_code::<Project>(ProjectAction::Submit),
            "project.submit"
        );
        assert_eq!(
            audit_code::<MonitoringReport>(ReportAction::Return),
            "monitoring.return"
        );
        assert_eq!(audit_label("monitoring.return"), Some("退回监控报告"));
        assert_eq!(audit_label("project.approve"), Some("审核通过并批复"));
        assert_eq!(audit_label("project.nothing"), None);
        let all = audit_actions();
        let unique: std::collections::HashSet<_> = all.iter().map(|(c, _)| c).collect();
        assert_eq!(unique.len(), all.len());
    }

    #[test]
    fn a_stranger_is_refused_for_the_role_before_the_state_is_told() {
        let refusal = next::<Project>(ProjectState::Approved, ProjectAction::Submit, Role::Viewer);
        assert!(matches!(refusal, Err(Refusal::RoleNotAllowed { .. })));
        let refusal = next::<Project>(ProjectState::Approved, ProjectAction::Submit, Role::Agency);
        assert_eq!(
            refusal.map_err(|r| r.to_string()),
            Err("项目当前为“已审核”，不能提交审核".to_owned())
        );
        // The department step: an agency user may pass and return but never approve.
        assert!(allows::<Project>(
            ProjectState::Submitted,
            ProjectAction::PassStep,
            Role::Agency
        ));
        assert!(!allows::<Project>(
            ProjectState::Submitted,
            ProjectAction::Approve,
            Role::Agency
        ));
    }

    #[test]
    fn creation_starts_in_the_declared_state_for_the_declared_roles() {
        assert_eq!(
            create::<SelfEvaluation>(SelfEvaluationAction::Import, Role::Finance),
            Ok(SelfEvaluationState::Submitted)
        );
        assert!(create::<SelfEvaluation>(SelfEvaluationAction::Save, Role::Finance).is_err());
        assert!(create::<SelfEvaluation>(SelfEvaluationAction::Approve, Role::Finance).is_err());
        assert_eq!(
            create::<Rectification>(RectificationAction::Raise, Role::Finance),
            Ok(RectificationState::Open)
        );
        assert!(create::<Rectification>(RectificationAction::Raise, Role::Agency).is_err());
    }

    #[test]
    fn the_status_documents_keep_their_rules() {
        // The deadline stops payments without moving the alert; a decided alert is left alone.
        assert_eq!(
            next::<Alert>(AlertState::Proposed, AlertAction::Suspend, Role::Finance),
            Ok(AlertState::Proposed)
        );
        assert!(matches!(
            next::<Alert>(AlertState::Decided, AlertAction::Suspend, Role::Finance),
            Err(Refusal::InvalidTransition { .. })
        ));
        assert!(matches!(
            next::<Alert>(AlertState::Open, AlertAction::Propose, Role::Finance),
            Err(Refusal::RoleNotAllowed { .. })
        ));
        // A job is answered once, by its member.
        assert!(matches!(
            next::<Assignment>(
                AssignmentState::Accepted,
                AssignmentAction::Decline,
                Role::Expert
            ),
            Err(Refusal::InvalidTransition { .. })
        ));
        assert!(!allows::<Assignment>(
            AssignmentState::Invited,
            AssignmentAction::Accept,
            Role::Finance
        ));
        // A removed member is not suspended (a complaint about one changes nothing).
        assert!(!allows::<PoolMember>(
            PoolMemberState::Removed,
            PoolMemberAction::Suspend,
            Role::Finance
        ));
        assert_eq!(
            audit_code::<PoolMember>(PoolMemberAction::Suspend),
            "pool.suspended"
        );
        assert_eq!(audit_label("pool.removed"), Some("出库"));
        assert_eq!(
            audit_label("pool.add"),
            None,
            "named by the audit catalogue"
        );
        assert_eq!(
            audit_code::<AlertDecision>(AlertDecisionAction::Confirm),
            "alert_decision.confirm"
        );
    }

    proptest! {
        /// Any walk of a project through random actions by random roles stays inside the table:
        /// every accepted move is a row of it, and approval is reached only by finance.
        #[test]
        fn random_walks_only_take_rows_of_the_table(
            steps in proptest::collection::vec((0usize..6, 0usize..6), 0..40)
        ) {
            let mut state = ProjectState::Draft;
            for (a, r) in steps {
                let action = ProjectAction::ALL[a];
                let role = Role::ALL[r];
                if let Ok(to) = next::<Project>(state, action, role) {
                    prop_assert!(Project::TRANSITIONS.iter().any(|t|
                        t.from == state && t.action == action && t.to == to && t.roles.contains(&role)));
                    if to == ProjectState::Approved && state != to {
                        prop_assert_eq!(role, Role::Finance);
                    }
                    state = to;
                }
            }
        }
    }
}
