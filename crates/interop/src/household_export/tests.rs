//! Reading and writing the person export: the good file in both forms, the round trip, and each
//! kind of broken row named by its cell.

use super::sample::{self, person_row, resident_id, set};
use super::*;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 12, 31).expect("valid date")
}

const VILLAGE: (&str, &str) = ("杨安镇", "杨安第一村");

fn good_rows() -> Vec<Vec<String>> {
    let mut rows = vec![
        person_row(
            VILLAGE,
            "H001",
            1,
            "王建国",
            &resident_id("371481", "19500304", 11),
            "户主",
        ),
        person_row(
            VILLAGE,
            "H001",
            2,
            "李秀英",
            &resident_id("371481", "19520611", 22),
            "配偶",
        ),
        person_row(
            VILLAGE,
            "H002",
            1,
            "张桂兰",
            &resident_id("371481", "19410101", 42),
            "户主",
        ),
    ];
    set(&mut rows[2], "健康状况", "残疾");
    set(&mut rows[2], "劳动技能", "丧失劳动力");
    set(&mut rows[2], "享受低保政策情况", "享受");
    rows
}

#[test]
fn the_good_file_reads_alike_as_xlsx_utf8_csv_and_gbk_csv() {
    let rows = good_rows();
    let xlsx = read(&sample::xlsx(&rows).expect("writes"), as_of()).expect("reads");
    let csv = read(sample::csv(&rows).as_bytes(), as_of()).expect("reads");
    let gbk = read(&sample::gbk(&sample::csv(&rows)), as_of()).expect("reads");
    assert!(xlsx.errors.is_empty(), "{:?}", xlsx.errors);
    assert_eq!(xlsx.households, csv.households);
    assert_eq!(csv.households, gbk.households);
    assert_eq!(xlsx.header_row, 3);
    assert_eq!(xlsx.rows, 3);
    assert_eq!(xlsx.kept_columns, ["耕地面积（亩）"]);
    assert!(xlsx.missing_columns.contains(&"财产性收入"));
    let first = &xlsx.households[0];
    assert_eq!(first.number, "H001");
    assert_eq!(first.members.len(), 2);
    assert_eq!(first.income.transfer, 150_050);
    assert_eq!(first.income.recorded_per_capita, Some(650_000));
    assert_eq!(first.record.measures, ["industry"]);
    assert_eq!(first.members[0].record.columns["耕地面积（亩）"], "3.5");
    assert!(first.members[0].record.cover.resident_medical);
    let second = &xlsx.households[1];
    assert!(second.members[0].record.cover.dibao);
    assert_eq!(
        second.members[0].record.labour,
        Some(jixiao_core::assistance::registry::LabourAbility::Lost)
    );
}

#[test]
fn what_is_written_reads_back_the_same() {
    let file = read(sample::csv(&good_rows()).as_bytes(), as_of()).expect("reads");
    let bytes = write_xlsx(&file.households, "人员信息", "导出单位：乐陵市").expect("writes");
    let back = read(&bytes, as_of()).expect("reads back");
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert_eq!(back.households, file.households);
    assert_eq!(back.header_row, 3);
}

#[test]
fn the_export_prints_on_a4_with_its_header_row_on_every_page() {
    use std::io::Read;
    let file = read(sample::csv(&good_rows()).as_bytes(), as_of()).expect("reads");
    let bytes = write_xlsx(&file.households, "人员信息", "导出单位：乐陵市").expect("writes");
    let part = |name: &str| {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
        let mut text = String::new();
        archive
            .by_name(name)
            .expect("part")
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    };
    let sheet = part("xl/worksheets/sheet1.xml");
    assert!(sheet.contains("paperSize=\"9\"") && sheet.contains("orientation=\"landscape\""));
    assert!(sheet.contains("fitToPage=\"1\"") && sheet.contains("fitToHeight=\"0\""));
    assert!(sheet.contains("ySplit=\"3\"") && sheet.contains("state=\"frozen\""));
    assert!(sheet.contains("<cols>"), "widths fit the text");
    let workbook = part("xl/workbook.xml");
    assert!(
        workbook.contains("localSheetId=\"0\">人员信息!$3:$3<"),
        "{workbook}"
    );
}

