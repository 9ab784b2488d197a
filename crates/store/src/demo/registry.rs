//! The demo's assistance registry: Leling's 15 townships and streets with their villages
//! (synthetic village names and codes), the users of the case work (村, 乡镇, 帮扶办, 行业部门,
//! 帮扶责任人) and a few households per village with valid, synthetic ID numbers. Deterministic.
//! The Leling-scale registry of ASSISTANCE.md §5 is `registry_scale.rs`.

use super::{DEMO_PASSWORD, LELING};
use crate::{AreaLine, HouseholdInput, PersonInput, Result, Store};
use jixiao_core::Actor;
use jixiao_core::assistance::id_number::check_character;
use jixiao_core::user::NewUser;

/// Leling's townships and streets (乡镇、街道), with their statistical codes' town part.
pub const TOWNSHIPS: [(&str, &str); 15] = [
    ("001", "市中街道"),
    ("002", "胡家街道"),
    ("003", "云红街道"),
    ("004", "郭家街道"),
    ("101", "杨安镇"),
    ("102", "朱集镇"),
    ("103", "黄夹镇"),
    ("104", "丁坞镇"),
    ("105", "花园镇"),
    ("106", "郑店镇"),
    ("107", "化楼镇"),
    ("108", "孔镇镇"),
    ("109", "铁营镇"),
    ("201", "西段乡"),
    ("202", "大孙乡"),
];

/// Villages per township in the demo tree (synthetic names).
const VILLAGES_PER_TOWNSHIP: usize = 5;

/// Surnames and given names the synthetic people are made from.
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "秀英", "桂兰", "玉兰", "建国", "建华", "志强", "淑珍", "凤英", "国庆", "海燕", "明", "勇",
];

/// The code of village `v` (1-based) of the township with town part `town`.
pub fn village_code(town: &str, v: usize) -> String {
    format!("{LELING}{town}{:03}", 200 + v)
}

/// The name of village `v` (1 to 5) of the township named `township`: `杨安第一村` ….
pub fn village_name(township: &str, v: usize) -> String {
    let ordinal = ["第一", "第二", "第三", "第四", "第五"]
        .get(v.wrapping_sub(1))
        .copied()
        .unwrap_or("");
    format!("{}{ordinal}村", town_stem(township))
}

/// A township's name without 镇, 乡 or 街道 (`杨安镇` → `杨安`), as village names begin.
pub fn town_stem(township: &str) -> &str {
    township
        .trim_end_matches(['镇', '乡'])
        .trim_end_matches("街道")
}

/// Villages per township in the demo tree (the first five; the Leling-scale registry adds the
/// key villages after them).
pub const DEMO_VILLAGES_PER_TOWNSHIP: usize = VILLAGES_PER_TOWNSHIP;

/// A demo user: (username, display name, role, area code, sector).
type DemoUser = (
    &'static str,
    &'static str,
    &'static str,
    Option<String>,
    Option<&'static str>,
);

/// The demo registry's users.
fn users() -> Vec<DemoUser> {
    vec![
        (
            "cun",
            "杨安镇第一村 村委会 刘建华",
            "village",
            Some(village_code("101", 1)),
            None,
        ),
        (
            "xiang",
            "杨安镇 扶贫工作站 陈海燕",
            "township",
            Some(format!("{LELING}101")),
            None,
        ),
        ("bangfu", "市乡村振兴局 徐志强", "assistance", None, None),
        (
            "minzheng",
            "市民政局 社会救助科 周凤英",
            "sector",
            None,
            Some("民政"),
        ),
        ("bangfuren", "帮扶责任人 吴国庆", "helper", None, None),
    ]
}

/// The demo registry's accounts for the start-up message: (user name, display name, role).
pub fn accounts() -> Vec<(&'static str, &'static str, &'static str)> {
    users()
        .into_iter()
        .map(|(u, d, r, _, _)| {
            (
                u,
                d,
                jixiao_core::Role::parse(r).map_or("", jixiao_core::Role::label),
            )
        })
        .collect()
}

