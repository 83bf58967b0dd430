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
        /// Where the site is written.
        #[arg(long, default_value = "site")]
        out: PathBuf,
        /// Also print every brief and the workshop pack to PDF (needs Chromium).
        #[arg(long)]
        pdf: bool,
    },
    /// Check submissions (files or folders) and print what was understood and every finding.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Regenerate the synthetic demo submissions (for maintainers).
    #[command(hide = true)]
    Synth {
        #[arg(long, default_value = "data")]
        out: PathBuf,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { project, summary, out, pdf } => match ftc::build::build(&project) {
            Ok(b) => {
                print!("{}", ftc::build::summary(&b));
                if summary {
                    print!("{}", ftc::build::analysis_summary(&b.report));
                }
                write_site(&b, &out, pdf)
            }
            Err(e) => fail(&e.to_string()),
        },
        Command::Check { paths, format } => match ftc::check::check_paths(&paths) {
            Ok(ds) => {
                match format {
                    Format::Human => print!("{}", ftc::check::render_human(&ds, use_color())),
                    Format::Json => println!("{}", ftc::check::render_json(&ds)),
                }
                if ds.count(Severity::Error) > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
            }
            Err(e) => fail(&e.to_string()),
        },
        Command::Synth { out, seed } => {
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

fn write_site(b: &ftc::build::Build, out: &std::path::Path, pdf: bool) -> ExitCode {
    let (edition, mut site, problems) = match ftc::build::render(b) {
        Ok(r) => r,
        Err(e) => return fail(&e.to_string()),
    };
    if pdf {
        let fixed = b
            .report
            .latest()
            .map_or_else(|| "20000101000000".to_string(), |p| p.period.end().format("%Y%m%d000000").to_string());
        match ftc::publish::pdf::print_briefs(&mut site, &fixed) {
            Ok(n) => println!("printed {n} PDF(s)"),
            Err(e) => return fail(&e.to_string()),
        }
    }
    for p in &problems {
        eprintln!("ftc: warning: {p}");
    }
    let missing = ftc::render::site::untranslated();
    if !missing.is_empty() {
        println!("{} UI string(s) have no Khmer translation yet: {}", missing.len(), missing.join(", "));
    }
    match ftc::publish::write_edition(&site, out, &edition) {
        Ok(dest) => {
            println!("wrote {} files to {}", site.len(), dest.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("writing {}: {e}", out.display())),
    }
}

fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn fail(message: &str) -> ExitCode {
    eprintln!("ftc: {message}");
    ExitCode::from(2)
}
