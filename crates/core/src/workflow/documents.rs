//! The documents of the product and their transition tables: 项目, 监控报告, 绩效自评表, 重点评价,
//! 整改事项, 预警, 预警处置意见, 结果应用建议, 评审任务, 专家/机构库成员, 核查问题整改, 监测帮扶案件. Each is two vocabularies
//! and one table; `docs/workflow.md` is generated from them.

use super::{Creation, Document, Transition};
use crate::role::Role;

const AGENCY: &[Role] = &[Role::Agency];
const FINANCE: &[Role] = &[Role::Finance];
const INSTITUTION: &[Role] = &[Role::Institution];
const REVIEWERS: &[Role] = &[Role::Agency, Role::Finance];
const IMPORTERS: &[Role] = &[Role::Agency, Role::Finance, Role::Admin];
const MEMBERS: &[Role] = &[Role::Expert, Role::Institution];
const INVITERS: &[Role] = &[Role::Finance, Role::Expert, Role::Institution];
const ASSISTANCE: &[Role] = &[Role::Assistance];
const RECTIFIERS: &[Role] = &[Role::Village, Role::Township, Role::Sector];
const VILLAGE_OR_TOWNSHIP: &[Role] = &[Role::Village, Role::Township];
const TOWNSHIP: &[Role] = &[Role::Township];
const TOWNSHIP_OR_OFFICE: &[Role] = &[Role::Township, Role::Assistance];
const CASE_OPENERS: &[Role] = &[Role::Village, Role::Township, Role::Assistance];

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
        /// The agency creates it (a draft).
        Create = ("create", "新建项目"),
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
    const CREATED_BY: &'static [Creation<ProjectState, ProjectAction>] = &[Creation {
        action: ProjectAction::Create,
        state: ProjectState::Draft,
        roles: AGENCY,
    }];
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
        /// Finance opens a round: every project in it gets a report to fill.
        Open = ("open", "发起绩效监控"),
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
    const CREATED_BY: &'static [Creation<ReportState, ReportAction>] = &[Creation {
        action: ReportAction::Open,
        state: ReportState::Pending,
        roles: FINANCE,
    }];
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
    const CREATED_BY: &'static [Creation<SelfEvaluationState, SelfEvaluationAction>] = &[
        Creation {
            action: SelfEvaluationAction::Save,
            state: SelfEvaluationState::Draft,
            roles: AGENCY,
        },
        Creation {
            action: SelfEvaluationAction::Import,
            state: SelfEvaluationState::Submitted,
            roles: IMPORTERS,
        },
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
    const CREATED_BY: &'static [Creation<KeyEvaluationState, KeyEvaluationAction>] = &[Creation {
        action: KeyEvaluationAction::Commission,
        state: KeyEvaluationState::Commissioned,
        roles: REVIEWERS,
    }];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<KeyEvaluationState, KeyEvaluationAction>] = {
        use KeyEvaluationAction::*;
        use KeyEvaluationState::*;
        &[
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
    const CREATED_BY: &'static [Creation<RectificationState, RectificationAction>] = &[Creation {
        action: RectificationAction::Raise,
        state: RectificationState::Open,
        roles: FINANCE,
    }];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<RectificationState, RectificationAction>] = {
        use RectificationAction::*;
        use RectificationState::*;
        &[
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
        /// Finance's evaluation of a round raises it.
        Raise = ("raise", "发出预警"),
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
    // Raised by evaluating a round (the batch is recorded as `monitoring.evaluate`).
    const CREATED_BY: &'static [Creation<AlertState, AlertAction>] = &[Creation {
        action: AlertAction::Raise,
        state: AlertState::Open,
        roles: FINANCE,
    }];
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
        /// The agency proposes what to do about its alert.
        Propose = ("propose", "提出处置意见"),
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
    const CREATED_BY: &'static [Creation<AlertDecisionState, AlertDecisionAction>] = &[Creation {
        action: AlertDecisionAction::Propose,
        state: AlertDecisionState::Proposed,
        roles: AGENCY,
    }];
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
        /// Finance generates the year's proposals from the evaluation results.
        Propose = ("propose", "生成结果应用建议"),
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
    const CREATED_BY: &'static [Creation<AdjustmentState, AdjustmentAction>] = &[Creation {
        action: AdjustmentAction::Propose,
        state: AdjustmentState::Proposed,
        roles: FINANCE,
    }];
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
        /// A draw invites the member (the batch is recorded as `pool.draw`).
        Invite = ("invite", "发出评审邀请"),
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
    // Finance's draw invites the selected; a member who declines calls the next backup.
    const CREATED_BY: &'static [Creation<AssignmentState, AssignmentAction>] = &[Creation {
        action: AssignmentAction::Invite,
        state: AssignmentState::Invited,
        roles: INVITERS,
    }];
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
        /// Registered in the pool.
        Add = ("add", "登记入库"),
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
    const CREATED_BY: &'static [Creation<PoolMemberState, PoolMemberAction>] = &[Creation {
        action: PoolMemberAction::Add,
        state: PoolMemberState::Active,
        roles: FINANCE,
    }];
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