/// One broken row per kind: (what is broken, the change, the expected cell, a word of the message).
type Breakage = (
    &'static str,
    fn(&mut Vec<Vec<String>>),
    &'static str,
    &'static str,
);

fn breakages() -> Vec<Breakage> {
    vec![
        (
            "bad check digit",
            |r| {
                let id = r[0][7].clone();
                let wrong = if id.ends_with('1') { '2' } else { '1' };
                set(&mut r[0], "证件号码", &format!("{}{wrong}", &id[..17]));
            },
            "H4",
            "校验",
        ),
        (
            "short ID",
            |r| set(&mut r[0], "证件号码", "37148119500304"),
            "H4",
            "18",
        ),
        (
            "letters in ID",
            |r| set(&mut r[0], "证件号码", "37148119500304A11X"),
            "H4",
            "",
        ),
        (
            "impossible birth date in ID",
            |r| {
                let body = "37148119501340011";
                let id = format!("{body}{}", check_character(body).unwrap_or('0'));
                set(&mut r[0], "证件号码", &id);
            },
            "H4",
            "",
        ),
        (
            "birth date not matching",
            |r| set(&mut r[0], "出生日期", "19500305"),
            "K4",
            "不符",
        ),
        (
            "sex not matching",
            |r| set(&mut r[0], "性别", "女"),
            "J4",
            "不符",
        ),
        (
            "two heads",
            |r| set(&mut r[1], "与户主关系", "户主"),
            "I5",
            "两名户主",
        ),
        (
            "no head",
            |r| set(&mut r[0], "与户主关系", "之子"),
            "I4",
            "没有户主",
        ),
        (
            "same ID in two households",
            |r| {
                let id = r[0][7].clone();
                set(&mut r[2], "证件号码", &id);
                set(&mut r[2], "出生日期", "19500304");
                set(&mut r[2], "性别", "男");
            },
            "H6",
            "两户",
        ),
        (
            "same ID twice in a household",
            |r| {
                let id = r[0][7].clone();
                r[1] = r[0].clone();
                set(&mut r[1], "与户主关系", "之子");
                set(&mut r[1], "证件号码", &id);
            },
            "H5",
            "本户重复",
        ),
        (
            "text in a numeric cell",
            |r| set(&mut r[0], "人均纯收入（元）", "约三千"),
            "T4",
            "金额",
        ),
        (
            "unknown relation",
            |r| set(&mut r[1], "与户主关系", "邻居"),
            "I5",
            "无法识别",
        ),
        (
            "unknown household type",
            |r| set(&mut r[0], "户类型", "五保户外"),
            "R4",
            "户类型",
        ),
        (
            "empty name",
            |r| set(&mut r[1], "姓名", ""),
            "F5",
            "姓名为空",
        ),
        (
            "empty household number",
            |r| set(&mut r[1], "户编号", ""),
            "D5",
            "户编号为空",
        ),
        (
            "unknown health",
            |r| set(&mut r[0], "健康状况", "还行"),
            "O4",
            "健康状况",
        ),
        (
            "unknown labour",
            |r| set(&mut r[0], "劳动技能", "很强"),
            "P4",
            "劳动技能",
        ),
        (
            "bad yes/no",
            |r| set(&mut r[0], "是否危房户", "待定"),
            "Z4",
            "是",
        ),
        (
            "bad birth date text",
            |r| set(&mut r[0], "出生日期", "1950年3月"),
            "K4",
            "日期",
        ),
        (
            "NUL byte in a name",
            |r| set(&mut r[0], "姓名", "王\u{0}建国"),
            "F4",
            "控制字符",
        ),
        (
            "unsupported document",
            |r| set(&mut r[0], "证件类型", "护照"),
            "G4",
            "证件类型",
        ),
        (
            "household in two villages",
            |r| set(&mut r[1], "村", "杨安第二村"),
            "C5",
            "同一村",
        ),
        (
            "negative self-paid spending",
            |r| set(&mut r[0], "合规自付支出", "-5"),
            "W4",
            "负数",
        ),
        (
            "birth in the future",
            |r| {
                let id = resident_id("371481", "20210101", 11);
                set(&mut r[2], "证件号码", &id);
                set(&mut r[2], "出生日期", "20210101");
            },
            "H6",
            "",
        ),
    ]
}

