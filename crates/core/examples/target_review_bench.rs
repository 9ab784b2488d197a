//! Micro benchmark of the target review alone (no database): a year of 100,000 sheets with
//! 1,000,000 indicators written as counties write them, some sound, some poor. Run with
//! `cargo run --release -p jixiao-core --example target_review_bench`.

use jixiao_core::indicator_library::TEMPLATES;
use jixiao_core::rulebook::Rulebook;
use jixiao_core::target_review::{IndicatorUnderReview, Reviewer, SheetUnderReview};
use std::time::Instant;

const POOR: [(&str, &str, &str, &str); 6] = [
    ("效益指标", "社会效益指标", "群众生活水平", "明显提高"),
    ("效益指标", "社会效益指标", "维护社会稳定", "≥95%"),
    ("产出指标", "数量指标", "购置救护车", "10辆"),
    ("产出指标", "数量指标", "培训人数", ">=180"),
    ("产出指标", "质量指标", "验收合格率", "≥100%"),
    ("产出指标", "数量指标", "指标1：培训人数", "≥**人"),
];

fn sheet(index: usize) -> SheetUnderReview {
    let template = &TEMPLATES[index % TEMPLATES.len()];
    let mut indicators: Vec<IndicatorUnderReview> = template
        .rows()
        .into_iter()
        .map(|r| IndicatorUnderReview {
            value: format!(
                "{}{}{}",
                r.op.replace(">=", "≥")
                    .replace("<=", "≤")
                    .replace("qualitative", ""),
                r.value,
                r.unit
            ),
            level1: r.level1,
            level2: r.level2,
            name: r.name,
            points_x100: jixiao_core::target::parse_points(&r.points),
            op: None,
            unit: None,
        })
        .collect();
    while indicators.len() < 10 {
        let (level1, level2, name, value) = POOR[(index + indicators.len()) % POOR.len()];
        indicators.push(IndicatorUnderReview {
            level1: level1.into(),
            level2: level2.into(),
            name: name.into(),
            value: value.into(),
            ..IndicatorUnderReview::default()
        });
    }
    SheetUnderReview {
        year: 2020,
        amount_fen: Some(50_000_000),
        amount_approved: false,
        project_name: format!("2020年{}项目{index}", template.name),
        overall_goal: format!("通过实施{}项目，到2022年完成建设任务", template.name),
        annual_goal: "2020年完成年度任务的100%，受益群众满意度≥90%".into(),
        indicators,
        ..SheetUnderReview::default()
    }
}

/// Time this thread has spent on a CPU (Linux), so that a busy machine does not inflate the
/// figure; `None` elsewhere.
fn cpu_time() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(nanos))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rulebook = Rulebook::national_default()?;
    let started = Instant::now();
    let reviewer = Reviewer::new(&rulebook)?;
    let compiled = started.elapsed();
    let sheets: Vec<SheetUnderReview> = (0..100_000).map(sheet).collect();
    let indicators: usize = sheets.iter().map(|s| s.indicators.len()).sum();
    let started = Instant::now();
    let cpu_started = cpu_time();
    let findings: usize = sheets.iter().map(|s| reviewer.review(s).len()).sum();
    let elapsed = started.elapsed();
    let cpu = cpu_time().zip(cpu_started).map(|(end, start)| end - start);
    println!("compiled the rulebook's lists in {compiled:?}");
    println!(
        "reviewed {} sheets, {indicators} indicators in {elapsed:?} wall, {cpu:?} on the CPU \
         ({:.2} µs of CPU per indicator), {findings} findings",
        sheets.len(),
        cpu.unwrap_or(elapsed).as_secs_f64() * 1e6 / indicators as f64
    );
    Ok(())
}