vocabulary! {
    /// Where the rectification of a coverage-check finding stands (核查问题整改).
    pub enum FindingRectificationState {
        /// Assigned to the village or department with a deadline.
        Assigned = ("assigned", "待整改"),
        /// Answered with what was done and the evidence; the county office reviews.
        Answered = ("answered", "待审核"),
        /// The county office accepted the explanation: the finding is settled.
        Accepted = ("accepted", "已认可"),
    }
}

vocabulary! {
    /// What can be done to a finding's rectification.
    pub enum FindingRectificationAction {
        /// The county office assigns a run's open findings, with a deadline.
        Assign = ("assign", "交办整改"),
        /// The village, township or department answers with what it did and the evidence.
        Answer = ("answer", "反馈整改情况"),
        /// The county office accepts the answer.
        Accept = ("accept", "认可整改说明"),
        /// The county office sends it back with a comment.
        SendBack = ("send_back", "退回重新整改"),
    }
}

/// 核查问题整改 (the rows of `finding_rectifications`): one per finding of the coverage check
/// that the county office assigned. A rerun that no longer finds the problem closes the finding
/// whatever its rectification's state.
pub struct FindingRectification;

impl Document for FindingRectification {
    type State = FindingRectificationState;
    type Action = FindingRectificationAction;
    const TABLE: &'static str = "finding_rectifications";
    const ENTITY: &'static str = "finding_rectification";
    const AUDIT_PREFIX: &'static str = "finding_rectification";
    const LABEL: &'static str = "核查问题整改";
    const STATES: &'static [FindingRectificationState] = FindingRectificationState::ALL;
    const ACTIONS: &'static [FindingRectificationAction] = FindingRectificationAction::ALL;
    const CREATED_BY: &'static [Creation<FindingRectificationState, FindingRectificationAction>] =
        &[Creation {
            action: FindingRectificationAction::Assign,
            state: FindingRectificationState::Assigned,
            roles: ASSISTANCE,
        }];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<FindingRectificationState, FindingRectificationAction>] = {
        use FindingRectificationAction::*;
        use FindingRectificationState::*;
        &[
            Transition { from: Assigned, action: Answer, to: Answered, roles: RECTIFIERS },
            Transition { from: Answered, action: Accept, to: Accepted, roles: ASSISTANCE },
            Transition { from: Answered, action: SendBack, to: Assigned, roles: ASSISTANCE },
        ]
    };
}

vocabulary! {
    /// Where a monitoring case stands (监测帮扶案件): the identification pipeline, monitoring,
    /// and the elimination pipeline (the same steps again).
    pub enum RiskCaseState {
        /// Opened from a clue: the village visits the household.
        Verifying = ("verifying", "待入户核实"),
        /// Verified: the township compares with the departments' data.
        Comparing = ("comparing", "待信息比对"),
        /// Compared: the village deliberates and posts the notice.
        Deliberating = ("deliberating", "待民主评议公示"),
        /// The public notice runs; the township reviews after it.
        Noticing = ("noticing", "公示中"),
        /// The township approved: the county office decides.
        CountyReview = ("county_review", "待县审定"),
        /// The county office decided: it announces and includes.
        Announcing = ("announcing", "待公告"),
        /// Included: monitored and helped.
        Monitored = ("monitored", "监测帮扶中"),
        /// Not included (refused at the township's or the county's step).
        NotIncluded = ("not_included", "不予纳入"),
        /// Elimination proposed: the village visits the household.
        EliminationVerifying = ("elimination_verifying", "风险消除：待入户核实"),
        /// The township compares.
        EliminationComparing = ("elimination_comparing", "风险消除：待信息比对"),
        /// The village deliberates and posts the notice.
        EliminationDeliberating = ("elimination_deliberating", "风险消除：待民主评议公示"),
        /// The notice runs.
        EliminationNoticing = ("elimination_noticing", "风险消除：公示中"),
        /// The county office decides.
        EliminationCountyReview = ("elimination_county_review", "风险消除：待县审定"),
        /// The county office announces.
        EliminationAnnouncing = ("elimination_announcing", "风险消除：待公告"),
        /// The risk is eliminated (a household without labour stays tracked).
        Eliminated = ("eliminated", "风险已消除"),
    }
}

impl RiskCaseState {
    /// Whether the case is in the elimination pipeline.
    pub fn eliminating(self) -> bool {
        self.as_str().starts_with("elimination_")
    }

