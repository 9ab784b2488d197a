//! The monitoring board by township (issue 19 item 6): for each township of the reader's scope,
//! the clues waiting and overdue, the cases in identification, under monitoring, in elimination
//! and eliminated, the measures of the current plans (and how many are carried out), and the
//! cases late with their measures — the figures of the work list, counted in one place — and,
//! for a reader of visits, the month's visits due and recorded with the households behind (the
//! compliance view of [`Store::visit_compliance`] summed by township).

use crate::risk_cases::RiskCaseView;
use crate::{ComplianceGroup, Result, Store};
use chrono::Datelike;
use chrono::NaiveDate;
use jixiao_core::{Actor, Capability};
use serde::Serialize;
use sqlx::QueryBuilder;
use std::collections::BTreeMap;

/// One township's line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TownshipLine {
    /// 乡镇代码.
    pub township_code: String,
    /// 乡镇.
    pub township_name: String,
    /// Clues not yet taken up or dismissed (待处理线索).
    pub clues_open: i64,
    /// … of them past their time limit.
    pub clues_overdue: i64,
    /// Cases in identification (入户核实 to 公告).
    pub identifying: i64,
    /// Cases included and monitored (监测帮扶中).
    pub monitored: i64,
    /// Cases in the elimination procedure (风险消除程序中).
    pub eliminating: i64,
    /// Cases whose risk is eliminated (已消除风险).
    pub eliminated: i64,
    /// Measures of the current plans.
    pub measures: i64,
    /// … carried out (已落实).
    pub measures_done: i64,
    /// Cases late with their measures.
    pub cases_overdue: i64,
    /// Visits due in the month of the day (rulebook `[visits]`); 0 for a reader without visits.
    pub visits_due: i64,
    /// Visits recorded in that month so far.
    pub visits_done: i64,
    /// Households behind their visits in that month.
    pub visit_households_behind: i64,
    /// Share of the due visits done, whole percent (per household up to what it was due);
    /// 100 when none are due.
    pub visits_percent: i64,
}

impl TownshipLine {
    /// The alerts of the line: overdue clues and cases.
    pub fn alerts(&self) -> i64 {
        self.clues_overdue + self.cases_overdue
    }

    /// Adds a village's month of visits; `counted` sums the visits counted so far (per
    /// household up to what it was due), from which the percent is recomputed.
    fn add_visits(&mut self, village: &ComplianceGroup, counted: &mut i64) {
        self.visits_due += i64::from(village.visits_due);
        self.visits_done += i64::from(village.visits_done);
        self.visit_households_behind += i64::from(village.households_behind);
        *counted += i64::from(village.visits_counted);
        self.visits_percent = if self.visits_due == 0 {
            100
        } else {
            *counted * 100 / self.visits_due
        };
    }
}

impl Store {
    /// The board by township for the actor's scope on `today` (the business date), with a line
    /// for every township of the scope that has any clue or case, and the total last.
    pub async fn township_board(
        &self,
        actor: &Actor,
        today: NaiveDate,
    ) -> Result<Vec<TownshipLine>> {
        let scope = self.household_scope(actor).await?;
        let jurisdiction = actor.jurisdiction.clone().unwrap_or_default();
        // Village → township through the areas' paths (`/township/…/village/`).
        let areas = self.areas(actor, &jurisdiction).await?;
        let names: BTreeMap<&str, &str> = areas
            .iter()
            .map(|a| (a.code.as_str(), a.name.as_str()))
            .collect();
        // Each area's township, looked up once per area rather than once per case.
        let townships: BTreeMap<&str, &str> = areas
            .iter()
            .filter_map(|a| {
                let top = a.path.split('/').find(|s| !s.is_empty())?;
                Some((a.code.as_str(), top))
            })
            .collect();
        let township_of = |village: &str| -> (String, String) {
            let code = townships.get(village).copied().unwrap_or(village);
            let name = names.get(code).copied().unwrap_or("");
            (code.to_owned(), name.to_owned())
        };
        let cases: Vec<(RiskCaseView, Option<String>)> =
            self.risk_cases(actor, None, today).await?;
        let clue_villages: Vec<(i64, String)> = on_pool!(&self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT c.id, h.village_code FROM clues c \
                 JOIN households h ON h.id = c.household_id \
                 JOIN areas ar ON ar.code = h.village_code WHERE c.status = 'open'",
            );
            scope.push(&mut query);
            query.build_query_as().fetch_all(pool).await?
        });
        let overdue_clues: std::collections::HashSet<i64> = self
            .clues(actor, Some("open"), today)
            .await?
            .into_iter()
            .filter(|c| c.overdue)
            .map(|c| c.id)
            .collect();
        let mut board: BTreeMap<String, TownshipLine> = BTreeMap::new();
        for (id, village) in &clue_villages {
            let overdue = overdue_clues.contains(id);
            let line = line_of(&mut board, township_of(village));
            line.clues_open += 1;
            line.clues_overdue += i64::from(overdue);
        }
        for (case, overdue) in &cases {
            let state = case.state();
            let line = line_of(&mut board, township_of(&case.village_code));
            if state.ended() {
                if case.eliminated_on.is_some() {
                    line.eliminated += 1;
                }
            } else if state.eliminating() {
                line.eliminating += 1;
            } else if case.included_on.is_some() {
                line.monitored += 1;
            } else {
                line.identifying += 1;
            }
            line.measures += case.measures;
            line.measures_done += case.measures_done;
            line.cases_overdue += i64::from(overdue.is_some());
        }
        // The month's visits, for a reader of them: the compliance view's villages by township.
        let mut total = TownshipLine {
            township_code: String::new(),
            township_name: "合计".to_owned(),
            visits_percent: 100,
            ..TownshipLine::default()
        };
        if actor.role.can(Capability::ReadVisits) {
            let month = format!("{:04}-{:02}", today.year(), today.month());
            let compliance = self.visit_compliance(actor, &month).await?;
            let mut counted: BTreeMap<String, i64> = BTreeMap::new();
            for village in &compliance.villages {
                let township = township_of(&village.key);
                let sum = counted.entry(township.0.clone()).or_default();
                line_of(&mut board, township).add_visits(village, sum);
            }
            let mut all = 0;
            total.add_visits(&compliance.total, &mut all);
        }
        let mut out: Vec<TownshipLine> = board.into_values().collect();
        for l in &out {
            total.clues_open += l.clues_open;
            total.clues_overdue += l.clues_overdue;
            total.identifying += l.identifying;
            total.monitored += l.monitored;
            total.eliminating += l.eliminating;
            total.eliminated += l.eliminated;
            total.measures += l.measures;
            total.measures_done += l.measures_done;
            total.cases_overdue += l.cases_overdue;
        }
        out.push(total);
        Ok(out)
    }
}

/// The township's line, started when it is first met.
fn line_of(
    board: &mut BTreeMap<String, TownshipLine>,
    (code, name): (String, String),
) -> &mut TownshipLine {
    board.entry(code.clone()).or_insert_with(|| TownshipLine {
        township_code: code,
        township_name: name,
        visits_percent: 100,
        ..TownshipLine::default()
    })
}
