//! The province (issue 21) at a small scale: Shandong's 16 cities and 136 counties with their
//! real codes; a county user sees its county only, a city user its counties, the province user
//! all, a county department its own units — in the list, the year's figures and the dashboard;
//! every total they show equals the sum of the rows it stands for (read from the tables
//! directly), the city's and province's dashboards have a row per level below whose figures
//! are those levels' own, and the generated ledgers reconcile.

use crate::support::TestResult;
use crate::treasury::pay;
use jixiao_core::project::ProjectState;
use jixiao_core::{Actor, Role};
use jixiao_store::demo::province::{self, ProvinceOptions};
use jixiao_store::demo::shandong;
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{ProjectFilter, SEARCH_COUNT_CAP, Store};
use sqlx::Connection;
use std::collections::BTreeMap;

const YEAR: i32 = 2020;

/// Per county: (projects, requested fen, limit fen, used fen, paid by month "MM" → fen).
#[derive(Debug, Default, Clone)]
struct County {
    projects: i64,
    requested_fen: i64,
    limit_fen: i64,
    used_fen: i64,
    months: BTreeMap<String, i64>,
}

async fn truth(url: &str) -> Result<BTreeMap<String, County>, sqlx::Error> {
    let projects = "SELECT jurisdiction_code, COUNT(*), CAST(SUM(requested_fen) AS BIGINT) \
                    FROM projects WHERE year = 2020 GROUP BY jurisdiction_code";
    let money = "SELECT jurisdiction_code, CAST(SUM(limit_fen) AS BIGINT), \
                 CAST(SUM(used_fen) AS BIGINT), COUNT(*) FROM allotments WHERE year = 2020 \
                 GROUP BY jurisdiction_code";
    let months = "SELECT l.jurisdiction_code, substr(m.paid_on, 6, 2), \
                  CAST(SUM(CASE WHEN m.kind = 'refund' THEN -m.amount_fen ELSE m.amount_fen END) \
                  AS BIGINT) FROM payments m JOIN allotments l ON l.id = m.allotment_id \
                  WHERE l.year = 2020 GROUP BY l.jurisdiction_code, substr(m.paid_on, 6, 2)";
    type Rows = (
        Vec<(String, i64, i64)>,
        Vec<(String, i64, i64, i64)>,
        Vec<(String, String, i64)>,
    );
    let (p, l, m): Rows = if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        (
            sqlx::query_as(projects).fetch_all(&mut conn).await?,
            sqlx::query_as(money).fetch_all(&mut conn).await?,
            sqlx::query_as(months).fetch_all(&mut conn).await?,
        )
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        (
            sqlx::query_as(projects).fetch_all(&mut conn).await?,
            sqlx::query_as(money).fetch_all(&mut conn).await?,
            sqlx::query_as(months).fetch_all(&mut conn).await?,
        )
    };
    let mut out: BTreeMap<String, County> = BTreeMap::new();
    for (code, n, fen) in p {
        let c = out.entry(code).or_default();
        c.projects = n;
        c.requested_fen = fen;
    }
    for (code, limit, used, _) in l {
        let c = out.entry(code).or_default();
        c.limit_fen = limit;
        c.used_fen = used;
    }
    for (code, month, fen) in m {
        out.entry(code).or_default().months.insert(month, fen);
    }
    Ok(out)
}

fn finance(code: &str) -> Actor {
    Actor {
        user_id: None,
        name: format!("test {code}"),
        role: Role::Finance,
        jurisdiction: Some(code.to_owned()),
        agency_id: None,
    }
}

/// The sum over the counties `under` selects.
fn sum(truth: &BTreeMap<String, County>, under: impl Fn(&str) -> bool) -> County {
    let mut total = County::default();
    for (code, c) in truth.iter().filter(|(code, _)| under(code)) {
        let _ = code;
        total.projects += c.projects;
        total.requested_fen += c.requested_fen;
        total.limit_fen += c.limit_fen;
        total.used_fen += c.used_fen;
        for (month, fen) in &c.months {
            *total.months.entry(month.clone()).or_default() += fen;
        }
    }
    total
}

/// Every project of the list, page by page, as (jurisdiction, agency id).
async fn whole_list(
    store: &Store,
    actor: &Actor,
    filter: &ProjectFilter,
) -> Result<Vec<(String, i64)>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let found = store.projects(actor, filter, page, 100).await?;
        out.extend(
            found
                .projects
                .iter()
                .map(|p| (p.jurisdiction_code.clone(), p.agency_id)),
        );
        if page >= found.pages() {
            assert_eq!(i64::try_from(out.len())?, found.total, "pages add up");
            return Ok(out);
        }
        page += 1;
    }
}

