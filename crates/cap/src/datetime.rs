//! CAP date-time values (CAP 1.2 §3.3.2).
//!
//! CAP restricts `xs:dateTime` to `YYYY-MM-DDThh:mm:ssXzh:zm`: whole seconds and an
//! explicit numeric offset. The alphabetic designator `Z` MUST NOT be used; UTC is
//! written `-00:00`. [`DateTime`] holds exactly that information and always
//! writes the canonical form (UTC as `-00:00`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A CAP date-time: calendar date, wall-clock time to the second, and the UTC
/// offset in minutes (`+08:00` is `480`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Year, 1–9999 (`xs:dateTime` has no year 0000).
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31 (checked against the month).
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59.
    pub second: u8,
    /// Offset from UTC in minutes, −14:00 … +14:00.
    pub offset_minutes: i16,
}

/// Why a text is not a CAP date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateTimeError {
    /// Uses the `Z` designator, which CAP §3.3.2 forbids (`-00:00` is required).
    #[error("uses \"Z\"; CAP §3.3.2 requires a numeric offset (\"-00:00\" for UTC)")]
    ZuluDesignator,
    /// Has no time-zone offset at all.
    #[error("has no time-zone offset; CAP §3.3.2 requires one, e.g. \"+08:00\"")]
    MissingOffset,
    /// Has fractional seconds, which the CAP 1.2 pattern does not allow.
    #[error("has fractional seconds; CAP requires whole seconds (YYYY-MM-DDThh:mm:ss±hh:mm)")]
    FractionalSeconds,
    /// Is not of the form `YYYY-MM-DDThh:mm:ss±hh:mm`.
    #[error("is not of the form YYYY-MM-DDThh:mm:ss±hh:mm")]
    Format,
    /// Has the right shape but an impossible field (month 13, 31 April, offset +15:00 …).
    #[error("has an out-of-range field (month, day, hour, minute, second or offset)")]
    Range,
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl DateTime {
    /// Builds a date-time, checking every field's range.
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i16,
    ) -> Result<Self, DateTimeError> {
        let dt = DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            offset_minutes,
        };
        if dt.in_range() {
            Ok(dt)
        } else {
            Err(DateTimeError::Range)
        }
    }

    fn in_range(&self) -> bool {
        (1..=9999).contains(&self.year)
            && (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour <= 23
            && self.minute <= 59
            && self.second <= 59
            && self.offset_minutes.abs() <= 14 * 60
    }

    /// Parses the strict CAP form `YYYY-MM-DDThh:mm:ss±hh:mm`.
    pub fn parse(s: &str) -> Result<Self, DateTimeError> {
        Self::parse_inner(s, false)
    }

    /// Parses leniently, for reading older or sloppy messages: also accepts `Z`
    /// (as UTC) and fractional seconds (dropped). The validator still reports both.
    pub fn parse_lenient(s: &str) -> Result<Self, DateTimeError> {
        Self::parse_inner(s, true)
    }

    fn parse_inner(s: &str, lenient: bool) -> Result<Self, DateTimeError> {
        let b = s.as_bytes();
        if b.len() < 19 {
            return Err(DateTimeError::Format);
        }
        let shape_ok =
            b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
        let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
            digits(&b[0..4]),
            digits(&b[5..7]),
            digits(&b[8..10]),
            digits(&b[11..13]),
            digits(&b[14..16]),
            digits(&b[17..19]),
        ) else {
            return Err(DateTimeError::Format);
        };
        if !shape_ok {
            return Err(DateTimeError::Format);
        }
        let mut rest = &b[19..];
        let mut fractional = false;
        if let Some(r) = rest.strip_prefix(b".") {
            let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return Err(DateTimeError::Format);
            }
            fractional = true;
            rest = &r[n..];
        }
        let offset_minutes: i32 = match rest {
            [] => return Err(DateTimeError::MissingOffset),
            [b'Z'] => {
                if !lenient {
                    return Err(DateTimeError::ZuluDesignator);
                }
                0
            }
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let (Some(h), Some(m)) = (digits(&[*h1, *h2]), digits(&[*m1, *m2])) else {
                    return Err(DateTimeError::Format);
                };
                if m > 59 {
                    return Err(DateTimeError::Range);
                }
                let v = (h * 60 + m) as i32;
                if *sign == b'-' {
                    -v
                } else {
                    v
                }
            }
            _ => return Err(DateTimeError::Format),
        };
        if fractional && !lenient {
            return Err(DateTimeError::FractionalSeconds);
        }
        if offset_minutes.abs() > 14 * 60 {
            return Err(DateTimeError::Range);
        }
        let to_u8 = |v: u32| u8::try_from(v).map_err(|_| DateTimeError::Range);
        DateTime::new(
            u16::try_from(year).map_err(|_| DateTimeError::Range)?,
            to_u8(month)?,
            to_u8(day)?,
            to_u8(hour)?,
            to_u8(minute)?,
            to_u8(second)?,
            offset_minutes as i16,
        )
    }

    /// Seconds since 1970-01-01T00:00:00 UTC (negative before), for comparing
    /// instants written with different offsets.
    pub fn unix_seconds(&self) -> i64 {
        // Howard Hinnant's days-from-civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// The same instant expressed with another UTC offset (in minutes).
    pub fn with_offset(&self, offset_minutes: i16) -> Result<Self, DateTimeError> {
        if offset_minutes.abs() > 14 * 60 {
            return Err(DateTimeError::Range);
        }
        Self::from_unix_seconds(self.unix_seconds(), offset_minutes)
    }

    /// Builds the date-time at `secs` seconds since the Unix epoch, as seen at
    /// `offset_minutes` from UTC.
    pub fn from_unix_seconds(secs: i64, offset_minutes: i16) -> Result<Self, DateTimeError> {
        let local = secs + i64::from(offset_minutes) * 60;
        let days = local.div_euclid(86_400);
        let sod = local.rem_euclid(86_400);
        // Howard Hinnant's civil-from-days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = u16::try_from(year).map_err(|_| DateTimeError::Range)?;
        DateTime::new(
            year,
            month as u8,
            day as u8,
            (sod / 3600) as u8,
            (sod % 3600 / 60) as u8,
            (sod % 60) as u8,
            offset_minutes,
        )
    }

    /// The current time (whole seconds) at `offset_minutes` from UTC, e.g.
    /// `DateTime::now(480)` for Beijing time.
    pub fn now(offset_minutes: i16) -> Result<Self, DateTimeError> {
        let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).map_err(|_| DateTimeError::Range)?,
            Err(e) => -i64::try_from(e.duration().as_secs()).map_err(|_| DateTimeError::Range)?,
        };
        if offset_minutes.abs() > 14 * 60 {
            return Err(DateTimeError::Range);
        }
        Self::from_unix_seconds(secs, offset_minutes)
    }

    /// Compact form `YYYYMMDDhhmmss` (local wall-clock time), as used in
    /// identifiers by the Chinese profile (GB/T 35965.1 A.1.3.1).
    pub fn compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.offset_minutes > 0 { '+' } else { '-' };
        let off = self.offset_minutes.unsigned_abs();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            sign,
            off / 60,
            off % 60
        )
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_lenient() {
        let d = DateTime::parse("2012-05-02T23:21:04-00:00").unwrap();
        assert_eq!(d.to_string(), "2012-05-02T23:21:04-00:00");
        assert_eq!(
            DateTime::parse("2011-10-05T23:04:00+10:00")
                .unwrap()
                .offset_minutes,
            600
        );
        assert_eq!(
            DateTime::parse("2012-05-02T23:21:04Z"),
            Err(DateTimeError::ZuluDesignator)
        );
        assert!(DateTime::parse_lenient("2012-05-02T23:21:04Z").is_ok());
        assert_eq!(
            DateTime::parse("2012-05-02T23:21:04.5-00:00"),
            Err(DateTimeError::FractionalSeconds)
        );
        assert_eq!(
            DateTime::parse("2012-05-02T23:21:04"),
            Err(DateTimeError::MissingOffset)
        );
        assert_eq!(
            DateTime::parse("2011-02-29T00:00:00+08:00"),
            Err(DateTimeError::Range)
        );
        assert!(DateTime::parse("2012-02-29T00:00:00+08:00").is_ok());
        assert_eq!(
            DateTime::parse("2012-5-02T23:21:04-00:00"),
            Err(DateTimeError::Format)
        );
        assert_eq!(
            DateTime::parse("2012-05-02T23:21:04+15:00"),
            Err(DateTimeError::Range)
        );
        // +00:00 is read, but written canonically as -00:00.
        assert_eq!(
            DateTime::parse("2010-08-31T00:09:25+00:00")
                .unwrap()
                .to_string(),
            "2010-08-31T00:09:25-00:00"
        );
    }

    #[test]
    fn unix_round_trip() {
        let d = DateTime::parse("2024-07-29T15:31:26+08:00").unwrap();
        assert_eq!(d.unix_seconds(), 1_722_238_286);
        let utc = d.with_offset(0).unwrap();
        assert_eq!(utc.to_string(), "2024-07-29T07:31:26-00:00");
        assert_eq!(utc.with_offset(480).unwrap(), d);
        assert_eq!(d.compact(), "20240729153126");
        let now = DateTime::now(480).unwrap();
        assert!(now.year >= 2024 && now.offset_minutes == 480);
        let epoch = DateTime::from_unix_seconds(0, 0).unwrap();
        assert_eq!(epoch.to_string(), "1970-01-01T00:00:00-00:00");
    }
}
