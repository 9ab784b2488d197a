//! The roles of DOMAIN.md §1 and the one permission table of what each may do. Routes declare the
//! capability they need; use cases check it again, so a route mistake cannot open a door.

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
    /// 村级 (村“两委”): keeps the registry of its village.
    Village,
    /// 乡镇（街道）: its villages' registry; approves and runs checks for them.
    Township,
    /// 县乡村振兴（帮扶）办: the whole county's registry; imports, checks and decides.
    Assistance,
    /// 行业部门 (民政、医保、残联、教育、人社、卫健 …): reads what its policies need.
    Sector,
    /// 帮扶责任人: the households it helps.
    Helper,
}

/// Something a route or a use case may require of its actor: the one permission table. Both
/// route tables (API and pages) guard each group of routes with one capability, and use cases
/// require it again; what a role may do is read from [`PERMISSIONS`] only. Scope (which rows)
/// is applied in the store's queries (`project_scope`), never here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Sign in, read one's own account, change one's own password.
    UseAccount,
    /// Create, disable and reset users.
    ManageUsers,
    /// Create and edit agencies.
    ManageAgencies,
    /// Edit jurisdiction settings, fiscal years and rulebooks.
    ManageSettings,
    /// Read the audit log.
    ReadAuditLog,
    /// Read agencies (scoped by jurisdiction and, for agency users, by subtree).
    ReadAgencies,
    /// Read projects, targets, budgets, payments, monitoring and results (scoped likewise).
    ReadProjects,
    /// Ask for money: projects, targets, monitoring reports, self-evaluations, alert proposals.
    AskForMoney,
    /// Decide review steps of projects (a department its units'; finance the rest).
    ReviewProjects,
    /// Finance's own work: treasury payments, monitoring rounds, reviews of reports and
    /// self-evaluations, key evaluations' confirmation, results application, publication.
    RunFinance,
    /// Read the expert and institution pools and their draws.
    ReadPools,
    /// Keep the pools: members, draws, ratings, complaints.
    ManagePools,
    /// Read assignments (pool members their own).
    ReadAssignments,
    /// Accept or decline one's own assignment and submit its review.
    ActOnAssignments,
    /// Read key evaluations (an institution its own) and rectification items.
    ReadEvaluations,
    /// Commission a key evaluation from a drawn institution.
    CommissionEvaluations,
    /// Score and report a commissioned key evaluation.
    ScoreEvaluations,
    /// Answer (agency) or check (finance) rectification items.
    HandleRectifications,
    /// Load and edit the area tree (乡镇 → 管区 → 行政村).
    ManageAreas,
    /// Read the assistance registry: households and their people (scoped by area, helper or
    /// sector; ID numbers masked).
    ReadHouseholds,
    /// Record and change households and people.
    EditHouseholds,
    /// Import the national system's export, and run checks over a jurisdiction.
    ImportHouseholds,
    /// See a full ID number (each time written to the audit log).
    ShowIdNumbers,
    /// Run the coverage check (政策落实核查) over the jurisdiction or one township.
    RunPolicyChecks,
    /// Record who enjoys a department's policies (a department's own list; the county office
    /// any department's).
    RecordEnjoyments,
    /// Dynamic monitoring's case work: record clues by hand, open monitoring cases, take their
    /// steps (which step is the workflow table's), keep the household's plan and measures.
    MonitorRisks,
    /// Run the screening (预警) over the registry or against a department's list.
    RunScreenings,
    /// Keep the programmes' records (decision 0045): 公益性岗位 posts and holders, left-behind
    /// children, clean courtyards, health screening campaigns, employment letters.
    KeepProgrammes,
    /// Read visits (走访), their evidence, the month's compliance and the rectification items.
    ReadVisits,
    /// Record a visit with its evidence, and close a rectification item it raised.
    RecordVisits,
}

