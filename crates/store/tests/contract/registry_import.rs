//! Importing the national person export into the registry: a dry run stores nothing, the good
//! file imports, the same file again changes nothing, members who are gone leave (dated, never
//! deleted) or move, a file with a broken row or an unknown village stores nothing, and what is
//! exported reads back as no change.

use crate::support::TestResult;
use chrono::NaiveDate;
use jixiao_core::Actor;
use jixiao_interop::household_export::sample::{self, person_row, resident_id, set};
use jixiao_interop::household_export::{self, ExportFile};
use jixiao_store::test_support::TestDatabase;
use jixiao_store::{Error, ImportChangeKind, Store};

const VILLAGE: (&str, &str) = ("杨安镇", "杨安第一村");

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 12, 31).expect("valid date")
}

fn rows() -> Vec<Vec<String>> {
    let mut rows = vec![
        person_row(
            VILLAGE,
            "IMP001",
            1,
            "王建国",
            &resident_id("371481", "19500304", 911),
            "户主",
        ),
        person_row(
            VILLAGE,
            "IMP001",
            2,
            "李秀英",
            &resident_id("371481", "19520611", 922),
            "配偶",
        ),
        person_row(
            VILLAGE,
            "IMP002",
            1,
            "张桂兰",
            &resident_id("371481", "19410101", 942),
            "户主",
        ),
        person_row(
            ("杨安镇", "杨安第二村"),
            "IMP003",
            1,
            "赵勇",
            &resident_id("371481", "19800808", 951),
            "户主",
        ),
    ];
    set(&mut rows[2], "健康状况", "残疾");
    rows
}

fn read(rows: &[Vec<String>]) -> ExportFile {
    household_export::read(sample::csv(rows).as_bytes(), as_of()).expect("the sample reads")
}

async fn office(store: &Store) -> Result<Actor, Box<dyn std::error::Error>> {
    Ok(store.user(&Actor::system(), "bangfu").await?.actor())
}

async fn total(store: &Store, actor: &Actor) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(store.households(actor, None, 1, 1).await?.1)
}

#[tokio::test]
async fn a_dry_run_stores_nothing_and_the_same_file_twice_changes_nothing() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    jixiao_store::demo::registry::load(store).await?;
    let office = office(store).await?;
    let before = total(store, &office).await?;
    let file = read(&rows());

    let plan = store
        .import_households(&office, &file.households, &file.errors, as_of(), true)
        .await?;
    assert!(!plan.stored);
    assert_eq!(plan.counts.new_households, 3);
    assert_eq!(plan.counts.new_people, 4);
    // The demo's households of the two villages are not in the file: reported, not touched.
    assert_eq!(plan.counts.absent_households, 6);
    assert_eq!(
        total(store, &office).await?,
        before,
        "a dry run stores nothing"
    );

    let done = store
        .import_households(&office, &file.households, &file.errors, as_of(), false)
        .await?;
    assert!(done.stored);
    assert_eq!(total(store, &office).await?, before + 3);

    let again = store
        .import_households(&office, &file.households, &file.errors, as_of(), false)
        .await?;
    assert_eq!(again.counts.unchanged_households, 3);
    assert_eq!(
        again
            .changes
            .iter()
            .filter(|c| c.kind != ImportChangeKind::AbsentHousehold)
            .count(),
        0,
        "{:?}",
        again.changes
    );
    Ok(())
}

