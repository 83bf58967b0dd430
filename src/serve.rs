//! `ftc serve`: a live preview on 127.0.0.1. The site is built and rendered into memory (no
//! edition is published), served over plain HTTP/1.1 by the standard library, and rebuilt when
//! the project's inputs change. Open pages poll `/__ftc/version` and reload when it moves.
//!
//! - The watcher polls the inputs' sizes and modification times every 250 ms and acts once they
//!   have been still for 300 ms (debounced), so an editor's save-in-several-steps is one rebuild.
//! - A change only under `templates/`, `pages/` or `narratives/` re-renders from the analysis
//!   in memory without re-reading any spreadsheet; anything else rebuilds, reading and
//!   validating again only the spreadsheets whose bytes changed ([`crate::build::FileCache`]),
//!   unless `ftc.toml` or `geography.csv` changed, which re-reads them all.
//! - A failed build keeps no stale page: every page shows the error until the next good build.
//! - Pages are rendered when they are first asked for ([`Preview::file`]), with the function
//!   `ftc build` renders every page with, and kept until the next change: after a change the
//!   preview is ready as soon as the analysis is, and a browser's open pages render as they reload.
//!
//! Polling instead of OS file events keeps the feature free of dependencies and works the same
//! on network drives; it costs one `stat` per input file four times a second.

use crate::build::{Build, EditionInfo, FileCache, RenderFiles};
use crate::disclose::Audience;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const POLL: Duration = Duration::from_millis(250);
const QUIET: Duration = Duration::from_millis(300);
const VERSION_PATH: &str = "/__ftc/version";

/// What is being served: the preview of the last good build, its files as rendered so far,
/// and the last build's error, if it failed.
struct State {
    preview: Option<Arc<Preview>>,
    rendered: HashMap<String, Arc<Vec<u8>>>,
    error: Option<String>,
    version: u64,
}

type Shared = Arc<Mutex<State>>;

/// (size, modified) of every input file, by path relative to the project.
type Stamps = BTreeMap<String, (u64, Option<SystemTime>)>;

fn stamps(root: &Path) -> Stamps {
    let mut out = Stamps::new();
    let mut add = |rel: String, path: &Path| {
        if let Ok(m) = std::fs::metadata(path) {
            out.insert(rel, (m.len(), m.modified().ok()));
        }
    };
    for name in [crate::project::CONFIG_FILE, crate::project::GEOGRAPHY_FILE] {
        add(name.to_string(), &root.join(name));
    }
    for dir in crate::publish::inputs::INPUT_DIRS {
        for e in walkdir::WalkDir::new(root.join(dir)).follow_links(false).into_iter().flatten() {
            if e.file_type().is_file()
                && let Ok(rel) = e.path().strip_prefix(root)
            {
                add(rel.to_string_lossy().replace('\\', "/"), e.path());
            }
        }
    }
    out
}

/// Whether every changed path is one that only the renderer reads.
fn render_only(before: &Stamps, after: &Stamps) -> bool {
    let changed = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .map(|(k, _)| k)
        .chain(after.keys().filter(|k| !before.contains_key(*k)));
    let mut any = false;
    for path in changed {
        any = true;
        if !["templates/", "pages/", "narratives/"].iter().any(|d| path.starts_with(d)) {
            return false;
        }
    }
    any
}

fn preview_id(b: &Build) -> String {
    format!("{}-preview", crate::build::latest_period(b))
}

/// A build ready to be shown: its templates parsed and its pages listed, each page rendered
/// when it is first asked for, exactly as `ftc build` renders it (the same function, one file
/// at a time). After a change the preview is ready once the analysis is: the pages open in a
/// browser are then rendered as they reload, not the whole site (3,400 pages nationally).
pub struct Preview {
    build: Arc<Build>,
    files: RenderFiles,
    edition: EditionInfo,
    prepared: crate::render::site::Prepared,
    /// The downloads workbook's compressed sheets, kept in the build cache as `ftc build` keeps
    /// them.
    sheets: Option<crate::build::SheetCache>,
}

impl Preview {
    /// Parse the templates and list the pages of `build` as `audience` sees it.
    pub fn new(build: Arc<Build>, audience: Audience) -> Result<Preview, String> {
        let edition =
            EditionInfo { id: preview_id(&build), audience, changes: None, reason: "preview (ftc serve)".into() };
        let latest = build.report.latest().map(|p| p.period);
        let (files, _) = crate::build::load_render_inputs(&build.project.root, latest, audience);
        let sheets = build.cache.as_ref().and_then(|c| c.sheets(audience));
        let input = crate::build::site_input(&build, files.clone(), &edition, None, None);
        let prepared = crate::render::site::prepare(&input).map_err(|e| e.to_string())?;
        drop(input);
        Ok(Preview { build, files, edition, prepared, sheets })
    }

