//! Hostile input. Text from a cell, a sheet name, a file name, the geography, `ftc.toml`, front
//! matter or Markdown never becomes markup, script or a formula in any output file; symbolic
//! links out of the project are not followed; oversize files, zip bombs and huge sheets end in
//! a finding within bounded memory; CSV that is not UTF-8 is decoded or refused, never garbled.
//!
//! The bombs run `ftc check` in a child process under `ulimit -v` and `timeout`, and read its
//! peak resident memory from `/usr/bin/time`; no test asserts on wall-clock time.

mod common;
use common::copy_dir;
use ftc::build::{build, render};
use ftc::finding::{Rule, Severity};
use ftc::render::site::Site;
use std::path::{Path, PathBuf};
use std::process::Command;

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
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
    // YAML front matter is not read as front matter: it is Markdown, and sanitised as such.
    std::fs::write(root.join("pages/yaml.md"), format!("---\ntitle: \"{SCRIPT}\"\nx: {IMG}\n---\n{SCRIPT}\n"))
        .expect("w");
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
    // The fingerprint lists each link (the build reports it) but never reads through it.
    let inputs = ftc::publish::inputs::collect(&root).expect("inputs");
    let secret = ftc::publish::inputs::sha256_hex(secret_csv.as_bytes());
    assert!(inputs.iter().all(|f| f.sha256 != secret), "a linked file was read for the fingerprint");
    let linked = inputs.iter().find(|f| f.path == "submissions/2026-Q3/12-phnom-penh/linked.csv").expect("link listed");
    assert!(linked.bytes < 64, "{linked:?}");
    assert!(!inputs.iter().any(|f| f.path.starts_with("submissions/2026-Q3/12-phnom-penh/linked-folder/")));

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

// ---------------------------------------------------------------------------------------------
// Oversize files, zip bombs, huge sheets: in a child process with bounded memory
// ---------------------------------------------------------------------------------------------

/// Peak resident memory allowed to `ftc check` on any hostile file.
const MAX_RSS_KB: u64 = 300 * 1024;

struct Checked {
    status: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident set of the child, when `/usr/bin/time` could measure it.
    max_rss_kb: Option<u64>,
}

/// `ftc check FILE --format json` under a 3 GB address-space limit and a 60 s kill, so a bomb
/// that is not defused fails the test instead of taking the machine.
fn ftc_check(file: &Path) -> Checked {
    let ftc = env!("CARGO_BIN_EXE_ftc");
    let dir = tempfile::tempdir().expect("tmp");
    let rss = dir.path().join("rss");
    let script = "ulimit -v 3000000 2>/dev/null; exec timeout -s KILL 60 \"$@\"";
    let have_time = Path::new("/usr/bin/time").exists();
    let mut cmd = if have_time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss).arg("sh");
        c
    } else {
        Command::new("sh")
    };
    cmd.arg("-c").arg(script).arg("sh").arg(ftc).arg("check").arg(file).args(["--format", "json"]);
    let out = cmd.output().expect("runs ftc");
    let max_rss_kb = std::fs::read_to_string(&rss).ok().and_then(|s| s.lines().last()?.trim().parse().ok());
    Checked {
        status: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        max_rss_kb,
    }
}

