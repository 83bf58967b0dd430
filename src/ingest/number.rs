//! Ingest: reading numbers the way people type them (separators, Khmer digits, missing markers).

/// What a cell's text says as a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Parsed {
    /// Blank, `-`, `n/a`, `...`: not known (never zero).
    Missing,
    Number(f64),
    NotANumber,
}

/// Spellings of "not known" seen in real submissions.
const MISSING_MARKERS: &[&str] = &["-", "–", "—", "n/a", "na", "n.a.", "...", "…", ".", "null", "none", "nd", "?"];

/// Map Khmer digits (០..៩) to ASCII; other characters unchanged.
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '០'..='៩' => char::from(b'0' + (c as u32 - '០' as u32) as u8),
            _ => c,
        })
        .collect()
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}')
}

/// Parse a number typed as text: `1,234`, `1 234`, `1234.0`, `១២៣`, `26.920 052`, `12,5` (a
/// decimal comma when it cannot be a thousands separator), `+12`, `-3`. Percent signs and
/// currency words are not numbers here: a count column holds counts.
pub fn parse_number(text: &str) -> Parsed {
    let t = text.trim_matches(is_space);
    if t.is_empty() || MISSING_MARKERS.iter().any(|m| t.eq_ignore_ascii_case(m)) {
        return Parsed::Missing;
    }
    let t = ascii_digits(t);
    let compact: String = t.chars().filter(|c| !is_space(*c) && *c != '\'' && *c != '’').collect();
    let normalised = match (compact.matches(',').count(), compact.contains('.')) {
        (0, _) => compact,
        (_, _) if thousands_commas(&compact) => compact.replace(',', ""),
        (1, false) => compact.replace(',', "."),
        _ => return Parsed::NotANumber,
    };
    let body = normalised.strip_prefix('+').unwrap_or(&normalised);
    let digits_ok = body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' || c == 'E');
    match body.parse::<f64>() {
        Ok(v) if digits_ok && v.is_finite() => Parsed::Number(v),
        _ => Parsed::NotANumber,
    }
}

/// `1,234` or `12,345,678.5`: every comma-separated group after the first has three digits.
fn thousands_commas(s: &str) -> bool {
    let int_part = s.split('.').next().unwrap_or("");
    let int_part = int_part.trim_start_matches(['-', '+']);
    let mut groups = int_part.split(',');
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()) && g.chars().all(|c| c.is_ascii_digit()));
    first_ok && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers() {
        assert_eq!(parse_number("1,234"), Parsed::Number(1234.0));
        assert_eq!(parse_number("1 234"), Parsed::Number(1234.0));
        assert_eq!(parse_number("1\u{a0}234"), Parsed::Number(1234.0));
        assert_eq!(parse_number("1234.0"), Parsed::Number(1234.0));
        assert_eq!(parse_number(" 12,345,678.5 "), Parsed::Number(12_345_678.5));
        assert_eq!(parse_number("១២៣"), Parsed::Number(123.0));
        assert_eq!(parse_number("១,២០៤"), Parsed::Number(1204.0));
        assert_eq!(parse_number("26.920 052"), Parsed::Number(26.920052));
        assert_eq!(parse_number("12,5"), Parsed::Number(12.5));
        assert_eq!(parse_number("-10"), Parsed::Number(-10.0));
        assert_eq!(parse_number("+7"), Parsed::Number(7.0));
        assert_eq!(parse_number("0200"), Parsed::Number(200.0));
    }

    #[test]
    fn missing_and_garbage() {
        for m in ["", "  ", "-", "n/a", "N/A", "NA", "...", "…"] {
            assert_eq!(parse_number(m), Parsed::Missing, "{m:?}");
        }
        for g in ["foo", "12a", "1,23,4", "1.2.3", "50%", "$10", "inf", "NaN", "1,2,3"] {
            assert_eq!(parse_number(g), Parsed::NotANumber, "{g:?}");
        }
    }

    #[test]
    fn khmer_digits_map() {
        assert_eq!(ascii_digits("០១២៣៤៥៦៧៨៩"), "0123456789");
        assert_eq!(ascii_digits("ប្រកាសលេខ ៤៩៣"), "ប្រកាសលេខ 493");
    }
}
