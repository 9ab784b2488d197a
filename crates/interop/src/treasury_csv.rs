//! The treasury's daily payments export, as CSV with a header row:
//!
//! | column | meaning |
//! |---|---|
//! | `request_id` | the treasury's unique id for the line (1–64 characters) |
//! | `date` | date paid, `YYYY-MM-DD` |
//! | `code` | the allotment code (`ZB-…`) or the project code |
//! | `amount_yuan` | amount in 元 with at most two decimals (`12,345.60` accepted) |
//! | `payee` | who was paid |
//! | `purpose` | what for |
//! | `type` | `payment` (支付) or `refund` (退款) |
//!
//! Chinese headers (请求编号, 日期, 指标编码, 金额（元）, 收款人, 用途, 类型) are accepted too. Each line
//! is read on its own: a bad line is reported with its line number and does not stop the others.

use crate::intake::{self, IntakeError};
use jixiao_core::money;
use jixiao_core::treasury::{Target, TreasuryRequest};

/// Whether a line pays or refunds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// 支付
    Payment,
    /// 退款
    Refund,
}

/// One readable line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    /// Line number in the file (the header is line 1).
    pub line: usize,
    /// Request id.
    pub request_id: String,
    /// Date (YYYY-MM-DD).
    pub date: String,
    /// Allotment or project code.
    pub code: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Payee.
    pub payee: String,
    /// Purpose.
    pub purpose: String,
    /// Payment or refund.
    pub kind: LineKind,
}

impl PaymentLine {
    /// The treasury request this line stands for: a payment, or a refund to the allotment.
    pub fn to_request(&self) -> TreasuryRequest {
        let target = Target {
            project_id: None,
            code: Some(self.code.clone()),
        };
        match self.kind {
            LineKind::Payment => TreasuryRequest::Payment {
                request_id: self.request_id.clone(),
                target,
                amount_fen: self.amount_fen,
                payee: self.payee.clone(),
                purpose: self.purpose.clone(),
                paid_on: Some(self.date.clone()),
                reservation_request_id: None,
            },
            LineKind::Refund => TreasuryRequest::Refund {
                request_id: self.request_id.clone(),
                payment_request_id: None,
                target,
                amount_fen: self.amount_fen,
                purpose: self.purpose.clone(),
                paid_on: Some(self.date.clone()),
            },
        }
    }
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第{line}行：{message}")]
pub struct LineError {
    /// Line number.
    pub line: usize,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// The whole file could not be read (no header, not CSV).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FileError(pub String);

const COLUMNS: [(&str, &str); 7] = [
    ("request_id", "请求编号"),
    ("date", "日期"),
    ("code", "指标编码"),
    ("amount_yuan", "金额（元）"),
    ("payee", "收款人"),
    ("purpose", "用途"),
    ("type", "类型"),
];

/// Reads the file through the file intake (bounded as [`intake::TREASURY_CSV`], UTF-8 or
/// GBK/GB18030): one result per data line, in order.
pub fn read(bytes: &[u8]) -> Result<Vec<Result<PaymentLine, LineError>>, FileError> {
    let limits = intake::TREASURY_CSV;
    let text = intake::csv::decode(bytes, limits).map_err(|e| FileError(e.to_string()))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| FileError(format!("无法读取表头，{EXPECTED_HEADER}")))?
        .clone();
    let mut positions = [0usize; 7];
    for (slot, (english, chinese)) in positions.iter_mut().zip(COLUMNS) {
        *slot = headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == english || h == chinese)
            .ok_or_else(|| {
                FileError(format!("缺少“{english}”（{chinese}）列；{EXPECTED_HEADER}"))
            })?;
    }
    let mut lines = Vec::new();
    for (index, record) in reader.records().enumerate() {
        if index >= limits.lines {
            return Err(FileError(
                IntakeError::TooManyLines {
                    limit: limits.lines,
                }
                .to_string(),
            ));
        }
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(_) => {
                lines.push(Err(LineError {
                    line,
                    message: "无法读取，请检查引号是否成对".to_owned(),
                }));
                continue;
            }
        };
        let field = |n: usize| record.get(positions[n]).unwrap_or("").to_owned();
        lines.push(parse_line(
            line,
            &field(0),
            &field(1),
            &field(2),
            &field(3),
            field(4),
            field(5),
            &field(6),
        ));
    }
    Ok(lines)
}

