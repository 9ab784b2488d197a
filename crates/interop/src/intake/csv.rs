//! CSV text in: bounded in size, decoded as UTF-8 (with or without a byte-order mark) or else as
//! GB18030 — the superset of GBK that Excel on Chinese Windows writes for “CSV（逗号分隔）” — and
//! refused, saying which encodings are accepted, when it is neither or not text at all.

use super::{CsvLimits, IntakeError, check_size};

/// The file as text.
pub fn decode(bytes: &[u8], limits: CsvLimits) -> Result<String, IntakeError> {
    check_size(bytes, limits.file_bytes)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = body.get(..8192).unwrap_or(body);
    let workbook = body.starts_with(b"PK\x03\x04") || body.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if workbook
        || body.starts_with(&[0xFF, 0xFE])
        || body.starts_with(&[0xFE, 0xFF])
        || head.iter().filter(|b| **b == 0).count() > 8
    {
        // A workbook, UTF-16 text, a picture: nothing a spreadsheet saves as CSV. (A stray NUL
        // in a line is refused with that line.)
        return Err(IntakeError::NotText { workbook });
    }
    if let Ok(text) = std::str::from_utf8(body) {
        return Ok(text.to_owned());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(body)
        .map(std::borrow::Cow::into_owned)
        .ok_or(IntakeError::Encoding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::TREASURY_CSV;

    #[test]
    fn utf8_with_or_without_mark_and_gbk_are_read_alike() {
        let text = "收款人,金额\n乐陵市残联,1.00\n";
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        assert_ne!(gbk.as_ref(), text.as_bytes());
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(text.as_bytes());
        for bytes in [text.as_bytes(), marked.as_slice(), gbk.as_ref()] {
            assert_eq!(decode(bytes, TREASURY_CSV).as_deref(), Ok(text));
        }
    }

    #[test]
    fn other_bytes_are_refused_saying_what_is_expected() {
        let refused = decode(b"a,b\n\xFF\xFE\xFD\n", TREASURY_CSV);
        assert_eq!(refused, Err(IntakeError::Encoding));
        assert!(refused.err().is_some_and(|e| e.to_string().contains("GBK")));
        assert_eq!(
            decode(b"PK\x03\x04\x00\x00", TREASURY_CSV),
            Err(IntakeError::NotText { workbook: true })
        );
        let small = CsvLimits {
            file_bytes: 4,
            lines: 1,
        };
        assert!(matches!(
            decode(b"12345", small),
            Err(IntakeError::TooLarge { size: 5, limit: 4 })
        ));
    }
}
