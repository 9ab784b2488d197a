//! The year's budget as a Fiscal Data Package (open data, 预算信息公开): `budget.csv` with each
//! approved project's money in the proposed, approved, adjusted and executed phases by
//! department, agency, functional and economic classification; `targets.csv` and `results.csv`
//! with the published projects' targets and results; and `datapackage.json` describing them as a
//! tabular data package with the fiscal model (measures and dimensions) of the Fiscal Data Package
//! profile. Amounts are in 元 with two decimals, written from integer fen without floats.

use crate::spreadsheet_text::csv_field;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One approved project's money by phase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetRow {
    /// Department code (administrative level 1).
    pub department_code: String,
    /// Department name.
    pub department_name: String,
    /// Agency code (administrative level 2).
    pub agency_code: String,
    /// Agency name.
    pub agency_name: String,
    /// Functional classification code.
    pub function_code: String,
    /// Economic classification code.
    pub economic_code: String,
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// Funding source.
    pub funding_source: String,
    /// Requested (proposed), fen.
    pub proposed_fen: i64,
    /// Approved, fen.
    pub approved_fen: i64,
    /// Adjusted (the allotment's limit after movements), fen.
    pub adjusted_fen: i64,
    /// Executed (paid net of refunds), fen.
    pub executed_fen: i64,
}

/// One published target indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetRow {
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标.
    pub indicator: String,
    /// Operator as users read it (≥ ≤ = 定性).
    pub operator: String,
    /// Target value.
    pub value: String,
    /// Unit.
    pub unit: String,
    /// Points in hundredths.
    pub points_x100: i64,
}

/// One published project's results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultRow {
    /// Project code.
    pub project_code: String,
    /// Project name.
    pub project_name: String,
    /// Agency name.
    pub agency_name: String,
    /// Approved, fen.
    pub approved_fen: i64,
    /// Executed, fen.
    pub executed_fen: i64,
    /// Self-evaluation score in hundredths.
    pub self_score_x100: Option<i64>,
    /// Self-evaluation grade.
    pub self_grade: Option<String>,
    /// Key evaluation score in hundredths.
    pub key_score_x100: Option<i64>,
    /// Key evaluation grade.
    pub key_grade: Option<String>,
    /// Money cut from next year's budget, fen.
    pub cut_fen: Option<i64>,
}

/// What the package is of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageInfo {
    /// Jurisdiction code (e.g. 371481).
    pub jurisdiction_code: String,
    /// Jurisdiction name (e.g. 乐陵市).
    pub jurisdiction_name: String,
    /// Budget year.
    pub year: i32,
}

/// The name of a functional classification (类级科目) code, if known.
pub fn function_name(code: &str) -> &'static str {
    match code.get(..3).unwrap_or("") {
        "201" => "一般公共服务支出",
        "203" => "国防支出",
        "204" => "公共安全支出",
        "205" => "教育支出",
        "206" => "科学技术支出",
        "207" => "文化旅游体育与传媒支出",
        "208" => "社会保障和就业支出",
        "210" => "卫生健康支出",
        "211" => "节能环保支出",
        "212" => "城乡社区支出",
        "213" => "农林水支出",
        "214" => "交通运输支出",
        "215" => "资源勘探工业信息等支出",
        "216" => "商业服务业等支出",
        "220" => "自然资源海洋气象等支出",
        "221" => "住房保障支出",
        "222" => "粮油物资储备支出",
        "224" => "灾害防治及应急管理支出",
        "229" => "其他支出",
        _ => "",
    }
}

/// Fen as 元 with two decimals (`-1234` → `-12.34`).
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn hundredths(x100: Option<i64>) -> String {
    x100.map(yuan).unwrap_or_default()
}

fn field(name: &str, kind: &str, title: &str, column_type: Option<&str>) -> Value {
    let mut field = json!({"name": name, "type": kind, "title": title});
    if let Some(column_type) = column_type {
        field["columnType"] = json!(column_type);
    }
    if kind == "number" {
        field["decimalChar"] = json!(".");
    }
    field
}

fn resource(name: &str, title: &str, fields: Vec<Value>, primary_key: &[&str]) -> Value {
    let mut schema = json!({"fields": fields});
    if !primary_key.is_empty() {
        schema["primaryKey"] = json!(primary_key);
    }
    json!({
        "name": name,
        "title": title,
        "path": format!("{name}.csv"),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    })
}

fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(file));
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row.iter().map(|field| csv_field(field).into_owned()))?;
    }
    let mut inner = writer
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    inner.flush()
}

/// The descriptor of a package (without writing anything).
pub fn descriptor(info: &PackageInfo) -> Value {
    let budget_fields = vec![
        field(
            "fiscal_year",
            "integer",
            "预算年度",
            Some("date:fiscal-year"),
        ),
        field(
            "department_code",
            "string",
            "主管部门编码",
            Some("administrative-classification:generic:level1:code"),
        ),
        field(
            "department_name",
            "string",
            "主管部门",
            Some("administrative-classification:generic:level1:label"),
        ),
        field(
            "agency_code",
            "string",
            "预算单位编码",
            Some("administrative-classification:generic:level2:code"),
        ),
        field(
            "agency_name",
            "string",
            "预算单位",
            Some("administrative-classification:generic:level2:label"),
        ),
        field(
            "function_code",
            "string",
            "支出功能分类科目编码",
            Some("functional-classification:generic:level1:code"),
        ),
        field(
            "function_name",
            "string",
            "支出功能分类科目",
            Some("functional-classification:generic:level1:label"),
        ),
        field(
            "economic_code",
            "string",
            "支出经济分类科目编码",
            Some("economic-classification:generic:level1:code"),
        ),
        field(
            "project_code",
            "string",
            "项目编码",
            Some("activity:generic:project:code"),
        ),
        field(
            "project_name",
            "string",
            "项目名称",
            Some("activity:generic:project:label"),
        ),
        field("funding_source", "string", "资金来源", None),
        field("proposed", "number", "申报金额（元）", Some("value")),
        field("approved", "number", "批复金额（元）", Some("value")),
        field("adjusted", "number", "调整后预算（元）", Some("value")),
        field("executed", "number", "执行金额（元）", Some("value")),
    ];
    let target_fields = vec![
        field("project_code", "string", "项目编码", None),
        field("project_name", "string", "项目名称", None),
        field("level1", "string", "一级指标", None),
        field("level2", "string", "二级指标", None),
        field("indicator", "string", "三级指标", None),
        field("operator", "string", "运算符", None),
        field("value", "string", "指标值", None),
        field("unit", "string", "计量单位", None),
        field("points", "number", "分值", None),
    ];
    let result_fields = vec![
        field("project_code", "string", "项目编码", None),
        field("project_name", "string", "项目名称", None),
        field("agency_name", "string", "预算单位", None),
        field("approved", "number", "批复金额（元）", None),
        field("executed", "number", "执行金额（元）", None),
        field("self_evaluation_score", "number", "自评得分", None),
        field("self_evaluation_grade", "string", "自评等级", None),
        field("key_evaluation_score", "number", "重点评价得分", None),
        field("key_evaluation_grade", "string", "重点评价等级", None),
        field("cut", "number", "结果应用压减下年预算（元）", None),
    ];
    let measure = |column: &str, phase: &str| {
        json!({
            "source": column,
            "resource": "budget",
            "currency": "CNY",
            "direction": "expenditure",
            "phase": phase,
        })
    };
    let attribute = |column: &str| json!({"source": column, "resource": "budget"});
    let year = info.year;
    json!({
        "profile": "tabular-data-package",
        "name": format!("jixiao-{}-{}-budget", info.jurisdiction_code, year),
        "title": format!("{}{}年度项目支出预算与绩效（开放数据）", info.jurisdiction_name, year),
        "description": format!(
            "{}{}年度已批复项目的申报、批复、调整和执行金额（元），按主管部门、预算单位、支出功能分类、\
             经济分类和项目；以及已公开项目的绩效目标与评价结果。由绩效（Jixiao）导出。",
            info.jurisdiction_name, year
        ),
        "countryCode": "CN",
        "granularity": "aggregated",
        "fiscalPeriod": {"start": format!("{year}-01-01"), "end": format!("{year}-12-31")},
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [
            resource("budget", "项目支出预算（按阶段）", budget_fields, &["project_code"]),
            resource("targets", "已公开项目的绩效目标", target_fields, &[]),
            resource("results", "已公开项目的绩效评价结果", result_fields, &["project_code"]),
        ],
        "model": {
            "measures": {
                "proposed": measure("proposed", "proposed"),
                "approved": measure("approved", "approved"),
                "adjusted": measure("adjusted", "adjusted"),
                "executed": measure("executed", "executed"),
            },
            "dimensions": {
                "fiscal_year": {
                    "dimensionType": "datetime",
                    "attributes": {"fiscal_year": attribute("fiscal_year")},
                    "primaryKey": "fiscal_year",
                },
                "administrative": {
                    "dimensionType": "classification",
                    "classificationType": "administrative",
                    "attributes": {
                        "department_code": attribute("department_code"),
                        "department_name": {"source": "department_name", "resource": "budget",
                                            "labelfor": "department_code"},
                        "agency_code": {"source": "agency_code", "resource": "budget",
                                        "parent": "department_code"},
                        "agency_name": {"source": "agency_name", "resource": "budget",
                                        "labelfor": "agency_code"},
                    },
                    "primaryKey": ["agency_code"],
                },
                "functional": {
                    "dimensionType": "classification",
                    "classificationType": "functional",
                    "attributes": {
                        "function_code": attribute("function_code"),
                        "function_name": {"source": "function_name", "resource": "budget",
                                          "labelfor": "function_code"},
                    },
                    "primaryKey": ["function_code"],
                },
                "economic": {
                    "dimensionType": "classification",
                    "classificationType": "economic",
                    "attributes": {"economic_code": attribute("economic_code")},
                    "primaryKey": ["economic_code"],
                },
                "project": {
                    "dimensionType": "activity",
                    "attributes": {
                        "project_code": attribute("project_code"),
                        "project_name": {"source": "project_name", "resource": "budget",
                                         "labelfor": "project_code"},
                    },
                    "primaryKey": ["project_code"],
                },
            },
        },
    })
}

