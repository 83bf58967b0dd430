//! Render: the one place numbers, percentages, money and dates become text, in English and in
//! Khmer. Khmer follows CLDR's `km` conventions: Khmer digits, `.` between thousands, `,` before
//! decimals, Khmer month names.

use crate::analyse::cascade::{Cascade, Count, Figure, Mark, Stage};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Km,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Km];
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Km => "km",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "km" => Some(Lang::Km),
            _ => None,
        }
    }
    fn separators(self) -> (char, char) {
        match self {
            Lang::En => (',', '.'),
            Lang::Km => ('.', ','),
        }
    }
}

const KHMER_MONTHS: [&str; 12] =
    ["មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ"];
const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// ASCII digits to Khmer digits (other characters unchanged).
pub fn khmer_digits(s: &str) -> String {
    s.chars().map(|c| c.to_digit(10).and_then(|d| char::from_u32('០' as u32 + d)).unwrap_or(c)).collect()
}

/// Group the integer part of an ASCII decimal string and apply the language's separators.
fn group(ascii: &str, lang: Lang) -> String {
    group_then(ascii, lang, "")
}

/// [`group`], then `suffix` as written: one string made, digits localised as they go.
fn group_then(ascii: &str, lang: Lang, suffix: &str) -> String {
    let (sign, rest) = ascii.strip_prefix('-').map_or(("", ascii), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let (thousands, decimal) = lang.separators();
    // A Khmer digit is three bytes in UTF-8.
    let mut out = String::with_capacity(3 * ascii.len() + int.len() / 3 + suffix.len());
    out.push_str(sign);
    let digit = |c: char| match lang {
        Lang::En => c,
        Lang::Km => c.to_digit(10).and_then(|d| char::from_u32('០' as u32 + d)).unwrap_or(c),
    };
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(thousands);
        }
        out.push(digit(c));
    }
    if let Some(f) = frac {
        out.push(decimal);
        out.extend(f.chars().map(digit));
    }
    out.push_str(suffix);
    out
}

/// A count of people: `12,345` / `១២.៣៤៥`.
pub fn count(n: u64, lang: Lang) -> String {
    group(&n.to_string(), lang)
}

/// What a withheld figure shows (a small count shows "<5"): the methodology page explains it.
pub const WITHHELD: &str = "*";

/// A count of a cascade as its audience may see it: the number, "<5" for a small count, "*" for
/// one withheld so that a small one cannot be worked out.
pub fn cascade_count(c: &Cascade, k: Count, lang: Lang) -> String {
    match c.hidden.get(k) {
        Mark::Shown => count(k.get(&c.counts), lang),
        Mark::Small => format!("<{}", count(c.hidden.threshold, lang)),
        Mark::Withheld => WITHHELD.to_string(),
    }
}

/// A percentage of a cascade, or "*" where it uses a hidden count.
pub fn cascade_percent(c: &Cascade, f: Figure, lang: Lang) -> String {
    if c.figure_shown(f) { percent(c.ratio_of(f), lang) } else { WITHHELD.to_string() }
}

/// A people gap of a cascade, or "*" where it uses a hidden count.
pub fn cascade_gap(c: &Cascade, s: Stage, lang: Lang) -> String {
    if c.figure_shown(Figure::Gap(s)) { count(c.gaps.get(s), lang) } else { WITHHELD.to_string() }
}

/// A signed change of people: `+12`, `−3`, `0`.
pub fn signed_count(n: i64, lang: Lang) -> String {
    let body = count(n.unsigned_abs(), lang);
    match n.signum() {
        1 => format!("+{body}"),
        -1 => format!("−{body}"),
        _ => body,
    }
}

/// "Not applicable" (a zero denominator).
pub fn not_applicable(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "n/a",
        Lang::Km => "មិនអាចគណនាបាន",
    }
}

/// `x` with `N` decimals (0 or 1), exactly as `format!("{x:.N}")` writes it, but without the
/// exact float formatter when `x` is not within a hair of a tie between two roundings (about a
/// twentieth of the render stage went to that formatter's big-number arithmetic): scaled by ten,
/// a value less than 10⁹ is off from its exact product by less than 10⁻⁷, so when its fraction
/// is more than 10⁻⁶ from one half, rounding it rounds `x`. Ties, huge values and the rest go to
/// the formatter.
#[derive(Debug, Clone, Copy)]
pub struct Fixed<const N: u8>(pub f64);

