//! Workbooks in: the zip is inspected before calamine sees it (parts counted; every part really
//! decompressed through a counting reader that stops at the limit, whatever sizes the archive
//! declares; the shared-strings table's declared count checked, since calamine reserves memory
//! for it), then each worksheet is read cell by cell — only cells that are present, never the
//! rectangle the sheet declares — refusing a cell with content outside the form's rows and
//! columns. A panic inside the spreadsheet library becomes a refusal of the file.

use super::{IntakeError, XlsxLimits, cell_name, check_size};
use calamine::{Cell, Data, Dimensions, Range, Reader, Xlsx, XlsxFormulaMetadata};
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// How much of the shared-strings part is searched for its opening tag.
const SHARED_STRINGS_HEAD: usize = 64 * 1024;

/// One worksheet as read: its values, its formulas and its merged regions.
#[derive(Debug, Clone)]
pub struct SheetCells {
    /// Worksheet name.
    pub name: String,
    /// The cells present, in the smallest rectangle holding them (absolute positions).
    pub values: Range<Data>,
    /// Cells holding a formula, with its text (a shared formula's derived cells carry the
    /// anchor's text).
    pub formulas: Vec<((u32, u32), String)>,
    /// Merged regions.
    pub merges: Vec<Dimensions>,
}

/// A workbook that passed the zip inspection, ready to be read sheet by sheet.
pub struct Workbook<'a> {
    inner: Xlsx<Cursor<&'a [u8]>>,
    limits: XlsxLimits,
}

impl std::fmt::Debug for Workbook<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbook")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Runs `read`, turning a panic of the spreadsheet library into a refusal.
fn guarded<T>(read: impl FnOnce() -> Result<T, IntakeError>) -> Result<T, IntakeError> {
    catch_unwind(AssertUnwindSafe(read)).unwrap_or(Err(IntakeError::Unreadable))
}

/// Inspects `bytes` as a workbook of the form bounded by `limits` and opens it.
pub fn open(bytes: &[u8], limits: XlsxLimits) -> Result<Workbook<'_>, IntakeError> {
    inspect(bytes, &limits)?;
    let inner = guarded(|| {
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| match e {
            calamine::XlsxError::Password => IntakeError::Encrypted,
            _ => IntakeError::NotXlsx,
        })
    })?;
    let workbook = Workbook { inner, limits };
    if workbook.inner.sheet_names().len() > limits.sheets {
        return Err(IntakeError::TooManySheets {
            limit: limits.sheets,
        });
    }
    Ok(workbook)
}