    /// Whether the case is still being identified (before inclusion).
    pub fn identifying(self) -> bool {
        matches!(
            self,
            RiskCaseState::Verifying
                | RiskCaseState::Comparing
                | RiskCaseState::Deliberating
                | RiskCaseState::Noticing
                | RiskCaseState::CountyReview
                | RiskCaseState::Announcing
        )
    }

    /// Whether the case has ended (its clue is closed).
    pub fn ended(self) -> bool {
        matches!(self, RiskCaseState::NotIncluded | RiskCaseState::Eliminated)
    }
}

vocabulary! {
    /// The steps of a monitoring case.
    pub enum RiskCaseAction {
        /// A case is opened from a clue.
        Open = ("open", "立案（启动识别程序）"),
        /// 入户核实.
        Verify = ("verify", "入户核实"),
        /// 信息比对.
        Compare = ("compare", "信息比对"),
        /// 村民主评议并公示.
        Publicise = ("publicise", "村民主评议并公示"),
        /// 乡镇审核 (after the notice).
        TownshipApprove = ("township_approve", "乡镇审核通过"),
        /// 县审定.
        CountyApprove = ("county_approve", "县级审定通过"),
        /// 公告 and 纳入 (or, for elimination, 公告 and 消除).
        Announce = ("announce", "公告"),
        /// Refused by the township or the county office.
        Reject = ("reject", "审核不通过"),
        /// 提出风险消除.
        ProposeElimination = ("propose_elimination", "启动风险消除程序"),
    }
}

/// 监测帮扶案件 (the rows of `risk_cases`): a household's identification as a 监测对象, its
/// monitoring, and its risk elimination, each step recorded in `risk_case_steps`.
pub struct RiskCase;

impl Document for RiskCase {
    type State = RiskCaseState;
    type Action = RiskCaseAction;
    const TABLE: &'static str = "risk_cases";
    const ENTITY: &'static str = "risk_case";
    const AUDIT_PREFIX: &'static str = "risk_case";
    const LABEL: &'static str = "监测帮扶案件";
    const STATES: &'static [RiskCaseState] = RiskCaseState::ALL;
    const ACTIONS: &'static [RiskCaseAction] = RiskCaseAction::ALL;
    const CREATED_BY: &'static [Creation<RiskCaseState, RiskCaseAction>] = &[Creation {
        action: RiskCaseAction::Open,
        state: RiskCaseState::Verifying,
        roles: CASE_OPENERS,
    }];
    #[rustfmt::skip]
    const TRANSITIONS: &'static [Transition<RiskCaseState, RiskCaseAction>] = {
        use RiskCaseAction::*;
        use RiskCaseState::*;
        &[
            Transition { from: Verifying, action: Verify, to: Comparing, roles: VILLAGE_OR_TOWNSHIP },
            Transition { from: Comparing, action: Compare, to: Deliberating, roles: TOWNSHIP_OR_OFFICE },
            Transition { from: Deliberating, action: Publicise, to: Noticing, roles: VILLAGE_OR_TOWNSHIP },
            Transition { from: Noticing, action: TownshipApprove, to: CountyReview, roles: TOWNSHIP },
            Transition { from: Noticing, action: Reject, to: NotIncluded, roles: TOWNSHIP },
            Transition { from: CountyReview, action: CountyApprove, to: Announcing, roles: ASSISTANCE },
            Transition { from: CountyReview, action: Reject, to: NotIncluded, roles: ASSISTANCE },
            Transition { from: Announcing, action: Announce, to: Monitored, roles: ASSISTANCE },
            Transition { from: Monitored, action: ProposeElimination, to: EliminationVerifying, roles: VILLAGE_OR_TOWNSHIP },
            Transition { from: EliminationVerifying, action: Verify, to: EliminationComparing, roles: VILLAGE_OR_TOWNSHIP },
            Transition { from: EliminationComparing, action: Compare, to: EliminationDeliberating, roles: TOWNSHIP_OR_OFFICE },
            Transition { from: EliminationDeliberating, action: Publicise, to: EliminationNoticing, roles: VILLAGE_OR_TOWNSHIP },
            Transition { from: EliminationNoticing, action: TownshipApprove, to: EliminationCountyReview, roles: TOWNSHIP },
            Transition { from: EliminationNoticing, action: Reject, to: Monitored, roles: TOWNSHIP },
            Transition { from: EliminationCountyReview, action: CountyApprove, to: EliminationAnnouncing, roles: ASSISTANCE },
            Transition { from: EliminationCountyReview, action: Reject, to: Monitored, roles: ASSISTANCE },
            Transition { from: EliminationAnnouncing, action: Announce, to: Eliminated, roles: ASSISTANCE },
        ]
    };
}