/// Write the decimal digits of `n` into `buf` to end just before `end`: the index they start
/// at. `buf` must have room for them (20 digits at most).
pub(crate) fn digits_before(buf: &mut [u8], mut end: usize, mut n: u64) -> usize {
    loop {
        end -= 1;
        buf[end] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return end;
        }
    }
}

impl<const N: u8> Fixed<N> {
    /// The text the fast path writes, made in `buf`, or `None` where the formatter must decide
    /// (ties, huge values, more decimals, not finite).
    fn fast(self, buf: &mut [u8; 24]) -> Option<&str> {
        let x = self.0;
        let (y, limit) = if N == 0 { (x, 4.5e15) } else { (x * 10.0, 1e9) };
        // Not NaN, not huge, at most one decimal.
        let fast = N <= 1 && y.abs() < limit;
        if !fast {
            return None;
        }
        let floor = y.floor();
        let frac = y - floor;
        if (frac - 0.5).abs() <= 1e-6 {
            return None;
        }
        let mut m = (if frac > 0.5 { floor + 1.0 } else { floor }).abs() as u64;
        // Digits from the right, written at once: the formatter's integer path (twice per
        // value, with its padding checks) was most of a chart's cost.
        let mut i = buf.len();
        if N == 1 {
            i -= 2;
            buf[i + 1] = b'0' + (m % 10) as u8;
            buf[i] = b'.';
            m /= 10;
        }
        i = digits_before(buf, i, m);
        // The formatter keeps the sign of a negative value that rounds to zero.
        if x.is_sign_negative() {
            i -= 1;
            buf[i] = b'-';
        }
        std::str::from_utf8(&buf[i..]).ok()
    }

    /// Append the value to `out`, as [`std::fmt::Display`] writes it.
    pub fn push_to(self, out: &mut String) {
        let mut buf = [0u8; 24];
        match self.fast(&mut buf) {
            Some(text) => out.push_str(text),
            None => {
                use std::fmt::Write as _;
                let _ = write!(out, "{:.*}", usize::from(N), self.0);
            }
        }
    }
}

impl<const N: u8> std::fmt::Display for Fixed<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = [0u8; 24];
        match self.fast(&mut buf) {
            Some(text) => f.write_str(text),
            None => write!(f, "{:.*}", usize::from(N), self.0),
        }
    }
}

/// A share as a percentage with one decimal: `95.0%` / `៩៥,០%`; `n/a` for none.
pub fn percent(r: Option<f64>, lang: Lang) -> String {
    match r.filter(|v| v.is_finite()) {
        Some(v) => group_then(&Fixed::<1>(v * 100.0).to_string(), lang, "%"),
        None => not_applicable(lang).to_string(),
    }
}

/// A share as a whole percentage: `95%` / `៩៥%` (axis ends, targets in running text).
pub fn percent_whole(r: Option<f64>, lang: Lang) -> String {
    match r.filter(|v| v.is_finite()) {
        Some(v) => group_then(&Fixed::<0>(v * 100.0).to_string(), lang, "%"),
        None => not_applicable(lang).to_string(),
    }
}

/// A change in percentage points: `+3.2 pts` / `+៣,២ ពិន្ទុ`.
pub fn points(p: Option<f64>, lang: Lang) -> String {
    let Some(v) = p.filter(|v| v.is_finite()) else { return not_applicable(lang).to_string() };
    let v = if v.abs() < 0.05 { 0.0 } else { v };
    let sign = if v > 0.0 {
        "+"
    } else if v < 0.0 {
        "−"
    } else {
        ""
    };
    let unit = match lang {
        Lang::En => "pts",
        Lang::Km => "ពិន្ទុ",
    };
    format!("{sign}{} {unit}", group(&Fixed::<1>(v.abs()).to_string(), lang))
}

/// Money in whole units with its currency code: `1,234 USD` / `១.២៣៤ USD`.
pub fn money(amount: f64, currency: &str, lang: Lang) -> String {
    if !amount.is_finite() {
        return not_applicable(lang).to_string();
    }
    group_then(&Fixed::<0>(amount).to_string(), lang, &format!(" {currency}"))
}