/// The dashboard of `actor` (at `jurisdiction`, if named) against the counties it covers.
async fn check_dashboard(
    store: &Store,
    actor: &Actor,
    jurisdiction: Option<&str>,
    expected: &County,
) -> Result<jixiao_store::Dashboard, Box<dyn std::error::Error>> {
    let d = store.dashboard_of(actor, YEAR, jurisdiction, None).await?;
    assert_eq!(d.projects, expected.projects, "{:?}", actor.jurisdiction);
    assert_eq!(d.requested_fen, expected.requested_fen);
    assert_eq!(d.limit_fen, expected.limit_fen);
    assert_eq!(d.used_fen, expected.used_fen);
    let months: BTreeMap<String, i64> = d
        .months
        .iter()
        .filter(|m| m.paid_fen != 0)
        .map(|m| (format!("{:02}", m.month), m.paid_fen))
        .collect();
    assert_eq!(months, expected.months, "execution by month");
    // The rows add up to the totals.
    assert_eq!(
        d.agencies.iter().map(|r| r.projects).sum::<i64>(),
        d.projects
    );
    assert_eq!(
        d.agencies.iter().map(|r| r.used_fen).sum::<i64>(),
        d.used_fen
    );
    Ok(d)
}

#[tokio::test]
async fn each_level_sees_its_own_and_every_total_is_the_sum_it_stands_for() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    let report = province::load_province(
        store,
        &ProvinceOptions {
            year: YEAR,
            scale: 0.0015,
            payments_per_allotment: 3,
            skip_counties_with_projects: false,
            paid_through_month: 11,
            business_date: None,
        },
    )
    .await?;
    assert_eq!(report.counties, 136);
    assert!(report.projects >= 136 && report.payments > 0, "{report:?}");

    // The real tree: 16 cities under the province, 136 counties each under its city.
    let all = store.jurisdictions().await?;
    assert_eq!(all.len(), 1 + 16 + 136);
    let dezhou: Vec<&str> = all
        .iter()
        .filter(|j| j.parent_code.as_deref() == Some("371400"))
        .map(|j| j.code.as_str())
        .collect();
    assert_eq!(dezhou.len(), 11);
    assert!(dezhou.contains(&"371481") && dezhou.contains(&"371482"));
    assert_eq!(
        all.iter()
            .find(|j| j.code == "370214")
            .map(|j| j.name.as_str()),
        Some("城阳区")
    );
    assert_eq!(shandong::COUNTIES.len(), 136);

    let truth = truth(&db.url).await?;
    let year = ProjectFilter {
        year: Some(YEAR),
        ..ProjectFilter::default()
    };

    // A county user: its county only, whatever it asks for.
    let yucheng = finance("371482");
    let listed = whole_list(store, &yucheng, &year).await?;
    assert_eq!(i64::try_from(listed.len())?, truth["371482"].projects);
    assert!(listed.iter().all(|(code, _)| code == "371482"));
    let elsewhere = ProjectFilter {
        jurisdiction: Some("371481".into()),
        ..year.clone()
    };
    assert_eq!(store.projects(&yucheng, &elsewhere, 1, 50).await?.total, 0);
    assert!(
        store
            .dashboard_of(&yucheng, YEAR, Some("371481"), None)
            .await
            .is_err(),
        "a county user cannot open another county's dashboard"
    );
    let by_code = ProjectFilter {
        agency_code: Some("114".into()),
        ..year.clone()
    };
    let health = whole_list(store, &yucheng, &by_code).await?;
    assert!(health.iter().all(|(code, _)| code == "371482"));
    let figures = store.year_figures(&yucheng, YEAR).await?;
    assert_eq!(
        figures.by_state.iter().map(|t| t.projects).sum::<i64>(),
        truth["371482"].projects
    );
    let d = check_dashboard(store, &yucheng, None, &truth["371482"]).await?;
    assert!(!d.by_jurisdiction && d.agencies.iter().all(|r| !r.jurisdiction));

    // A city user: its eleven counties, with a row for each.
    let city = finance("371400");
    let in_city = |code: &str| dezhou.contains(&code);
    let expected = sum(&truth, in_city);
    let listed = whole_list(store, &city, &year).await?;
    assert_eq!(i64::try_from(listed.len())?, expected.projects);
    // Its totals come from the rollups (equal to the rows, counted above), a county's with
    // the rows; a name search is counted with the rows too.
    assert!(
        store
            .projects(&city, &year, 1, 50)
            .await?
            .totals_as_of
            .is_some()
    );
    assert!(
        store
            .projects(&yucheng, &year, 1, 50)
            .await?
            .totals_as_of
            .is_none()
    );
    let searched = ProjectFilter {
        search: Some("体检".into()),
        ..year.clone()
    };
    let found = store.projects(&city, &searched, 1, 50).await?;
    assert!(found.totals_as_of.is_none());
    assert_eq!(
        i64::try_from(whole_list(store, &city, &searched).await?.len())?,
        found.total
    );
    assert!(listed.iter().all(|(code, _)| in_city(code)));
    // Read batch by batch (the export's way), every project once although codes repeat
    // across counties.
    let mut after = None;
    let mut read = std::collections::BTreeSet::new();
    loop {
        let batch = store.projects_after(&city, &year, after, 7).await?;
        let Some(last) = batch.last() else { break };
        after = Some((last.year, last.jurisdiction_code.clone(), last.code.clone()));
        for p in &batch {
            assert!(read.insert(p.id), "project {} read twice", p.id);
        }
    }
    assert_eq!(i64::try_from(read.len())?, expected.projects);
    // Name search finds exactly the projects whose name or code holds the term, whatever its
    // length: a city's by its names, the province's (on PostgreSQL) through the index of the
    // names' characters and pairs.
    let province = finance("370000");
    for scope in [&city, &province] {
        let mut names = Vec::new();
        let mut after = None;
        loop {
            let batch = store.projects_after(scope, &year, after, 500).await?;
            let Some(last) = batch.last() else { break };
            after = Some((last.year, last.jurisdiction_code.clone(), last.code.clone()));
            names.extend(batch.iter().map(|p| (p.name.clone(), p.code.clone())));
        }
        let sample: Vec<char> = names[0].0.chars().collect();
        let mut terms: Vec<String> = vec![
            sample[0].to_string(),
            sample[..2].iter().collect(),
            sample[1..4.min(sample.len())].iter().collect(),
            names[0].1.chars().skip(1).take(3).collect(),
            "体检".into(),
            "查无此项目".into(),
            format!("{}%", sample[0]),
        ];
        terms.dedup();
        for term in terms {
            let bare = term.replace('%', "");
            let expected = names
                .iter()
                .filter(|(name, code)| name.contains(&bare) || code.contains(&bare))
                .count();
            let found = store
                .projects(
                    scope,
                    &ProjectFilter {
                        search: Some(term.clone()),
                        ..year.clone()
                    },
                    1,
                    10,
                )
                .await?;
            assert_eq!(found.total, i64::try_from(expected)?, "search {term}");
        }
    }
    // The department code across its counties, and narrowed to one of them.
    let health = whole_list(store, &city, &by_code).await?;
    assert!(health.iter().all(|(code, _)| in_city(code)));
    let one = whole_list(
        store,
        &city,
        &ProjectFilter {
            jurisdiction: Some("371482".into()),
            ..by_code.clone()
        },
    )
    .await?;
    assert!(one.iter().all(|(code, _)| code == "371482"));
    let d = check_dashboard(store, &city, None, &expected).await?;
    assert!(d.by_jurisdiction);
    assert_eq!(d.agencies.len(), 11, "a row per county");
    for row in &d.agencies {
        let own = sum(&truth, |c| c == row.code);
        assert!(row.jurisdiction, "{}", row.code);
        assert_eq!(
            (row.projects, row.limit_fen, row.used_fen),
            (own.projects, own.limit_fen, own.used_fen),
            "{} {}",
            row.code,
            row.name
        );
    }
    // Drilled down into one county: the county's own dashboard, by department.
    let d = check_dashboard(store, &city, Some("371482"), &truth["371482"]).await?;
    assert!(!d.by_jurisdiction);
    assert_eq!(
        d.trail.iter().map(|j| j.code.as_str()).collect::<Vec<_>>(),
        vec!["371400"]
    );
    assert!(
        store
            .dashboard_of(&city, YEAR, Some("370102"), None)
            .await
            .is_err(),
        "a city user cannot open another city's county"
    );

    // The province: everything, a row per city.
    let whole = finance("370000");
    let expected = sum(&truth, |_| true);
    assert_eq!(
        store.projects(&whole, &year, 1, 50).await?.total,
        expected.projects
    );
    let d = check_dashboard(store, &whole, None, &expected).await?;
    assert_eq!(d.agencies.len(), 16, "a row per city");
    let jinan = d
        .agencies
        .iter()
        .find(|r| r.code == "370100")
        .ok_or("济南市 row")?;
    let own = sum(&truth, |c| c.starts_with("3701"));
    assert_eq!(
        (jinan.projects, jinan.used_fen),
        (own.projects, own.used_fen)
    );
    let coverage = store.year_figures(&whole, YEAR).await?;
    assert_eq!(
        coverage.by_state.iter().map(|t| t.projects).sum::<i64>(),
        expected.projects
    );

    // A county department: its own units only.
    let department = store
        .agency_by_code("371482", "114")
        .await?
        .ok_or("禹城市卫生健康局")?;
    let units: Vec<i64> = store
        .agencies(&Actor::system())
        .await?
        .iter()
        .filter(|a| a.id == department.id || a.parent_id == Some(department.id))
        .map(|a| a.id)
        .collect();
    let agency = Actor {
        role: Role::Agency,
        agency_id: Some(department.id),
        ..finance("371482")
    };
    let listed = whole_list(store, &agency, &year).await?;
    assert!(
        listed
            .iter()
            .all(|(code, id)| code == "371482" && units.contains(id))
    );

    // A payment in one of the city's counties: the county's own dashboard shows it at once;
    // the city's reads the rollups, which show it after their next rebuild, and say when they
    // were summed.
    let approved = store
        .projects(
            &city,
            &ProjectFilter {
                state: Some(ProjectState::Approved),
                ..year.clone()
            },
            1,
            1,
        )
        .await?;
    let project = approved
        .projects
        .first()
        .ok_or("an approved project in 德州市")?;
    let county = finance(&project.jurisdiction_code);
    let city_before = store.dashboard_of(&city, YEAR, None, None).await?;
    assert!(
        city_before.as_of.is_some(),
        "the city's dashboard reads the rollups"
    );
    store
        .treasury(&county, &pay("P-1", project.id, 100))
        .await?;
    let county_after = store.dashboard_of(&county, YEAR, None, None).await?;
    assert!(county_after.as_of.is_none(), "a county's dashboard is live");
    assert_eq!(
        county_after.used_fen,
        truth[&project.jurisdiction_code].used_fen + 100
    );
    assert_eq!(
        store.dashboard_of(&city, YEAR, None, None).await?.used_fen,
        city_before.used_fen,
        "the city's rollups until the next rebuild"
    );
    // One payment in one county: the refresh rebuilds that county's year and nothing else.
    let round = store.refresh_scope_rollups().await?;
    assert_eq!(
        round.rebuilt,
        vec![(project.jurisdiction_code.clone(), Some(YEAR))],
        "{round:?}"
    );
    let truth = self::truth(&db.url).await?;
    let city_after = check_dashboard(store, &city, None, &sum(&truth, in_city)).await?;
    assert_eq!(city_after.used_fen, city_before.used_fen + 100);
    assert!(city_after.as_of >= city_before.as_of);

    // The ledgers of the generated payments reconcile.
    let reconciliation = store.reconcile().await?;
    assert!(reconciliation.discrepancies.is_empty());
    assert_eq!(reconciliation.allotments, i64::try_from(report.allotments)?);
    db.remove().await?;
    Ok(())
}

