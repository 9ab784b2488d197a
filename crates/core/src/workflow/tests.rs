//! The kernel against its written matrix: every (state, action, role) of every document, the
//! vocabularies, the derived audit codes, creation and random walks.
use super::*;
use proptest::prelude::*;
use std::collections::HashMap;

/// (document label, from, action, role) → to, read from the written matrix.
fn written_matrix() -> HashMap<(String, String, String, String), String> {
    let text = include_str!("../../../../docs/workflow.md");
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
        if cells[0] == CREATED {
            // Creation rows are checked against `create` by their own test.
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
                        panic!("{key:?}: the table says {got:?}, docs/workflow.md says {written:?}")
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
        + check_against_written::<PoolMember>(&matrix)
        + check_against_written::<FindingRectification>(&matrix);
    assert_eq!(
        walked,
        (4 * 7 + 5 * 5 + 5 * 5 + 4 * 5 + 3 * 4 + 3 * 5 + 3 * 3 + 4 * 4 + 4 * 4 + 3 * 4 + 3 * 4)
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
    let written = include_str!("../../../../docs/workflow.md");
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

/// Every creation row of the written matrix is what `create` answers, and every document that
/// has rows in a table can be created.
fn check_creations_against_written<D: Document>(written: &str) -> usize {
    let section = format!("## {} (", D::LABEL);
    let text = written
        .split("\n## ")
        .map(|s| format!("## {s}"))
        .find(|s| s.starts_with(&section) || s.starts_with(&section[3..]))
        .unwrap_or_default();
    let mut rows = 0;
    for line in text.lines() {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 4 || cells[0] != CREATED {
            continue;
        }
        let code = |cell: &str| cell.split_whitespace().next().unwrap_or("").to_owned();
        let action = D::ACTIONS
            .iter()
            .copied()
            .find(|a| a.code() == code(cells[1]))
            .unwrap_or_else(|| panic!("{}: unknown creating action in {line}", D::LABEL));
        for role in Role::ALL {
            let listed = cells[2].split(',').any(|r| r.trim() == role.as_str());
            match create::<D>(action, role) {
                Ok(state) => {
                    assert!(
                        listed,
                        "{}: {role:?} may create but is not written",
                        D::LABEL
                    );
                    assert_eq!(state.code(), code(cells[3]), "{line}");
                }
                Err(_) => assert!(!listed, "{}: {role:?} is written but refused", D::LABEL),
            }
        }
        rows += 1;
    }
    assert_eq!(rows, D::CREATED_BY.len(), "{}: creation rows", D::LABEL);
    assert!(rows > 0, "{} cannot be created", D::LABEL);
    rows
}

#[test]
fn every_creation_agrees_with_the_written_matrix() {
    let written = include_str!("../../../../docs/workflow.md");
    let rows = check_creations_against_written::<Project>(written)
        + check_creations_against_written::<MonitoringReport>(written)
        + check_creations_against_written::<SelfEvaluation>(written)
        + check_creations_against_written::<KeyEvaluation>(written)
        + check_creations_against_written::<Rectification>(written)
        + check_creations_against_written::<Alert>(written)
        + check_creations_against_written::<AlertDecision>(written)
        + check_creations_against_written::<Adjustment>(written)
        + check_creations_against_written::<Assignment>(written)
        + check_creations_against_written::<PoolMember>(written)
        + check_creations_against_written::<FindingRectification>(written);
    assert_eq!(rows, 12);
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
        Some("登记入库"),
        "registering is the member's creation"
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
