//! The attack test for small-cell suppression. For the public editions of the demo and of a
//! generated project with many small communes, collect what is published and try to recover
//! every hidden count exactly:
//!
//! - from the sums that hold among the published counts (commune → district → province →
//!   initiative), solved together by exact rational Gaussian elimination (written here, not
//!   borrowed from the code under test);
//! - from one sum and the bounds the marks give away ("<5" is 1 to 4, "*" is at least 0);
//! - from a percentage or gap published beside a hidden count (ratio × published denominator);
//! - across two editions of the same period side by side (a revision), taking every count whose
//!   true value did not change as one unknown.
//!
//! The truth comes from the internal edition of the same inputs, built by the same binary.
//! It also checks that the HTML pages, the XLSX workbook and the JSON publish nothing the CSV
//! does not, so the attack on the CSV covers them.

mod common;
use common::copy_dir;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ftc(args: &[&str]) {
    let o =
        Command::new(env!("CARGO_BIN_EXE_ftc")).args(args).env_remove("SOURCE_DATE_EPOCH").output().expect("ftc runs");
    assert!(
        o.status.success(),
        "ftc {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

const COUNTS: [&str; 5] = ["plhiv", "diagnosed", "on_art", "vl_tested", "vl_suppressed"];
/// Derived columns and the counts each is computed from.
const DERIVED: [(&str, [&str; 2]); 11] = [
    ("first_95", ["diagnosed", "plhiv"]),
    ("second_95", ["on_art", "diagnosed"]),
    ("third_95", ["vl_suppressed", "on_art"]),
    ("diagnosed_of_plhiv", ["diagnosed", "plhiv"]),
    ("on_art_of_plhiv", ["on_art", "plhiv"]),
    ("suppressed_of_plhiv", ["vl_suppressed", "plhiv"]),
    ("vl_coverage", ["vl_tested", "on_art"]),
    ("unadjusted_suppression", ["vl_suppressed", "vl_tested"]),
    ("gap_diagnosed", ["plhiv", "diagnosed"]),
    ("gap_on_art", ["plhiv", "on_art"]),
    ("gap_suppressed", ["plhiv", "vl_suppressed"]),
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Small(i128),
    Withheld,
    Empty,
}

fn tok(s: &str) -> Tok {
    let s = s.trim();
    if s.is_empty() {
        Tok::Empty
    } else if let Ok(v) = s.parse::<f64>() {
        Tok::Num(v)
    } else if let Some(t) = s.strip_prefix('<') {
        Tok::Small(t.parse().expect("threshold"))
    } else {
        assert_eq!(s, "*", "an unknown token in a count column");
        Tok::Withheld
    }
}

/// (period, code, column) → token.
type Cells = BTreeMap<(String, String, String), Tok>;

fn read_cascade_csv(edition: &Path) -> Cells {
    let bytes = std::fs::read(edition.join("downloads/cascade.csv")).expect("cascade.csv");
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&bytes).to_vec();
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = r.headers().expect("header").iter().map(String::from).collect();
    let mut out = Cells::new();
    for rec in r.records() {
        let rec = rec.expect("row");
        let get = |c: &str| rec.get(header.iter().position(|h| h == c).expect(c)).unwrap_or_default().to_string();
        let (period, code) = (get("period"), get("code"));
        for c in COUNTS.iter().chain(DERIVED.iter().map(|(d, _)| d)) {
            out.insert((period.clone(), code.clone(), c.to_string()), tok(&get(c)));
        }
    }
    out
}

/// The XLSX workbook's cascade sheet must say exactly what the CSV says.
fn xlsx_agrees(edition: &Path, csv: &Cells) {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(edition.join("downloads/ftc-data.xlsx")).expect("xlsx");
    let range = wb.worksheet_range("cascade").expect("cascade sheet");
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().expect("header").iter().map(|c| c.to_string()).collect();
    let col = |c: &str| header.iter().position(|h| h == c).expect(c);
    for row in rows {
        let text = |c: &str| match &row[col(c)] {
            Data::Float(f) => format!("{f}"),
            Data::Int(i) => format!("{i}"),
            d => d.to_string(),
        };
        let (period, code) = (text("period"), text("code"));
        for c in COUNTS.iter().chain(DERIVED.iter().map(|(d, _)| d)) {
            let x = tok(&text(c));
            let y = &csv[&(period.clone(), code.clone(), c.to_string())];
            match (&x, y) {
                (Tok::Num(a), Tok::Num(b)) => assert!((a - b).abs() < 1e-9, "{period} {code} {c}: xlsx {a}, csv {b}"),
                _ => assert_eq!(&x, y, "{period} {code} {c}: the workbook and the CSV disagree"),
            }
        }
    }
}

/// ASCII digits from Khmer ones, without group separators: numbers from either language.
fn normalise(s: &str, lang: &str) -> String {
    let sep = if lang == "km" { '.' } else { ',' };
    s.replace("&lt;", "<")
        .chars()
        .filter(|c| *c != sep)
        .map(|c| if ('០'..='៩').contains(&c) { char::from(b'0' + (c as u32 - '០' as u32) as u8) } else { c })
        .collect()
}

/// The people and gap columns of an area page's cascade table must be the CSV's tokens.
fn html_agrees(edition: &Path, csv: &Cells, period: &str) {
    let mut checked = 0;
    for lang in ["en", "km"] {
        for (dir, len) in [("commune", 6), ("province", 2)] {
            let folder = edition.join(lang).join(dir);
            for entry in std::fs::read_dir(&folder).expect("pages").flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(code) = name.strip_suffix(".html").filter(|c| c.len() == len) else { continue };
                let html = std::fs::read_to_string(entry.path()).expect("page");
                let Some(start) = html.find("<tbody>") else { continue };
                let body = &html[start..start + html[start..].find("</tbody>").expect("end")];
                let rows: Vec<Vec<String>> = body
                    .split("<tr>")
                    .skip(1)
                    .map(|r| {
                        r.split("<td class=\"num\">")
                            .skip(1)
                            .map(|c| normalise(&c[..c.find("</td>").unwrap_or(0)], lang))
                            .collect()
                    })
                    .collect();
                assert_eq!(rows.len(), 4, "{lang}/{dir}/{name}: four stage rows");
                let want = |c: &str| match &csv[&(period.to_string(), code.to_string(), c.to_string())] {
                    Tok::Num(v) => format!("{v}"),
                    Tok::Small(t) => format!("<{t}"),
                    Tok::Withheld => "*".into(),
                    Tok::Empty => String::new(),
                };
                for (i, c) in ["plhiv", "diagnosed", "on_art", "vl_suppressed"].iter().enumerate() {
                    assert_eq!(rows[i][0], want(c), "{lang}/{dir}/{name}: people, {c}");
                }
                for (i, c) in ["gap_diagnosed", "gap_on_art", "gap_suppressed"].iter().enumerate() {
                    assert_eq!(rows[i + 1][3], want(c), "{lang}/{dir}/{name}: gap, {c}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no area page was checked");
}

/// The search index and the manifest carry no count: names, codes, links and hashes only.
fn json_has_no_counts(edition: &Path) {
    let js = std::fs::read_to_string(edition.join("assets/search-index.js")).expect("search index");
    {
        let json = js.strip_prefix("window.FTC_SEARCH = ").expect("the index's prefix");
        let v: serde_json::Value = serde_json::from_str(json.trim().trim_end_matches(';')).expect("search index JSON");
        for e in v.as_array().expect("array") {
            let keys: BTreeSet<&str> = e.as_object().expect("object").keys().map(String::as_str).collect();
            assert_eq!(keys, BTreeSet::from(["code", "en", "km", "href"]), "search index entries carry names only");
        }
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(edition.join("edition.json")).expect("manifest")).expect("json");
    assert_eq!(m["audience"], "public");
}

// ---- exact rational arithmetic -------------------------------------------------------------

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Q(i128, i128);

impl Q {
    fn new(n: i128, d: i128) -> Q {
        let g = gcd(n, d).max(1);
        let s = if d < 0 { -1 } else { 1 };
        Q(s * n / g, s * d / g)
    }
    fn zero(self) -> bool {
        self.0 == 0
    }
    fn sub(self, o: Q) -> Q {
        Q::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Q) -> Q {
        Q::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Q) -> Q {
        Q::new(self.0 * o.1, self.1 * o.0)
    }
}

/// Unknowns that `rows` (coefficients over unknowns, then the right-hand side) determine,
/// with their values.
fn solve(n: usize, mut rows: Vec<(Vec<Q>, Q)>) -> BTreeMap<usize, Q> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..n {
        let Some(p) = (r..rows.len()).find(|i| !rows[*i].0[c].zero()) else { continue };
        rows.swap(r, p);
        let pv = rows[r].0[c];
        let (coef, rhs) = rows[r].clone();
        let coef: Vec<Q> = coef.iter().map(|x| x.div(pv)).collect();
        let rhs = rhs.div(pv);
        rows[r] = (coef.clone(), rhs);
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && !row.0[c].zero() {
                let f = row.0[c];
                for (x, k) in row.0.iter_mut().zip(&coef) {
                    *x = x.sub(f.mul(*k));
                }
                row.1 = row.1.sub(f.mul(rhs));
            }
        }
        pivots.push(c);
        r += 1;
    }
    let mut out = BTreeMap::new();
    for (i, &c) in pivots.iter().enumerate() {
        if (0..n).all(|k| k == c || rows[i].0[k].zero()) {
            out.insert(c, rows[i].1);
        }
    }
    out
}

fn parent(code: &str) -> Option<String> {
    match code.len() {
        2 => Some("FTCI".into()),
        4 => Some(code[..2].into()),
        6 => Some(code[..4].into()),
        _ => None,
    }
}

/// Every recovery of a hidden count from the published editions (one or several of the same
/// site); `truth[e]` is the internal edition of the same inputs as `published[e]`.
fn attack(published: &[Cells], truth: &[Cells]) -> Vec<String> {
    let mut found = Vec::new();
    let value = |t: &Tok| match t {
        Tok::Num(v) => *v as i128,
        _ => panic!("the internal edition hides nothing"),
    };
    // 1. Derived figures published beside a hidden input: ratio × denominator gives it back.
    for (e, cells) in published.iter().enumerate() {
        for ((period, code, col), t) in cells {
            let Some((_, inputs)) = DERIVED.iter().find(|(d, _)| d == col) else { continue };
            if matches!(t, Tok::Num(_))
                && inputs.iter().any(|i| {
                    matches!(cells[&(period.clone(), code.clone(), i.to_string())], Tok::Small(_) | Tok::Withheld)
                })
            {
                found.push(format!("edition {e}: {period} {code}: {col} is published beside a hidden count"));
            }
        }
    }
    // 2 and 3. Sums, one at a time with bounds, then all together (and across editions).
    let periods: BTreeSet<String> = published.iter().flat_map(|c| c.keys().map(|k| k.0.clone())).collect();
    for period in &periods {
        for col in COUNTS {
            // Unknowns: (edition, code) hidden; the same true value in two editions is one unknown.
            let mut unknown: BTreeMap<(usize, String), usize> = BTreeMap::new();
            let mut same: BTreeMap<(String, i128), usize> = BTreeMap::new();
            let mut truth_of: Vec<i128> = Vec::new();
            let mut label: Vec<String> = Vec::new();
            let mut rows: Vec<(Vec<(usize, i128)>, i128)> = Vec::new();
            for (e, cells) in published.iter().enumerate() {
                let key = |code: &str| (period.clone(), code.to_string(), col.to_string());
                let codes: Vec<String> =
                    cells.keys().filter(|k| &k.0 == period && k.2 == col).map(|k| k.1.clone()).collect();
                for code in &codes {
                    if matches!(cells[&key(code)], Tok::Small(_) | Tok::Withheld) {
                        let v = value(&truth[e][&key(code)]);
                        let id = *same.entry((code.clone(), v)).or_insert_with(|| {
                            truth_of.push(v);
                            label.push(format!("{period} {code} {col}"));
                            truth_of.len() - 1
                        });
                        unknown.insert((e, code.clone()), id);
                    }
                }
                let mut kids: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for code in &codes {
                    if let Some(p) = parent(code).filter(|p| codes.contains(p)) {
                        kids.entry(p).or_default().push(code.clone());
                    }
                }
                for (p, children) in kids {
                    let t = |c: &str| value(&truth[e][&key(c)]);
                    if children.iter().map(|c| t(c)).sum::<i128>() != t(&p) {
                        continue; // the relation does not hold: no attacker can use it
                    }
                    // Σ children − parent = 0, shown cells to the right.
                    let mut coef = Vec::new();
                    let mut rhs = 0i128;
                    for (c, a) in children.iter().map(|c| (c.as_str(), 1i128)).chain([(p.as_str(), -1i128)]) {
                        match &cells[&key(c)] {
                            Tok::Num(v) => rhs -= a * (*v as i128),
                            _ => coef.push((unknown[&(e, c.to_string())], a)),
                        }
                    }
                    if !coef.is_empty() {
                        // Bounds on one sum: "<t" is 1..t−1, "*" is ≥ 0.
                        let bound = |c: &str| match &cells[&key(c)] {
                            Tok::Small(t) => (1, Some(t - 1)),
                            _ => (0, None),
                        };
                        let members: Vec<(String, i128)> =
                            children.iter().map(|c| (c.clone(), 1)).chain([(p.clone(), -1)]).collect();
                        let hidden: Vec<&(String, i128)> =
                            members.iter().filter(|(c, _)| !matches!(cells[&key(c)], Tok::Num(_))).collect();
                        for (j, (cj, aj)) in hidden.iter().enumerate() {
                            let (mut lo, mut hi) = (Some(0i128), Some(0i128));
                            for (i, (ci, ai)) in hidden.iter().enumerate() {
                                if i == j {
                                    continue;
                                }
                                let (l, h) = bound(ci);
                                let (rl, rh) = if *ai > 0 { (Some(l), h) } else { (h.map(|h| -h), Some(-l)) };
                                lo = lo.zip(rl).map(|(a, b)| a + b);
                                hi = hi.zip(rh).map(|(a, b)| a + b);
                            }
                            // aj·xj ∈ [rhs − hi, rhs − lo]
                            let (l, h) = bound(cj);
                            let (mut xl, mut xh) = (l, h);
                            let (from, to) = (hi.map(|hi| rhs - hi), lo.map(|lo| rhs - lo));
                            if *aj > 0 {
                                if let Some(f) = from {
                                    xl = xl.max(f);
                                }
                                if let Some(t) = to {
                                    xh = Some(xh.map_or(t, |x| x.min(t)));
                                }
                            } else {
                                if let Some(t) = to {
                                    xl = xl.max(-t);
                                }
                                if let Some(f) = from {
                                    xh = Some(xh.map_or(-f, |x| x.min(-f)));
                                }
                            }
                            if xh == Some(xl) {
                                found.push(format!(
                                    "edition {e}: {period} {cj} {col} = {xl} from the sum under {p} and the marks' bounds"
                                ));
                            }
                        }
                        rows.push((coef, rhs));
                    }
                }
            }
            let n = truth_of.len();
            if n == 0 {
                continue;
            }
            let dense: Vec<(Vec<Q>, Q)> = rows
                .iter()
                .map(|(coef, rhs)| {
                    let mut v = vec![Q(0, 1); n];
                    for (i, a) in coef {
                        v[*i] = Q::new(*a, 1);
                    }
                    (v, Q::new(*rhs, 1))
                })
                .collect();
            for (i, q) in solve(n, dense) {
                assert_eq!(q, Q::new(truth_of[i], 1), "the relations are true, so a solution is the truth");
                found.push(format!("{} = {} from the sums", label[i], truth_of[i]));
            }
        }
    }
    found
}

fn hidden_count(c: &Cells) -> usize {
    c.iter().filter(|(k, t)| COUNTS.contains(&k.2.as_str()) && matches!(t, Tok::Small(_) | Tok::Withheld)).count()
}

fn only_edition(site: &Path) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(site)
        .expect("site")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("edition.json").is_file())
        .collect();
    dirs.sort();
    dirs.pop().expect("an edition")
}