/// The check ended normally (exit 1: errors found) with an error finding for the file that says
/// `what`, within the memory bound.
fn assert_refused(file: &Path, what: &str) -> serde_json::Value {
    let c = ftc_check(file);
    assert_eq!(
        c.status,
        Some(1),
        "exit status; stderr:\n{}\nstdout:\n{}",
        c.stderr,
        &c.stdout[..c.stdout.len().min(4000)]
    );
    if let Some(kb) = c.max_rss_kb {
        eprintln!("{}: peak memory {kb} kB", file.display());
        assert!(kb < MAX_RSS_KB, "peak memory {kb} kB for {}", file.display());
    }
    let json: serde_json::Value = serde_json::from_str(&c.stdout).expect("json");
    let shown = file.to_string_lossy();
    let found = all_findings(&json).into_iter().find(|f| {
        f["severity"] == "error"
            && f["location"]["file"].as_str() == Some(&shown)
            && f["message"].as_str().is_some_and(|m| m.contains(what))
    });
    assert!(
        found.is_some(),
        "no error saying {what:?} for {shown}:\n{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
    json
}

fn all_findings(json: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<serde_json::Value>) {
        match v {
            serde_json::Value::Object(m) => {
                if m.contains_key("severity") && m.contains_key("message") {
                    out.push(v.clone());
                }
                m.values().for_each(|x| walk(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(json, &mut out);
    out
}

// --- a zip writer, deflate of long runs, and CRC-32 without touching every byte ---------------

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn gf2_times(mat: &[u32; 32], mut vec: u32) -> u32 {
    let mut sum = 0;
    let mut i = 0;
    while vec != 0 {
        if vec & 1 != 0 {
            sum ^= mat[i];
        }
        vec >>= 1;
        i += 1;
    }
    sum
}

fn gf2_square(mat: &[u32; 32]) -> [u32; 32] {
    std::array::from_fn(|n| gf2_times(mat, mat[n]))
}

/// CRC-32 of A‖B from the CRCs of A and B and the length of B (zlib's `crc32_combine`).
fn crc32_combine(mut crc1: u32, crc2: u32, mut len2: u64) -> u32 {
    if len2 == 0 {
        return crc1;
    }
    let mut odd = [0u32; 32];
    odd[0] = 0xEDB8_8320;
    for (n, slot) in odd.iter_mut().enumerate().skip(1) {
        *slot = 1 << (n - 1);
    }
    let mut even = gf2_square(&odd);
    odd = gf2_square(&even);
    loop {
        even = gf2_square(&odd);
        if len2 & 1 != 0 {
            crc1 = gf2_times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        odd = gf2_square(&even);
        if len2 & 1 != 0 {
            crc1 = gf2_times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    crc1 ^ crc2
}

fn crc32_run(byte: u8, n: u64) -> u32 {
    let (mut block, mut block_len) = (crc32(&[byte]), 1u64);
    let mut out = 0u32;
    let mut rest = n;
    while rest != 0 {
        if rest & 1 != 0 {
            out = crc32_combine(out, block, block_len);
        }
        block = crc32_combine(block, block, block_len);
        block_len *= 2;
        rest >>= 1;
    }
    out
}

struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, v: u32, len: u32) {
        self.acc |= u64::from(v) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code, most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let rev = (0..len).fold(0, |r, i| r | (((code >> i) & 1) << (len - 1 - i)));
        self.put(rev, len);
    }
    fn literal(&mut self, b: u8) {
        if b < 144 { self.code(0x30 + u32::from(b), 8) } else { self.code(0x190 + u32::from(b) - 144, 9) }
    }
}

/// Raw deflate (one fixed-Huffman block) of `prefix`, `n` times `byte`, `suffix`: a few bytes
/// per 258 repeated ones, as a zip bomb has it. Returns the stream, its CRC-32 and length.
fn deflate_run(prefix: &[u8], byte: u8, n: u64, suffix: &[u8]) -> (Vec<u8>, u32, u64) {
    let mut bits = Bits { out: Vec::with_capacity((n / 150) as usize + 64), acc: 0, n: 0 };
    bits.put(1, 1);
    bits.put(1, 2);
    prefix.iter().for_each(|&b| bits.literal(b));
    if n > 0 {
        bits.literal(byte);
        // Length 258 (code 285, 8 bits) at distance 1 (code 0, 5 bits), pre-reversed.
        let rev = |code: u32, len: u32| (0..len).fold(0, |r, i| r | (((code >> i) & 1) << (len - 1 - i)));
        let pair = rev(0b1100_0101, 8);
        for _ in 0..(n - 1) / 258 {
            bits.put(pair, 13);
        }
        for _ in 0..(n - 1) % 258 {
            bits.literal(byte);
        }
    }
    suffix.iter().for_each(|&b| bits.literal(b));
    bits.code(0, 7);
    bits.put(0, 7);
    let crc = crc32_combine(crc32_combine(crc32(prefix), crc32_run(byte, n), n), crc32(suffix), suffix.len() as u64);
    (bits.out, crc, prefix.len() as u64 + n + suffix.len() as u64)
}

struct ZipPart {
    name: String,
    method: u16,
    data: Vec<u8>,
    crc: u32,
    /// The uncompressed size written in the headers (a bomb may lie).
    declared: u32,
}

fn stored(name: &str, data: &[u8]) -> ZipPart {
    ZipPart { name: name.into(), method: 0, data: data.to_vec(), crc: crc32(data), declared: data.len() as u32 }
}

fn zip(parts: &[ZipPart]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for p in parts {
        let offset = out.len() as u32;
        le32(&mut out, 0x0403_4b50);
        for x in [20, 0, p.method, 0, 0x21] {
            le16(&mut out, x);
        }
        for x in [p.crc, p.data.len() as u32, p.declared] {
            le32(&mut out, x);
        }
        le16(&mut out, p.name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(p.name.as_bytes());
        out.extend_from_slice(&p.data);
        le32(&mut central, 0x0201_4b50);
        for x in [20, 20, 0, p.method, 0, 0x21] {
            le16(&mut central, x);
        }
        for x in [p.crc, p.data.len() as u32, p.declared] {
            le32(&mut central, x);
        }
        for x in [p.name.len() as u16, 0, 0, 0, 0] {
            le16(&mut central, x);
        }
        le32(&mut central, 0);
        le32(&mut central, offset);
        central.extend_from_slice(p.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    for x in [0, 0, parts.len() as u16, parts.len() as u16] {
        le16(&mut out, x);
    }
    le32(&mut out, central.len() as u32);
    le32(&mut out, cd_offset);
    le16(&mut out, 0);
    out
}

const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// A minimal xlsx: one sheet `Cascade` from `sheet`, plus `extra` parts.
fn xlsx_with(sheet: ZipPart, extra: Vec<ZipPart>) -> Vec<u8> {
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut parts = vec![
        stored(
            "[Content_Types].xml",
            (
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
                 <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>"
            )
            .as_bytes(),
        ),
        stored(
            "_rels/.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{rel}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>").as_bytes(),
        ),
        stored(
            "xl/workbook.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{NS}\" xmlns:r=\"{rel}\"><sheets><sheet name=\"Cascade\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>").as_bytes(),
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{rel}/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"{rel}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>").as_bytes(),
        ),
    ];
    parts.push(sheet);
    parts.extend(extra);
    zip(&parts)
}

/// A sheet whose one inline-string cell holds `n` bytes of `A`, deflated.
fn bomb_sheet(n: u64, declared: Option<u32>) -> ZipPart {
    let prefix = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{NS}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>"
    );
    let (data, crc, len) = deflate_run(prefix.as_bytes(), b'A', n, b"</t></is></c></row></sheetData></worksheet>");
    let declared = declared.unwrap_or(u32::try_from(len).unwrap_or(u32::MAX));
    ZipPart { name: "xl/worksheets/sheet1.xml".into(), method: 8, data, crc, declared }
}

#[test]
fn deflate_writer_round_trips_through_a_real_inflater() {
    // The bombs below are only as good as their deflate streams: check one small one with the
    // zip reader calamine uses.
    let (data, crc, len) = deflate_run(b"<a>", b'x', 100_000, b"</a>");
    let part = ZipPart { name: "a.xml".into(), method: 8, data, crc, declared: len as u32 };
    let bytes = zip(&[part]);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_index(0).expect("entry"), &mut text).expect("inflates, CRC ok");
    assert_eq!(text.len(), 100_007);
    assert!(text.starts_with("<a>xxx") && text.ends_with("xx</a>"));
    assert_eq!(crc32_run(b'x', 100_000), crc32(&vec![b'x'; 100_000]));
}

#[test]
fn file_over_the_size_limit_is_refused_unread() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("huge.xlsx");
    let f = std::fs::File::create(&path).expect("create");
    // Sparse: 60 MB of nothing on disk, over the default 50 MB limit.
    f.set_len(60 * 1024 * 1024).expect("set_len");
    drop(f);
    assert_refused(&path, "over the limit");
}

#[test]
fn zip_bomb_declaring_its_huge_size_is_refused_before_inflating() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("bomb-declared.xlsx");
    std::fs::write(&path, xlsx_with(bomb_sheet(2_000_000_000, None), vec![])).expect("w");
    assert_refused(&path, "uncompressed");
}

#[test]
fn zip_bomb_lying_about_its_size_is_stopped_at_what_it_really_inflates() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("bomb-lying.xlsx");
    // Declares 4 kB; inflates to 2 GB.
    std::fs::write(&path, xlsx_with(bomb_sheet(2_000_000_000, Some(4096)), vec![])).expect("w");
    assert_refused(&path, "Cascade");
}

#[test]
fn zip_bomb_within_the_declared_limit_but_one_giant_cell_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("bomb-honest.xlsx");
    // 900 MB, honestly declared (under 20 × the 50 MB file limit), all of it one text node.
    std::fs::write(&path, xlsx_with(bomb_sheet(900_000_000, None), vec![])).expect("w");
    assert_refused(&path, "bytes");
}

