//! NHS number validation: ten digits whose last is the modulus-11 check digit of the first nine.

/// Why a string is not a valid NHS number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NhsNumberError {
    /// Not exactly ten characters.
    WrongLength,
    /// A character other than an ASCII digit.
    NotDigits,
    /// The check digit computes to 10, which no valid number has.
    CheckDigitTen,
    /// The tenth digit is not the computed check digit.
    CheckDigitMismatch,
}

impl std::fmt::Display for NhsNumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::WrongLength => "an NHS number has exactly 10 digits",
            Self::NotDigits => "an NHS number contains digits only",
            Self::CheckDigitTen => "the modulus-11 check digit would be 10, so no number is valid",
            Self::CheckDigitMismatch => "the last digit is not the modulus-11 check digit",
        })
    }
}

/// The modulus-11 check digit of nine digits, or `None` when it would be 10.
pub fn check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10).rev())
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

/// Validate an NHS number as sent in a FHIR token (no spaces).
pub fn validate(value: &str) -> Result<(), NhsNumberError> {
    if value.len() != 10 {
        return Err(NhsNumberError::WrongLength);
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NhsNumberError::NotDigits);
    }
    let digits: Vec<u8> = value.bytes().map(|b| b - b'0').collect();
    let mut nine = [0u8; 9];
    nine.copy_from_slice(&digits[..9]);
    match check_digit(&nine) {
        None => Err(NhsNumberError::CheckDigitTen),
        Some(c) if c == digits[9] => Ok(()),
        Some(_) => Err(NhsNumberError::CheckDigitMismatch),
    }
}

/// Whether `value` is a valid NHS number.
pub fn is_valid(value: &str) -> bool {
    validate(value).is_ok()
}

/// Complete nine digits into a valid NHS number, if their check digit is not 10.
pub fn complete(first_nine: &str) -> Option<String> {
    if first_nine.len() != 9 || !first_nine.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut nine = [0u8; 9];
    for (slot, b) in nine.iter_mut().zip(first_nine.bytes()) {
        *slot = b - b'0';
    }
    check_digit(&nine).map(|c| format!("{first_nine}{c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_worked_values() {
        assert!(is_valid("9476719931"));
        assert!(is_valid("9000000084"));
        assert!(is_valid("9999999999"));
        assert_eq!(validate("1234567890"), Err(NhsNumberError::CheckDigitTen));
        assert_eq!(
            validate("9658218866"),
            Err(NhsNumberError::CheckDigitMismatch)
        );
    }

    #[test]
    fn structural_failures() {
        assert_eq!(validate("947671993"), Err(NhsNumberError::WrongLength));
        assert_eq!(validate("94767199311"), Err(NhsNumberError::WrongLength));
        assert_eq!(validate("947671993A"), Err(NhsNumberError::NotDigits));
        assert_eq!(validate("947 671993"), Err(NhsNumberError::NotDigits));
        assert_eq!(validate(""), Err(NhsNumberError::WrongLength));
    }

    #[test]
    fn complete_produces_valid_numbers() {
        let n = complete("947671993").unwrap();
        assert_eq!(n, "9476719931");
        assert_eq!(complete("123456789"), None);
        assert_eq!(complete("12345678"), None);
    }
}
