//! `ftc check --lang km` on one filled file outside any project: the built-in geography is used and
//! everything a person reads is Khmer, while JSON keeps English in `message_en` for machines.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

/// A cascade CSV with one problem per row (row numbers are the file's, header on row 1).
const BAD: &str = "area_code,plhiv,diagnosed,on_art,vl_suppressed
020101,100,90,80,70
999999,10,5,4,3
020102,50,-5,4,3
020103,40,,10,5
020104,30,40,20,10
";

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftc")).current_dir(dir).args(args).env("NO_COLOR", "1").output().expect("ftc runs")
}

/// A folder with no `ftc.toml` anywhere above it that `check` could mistake for a project.
fn lone_file() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("btb_q3.csv"), BAD).expect("write");
    dir
}

/// The words of `s`: runs of ASCII letters, digits, `_` and `-` (so `area_code` and
/// `unknown-area` are one word each), with at least three letters.
fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 3)
        .map(str::to_string)
        .collect()
}

/// The English words of every finding sentence and every phrase of the human output, leaving
/// out the placeholders and the technical tokens the Khmer keeps (`area_code`, `Excel`, `CSV`).
fn english_words() -> BTreeSet<String> {
    let strip = |t: &str| {
        let mut out = String::new();
        let mut rest = t;
        while let Some((before, after)) = rest.split_once('{') {
            out.push_str(before);
            out.push(' ');
            rest = after.split_once('}').map_or("", |(_, a)| a);
        }
        out + rest
    };
    let pairs = ftc::finding::MESSAGES
        .iter()
        .map(|(_, en, km)| (*en, *km))
        .chain(ftc::check::WORDS.iter().map(|(_, en, km)| (*en, *km)));
    let mut english = BTreeSet::new();
    let mut kept = BTreeSet::new();
    for (en, km) in pairs {
        english.extend(words(&strip(en)));
        kept.extend(words(&strip(km)));
    }
    english.difference(&kept).cloned().collect()
}

/// The stable rule ids of the data contract.
const RULE_IDS: &[&str] = &[
    "unreadable-file",
    "missing-sheet",
    "missing-column",
    "unknown-area",
    "duplicate-row",
    "not-a-number",
    "negative",
    "cascade-order",
    "coverage-over-100",
    "totals-mismatch",
    "overspent",
    "release-exceeded",
    "period-mismatch",
    "jump",
    "missing-submission",
    "late-submission",
    "province-mismatch",
    "name-mismatch",
    "bad-value",
    "formula-no-value",
    "read-note",
];

const KM_UNKNOWN: &str = "លេខកូដតំបន់ 999999 មិនមាននៅក្នុងបញ្ជីភូមិសាស្ត្រទេ។ សូមផ្ទៀងផ្ទាត់លេខកូដនេះជាមួយបញ្ជីឃុំ/សង្កាត់។";
const KM_NEGATIVE: &str = "'-5' នៅក្នុងជួរឈរ 'diagnosed' ជាចំនួនអវិជ្ជមាន។ ចំនួនមនុស្ស និងចំនួនទឹកប្រាក់មិនអាចតិចជាងសូន្យបានទេ។";
const KM_BLANK: &str = "'diagnosed' នៅទទេ។ ជួរឈរនេះត្រូវតែបំពេញ៖ សូមសរសេរចំនួន (សរសេរ 0 ប្រសិនបើគ្មាន)។";
const KM_COVERAGE: &str = "ចំនួនអ្នកបានធ្វើរោគវិនិច្ឆ័យ (40) ធំជាងចំនួនប៉ាន់ស្មាននៃអ្នករស់នៅជាមួយមេរោគអេដស៍ (30)។";