/// Writes the package into `dir` (created if missing); returns the files written.
pub fn write_package(
    dir: &Path,
    info: &PackageInfo,
    budget: &[BudgetRow],
    targets: &[TargetRow],
    results: &[ResultRow],
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let year = info.year.to_string();
    let budget_rows: Vec<Vec<String>> = budget
        .iter()
        .map(|r| {
            vec![
                year.clone(),
                r.department_code.clone(),
                r.department_name.clone(),
                r.agency_code.clone(),
                r.agency_name.clone(),
                r.function_code.clone(),
                function_name(&r.function_code).to_owned(),
                r.economic_code.clone(),
                r.project_code.clone(),
                r.project_name.clone(),
                r.funding_source.clone(),
                yuan(r.proposed_fen),
                yuan(r.approved_fen),
                yuan(r.adjusted_fen),
                yuan(r.executed_fen),
            ]
        })
        .collect();
    let target_rows: Vec<Vec<String>> = targets
        .iter()
        .map(|t| {
            vec![
                t.project_code.clone(),
                t.project_name.clone(),
                t.level1.clone(),
                t.level2.clone(),
                t.indicator.clone(),
                t.operator.clone(),
                t.value.clone(),
                t.unit.clone(),
                yuan(t.points_x100),
            ]
        })
        .collect();
    let result_rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            vec![
                r.project_code.clone(),
                r.project_name.clone(),
                r.agency_name.clone(),
                yuan(r.approved_fen),
                yuan(r.executed_fen),
                hundredths(r.self_score_x100),
                r.self_grade.clone().unwrap_or_default(),
                hundredths(r.key_score_x100),
                r.key_grade.clone().unwrap_or_default(),
                r.cut_fen.map(yuan).unwrap_or_default(),
            ]
        })
        .collect();
    let descriptor = descriptor(info);
    let mut written = Vec::new();
    let resources = descriptor["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (resource, rows) in resources
        .iter()
        .zip([&budget_rows, &target_rows, &result_rows])
    {
        let header: Vec<&str> = resource["schema"]["fields"]
            .as_array()
            .map(|fields| fields.iter().filter_map(|f| f["name"].as_str()).collect())
            .unwrap_or_default();
        let path = dir.join(resource["path"].as_str().unwrap_or("data.csv"));
        write_csv(&path, &header, rows)?;
        written.push(path);
    }
    let path = dir.join("datapackage.json");
    let text = serde_json::to_string_pretty(&descriptor).map_err(std::io::Error::other)?;
    std::fs::write(&path, text + "\n")?;
    written.push(path);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_from_fen_without_floats() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(123_456), "1234.56");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn functions_are_named_by_their_class() {
        assert_eq!(function_name("208"), "社会保障和就业支出");
        assert_eq!(function_name("2130504"), "农林水支出");
        assert_eq!(function_name(""), "");
    }
}
