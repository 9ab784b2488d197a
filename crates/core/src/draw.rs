//! Random draws from the expert and institution pools (专家/中介机构抽取) with conflict avoidance
//! (回避): who is eligible for a job, who is excluded and why, and a selection that anyone can
//! re-run from the record. Each eligible member's place is the SHA-256 of the draw's seed and
//! its id — uniform, and the same on every machine and in every version.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The pools' rules from the rulebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolRules {
    /// Fields of expertise members may declare.
    pub fields: Vec<String>,
    /// A declared relation with the project's agency ended less than this many years ago is a
    /// conflict.
    pub relation_years: u32,
    /// Months an institution is suspended after a substantiated complaint.
    pub complaint_suspension_months: u32,
    /// Working days finance has to rate a member after a job ends.
    pub rating_working_days: u32,
    /// Members whose average rating over the window is below this are flagged for removal.
    pub removal_below: u32,
    /// The rating window, in years.
    pub rating_years: u32,
    /// Working days a drawn member has for a job, counted from the draw (the task's deadline).
    #[serde(default = "default_task_working_days")]
    pub task_working_days: u32,
    /// What a drawn member reviews a job by (评分要点), per purpose of the draw.
    #[serde(default)]
    pub rubric: Vec<RubricItem>,
}

/// The deadline of rulebooks written before it was a setting: one working week.
fn default_task_working_days() -> u32 {
    5
}

/// One item of a review rubric: for which kind of job, what is judged, its points and what earns
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricItem {
    /// The draw purpose it applies to (`target_review`, `monitoring_review`, `key_evaluation`,
    /// `report_review`).
    pub purpose: String,
    /// What is judged.
    pub item: String,
    /// Its points (a purpose's items add up to 100).
    pub points: u32,
    /// What earns the points.
    #[serde(default)]
    pub guidance: String,
}

/// The purposes a draw (and so a rubric item) may have.
pub const DRAW_PURPOSES: [&str; 4] = [
    "target_review",
    "monitoring_review",
    "key_evaluation",
    "report_review",
];

impl PoolRules {
    /// What is wrong with the pools' rules: a rubric item of an unknown purpose, a purpose whose
    /// items do not add up to 100, a deadline of no days.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.task_working_days == 0 {
            problems.push("pools.task_working_days 应至少为1个工作日".to_owned());
        }
        for item in &self.rubric {
            if !DRAW_PURPOSES.contains(&item.purpose.as_str()) {
                problems.push(format!(
                    "评分要点“{}”的用途“{}”未知",
                    item.item, item.purpose
                ));
            }
        }
        for purpose in DRAW_PURPOSES {
            let items = self.rubric_for(purpose);
            let total: u32 = items.iter().map(|r| r.points).sum();
            if !items.is_empty() && total != 100 {
                problems.push(format!("{purpose} 的评分要点合计{total}分，应为100分"));
            }
        }
        problems
    }

    /// The rubric of one purpose, in the rulebook's order.
    pub fn rubric_for(&self, purpose: &str) -> Vec<&RubricItem> {
        self.rubric
            .iter()
            .filter(|r| r.purpose == purpose)
            .collect()
    }
}

impl Default for PoolRules {
    fn default() -> PoolRules {
        PoolRules {
            fields: [
                "农业",
                "教育",
                "卫生",
                "财务",
                "工程",
                "社会保障",
                "环境保护",
                "信息化",
            ]
            .map(str::to_owned)
            .to_vec(),
            relation_years: 3,
            complaint_suspension_months: 6,
            rating_working_days: 2,
            removal_below: 60,
            rating_years: 2,
            task_working_days: default_task_working_days(),
            rubric: Vec::new(),
        }
    }
}

/// A declared relation of a member with an agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// The agency.
    pub agency_id: i64,
    /// `worked` (任职), `advised` (咨询服务) or `relative` (亲属任职).
    pub kind: String,
    /// When it ended; none while it lasts.
    pub until: Option<NaiveDate>,
}

/// What a draw knows of one member: the facts its exclusions rest on, kept with the draw so a
/// replay uses the same facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Member id.
    pub member_id: i64,
    /// Name.
    pub name: String,
    /// Fields of expertise.
    pub fields: Vec<String>,
    /// The agency the member works for, if it is one.
    pub employer_agency_id: Option<i64>,
    /// `active`, `suspended` or `removed`.
    pub status: String,
    /// End of a suspension.
    pub suspended_until: Option<NaiveDate>,
    /// Declared relations with agencies.
    pub relations: Vec<Relation>,
    /// Declared relations with institutions of the pool (`agency_id` holds the institution's
    /// member id).
    #[serde(default)]
    pub institution_relations: Vec<Relation>,
    /// Projects the member helped design (前期论证/设计).
    pub designed_project_ids: Vec<i64>,
    /// Jobs in the last 12 months.
    pub recent_jobs: u32,
}