#[test]
fn check_in_khmer_says_every_finding_in_khmer_and_exits_1_for_errors() {
    let dir = lone_file();
    let run_km = run(dir.path(), &["check", "--lang", "km", "btb_q3.csv"]);
    let out = String::from_utf8(run_km.stdout).expect("utf-8");
    assert_eq!(run_km.status.code(), Some(1), "errors make the exit code 1\n{out}");

    for (sentence, place) in [(KM_UNKNOWN, "A3"), (KM_NEGATIVE, "C4"), (KM_BLANK, "btb_q3 › ជួរទី 5"), (KM_COVERAGE, "")]
    {
        let line = out.lines().find(|l| l.contains(sentence)).unwrap_or_else(|| panic!("{sentence}\n{out}"));
        assert!(line.contains(place), "the place is kept, a whole row named in Khmer: {line}");
    }
    // Severity words, the summary and the "understood" block are Khmer too.
    assert!(out.contains("  កំហុស "), "{out}");
    assert!(out.contains("  ការព្រមាន "), "{out}");
    assert!(out.contains("បានពិនិត្យឯកសារ 1៖ កំហុស 3"), "{out}");
    assert!(out.contains("សន្លឹក 'btb_q3'៖ តារាងខ្សែសង្វាក់សេវា ក្បាលតារាងនៅជួរទី 1"), "{out}");
    assert!(out.contains("ជួរឈរ៖ A \"area_code\" → area_code"), "{out}");

    // Rule ids are stable tokens, the same in every language (`negative` is one).
    let english: BTreeSet<String> =
        words(&out).intersection(&english_words()).filter(|w| !RULE_IDS.contains(&w.as_str())).cloned().collect();
    assert!(english.is_empty(), "English words in the Khmer output: {english:?}\n{out}");

    // The same file in English says the English sentences (the default language).
    let run_en = run(dir.path(), &["check", "btb_q3.csv"]);
    let en = String::from_utf8(run_en.stdout).expect("utf-8");
    assert_eq!(run_en.status.code(), Some(1));
    assert!(en.contains("Area code 999999 is not in the geography."), "{en}");
    assert!(en.contains("1 file(s) checked: 3 error(s)"), "{en}");
    assert!(!en.chars().any(|c| ('\u{1780}'..='\u{17FF}').contains(&c)), "no Khmer in English output\n{en}");
    // ... and the word check above has teeth: it finds plenty of English in the English output.
    assert!(words(&en).intersection(&english_words()).count() > 10, "{en}");
}

#[test]
fn check_json_in_khmer_keeps_english_alongside() {
    let dir = lone_file();
    let run_km = run(dir.path(), &["check", "--format", "json", "--lang", "km", "btb_q3.csv"]);
    assert_eq!(run_km.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&run_km.stdout).expect("json");
    assert_eq!(v["schema"], "ftc-check/1");
    assert_eq!(v["lang"], "km");
    let findings = v["files"][0]["findings"].as_array().expect("findings");
    let find = |rule: &str| findings.iter().find(|f| f["rule"] == rule).unwrap_or_else(|| panic!("{rule}: {v}"));

    let unknown = find("unknown-area");
    assert_eq!(unknown["message"], KM_UNKNOWN);
    assert_eq!(
        unknown["message_en"],
        "Area code 999999 is not in the geography. Check the code against the commune list."
    );
    assert_eq!(unknown["location"]["cell"], "A3");
    assert_eq!(unknown["severity"], "error", "severity stays a stable machine word");
    assert_eq!(find("negative")["message"], KM_NEGATIVE);
    let coverage = findings.iter().find(|f| f["location"]["cell"] == "C6").expect("diagnosed > plhiv");
    assert!(coverage["message"].as_str().is_some_and(|m| m.starts_with(KM_COVERAGE)), "{coverage}");
    assert!(coverage["message_en"].as_str().is_some_and(|m| m.starts_with("Diagnosed (40) is greater")));
    for f in findings {
        let (m, en) = (f["message"].as_str().expect("message"), f["message_en"].as_str().expect("message_en"));
        assert!(m.chars().any(|c| ('\u{1780}'..='\u{17FF}').contains(&c)), "Khmer message: {m}");
        assert!(en.is_ascii(), "English message_en: {en}");
    }

    // Without --lang, `message` and `message_en` are both English.
    let run_en = run(dir.path(), &["check", "--format", "json", "btb_q3.csv"]);
    let v: serde_json::Value = serde_json::from_slice(&run_en.stdout).expect("json");
    assert_eq!(v["lang"], "en");
    for f in v["files"][0]["findings"].as_array().expect("findings") {
        assert_eq!(f["message"], f["message_en"]);
    }
}

#[test]
fn an_unknown_language_is_refused() {
    let dir = lone_file();
    let r = run(dir.path(), &["check", "--lang", "fr", "btb_q3.csv"]);
    assert_eq!(r.status.code(), Some(2), "clap refuses it: {}", String::from_utf8_lossy(&r.stderr));
}