/// A project whose communes are often small: the demo's config and geography, and CSV cascade
/// submissions for two periods with counts drawn from a fixed seed.
fn generated_project(dir: &Path, seed: u64, bump: Option<&str>) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::copy(root().join("data/ftc.toml"), dir.join("ftc.toml")).expect("config");
    std::fs::copy(root().join("data/geography.csv"), dir.join("geography.csv")).expect("geography");
    let geo = ftc::geography::Geography::builtin();
    let mut s = seed;
    let mut next = move |n: u64| {
        // SplitMix64
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    };
    for (period, submitted) in [("2026-Q2", "2026-07-10"), ("2026-Q3", "2026-10-10")] {
        for prov in ["01", "02", "12", "17"] {
            let folder = dir.join("submissions").join(period).join(prov);
            std::fs::create_dir_all(&folder).expect("mkdir");
            let mut text = format!(
                "Submitted,{submitted}\nPeriod,{period}\narea_code,area_name,sex,age_group,plhiv,diagnosed,on_art,vl_tested,vl_suppressed\n"
            );
            for c in geo.communes_of_province(prov) {
                let plhiv = if next(3) == 0 { next(9) } else { 5 + next(60) };
                let diagnosed = plhiv - next(plhiv / 5 + 1);
                let on_art = diagnosed - next(diagnosed / 5 + 1);
                let tested = on_art - next(on_art / 4 + 1);
                let suppressed = tested - next(tested / 6 + 1);
                // The revision corrects one commune's counts (10 more at every stage) and
                // nothing else.
                let more = if period == "2026-Q3" && bump == Some(c.code.as_str()) { 10 } else { 0 };
                let [plhiv, diagnosed, on_art, tested, suppressed] =
                    [plhiv, diagnosed, on_art, tested, suppressed].map(|v| v + more);
                text.push_str(&format!(
                    "{},{},,,{plhiv},{diagnosed},{on_art},{tested},{suppressed}\n",
                    c.code,
                    c.name_en.replace(',', " ")
                ));
            }
            std::fs::write(folder.join("cascade.csv"), text).expect("write");
        }
    }
}

