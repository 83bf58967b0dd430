//! The rendered demo site, checked in memory: every area has a page in both languages, every
//! internal link and asset resolves, nothing points off the site, and the `<main>` of the
//! overview, a province and a commune page is pinned by snapshots
//! (`UPDATE_SNAPSHOTS=1 cargo test --test site` to accept a deliberate change).

use ftc::build::{build, render};
use ftc::render::site::Site;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn demo() -> &'static (ftc::build::Build, Site) {
    static DEMO: OnceLock<(ftc::build::Build, Site)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let b = build(&root().join("data")).expect("demo builds");
        let (_, site, problems) = render(&b).expect("renders");
        assert!(problems.is_empty(), "{problems:?}");
        (b, site)
    })
}

fn html(site: &Site, path: &str) -> String {
    String::from_utf8(site.get(path).unwrap_or_else(|| panic!("{path} missing")).clone()).expect("utf-8")
}

/// Values of `attr="..."` in a page, with character references decoded as a browser does.
fn attrs(page: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    page.match_indices(&needle)
        .filter_map(|(i, _)| page[i + needle.len()..].split('"').next())
        .map(|v| v.replace("&#x2F;", "/").replace("&#x27;", "'").replace("&quot;", "\"").replace("&amp;", "&"))
        .collect()
}

/// The site path `link` leads to from page `from`; `None` when it leaves the edition's folder.
fn resolve(from: &str, link: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in Path::new(from).parent().unwrap_or(Path::new("")).join(link).components() {
        match c {
            Component::ParentDir if !out.pop() => return None,
            Component::Normal(p) => out.push(p),
            _ => {}
        }
    }
    Some(out)
}

#[test]
fn every_area_has_a_page_in_both_languages() {
    let (b, site) = demo();
    let pr = b.report.latest().expect("period");
    for lang in ["en", "km"] {
        assert!(site.contains_key(&format!("{lang}/index.html")));
        assert!(site.contains_key(&format!("{lang}/quality.html")));
        assert!(site.contains_key(&format!("{lang}/methodology.html")));
        for code in pr.provinces.keys() {
            assert!(site.contains_key(&format!("{lang}/province/{code}.html")), "{lang} {code}");
        }
        for code in pr.communes.keys() {
            assert!(site.contains_key(&format!("{lang}/commune/{code}.html")), "{lang} {code}");
        }
    }
    assert_eq!(pr.communes.len(), 375);
    // Names in the page's script.
    assert!(html(site, "km/province/02.html").contains("<h1>បាត់ដំបង</h1>"));
    assert!(html(site, "en/province/02.html").contains("<h1>Battambang</h1>"));
}

#[test]
fn every_internal_link_and_asset_resolves_and_nothing_leaves_the_site() {
    let (_, site) = demo();
    let mut checked = 0;
    for (path, bytes) in site.iter().filter(|(p, _)| p.ends_with(".html")) {
        let page = std::str::from_utf8(bytes).expect("utf-8");
        assert!(page.starts_with("<!DOCTYPE html>"), "{path}");
        for link in attrs(page, "href").into_iter().chain(attrs(page, "src")) {
            assert!(!link.contains("://") && !link.starts_with("//"), "{path} points off the site: {link}");
            if link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            let Some(target) = resolve(path, link.split('#').next().unwrap_or(&link)) else {
                // The one link out of an edition: the site's list of editions, beside it
                // (tests/editions.rs checks it exists in a published site).
                assert!(link.ends_with("../versions.html"), "{path}: {link} leaves the edition");
                assert_eq!(
                    resolve(&format!("x/{path}"), &link),
                    Some(PathBuf::from("versions.html")),
                    "{path}: {link}"
                );
                continue;
            };
            let key = target.to_string_lossy().replace('\\', "/");
            assert!(site.contains_key(&key), "{path}: broken link {link} ({key})");
            checked += 1;
        }
    }
    assert!(checked > 5_000, "checked only {checked} links: the walk missed pages");
}

