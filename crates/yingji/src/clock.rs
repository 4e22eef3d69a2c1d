//! Time as the platform keeps it: the bureau's time zone (China Standard
//! Time) for calendar days and deadlines, UTC RFC 3339 text in storage.
//! Rules take the clock as a parameter (`now: OffsetDateTime`); only the
//! edges (handlers, jobs) read the system clock.

use time::UtcOffset;

/// China Standard Time (no daylight saving).
pub const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Now as stored: RFC 3339 UTC with milliseconds (sorts as text).
pub fn format_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&fmt)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// A time as the exported files (CSV, XLSX, the statistical forms) print
/// it: Beijing time with its offset written out, `YYYY-MM-DD HH:MM:SS+08:00`
/// (RFC 3339 with a space, §5.6 NOTE), never a UTC `Z` string an officer
/// would have to convert (issue #13: exports print local time).
pub fn format_local(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(CST);
    let fmt =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]+08:00");
    t.format(&fmt)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// A calendar day `YYYY-MM-DD` from input or storage, within the years the
/// platform computes with (1900–2199): day arithmetic on it (deadlines,
/// roster weeks) can never overflow.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let d = time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    (1900..=2199).contains(&d.year()).then_some(d)
}

pub fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// Exports print Beijing time with the offset, whatever offset the
    /// instant carries; the day changes at 16:00 UTC.
    #[test]
    fn exported_times_are_beijing_time_with_the_offset() {
        let table = [
            (
                datetime!(2026-07-01 15:59:59 UTC),
                "2026-07-01 23:59:59+08:00",
            ),
            (
                datetime!(2026-07-01 16:00:00 UTC),
                "2026-07-02 00:00:00+08:00",
            ),
            (
                datetime!(2026-07-02 00:00:00 +8),
                "2026-07-02 00:00:00+08:00",
            ),
            (
                datetime!(2026-12-31 16:30:00.999 UTC),
                "2027-01-01 00:30:00+08:00",
            ),
            (
                datetime!(2026-07-01 10:00:00 -5),
                "2026-07-01 23:00:00+08:00",
            ),
            (datetime!(2028-02-28 17:00 UTC), "2028-02-29 01:00:00+08:00"),
        ];
        for (t, want) in table {
            assert_eq!(format_local(t), want, "{t}");
            assert!(!format_local(t).contains('Z'));
        }
    }
}
