//! A non-negative fixed-point decimal with six fractional digits.
//!
//! Fault parameters such as a throttle factor of `2.5` or an error rate of `0.25` are written as
//! plain JSON/YAML numbers, but everything that feeds durations or results must be integer math.
//! This type converts once, at parse time, to an integer count of millionths and rejects values
//! that would need rounding, so no float ever reaches the timing model.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Millionths per unit.
const SCALE: u64 = 1_000_000;
/// Largest whole part accepted from text: with at most 9 + 6 = 15 significant digits a decimal
/// survives the trip through a double exactly (parsing, scaling and printing).
const MAX_UNITS: u64 = 999_999_999;

/// A non-negative decimal number stored exactly as an integer count of millionths.
///
/// Serialises as a JSON number (`2.5`); deserialises from integers or decimals with at most six
/// fractional digits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal6(u64);

impl Decimal6 {
    /// Zero.
    pub const ZERO: Self = Self(0);
    /// One.
    pub const ONE: Self = Self(SCALE);

    /// Builds a value from a count of millionths (`Decimal6::from_micros(2_500_000)` is 2.5).
    pub const fn from_micros(micros: u64) -> Self {
        Self(micros)
    }

    /// Builds a whole number, or `None` if it does not fit.
    pub const fn from_units(units: u64) -> Option<Self> {
        match units.checked_mul(SCALE) {
            Some(micros) => Some(Self(micros)),
            None => None,
        }
    }

    /// The value as a count of millionths.
    pub const fn micros(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Decimal6 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / SCALE;
        let frac = self.0 % SCALE;
        if frac == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{frac:06}");
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

impl Serialize for Decimal6 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // For parsed values (<= 15 significant digits) the quotient is the double nearest to the
        // decimal, and serde_json prints the shortest text that reads back as that double.
        let value = self.0 as f64 / SCALE as f64;
        serializer.serialize_f64(value)
    }
}

impl<'de> Deserialize<'de> for Decimal6 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Decimal6Visitor)
    }
}

struct Decimal6Visitor;

impl Visitor<'_> for Decimal6Visitor {
    type Value = Decimal6;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative number with at most six decimal places")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal6, E> {
        if v > MAX_UNITS {
            return Err(E::custom(format!(
                "number {v} is too large (max {MAX_UNITS})"
            )));
        }
        Decimal6::from_units(v).ok_or_else(|| E::custom(format!("number {v} is too large")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal6, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!("number {v} is negative"))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal6, E> {
        if !v.is_finite() {
            return Err(E::custom("number is not finite"));
        }
        if v < 0.0 {
            return Err(E::custom(format!("number {v} is negative")));
        }
        if v >= (MAX_UNITS + 1) as f64 {
            return Err(E::custom(format!(
                "number {v} is too large (max {MAX_UNITS})"
            )));
        }
        let scaled = v * SCALE as f64;
        let rounded = scaled.round();
        // A decimal with <= 6 places lands within a few ulps (parse + multiply rounding) of an
        // integer after scaling; anything further away has more digits than this type holds.
        let tolerance = (scaled * 4.0 * f64::EPSILON).max(1e-9);
        if (scaled - rounded).abs() > tolerance {
            return Err(E::custom(format!(
                "number {v} has more than six decimal places"
            )));
        }
        Ok(Decimal6(rounded as u64))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal6, E> {
        // YAML users sometimes quote numbers; accept a plain decimal string too.
        parse_decimal(v).ok_or_else(|| {
            E::custom(format!(
                "\"{v}\" is not a non-negative number with at most six decimal places"
            ))
        })
    }
}

/// Parses `123`, `0.25` or `2.` exactly (no exponent, no sign).
fn parse_decimal(s: &str) -> Option<Decimal6> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() || frac.len() > 6 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok().filter(|&w| w <= MAX_UNITS)?;
    let mut frac_micros: u64 = 0;
    for (i, b) in frac.bytes().enumerate() {
        frac_micros += u64::from(b - b'0') * 10u64.pow(5 - i as u32);
    }
    whole
        .checked_mul(SCALE)?
        .checked_add(frac_micros)
        .map(Decimal6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Decimal6, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn parses_integers_and_decimals_exactly() {
        assert_eq!(parse("2").unwrap().micros(), 2_000_000);
        assert_eq!(parse("2.5").unwrap().micros(), 2_500_000);
        assert_eq!(parse("0.1").unwrap().micros(), 100_000);
        assert_eq!(parse("0.000001").unwrap().micros(), 1);
        assert_eq!(parse("1.333333").unwrap().micros(), 1_333_333);
        assert_eq!(parse("\"0.25\"").unwrap().micros(), 250_000);
    }

    #[test]
    fn rejects_negative_precise_or_non_numbers() {
        assert!(parse("-1").is_err());
        assert!(parse("-0.5").is_err());
        assert!(parse("0.0000001").is_err());
        assert!(parse("1.1234567").is_err());
        assert!(parse("\"abc\"").is_err());
        assert!(parse("\"1e3\"").is_err());
        assert!(parse("true").is_err());
        assert!(parse("1e300").is_err());
        assert!(parse("1000000000").is_err());
        assert!(parse("1000000000.5").is_err());
        assert!(parse("\"1000000000\"").is_err());
        assert_eq!(
            parse("999999999.999999").unwrap().micros(),
            999_999_999_999_999
        );
        assert_eq!(
            parse("\"999999999.999999\"").unwrap().micros(),
            999_999_999_999_999
        );
        assert!(parse("0.1000001").is_err());
        assert!(parse("12345.1234567").is_err());
    }

    #[test]
    fn json_round_trip_is_exact_across_the_whole_range() {
        let max = MAX_UNITS * SCALE + (SCALE - 1);
        let edges = [0, 1, SCALE - 1, SCALE, max - 1, max];
        let spread = (0..100_000u64).map(|i| crate::seed::mix64(i) % (max + 1));
        for micros in edges.into_iter().chain(spread) {
            let value = Decimal6::from_micros(micros);
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(parse(&json).unwrap(), value, "{json}");
        }
    }

    #[test]
    fn serialises_back_to_the_same_decimal() {
        for text in ["2.5", "0.1", "1.333333", "1000.0", "123456.654321"] {
            let value = parse(text).unwrap();
            assert_eq!(serde_json::to_string(&value).unwrap(), text);
        }
        // Tiny values print in exponent form; still exact.
        let tiny = parse("0.000001").unwrap();
        assert_eq!(serde_json::to_string(&tiny).unwrap(), "1e-6");
        assert_eq!(parse("1e-6").unwrap(), tiny);
        assert_eq!(Decimal6::from_micros(2_500_000).to_string(), "2.5");
        assert_eq!(Decimal6::from_micros(3_000_000).to_string(), "3");
    }
}
