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
