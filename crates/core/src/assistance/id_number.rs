//! 居民身份证号码 (GB 11643-1999) and 残疾人证 numbers: validation (ISO 7064 MOD 11-2 check
//! digit), birth date, sex and region read from the number, and the mask shown in lists, exports
//! and logs (PIPL: digits 7–14, the birth date, never shown in full).

use super::registry::Sex;
use chrono::{Datelike, NaiveDate};

/// Weights of the 17 body digits (2^(17-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum mod 11.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";
/// The earliest birth year accepted.
pub const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// Why an ID number (or a 残疾人证 number) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 18 characters (20 for a 残疾人证).
    #[error("身份证号码应为18位")]
    Length,
    /// A character other than a digit (and X in the last place).
    #[error("身份证号码只能由数字组成，最后一位可以是X")]
    NotDigits,
    /// The check character does not match the 17 digits before it.
    #[error("身份证号码校验位错误")]
    CheckDigit,
    /// Digits 7–14 are not a real date.
    #[error("身份证号码中的出生日期无效")]
    BirthDateInvalid,
    /// The birth date is after the date the number is checked at.
    #[error("身份证号码中的出生日期晚于当前日期")]
    BirthDateInFuture,
    /// The birth date is before 1900.
    #[error("身份证号码中的出生日期早于1900年")]
    BirthDateTooEarly,
    /// A recorded birth date differs from the one in the number.
    #[error("出生日期与身份证号码不一致")]
    BirthDateMismatch,
    /// A recorded sex differs from the one in the number.
    #[error("性别与身份证号码不一致")]
    SexMismatch,
    /// A 残疾人证 number is not 20 characters.
    #[error("残疾人证号码应为20位（18位身份证号码加2位残疾类别和等级）")]
    CertificateLength,
    /// The 19th digit is not a disability category 1–7.
    #[error("残疾人证号码第19位（残疾类别）应为1至7")]
    CertificateCategory,
    /// The 20th digit is not a disability grade 1–4.
    #[error("残疾人证号码第20位（残疾等级）应为1至4")]
    CertificateGrade,
}

/// A valid 18-character 居民身份证号码, upper-case X, with what it says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber {
    text: String,
    birth_date: NaiveDate,
}

/// The check character of 17 body digits (the caller guarantees they are ASCII digits).
fn check_char(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// Computes the check character for 17 digits; `None` if `body` is not 17 ASCII digits.
pub fn check_character(body: &str) -> Option<char> {
    let bytes = body.as_bytes();
    (bytes.len() == 17 && bytes.iter().all(u8::is_ascii_digit))
        .then(|| char::from(check_char(bytes)))
}

fn digits_value(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
}

impl IdNumber {
    /// Validates `text` (surrounding spaces ignored, a lower-case x accepted) as of a date: the
    /// length, the digits, the check character, and a birth date that is real, not before 1900
    /// and not after `as_of`.
    pub fn parse(text: &str, as_of: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let text = text.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        if text.chars().count() != 18 {
            return Err(IdNumberError::Length);
        }
        let (body, last) = (&bytes[..17], bytes[17]);
        if !body.iter().all(u8::is_ascii_digit) || !(last.is_ascii_digit() || last == b'X') {
            return Err(IdNumberError::NotDigits);
        }
        if check_char(body) != last {
            return Err(IdNumberError::CheckDigit);
        }
        let year = i32::try_from(digits_value(&body[6..10]))
            .map_err(|_| IdNumberError::BirthDateInvalid)?;
        let birth_date = NaiveDate::from_ymd_opt(
            year,
            digits_value(&body[10..12]),
            digits_value(&body[12..14]),
        )
        .ok_or(IdNumberError::BirthDateInvalid)?;
        if birth_date.year() < EARLIEST_BIRTH_YEAR {
            return Err(IdNumberError::BirthDateTooEarly);
        }
        if birth_date > as_of {
            return Err(IdNumberError::BirthDateInFuture);
        }
        Ok(IdNumber { text, birth_date })
    }

    /// The normalised number (upper-case X).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The 6-digit administrative region code of the place the number was issued (digits 1–6).
    pub fn region_code(&self) -> &str {
        &self.text[..6]
    }

    /// The birth date (digits 7–14).
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The sex: the 17th digit is odd for 男, even for 女.
    pub fn sex(&self) -> Sex {
        if (self.text.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Refuses a recorded birth date that differs from the number's.
    pub fn check_birth_date(&self, recorded: NaiveDate) -> Result<(), IdNumberError> {
        if recorded == self.birth_date {
            Ok(())
        } else {
            Err(IdNumberError::BirthDateMismatch)
        }
    }

    /// Refuses a recorded sex that differs from the number's.
    pub fn check_sex(&self, recorded: Sex) -> Result<(), IdNumberError> {
        if recorded == self.sex() {
            Ok(())
        } else {
            Err(IdNumberError::SexMismatch)
        }
    }

    /// The number masked for lists, exports and logs (see [`mask`]).
    pub fn masked(&self) -> String {
        mask(&self.text)
    }
}

impl std::fmt::Display for IdNumber {
    /// Displays the masked number: a full number is never printed by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A 残疾人证 number: the holder's 18-digit ID number followed by the disability category (1 视力,
/// 2 听力, 3 言语, 4 肢体, 5 智力, 6 精神, 7 多重) and grade (1–4, 一级 the most severe).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DisabilityCertificateNumber {
    /// The holder's ID number.
    pub id: IdNumber,
    /// The 19th digit: disability category, 1–7.
    pub category: u8,
    /// The 20th digit: disability grade, 1–4.
    pub grade: u8,
}

impl DisabilityCertificateNumber {
    /// Validates a 20-character 残疾人证 number as of a date.
    pub fn parse(text: &str, as_of: NaiveDate) -> Result<Self, IdNumberError> {
        let text = text.trim();
        if text.chars().count() != 20 || !text.is_ascii() {
            return Err(IdNumberError::CertificateLength);
        }
        let id = IdNumber::parse(&text[..18], as_of)?;
        let tail = &text.as_bytes()[18..];
        if !tail.iter().all(u8::is_ascii_digit) {
            return Err(IdNumberError::NotDigits);
        }
        let (category, grade) = (tail[0] - b'0', tail[1] - b'0');
        if !(1..=7).contains(&category) {
            return Err(IdNumberError::CertificateCategory);
        }
        if !(1..=4).contains(&grade) {
            return Err(IdNumberError::CertificateGrade);
        }
        Ok(DisabilityCertificateNumber {
            id,
            category,
            grade,
        })
    }

    /// The full 20-character number.
    pub fn as_string(&self) -> String {
        format!("{}{}{}", self.id.as_str(), self.category, self.grade)
    }
}

/// Masks an ID (or certificate) number for lists, exports and logs: the first 4 and the last 4
/// characters stay, everything between becomes `*`, and characters 7–14 (the birth date) are
/// hidden whatever the length, so even a short or damaged number never shows them.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    let len = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let kept = (i < 4 || i + 4 >= len) && !(6..14).contains(&i);
            if kept { *c } else { '*' }
        })
        .collect()
}

#[cfg(test)]
#[path = "id_number_tests.rs"]
mod tests;
