//! The header menu: every entry a role may open, grouped (项目 / 执行 / 评价 / 专家 / 帮扶 / 管理)
//! so that the largest menu stays on one line at 1366 px. Each entry names the capability its
//! route requires, so the menu never offers a page the role would be refused.

use jixiao_core::{Capability, Role};

/// One link of the menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuEntry {
    /// What it says.
    pub label: &'static str,
    /// Where it leads.
    pub href: &'static str,
    /// The page key that marks it active (`Chrome::active`).
    pub key: &'static str,
}

/// A group of links; a group of one is shown as a plain link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuGroup {
    /// The group's name.
    pub label: &'static str,
    /// Its links, in order.
    pub entries: Vec<MenuEntry>,
}

impl MenuGroup {
    /// Whether the page `active` is one of the group's.
    pub fn is_active(&self, active: &str) -> bool {
        self.entries.iter().any(|e| e.key == active)
    }

    /// Whether the group is one link, shown without a drop-down.
    pub fn is_single(&self) -> bool {
        self.entries.len() == 1
    }
}

/// (group, label, href, active key, capability the route requires, roles it is shown to when
/// not every role with the capability should see it).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Capability,
    Option<&'static [Role]>,
);

const MEMBERS: &[Role] = &[Role::Expert, Role::Institution];
const FINANCE_SIDE: &[Role] = &[Role::Admin, Role::Finance, Role::Viewer];

/// Every entry of the menu, in the order shown.
const ROWS: &[Row] = &[
    ("首页", "首页", "/", "home", Capability::UseAccount, None),
    (
        "项目",
        "项目库",
        "/projects",
        "projects",
        Capability::ReadProjects,
        None,
    ),
    (
        "项目",
        "目标表智能预审",
        "/target-review",
        "target_review",
        Capability::ReadProjects,
        Some(FINANCE_SIDE),
    ),
    (
        "执行",
        "支付明细",
        "/payments",
        "payments",
        Capability::ReadProjects,
        None,
    ),
    (
        "执行",
        "绩效监控",
        "/monitoring",
        "monitoring",
        Capability::ReadProjects,
        None,
    ),
    (
        "评价",
        "绩效评价与结果应用",
        "/evaluation",
        "evaluation",
        Capability::ReadProjects,
        None,
    ),
    (
        "评价",
        "重点评价",
        "/evaluations",
        "key_evaluations",
        Capability::ReadEvaluations,
        None,
    ),
    (
        "评价",
        "整改事项",
        "/rectifications",
        "rectifications",
        Capability::ReadProjects,
        None,
    ),
    (
        "看板",
        "绩效看板",
        "/dashboard",
        "dashboard",
        Capability::ReadProjects,
        None,
    ),
    (
        "专家",
        "专家与机构库",
        "/pools/experts",
        "pools",
        Capability::ReadPools,
        None,
    ),
    (
        "专家",
        "评审任务",
        "/assignments",
        "assignments",
        Capability::ReadAssignments,
        Some(FINANCE_SIDE),
    ),
    (
        "我的任务",
        "我的评审任务",
        "/assignments",
        "assignments",
        Capability::ActOnAssignments,
        Some(MEMBERS),
    ),
    (
        "帮扶",
        "帮扶对象",
        "/households",
        "households",
        Capability::ReadHouseholds,
        None,
    ),
    (
        "帮扶",
        "政策落实核查",
        "/policy-checks",
        "policy_checks",
        Capability::ReadHouseholds,
        None,
    ),
    (
        "帮扶",
        "防返贫监测",
        "/risk-cases",
        "risk",
        Capability::ReadHouseholds,
        None,
    ),
    (
        "帮扶",
        "监测线索",
        "/clues",
        "clues",
        Capability::ReadHouseholds,
        None,
    ),
    (
        "帮扶",
        "帮扶项目台账",
        "/posts",
        "programmes",
        Capability::KeepProgrammes,
        None,
    ),
    (
        "帮扶",
        "走访",
        "/visits",
        "visits",
        Capability::ReadVisits,
        None,
    ),
    (
        "管理",
        "部门单位",
        "/admin/agencies",
        "agencies",
        Capability::ManageAgencies,
        None,
    ),
    (
        "管理",
        "用户管理",
        "/admin/users",
        "users",
        Capability::ManageUsers,
        None,
    ),
    (
        "管理",
        "区划与年度",
        "/admin/settings",
        "settings",
        Capability::ManageSettings,
        None,
    ),
    (
        "管理",
        "规则",
        "/admin/rulebook",
        "rulebook",
        Capability::ManageSettings,
        None,
    ),
    (
        "管理",
        "审计日志",
        "/admin/audit",
        "audit",
        Capability::ReadAuditLog,
        None,
    ),
];

/// The menu `role` sees: the entries whose routes it may open, grouped in order.
pub fn menu_for(role: Role) -> Vec<MenuGroup> {
    let mut groups: Vec<MenuGroup> = Vec::new();
    for (group, label, href, key, capability, only) in ROWS {
        if !role.can(*capability) || only.is_some_and(|roles| !roles.contains(&role)) {
            continue;
        }
        let entry = MenuEntry { label, href, key };
        match groups.iter_mut().find(|g| g.label == *group) {
            Some(g) => g.entries.push(entry),
            None => groups.push(MenuGroup {
                label: group,
                entries: vec![entry],
            }),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_menu_has_few_top_level_items() {
        for role in Role::ALL {
            let menu = menu_for(role);
            assert!(menu.len() <= 8, "{role:?}: {} groups", menu.len());
            assert_eq!(menu.first().map(|g| g.label), Some("首页"));
        }
        let admin = menu_for(Role::Admin);
        let labels: Vec<_> = admin.iter().map(|g| g.label).collect();
        assert!(labels.contains(&"管理"), "{labels:?}");
    }

    #[test]
    fn members_see_their_tasks_and_no_library() {
        let expert = menu_for(Role::Expert);
        let hrefs: Vec<_> = expert
            .iter()
            .flat_map(|g| g.entries.iter().map(|e| e.href))
            .collect();
        assert!(hrefs.contains(&"/assignments"));
        assert!(!hrefs.contains(&"/projects"));
        assert!(!hrefs.contains(&"/pools/experts"));
        let institution = menu_for(Role::Institution);
        assert!(
            institution
                .iter()
                .any(|g| g.entries.iter().any(|e| e.href == "/evaluations"))
        );
    }
}