/// The job a draw is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The project.
    pub project_id: i64,
    /// The project's agency and the department above it.
    pub project_agency_ids: Vec<i64>,
    /// The commissioning body (委托方) of a key evaluation, which an institution must also be
    /// independent of.
    #[serde(default)]
    pub commissioner_agency_ids: Vec<i64>,
    /// Institutions whose work is under review (e.g. the evaluating institution of a report
    /// review), which members must be independent of.
    #[serde(default)]
    pub institution_ids: Vec<i64>,
    /// Fields needed: a member must have at least one.
    pub fields: Vec<String>,
    /// Members to select.
    pub count: u32,
    /// Backups (替补) to draw after them.
    pub backups: u32,
    /// The business date of the draw.
    pub as_of: NaiveDate,
    /// Prefer members with fewer jobs in the last 12 months.
    pub prefer_fewer_jobs: bool,
}

/// A member left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// Member id.
    pub member_id: i64,
    /// Name.
    pub name: String,
    /// Why, in Chinese.
    pub reason: String,
}

/// A draw's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawResult {
    /// Selected members, in order.
    pub selected: Vec<i64>,
    /// Backups, in the order they are called in.
    pub backups: Vec<i64>,
    /// Members excluded, with reasons.
    pub excluded: Vec<Exclusion>,
    /// Every eligible member, by id.
    pub eligible: Vec<i64>,
    /// SHA-256 of the eligible ids (comma-separated, ascending).
    pub eligible_hash: String,
}

/// Why a draw could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("符合条件的人选不足：需要{needed}名，仅{eligible}名符合条件（另有{}名因回避或状态被排除）", excluded.len())]
pub struct TooFew {
    /// Members needed.
    pub needed: u32,
    /// Members eligible.
    pub eligible: u32,
    /// Who was left out and why.
    pub excluded: Vec<Exclusion>,
}

/// Why `candidate` may not take `job`, if it may not.
pub fn conflict(rules: &PoolRules, job: &Job, candidate: &Candidate) -> Option<String> {
    match candidate.status.as_str() {
        "removed" => return Some("已出库".to_owned()),
        "suspended" => match candidate.suspended_until {
            Some(until) if until < job.as_of => {}
            Some(until) => return Some(format!("暂停至{until}")),
            None => return Some("已暂停".to_owned()),
        },
        _ => {}
    }
    if !candidate.fields.iter().any(|f| job.fields.contains(f)) {
        return Some(format!("专业领域不符（需{}）", job.fields.join("、")));
    }
    let horizon = job
        .as_of
        .with_year(job.as_of.year() - rules.relation_years as i32)
        .unwrap_or(job.as_of);
    for (agencies, whom, employed) in [
        (
            &job.project_agency_ids,
            "项目单位",
            "任职于项目实施单位或其主管部门",
        ),
        (&job.commissioner_agency_ids, "委托方", "任职于委托方"),
    ] {
        if candidate
            .employer_agency_id
            .is_some_and(|a| agencies.contains(&a))
        {
            return Some(employed.to_owned());
        }
        for relation in &candidate.relations {
            if !agencies.contains(&relation.agency_id) {
                continue;
            }
            if relation.kind == "relative" {
                return Some(format!("有亲属在{whom}任职"));
            }
            if relation.until.is_none_or(|until| until >= horizon) {
                let what = if relation.kind == "advised" {
                    "咨询服务"
                } else {
                    "任职"
                };
                return Some(format!("近{}年曾为{whom}提供{what}", rules.relation_years));
            }
        }
    }
    if job.institution_ids.contains(&candidate.member_id) {
        return Some("即被评审机构".to_owned());
    }
    for relation in &candidate.institution_relations {
        if job.institution_ids.contains(&relation.agency_id)
            && (relation.kind == "relative" || relation.until.is_none_or(|u| u >= horizon))
        {
            return Some(format!(
                "近{}年与被评审机构存在任职、咨询或亲属关系",
                rules.relation_years
            ));
        }
    }
    if candidate.designed_project_ids.contains(&job.project_id) {
        return Some("曾参与本项目设计或前期论证".to_owned());
    }
    None
}

