//! Allotments written for the treasury: one CSV line per allotment, amounts in 元 with two
//! decimals, with a header row; text fields that a spreadsheet would run as a formula are quoted.

use crate::spreadsheet_text::csv_field;
use jixiao_core::money;
use std::io::Write;

/// One allotment as the treasury takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllotmentLine {
    /// Allotment code.
    pub code: String,
    /// 指标文号.
    pub document_number: String,
    /// Budget year.
    pub year: i32,
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// Agency code.
    pub agency_code: String,
    /// Agency name.
    pub agency_name: String,
    /// Funding source.
    pub funding_source: String,
    /// Functional classification.
    pub function_code: String,
    /// Economic classification.
    pub economic_code: String,
    /// Limit, fen.
    pub limit_fen: i64,
    /// Frozen, fen.
    pub frozen_fen: i64,
    /// Used, fen.
    pub used_fen: i64,
    /// Suspended.
    pub suspended: bool,
}

/// Writes the lines with a header row.
pub fn write(output: impl Write, lines: &[AllotmentLine]) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record([
        "code",
        "document_number",
        "year",
        "project_code",
        "project_name",
        "agency_code",
        "agency_name",
        "funding_source",
        "function_code",
        "economic_code",
        "limit_yuan",
        "frozen_yuan",
        "used_yuan",
        "available_yuan",
        "suspended",
    ])?;
    for l in lines {
        let plain = |fen: i64| money::format_yuan(fen).replace(',', "");
        let text = |value: &str| csv_field(value).into_owned();
        writer.write_record([
            text(&l.code),
            text(&l.document_number),
            l.year.to_string(),
            text(&l.project_code),
            text(&l.project_name),
            text(&l.agency_code),
            text(&l.agency_name),
            text(&l.funding_source),
            text(&l.function_code),
            text(&l.economic_code),
            plain(l.limit_fen),
            plain(l.frozen_fen),
            plain(l.used_fen),
            plain(l.limit_fen - l.frozen_fen - l.used_fen),
            l.suspended.to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_plain_yuan_with_two_decimals() -> Result<(), Box<dyn std::error::Error>> {
        let mut out = Vec::new();
        write(
            &mut out,
            &[AllotmentLine {
                code: "ZB-1".into(),
                document_number: "预指〔2020〕1号".into(),
                year: 2020,
                project_code: "1".into(),
                project_name: "扶贫专岗".into(),
                agency_code: "204".into(),
                agency_name: "经开区".into(),
                funding_source: "local".into(),
                function_code: String::new(),
                economic_code: String::new(),
                limit_fen: 123_456_789,
                frozen_fen: 0,
                used_fen: 100,
                suspended: false,
            }],
        )?;
        let text = String::from_utf8(out)?;
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|l| l.contains("1234567.89,0.00,1.00,1234566.89,false")),
            "{text}"
        );
        Ok(())
    }
}
