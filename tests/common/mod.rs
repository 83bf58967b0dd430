//! Helpers shared by the integration tests (a folder, so Cargo does not run it as a test).

use std::path::Path;

/// Copy the folder `from` into `to`, made as needed, but not a build cache (`.ftc-cache`) it may
/// hold: a copied project is read from its spreadsheets.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_entry(|e| e.file_name() != ftc::build::CACHE_DIR) {
        let e = e.expect("walk");
        let dest = to.join(e.path().strip_prefix(from).expect("rel"));
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}
