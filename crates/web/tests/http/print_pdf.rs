//! Every printable form printed to PDF by headless Chromium from the real server with the demo
//! (decision 0037): each is on A4 in its orientation, on the expected number of pages, with
//! nothing clipped. "Clipped" is checked twice: in the DOM laid out for print at the page's width
//! (no element ends past the right margin, no element's content is wider than its box), and in
//! the PDF (every character of the page's visible text is in the text `pdftotext` reads back, a
//! repeated header only adding to it). Skipped when Chromium or poppler-utils is missing, unless
//! JIXIAO_REQUIRE_CHROMIUM=1 (CI sets it). JIXIAO_PRINT_DIR=DIR keeps the PDFs there;
//! JIXIAO_WRITE_DOCS=1 renders the printed self-evaluation into docs/screenshots/.

use crate::chromium::{self, Chromium, find_program};
use crate::support::{TestApp, TestResult, project_named};
use jixiao_store::demo::DEMO_PASSWORD;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A printable page, who prints it, and how it must come out.
struct Form {
    name: &'static str,
    user: &'static str,
    path: String,
    landscape: bool,
    pages: u32,
}

/// What a printed form measured.
struct Printed {
    pages: u32,
    landscape: bool,
    problems: Vec<String>,
    missing: String,
    pdf: Vec<u8>,
}

/// The width of an A4 page's printable area in CSS pixels, at the margins of app.css.
fn content_width(landscape: bool) -> u32 {
    // 96 px to the inch: portrait 210 mm − 2 × 15 mm, landscape 297 mm − 2 × 12 mm.
    if landscape { 1031 } else { 680 }
}

/// The layout check run in the page as printed: elements past the right margin, elements whose
/// content is wider than their box, and the text a reader sees.
const LAYOUT_CHECK: &str = r#"(() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const name = el => el.tagName.toLowerCase() + ' «' + (el.innerText || el.textContent || '').trim().slice(0, 24) + '»';
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push('the page is ' + document.documentElement.scrollWidth + 'px wide for ' + width);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getClientRects().length === 0) continue;
    const box = el.getBoundingClientRect();
    if (box.right > width + 1) problems.push(name(el) + ' ends at ' + Math.round(box.right) + 'px of ' + width);
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      problems.push(name(el) + ' holds ' + el.scrollWidth + 'px in ' + el.clientWidth);
    }
  }
  return { problems, text: document.body.innerText };
})()"#;

