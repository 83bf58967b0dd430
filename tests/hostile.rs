//! Hostile input. Text from a cell, a sheet name, a file name, the geography, `ftc.toml`, front
//! matter or Markdown never becomes markup, script or a formula in any output file; symbolic
//! links out of the project are not followed; oversize files, zip bombs and huge sheets end in
//! a finding within bounded memory; CSV that is not UTF-8 is decoded or refused, never garbled.
//!
//! The bombs run `ftc check` in a child process under `ulimit -v` and `timeout`, and read its
//! peak resident memory from `/usr/bin/time`; no test asserts on wall-clock time.

use ftc::build::{build, render};
use ftc::finding::Severity;
use ftc::render::site::Site;
use std::path::{Path, PathBuf};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A copy of the demo project in a fresh temporary folder.
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("project");
    copy_dir(&demo(), &root);
    (dir, root)
}

// ---------------------------------------------------------------------------------------------
// Markup, script and formulas
// ---------------------------------------------------------------------------------------------

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
const SVG_BREAK: &str = "</svg><script>alert(2)</script>";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";

fn write_xlsx(path: &Path, sheets: &[(&str, Vec<Vec<&str>>)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet().set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(n) => ws.write_number(r as u32, c as u16, n).expect("write"),
                    Err(_) => ws.write_string(r as u32, c as u16, *v).expect("write"),
                };
            }
        }
    }
    wb.save(path).expect("save");
}