/// Build `project` public into `site` and internal into `internal`; return the newest edition
/// of each.
fn build_both(project: &Path, site: &Path, internal: &Path) -> (PathBuf, PathBuf) {
    let s = |p: &Path| p.to_str().expect("utf-8").to_string();
    ftc(&["build", &s(project), "--out", &s(site)]);
    ftc(&["build", &s(project), "--out", &s(internal), "--audience", "internal"]);
    (newest(site), newest(internal))
}

fn newest(site: &Path) -> PathBuf {
    let latest = site.join("latest");
    std::fs::read_link(&latest).map(|t| site.join(t)).unwrap_or_else(|_| only_edition(site))
}

fn check_edition(public: &Path, internal: &Path) -> (Cells, Cells) {
    let p = read_cascade_csv(public);
    let t = read_cascade_csv(internal);
    assert_eq!(hidden_count(&t), 0, "the internal edition hides nothing");
    xlsx_agrees(public, &p);
    let latest = p.keys().map(|k| k.0.clone()).max().expect("a period");
    html_agrees(public, &p, &latest);
    json_has_no_counts(public);
    // Figures large enough stay visible: every shown count equals the truth.
    for (k, v) in &p {
        if let Tok::Num(x) = v {
            if COUNTS.contains(&k.2.as_str()) {
                assert_eq!(Tok::Num(*x), t[k], "{k:?}: a shown count differs from the truth");
            }
        } else if let Tok::Small(th) = v {
            let Tok::Num(x) = t[k] else { panic!() };
            assert!(x >= 1.0 && (x as i128) < *th, "{k:?}: '<{th}' must hold {x}");
        }
    }
    // Every small count is hidden.
    for (k, v) in &t {
        if let Tok::Num(x) = v
            && COUNTS.contains(&k.2.as_str())
            && *x >= 1.0
            && *x < 5.0
        {
            assert!(matches!(p[k], Tok::Small(5)), "{k:?} = {x} is shown on the public site");
        }
    }
    (p, t)
}

