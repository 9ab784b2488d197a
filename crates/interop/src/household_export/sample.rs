//! Sample person exports for tests and benchmarks: a table of texts written as the national
//! layout in .xlsx (title rows, header on row 3) or as CSV in UTF-8 or GBK, and valid synthetic ID
//! numbers.

use jixiao_core::assistance::id_number::check_character;
use rust_xlsxwriter::{Workbook, XlsxError};

/// The headers of the sample table, national order (a subset, plus one column Jixiao does not use).
pub const HEADERS: [&str; 28] = [
    "县",
    "乡",
    "村",
    "户编号",
    "人编号",
    "姓名",
    "证件类型",
    "证件号码",
    "与户主关系",
    "性别",
    "出生日期",
    "民族",
    "文化程度",
    "在校生状况",
    "健康状况",
    "劳动技能",
    "务工所在地",
    "户类型",
    "监测对象类别",
    "人均纯收入（元）",
    "工资性收入",
    "转移性收入",
    "合规自付支出",
    "是否参加城乡居民基本医疗保险",
    "享受低保政策情况",
    "是否危房户",
    "产业帮扶",
    "耕地面积（亩）",
];

/// A valid resident ID: region, `YYYYMMDD`, a three-digit sequence whose last digit is odd for 男.
pub fn resident_id(region: &str, birth: &str, sequence: u32) -> String {
    let body = format!("{region}{birth}{:03}", sequence % 1000);
    let check = check_character(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// One person row of the sample table with plain values; callers change cells by header.
pub fn person_row(
    village: (&str, &str),
    household: &str,
    person: u32,
    name: &str,
    id: &str,
    relation: &str,
) -> Vec<String> {
    let birth = &id[6..14];
    let male = (id.as_bytes()[16] - b'0') % 2 == 1;
    let values: [&str; 28] = [
        "乐陵市",
        village.0,
        village.1,
        household,
        "",
        name,
        "居民身份证",
        id,
        relation,
        if male { "男" } else { "女" },
        birth,
        "汉族",
        "初中",
        "非在校生",
        "健康",
        "普通劳动力",
        "",
        "脱贫户",
        "",
        "6500",
        "12000",
        "1500.5",
        "0",
        "是",
        "否",
        "否",
        "是",
        "3.5",
    ];
    let mut row: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
    row[4] = format!("{household}{person:02}");
    row
}

/// Sets the cell of `header` in a sample row.
pub fn set(row: &mut [String], header: &str, value: &str) {
    if let Some(i) = HEADERS.iter().position(|h| *h == header) {
        row[i] = value.to_owned();
    }
}

/// The table as the national .xlsx layout.
pub fn xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "防返贫监测信息系统 人员信息表")?;
    sheet.write_string(1, 0, "导出单位：乐陵市")?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(2, u16::try_from(c).unwrap_or(0), *h)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(
                    u32::try_from(r + 3).unwrap_or(u32::MAX),
                    u16::try_from(c).unwrap_or(0),
                    v,
                )?;
            }
        }
    }
    workbook.save_to_buffer()
}

/// The table as CSV text with the two title lines.
pub fn csv(rows: &[Vec<String>]) -> String {
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = String::from("防返贫监测信息系统 人员信息表\n导出单位：乐陵市\n");
    out.push_str(&line(HEADERS.iter().map(|h| (*h).to_owned()).collect()));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.clone()));
        out.push('\n');
    }
    out
}

/// The CSV text encoded as GBK, as Excel on Chinese Windows saves it.
pub fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}
