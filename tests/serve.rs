//! `ftc serve` on a free loopback port: it answers, rebuilds after a data change, re-renders
//! after a template change without re-reading spreadsheets, and shows a build error in the page
//! instead of a stale page until the error is fixed.
#![cfg(feature = "serve")]

mod common;
use common::copy_dir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
    lines: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(project: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftc"))
        .args(["serve", project.to_str().expect("utf-8"), "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn ftc serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut server = Server { child, addr: String::new(), lines: rx };
    let line = next_line(&server, |l| l.starts_with("serving "));
    let addr = line.split("http://").nth(1).expect("an address").trim_end_matches(|c| c != '/');
    server.addr = addr.trim_end_matches('/').to_string();
    server
}

fn next_line(s: &Server, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(180);
    while Instant::now() < deadline {
        if let Ok(line) = s.lines.recv_timeout(Duration::from_millis(200))
            && want(&line)
        {
            return line;
        }
    }
    panic!("ftc serve printed no such line within 180 s (a generous bound for a loaded machine)");
}

fn get(s: &Server, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(&s.addr).expect("connect");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", s.addr).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[test]
fn serve_answers_rebuilds_rerenders_and_shows_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let project = dir.path().join("p");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"), &project);
    let server = start(&project);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);

    let (status, body) = get(&server, "/en/index.html");
    assert_eq!(status, 200);
    assert!(body.contains("<h1>") && body.contains("/__ftc/version"), "a page with the reload script");
    assert_eq!(get(&server, "/__ftc/version"), (200, "1".to_string()));
    assert_eq!(get(&server, "/nowhere.html").0, 404);
    assert_eq!(get(&server, "/assets/style.css").0, 200);

    // A template-only change: re-rendered from memory.
    std::fs::create_dir_all(project.join("templates")).expect("mkdir");
    std::fs::write(
        project.join("templates/page.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>TEMPLATE-CHANGED</h1>{{ body | safe }}{% endblock main %}",
    )
    .expect("write");
    next_line(&server, |l| l.starts_with("re-rendered without re-reading spreadsheets"));
    assert!(get(&server, "/en/methodology.html").1.contains("TEMPLATE-CHANGED"));
    assert_eq!(get(&server, "/__ftc/version").1, "2");

    // A broken config: the error is shown instead of the stale page.
    let config = project.join("ftc.toml");
    let good = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{good}\nthis is not toml = = =\n")).expect("break");
    next_line(&server, |l| l.starts_with("rebuilt: build failed"));
    let (status, body) = get(&server, "/en/index.html");
    assert_eq!(status, 500);
    assert!(body.contains("The build failed") && body.contains("ftc.toml"), "{body}");

    // Fixed, with a changed title: rebuilt from the spreadsheets, the page is back and new.
    std::fs::write(&config, good.replacen("title = \"", "title = \"RETITLED ", 1)).expect("fix");
    // The settings changed, so every spreadsheet is read again.
    let line = next_line(&server, |l| l.starts_with("rebuilt"));
    assert_eq!(line, "rebuilt (16 of 16 spreadsheets read again)");
    let (status, body) = get(&server, "/en/index.html");
    assert_eq!(status, 200);
    assert!(body.contains("RETITLED"), "the new title is served");

    // One spreadsheet replaced: only it is read again, and its figures are served.
    let page = "/en/province/12.html";
    // The page without the reload script, which carries the version and so always differs.
    let content = |body: String| body.split("<script>(function(){var v=").next().unwrap_or_default().to_string();
    let before = content(get(&server, page).1);
    let q2 = project.join("submissions/2026-Q2/12-phnom-penh/cascade.xlsx");
    std::fs::copy(q2, project.join("submissions/2026-Q3/12-phnom-penh/cascade.xlsx")).expect("replace");
    let line = next_line(&server, |l| l.starts_with("rebuilt"));
    assert_eq!(line, "rebuilt (1 of 16 spreadsheets read again)");
    let (status, after) = get(&server, page);
    assert_eq!(status, 200);
    assert!(before.len() > 1000, "{before}");
    assert_ne!(before, content(after), "Phnom Penh's page shows the replaced figures");
}

/// The preview renders each file when it is asked for; every one is the file a whole render of
/// the same build gives, the preview lists exactly the files the site has, and a path the site
/// does not have is not found: for the demo, as each audience sees it, and for a new project
/// that has no submissions yet.
#[test]
fn a_preview_renders_each_file_as_the_whole_site_does() {
    let dir = tempfile::tempdir().expect("tmp");
    let demo = dir.path().join("p");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"), &demo);
    let new = dir.path().join("new");
    let init = Command::new(env!("CARGO_BIN_EXE_ftc")).arg("init").arg(&new).output().expect("ftc init");
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let cases = [
        (&demo, ftc::disclose::Audience::Public),
        (&demo, ftc::disclose::Audience::Internal),
        (&new, ftc::disclose::Audience::Public),
    ];
    for (root, audience) in cases {
        let mut cache = ftc::build::FileCache::default();
        let (build, preview) = ftc::serve::full_build(root, audience, &mut cache);
        let preview = preview.expect("the preview is ready");
        assert!(build.is_some());
        let (site, problems) =
            ftc::build::render_edition(preview.build(), preview.edition().clone()).expect("renders whole");
        assert!(problems.is_empty(), "{problems:?}");
        let paths = preview.paths();
        assert!(paths.iter().any(|p| p == "en/index.html") && paths.len() > 20, "{audience:?}: {paths:?}");
        assert_eq!(paths, site.keys().cloned().collect::<Vec<_>>(), "{audience:?}: the same files");
        for path in &paths {
            let file = preview.file(path).expect("listed").expect("renders");
            assert!(file == site[path], "{audience:?}: {path} differs from the whole render's");
        }
        for missing in ["en/commune/999999.html", "nothing.html", "downloads/other.csv", "assets/none.js"] {
            assert!(preview.file(missing).is_none(), "{missing}");
        }
    }
}