/// A date: `12 October 2026` / `១២ តុលា ២០២៦`.
pub fn date(d: NaiveDate, lang: Lang) -> String {
    let m = d.month0() as usize;
    match lang {
        Lang::En => format!("{} {} {}", d.day(), ENGLISH_MONTHS[m], d.year()),
        Lang::Km => khmer_digits(&format!("{} {} {}", d.day(), KHMER_MONTHS[m], d.year())),
    }
}

#[cfg(test)]
mod tests {

    /// `Fixed` writes what the formatter writes: every thousandth from −60 to 60 (ties among
    /// them), the shares a count over a count makes, random values of every size, and the
    /// values at the edges (negative zero, ties, huge, not finite).
    #[test]
    fn fixed_writes_what_the_formatter_writes() {
        fn same(x: f64) {
            assert_eq!(Fixed::<0>(x).to_string(), format!("{x:.0}"), "{x:?} to 0 decimals");
            assert_eq!(Fixed::<1>(x).to_string(), format!("{x:.1}"), "{x:?} to 1 decimal");
            let mut pushed = String::from("x=");
            Fixed::<1>(x).push_to(&mut pushed);
            assert_eq!(pushed, format!("x={x:.1}"), "{x:?} pushed");
        }
        for k in -60_000..=60_000 {
            same(f64::from(k) / 1000.0);
            same(f64::from(k) * 0.001);
        }
        for n in 1..=400u32 {
            for k in 0..=n {
                same(f64::from(k) / f64::from(n) * 100.0);
            }
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..50_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let unit = (seed >> 11) as f64 / (1u64 << 53) as f64;
            let scale = 10f64.powi((seed % 23) as i32 - 6);
            same((unit - 0.5) * scale);
            same(f64::from_bits(seed));
        }
        for x in [
            0.0,
            -0.0,
            0.05,
            -0.05,
            0.15,
            0.25,
            0.35,
            2.5,
            3.5,
            -2.5,
            12.25,
            1e8 + 0.05,
            99_999_999.95,
            999_999_999.95,
            1e9,
            4.5e15,
            4.5e15 + 1.0,
            9.007_199_254_740_993e15,
            1e300,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -1e-300,
        ] {
            same(x);
        }
    }
    use super::*;

    #[test]
    fn counts_both_languages() {
        assert_eq!(count(0, Lang::En), "0");
        assert_eq!(count(999, Lang::En), "999");
        assert_eq!(count(1234, Lang::En), "1,234");
        assert_eq!(count(1_234_567, Lang::En), "1,234,567");
        assert_eq!(count(1234, Lang::Km), "១.២៣៤");
        assert_eq!(signed_count(-1204, Lang::En), "−1,204");
        assert_eq!(signed_count(7, Lang::Km), "+៧");
    }

    #[test]
    fn percents_points_money_dates() {
        assert_eq!(percent(Some(0.95), Lang::En), "95.0%");
        assert_eq!(percent(Some(0.9026), Lang::En), "90.3%");
        assert_eq!(percent(Some(0.857), Lang::Km), "៨៥,៧%");
        assert_eq!(percent(None, Lang::En), "n/a");
        assert_eq!(percent_whole(Some(1.0), Lang::Km), "១០០%");
        assert_eq!(percent(Some(f64::NAN), Lang::Km), "មិនអាចគណនាបាន");
        assert_eq!(points(Some(3.24), Lang::En), "+3.2 pts");
        assert_eq!(points(Some(-0.01), Lang::En), "0.0 pts");
        assert_eq!(points(Some(-12.0), Lang::Km), "−១២,០ ពិន្ទុ");
        assert_eq!(money(1_267_883.4, "USD", Lang::En), "1,267,883 USD");
        assert_eq!(money(4_000_000.0, "KHR", Lang::Km), "៤.០០០.០០០ KHR");
        let d = NaiveDate::from_ymd_opt(2026, 10, 12).expect("date");
        assert_eq!(date(d, Lang::En), "12 October 2026");
        assert_eq!(date(d, Lang::Km), "១២ តុលា ២០២៦");
    }
}