impl Workbook<'_> {
    /// The worksheet names, in order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.inner.sheet_names()
    }

    /// The value of the cell at `position`, reading no further than its row.
    pub fn cell(&mut self, sheet: &str, position: (u32, u32)) -> Result<Data, IntakeError> {
        guarded(|| {
            let mut cells = self
                .inner
                .worksheet_cells_reader(sheet)
                .map_err(|_| IntakeError::Unreadable)?;
            while let Some(cell) = cells.next_cell().map_err(|_| IntakeError::Unreadable)? {
                let at = cell.get_position();
                if at == position {
                    return Ok(Data::from(cell.get_value().clone()));
                }
                if at.0 > position.0 {
                    break;
                }
            }
            Ok(Data::Empty)
        })
    }

    /// Reads one worksheet row by row without holding it whole: `visit` gets each row's present
    /// cells as (column, value), in order; a cell with content outside the form's rows and columns
    /// is refused. For long lists (a county's person export), where a rectangle would not fit.
    pub fn each_row(
        &mut self,
        name: &str,
        mut visit: impl FnMut(u32, &[(u32, Data)]),
    ) -> Result<(), IntakeError> {
        let limits = self.limits;
        guarded(|| {
            let mut reader = self
                .inner
                .worksheet_cells_reader(name)
                .map_err(|_| IntakeError::Unreadable)?;
            let mut current: Option<u32> = None;
            let mut cells: Vec<(u32, Data)> = Vec::new();
            while let Some(cell) = reader.next_cell().map_err(|_| IntakeError::Unreadable)? {
                let (row, col) = cell.get_position();
                let value = Data::from(cell.get_value().clone());
                if value == Data::Empty {
                    continue;
                }
                if row >= limits.rows {
                    return Err(IntakeError::TooManyRows {
                        sheet: name.to_owned(),
                        limit: limits.rows,
                        cell: cell_name(row, col),
                    });
                }
                if col >= limits.columns {
                    return Err(IntakeError::TooManyColumns {
                        sheet: name.to_owned(),
                        limit: limits.columns,
                        cell: cell_name(row, col),
                    });
                }
                if current != Some(row) {
                    if let Some(done) = current {
                        visit(done, &cells);
                    }
                    cells.clear();
                    current = Some(row);
                }
                cells.push((col, value));
            }
            if let Some(done) = current {
                visit(done, &cells);
            }
            Ok(())
        })
    }

    /// Reads one worksheet: every present cell within the form's rows and columns, or a refusal
    /// naming the first cell with content outside them.
    pub fn sheet(&mut self, name: &str) -> Result<SheetCells, IntakeError> {
        let limits = self.limits;
        guarded(|| {
            let mut cells = Vec::new();
            let mut formulas = Vec::new();
            let mut anchors: HashMap<usize, String> = HashMap::new();
            {
                let mut reader = self
                    .inner
                    .worksheet_cells_reader(name)
                    .map_err(|_| IntakeError::Unreadable)?;
                while let Some(record) = reader
                    .next_cell_with_formula_metadata()
                    .map_err(|_| IntakeError::Unreadable)?
                {
                    let (row, col) = record.pos;
                    let value = Data::from(record.value);
                    if value == Data::Empty && record.formula.is_none() {
                        continue;
                    }
                    if row >= limits.rows {
                        return Err(IntakeError::TooManyRows {
                            sheet: name.to_owned(),
                            limit: limits.rows,
                            cell: cell_name(row, col),
                        });
                    }
                    if col >= limits.columns {
                        return Err(IntakeError::TooManyColumns {
                            sheet: name.to_owned(),
                            limit: limits.columns,
                            cell: cell_name(row, col),
                        });
                    }
                    match record.formula {
                        Some(XlsxFormulaMetadata::Normal { formula }) => {
                            formulas.push(((row, col), formula));
                        }
                        Some(XlsxFormulaMetadata::Shared {
                            shared_index,
                            formula,
                            ..
                        }) => {
                            anchors.insert(shared_index, formula.clone());
                            formulas.push(((row, col), formula));
                        }
                        Some(XlsxFormulaMetadata::SharedDerived { shared_index }) => {
                            let text = anchors.get(&shared_index).cloned().unwrap_or_default();
                            formulas.push(((row, col), text));
                        }
                        Some(_) | None => {}
                    }
                    if value != Data::Empty {
                        cells.push(Cell::new((row, col), value));
                    }
                }
            }
            let merges = self
                .inner
                .merge_cells_by_sheet_name(name)
                .map_err(|_| IntakeError::Unreadable)?;
            if merges.len() > limits.merges {
                return Err(IntakeError::TooManyMerges {
                    sheet: name.to_owned(),
                    limit: limits.merges,
                });
            }
            let merges = merges
                .into_iter()
                .filter(|m| m.start.0 <= m.end.0 && m.start.1 <= m.end.1)
                .map(|m| Dimensions {
                    start: m.start,
                    end: (
                        m.end.0.min(limits.rows.saturating_sub(1)),
                        m.end.1.min(limits.columns.saturating_sub(1)),
                    ),
                })
                .filter(|m| m.start.0 <= m.end.0 && m.start.1 <= m.end.1)
                .collect();
            Ok(SheetCells {
                name: name.to_owned(),
                values: Range::from_sparse(cells),
                formulas,
                merges,
            })
        })
    }
}