#[test]
fn the_demo_hides_its_small_counts_and_none_can_be_recovered() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (public, internal) = build_both(&root().join("data"), &tmp.path().join("site"), &tmp.path().join("internal"));
    let (p, t) = check_edition(&public, &internal);
    assert!(hidden_count(&p) > 0, "the demo has small communes, so something is hidden");
    let found = attack(&[p], &[t]);
    assert!(found.is_empty(), "recovered:\n{}", found.join("\n"));
}

#[test]
fn a_generated_project_and_its_revision_resist_the_attack() {
    let tmp = tempfile::tempdir().expect("tmp");
    let project = tmp.path().join("project");
    generated_project(&project, 7, None);
    let (site, internal) = (tmp.path().join("site"), tmp.path().join("internal"));
    let (pub1, int1) = build_both(&project, &site, &internal);
    let (p1, t1) = check_edition(&pub1, &int1);
    let hidden = hidden_count(&p1);
    assert!(hidden > 100, "a project of small communes hides many counts ({hidden})");
    let found = attack(std::slice::from_ref(&p1), std::slice::from_ref(&t1));
    assert!(found.is_empty(), "recovered from one edition:\n{}", found.join("\n"));

    // A revision corrects one commune's small counts to ten more each (no longer small); the
    // second edition sits beside the first on the same site.
    // Were the first edition's hidden cells not kept hidden, the complement that protected the
    // small count would now be shown, unchanged, and give the first edition's count away.
    let small = p1
        .iter()
        .find(|(k, v)| k.0 == "2026-Q3" && k.1.len() == 6 && k.2 == "vl_suppressed" && matches!(v, Tok::Small(_)))
        .map(|(k, _)| k.1.clone())
        .expect("a small commune");
    std::fs::remove_dir_all(&project).expect("rm");
    generated_project(&project, 7, Some(&small));
    let (pub2, int2) = build_both(&project, &site, &internal);
    assert_ne!(pub1, pub2, "a revision");
    let (p2, t2) = check_edition(&pub2, &int2);
    for (k, v) in &p1 {
        if k.0 == "2026-Q3" && !matches!(v, Tok::Num(_)) && COUNTS.contains(&k.2.as_str()) {
            assert!(!matches!(p2[k], Tok::Num(_)), "{k:?} hidden in the first edition is shown in its revision");
        }
    }
    let found = attack(&[p1, p2], &[t1, t2]);
    assert!(found.is_empty(), "recovered from two editions side by side:\n{}", found.join("\n"));
}

