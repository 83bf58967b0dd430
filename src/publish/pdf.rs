//! Publish: the briefs and the pack printed to PDF by headless Chromium (found on PATH, or at
//! the path in `FTC_CHROMIUM`). Page numbers and stamps come from the documents' CSS paged
//! media, so Chromium's own header and footer are turned off. The PDFs' creation dates are set
//! to the period's end, so identical input gives identical bytes.

use crate::render::site::Site;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "cannot print PDFs: no Chromium found (looked for $FTC_CHROMIUM, chromium, chromium-browser, google-chrome on PATH). \
         On Debian or Ubuntu: apt-get install chromium fonts-khmeros (fonts-khmeros shapes Khmer correctly)"
    )]
    NoChromium,
    #[error("printing {page}: {message}")]
    Print { page: String, message: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Chromium's executable: `$FTC_CHROMIUM`, or the first of the usual names on PATH.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FTC_CHROMIUM").map(PathBuf::from).filter(|p| p.is_file()) {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Print every `briefs/**.html` of the site to a PDF beside it, added to the site.
pub fn print_briefs(site: &mut Site, fixed_date: &str) -> Result<usize, PdfError> {
    let chromium = find_chromium().ok_or(PdfError::NoChromium)?;
    let dir = tempfile_dir()?;
    for (rel, bytes) in site.iter().filter(|(p, _)| p.starts_with("briefs/") || p.starts_with("assets/")) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap_or(&dir))?;
        std::fs::write(path, bytes)?;
    }
    let pages: Vec<String> =
        site.keys().filter(|p| p.starts_with("briefs/") && p.ends_with(".html")).cloned().collect();
    let profile = dir.join(".chromium-profile");
    for rel in &pages {
        let pdf_rel = rel.trim_end_matches(".html").to_string() + ".pdf";
        let out = dir.join(&pdf_rel);
        let status = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
            ])
            .args(["--disable-component-update", "--disable-sync", "--no-pdf-header-footer"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--print-to-pdf={}", out.display()))
            .arg(format!("file://{}", dir.join(rel).display()))
            .output()?;
        let bytes = std::fs::read(&out).map_err(|_| PdfError::Print {
            page: rel.clone(),
            message: String::from_utf8_lossy(&status.stderr).lines().last().unwrap_or("no PDF written").to_string(),
        })?;
        site.insert(pdf_rel, fix_dates(bytes, fixed_date));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(pages.len())
}

fn tempfile_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("ftc-pdf-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Replace the 14 digits after every `(D:` (PDF dates: creation and modification) with
/// `fixed` (`YYYYMMDDHHMMSS`), keeping the length so the file's offsets stay valid.
pub fn fix_dates(mut pdf: Vec<u8>, fixed: &str) -> Vec<u8> {
    let fixed = fixed.as_bytes();
    if fixed.len() != 14 {
        return pdf;
    }
    let mut i = 0;
    while let Some(pos) = find(&pdf[i..], b"(D:").map(|p| p + i) {
        let start = pos + 3;
        if pdf.len() >= start + 14 && pdf[start..start + 14].iter().all(u8::is_ascii_digit) {
            pdf[start..start + 14].copy_from_slice(fixed);
        }
        i = start;
    }
    pdf
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether a file is a PDF (for tests and `verify`).
pub fn is_pdf(path: &Path) -> bool {
    std::fs::read(path).map(|b| b.starts_with(b"%PDF-")).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_fixed_in_place() {
        let pdf = b"%PDF-1.4 /CreationDate (D:20261122152151+00'00') /ModDate (D:20261122152151+00'00')".to_vec();
        let out = fix_dates(pdf.clone(), "20260930000000");
        assert_eq!(out.len(), pdf.len());
        assert_eq!(String::from_utf8_lossy(&out).matches("(D:20260930000000+00'00')").count(), 2);
    }
}