#[test]
fn shared_string_count_that_would_reserve_gigabytes_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("sst-count.xlsx");
    let sst = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{NS}\" count=\"4000000000\" uniqueCount=\"4000000000\"><si><t>area_code</t></si></sst>"
    );
    let sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{NS}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>"
    );
    std::fs::write(
        &path,
        xlsx_with(
            stored("xl/worksheets/sheet1.xml", sheet.as_bytes()),
            vec![stored("xl/sharedStrings.xml", sst.as_bytes())],
        ),
    )
    .expect("w");
    assert_refused(&path, "4000000000");
}

/// A cascade table, then a cell at the last row and column a sheet can have.
#[test]
fn sheet_reaching_xfd1048576_is_read_up_to_the_limits_with_findings() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("far-cell.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Cascade").expect("name");
    for (c, h) in ["area_code", "plhiv", "diagnosed", "on_art", "vl_suppressed"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("w");
    }
    ws.write_string(1, 0, "120101").expect("w");
    for c in 1..5u16 {
        ws.write_number(1, c, 10.0 - f64::from(c)).expect("w");
    }
    ws.write_string(1_048_575, 16_383, "far away").expect("w");
    ws.write_string(0, 16_383, "far right").expect("w");
    wb.save(&path).expect("save");
    let c = ftc_check(&path);
    if let Some(kb) = c.max_rss_kb {
        eprintln!("{}: peak memory {kb} kB", path.display());
        assert!(kb < MAX_RSS_KB, "peak memory {kb} kB");
    }
    assert!(matches!(c.status, Some(0 | 1)), "{}", c.stderr);
    let json: serde_json::Value = serde_json::from_str(&c.stdout).expect("json");
    let findings = all_findings(&json);
    let says = |what: &str| {
        findings.iter().any(|f| {
            f["location"]["sheet"] == "Cascade"
                && f["message"].as_str().is_some_and(|m| m.contains(what) && m.contains("Delete"))
        })
    };
    assert!(says("1048576"), "row beyond the limit: {findings:#?}");
    assert!(says("XFD"), "column beyond the limit: {findings:#?}");
    // The stray cell right of the header does not stop the reading: the data row is used.
    assert_eq!(json["files"][0]["tables"][0]["rows_used"], 1, "{json:#}");
}