/// A member's place in a draw: SHA-256 of the seed and its id.
fn place(seed: &str, member_id: i64) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(seed.as_bytes());
    hasher.update(b":");
    hasher.update(member_id.to_string().as_bytes());
    hasher.finalize().into()
}

/// Draws for `job` among `candidates` with `seed`. The same inputs give the same result.
pub fn draw(
    rules: &PoolRules,
    job: &Job,
    candidates: &[Candidate],
    seed: &str,
) -> Result<DrawResult, TooFew> {
    let mut sorted: Vec<&Candidate> = candidates.iter().collect();
    sorted.sort_by_key(|c| c.member_id);
    let mut excluded = Vec::new();
    let mut eligible: Vec<&Candidate> = Vec::new();
    for candidate in sorted {
        match conflict(rules, job, candidate) {
            Some(reason) => excluded.push(Exclusion {
                member_id: candidate.member_id,
                name: candidate.name.clone(),
                reason,
            }),
            None => eligible.push(candidate),
        }
    }
    if eligible.len() < job.count as usize {
        return Err(TooFew {
            needed: job.count,
            eligible: eligible.len() as u32,
            excluded,
        });
    }
    let ids: Vec<String> = eligible.iter().map(|c| c.member_id.to_string()).collect();
    let eligible_hash = hex::encode(Sha256::digest(ids.join(",").as_bytes()));
    let mut order: Vec<(u32, [u8; 32], i64)> = eligible
        .iter()
        .map(|c| {
            let tier = if job.prefer_fewer_jobs {
                c.recent_jobs
            } else {
                0
            };
            (tier, place(seed, c.member_id), c.member_id)
        })
        .collect();
    order.sort();
    let picked: Vec<i64> = order.iter().map(|(_, _, id)| *id).collect();
    let count = job.count as usize;
    let backups = (job.backups as usize).min(picked.len() - count);
    Ok(DrawResult {
        selected: picked[..count].to_vec(),
        backups: picked[count..count + backups].to_vec(),
        excluded,
        eligible: eligible.iter().map(|c| c.member_id).collect(),
        eligible_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rubrics_add_up_and_a_bad_one_is_named() {
        let rulebook = crate::rulebook::Rulebook::national_default().expect("shipped rulebook");
        let rules = &rulebook.pools;
        assert_eq!(rules.task_working_days, 5);
        for purpose in DRAW_PURPOSES {
            let total: u32 = rules.rubric_for(purpose).iter().map(|r| r.points).sum();
            assert_eq!(total, 100, "{purpose}");
        }
        let mut broken = rules.clone();
        broken.rubric[0].points += 5;
        broken.rubric.push(RubricItem {
            purpose: "gossip".to_owned(),
            item: "闲谈".to_owned(),
            points: 1,
            guidance: String::new(),
        });
        let problems = broken.problems();
        assert!(
            problems.iter().any(|p| p.contains("合计105分")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("gossip")),
            "{problems:?}"
        );
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn member(id: i64, field: &str) -> Candidate {
        Candidate {
            member_id: id,
            name: format!("专家{id}"),
            fields: vec![field.to_owned()],
            employer_agency_id: None,
            status: "active".to_owned(),
            suspended_until: None,
            relations: Vec::new(),
            institution_relations: Vec::new(),
            designed_project_ids: Vec::new(),
            recent_jobs: 0,
        }
    }

    fn job(count: u32) -> Job {
        Job {
            project_id: 7,
            project_agency_ids: vec![100, 10],
            commissioner_agency_ids: vec![5],
            institution_ids: vec![50],
            fields: vec!["农业".to_owned()],
            count,
            backups: 2,
            as_of: day("2020-03-01"),
            prefer_fewer_jobs: false,
        }
    }

    #[test]
    fn every_conflict_rule_excludes_with_its_reason() {
        let rules = PoolRules::default();
        let j = job(1);
        let reason = |c: Candidate| conflict(&rules, &j, &c);
        assert_eq!(reason(member(1, "农业")), None);
        assert_eq!(
            reason(member(1, "教育")),
            Some("专业领域不符（需农业）".into())
        );
        let mut c = member(1, "农业");
        c.employer_agency_id = Some(100);
        assert_eq!(reason(c), Some("任职于项目实施单位或其主管部门".into()));
        let mut c = member(1, "农业");
        c.relations.push(Relation {
            agency_id: 10,
            kind: "advised".into(),
            until: Some(day("2017-03-01")),
        });
        assert_eq!(
            reason(c.clone()),
            Some("近3年曾为项目单位提供咨询服务".into())
        );
        c.relations[0].until = Some(day("2017-02-28"));
        assert_eq!(reason(c), None, "ended more than three years ago");
        let mut c = member(1, "农业");
        c.relations.push(Relation {
            agency_id: 100,
            kind: "relative".into(),
            until: None,
        });
        assert_eq!(reason(c), Some("有亲属在项目单位任职".into()));
        let mut c = member(1, "农业");
        c.relations.push(Relation {
            agency_id: 5,
            kind: "advised".into(),
            until: None,
        });
        assert_eq!(reason(c), Some("近3年曾为委托方提供咨询服务".into()));
        let mut c = member(1, "农业");
        c.employer_agency_id = Some(5);
        assert_eq!(reason(c), Some("任职于委托方".into()));
        let mut c = member(1, "农业");
        c.institution_relations.push(Relation {
            agency_id: 50,
            kind: "worked".into(),
            until: Some(day("2018-06-30")),
        });
        assert_eq!(
            reason(c),
            Some("近3年与被评审机构存在任职、咨询或亲属关系".into())
        );
        assert_eq!(reason(member(50, "农业")), Some("即被评审机构".into()));
        let mut c = member(1, "农业");
        c.designed_project_ids.push(7);
        assert_eq!(reason(c), Some("曾参与本项目设计或前期论证".into()));
        let mut c = member(1, "农业");
        c.status = "suspended".into();
        c.suspended_until = Some(day("2020-03-01"));
        assert_eq!(reason(c.clone()), Some("暂停至2020-03-01".into()));
        c.suspended_until = Some(day("2020-02-29"));
        assert_eq!(reason(c), None, "the suspension is over");
        let mut c = member(1, "农业");
        c.status = "removed".into();
        assert_eq!(reason(c), Some("已出库".into()));
    }

    #[test]
    fn a_draw_replays_and_too_few_is_said_with_reasons() -> Result<(), TooFew> {
        let rules = PoolRules::default();
        let mut pool: Vec<Candidate> = (1..=6).map(|id| member(id, "农业")).collect();
        pool.push(member(7, "教育"));
        pool[0].employer_agency_id = Some(100);
        let first = draw(&rules, &job(3), &pool, "seed-1")?;
        let mut shuffled = pool.clone();
        shuffled.reverse();
        assert_eq!(
            draw(&rules, &job(3), &shuffled, "seed-1")?,
            first,
            "order of input is irrelevant"
        );
        assert_eq!(first.selected.len(), 3);
        assert_eq!(first.backups.len(), 2);
        assert_eq!(first.eligible, vec![2, 3, 4, 5, 6]);
        assert_eq!(first.excluded.len(), 2);
        assert!(!first.selected.contains(&1));
        let too_few = draw(&rules, &job(6), &pool, "seed-1");
        let Err(e) = too_few else {
            panic!("six cannot be drawn from five")
        };
        assert_eq!((e.needed, e.eligible, e.excluded.len()), (6, 5, 2));
        assert!(e.to_string().contains("需要6名，仅5名符合条件"));
        // Fewer backups than asked when the pool runs out, never fewer members.
        let tight = draw(&rules, &job(4), &pool, "x")?;
        assert_eq!((tight.selected.len(), tight.backups.len()), (4, 1));
        Ok(())
    }

    #[test]
    fn selection_is_uniform_and_workload_skews_it_as_intended() -> Result<(), TooFew> {
        let rules = PoolRules::default();
        let pool: Vec<Candidate> = (1..=10).map(|id| member(id, "农业")).collect();
        let mut j = job(3);
        j.backups = 0;
        let draws = 3_000;
        let mut counts = [0u32; 10];
        for n in 0..draws {
            for id in draw(&rules, &j, &pool, &format!("seed-{n}"))?.selected {
                counts[(id - 1) as usize] += 1;
            }
        }
        // Each member expected 900 times; chi-square with 9 degrees of freedom below 27.88
        // (p = 0.001).
        let expected = f64::from(draws * 3) / 10.0;
        let chi: f64 = counts
            .iter()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum();
        assert!(chi < 27.88, "chi-square {chi} for {counts:?}");
        // With workload balancing, members with fewer recent jobs come first.
        let mut busy = pool.clone();
        for c in busy.iter_mut().skip(3) {
            c.recent_jobs = 5;
        }
        j.prefer_fewer_jobs = true;
        for n in 0..200 {
            let mut picked = draw(&rules, &j, &busy, &format!("w-{n}"))?.selected;
            picked.sort_unstable();
            assert_eq!(picked, vec![1, 2, 3]);
        }
        Ok(())
    }
}