/// A valid synthetic resident ID: region 371481, the birth date, a sequence and the sex digit.
fn resident_id(birth: &str, sequence: usize, male: bool) -> String {
    let sex_digit = (sequence % 5) * 2 + usize::from(male);
    let body = format!(
        "371481{}{:02}{}",
        birth.replace('-', ""),
        sequence % 100,
        sex_digit
    );
    let check = check_character(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// Loads the area tree, the users and the households, unless the areas are already there.
pub async fn load(store: &Store) -> Result<bool> {
    if !load_tree(store).await? {
        return Ok(false);
    }
    load_households(store).await?;
    Ok(true)
}

/// Loads the area tree and the users only (for the Leling-scale registry on its own), unless
/// the areas are already there.
pub async fn load_tree(store: &Store) -> Result<bool> {
    let system = Actor::system();
    if !store.areas(&system, LELING).await?.is_empty() {
        return Ok(false);
    }
    let mut lines = Vec::new();
    for (town, name) in TOWNSHIPS {
        lines.push(AreaLine {
            code: format!("{LELING}{town}"),
            name: name.to_owned(),
            level: "township".to_owned(),
            parent_code: String::new(),
        });
        for v in 1..=VILLAGES_PER_TOWNSHIP {
            lines.push(AreaLine {
                code: village_code(town, v),
                name: village_name(name, v),
                level: "village".to_owned(),
                parent_code: format!("{LELING}{town}"),
            });
        }
    }
    store.load_areas(&system, LELING, &lines).await?;
    for (username, display_name, role, area, sector) in users() {
        store
            .add_user(
                &system,
                &NewUser {
                    username: username.to_owned(),
                    display_name: display_name.to_owned(),
                    role: role.to_owned(),
                    jurisdiction: Some(LELING.to_owned()),
                    agency_code: None,
                    password: DEMO_PASSWORD.to_owned(),
                    area_code: area,
                    sector: sector.map(str::to_owned),
                },
            )
            .await?;
    }
    Ok(true)
}

/// Three households in each village, with valid synthetic ID numbers.
async fn load_households(store: &Store) -> Result<()> {
    let system = Actor::system();
    let office = store.user(&system, "bangfu").await?.actor();
    let helper = store.user(&system, "bangfuren").await?.id;
    let as_of = chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap_or_default();
    let mut sequence = 0usize;
    for (town, _) in TOWNSHIPS {
        for v in 1..=VILLAGES_PER_TOWNSHIP {
            for h in 1..=3usize {
                sequence += 1;
                let surname = SURNAMES[sequence % SURNAMES.len()];
                let head_birth = format!(
                    "19{:02}-{:02}-{:02}",
                    40 + sequence % 30,
                    1 + sequence % 12,
                    1 + sequence % 28
                );
                let mut members = vec![PersonInput {
                    number: format!("{sequence:06}01"),
                    id_type: "resident_id".to_owned(),
                    id_number: resident_id(&head_birth, sequence, sequence.is_multiple_of(2)),
                    name: format!("{surname}{}", GIVEN[sequence % GIVEN.len()]),
                    relation: "householder".to_owned(),
                    sex: if sequence.is_multiple_of(2) {
                        "male"
                    } else {
                        "female"
                    }
                    .to_owned(),
                    birth_date: head_birth,
                }];
                // Every other household has a spouse and a grandchild at school age.
                if h != 2 {
                    let birth = format!(
                        "19{:02}-{:02}-{:02}",
                        42 + sequence % 30,
                        1 + (sequence + 3) % 12,
                        1 + (sequence + 5) % 28
                    );
                    members.push(PersonInput {
                        number: format!("{sequence:06}02"),
                        id_type: "resident_id".to_owned(),
                        id_number: resident_id(&birth, sequence + 50, sequence % 2 == 1),
                        name: format!(
                            "{}{}",
                            SURNAMES[(sequence + 5) % SURNAMES.len()],
                            GIVEN[(sequence + 7) % GIVEN.len()]
                        ),
                        relation: "spouse".to_owned(),
                        sex: if sequence % 2 == 1 { "male" } else { "female" }.to_owned(),
                        birth_date: birth,
                    });
                    let birth = format!(
                        "20{:02}-{:02}-{:02}",
                        8 + sequence % 8,
                        1 + sequence % 12,
                        1 + sequence % 28
                    );
                    members.push(PersonInput {
                        number: format!("{sequence:06}03"),
                        id_type: "resident_id".to_owned(),
                        id_number: resident_id(&birth, sequence + 20, h == 1),
                        name: format!("{surname}{}", GIVEN[(sequence + 3) % GIVEN.len()]),
                        relation: if h == 1 { "grandson" } else { "granddaughter" }.to_owned(),
                        sex: if h == 1 { "male" } else { "female" }.to_owned(),
                        birth_date: birth,
                    });
                }
                store
                    .add_household(
                        &office,
                        &HouseholdInput {
                            village_code: village_code(town, v),
                            number: format!("{LELING}{town}{v:02}{h:03}"),
                            household_type: if h == 3 { "ordinary" } else { "formerly_poor" }
                                .to_owned(),
                            address: String::new(),
                            phone: String::new(),
                            helper_user_id: (town == "101").then_some(helper),
                            members,
                        },
                        as_of,
                    )
                    .await?;
            }
        }
    }
    Ok(())
}
