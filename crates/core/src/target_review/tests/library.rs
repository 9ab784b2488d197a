//! A well-formed sheet generated from the indicator library gets no finding, whichever template,
//! year, amount and way of writing the values (one cell, or operator and unit columns).

use super::*;
use crate::indicator_library::TEMPLATES;
use proptest::prelude::*;

fn written_in_one_cell(op: &str, value: &str, unit: &str) -> String {
    let sign = match op {
        ">=" => "≥",
        "<=" => "≤",
        "=" => "=",
        _ => "",
    };
    format!("{sign}{value}{unit}")
}

fn library_sheet(
    template: usize,
    year: i32,
    amount_fen: Option<i64>,
    columns: bool,
    shown: bool,
) -> SheetUnderReview {
    let template = &TEMPLATES[template % TEMPLATES.len()];
    let rows = template.rows();
    let indicators = rows
        .iter()
        .map(|r| {
            let qualitative = r.op == "qualitative";
            IndicatorUnderReview {
                level1: r.level1.clone(),
                level2: r.level2.clone(),
                name: r.name.clone(),
                value: if columns || qualitative {
                    r.value.clone()
                } else {
                    written_in_one_cell(&r.op, &r.value, &r.unit)
                },
                points_x100: crate::target::parse_points(&r.points),
                op: (columns || (qualitative && shown))
                    .then(|| if shown { r.op.clone() } else { "定性".into() }),
                unit: columns.then(|| r.unit.clone()),
            }
        })
        .collect();
    let first = &rows[0];
    SheetUnderReview {
        year,
        amount_fen,
        amount_approved: false,
        project_name: format!("{year}年{}项目", template.name),
        serves_people: Some(template.key != "operation"),
        overall_goal: format!(
            "通过实施{}项目，到{}年实现{}{}",
            template.name,
            year + 2,
            first.name,
            written_in_one_cell(&first.op, &first.value, &first.unit)
        ),
        annual_goal: format!(
            "{year}年完成{}{}",
            first.name,
            written_in_one_cell(&first.op, &first.value, &first.unit)
        ),
        last_year_annual_goal: Some(format!("{}年完成{}", year - 1, first.name)),
        indicators,
    }
}

#[test]
fn every_template_as_it_stands_gets_no_finding() {
    for (index, template) in TEMPLATES.iter().enumerate() {
        for (columns, shown) in [(false, false), (true, false), (true, true), (false, true)] {
            let sheet = library_sheet(index, 2020, Some(100_000_000), columns, shown);
            let findings = findings_of(&sheet);
            assert!(
                findings.is_empty(),
                "{} {columns}: {findings:#?}",
                template.key
            );
        }
    }
}

proptest! {
    #[test]
    fn a_well_formed_library_sheet_gets_no_finding(
        template in 0..TEMPLATES.len(),
        year in 2019..2031i32,
        amount in proptest::option::of(100_000_000i64..10_000_000_000),
        columns: bool,
        shown: bool,
        served_unknown: bool,
    ) {
        let mut sheet = library_sheet(template, year, amount, columns, shown);
        if served_unknown && TEMPLATES[template].key != "operation" {
            sheet.serves_people = None;
        }
        let findings = findings_of(&sheet);
        prop_assert!(findings.is_empty(), "{:#?}", findings);
    }
}