/// The demo project with hostile text in every place text comes from.
fn hostile_project() -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = demo_copy();
    // ftc.toml: the title reaches every page, the briefs and the workbook's properties.
    let toml = std::fs::read_to_string(root.join("ftc.toml")).expect("toml");
    let title = format!("title = {:?}", format!("Demo {SCRIPT} {IMG} {SVG_BREAK}"));
    let toml: String = toml
        .lines()
        .map(|l| if l.starts_with("title =") { title.clone() } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(root.join("ftc.toml"), toml).expect("w");

    // geography.csv: names reach pages, charts, the search index and the downloads.
    let geo = std::fs::read_to_string(root.join("geography.csv")).expect("geo");
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let geo: String = geo
        .lines()
        .map(|l| match l.split(',').next() {
            Some("12") => format!("12,province,,{},{}", quote(&format!("Phnom Penh {SCRIPT}")), quote(IMG)),
            Some("1201") => format!("1201,district,12,{},{}", quote(SVG_BREAK), quote(FORMULA)),
            Some("120101") => {
                format!("120101,commune,1201,{},{}", quote(&format!("{IMG}{SCRIPT}")), quote("@SUM(1+1)"))
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(root.join("geography.csv"), geo + "\n").expect("w");

    // A workbook whose file name, sheet names and cells are hostile.
    let prov = root.join("submissions/2026-Q3/12-phnom-penh");
    let budget = vec![
        vec!["area_code", "activity", "category", "funding_source", "currency", "approved", "released", "spent"],
        vec!["120101", SCRIPT, "testing", FORMULA, "USD", "1000", "800", "700"],
        vec!["120101", IMG, IMG, "-2+3", "USD", "500", "", "100"],
        vec!["=1+2", "@SUM(A1)", "testing", "+cmd|' /C calc'!A0", "USD", "-2+3", "", "\tx"],
    ];
    let cascade = vec![
        vec!["area_code", "area_name", "plhiv", "diagnosed", "on_art", "vl_tested", "vl_suppressed"],
        vec![SCRIPT, IMG, "10", "9", "8", "7", "6"],
        vec!["120101", SVG_BREAK, "=cmd", "9", "8", "7", "6"],
    ];
    write_xlsx(
        &prov.join("\"><img src=x onerror=alert(1)> <svg onload=alert(1)>.xlsx"),
        &[("\"><svg onload=alert(1)>", budget), ("<img src=x onerror=alert(1)>", cascade)],
    );
    // A CSV whose name and cells are hostile.
    std::fs::write(
        prov.join("<script>alert(1)<\\script>.csv"),
        format!(
            "area_code,area_name,plhiv,diagnosed,on_art,vl_tested,vl_suppressed\n120101,\"{}\",10,9,8,7,6\n\"@x\",=1,2,3,4,5,6\n",
            SVG_BREAK
        ),
    )
    .expect("w");

    // A free page with hostile front matter and body, and one with a hostile file name.
    let body = format!(
        "+++\ntitle = {:?}\n+++\n# Hello {SCRIPT}\n\n{IMG}\n\n<a href=\"javascript:alert(3)\">x</a> \
         <a href=\"JaVaScRiPt:alert(4)\">y</a> [z](javascript:alert(5)) <iframe src=\"https://evil.example\"></iframe>\n\n\
         <svg><script>alert(6)</script></svg> <div onclick=\"alert(7)\" style=\"background:url(javascript:alert(8))\">d</div>\n\n\
         <object data=\"x\"></object><embed src=\"x\"><base href=\"https://evil.example/\"><form action=\"javascript:alert(9)\"><input></form>\n",
        format!("</title>{SCRIPT}{IMG}")
    );
    std::fs::write(root.join("pages/hostile.md"), &body).expect("w");
    std::fs::write(root.join("pages/<svg onload=alert(1)>.md"), &body).expect("w");
    // A narrative with hostile front matter, action points and body.
    let narrative = format!(
        "+++\ntitle = {:?}\n[[action_points]]\naction = {:?}\nwho = {:?}\nby_when = {:?}\nstatus = {:?}\n+++\n{SCRIPT}\n\n{IMG}\n\n[a](javascript:alert(1))\n",
        SCRIPT, IMG, SVG_BREAK, FORMULA, SCRIPT
    );
    std::fs::write(root.join("narratives/2026-Q3/12-phnom-penh.md"), narrative).expect("w");
    (dir, root)
}

/// Tags in an HTML or SVG text: `(name, the whole tag)` for every `<name ...>` and `</name>`.
fn tags(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(off) = text[i..].find('<') {
        let start = i + off;
        let next = bytes.get(start + 1).copied().unwrap_or(b' ');
        if next.is_ascii_alphabetic() || next == b'/' || next == b'!' {
            let end = text[start..].find('>').map_or(text.len(), |e| start + e + 1);
            let tag = &text[start..end];
            let name: String = tag[1..]
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':' || *c == '!')
                .collect::<String>()
                .to_ascii_lowercase();
            out.push((name, tag.to_string()));
            i = end;
        } else {
            i = start + 1;
        }
    }
    out
}

/// What must never be in a page: a script that is not one of the site's own assets, an
/// element that loads or runs something, an event-handler attribute, a `javascript:` URL, or
/// anything from the input inside a tag.
fn executable_markup(path: &str, text: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for (name, tag) in tags(text) {
        let lower = tag.to_ascii_lowercase();
        let own_script = name == "script"
            && (lower.starts_with("</script") || (lower.contains(" src=\"") && lower.contains("assets/")));
        // The site's own forms, inputs and redirect are templates; from input, they would carry
        // an `alert(` and be caught below.
        if (name == "script" && !own_script) || ["iframe", "object", "embed", "base", "frame"].contains(&name.as_str())
        {
            bad.push(format!("{path}: element {tag}"));
        }
        let attrs = lower.split_whitespace().skip(1);
        for a in attrs {
            if a.starts_with("on") && a.contains('=') {
                bad.push(format!("{path}: event handler in {tag}"));
            }
        }
        if lower.contains("javascript:") || lower.contains("alert(") || lower.contains("vbscript:") {
            bad.push(format!("{path}: input inside a tag: {tag}"));
        }
    }
    // Script bodies: the site's scripts are files, so every <script> is empty.
    let lower = text.to_ascii_lowercase();
    for (i, _) in lower.match_indices("<script") {
        let open_end = lower[i..].find('>').map_or(lower.len(), |e| i + e + 1);
        if !lower[open_end..].starts_with("</script>") {
            bad.push(format!("{path}: a script with a body at byte {i}"));
        }
    }
    bad
}

/// A text that a spreadsheet would run as a formula.
fn formula_like(s: &str) -> bool {
    matches!(s.trim_start_matches([' ', '\u{a0}']).chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n'))
        && !s.trim().parse::<f64>().is_ok_and(f64::is_finite)
}

fn check_csv(path: &str, bytes: &[u8], bad: &mut Vec<String>) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap_or_else(|e| panic!("{path}: record {i}: {e}"));
        for f in rec.iter() {
            if formula_like(f) {
                bad.push(format!("{path}: line {}: formula-like field {f:?}", i + 1));
            }
        }
    }
}

fn check_xlsx(path: &str, bytes: &[u8], bad: &mut Vec<String>) {
    use calamine::{Data, Reader, Xlsx};
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("our xlsx opens");
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet");
        for (r, c, v) in range.used_cells() {
            if let Data::String(s) = v
                && formula_like(s)
            {
                bad.push(format!("{path} › {name} › R{}C{}: formula-like text {s:?}", r + 1, c + 1));
            }
        }
        let formulas = wb.worksheet_formula(&name).expect("formulas");
        if formulas.used_cells().next().is_some() {
            bad.push(format!("{path} › {name}: has formulas"));
        }
    }
}

