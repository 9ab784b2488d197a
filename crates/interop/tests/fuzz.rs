//! Fuzzing every intake with proptest (no nightly toolchain for `cargo fuzz` here): arbitrary
//! bytes, and workbooks from the corpus in `tests/corpus/` mutated inside their XML parts with
//! the tokens that broke readers before (cells at the grid's end, absurd counts, reversed ranges,
//! huge shared-formula indices) and rezipped. The property: every input is read or refused —
//! never a panic, never an abort. `cargo test` runs a few cases per target;
//! `JIXIAO_FUZZ_CASES=N` runs N (the long local run in docs/security.md).

use jixiao_core::rulebook::Rulebook;
use jixiao_core::scoring::ScoringRules;
use jixiao_interop::intake::{self, samples};
use jixiao_interop::self_evaluation_xlsx::read_table;
use jixiao_interop::target_sheet_xlsx::read_workbook;
use jixiao_interop::treasury_csv;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::Path;
use std::sync::OnceLock;

/// Text spliced into XML parts: the shapes that once took readers down.
const TOKENS: [&str; 24] = [
    r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
    r#"<row r="4294967295"><c r="A4294967295"><v>1</v></c></row>"#,
    r#"<row r="4294967297"><c r="A4294967297"><v>1</v></c></row>"#,
    r#"<c r="AAAAAAAAAAAAAAAAAAAA1"><v>1</v></c>"#,
    r#"<c r="A1" t="s"><v>999999999</v></c>"#,
    r#"<c r="B10" t="s"><v>-1</v></c>"#,
    r#"<c r="C10"><f t="shared" si="99999999999999" ref="C10:C11">1+1</f><v>2</v></c>"#,
    r#"<c r="C11"><f t="shared" si="99999999999999"/><v>2</v></c>"#,
    r#"<c r="D10" t="e"><v>#DIV/0!</v></c>"#,
    r#"<c r="E10" t="d"><v>not a date</v></c>"#,
    r#"<c r="F10" t="b"><v>7</v></c>"#,
    r#"<c r="G10"><v>1e308</v></c>"#,
    r#"<c r="G11"><v>NaN</v></c>"#,
    r#"<c r="A12" t="inlineStr"><is><t>总分</t></is></c>"#,
    r#"<mergeCells count="1"><mergeCell ref="B2:A1"/></mergeCells>"#,
    r#"<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>"#,
    r#"<dimension ref="A1:XFD1048576"/>"#,
    r#"<dimension ref="Z9:A1"/>"#,
    r#"uniqueCount="99999999999999999999""#,
    r#"count="4294967296""#,
    r#"<si><t>项目名称</t></si>"#,
    "<![CDATA[",
    "&#0;&#xFFFF;&unknown;",
    "</sheetData>",
];

fn cases() -> u32 {
    std::env::var("JIXIAO_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

fn corpus(kind: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(kind);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    assert!(!seeds.is_empty(), "the corpus in {} is kept", dir.display());
    seeds
}

fn workbooks() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| corpus("xlsx"))
}

fn rules() -> &'static ScoringRules {
    static RULES: OnceLock<ScoringRules> = OnceLock::new();
    RULES.get_or_init(|| {
        Rulebook::national_default()
            .expect("the shipped rulebook")
            .self_evaluation
    })
}

fn variants() -> &'static [jixiao_interop::self_evaluation_xlsx::Variant] {
    static VARIANTS: OnceLock<Vec<jixiao_interop::self_evaluation_xlsx::Variant>> = OnceLock::new();
    VARIANTS.get_or_init(jixiao_interop::self_evaluation_xlsx::Variant::shipped)
}

/// One edit of one part: where, and what is spliced in.
#[derive(Debug, Clone)]
struct Edit {
    part: usize,
    at: usize,
    cut: usize,
    token: Option<usize>,
    bytes: Vec<u8>,
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        any::<usize>(),
        any::<usize>(),
        0usize..64,
        proptest::option::of(0..TOKENS.len()),
        vec(any::<u8>(), 0..16),
    )
        .prop_map(|(part, at, cut, token, bytes)| Edit {
            part,
            at,
            cut,
            token,
            bytes,
        })
}