/// Who may do what: every capability with the roles that have it and the scope the store
/// applies. The only place a role's rights are written.
pub const PERMISSIONS: &[(Capability, &[Role], &str)] = {
    use Capability::*;
    use Role::*;
    &[
        (UseAccount, &Role::ALL, "本人账号"),
        (ManageUsers, &[Admin], "本区划（部署管理员：全部）"),
        (ManageAgencies, &[Admin], "本区划"),
        (ManageSettings, &[Admin], "本区划"),
        (ReadAuditLog, &[Admin], "本区划"),
        (
            ReadAgencies,
            &[Admin, Finance, Agency, Viewer],
            "本区划；单位用户：本单位及下级",
        ),
        (
            ReadProjects,
            &[Admin, Finance, Agency, Viewer],
            "本区划；单位用户：本单位及下级",
        ),
        (AskForMoney, &[Agency], "本单位及下级"),
        (
            ReviewProjects,
            &[Agency, Finance],
            "主管部门：所属单位的部门审核环节；财政：本区划",
        ),
        (RunFinance, &[Finance], "本区划"),
        (ReadPools, &[Admin, Finance, Viewer], "本区划"),
        (ManagePools, &[Finance], "本区划"),
        (
            ReadAssignments,
            &[Admin, Finance, Viewer, Expert, Institution],
            "本区划；专家、机构：本人任务",
        ),
        (ActOnAssignments, &[Expert, Institution], "本人任务"),
        (
            ReadEvaluations,
            &[Admin, Finance, Agency, Viewer, Institution],
            "本区划；单位：本单位；机构：受托项目",
        ),
        (
            CommissionEvaluations,
            &[Finance, Agency],
            "财政：本区划；主管部门：本部门及所属单位",
        ),
        (ScoreEvaluations, &[Institution], "受托项目"),
        (
            HandleRectifications,
            &[Agency, Finance],
            "单位：本单位事项；财政：本区划",
        ),
        (ManageAreas, &[Admin], "本区划"),
        (
            ReadHouseholds,
            &[Assistance, Township, Village, Sector, Helper],
            "帮扶办、行业部门：本区划；乡镇、村：本辖区；帮扶责任人：所帮扶户",
        ),
        (
            EditHouseholds,
            &[Assistance, Township, Village],
            "帮扶办：本区划；乡镇、村：本辖区",
        ),
        (ImportHouseholds, &[Assistance], "本区划"),
        (
            ShowIdNumbers,
            &[Assistance, Township, Village],
            "本辖区；每次查看记入审计日志",
        ),
        (RunPolicyChecks, &[Assistance], "本区划（可限一个乡镇）"),
        (
            RecordEnjoyments,
            &[Sector, Assistance],
            "行业部门：本部门的政策；帮扶办：各部门",
        ),
        (
            MonitorRisks,
            &[Assistance, Township, Village],
            "帮扶办：本区划；乡镇、村：本辖区（各环节由谁办理见 docs/workflow.md）",
        ),
        (RunScreenings, &[Assistance], "本区划（可限一个乡镇）"),
        (
            KeepProgrammes,
            &[Assistance, Township, Village],
            "帮扶办：本区划；乡镇、村：本辖区",
        ),
        (
            ReadVisits,
            &[Assistance, Township, Village, Helper],
            "帮扶办：本区划；乡镇、村：本辖区；帮扶责任人：所帮扶户",
        ),
        (
            RecordVisits,
            &[Township, Village, Helper],
            "乡镇、村：本辖区；帮扶责任人：所帮扶户",
        ),
    ]
};

impl Capability {
    /// Every capability, in the order of [`PERMISSIONS`].
    pub fn all() -> impl Iterator<Item = Capability> {
        PERMISSIONS.iter().map(|(c, _, _)| *c)
    }

    /// Its name as users and auditors read it.
    pub fn label(self) -> &'static str {
        use Capability::*;
        match self {
            UseAccount => "登录及修改本人密码",
            ManageUsers => "管理用户",
            ManageAgencies => "管理部门单位",
            ManageSettings => "管理区划、年度与规则",
            ReadAuditLog => "查阅审计日志",
            ReadAgencies => "查阅部门单位",
            ReadProjects => "查阅项目、预算执行、监控与评价结果",
            AskForMoney => "申报项目，填报绩效目标、监控报告与自评",
            ReviewProjects => "审核项目",
            RunFinance => "财政业务：国库支付、绩效监控、评价确认、结果应用与公开",
            ReadPools => "查阅专家库、机构库与抽取记录",
            ManagePools => "管理专家库、机构库，组织随机抽取",
            ReadAssignments => "查阅评审任务",
            ActOnAssignments => "接受或谢绝任务，提交评审意见",
            ReadEvaluations => "查阅重点评价与整改事项",
            CommissionEvaluations => "委托重点绩效评价",
            ScoreEvaluations => "开展受托评价，提交评价报告",
            HandleRectifications => "办理整改事项（反馈、核查）",
            ManageAreas => "管理乡镇、管区、行政村",
            ReadHouseholds => "查阅帮扶对象户档案（证件号码脱敏）",
            EditHouseholds => "登记、修改帮扶对象户及家庭成员",
            ImportHouseholds => "导入、导出全国系统人员信息表",
            ShowIdNumbers => "查看完整证件号码（记入审计日志）",
            RunPolicyChecks => "开展政策落实核查（应享未享、不应享而享、数据矛盾）",
            RecordEnjoyments => "导入享受政策名单",
            MonitorRisks => "防返贫监测：登记线索、识别与消除程序、一户一策",
            RunScreenings => "开展防返贫监测筛查（收入、支出、部门数据比对）",
            KeepProgrammes => {
                "帮扶项目台账：公益性岗位、留守儿童关爱、洁净庭院、健康查体、就业介绍信"
            }
            ReadVisits => "查阅走访记录、走访达标情况与问题整改",
            RecordVisits => "记录走访（含佐证照片、视频），问题整改销号",
        }
    }

    /// The roles that have it.
    pub fn roles(self) -> &'static [Role] {
        PERMISSIONS
            .iter()
            .find(|(c, _, _)| *c == self)
            .map_or(&[], |(_, roles, _)| roles)
    }

    /// The scope the store applies, as users read it.
    pub fn scope(self) -> &'static str {
        PERMISSIONS
            .iter()
            .find(|(c, _, _)| *c == self)
            .map_or("", |(_, _, scope)| scope)
    }
}

