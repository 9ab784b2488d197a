//! Tests of ID numbers, 残疾人证 numbers and masking.

use super::*;
use proptest::prelude::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn as_of() -> NaiveDate {
    day(2026, 6, 30)
}

/// Builds a valid number from its parts.
fn make(region: u32, birth: NaiveDate, seq: u32) -> String {
    let body = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
    let check = check_character(&body).expect("17 digits");
    format!("{body}{check}")
}

#[test]
fn a_known_number_validates() {
    // The sample number of GB 11643-1999.
    let id = IdNumber::parse("11010519491231002X", as_of()).expect("valid");
    assert_eq!(id.region_code(), "110105");
    assert_eq!(id.birth_date(), day(1949, 12, 31));
    assert_eq!(id.sex(), Sex::Female);
    let lower = IdNumber::parse(" 11010519491231002x ", as_of()).expect("lower-case x");
    assert_eq!(lower.as_str(), "11010519491231002X");
    assert_eq!(id.masked(), "1101**********002X");
    assert_eq!(id.to_string(), "1101**********002X");
}

#[test]
fn refusals_say_why() {
    let cases = [
        ("1101051949123100", IdNumberError::Length),
        ("11010519491231002XX", IdNumberError::Length),
        ("1101051949123100A2", IdNumberError::NotDigits),
        ("11010519491231002Y", IdNumberError::NotDigits),
        ("110105194912310021", IdNumberError::CheckDigit),
    ];
    for (text, want) in cases {
        assert_eq!(IdNumber::parse(text, as_of()), Err(want), "{text}");
    }
    assert_eq!(
        IdNumberError::CheckDigit.to_string(),
        "身份证号码校验位错误"
    );
    let bad_date = {
        let body = "37148119990230001";
        format!("{body}{}", check_character(body).expect("digits"))
    };
    assert_eq!(
        IdNumber::parse(&bad_date, as_of()),
        Err(IdNumberError::BirthDateInvalid)
    );
    let future = make(371481, day(2026, 7, 1), 11);
    assert_eq!(
        IdNumber::parse(&future, as_of()),
        Err(IdNumberError::BirthDateInFuture)
    );
    let old = make(371481, day(1899, 12, 31), 11);
    assert_eq!(
        IdNumber::parse(&old, as_of()),
        Err(IdNumberError::BirthDateTooEarly)
    );
}

#[test]
fn recorded_birth_date_and_sex_are_compared() {
    let id = IdNumber::parse(&make(371481, day(1960, 3, 8), 13), as_of()).expect("valid");
    assert_eq!(id.sex(), Sex::Male);
    assert_eq!(id.check_birth_date(day(1960, 3, 8)), Ok(()));
    assert_eq!(
        id.check_birth_date(day(1960, 3, 9)),
        Err(IdNumberError::BirthDateMismatch)
    );
    assert_eq!(
        IdNumberError::BirthDateMismatch.to_string(),
        "出生日期与身份证号码不一致"
    );
    assert_eq!(id.check_sex(Sex::Female), Err(IdNumberError::SexMismatch));
}

#[test]
fn disability_certificate_numbers() {
    let id = make(371481, day(1970, 1, 2), 24);
    let cert = DisabilityCertificateNumber::parse(&format!("{id}42"), as_of()).expect("valid");
    assert_eq!(cert.id.as_str(), id);
    assert_eq!((cert.category, cert.grade), (4, 2));
    assert_eq!(cert.as_string(), format!("{id}42"));
    let refusals = [
        (id.clone(), IdNumberError::CertificateLength),
        (format!("{id}82"), IdNumberError::CertificateCategory),
        (format!("{id}45"), IdNumberError::CertificateGrade),
        (format!("{id}4x"), IdNumberError::NotDigits),
    ];
    for (text, want) in refusals {
        assert_eq!(
            DisabilityCertificateNumber::parse(&text, as_of()),
            Err(want)
        );
    }
    let mut broken = id.into_bytes();
    broken[3] = if broken[3] == b'9' {
        b'0'
    } else {
        broken[3] + 1
    };
    let broken = String::from_utf8(broken).expect("ascii");
    assert_eq!(
        DisabilityCertificateNumber::parse(&format!("{broken}42"), as_of()),
        Err(IdNumberError::CheckDigit)
    );
}

#[test]
fn masks_hide_the_birth_date_whatever_the_length() {
    assert_eq!(mask("37148119600308013X42"), "3714************3X42");
    assert_eq!(mask("3714811960030801"), "3714**********01");
    assert_eq!(mask("12345678"), "123456**");
    assert_eq!(mask("123"), "123");
    assert_eq!(mask(""), "");
    for len in 0..30 {
        let text: String = (0..len)
            .map(|i| char::from(b'0' + (i % 10) as u8))
            .collect();
        let masked: Vec<char> = mask(&text).chars().collect();
        assert_eq!(masked.len(), len);
        for (i, c) in masked.iter().enumerate() {
            if (6..14).contains(&i) {
                assert_eq!(*c, '*', "position {} of {len}", i + 1);
            }
        }
    }
}

fn valid_parts() -> impl Strategy<Value = (u32, NaiveDate, u32)> {
    let first = day(1900, 1, 1).num_days_from_ce();
    let last = as_of().num_days_from_ce();
    (110_000u32..=829_999, first..=last, 0u32..=999).prop_map(|(region, days, seq)| {
        let birth = NaiveDate::from_num_days_from_ce_opt(days).expect("in range");
        (region, birth, seq)
    })
}

proptest! {
    #[test]
    fn a_generated_number_validates_and_round_trips((region, birth, seq) in valid_parts()) {
        let text = make(region, birth, seq);
        let id = IdNumber::parse(&text, as_of()).expect("generated numbers are valid");
        prop_assert_eq!(id.birth_date(), birth);
        prop_assert_eq!(id.sex(), if seq % 2 == 1 { Sex::Male } else { Sex::Female });
        prop_assert_eq!(id.region_code(), format!("{region:06}"));
        prop_assert_eq!(IdNumber::parse(&text.to_lowercase(), as_of()), Ok(id));
    }

    #[test]
    fn changing_any_one_character_is_caught(
        (region, birth, seq) in valid_parts(),
        position in 0usize..18,
        replacement in prop::sample::select(b"0123456789X".to_vec()),
    ) {
        let mut bytes = make(region, birth, seq).into_bytes();
        prop_assume!(bytes[position] != replacement);
        bytes[position] = replacement;
        let text = String::from_utf8(bytes).expect("ascii");
        prop_assert!(IdNumber::parse(&text, as_of()).is_err(), "{} accepted", text);
    }
}