/// The header the file should have, as told to people.
const EXPECTED_HEADER: &str = "表头应为：request_id,date,code,amount_yuan,payee,purpose,type";

#[allow(clippy::too_many_arguments)]
fn parse_line(
    line: usize,
    request_id: &str,
    date: &str,
    code: &str,
    amount: &str,
    payee: String,
    purpose: String,
    kind: &str,
) -> Result<PaymentLine, LineError> {
    let error = |message: String| LineError { line, message };
    for (label, text) in [
        ("请求编号", request_id),
        ("日期", date),
        ("指标编码", code),
        ("金额", amount),
        ("收款人", payee.as_str()),
        ("用途", purpose.as_str()),
        ("类型", kind),
    ] {
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(error(format!(
                "{label}含有控制字符（如NUL、换页符），请删除后重新导出"
            )));
        }
    }
    if request_id.is_empty() || request_id.chars().count() > 64 {
        return Err(error("请求编号应为1至64个字符".to_owned()));
    }
    if chrono_like_date(date).is_none() {
        return Err(error(format!("日期“{date}”无效，应为 YYYY-MM-DD")));
    }
    if code.is_empty() {
        return Err(error("缺少指标编码或项目编码".to_owned()));
    }
    let amount_fen = money::parse_yuan(amount).map_err(|e| error(format!("金额：{e}")))?;
    if amount_fen == 0 {
        return Err(error("金额应大于零".to_owned()));
    }
    let kind = match kind {
        "payment" | "支付" => LineKind::Payment,
        "refund" | "退款" => LineKind::Refund,
        other => {
            return Err(error(format!(
                "类型“{other}”无效，应为 payment（支付）或 refund（退款）"
            )));
        }
    };
    Ok(PaymentLine {
        line,
        request_id: request_id.to_owned(),
        date: date.to_owned(),
        code: code.to_owned(),
        amount_fen,
        payee,
        purpose,
        kind,
    })
}

/// `YYYY-MM-DD` with a real month and day.
fn chrono_like_date(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_and_bad_lines_are_told_apart_by_line() -> Result<(), FileError> {
        let csv = "request_id,date,code,amount_yuan,payee,purpose,type\n\
                   GK1,2020-06-01,ZB-112-2020-000001,\"12,345.60\",乐陵市残联,就业补贴,payment\n\
                   GK2,2020-02-30,ZB-112-2020-000001,1.00,x,y,payment\n\
                   GK3,2020-06-02,ZB-112-2020-000001,1.001,x,y,payment\n\
                   GK4,2020-06-03,112-2020-000001,100,x,多付退回,退款\n\
                   GK5,2020-06-03,112-2020-000001,100,x,y,transfer\n";
        let lines = read(csv.as_bytes())?;
        assert_eq!(lines.len(), 5);
        let first = lines[0].as_ref().map_err(|e| FileError(e.to_string()))?;
        assert_eq!(
            (first.line, first.amount_fen, first.kind),
            (2, 1_234_560, LineKind::Payment)
        );
        assert_eq!(
            lines[1].as_ref().err().map(|e| e.to_string()),
            Some("第3行：日期“2020-02-30”无效，应为 YYYY-MM-DD".to_owned())
        );
        assert!(
            lines[2]
                .as_ref()
                .err()
                .is_some_and(|e| e.message.contains("小数位数过多"))
        );
        assert_eq!(
            lines[3].as_ref().map(|l| l.kind).ok(),
            Some(LineKind::Refund)
        );
        assert!(lines[4].is_err());
        Ok(())
    }

    #[test]
    fn chinese_headers_are_read_and_a_missing_column_is_named() {
        let csv = "请求编号,日期,指标编码,金额（元）,收款人,用途,类型\nA,2020-01-01,X,1,p,q,支付\n";
        assert!(matches!(read(csv.as_bytes()).map(|l| l.len()), Ok(1)));
        let missing = read("request_id,date\n".as_bytes());
        assert!(missing.err().is_some_and(|e| e.0.contains("code")));
    }
}