#[test]
fn the_public_site_and_the_internal_pack_never_share_a_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let site = tmp.path().join("site");
    let s = |p: &Path| p.to_str().expect("utf-8").to_string();
    ftc(&["build", &s(&root().join("data")), "--out", &s(&site)]);
    for out in [site.clone(), site.join("internal")] {
        let o = Command::new(env!("CARGO_BIN_EXE_ftc"))
            .args(["build", &s(&root().join("data")), "--out", &s(&out), "--audience", "internal"])
            .output()
            .expect("runs");
        assert!(!o.status.success(), "an internal build into {} must be refused", out.display());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("public"), "the refusal says why: {err}");
    }
    copy_dir(&root().join("data"), &tmp.path().join("p"));
    // The internal pack built beside it is fine, and holds every number.
    ftc(&["build", &s(&tmp.path().join("p")), "--out", &s(&tmp.path().join("internal")), "--audience", "internal"]);
    let m = std::fs::read_to_string(newest(&tmp.path().join("internal")).join("edition.json")).expect("manifest");
    assert!(m.contains("\"audience\": \"internal\""), "{m}");
}

#[test]
fn internal_pages_and_narratives_stay_out_of_the_public_site() {
    let tmp = tempfile::tempdir().expect("tmp");
    let project = tmp.path().join("p");
    copy_dir(&root().join("data"), &project);
    std::fs::write(
        project.join("pages/secret.md"),
        "+++\ntitle = \"Secret page\"\naudience = \"internal\"\n+++\n\nMARKER-PAGE-7731\n",
    )
    .expect("page");
    std::fs::write(
        project.join("narratives/2026-Q3/12-notes.md"),
        "+++\ntitle = \"Phnom Penh notes\"\naudience = \"internal\"\n+++\n\nMARKER-NARRATIVE-7731\n",
    )
    .expect("narrative");
    let (public, internal) = build_both(&project, &tmp.path().join("site"), &tmp.path().join("internal"));
    let grep = |dir: &Path, what: &str| -> Vec<String> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .filter(|e| std::fs::read(e.path()).is_ok_and(|b| b.windows(what.len()).any(|w| w == what.as_bytes())))
            .map(|e| e.path().display().to_string())
            .collect()
    };
    for marker in ["MARKER-PAGE-7731", "MARKER-NARRATIVE-7731", "Secret page"] {
        assert!(grep(&public, marker).is_empty(), "{marker} reached the public site: {:?}", grep(&public, marker));
    }
    assert!(!public.join("en/secret.html").exists());
    assert!(
        std::fs::read_to_string(internal.join("en/secret.html")).expect("internal page").contains("MARKER-PAGE-7731")
    );
    let pp = std::fs::read_to_string(internal.join("en/province/12.html")).expect("province page");
    assert!(pp.contains("MARKER-NARRATIVE-7731"), "the internal pack shows the narrative");
}