/// The role × capability matrix as `docs/permissions.md` opens it.
pub fn permission_matrix_markdown() -> String {
    let mut out = String::from("| 权限 | 范围 |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.as_str()));
    }
    out.push_str("\n|---|---|");
    for _ in Role::ALL {
        out.push_str(":-:|");
    }
    out.push('\n');
    for (capability, roles, scope) in PERMISSIONS {
        out.push_str(&format!(
            "| `{capability:?}` {} | {scope} |",
            capability.label()
        ));
        for role in Role::ALL {
            out.push_str(if roles.contains(&role) {
                " ✓ |"
            } else {
                " |"
            });
        }
        out.push('\n');
    }
    out
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 11] = [
        Role::Admin,
        Role::Finance,
        Role::Agency,
        Role::Expert,
        Role::Institution,
        Role::Viewer,
        Role::Village,
        Role::Township,
        Role::Assistance,
        Role::Sector,
        Role::Helper,
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
            Role::Village => "village",
            Role::Township => "township",
            Role::Assistance => "assistance",
            Role::Sector => "sector",
            Role::Helper => "helper",
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
            Role::Village => "村级（村“两委”）",
            Role::Township => "乡镇（街道）",
            Role::Assistance => "县乡村振兴（帮扶）办",
            Role::Sector => "行业部门",
            Role::Helper => "帮扶责任人",
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

    /// Whether a user of this role must be bound to an area (a township or a village).
    pub fn needs_area(self) -> bool {
        matches!(self, Role::Village | Role::Township)
    }

    /// Whether a user of this role must name its sector (民政, 医保 …).
    pub fn needs_sector(self) -> bool {
        matches!(self, Role::Sector)
    }

    /// Whether this role works in the assistance registry rather than the budget side.
    pub fn is_assistance(self) -> bool {
        matches!(
            self,
            Role::Village | Role::Township | Role::Assistance | Role::Sector | Role::Helper
        )
    }

    /// Whether this role may do `capability` (read from [`PERMISSIONS`]).
    pub fn can(self, capability: Capability) -> bool {
        capability.roles().contains(&self)
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

    #[test]
    fn every_capability_is_in_the_table_once_and_the_viewer_changes_nothing() {
        let all: Vec<Capability> = Capability::all().collect();
        let unique: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(unique.len(), all.len(), "a capability is listed twice");
        assert_eq!(all.len(), 30, "a capability is missing from PERMISSIONS");
        for capability in all {
            assert!(!capability.roles().is_empty(), "{capability:?} has no role");
            assert!(!capability.label().is_empty() && !capability.scope().is_empty());
        }
        // The supervisors read; they never ask, review, pay or keep anything.
        let writes = [
            Capability::AskForMoney,
            Capability::ReviewProjects,
            Capability::RunFinance,
            Capability::ManagePools,
            Capability::ActOnAssignments,
            Capability::CommissionEvaluations,
            Capability::ScoreEvaluations,
            Capability::HandleRectifications,
            Capability::ManageUsers,
        ];
        for capability in writes {
            assert!(!Role::Viewer.can(capability), "{capability:?}");
        }
        assert!(Role::Viewer.can(Capability::ReadProjects));
    }
}
