//! Monitoring on both backends: an overdue report, the decision deadline counted in working days,
//! suspension, a declined proposal, continue and cancel, and who may do what.

use crate::projects::{Cast, cast, good_rows, input};
use crate::support::TestResult;
use chrono::NaiveDate;
use jixiao_core::project::TargetGrade;
use jixiao_store::{Decision, Error, ProposalInput, RoundInput, Target, TreasuryRequest};

async fn approved(c: &Cast, name: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let store = &c.db.store;
    let p = store
        .create_project(&c.department, None, &input(name, 1))
        .await?;
    let version = store
        .save_target(
            &c.department,
            p.id,
            p.version,
            "目标",
            "年度目标",
            &good_rows(),
        )
        .await?;
    let p = store.submit_project(&c.department, p.id, version).await?;
    let pass = |grade| Decision::Approve {
        grade,
        approved_fen: None,
        reason: String::new(),
        comment: String::new(),
    };
    let p = store
        .review_project(&c.budget, p.id, p.version, &pass(None))
        .await?;
    store
        .review_project(&c.finance, p.id, p.version, &pass(Some(TargetGrade::Good)))
        .await?;
    Ok(p.id)
}

fn payment(request_id: &str, project_id: i64, amount_fen: i64, paid_on: &str) -> TreasuryRequest {
    TreasuryRequest::Payment {
        request_id: request_id.into(),
        target: Target {
            project_id: Some(project_id),
            code: None,
        },
        amount_fen,
        payee: "收款单位".into(),
        purpose: "项目支出".into(),
        paid_on: Some(paid_on.into()),
        reservation_request_id: None,
    }
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
}

fn proposal(action: &str) -> ProposalInput {
    ProposalInput {
        action: action.into(),
        comment: "说明".into(),
        ..ProposalInput::default()
    }
}

#[tokio::test]
async fn undecided_red_alerts_stop_payments_until_a_decision_is_confirmed() -> TestResult {
    let c = cast().await?;
    let store = &c.db.store;
    let spending = approved(&c, "疫苗接种").await?;
    let idle = approved(&c, "卫生监督").await?;
    // Half of 1万元 paid before the cut-off; a payment after it does not count.
    store
        .treasury(&c.finance, &payment("P-1", spending, 500_000, "2020-05-01"))
        .await?;
    store
        .treasury(&c.finance, &payment("P-2", idle, 100_000, "2020-07-02"))
        .await?;
    let round = store
        .open_monitoring_round(
            &c.finance,
            &RoundInput {
                year: 2020,
                cutoff: "2020-06-30".into(),
                due: "2020-07-10".into(),
                scope: "all".into(),
                project_ids: Vec::new(),
            },
        )
        .await?;
    let lines = store.round_lines(&c.finance, round.id).await?;
    let line = |id| lines.iter().find(|l| l.project_id == id);
    assert_eq!(line(spending).map(|l| l.execution_bp()), Some(5_000));
    assert_eq!(
        line(idle).map(|l| l.spent_fen),
        Some(0),
        "paid after the cut-off"
    );

    // Nobody reported by the due date: both are red; the idle one for spending too.
    let evaluation = store
        .evaluate_round(&c.finance, round.id, day("2020-07-13"))
        .await?;
    assert_eq!((evaluation.red, evaluation.yellow), (2, 0));
    let alerts = store.round_alerts(&c.finance, round.id).await?;
    let alert = |id| alerts.iter().find(|a| a.project_id == id).cloned();
    let (busy, slow) = (alert(spending).ok_or("alert")?, alert(idle).ok_or("alert")?);
    assert_eq!(busy.reasons(), vec!["监控报告未在2020年7月10日前报送"]);
    assert_eq!(slow.reasons().len(), 2);
    // Monday 13 July + 10 working days = Monday 27 July.
    assert_eq!(busy.deadline.as_deref(), Some("2020-07-27"));

    // Who may do what.
    assert!(matches!(
        store
            .propose_decision(&c.finance, slow.id, &proposal("continue"))
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        store.alert(&c.other, slow.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.decide_alert(&c.department, slow.id, true, "").await,
        Err(Error::Forbidden)
    ));

    // A proposal finance declines (a reason is required) goes back to the agency.
    store
        .propose_decision(&c.department, slow.id, &proposal("cancel"))
        .await?;
    assert!(matches!(
        store.decide_alert(&c.finance, slow.id, false, " ").await,
        Err(Error::Invalid(_))
    ));
    let declined = store
        .decide_alert(&c.finance, slow.id, false, "请先说明已签合同的处理")
        .await?;
    assert_eq!(declined.alert.status, "open");
    assert_eq!(declined.decisions[0].status, "rejected");

    // On the deadline nothing stops; the day after, both stop, once.
    let none = store
        .enforce_alert_deadlines(&c.finance, Some(round.id), day("2020-07-27"))
        .await?;
    assert!(none.is_empty());
    let stopped = store
        .enforce_alert_deadlines(&c.finance, Some(round.id), day("2020-07-28"))
        .await?;
    assert_eq!(stopped.len(), 2);
    let again = store
        .enforce_alert_deadlines(&c.finance, None, day("2020-07-29"))
        .await?;
    assert!(again.is_empty(), "once only");
    let refused = store
        .treasury(&c.finance, &payment("P-3", spending, 1, "2020-07-29"))
        .await;
    assert!(
        matches!(&refused, Err(Error::AllotmentSuspended(reason)) if reason == "监控预警未处置"),
        "{refused:?}"
    );

    // Continue: confirmed, the stop is lifted and payments flow.
    store
        .propose_decision(&c.department, busy.id, &proposal("continue"))
        .await?;
    store
        .decide_alert(&c.finance, busy.id, true, "同意")
        .await?;
    store
        .treasury(&c.finance, &payment("P-3", spending, 1, "2020-07-29"))
        .await?;

    // Cancel: the rest of the money goes back and the allotment stays stopped, for that reason.
    store
        .propose_decision(&c.department, slow.id, &proposal("cancel"))
        .await?;
    store
        .decide_alert(&c.finance, slow.id, true, "同意终止")
        .await?;
    let allotment = store.project_allotment(&c.finance, idle).await?;
    assert_eq!(allotment.balances().available(), 0);
    assert_eq!(allotment.limit_fen, allotment.used_fen);
    assert!(allotment.suspended);
    assert_eq!(allotment.suspension_reason, "项目已终止（监控预警处置）");

    // Evaluating again leaves decided alerts as they were.
    store
        .evaluate_round(&c.finance, round.id, day("2020-07-30"))
        .await?;
    let after = store.alert(&c.finance, slow.id).await?;
    assert_eq!(after.alert.status, "decided");
    assert!(store.reconcile().await?.discrepancies.is_empty());
    assert!(store.verify_audit_chain().await? > 0);
    Ok(())
}
