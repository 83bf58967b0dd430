//! Publish: the inputs of a build, each with its size and SHA-256, and the fingerprint that
//! decides whether an edition is still current. Paths are relative to the project root with `/`
//! separators, so the same project in another folder has the same fingerprint.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// One file of an edition's manifest: path, size and SHA-256 (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

impl FileEntry {
    pub fn of(path: &str, content: &[u8]) -> FileEntry {
        FileEntry { path: path.to_string(), bytes: content.len() as u64, sha256: sha256_hex(content) }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `bytes` in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    s
}

/// The folders of a project whose files a build reads, besides `ftc.toml` and `geography.csv`.
pub const INPUT_DIRS: &[&str] = &["submissions", "pages", "narratives", "templates"];

/// What stands in for a symbolic link's content: links are never followed.
const SYMLINK: &[u8] = b"ftc: a symbolic link, not followed\n";

/// Every file a build of the project in `root` reads: `ftc.toml`, `geography.csv` when the
/// project has one, and every file under `submissions/`, `pages/`, `narratives/` and
/// `templates/`, sorted by path. Hidden files (`.name`) and office lock files (`~$name`) are
/// left out, as ingest leaves them out. Symbolic links are not followed; each is listed with a
/// fixed stand-in content, since the build reports it.
pub fn collect(root: &Path) -> std::io::Result<Vec<FileEntry>> {
    let mut out = Vec::new();
    for name in [crate::project::CONFIG_FILE, crate::project::GEOGRAPHY_FILE] {
        let path = root.join(name);
        if path.is_file() {
            out.push(FileEntry::of(name, &std::fs::read(&path)?));
        }
    }
    for dir in INPUT_DIRS {
        let base = root.join(dir);
        if !base.is_dir() {
            continue;
        }
        let walk = walkdir::WalkDir::new(&base).follow_links(false).follow_root_links(false).sort_by_file_name();
        for entry in walk {
            let entry = entry.map_err(std::io::Error::other)?;
            let link = entry.path_is_symlink();
            if !entry.file_type().is_file() && !link {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(root) else { continue };
            let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            if parts.iter().any(|p| p.starts_with('.') || p.starts_with("~$")) {
                continue;
            }
            // A link is not followed, but the build reports it: its presence is an input.
            let content = if link { SYMLINK.to_vec() } else { std::fs::read(entry.path())? };
            out.push(FileEntry::of(&parts.join("/"), &content));
        }
    }
    out.sort();
    Ok(out)
}

/// What decides whether an edition is current: the tool, the audience, the build options and
/// every input file. Two builds with equal fingerprints give byte-identical editions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub tool: String,
    pub audience: String,
    pub options: BTreeMap<String, String>,
    pub inputs: Vec<FileEntry>,
}

impl Fingerprint {
    /// One SHA-256 over everything above, in a fixed order.
    pub fn hash(&self) -> String {
        let mut text = format!("tool {}\naudience {}\n", self.tool, self.audience);
        for (k, v) in &self.options {
            text.push_str(&format!("option {k}={v}\n"));
        }
        for f in &self.inputs {
            text.push_str(&format!("input {} {} {}\n", f.sha256, f.bytes, f.path));
        }
        sha256_hex(text.as_bytes())
    }

    /// The SHA-256 of `ftc.toml`, if it is among the inputs.
    pub fn config_sha256(&self) -> String {
        self.inputs.iter().find(|f| f.path == crate::project::CONFIG_FILE).map(|f| f.sha256.clone()).unwrap_or_default()
    }

    /// Why `self` differs from `before`, in words: the files added, removed and changed, the
    /// tool's version, the options. Empty when they are equal.
    pub fn changes_since(&self, before: &Fingerprint) -> Vec<String> {
        let mut out = Vec::new();
        if self.tool != before.tool {
            out.push(format!("tool {} → {}", before.tool, self.tool));
        }
        if self.audience != before.audience {
            out.push(format!("audience {} → {}", before.audience, self.audience));
        }
        for (k, v) in &self.options {
            if before.options.get(k) != Some(v) {
                out.push(format!("option {k}={v}"));
            }
        }
        for k in before.options.keys().filter(|k| !self.options.contains_key(*k)) {
            out.push(format!("option {k} removed"));
        }
        let old: BTreeMap<&str, &FileEntry> = before.inputs.iter().map(|f| (f.path.as_str(), f)).collect();
        let new: BTreeMap<&str, &FileEntry> = self.inputs.iter().map(|f| (f.path.as_str(), f)).collect();
        for (path, f) in &new {
            match old.get(path) {
                None => out.push(format!("added {path}")),
                Some(o) if o.sha256 != f.sha256 => out.push(format!("changed {path}")),
                Some(_) => {}
            }
        }
        for path in old.keys().filter(|p| !new.contains_key(*p)) {
            out.push(format!("removed {path}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_strings() {
        // FIPS 180-2 test vectors.
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn collects_relative_sorted_and_skips_hidden_and_lock_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        std::fs::write(root.join("ftc.toml"), "title = 'x'").expect("w");
        std::fs::create_dir_all(root.join("submissions/2026-Q3/02")).expect("d");
        std::fs::write(root.join("submissions/2026-Q3/02/b.csv"), "b").expect("w");
        std::fs::write(root.join("submissions/2026-Q3/02/a.csv"), "a").expect("w");
        std::fs::write(root.join("submissions/2026-Q3/02/~$a.xlsx"), "lock").expect("w");
        std::fs::write(root.join("submissions/2026-Q3/02/.DS_Store"), "x").expect("w");
        std::fs::write(root.join("notes.txt"), "not an input").expect("w");
        let files = collect(root).expect("collect");
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["ftc.toml", "submissions/2026-Q3/02/a.csv", "submissions/2026-Q3/02/b.csv"]);
        assert_eq!(files[1].bytes, 1);
        assert_eq!(files[1].sha256, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
    }

    #[test]
    fn changes_are_named() {
        let fp = |files: &[(&str, &str)]| Fingerprint {
            tool: "ftc 1".into(),
            audience: "public".into(),
            options: BTreeMap::new(),
            inputs: files.iter().map(|(p, c)| FileEntry::of(p, c.as_bytes())).collect(),
        };
        let a = fp(&[("ftc.toml", "1"), ("submissions/x.csv", "1"), ("pages/m.md", "m")]);
        let b = fp(&[("ftc.toml", "1"), ("submissions/x.csv", "2"), ("submissions/y.csv", "y")]);
        assert_eq!(b.changes_since(&a), ["changed submissions/x.csv", "added submissions/y.csv", "removed pages/m.md"]);
        assert!(a.changes_since(&a).is_empty());
        assert_eq!(a.hash(), a.clone().hash());
        assert_ne!(a.hash(), b.hash());
    }
}