#[tokio::test]
async fn a_single_county_under_its_city_and_province_opens_at_the_county() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    // The deployment-wide administrator of the Leling demo (山东省 › 德州市 › 乐陵市): the
    // levels above have one county and no agencies, so the dashboard opens at the county.
    let d = store
        .dashboard_of(&Actor::system(), YEAR, None, None)
        .await?;
    assert_eq!(d.jurisdiction.map(|j| j.code).as_deref(), Some("371481"));
    assert!(!d.by_jurisdiction);
    assert_eq!(
        d.trail.iter().map(|j| j.code.as_str()).collect::<Vec<_>>(),
        vec!["370000", "371400"]
    );
    // Asked for, the province is shown as it is: one row, 德州市.
    let d = store
        .dashboard_of(&Actor::system(), YEAR, Some("370000"), None)
        .await?;
    assert!(d.by_jurisdiction);
    db.remove().await?;
    Ok(())
}

/// The province around the demo at a tiny scale (a few hundred projects, one payment each).
async fn small_province(store: &Store) -> jixiao_store::Result<province::ProvinceReport> {
    province::load_province(
        store,
        &ProvinceOptions {
            year: YEAR,
            scale: 0.0005,
            payments_per_allotment: 1,
            skip_counties_with_projects: true,
            paid_through_month: 3,
            business_date: None,
        },
    )
    .await
}