fn check_script_json(path: &str, text: &str, bad: &mut Vec<String>) -> Option<serde_json::Value> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("</script") || lower.contains("<!--") || lower.contains('<') {
        bad.push(format!("{path}: '<' in a script"));
    }
    let json = text.strip_prefix("window.FTC_SEARCH = ")?.trim_end().strip_suffix(';')?;
    match serde_json::from_str(json) {
        Ok(v) => Some(v),
        Err(e) => {
            bad.push(format!("{path}: not JSON: {e}"));
            None
        }
    }
}

/// Every output path is relative, inside the edition and made of plain name characters.
fn unsafe_paths(site: &Site) -> Vec<String> {
    site.keys()
        .filter(|p| {
            p.starts_with('/')
                || p.split('/').any(|part| {
                    part.is_empty()
                        || part == ".."
                        || part == "."
                        || !part.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
                })
        })
        .cloned()
        .collect()
}

#[test]
fn hostile_text_never_becomes_markup_script_or_formula_in_any_output() {
    let (_dir, root) = hostile_project();
    let b = build(&root).expect("builds");
    let (_, site, problems) = render(&b).expect("renders");
    let mut bad = unsafe_paths(&site).into_iter().map(|p| format!("unsafe output path {p:?}")).collect::<Vec<_>>();
    let mut index = None;
    for (path, bytes) in &site {
        let ext = path.rsplit('.').next().unwrap_or("");
        match ext {
            "html" | "svg" => {
                let text = std::str::from_utf8(bytes).expect("utf-8");
                bad.extend(executable_markup(path, text));
                // Inline SVG charts are checked as part of their page; their text must be text.
                for (i, _) in text.match_indices("<svg") {
                    let end = text[i..].find("</svg>").map_or(text.len(), |e| i + e);
                    bad.extend(executable_markup(&format!("{path} (svg at {i})"), &text[i..end]));
                }
            }
            "js" if path.ends_with("search-index.js") => {
                index = check_script_json(path, std::str::from_utf8(bytes).expect("utf-8"), &mut bad);
            }
            "js" | "css" => {
                let text = std::str::from_utf8(bytes).expect("utf-8");
                assert!(!text.contains("alert("), "{path} carries input");
            }
            "csv" => check_csv(path, bytes, &mut bad),
            "xlsx" => check_xlsx(path, bytes, &mut bad),
            "json" => {
                if let Err(e) = serde_json::from_slice::<serde_json::Value>(bytes) {
                    bad.push(format!("{path}: not JSON: {e}"));
                }
            }
            other => bad.push(format!("{path}: an output of unexpected kind .{other}; check it here")),
        }
    }
    assert!(bad.is_empty(), "{} problem(s):\n{}", bad.len(), bad.join("\n"));

    // The input did reach the output, as text: the checks above were not vacuous.
    let page = String::from_utf8(site["en/province/12.html"].clone()).expect("utf-8");
    assert!(page.contains("Phnom Penh &lt;script&gt;"), "escaped name on the province page");
    let quality = String::from_utf8(site["en/quality.html"].clone()).expect("utf-8");
    assert!(quality.contains("&lt;img src=x onerror=alert(1)&gt;"), "hostile sheet or file name shown as text");
    let hostile = String::from_utf8(site["en/hostile.html"].clone()).expect("utf-8");
    assert!(hostile.contains("&lt;&#x2F;title&gt;&lt;script&gt;"), "front matter title shown as text");
    let findings = String::from_utf8(site["downloads/findings.csv"].clone()).expect("utf-8");
    assert!(findings.contains("'=1+2") || findings.contains("'=cmd"), "formula-like values neutralised:\n{findings}");
    assert!(findings.contains("<svg onload=alert(1)>.xlsx"), "hostile file name in the findings table:\n{findings}");
    let budget = String::from_utf8(site["downloads/budget.csv"].clone()).expect("utf-8");
    assert!(budget.contains("'=HYPERLINK"), "funding source neutralised:\n{budget}");
    // JSON in a script: the hostile names survive exactly, escaped, not mangled.
    let index = index.expect("search index");
    let names: Vec<&str> = index.as_array().expect("array").iter().filter_map(|e| e["en"].as_str()).collect();
    assert!(names.contains(&format!("Phnom Penh {SCRIPT}").as_str()), "{names:?}");
    assert!(names.contains(&format!("{IMG}{SCRIPT}").as_str()), "{names:?}");
    // The page whose file name is markup is refused with a reason, not published.
    assert!(problems.iter().any(|p| p.contains("<svg onload=alert(1)>.md")), "{problems:?}");
}