/// An .ods whose rows-repeated puts a value a million rows below the first: calamine would
/// allocate every cell in between.
#[test]
fn ods_with_a_value_a_million_rows_down_is_refused_not_allocated() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("far-rows.ods");
    let content = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content \
        xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
        xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
        xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\"><office:body><office:spreadsheet>\
        <table:table table:name=\"Cascade\"><table:table-row><table:table-cell office:value-type=\"string\"><text:p>area_code</text:p></table:table-cell></table:table-row>\
        <table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell/></table:table-row>\
        <table:table-row><table:table-cell table:number-columns-repeated=\"40\"/><table:table-cell office:value-type=\"float\" office:value=\"2\"><text:p>2</text:p></table:table-cell></table:table-row>\
        </table:table></office:spreadsheet></office:body></office:document-content>";
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>";
    std::fs::write(
        &path,
        zip(&[
            stored("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            stored("content.xml", content.as_bytes()),
            stored("META-INF/manifest.xml", manifest.as_bytes()),
        ]),
    )
    .expect("w");
    assert_refused(&path, "Cascade");
}

// ---------------------------------------------------------------------------------------------
// CSV that is not UTF-8
// ---------------------------------------------------------------------------------------------

const CSV_HEAD: &str = "area_code\tarea_name\tplhiv\tdiagnosed\ton_art\tvl_tested\tvl_suppressed\r\n";