/// A name search over a scope wider than a city's counts up to the cap and no further (its
/// amounts are then not summed, its pages stop at the cap); the same search in a county or a
/// city counts every match; under the cap the province's count and amounts equal the
/// county's, and its first page is the same rows.
#[tokio::test]
async fn a_province_wide_search_counts_up_to_the_cap_and_a_county_counts_all() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    small_province(store).await?;
    let leling = jixiao_store::demo::LELING;
    let year = 2021;
    let seeded = usize::try_from(SEARCH_COUNT_CAP)? + 20;
    store.seed_benchmark_projects(leling, year, seeded).await?;
    let common = ProjectFilter {
        year: Some(year),
        search: Some("年".into()),
        ..ProjectFilter::default()
    };
    let province = store.projects(&finance("370000"), &common, 1, 50).await?;
    assert!(province.total_capped);
    assert_eq!(province.total, SEARCH_COUNT_CAP);
    assert_eq!((province.requested_fen, province.approved_fen), (0, 0));
    assert_eq!(province.pages(), SEARCH_COUNT_CAP / 50);
    let county = store.projects(&finance(leling), &common, 1, 50).await?;
    assert!(!county.total_capped);
    assert_eq!(county.total, i64::try_from(seeded)?);
    let ids = |page: &jixiao_store::ProjectPage| -> Vec<i64> {
        page.projects.iter().map(|p| p.id).collect()
    };
    assert_eq!(ids(&province), ids(&county));
    assert_eq!(province.projects.len(), 50);
    // A city (11 counties and itself) is not wide: every match counted.
    let city = store.projects(&finance("371400"), &common, 1, 50).await?;
    assert!(!city.total_capped);
    assert_eq!(city.total, i64::try_from(seeded)?);
    // Pages stop at the cap: past the last, the last; the last stops at the 5,000th match.
    let past = store.projects(&finance("370000"), &common, 500, 50).await?;
    assert_eq!(
        (past.page, past.projects.len()),
        (SEARCH_COUNT_CAP / 50, 50)
    );
    let last = store
        .projects(&finance("370000"), &common, 1000, 30)
        .await?;
    let pages = (SEARCH_COUNT_CAP + 29) / 30;
    assert_eq!(last.page, pages);
    assert_eq!(
        i64::try_from(last.projects.len())?,
        SEARCH_COUNT_CAP - (pages - 1) * 30
    );
    let county_last = store.projects(&finance(leling), &common, pages, 30).await?;
    assert_eq!(
        ids(&last),
        ids(&county_last)[..last.projects.len()].to_vec(),
        "the province's last page is the county's, cut at the cap"
    );

    // Under the cap: exact, with amounts, through the province's path and the county's.
    let rare = ProjectFilter {
        search: Some("（12".into()),
        ..common.clone()
    };
    let province = store.projects(&finance("370000"), &rare, 1, 50).await?;
    let county = store.projects(&finance(leling), &rare, 1, 50).await?;
    assert!(!province.total_capped && !county.total_capped);
    assert!(
        county.total > 50 && county.total < SEARCH_COUNT_CAP,
        "{}",
        county.total
    );
    assert!(county.requested_fen > 0);
    assert_eq!(
        (
            province.total,
            province.requested_fen,
            province.approved_fen
        ),
        (county.total, county.requested_fen, county.approved_fen)
    );
    assert_eq!(ids(&province), ids(&county));
    db.remove().await?;
    Ok(())
}