/// A corpus workbook with its XML parts edited and rezipped, or (sometimes) its raw bytes edited.
fn mutated_workbook() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<usize>(),
        vec(edit(), 1..5),
        any::<bool>(),
        vec((any::<usize>(), any::<u8>()), 0..4),
    )
        .prop_map(|(seed, edits, rezip, flips)| {
            let seeds = workbooks();
            let base = &seeds[seed % seeds.len()];
            let mut bytes = if rezip {
                apply(base, &edits).unwrap_or_else(|_| base.clone())
            } else {
                base.clone()
            };
            for (at, value) in flips {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = value;
                }
            }
            bytes
        })
}

fn apply(base: &[u8], edits: &[Edit]) -> samples::SampleResult {
    let parts = zip::ZipArchive::new(std::io::Cursor::new(base))?.len();
    let mut index = 0;
    samples::rewrite(
        base,
        |_, mut content| {
            for edit in edits.iter().filter(|e| e.part % parts.max(1) == index) {
                let at = edit.at % (content.len() + 1);
                let end = (at + edit.cut).min(content.len());
                let insert = match edit.token {
                    Some(t) => TOKENS[t].as_bytes().to_vec(),
                    None => edit.bytes.clone(),
                };
                content.splice(at..end, insert);
            }
            index += 1;
            content
        },
        |_| Ok(()),
    )
}

/// Arbitrary bytes, half of them dressed as a zip.
fn raw_bytes() -> impl Strategy<Value = Vec<u8>> {
    (any::<bool>(), vec(any::<u8>(), 0..2048)).prop_map(|(zip, mut bytes)| {
        if zip {
            let mut dressed = b"PK\x03\x04".to_vec();
            dressed.append(&mut bytes);
            dressed
        } else {
            bytes
        }
    })
}

fn any_workbook() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![1 => raw_bytes(), 4 => mutated_workbook()]
}

fn run(strategy: impl Strategy<Value = Vec<u8>>, target: impl Fn(&[u8])) {
    let outcome = runner().run(&strategy, |bytes| {
        target(&bytes);
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

#[test]
fn fuzz_the_generic_workbook_intake() {
    run(any_workbook(), |bytes| {
        if let Ok(mut workbook) = intake::xlsx::open(bytes, intake::TARGET_SHEET) {
            for name in workbook.sheet_names() {
                let _ = workbook.sheet(&name);
                let _ = workbook.cell(&name, (0, 0));
            }
        }
    });
}

#[test]
fn fuzz_the_target_sheet_upload() {
    run(any_workbook(), |bytes| {
        let _ = read_workbook(bytes, 20 * 1024 * 1024);
    });
}

#[test]
fn fuzz_the_self_evaluation_table() {
    run(any_workbook(), |bytes| {
        if let Ok(table) = read_table(bytes, rules()) {
            let _ = jixiao_interop::self_evaluation_xlsx::compare(&table, rules(), "fuzz");
            // The lenient import with its choice of variant must not panic either.
            let shipped = variants();
            let _ = jixiao_interop::self_evaluation_xlsx::import(bytes, &shipped[0], shipped);
        }
    });
}

#[test]
fn fuzz_the_treasury_csv() {
    let seeds = corpus("csv");
    let mutated = (
        any::<usize>(),
        vec((any::<usize>(), 0usize..8, vec(any::<u8>(), 0..8)), 0..6),
    )
        .prop_map(move |(seed, edits)| {
            let mut bytes = seeds[seed % seeds.len()].clone();
            for (at, cut, insert) in edits {
                let at = at % (bytes.len() + 1);
                let end = (at + cut).min(bytes.len());
                bytes.splice(at..end, insert);
            }
            bytes
        });
    run(prop_oneof![vec(any::<u8>(), 0..1024), mutated], |bytes| {
        if let Ok(lines) = treasury_csv::read(bytes) {
            for line in lines.iter().flatten() {
                let _ = line.to_request();
            }
        }
    });
}
