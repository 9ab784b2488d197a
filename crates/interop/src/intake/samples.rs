//! Hostile workbooks for tests, fuzzing and benchmarks: a genuine workbook
//! rewritten with a cell at the sheet's last position, a million rows, a zip bomb, a thousand
//! extra parts or an absurd shared-strings count — the files that once took the server down.
//! Never used on a request path.

use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;

/// What went wrong building a sample (only a broken base workbook).
pub type SampleResult = Result<Vec<u8>, zip::result::ZipError>;

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
}

/// Copies `base`, passing every part through `edit` (name, content → content), then appends
/// the parts `extra` writes.
pub fn rewrite(
    base: &[u8],
    mut edit: impl FnMut(&str, Vec<u8>) -> Vec<u8>,
    extra: impl FnOnce(&mut zip::ZipWriter<Cursor<Vec<u8>>>) -> zip::result::ZipResult<()>,
) -> SampleResult {
    let mut archive = zip::ZipArchive::new(Cursor::new(base))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut part = archive.by_index(index)?;
        let name = part.name()?.into_owned();
        let mut content = Vec::new();
        part.read_to_end(&mut content)?;
        out.start_file(name.as_str(), options())?;
        out.write_all(&edit(&name, content))?;
    }
    extra(&mut out)?;
    Ok(out.finish()?.into_inner())
}

/// Inserts `xml` at the end of `<sheetData>` of the worksheet part `part` (e.g.
/// `xl/worksheets/sheet1.xml`) and declares `dimension` as its range.
pub fn append_to_sheet(base: &[u8], part: &str, xml: &str, dimension: &str) -> SampleResult {
    rewrite(
        base,
        |name, content| {
            if name != part {
                return content;
            }
            let text = String::from_utf8_lossy(&content).into_owned();
            let text = match (text.find("<dimension ref=\""), text.find("<sheetViews")) {
                (Some(start), _) => {
                    let end = text[start..].find("/>").map_or(start, |e| start + e + 2);
                    format!(
                        "{}<dimension ref=\"{dimension}\"/>{}",
                        &text[..start],
                        &text[end..]
                    )
                }
                (None, _) => text,
            };
            let text = if text.contains("<sheetData/>") {
                text.replace("<sheetData/>", &format!("<sheetData>{xml}</sheetData>"))
            } else {
                text.replace("</sheetData>", &format!("{xml}</sheetData>"))
            };
            text.into_bytes()
        },
        |_| Ok(()),
    )
}

/// One text cell at `cell` (e.g. `XFD1048576`) in row `row` (as Excel counts), appended to the
/// worksheet `part`, with the sheet declaring the whole grid as its range.
pub fn with_cell_at(base: &[u8], part: &str, cell: &str, row: u64) -> SampleResult {
    append_to_sheet(
        base,
        part,
        &format!("<row r=\"{row}\"><c r=\"{cell}\" t=\"inlineStr\"><is><t>x</t></is></c></row>"),
        &format!("A1:{cell}"),
    )
}

/// `rows` rows of one number each, appended to the worksheet `part` after row `after` (the
/// first numbered, the others following it unnumbered, as the format allows).
pub fn with_rows(base: &[u8], part: &str, after: u64, rows: u64) -> SampleResult {
    let first = after + 1;
    let mut xml = format!("<row r=\"{first}\"><c r=\"A{first}\"><v>1</v></c></row>");
    for _ in 1..rows {
        xml.push_str("<row><c><v>1</v></c></row>");
    }
    append_to_sheet(base, part, &xml, &format!("A1:J{}", after + rows))
}

/// An extra part decompressing to `bytes` zeros: a zip bomb.
pub fn with_bomb(base: &[u8], bytes: u64) -> SampleResult {
    let archive = zip::ZipArchive::new(Cursor::new(base))?;
    let taken = archive
        .file_names()
        .filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("xl/media/")))
        .count();
    let name = format!("xl/media/image{}.bin", taken + 1);
    rewrite(
        base,
        |_, content| content,
        |out| {
            out.start_file(name, options())?;
            let chunk = vec![0u8; 1 << 20];
            let mut left = bytes;
            while left > 0 {
                let n = usize::try_from(left.min(1 << 20)).unwrap_or(1 << 20);
                out.write_all(&chunk[..n])?;
                left -= u64::try_from(n).unwrap_or(left);
            }
            Ok(())
        },
    )
}

/// `count` extra (tiny) parts.
pub fn with_parts(base: &[u8], count: usize) -> SampleResult {
    rewrite(
        base,
        |_, content| content,
        |out| {
            for n in 0..count {
                out.start_file(format!("customXml/item{n}.xml"), options())?;
                out.write_all(b"<a/>")?;
            }
            Ok(())
        },
    )
}

/// The shared-strings table declaring `count` distinct texts (calamine reserves room for them).
pub fn with_declared_strings(base: &[u8], count: &str) -> SampleResult {
    rewrite(
        base,
        |name, content| {
            if !name.ends_with("sharedStrings.xml") {
                return content;
            }
            let text = String::from_utf8_lossy(&content).into_owned();
            let Some(at) = text.find("uniqueCount=\"") else {
                return content;
            };
            let start = at + "uniqueCount=\"".len();
            let end = text[start..].find('"').map_or(start, |e| start + e);
            format!("{}{count}{}", &text[..start], &text[end..]).into_bytes()
        },
        |_| Ok(()),
    )
}