/// On PostgreSQL: (index present, records of indexes set aside) in the test's own schema.
async fn search_index_state(url: &str) -> Result<(bool, i64), sqlx::Error> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let present: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() \
         AND indexname = 'projects_search_grams')",
    )
    .fetch_one(&mut conn)
    .await?;
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM set_aside_indexes")
        .fetch_one(&mut conn)
        .await?;
    Ok((present, recorded))
}

/// The province loader's name-search index: set aside for the load and built again after it;
/// when the process stops between the two, the next start (migrate) builds it from the record.
/// SQLite sets nothing aside.
#[tokio::test]
async fn an_index_set_aside_for_a_load_is_never_lost() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    let set_aside = store.set_index_aside("projects_search_grams").await?;
    assert!(
        store
            .set_index_aside("projects; DROP TABLE projects")
            .await?
            .is_none(),
        "only known indexes"
    );
    if !db.url.starts_with("postgres") {
        assert!(set_aside.is_none());
        db.remove().await?;
        return Ok(());
    }
    assert!(set_aside.is_some());
    assert_eq!(search_index_state(&db.url).await?, (false, 1));
    // The process stops here: nothing builds it again but the next start.
    drop(set_aside);
    store.migrate().await?;
    assert_eq!(search_index_state(&db.url).await?, (true, 0));

    // A whole load: the index is there afterwards and nothing stays recorded.
    jixiao_store::demo::load_base(store).await?;
    small_province(store).await?;
    assert_eq!(search_index_state(&db.url).await?, (true, 0));
    db.remove().await?;
    Ok(())
}