#[test]
fn pages_declare_language_and_one_h1() {
    let (_, site) = demo();
    for (path, bytes) in site.iter().filter(|(p, _)| p.ends_with(".html") && p.contains('/')) {
        let page = std::str::from_utf8(bytes).expect("utf-8");
        // Pages live under en/ and km/, printable briefs under briefs/en/ and briefs/km/.
        let (lang, is_brief) = match path.strip_prefix("briefs/") {
            Some(rest) => (&rest[..2], true),
            None => (&path[..2], false),
        };
        assert!(page.contains(&format!("<html lang=\"{lang}\">")), "{path}");
        assert_eq!(page.matches("<h1").count(), 1, "{path}");
        assert!(is_brief || page.contains("hreflang="), "{path}: language switch");
    }
}

#[test]
fn a_province_page_with_its_css_is_light() {
    let (_, site) = demo();
    let size = site["en/province/12.html"].len() + site["assets/style.css"].len();
    assert!(size < 150 * 1024, "Phnom Penh's page and CSS are {size} bytes");
}

fn main_of(page: &str) -> &str {
    let start = page.find("<main").expect("main");
    let end = page.find("</main>").expect("/main") + "</main>".len();
    &page[start..end]
}

fn snapshot(name: &str, text: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, text).expect("write snapshot");
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{name} missing: UPDATE_SNAPSHOTS=1 to create"));
    assert!(expected == text, "{name} changed; review and UPDATE_SNAPSHOTS=1 if intended");
}

#[test]
fn main_snapshots() {
    let (_, site) = demo();
    snapshot("main_overview_en.html", main_of(&html(site, "en/index.html")));
    snapshot("main_province_02_km.html", main_of(&html(site, "km/province/02.html")));
    snapshot("main_commune_020101_en.html", main_of(&html(site, "en/commune/020101.html")));
}

#[test]
fn search_index_has_both_scripts_and_substrings_work_for_khmer() {
    let (_, site) = demo();
    let js = String::from_utf8(site["assets/search-index.js"].clone()).expect("utf-8");
    let json = js.trim_start_matches("window.FTC_SEARCH = ").trim_end().trim_end_matches(';');
    let entries: Vec<serde_json::Value> = serde_json::from_str(json).expect("json");
    assert_eq!(entries.len(), 4 + 375);
    // "ភ្នំពេញ" (Phnom Penh) is found inside "រាជធានីភ្នំពេញ" by substring, as search.js does.
    let hits: Vec<&str> = entries
        .iter()
        .filter(|e| e["km"].as_str().is_some_and(|k| k.contains("ភ្នំពេញ")))
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert!(hits.contains(&"12"), "{hits:?}");
}

#[test]
fn templates_can_be_overridden_by_the_project() {
    let (b, _) = demo();
    let mut overrides = std::collections::BTreeMap::new();
    overrides.insert(
        "page.html".to_string(),
        "{% extends \"base.html\" %}{% block main %}<h1>CUSTOM</h1>{{ body | safe }}{% endblock main %}".to_string(),
    );
    let (files, _) = ftc::build::load_render_inputs(
        &b.project.root,
        b.report.latest().map(|p| p.period),
        ftc::disclose::Audience::Internal,
    );
    let input = ftc::render::site::SiteInput {
        report: &b.report,
        dataset: &b.dataset,
        geography: &b.project.geography,
        edition: "test".into(),
        pages: files.pages,
        narratives: files.narratives,
        overrides,
        brief_communes: Vec::new(),
        changes: None,
        reason: String::new(),
        audience: "internal".into(),
        waiting: None,
        tables: None,
        sheets: None,
    };
    let site = ftc::render::site::render_site(&input).expect("renders");
    assert!(html(&site, "en/methodology.html").contains("<h1>CUSTOM</h1>"));
    // An override that reads the string table itself (`t.key`, not only `t["key"]`) is given it.
    let mut reads = std::collections::BTreeMap::new();
    reads.insert(
        "page.html".to_string(),
        "{% extends \"base.html\" %}{% block main %}<p id=\"t\">{{ t[\"footer\"] }}|{{ t.footer }}</p>{% endblock main %}"
            .to_string(),
    );
    let input = ftc::render::site::SiteInput { overrides: reads, ..input };
    let site = ftc::render::site::render_site(&input).expect("renders");
    for lang in ["en", "km"] {
        let page = html(&site, &format!("{lang}/methodology.html"));
        let text = page.split("<p id=\"t\">").nth(1).and_then(|p| p.split("</p>").next()).expect("the paragraph");
        let (literal, read) = text.split_once('|').expect("two halves");
        assert!(!literal.is_empty() && literal == read, "{lang}: {text}");
    }
    let mut broken = std::collections::BTreeMap::new();
    broken.insert("page.html".to_string(), "{% if %}".to_string());
    let input = ftc::render::site::SiteInput { overrides: broken, ..input };
    let err = ftc::render::site::render_site(&input).expect_err("a broken override is an error").to_string();
    assert!(err.contains("page.html"), "{err}");
}