fn read(bytes: &[u8], name: &str) -> ftc::ingest::SubmissionFile {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("w");
    ftc::ingest::read_file(&path, name, &ftc::project::Limits::default())
}

/// Every text cell read from the file's tables, one per line.
fn cells(file: &ftc::ingest::SubmissionFile) -> String {
    let mut out = String::new();
    for t in &file.tables {
        for r in &t.rows {
            for (_, _, c) in &r.cells {
                out.push_str(&c.display());
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn windows_1252_csv_is_refused_with_the_place_and_the_fix() {
    let f = read(b"area_code,area_name,plhiv\n120101,Pailin Caf\xe9,10\n", "cp1252.csv");
    assert!(f.tables.is_empty(), "nothing is read from a refused file");
    let refusal = f.findings.iter().find(|x| x.rule == Rule::UnreadableFile && x.severity == Severity::Error);
    let refusal = refusal.unwrap_or_else(|| panic!("{:#?}", f.findings));
    assert_eq!(refusal.location.file, "cp1252.csv");
    let m = refusal.message();
    assert!(m.contains("UTF-8") && m.contains("line 2"), "{m}");
    assert!(!cells(&f).contains('\u{fffd}'));
}

#[test]
fn utf16_csv_as_excel_saves_unicode_text_is_decoded_and_said_so() {
    for (bom, le) in [(&[0xFF, 0xFE][..], true), (&[0xFE, 0xFF][..], false)] {
        let text = format!("{CSV_HEAD}120101\tPailin Café ប៉ៃលិន\t10\t9\t8\t7\t6\r\n");
        let mut bytes = bom.to_vec();
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        let f = read(&bytes, "unicode.txt");
        assert_eq!(f.tables.len(), 1, "{:#?}", f.findings);
        let shown = cells(&f);
        assert!(shown.contains("Pailin Café ប៉ៃលិន") && !shown.contains('\u{fffd}'), "{shown}");
        assert!(
            f.findings.iter().any(|x| x.message().contains("UTF-16") && x.location.file == "unicode.txt"),
            "{:#?}",
            f.findings
        );
        assert!(!f.findings.iter().any(|x| x.severity == Severity::Error), "{:#?}", f.findings);
    }
}

#[test]
fn utf16_with_an_odd_byte_or_broken_pair_is_refused() {
    let f = read(&[0xFF, 0xFE, b'a', 0, b',', 0, 0x00, 0xD8, b'b', 0], "broken.csv");
    let m = f.findings.iter().find(|x| x.severity == Severity::Error).map(|x| x.message()).unwrap_or_default();
    assert!(m.contains("UTF-16") && m.contains("UTF-8"), "{:#?}", f.findings);
}

/// calamine's issue 174: `<dimension ref="A1:XFD1048576">` and 49,000 formatted but empty cells
/// out to row 1,048,574 around a 2 × 11 table. Formatting is not data: no row-limit warning.
#[test]
fn formatted_empty_cells_far_down_are_not_data() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/torture/calamine/issue_174.xlsx");
    if !path.exists() {
        eprintln!("skipped: {} is not here", path.display());
        return;
    }
    let f = ftc::ingest::read_file(&path, "issue_174.xlsx", &ftc::project::Limits::default());
    assert!(!f.findings.iter().any(|x| x.message_id == "file.too-many-cells"), "{:#?}", f.findings);
}