    fn input(&self) -> crate::render::site::SiteInput<'_> {
        let store = self.sheets.as_ref().map(|s| s as &dyn crate::render::xlsx::SheetStore);
        crate::build::site_input(&self.build, self.files.clone(), &self.edition, None, store)
    }

    /// Every path the preview serves.
    pub fn paths(&self) -> Vec<String> {
        self.prepared.paths(&self.input())
    }

    /// The file at `path`, rendered now, or `None` when the site has no such file.
    pub fn file(&self, path: &str) -> Option<Result<Vec<u8>, String>> {
        let file = crate::render::site::render_file(&self.input(), &self.prepared, path)?;
        if path.ends_with(".xlsx")
            && let Some(s) = &self.sheets
        {
            s.prune();
        }
        Some(file.map_err(|e| e.to_string()))
    }

    /// The build shown.
    pub fn build(&self) -> &Build {
        &self.build
    }

    /// The edition the preview renders as (`<period>-preview`).
    pub fn edition(&self) -> &EditionInfo {
        &self.edition
    }
}

/// Build the project and prepare its preview, as the server does on start and on a change
/// (public for the benchmark).
pub fn full_build(
    root: &Path,
    audience: Audience,
    cache: &mut FileCache,
) -> (Option<Arc<Build>>, Result<Preview, String>) {
    match crate::build::build_cached(root, cache) {
        Ok(mut b) => {
            // As in `publish` (the cache keeps its own copy of the rows for the next rebuild).
            b.free_unrendered();
            crate::build::disclose(&mut b, audience, &Default::default());
            let b = Arc::new(b);
            (Some(b.clone()), Preview::new(b, audience))
        }
        Err(e) => (None, Err(e.to_string())),
    }
}

fn store(state: &Shared, result: Result<Preview, String>) {
    let mut s = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match result {
        Ok(preview) => {
            s.preview = Some(Arc::new(preview));
            s.rendered.clear();
            s.error = None;
        }
        Err(e) => s.error = Some(e),
    }
    s.version += 1;
}

/// Serve the project in `root` on `127.0.0.1:port` (0 picks a free port) until the process is
/// stopped. Prints the address, then one line per rebuild.
/// Serve the project in `root` as `audience` sees it (the internal preview shows full numbers;
/// it is served on 127.0.0.1 only).
pub fn serve(root: &Path, port: u16, audience: Audience) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    let mut cache = FileCache::default();
    let (build, first) = full_build(root, audience, &mut cache);
    if let Err(e) = &first {
        println!("build failed: {e}");
    }
    let state: Shared =
        Arc::new(Mutex::new(State { preview: None, rendered: HashMap::new(), error: None, version: 0 }));
    store(&state, first);
    println!("serving {} at http://{addr}/ (Ctrl-C to stop)", root.display());
    let _ = std::io::stdout().flush();

    let watched = state.clone();
    let root_w: PathBuf = root.to_path_buf();
    std::thread::spawn(move || watch(&root_w, build, cache, &watched, audience));

    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let state = state.clone();
        std::thread::spawn(move || {
            let _ = handle(stream, &state);
        });
    }
    Ok(())
}

fn watch(root: &Path, mut build: Option<Arc<Build>>, mut cache: FileCache, state: &Shared, audience: Audience) {
    let mut seen = stamps(root);
    loop {
        std::thread::sleep(POLL);
        let mut now = stamps(root);
        if now == seen {
            continue;
        }
        // Debounce: wait until the files have been still for QUIET.
        loop {
            std::thread::sleep(QUIET);
            let again = stamps(root);
            if again == now {
                break;
            }
            now = again;
        }
        let (message, result) = match &build {
            Some(b) if render_only(&seen, &now) => {
                let r = Preview::new(b.clone(), audience);
                (format!("re-rendered without re-reading spreadsheets{}", outcome(&r)), r)
            }
            _ => {
                let (b, r) = full_build(root, audience, &mut cache);
                let read = match (&r, b.as_ref().and_then(|b| b.read)) {
                    (Ok(_), Some((k, n))) if n > 0 => format!(" ({k} of {n} spreadsheets read again)"),
                    _ => String::new(),
                };
                if b.is_some() {
                    build = b;
                }
                (format!("rebuilt{read}{}", outcome(&r)), r)
            }
        };
        // Serve the new state before saying so.
        store(state, result);
        println!("{message}");
        let _ = std::io::stdout().flush();
        seen = now;
    }
}