#[tokio::test]
async fn members_gone_from_the_file_leave_and_moves_are_dated_not_deleted() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    jixiao_store::demo::registry::load(store).await?;
    let office = office(store).await?;
    let file = read(&rows());
    store
        .import_households(&office, &file.households, &file.errors, as_of(), false)
        .await?;

    // The spouse of IMP001 moves to IMP002; IMP003's head gets a new illness.
    let mut changed = rows();
    let spouse = changed.remove(1);
    let mut moved = spouse.clone();
    set(&mut moved, "户编号", "IMP002");
    set(&mut moved, "人编号", "IMP00202");
    set(&mut moved, "与户主关系", "之兄弟姐妹");
    changed.insert(2, moved);
    set(&mut changed[3], "健康状况", "患大病");
    let file = read(&changed);
    let later = NaiveDate::from_ymd_opt(2021, 3, 1).expect("valid date");
    let done = store
        .import_households(&office, &file.households, &file.errors, later, false)
        .await?;
    assert_eq!(done.counts.moved_people, 1, "{:?}", done.changes);
    assert_eq!(done.counts.left_people, 0);
    assert_eq!(done.counts.changed_people, 1);
    let changed_person = done
        .changes
        .iter()
        .find(|c| c.kind == ImportChangeKind::ChangedPerson)
        .ok_or("a changed person")?;
    assert_eq!(changed_person.detail, "健康状况");
    assert!(!changed_person.person.contains("19800808"), "masked");

    let (lines, _) = store.households(&office, None, 1, 200).await?;
    let first = lines
        .iter()
        .find(|l| l.number == "IMP001")
        .ok_or("IMP001")?;
    let file1 = store.household(&office, first.id).await?;
    let left = file1
        .people
        .iter()
        .find(|p| p.left_on.is_some())
        .ok_or("the spouse's membership is kept with its end")?;
    assert_eq!(left.left_on.as_deref(), Some("2021-03-01"));
    assert_eq!(left.left_reason.as_deref(), Some("moved"));
    assert!(left.member_on("2020-12-31") && !left.member_on("2021-03-01"));

    // Dropping a member altogether: they leave as departed.
    let mut fewer = changed.clone();
    fewer.remove(2);
    let file = read(&fewer);
    let done = store
        .import_households(&office, &file.households, &file.errors, later, false)
        .await?;
    assert_eq!(done.counts.left_people, 1);
    Ok(())
}

#[tokio::test]
async fn a_file_with_problems_stores_nothing_and_names_each() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    jixiao_store::demo::registry::load(store).await?;
    let office = office(store).await?;
    let before = total(store, &office).await?;
    let mut broken = rows();
    set(&mut broken[3], "村", "不存在村");
    set(&mut broken[1], "性别", "男");
    let file = read(&broken);
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
    let refused = store
        .import_households(&office, &file.households, &file.errors, as_of(), false)
        .await;
    match refused {
        Err(Error::InvalidImport(errors)) => {
            let cells: Vec<&str> = errors.iter().map(|e| e.cell.as_str()).collect();
            assert_eq!(cells, ["J5", "C7"], "{errors:?}");
            assert!(errors[1].message.contains("不存在村"));
        }
        other => return Err(format!("expected InvalidImport, got {other:?}").into()),
    }
    assert_eq!(total(store, &office).await?, before, "nothing stored");

    let plan = store
        .import_households(&office, &file.households, &file.errors, as_of(), true)
        .await?;
    assert_eq!(plan.errors.len(), 2);

    // Only the county office imports.
    let village = store.user(&Actor::system(), "cun").await?.actor();
    let file = read(&rows());
    assert!(matches!(
        store
            .import_households(&village, &file.households, &file.errors, as_of(), true)
            .await,
        Err(Error::Forbidden)
    ));
    Ok(())
}

#[tokio::test]
async fn what_is_exported_reads_back_as_no_change() -> TestResult {
    let db = TestDatabase::new().await?;
    let store = &db.store;
    jixiao_store::demo::load_base(store).await?;
    jixiao_store::demo::registry::load(store).await?;
    let office = office(store).await?;
    let file = read(&rows());
    store
        .import_households(&office, &file.households, &file.errors, as_of(), false)
        .await?;
    let exported = store.export_households(&office, None, as_of()).await?;
    assert_eq!(exported.len(), 225 + 3);
    let bytes = household_export::write_xlsx(&exported, "人员信息", "乐陵市")?;
    let back = household_export::read(&bytes, as_of())?;
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    let plan = store
        .import_households(&office, &back.households, &back.errors, as_of(), true)
        .await?;
    assert_eq!(
        plan.counts.unchanged_households,
        228,
        "{:?}",
        plan.changes.first()
    );
    assert!(plan.changes.is_empty(), "{:?}", plan.changes.first());

    // A township's export holds its own households only.
    let township = store
        .export_households(&office, Some("371481101"), as_of())
        .await?;
    assert!(township.iter().all(|h| h.township == "杨安镇"));
    assert_eq!(township.len(), 15 + 3);
    Ok(())
}
