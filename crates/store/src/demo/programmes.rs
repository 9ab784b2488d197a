//! The demo's programmes (decision 0045), in 杨安镇's villages of the small registry:
//! 公益性岗位 posts (保洁员, 护林员) charged to the library's 公岗扶贫 and 扶贫专岗 projects, held
//! by the villagers the rulebook's ages allow, with their months to the business date; a file
//! per grandchild at school with the "12345" activities of 2020; a clean-courtyard round over
//! the township; and a health screening campaign of the first village with its results (none
//! serious, so the demo's clues stay those of the screening). Everything goes through the
//! store's use cases as the county office. Deterministic.

use super::LELING;
use super::registry::village_code;
use crate::{
    AppointmentInput, CampaignInput, ChildActivityInput, ChildInput, CourtyardRoundInput,
    CourtyardScoreInput, HolderInput, PostInput, PostMonthInput, Result, ScreeningResultInput,
    Store,
};
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_core::assistance::registry::age_on;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Villages of 杨安镇 the demo's programmes run in.
const VILLAGES: usize = super::registry::DEMO_VILLAGES_PER_TOWNSHIP;

/// Loads the programmes' demo records.
pub async fn load(store: &Store) -> Result<()> {
    let office = store.user(&Actor::system(), "bangfu").await?.actor();
    let rules = crate::posts::programme_rules()?;
    let today = super::BUSINESS_DATE;
    // The villagers of the first villages: (village, household, person, name, birth, relation).
    let mut people = Vec::new();
    let mut households = Vec::new();
    for v in 1..=VILLAGES {
        let village = village_code("101", v);
        let (lines, _) = store.households(&office, Some(&village), 1, 50).await?;
        for line in lines {
            households.push(line.id);
            let file = store.household(&office, line.id).await?;
            for p in file.people.into_iter().filter(|p| p.left_on.is_none()) {
                let birth = NaiveDate::parse_from_str(&p.birth_date, "%Y-%m-%d").ok();
                if let Some(birth) = birth {
                    people.push((village.clone(), line.id, p.id, p.name, birth, p.relation));
                }
            }
        }
    }

    // Posts, charged to the library's poverty-post projects (the latest year of each).
    let projects = store.chargeable_projects(&office).await?;
    let posts = [
        ("公岗扶贫", "村级保洁员", 50_000),
        ("扶贫专岗", "护林员", 60_000),
    ];
    for (k, (stem, post_name, pay)) in posts.into_iter().enumerate() {
        let Some((project, year, _)) = projects.iter().find(|p| p.2.contains(stem)).cloned() else {
            continue;
        };
        for v in 1..=VILLAGES {
            let village = village_code("101", v);
            let file = store
                .create_post(
                    &office,
                    &PostInput {
                        name: post_name.to_owned(),
                        area_code: village.clone(),
                        monthly_pay_fen: pay,
                        project_id: project,
                        year,
                    },
                )
                .await?;
            let start = day(year, 1, 1);
            // The villagers of age, shared out between the two posts.
            let holders = people
                .iter()
                .filter(|p| p.0 == village && rules.holder_age_refusal(p.4, start).is_none())
                .enumerate()
                .filter(|(i, _)| i % 2 == k)
                .map(|(_, p)| p);
            for (_, _, person, _, _, _) in holders.take(2) {
                let with = store
                    .add_post_holder(
                        &office,
                        file.post.id,
                        &HolderInput {
                            person_id: *person,
                            from_on: start.to_string(),
                            to_on: day(year, 12, 31).to_string(),
                        },
                    )
                    .await?;
                let Some(holder) = with.holders.last() else {
                    continue;
                };
                let months = if year < 2020 { 12 } else { 8 };
                for m in 1..=months {
                    store
                        .record_post_month(
                            &office,
                            file.post.id,
                            &PostMonthInput {
                                holder_id: holder.id,
                                month: format!("{year:04}-{m:02}"),
                                days_worked: 20 + m % 3,
                                pay_fen: pay,
                                note: String::new(),
                            },
                        )
                        .await?;
                }
            }
        }
    }

    // Left-behind children: the grandchildren at school, looked after by the householder.
    let schools = ["杨安镇中心小学", "杨安镇第二小学"];
    for (i, (village, household, person, _, _, _)) in people
        .iter()
        .filter(|p| p.5 == "grandson" || p.5 == "granddaughter")
        .enumerate()
    {
        let guardian = people
            .iter()
            .find(|p| p.1 == *household && p.5 == "householder");
        let file = store
            .add_child(
                &office,
                &ChildInput {
                    village_code: village.clone(),
                    person_id: Some(*person),
                    school: schools[i % 2].to_owned(),
                    guardian_name: guardian.map_or_else(|| "祖父母".to_owned(), |g| g.3.clone()),
                    guardian_relation: "祖父母".to_owned(),
                    guardian_age: guardian
                        .and_then(|g| i32::try_from(age_on(g.4, today)).ok())
                        .filter(|a| (10..=120).contains(a)),
                    guardian_health: if i % 3 == 0 { "慢性病" } else { "健康" }.to_owned(),
                    parents_workplace: ["青岛", "天津", "济南"][i % 3].to_owned(),
                    parents_phone: format!("1390534{:04}", 1000 + i),
                    ..ChildInput::default()
                },
            )
            .await?;
        // Every other child has the year's four home visits by August; all have feedbacks and
        // a festival activity; the weekly special classes of June.
        let mut activities = vec![
            ("feedback", day(2020, 6, 5)),
            ("feedback", day(2020, 6, 15)),
            ("feedback", day(2020, 6, 25)),
            ("festival_activity", day(2020, 6, 1)),
            ("special_class", day(2020, 6, 3)),
            ("special_class", day(2020, 6, 10)),
            ("contact", day(2020, 6, 28)),
        ];
        if i % 2 == 0 {
            for m in [2, 4, 6, 8] {
                activities.push(("home_visit", day(2020, m, 12)));
            }
        }
        for (kind, on) in activities {
            store
                .record_child_activity(
                    &office,
                    file.child.id,
                    &ChildActivityInput {
                        kind: kind.to_owned(),
                        on_day: on.to_string(),
                        note: "按“12345”关爱模式开展".to_owned(),
                    },
                    today,
                )
                .await?;
        }
    }

    // A clean-courtyard round over the township: most pass; volunteers helped the oldest.
    let round = store
        .add_courtyard_round(
            &office,
            &CourtyardRoundInput {
                name: "2020年第二季度洁净庭院评比".to_owned(),
                area_code: format!("{LELING}101"),
                held_on: day(2020, 6, 20).to_string(),
            },
        )
        .await?;
    for (i, household) in households.iter().enumerate() {
        let heads_age = people
            .iter()
            .find(|p| p.1 == *household && p.5 == "householder")
            .map_or(0, |p| age_on(p.4, today));
        let score = 68 + i32::try_from((i * 7) % 30).unwrap_or(0);
        store
            .score_courtyard(
                &office,
                round.round.id,
                &CourtyardScoreInput {
                    household_id: *household,
                    score,
                    help: if heads_age >= 75 {
                        "志愿者帮助清理院落".to_owned()
                    } else {
                        String::new()
                    },
                    note: String::new(),
                },
            )
            .await?;
    }

    // A health screening campaign of the first village (the demo village user's).
    let village = village_code("101", 1);
    let campaign = store
        .add_screening_campaign(
            &office,
            &CampaignInput {
                name: "2020年脱贫户免费健康查体".to_owned(),
                area_code: village.clone(),
                from_on: day(2020, 5, 1).to_string(),
                to_on: day(2020, 5, 31).to_string(),
            },
        )
        .await?;
    for (i, p) in people.iter().filter(|p| p.0 == village).enumerate() {
        let on = day(2020, 5, 6 + u32::try_from(i % 20).unwrap_or(0));
        store
            .appoint_for_screening(
                &office,
                campaign.campaign.id,
                &AppointmentInput {
                    person_id: p.2,
                    appointment_on: on.to_string(),
                },
            )
            .await?;
        if i % 4 == 3 {
            continue; // not screened yet
        }
        let (result, finding) = if i % 3 == 1 {
            ("follow_up", "血压偏高，建议三个月后复查")
        } else {
            ("normal", "")
        };
        store
            .record_screening_result(
                &office,
                campaign.campaign.id,
                &ScreeningResultInput {
                    person_id: p.2,
                    result: result.to_owned(),
                    finding: finding.to_owned(),
                },
                today,
            )
            .await?;
    }
    Ok(())
}

/// Binds the programme projects' rows to the records that feed them (decision 0046), as each
/// project's owner: the 护林员 holders, the passing courtyards, the children visited on schedule.
pub(super) async fn bind_indicators(store: &Store) -> Result<()> {
    for (name, owner, row, measure) in super::projects_2020::PROGRAMME_PROJECTS {
        let Some(project) = super::project_named(store, 2020, name).await?.map(|p| p.id) else {
            continue;
        };
        let owner = super::agency_actor(store, owner).await?;
        store.bind_indicator(&owner, project, *row, measure).await?;
    }
    Ok(())
}