fn outcome(r: &Result<Preview, String>) -> String {
    match r {
        Ok(_) => String::new(),
        Err(e) => format!(": build failed: {e}"),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reload_script(version: u64) -> String {
    format!(
        "<script>(function(){{var v=\"{version}\";setInterval(function(){{fetch(\"{VERSION_PATH}\",{{cache:\"no-store\"}}).then(function(r){{return r.text()}}).then(function(t){{if(t!==v)location.reload()}}).catch(function(){{}})}},1000)}})();</script>"
    )
}

fn error_page(message: &str, version: u64) -> Vec<u8> {
    let escaped = message.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed — ftc</title></head><body><main><h1>The build failed</h1><p>Fix the problem below and save; this page reloads by itself.</p><pre>{escaped}</pre></main>{}</body></html>\n",
        reload_script(version)
    )
    .into_bytes()
}

fn respond(stream: &mut TcpStream, status: &str, ctype: &str, body: &[u8], extra: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    stream.flush()
}

fn handle(mut stream: TcpStream, state: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    // Drain the headers; the preview needs none of them.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method != "GET" && method != "HEAD" {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"GET only\n", "Allow: GET, HEAD\r\n");
    }
    let path = percent_decode(target.split(['?', '#']).next().unwrap_or("/"));
    let s = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if path == VERSION_PATH {
        let v = s.version.to_string();
        drop(s);
        return respond(&mut stream, "200 OK", "text/plain", v.as_bytes(), "");
    }
    let mut rel = path.trim_start_matches('/').to_string();
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    }
    let is_html = rel.ends_with(".html");
    if let Some(e) = &s.error
        && is_html
    {
        let body = error_page(e, s.version);
        drop(s);
        return respond(&mut stream, "500 Internal Server Error", content_type("x.html"), &body, "");
    }
    let (version, cached, preview) = (s.version, s.rendered.get(&rel).cloned(), s.preview.clone());
    drop(s);
    let file = match (cached, preview) {
        (Some(bytes), _) => Some(bytes),
        (None, None) => None,
        (None, Some(preview)) => {
            // Rendered outside the lock, so other pages are served meanwhile; kept for the next
            // request unless a newer build came in.
            match preview.file(&rel) {
                None => None,
                Some(Err(e)) if is_html => {
                    let body = error_page(&e, version);
                    return respond(&mut stream, "500 Internal Server Error", content_type("x.html"), &body, "");
                }
                Some(Err(e)) => {
                    let body = format!("{rel}: {e}\n");
                    return respond(
                        &mut stream,
                        "500 Internal Server Error",
                        "text/plain; charset=utf-8",
                        body.as_bytes(),
                        "",
                    );
                }
                Some(Ok(bytes)) => {
                    let bytes = Arc::new(bytes);
                    let mut s = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    if s.version == version {
                        s.rendered.insert(rel.clone(), bytes.clone());
                    }
                    Some(bytes)
                }
            }
        }
    };
    match file {
        Some(bytes) if is_html => {
            let html = String::from_utf8_lossy(&bytes);
            let script = reload_script(version);
            let body = match html.rfind("</body>") {
                Some(i) => format!("{}{script}{}", &html[..i], &html[i..]),
                None => format!("{html}{script}"),
            };
            respond(&mut stream, "200 OK", content_type(&rel), body.as_bytes(), "")
        }
        Some(bytes) => respond(&mut stream, "200 OK", content_type(&rel), &bytes, ""),
        None => respond(
            &mut stream,
            "404 Not Found",
            "text/plain; charset=utf-8",
            format!("{rel}: not found\n").as_bytes(),
            "",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_template_page_and_narrative_changes_skip_the_spreadsheets() {
        let st =
            |files: &[(&str, u64)]| -> Stamps { files.iter().map(|(p, n)| ((*p).to_string(), (*n, None))).collect() };
        let before = st(&[("ftc.toml", 1), ("templates/page.html", 1), ("submissions/2026-Q3/02/a.xlsx", 1)]);
        assert!(render_only(
            &before,
            &st(&[("ftc.toml", 1), ("templates/page.html", 2), ("submissions/2026-Q3/02/a.xlsx", 1)])
        ));
        assert!(render_only(
            &before,
            &st(&[
                ("ftc.toml", 1),
                ("templates/page.html", 1),
                ("submissions/2026-Q3/02/a.xlsx", 1),
                ("pages/new.md", 1)
            ])
        ));
        assert!(!render_only(
            &before,
            &st(&[("ftc.toml", 2), ("templates/page.html", 2), ("submissions/2026-Q3/02/a.xlsx", 1)])
        ));
        assert!(!render_only(&before, &st(&[("ftc.toml", 1), ("templates/page.html", 1)])), "a removed submission");
        assert!(!render_only(&before, &before), "nothing changed");
    }

    #[test]
    fn paths_are_decoded() {
        assert_eq!(percent_decode("/en/province/02.html"), "/en/province/02.html");
        assert_eq!(percent_decode("/a%20b%2"), "/a b%2");
        assert_eq!(percent_decode("/%E1%9E%81"), "/ខ");
    }
}
