//! Publish stage: the rendered site written to `site/<edition>/`. This first version writes
//! atomically (into a staging folder beside the destination, then renamed into place), so a
//! failed write leaves the previous copy untouched; immutable editions, revisions, manifests
//! and `latest` come with the editions issue.

pub mod pdf;

use crate::render::site::Site;
use std::path::{Path, PathBuf};

/// Write `site` as `out/<edition>/`, replacing an earlier build of the same edition only once the
/// new one is complete.
pub fn write_edition(site: &Site, out: &Path, edition: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(out)?;
    let dest = out.join(edition);
    let staging = out.join(format!(".staging-{edition}-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    for (rel, bytes) in site {
        // Paths come from the renderer; refuse anything that could leave the staging folder.
        if rel.split('/').any(|p| p == ".." || p.is_empty()) || rel.starts_with('/') {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("unsafe path {rel}")));
        }
        let path = staging.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    let old = out.join(format!(".old-{edition}-{}", std::process::id()));
    if dest.exists() {
        std::fs::rename(&dest, &old)?;
    }
    std::fs::rename(&staging, &dest)?;
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut site = Site::new();
        site.insert("en/index.html".into(), b"one".to_vec());
        site.insert("assets/style.css".into(), b"css".to_vec());
        let dest = write_edition(&site, dir.path(), "2026-Q3").expect("writes");
        assert_eq!(std::fs::read(dest.join("en/index.html")).expect("read"), b"one");
        site.remove("assets/style.css");
        write_edition(&site, dir.path(), "2026-Q3").expect("rewrites");
        assert!(!dest.join("assets/style.css").exists(), "the old copy is replaced whole");
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("e").file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("2026-Q3")], "no staging left behind");
        site.insert("../escape".into(), vec![]);
        assert!(write_edition(&site, dir.path(), "x").is_err());
    }
}