#[test]
fn downloads_cover_every_area_and_read_back() {
    let (b, site) = demo();
    let cascade = String::from_utf8(site["downloads/cascade.csv"].clone()).expect("utf-8");
    let rows = cascade.lines().count() - 1;
    // Every area with a cascade in every period: 2 × (1 initiative + 4 provinces + districts + 375 communes).
    let expected: usize =
        b.report.by_period.values().map(|p| 1 + p.provinces.len() + p.districts.len() + p.communes.len()).sum();
    assert_eq!(rows, expected);
    assert!(cascade.contains("2026-Q3,commune,020101,Kantueu Muoy,កន្ទឺ ១,"), "Khmer names survive in UTF-8");
    // The workbook reads back through our own reader.
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("ftc-data.xlsx");
    std::fs::write(&path, &site["downloads/ftc-data.xlsx"]).expect("write");
    let read = ftc::ingest::read_file(&path, "ftc-data.xlsx", &ftc::project::Limits::default());
    assert!(read.findings.iter().all(|f| f.rule != ftc::finding::Rule::UnreadableFile), "{:?}", read.findings);
    let findings = String::from_utf8(site["downloads/findings.csv"].clone()).expect("utf-8");
    assert_eq!(findings.lines().count() - 1, 5, "the five planted warnings");
}

/// The diff leaves out rows two editions publish byte for byte, which is the same comparison only
/// while each table it matches row by row has one row per key (`publish::diff::KEYS`).
#[test]
fn downloads_have_one_row_per_key_of_the_diff() {
    let (_, site) = demo();
    for (name, key) in ftc::publish::diff::KEYS {
        let bytes = &site[&format!("downloads/{name}.csv")];
        let mut r = csv::Reader::from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
        let header = r.headers().expect("header").clone();
        let cols: Vec<usize> = key.iter().map(|k| header.iter().position(|h| h == *k).expect("a key column")).collect();
        let mut seen = std::collections::HashSet::new();
        let mut rows = 0;
        for rec in r.records() {
            let rec = rec.expect("a record");
            let k: Vec<String> = cols.iter().map(|c| rec[*c].to_string()).collect();
            assert!(seen.insert(k.clone()), "{name}: two rows for {k:?}");
            rows += 1;
        }
        assert!(rows > 100, "{name}: {rows} rows is too few to say anything");
    }
}

/// A cell as a reader gave it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Empty,
    Text(String),
    Number(f64),
}

/// A row as read, without the empty cells some readers give after its last value.
fn trimmed(row: &[Value]) -> &[Value] {
    &row[..row.iter().rposition(|v| *v != Value::Empty).map_or(0, |i| i + 1)]
}

/// Every sheet a reader found in the downloads workbook, by name, must hold what the CSV of the
/// same name holds: the header, then one row per record, text as text (Khmer too), numbers as
/// numbers, empty cells empty, nothing after the last record.
fn assert_sheets_match_csvs(reader: &str, site: &Site, sheets: &[(String, Vec<Vec<Value>>)]) {
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["cascade", "budget", "bottlenecks", "findings"], "{reader}");
    let mut gaps = 0;
    for (name, rows) in sheets {
        let csv = String::from_utf8(site[&format!("downloads/{name}.csv")].clone()).expect("utf-8");
        let mut csv = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<Value> = csv.headers().expect("header").iter().map(|h| Value::Text(h.into())).collect();
        assert_eq!(rows.first().map(|r| trimmed(r)), Some(&header[..]), "{reader}: {name}'s header");
        let records: Vec<csv::StringRecord> = csv.records().map(|r| r.expect("record")).collect();
        assert_eq!(rows.len(), records.len() + 1, "{reader}: {name}'s rows");
        for (r, rec) in records.iter().enumerate() {
            let row = trimmed(&rows[r + 1]);
            assert!(row.len() <= rec.len(), "{reader}: {name} row {}: cells past the last column", r + 1);
            for (c, field) in rec.iter().enumerate() {
                let cell = row.get(c).unwrap_or(&Value::Empty);
                let same = match cell {
                    Value::Empty => field.is_empty(),
                    Value::Text(s) => s == field,
                    Value::Number(n) => field.parse::<f64>().is_ok_and(|f| (f - n).abs() <= 1e-9 * n.abs().max(1.0)),
                };
                assert!(same, "{reader}: {name} row {} column {c}: sheet {cell:?}, CSV {field:?}", r + 1);
                // A value after an empty cell: its place came from its reference.
                gaps += usize::from(c > 0 && !field.is_empty() && rec[c - 1].is_empty());
            }
        }
    }
    // The demo has 9.
    assert!(gaps >= 5, "{reader}: only {gaps} cells follow an empty one: the test says little about references");
}