#[test]
fn every_kind_of_broken_row_is_named_by_its_cell_in_xlsx_and_gbk_csv() {
    for (what, breaking, cell, word) in breakages() {
        let mut rows = good_rows();
        breaking(&mut rows);
        for (form, file) in [
            ("xlsx", read(&sample::xlsx(&rows).expect("writes"), as_of())),
            ("gbk", read(&sample::gbk(&sample::csv(&rows)), as_of())),
        ] {
            let file = file.unwrap_or_else(|e| panic!("{what} ({form}): refused whole: {e}"));
            let found = file
                .errors
                .iter()
                .find(|e| e.cell == cell)
                .unwrap_or_else(|| {
                    panic!("{what} ({form}): no error at {cell}: {:?}", file.errors)
                });
            assert!(found.message.contains(word), "{what}: {}", found.message);
        }
    }
    assert!(breakages().len() >= 20);
}

#[test]
fn a_file_without_the_header_or_its_key_columns_is_refused_whole() {
    assert_eq!(
        read(b"a,b\n1,2\n", as_of()).err(),
        Some(ExportError::NoHeader)
    );
    let text = sample::csv(&good_rows()).replace(",村,", ",地方,");
    assert_eq!(
        read(text.as_bytes(), as_of()).err(),
        Some(ExportError::MissingColumns(vec!["村"]))
    );
    let text = sample::csv(&good_rows()).replace(",民族,", ",姓名,");
    assert!(matches!(
        read(text.as_bytes(), as_of()),
        Err(ExportError::DuplicateColumn(..))
    ));
    let header_only = sample::csv(&[]);
    assert_eq!(
        read(header_only.as_bytes(), as_of()).err(),
        Some(ExportError::Empty)
    );
    assert!(matches!(
        read(b"PK\x03\x04garbage", as_of()),
        Err(ExportError::Intake(_))
    ));
}

#[test]
fn an_id_number_excel_turned_into_a_number_is_named() {
    let rows = good_rows();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in sample::HEADERS.iter().enumerate() {
        sheet
            .write_string(2, u16::try_from(c).expect("fits"), *h)
            .expect("writes");
    }
    for (c, v) in rows[0].iter().enumerate() {
        let col = u16::try_from(c).expect("fits");
        if c == 7 {
            sheet
                .write_number(3, col, 371_481_195_003_040_000.0)
                .expect("writes");
        } else {
            sheet.write_string(3, col, v).expect("writes");
        }
    }
    let bytes = workbook.save_to_buffer().expect("saves");
    let file = read(&bytes, as_of()).expect("reads");
    assert!(file.errors[0].message.contains("文本"), "{:?}", file.errors);
    assert_eq!(file.errors[0].cell, "H4");
}

#[test]
fn wordings_of_real_exports_are_read() {
    let mut rows = good_rows();
    set(&mut rows[0], "与户主关系", "本人");
    set(&mut rows[0], "在校生状况", "");
    set(&mut rows[1], "健康状况", "残疾,长期慢性病");
    set(&mut rows[1], "务工所在地", "省外");
    let file = read(sample::csv(&rows).as_bytes(), as_of()).expect("reads");
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let people = &file.households[0].members;
    assert_eq!(people[0].relation, Relation::Householder);
    assert_eq!(
        people[1].record.work_status,
        Some(jixiao_core::assistance::registry::WorkStatus::OutOfProvince)
    );
}

use jixiao_core::assistance::id_number::check_character;
