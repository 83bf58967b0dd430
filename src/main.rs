//! The `ftc` command line: parse arguments, call the library, map outcomes to exit codes
//! (0 fine, 1 errors found in the data, 2 could not run).

use clap::{Parser, Subcommand, ValueEnum};
use ftc::finding::Severity;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "ftc", version, about = "Fast-Track Cities workshop packs from provincial HIV programme spreadsheets")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the workshop pack from a project folder (default: data/).
    Build {
        #[arg(default_value = "data")]
        project: PathBuf,
        /// Print the analysis summary per province.
        #[arg(long)]
        summary: bool,
        /// Where the site is written [default: `site` for the public audience,
        /// `site-internal` for the internal one].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also print every brief and the workshop pack to PDF (needs Chromium).
        #[arg(long)]
        pdf: bool,
        /// `public` suppresses small counts for publication; `internal` keeps every number for
        /// the workshop room and must never be published.
        #[arg(long, value_enum, default_value_t = AudienceArg::Public)]
        audience: AudienceArg,
        /// Read and check every spreadsheet again, without the project's build cache
        /// (`.ftc-cache/`, which keeps what unchanged spreadsheets held from the last build).
        #[arg(long)]
        no_cache: bool,
    },
    /// Re-hash every edition of a site against its manifest; exit 1 if any file changed.
    Verify {
        #[arg(default_value = "site")]
        site: PathBuf,
    },
    /// What changed between two editions: figures, bottlenecks and findings.
    Diff {
        /// An edition id (`2026-Q3`, `2026-Q3-r2`, `latest`) or an edition's folder.
        from: String,
        to: String,
        /// The site folder the ids are looked up in.
        #[arg(long, default_value = "site")]
        site: PathBuf,
    },
    /// Preview the site on 127.0.0.1, rebuilding and reloading open pages when inputs change.
    #[cfg(feature = "serve")]
    Serve {
        #[arg(default_value = "data")]
        project: PathBuf,
        /// The port (0 picks a free one).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Preview as the public site shows it, or with every number (internal).
        #[arg(long, value_enum, default_value_t = AudienceArg::Public)]
        audience: AudienceArg,
    },
    /// Check submissions (files or folders) and print what was understood and every finding.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// The language of the report: `en` English, `km` Khmer (JSON keeps `message_en` too).
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        /// Read every spreadsheet of a project again, without its build cache (`.ftc-cache/`,
        /// shared with `ftc build`, which keeps what unchanged spreadsheets held).
        #[arg(long)]
        no_cache: bool,
    },
    /// Make a new project folder that builds at once: config, geography, README, examples.
    Init {
        dir: PathBuf,
        /// The first reporting period (`2026-Q4`) [default: the quarter of today's date].
        #[arg(long)]
        period: Option<String>,
        /// The provinces in the initiative, comma-separated codes [default: all 25].
        #[arg(long, value_delimiter = ',')]
        provinces: Vec<String>,
        /// The site's title.
        #[arg(long, default_value = "Fast-Track Cities Cambodia — reflection workshop")]
        title: String,
    },
    /// Write the cascade and budget workbooks a province fills in, pre-filled with its communes.
    Template {
        /// The province's two-digit code (`02` Battambang, `12` Phnom Penh).
        #[arg(long)]
        province: String,
        /// The reporting period the templates are for (`2026-Q3`); blank on the cover if not given.
        #[arg(long)]
        period: Option<String>,
        /// Where the workbooks are written.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Regenerate the synthetic demo submissions (for maintainers).
    #[command(hide = true)]
    Synth {
        #[arg(long, default_value = "data")]
        out: PathBuf,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// A national-scale project instead (every province and commune, four quarters), for
        /// the benchmark: written whole into `--out`.
        #[arg(long)]
        national: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    En,
    Km,
}

impl From<LangArg> for ftc::render::format::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => ftc::render::format::Lang::En,
            LangArg::Km => ftc::render::format::Lang::Km,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AudienceArg {
    Public,
    Internal,
}

impl From<AudienceArg> for ftc::disclose::Audience {
    fn from(a: AudienceArg) -> Self {
        match a {
            AudienceArg::Public => ftc::disclose::Audience::Public,
            AudienceArg::Internal => ftc::disclose::Audience::Internal,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { project, summary, out, pdf, audience, no_cache } => {
            let audience = ftc::disclose::Audience::from(audience);
            let out = out.unwrap_or_else(|| {
                PathBuf::from(match audience {
                    ftc::disclose::Audience::Public => "site",
                    ftc::disclose::Audience::Internal => "site-internal",
                })
            });
            let opts = ftc::build::PublishOptions { out, pdf, audience, cache: !no_cache };
            build_and_publish(&project, &opts, summary)
        }
        Command::Verify { site } => match ftc::publish::verify(&site) {
            Ok(checks) => {
                let mut bad = 0;
                for c in &checks {
                    if c.problems.is_empty() {
                        println!("{}: ok", c.edition);
                    } else {
                        bad += 1;
                        println!("{}: {} problem(s)", c.edition, c.problems.len());
                        for p in &c.problems {
                            println!("  {p}");
                        }
                    }
                }
                println!("{} edition(s) checked, {bad} with problems", checks.len());
                if bad > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
            }
            Err(e) => fail(&e.to_string()),
        },
        Command::Diff { from, to, site } => {
            let edition = |id: &str| -> Result<(String, std::path::PathBuf), String> {
                let p = std::path::Path::new(id);
                let dir = if p.join(ftc::publish::MANIFEST).is_file() { p.to_path_buf() } else { site.join(id) };
                let m = ftc::publish::read_manifest(&dir.join(ftc::publish::MANIFEST)).map_err(|e| {
                    format!(
                        "{e}\n(no edition '{id}' in {}: `ls {}` lists the editions)",
                        site.display(),
                        site.display()
                    )
                })?;
                Ok((m.edition, dir))
            };
            let ((a, da), (b, db)) = match (edition(&from), edition(&to)) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(e), _) | (_, Err(e)) => return fail(&e),
            };
            use ftc::publish::diff;
            match diff::read_pair(|f| std::fs::read(da.join(f)).ok(), |f| std::fs::read(db.join(f)).ok()) {
                Ok((ta, tb)) => {
                    out(&diff::to_text(&diff::compare(&a, &ta, &b, &tb)));
                    ExitCode::SUCCESS
                }
                Err(diff::PairError::First(e)) => fail(&format!("{}: {e}", da.display())),
                Err(diff::PairError::Second(e)) => fail(&format!("{}: {e}", db.display())),
            }
        }
        #[cfg(feature = "serve")]
        Command::Serve { project, port, audience } => match ftc::serve::serve(&project, port, audience.into()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("serving on 127.0.0.1:{port}: {e}")),
        },
        Command::Check { paths, format, lang, no_cache } => match ftc::check::check(&paths, !no_cache) {
            Ok(checked) => {
                // On standard error: standard output is the report (JSON for `--format json`).
                for (root, read, files) in &checked.cached {
                    if let Some(note) = from_cache(root, *read, *files, "the last build or check") {
                        eprintln!("{note}");
                    }
                }
                let ds = checked.dataset;
                timed_peak();
                match format {
                    Format::Human => out(&ftc::check::render_human(&ds, use_color(), lang.into())),
                    Format::Json => println!("{}", ftc::check::render_json(&ds, lang.into())),
                }
                if ds.count(Severity::Error) > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
            }
            Err(e) => fail(&e.to_string()),
        },
        Command::Init { dir, period, provinces, title } => {
            let period = match period_arg(period.as_deref()) {
                Ok(p) => p.unwrap_or_else(ftc::init::current_quarter),
                Err(code) => return code,
            };
            match ftc::init::init(&dir, &ftc::init::Plan { title, period, provinces }) {
                Ok(paths) => {
                    for p in &paths {
                        println!("wrote {}", p.display());
                    }
                    println!(
                        "a new project for {period} in {d}; read {d}/README.md, then run `ftc build {d}`",
                        d = dir.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            }
        }
        Command::Template { province, period, out } => {
            let period = match period_arg(period.as_deref()) {
                Ok(p) => p,
                Err(code) => return code,
            };
            match ftc::template::write_templates(ftc::geography::Geography::builtin(), &province, period, &out) {
                Ok(paths) => {
                    for p in paths {
                        println!("wrote {}", p.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            }
        }
        Command::Synth { out, seed, national: true } => {
            match ftc::synth::write_national(ftc::geography::Geography::builtin(), &out, seed, None) {
                Ok(paths) => {
                    println!("wrote {} files under {}", paths.len(), out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("{e:#}")),
            }
        }
        Command::Synth { out, seed, national: false } => {
            match ftc::synth::write_demo(ftc::geography::Geography::builtin(), &out, seed) {
                Ok(paths) => {
                    println!("wrote {} files under {}", paths.len(), out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("{e:#}")),
            }
        }
    }
}

fn build_and_publish(project: &std::path::Path, opts: &ftc::build::PublishOptions, summary: bool) -> ExitCode {
    match ftc::build::publish(project, opts) {
        Ok(ftc::build::Published::Unchanged { edition }) => {
            println!(
                "nothing changed: the inputs are those of edition {edition} ({}); nothing written",
                opts.out.join(&edition).display()
            );
            let again = || if opts.cache { ftc::build::build_stored(project) } else { ftc::build::build(project) };
            if summary && let Ok(b) = again() {
                out(&ftc::build::analysis_summary(&b.report));
            }
            timed_peak();
            ExitCode::SUCCESS
        }
        Ok(ftc::build::Published::New { path, manifest, build, problems, timings }) => {
            if std::env::var_os("FTC_TIMINGS").is_some() {
                for (stage, d) in &timings.0 {
                    let (now, peak) = timings.1.iter().rev().find(|(s, _)| s == stage).map_or((0, 0), |(_, m)| *m);
                    eprintln!(
                        "ftc: {stage:<9} {:>8.1} ms, {now} MB resident after it, peak {peak} MB",
                        d.as_secs_f64() * 1000.0
                    );
                }
            }
            timed_peak();
            out(&ftc::build::summary(&build));
            if let Some(note) = build.read.and_then(|(read, files)| from_cache(project, read, files, "the last build"))
            {
                println!("{note}");
            }
            if summary {
                out(&ftc::build::analysis_summary(&build.report));
            }
            for p in &problems {
                eprintln!("ftc: warning: {p}");
            }
            let missing = ftc::render::site::untranslated();
            if !missing.is_empty() {
                println!("{} UI string(s) have no Khmer translation yet: {}", missing.len(), missing.join(", "));
            }
            let pdfs = manifest.outputs.iter().filter(|f| f.path.ends_with(".pdf")).count();
            if pdfs > 0 {
                println!("printed {pdfs} PDF(s)");
            }
            println!("edition {} ({}): {}", manifest.edition, manifest.date, manifest.reason);
            println!("wrote {} files to {}", manifest.outputs.len() + 1, path.display());
            // The process ends here: freeing the build's rows and report one allocation at a
            // time took 30-70 ms of a national build's wall time, all of it after the edition
            // was written. The system takes the memory back at once.
            std::mem::forget(build);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("{e:#}")),
    }
}

/// What a build or check took from the project's build cache, when it took anything: `since`
/// says since what the spreadsheets are unchanged.
fn from_cache(project: &std::path::Path, read: usize, files: usize, since: &str) -> Option<String> {
    (read < files).then(|| {
        format!(
            "{} of {files} spreadsheet(s) unchanged since {since}, taken from its cache ({}); {read} read",
            files - read,
            project.join(ftc::build::CACHE_DIR).display()
        )
    })
}

/// With `FTC_TIMINGS` set, the process's peak memory so far, last on standard error.
fn timed_peak() {
    if std::env::var_os("FTC_TIMINGS").is_some() {
        eprintln!("ftc: peak {} MB", ftc::build::rss_mb().1);
    }
}

/// A `--period` argument, if given; a malformed one is reported and ends the command.
fn period_arg(arg: Option<&str>) -> Result<Option<ftc::period::Period>, ExitCode> {
    arg.map(str::parse::<ftc::period::Period>)
        .transpose()
        .map_err(|_| fail("--period: write a period as 2026-Q3, 2026-H1 or 2026"))
}

/// Print to standard output; a closed pipe (`ftc diff A B | head`) is not an error.
fn out(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn fail(message: &str) -> ExitCode {
    eprintln!("ftc: {message}");
    ExitCode::from(2)
}