/// The sheets of a workbook as calamine reads them.
fn calamine_sheets(bytes: &[u8], ods: bool) -> Vec<(String, Vec<Vec<Value>>)> {
    use calamine::{Data, Reader};
    let mut wb = if ods {
        calamine::Sheets::Ods(calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("opens"))
    } else {
        calamine::Sheets::Xlsx(calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("opens"))
    };
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("sheet");
            assert_eq!(range.start().unwrap_or((0, 0)), (0, 0), "{name} starts at A1");
            let rows = range
                .rows()
                .map(|row| {
                    row.iter()
                        .map(|c| match c {
                            Data::Empty => Value::Empty,
                            Data::String(s) => Value::Text(s.clone()),
                            Data::Float(n) => Value::Number(*n),
                            Data::Int(n) => Value::Number(*n as f64),
                            other => panic!("{name}: unexpected {other:?}"),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// The workbook holds what the CSVs hold, read by calamine; and it is the same bytes when
/// rendered again.
#[test]
fn downloads_workbook_matches_the_csvs() {
    use calamine::{Data, Reader};
    let (b, site) = demo();
    let bytes = &site["downloads/ftc-data.xlsx"];
    assert_sheets_match_csvs("calamine", site, &calamine_sheets(bytes, false));
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).expect("calamine opens it");
    let cascade = wb.worksheet_range("cascade").expect("cascade");
    let row = cascade.rows().find(|r| r[2] == Data::String("020101".into())).expect("commune 020101");
    assert_eq!(row[4], Data::String("កន្ទឺ ១".into()), "Khmer survives");
    assert!(matches!(row[5], Data::Float(n) if n > 0.0), "PLHIV is a number: {:?}", row[5]);
    let (_, again, _) = render(b).expect("renders again");
    assert!(again["downloads/ftc-data.xlsx"] == *bytes, "the workbook is byte-identical when rendered again");
}

/// A test that needs an external tool: skips with a printed reason, unless under CI.
fn needs(tool: &str, why: &str) -> bool {
    if std::env::var_os("CI").is_some() {
        panic!("the {tool} check cannot run under CI: {why}");
    }
    println!("SKIP: {why}");
    false
}

/// openpyxl (what a data officer's script would use) opens the workbook, sees the frozen
/// header, and reads every cell as the CSVs hold it. Skips without python3 and openpyxl, unless
/// under CI (which installs them).
#[test]
fn downloads_workbook_opens_in_openpyxl() {
    let ok = std::process::Command::new("python3").args(["-c", "import openpyxl"]).output();
    if !ok.is_ok_and(|o| o.status.success())
        && !needs("openpyxl", "python3 with openpyxl not found (pip install openpyxl==3.1.5)")
    {
        return;
    }
    let (_, site) = demo();
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("ftc-data.xlsx");
    std::fs::write(&path, &site["downloads/ftc-data.xlsx"]).expect("write");
    let script = r#"
import sys, json, warnings, openpyxl
warnings.simplefilter("error")
wb = openpyxl.load_workbook(sys.argv[1])
print(wb.sheetnames)
ws = wb["cascade"]
print(ws.freeze_panes, ws.max_column, ws["E1"].value)
print(wb.properties.title, wb.properties.creator, wb.properties.created.isoformat())
row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[2] == "020101")
print(row[4], type(row[5]).__name__)
print(json.dumps([[n, [list(r) for r in wb[n].iter_rows(values_only=True)]] for n in wb.sheetnames]))
"#;
    let out = std::process::Command::new("python3").args(["-c", script]).arg(&path).output().expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "openpyxl: {}{}", text, String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "['cascade', 'budget', 'bottlenecks', 'findings']");
    assert_eq!(lines[1], "A2 24 name_km");
    assert!(lines[2].ends_with(" ftc 2026-01-01T00:00:00"), "{}", lines[2]);
    assert!(lines[3] == "កន្ទឺ ១ int" || lines[3] == "កន្ទឺ ១ float", "{}", lines[3]);
    let all: Vec<(String, Vec<Vec<serde_json::Value>>)> = serde_json::from_str(lines[4]).expect("json");
    let sheets: Vec<(String, Vec<Vec<Value>>)> = all
        .into_iter()
        .map(|(name, rows)| {
            let rows = rows
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|v| match v {
                            serde_json::Value::Null => Value::Empty,
                            serde_json::Value::String(s) => Value::Text(s),
                            serde_json::Value::Number(n) => Value::Number(n.as_f64().expect("a number")),
                            other => panic!("{name}: unexpected {other:?}"),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect();
    assert_sheets_match_csvs("openpyxl", site, &sheets);
}

/// LibreOffice opens the workbook and places every cell where the CSVs have it: it saves it as
/// ODS, read back by calamine. Skips without LibreOffice, unless under CI (which installs it).
#[test]
fn downloads_workbook_opens_in_libreoffice() {
    if std::process::Command::new("soffice").arg("--version").output().is_err()
        && !needs("LibreOffice", "LibreOffice not found (apt-get install libreoffice-calc-nogui)")
    {
        return;
    }
    let (_, site) = demo();
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("ftc-data.xlsx");
    std::fs::write(&path, &site["downloads/ftc-data.xlsx"]).expect("write");
    let o = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", dir.path().join("profile").display()))
        .args(["--headless", "--convert-to", "ods", "--outdir"])
        .arg(dir.path())
        .arg(&path)
        .output()
        .expect("soffice runs");
    let ods = std::fs::read(dir.path().join("ftc-data.ods"))
        .unwrap_or_else(|e| panic!("LibreOffice wrote no ODS ({e}): {}", String::from_utf8_lossy(&o.stderr)));
    assert_sheets_match_csvs("LibreOffice", site, &calamine_sheets(&ods, true));
}

#[test]
fn narrative_is_rendered_and_sanitised() {
    let (_, site) = demo();
    let page = html(site, "en/province/02.html");
    assert!(page.contains("What the action points show"));
    // A hostile narrative never reaches a page.
    let doc = ftc::render::markdown::parse(
        "+++\ntitle = \"x\"\n+++\nHi <script>alert(1)</script><img src=x onerror=alert(2)>",
    )
    .expect("parses");
    assert!(!doc.html.contains("<script") && !doc.html.contains("onerror"), "{}", doc.html);
    // The province page shows the budget chart with its expected-execution marker and text alternative.
    assert!(page.contains("Budget spent by category, against what is expected by now"));
    assert!(page.contains("Expected by now: 75.0% of the approved budget."));
}

#[test]
fn freeing_what_no_page_renders_changes_no_byte() {
    // The demo has two periods, each with budget lines: the earlier period's lines and the
    // validated rows are freed before publishing, and the site must not notice.
    let mut b = build(&root().join("data")).expect("demo builds");
    let earlier = b.report.by_period.values().next().expect("a period");
    assert!(b.report.by_period.len() >= 2 && earlier.communes.values().any(|a| !a.lines.is_empty()));
    assert!(!b.dataset.budget.is_empty());
    b.free_unrendered();
    let earlier = b.report.by_period.values().next().expect("a period");
    assert!(earlier.communes.values().all(|a| a.lines.is_empty()) && b.dataset.budget.is_empty());
    let latest = b.report.latest().expect("latest");
    assert!(latest.communes.values().any(|a| !a.lines.is_empty()), "the latest period's lines are kept");
    let (_, site, _) = render(&b).expect("renders");
    assert!(site == demo().1, "the site is the same");
}