/// The zip inspection: the file's size, its kind, its parts and what they decompress to.
fn inspect(bytes: &[u8], limits: &XlsxLimits) -> Result<(), IntakeError> {
    check_size(bytes, limits.file_bytes)?;
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An OLE container: an encrypted .xlsx (or an old .xls, which is not read either).
        return Err(IntakeError::Encrypted);
    }
    if !bytes.starts_with(b"PK") {
        return Err(IntakeError::NotXlsx);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| IntakeError::NotXlsx)?;
    if archive.len() > limits.parts {
        return Err(IntakeError::TooManyParts {
            limit: limits.parts,
        });
    }
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        if archive
            .by_index_raw(index)
            .map_err(|_| IntakeError::NotXlsx)?
            .encrypted()
        {
            return Err(IntakeError::Encrypted);
        }
        let mut part = archive.by_index(index).map_err(|_| IntakeError::NotXlsx)?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let shared_strings = name.ends_with("sharedStrings.xml");
        let mut head = Vec::new();
        let mut size: u64 = 0;
        loop {
            let n = part.read(&mut buffer).map_err(|_| IntakeError::NotXlsx)?;
            if n == 0 {
                break;
            }
            let read = u64::try_from(n).unwrap_or(u64::MAX);
            size = size.saturating_add(read);
            total = total.saturating_add(read);
            if size > limits.part_bytes {
                return Err(IntakeError::PartTooLarge {
                    part: name,
                    limit: limits.part_bytes,
                });
            }
            if total > limits.total_bytes {
                return Err(IntakeError::Expands {
                    limit: limits.total_bytes,
                });
            }
            if shared_strings && head.len() < SHARED_STRINGS_HEAD {
                let room = SHARED_STRINGS_HEAD - head.len();
                head.extend_from_slice(buffer.get(..n.min(room)).unwrap_or_default());
            }
        }
        if shared_strings && size > 0 {
            check_shared_strings(&head, limits.shared_strings)?;
        }
    }
    Ok(())
}

/// calamine reserves room for the count the `<sst uniqueCount="…">` tag declares: the count must
/// be a plain number within the form's limit.
fn check_shared_strings(head: &[u8], limit: u64) -> Result<(), IntakeError> {
    let tag = find_tag(head, b"sst").ok_or(IntakeError::Unreadable)?;
    let mut rest = tag;
    while let Some(at) = find(rest, b"uniqueCount") {
        let after = rest.get(at + b"uniqueCount".len()..).unwrap_or_default();
        let value = attribute_value(after).ok_or(IntakeError::Unreadable)?;
        let text = std::str::from_utf8(value).map_err(|_| IntakeError::Unreadable)?;
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IntakeError::Unreadable);
        }
        let count: u64 = text.parse().unwrap_or(u64::MAX);
        if count > limit {
            return Err(IntakeError::TooManyStrings { limit });
        }
        rest = after;
    }
    Ok(())
}

/// The bytes of the first start tag named `name` (with or without a namespace prefix), up to its `>`.
fn find_tag<'h>(head: &'h [u8], name: &[u8]) -> Option<&'h [u8]> {
    let mut from = 0;
    while let Some(at) = head.get(from..).and_then(|h| find(h, name)) {
        let start = from + at;
        let before = start.checked_sub(1).and_then(|i| head.get(i));
        let after = head.get(start + name.len());
        if matches!(before, Some(b'<' | b':'))
            && matches!(after, Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))
        {
            let tail = head.get(start..)?;
            let end = tail.iter().position(|b| *b == b'>')?;
            return tail.get(..end);
        }
        from = start + 1;
    }
    None
}

/// The quoted value after an attribute's name: `="123"` or ` = '123'`.
fn attribute_value(after: &[u8]) -> Option<&[u8]> {
    let trimmed = after
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let quote = *trimmed.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let inner = trimmed.get(1..)?;
    let end = inner.iter().position(|b| *b == quote)?;
    inner.get(..end).map(<[u8]>::trim_ascii)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_count_of_texts_is_checked() {
        let ok = br#"<?xml version="1.0"?><sst xmlns="x" count="3" uniqueCount="2"><si>"#;
        assert_eq!(check_shared_strings(ok, 10), Ok(()));
        let huge = br#"<x:sst uniqueCount = '99999999999999999999999'>"#;
        assert_eq!(
            check_shared_strings(huge, 10),
            Err(IntakeError::TooManyStrings { limit: 10 })
        );
        let signed = br#"<sst uniqueCount="+5">"#;
        assert_eq!(
            check_shared_strings(signed, 10),
            Err(IntakeError::Unreadable)
        );
        assert_eq!(
            check_shared_strings(b"<sstx/><other>", 10),
            Err(IntakeError::Unreadable)
        );
    }
}
