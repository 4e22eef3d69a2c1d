//! Lexical checks and parsers for CAP values, shared by the reader and the validator.

use crate::model::{Circle, Point};

/// Parses an `xs:decimal` (`[+-]?(\d+(\.\d*)?|\.\d+)`; no exponent, NaN or infinity).
pub(crate) fn parse_decimal(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let body = match b.first() {
        Some(b'+' | b'-') => &b[1..],
        _ => b,
    };
    let int = body.iter().take_while(|c| c.is_ascii_digit()).count();
    let rest = &body[int..];
    let frac = match rest {
        [] => 0,
        [b'.', tail @ ..] if tail.iter().all(u8::is_ascii_digit) => tail.len(),
        _ => return None,
    };
    if int == 0 && frac == 0 {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses an `xs:integer` (`[+-]?\d+`) as `i128` (saturating is not needed for CAP sizes).
pub(crate) fn parse_integer(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    let digits = match b.first() {
        Some(b'+' | b'-') => &b[1..],
        _ => b,
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.parse::<i128>().ok()
}

/// Checks `xs:language` (`[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`).
pub(crate) fn is_language(s: &str) -> bool {
    let mut parts = s.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_alphanumeric()))
}

/// Whether `s` starts with a URI scheme (`alpha *( alpha / digit / "+" / "-" / "." ) ":"`).
pub(crate) fn has_scheme(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The first character CAP forbids in `identifier` / `sender` (whitespace, `,`, `<`, `&`).
pub(crate) fn forbidden_id_char(s: &str) -> Option<char> {
    s.chars()
        .find(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&'))
}

/// Parses one `lat,lon` pair (ranges not checked).
pub(crate) fn parse_point(s: &str) -> Result<Point, String> {
    let mut it = s.split(',');
    match (it.next(), it.next(), it.next()) {
        (Some(a), Some(b), None) => match (parse_decimal(a), parse_decimal(b)) {
            (Some(lat), Some(lon)) => Ok(Point { lat, lon }),
            _ => Err(format!(
                "{s:?} is not a \"lat,lon\" pair of decimal numbers"
            )),
        },
        _ => Err(format!("{s:?} is not a \"lat,lon\" pair")),
    }
}

/// Parses a polygon's whitespace-separated `lat,lon` pairs (count, closure and
/// ranges not checked).
pub(crate) fn parse_polygon(s: &str) -> Result<Vec<Point>, String> {
    s.split_whitespace().map(parse_point).collect()
}

/// Parses a circle `lat,lon radius` (ranges not checked).
pub(crate) fn parse_circle(s: &str) -> Result<Circle, String> {
    let mut it = s.split_whitespace();
    match (it.next(), it.next(), it.next()) {
        (Some(p), Some(r), None) => {
            let center = parse_point(p)?;
            let radius_km =
                parse_decimal(r).ok_or_else(|| format!("radius {r:?} is not a decimal number"))?;
            Ok(Circle { center, radius_km })
        }
        _ => Err(format!(
            "{:?} is not of the form \"lat,lon radius\"",
            s.trim()
        )),
    }
}

/// Whether `s` (whitespace ignored) is base64.
pub(crate) fn is_base64(s: &str) -> bool {
    let mut n = 0usize;
    let mut pad = 0usize;
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' if pad == 0 => {}
            '=' if pad < 2 => pad += 1,
            _ => return false,
        }
        n += 1;
    }
    n.is_multiple_of(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal("+41.12"), Some(41.12));
        assert_eq!(parse_decimal("-.5"), Some(-0.5));
        assert_eq!(parse_decimal("7."), Some(7.0));
        for bad in ["", "+", ".", "1e5", "NaN", "inf", "1,5", " 1"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn shapes() {
        assert_eq!(parse_polygon("1,2 3,4").unwrap().len(), 2);
        assert!(parse_polygon("+40.85,-118.09, 1,2").is_err());
        let c = parse_circle("-35.3888,147.0598 25.0").unwrap();
        assert_eq!(c.radius_km, 25.0);
        assert!(parse_circle("1,2").is_err());
        assert!(parse_circle("1,2 3 4").is_err());
    }

    #[test]
    fn misc() {
        assert!(is_language("zh-CN"));
        assert!(is_language("en"));
        assert!(!is_language(""));
        assert!(!is_language("zh_CN"));
        assert!(has_scheme("http://x"));
        assert!(!has_scheme("/a/b"));
        assert!(is_base64("aGVsbG8="));
        assert!(!is_base64("aGVsbG8"));
        assert_eq!(forbidden_id_char("a b"), Some(' '));
        assert_eq!(forbidden_id_char("a,b"), Some(','));
        assert_eq!(forbidden_id_char("ab"), None);
        assert_eq!(parse_integer("-3"), Some(-3));
        assert_eq!(parse_integer("3.0"), None);
    }
}