#[test]
fn formula_neutralising_covers_the_owasp_list() {
    use ftc::render::downloads::neutralise;
    for s in ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", " =1+1", "\u{a0}=1", "\n=1"] {
        assert!(neutralise(s).starts_with('\''), "{s:?} → {:?}", neutralise(s));
    }
    assert_eq!(neutralise("Battambang"), "Battambang");
}

// ---------------------------------------------------------------------------------------------
// Symbolic links
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_project_are_skipped_with_a_finding() {
    use std::os::unix::fs::symlink;
    let (dir, root) = demo_copy();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(outside.join("12")).expect("mkdir");
    let secret_csv = "area_code,area_name,plhiv,diagnosed,on_art,vl_tested,vl_suppressed\n\
                      120101,SECRET-OUTSIDE,99999,9,8,7,6\n";
    std::fs::write(outside.join("secret.csv"), secret_csv).expect("w");
    std::fs::write(outside.join("12/secret.csv"), secret_csv).expect("w");
    std::fs::write(outside.join("secret.md"), "+++\ntitle = \"SECRET-OUTSIDE\"\n+++\nSECRET-OUTSIDE\n").expect("w");
    std::fs::write(outside.join("page.html"), "SECRET-OUTSIDE {{ body | safe }}").expect("w");

    let prov = root.join("submissions/2026-Q3/12-phnom-penh");
    symlink(outside.join("secret.csv"), prov.join("linked.csv")).expect("link");
    symlink(&outside, prov.join("linked-folder")).expect("link");
    symlink(&outside, root.join("submissions/2026-Q3/13-linked-province")).expect("link");
    symlink(&outside, root.join("submissions/2026-Q4")).expect("link");
    symlink(outside.join("secret.md"), root.join("pages/secret.md")).expect("link");
    symlink(outside.join("secret.md"), root.join("narratives/2026-Q3/12-phnom-penh.md")).expect("link");
    std::fs::create_dir_all(root.join("templates")).expect("mkdir");
    symlink(outside.join("page.html"), root.join("templates/page.html")).expect("link");
    // A link that stays inside the project is skipped too: ftc reads files, not links.
    symlink(root.join("pages/methodology.md"), root.join("pages/inside-link.md")).expect("link");

    let b = build(&root).expect("builds");
    let (_, site, problems) = render(&b).expect("renders");
    for (path, bytes) in &site {
        assert!(!String::from_utf8_lossy(bytes).contains("SECRET-OUTSIDE"), "{path} carries a linked file");
    }
    assert!(!site.contains_key("en/secret.html") && !site.contains_key("en/inside-link.html"));
    let inputs = ftc::publish::inputs::collect(&root).expect("inputs");
    assert!(inputs.iter().all(|f| !f.path.contains("link") && !f.path.ends_with("secret.md")), "fingerprint");

    let findings = &b.dataset.findings;
    for link in [
        "submissions/2026-Q3/12-phnom-penh/linked.csv",
        "submissions/2026-Q3/12-phnom-penh/linked-folder",
        "submissions/2026-Q3/13-linked-province",
        "submissions/2026-Q4",
    ] {
        let f = findings
            .iter()
            .find(|f| f.location.file == link)
            .unwrap_or_else(|| panic!("no finding for {link}: {findings:#?}"));
        assert_eq!(f.severity, Severity::Warning, "{link}");
        assert!(f.message().contains("symbolic link"), "{}", f.message());
    }
    for link in
        ["pages/secret.md", "narratives/2026-Q3/12-phnom-penh.md", "templates/page.html", "pages/inside-link.md"]
    {
        assert!(problems.iter().any(|p| p.contains(link) && p.contains("symbolic link")), "{link}: {problems:?}");
    }
}