/// The tools, or None (the test skips) when one is missing and they are not required.
fn tools() -> Result<Option<PathBuf>, Box<dyn std::error::Error>> {
    let chromium = find_program(&["chromium", "chromium-browser"]);
    let poppler = find_program(&["pdftotext"]).and(find_program(&["pdfinfo"]));
    match (chromium, poppler) {
        (Some(chromium), Some(_)) => Ok(Some(chromium)),
        _ if std::env::var("JIXIAO_REQUIRE_CHROMIUM").as_deref() == Ok("1") => {
            Err("JIXIAO_REQUIRE_CHROMIUM=1 but chromium or poppler-utils is missing".into())
        }
        _ => {
            eprintln!("print test skipped: chromium or poppler-utils (pdftotext) is not installed");
            Ok(None)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_printable_form_fits_a4_repeats_its_header_and_clips_nothing() -> TestResult {
    let Some(program) = tools()? else {
        return Ok(());
    };
    let app = TestApp::start_full().await?;
    let token = app.token("finance").await?;
    let target = project_named(&app, &token, 2020, "2020年残疾人就业帮扶").await?;
    let self_evaluated = project_named(&app, &token, 2019, "2019年农业综合开发").await?;
    let monitored = project_named(&app, &token, 2020, "2020年妇幼健康服务").await?;
    let (_, rounds) = crate::support::call(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/v1/monitoring-rounds",
        None,
    )
    .await?;
    let round = rounds[0]["id"].as_i64().ok_or("round")?;
    let (_, evaluations) = crate::support::call(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/v1/evaluations",
        None,
    )
    .await?;
    let evaluation = evaluations
        .as_array()
        .ok_or("evaluations")?
        .iter()
        .find(|e| e["project_name"] == "2019年公岗扶贫")
        .and_then(|e| e["id"].as_i64())
        .ok_or("公岗扶贫")?;
    let helper = app.signed_in("bangfu").await?;
    let (_, list) = helper.get("/households").await?;
    let household = first_id(&list, "href=\"/households/").ok_or("no household")?;

    let forms = vec![
        Form {
            name: "项目支出绩效目标申报表",
            user: "finance",
            path: format!("/projects/{target}/target/print"),
            landscape: false,
            pages: 2,
        },
        Form {
            name: "项目支出绩效自评表",
            user: "finance",
            path: format!("/projects/{self_evaluated}/self-evaluation/print"),
            landscape: false,
            pages: 2,
        },
        Form {
            name: "项目支出绩效运行监控表",
            user: "finance",
            path: format!("/monitoring/{round}/reports/{monitored}/print"),
            landscape: true,
            // Eight indicators: the last two go with the seal block onto the second page.
            pages: 2,
        },
        Form {
            name: "重点绩效评价结果报告摘要",
            user: "finance",
            path: format!("/evaluations/{evaluation}/print"),
            landscape: false,
            pages: 2,
        },
        Form {
            name: "预算绩效评价结果通报",
            user: "finance",
            path: "/evaluation/bulletin?year=2019".to_owned(),
            landscape: false,
            // 109 projects graded 中 or 差 are listed.
            pages: 8,
        },
        Form {
            name: "预算绩效信息公开",
            user: "finance",
            path: "/public".to_owned(),
            landscape: false,
            pages: 1,
        },
        Form {
            name: "帮扶对象户信息表",
            user: "bangfu",
            path: format!("/households/{household}/print"),
            landscape: false,
            pages: 1,
        },
    ];
    let base = app.base.clone();
    let (forms, printed) = tokio::task::spawn_blocking(move || {
        print_all(&program, &base, &forms).map(|printed| (forms, printed))
    })
    .await?
    .map_err(|e| e.to_string())?;

    let mut failures = Vec::new();
    for (form, printed) in forms.iter().zip(&printed) {
        eprintln!(
            "{}: {} page(s), {}",
            form.name,
            printed.pages,
            if printed.landscape {
                "landscape"
            } else {
                "portrait"
            }
        );
        if printed.pages != form.pages {
            failures.push(format!(
                "{}: {} pages, expected {}",
                form.name, printed.pages, form.pages
            ));
        }
        if printed.landscape != form.landscape {
            failures.push(format!("{}: wrong orientation", form.name));
        }
        for problem in &printed.problems {
            failures.push(format!("{}: {problem}", form.name));
        }
        if !printed.missing.is_empty() {
            failures.push(format!(
                "{}: not in the PDF: {}",
                form.name, printed.missing
            ));
        }
        if form.name == "项目支出绩效自评表" && std::env::var_os("JIXIAO_WRITE_DOCS").is_some()
        {
            write_screenshots(&printed.pdf, printed.pages)?;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

/// The first number right after `marker` in `html`.
fn first_id(html: &str, marker: &str) -> Option<i64> {
    html.split(marker).skip(1).find_map(|rest| {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// Prints every form in one browser, signing in again when the user changes.
fn print_all(program: &Path, base: &str, forms: &[Form]) -> Result<Vec<Printed>, chromium::Error> {
    let mut browser = Chromium::start(program)?;
    let dir = tempfile::tempdir()?;
    let mut user = "";
    let mut out = Vec::new();
    for form in forms {
        if form.user != user {
            browser.sign_in(base, form.user, DEMO_PASSWORD)?;
            user = form.user;
        }
        let url = format!("{base}{}", form.path);
        browser.open(&url)?;
        let layout = browser.eval_as_printed(content_width(form.landscape), LAYOUT_CHECK)?;
        let pdf = browser.print_to_pdf()?;
        let file = dir.path().join("form.pdf");
        std::fs::write(&file, &pdf)?;
        // JIXIAO_PRINT_DIR=DIR keeps every PDF for a person to look at.
        if let Some(keep) = std::env::var_os("JIXIAO_PRINT_DIR") {
            std::fs::write(Path::new(&keep).join(format!("{}.pdf", form.name)), &pdf)?;
        }
        let (pages, landscape) = pdf_info(&file)?;
        let text = run("pdftotext", &[file.as_os_str(), "-".as_ref()])?;
        let shown = layout["text"].as_str().unwrap_or_default();
        out.push(Printed {
            pages,
            landscape,
            problems: layout["problems"]
                .as_array()
                .map(|all| {
                    all.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            missing: missing_characters(shown, &text),
            pdf,
        });
    }
    Ok(out)
}

/// The pages of a PDF and whether they are landscape (`pdfinfo`).
fn pdf_info(file: &Path) -> Result<(u32, bool), chromium::Error> {
    let info = run("pdfinfo", &[file.as_os_str()])?;
    let field = |name: &str| {
        info.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    let pages = field("Pages:").parse()?;
    // "Page size:      841.92 x 594.96 pts (A4)"
    let size = field("Page size:");
    let mut numbers = size
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok());
    let (width, height) = (numbers.next().unwrap_or(0.0), numbers.next().unwrap_or(0.0));
    if !size.contains("A4") {
        return Err(format!("not A4: {size}").into());
    }
    Ok((pages, width > height))
}

/// Runs a poppler tool and returns what it printed.
fn run(program: &str, args: &[&std::ffi::OsStr]) -> Result<String, chromium::Error> {
    let output = Command::new(program).args(args).output()?;
    if !output.status.success() {
        return Err(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// The characters of `shown` (the page's visible text) that the PDF's text has fewer of, with
/// how many are missing: empty when nothing was clipped.
fn missing_characters(shown: &str, pdf_text: &str) -> String {
    let count = |text: &str| {
        let mut counts: HashMap<char, usize> = HashMap::new();
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            *counts.entry(c).or_default() += 1;
        }
        counts
    };
    let in_pdf = count(pdf_text);
    let mut missing: Vec<(char, usize)> = count(shown)
        .into_iter()
        .filter_map(|(c, n)| {
            let found = in_pdf.get(&c).copied().unwrap_or(0);
            (found < n).then(|| (c, n - found))
        })
        .collect();
    missing.sort();
    missing
        .iter()
        .map(|(c, n)| format!("{c}×{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// docs/screenshots/print-self-evaluation.png (and -2.png for its second page): the printed
/// self-evaluation as the PDF shows it.
fn write_screenshots(pdf: &[u8], pages: u32) -> Result<(), Box<dyn std::error::Error>> {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("self-evaluation.pdf");
    std::fs::write(&file, pdf)?;
    for page in 1..=pages.min(2) {
        let name = if page == 1 {
            "print-self-evaluation".to_owned()
        } else {
            format!("print-self-evaluation-{page}")
        };
        let page = page.to_string();
        let status = Command::new("pdftoppm")
            .args(["-png", "-r", "110", "-singlefile", "-f", &page, "-l", &page])
            .arg(&file)
            .arg(docs.join(name))
            .status()?;
        assert!(status.success(), "pdftoppm");
    }
    Ok(())
}
