//! Render: the pages a site keeps beside its editions: `versions.html` (every edition, newest
//! first, with its date, why it was made and a link to what changed) and `index.html` (to the
//! newest edition). They are views of the editions' manifests.

use crate::publish::Manifest;
use serde::Serialize;

#[derive(Serialize)]
struct EditionRow {
    id: String,
    date: String,
    period: String,
    reason: String,
    previous: Option<String>,
}

/// `versions.html` for `editions` (oldest first, as [`crate::publish::editions`] gives them).
pub fn versions_page(editions: &[&Manifest]) -> Result<String, super::site::RenderError> {
    // Only this template: parsing the whole set for it took a national build's main thread
    // 15-20 ms after the edition was written, the other core idle.
    let tera = super::site::template("versions.html")?;
    let mut c = tera::Context::new();
    let rows: Vec<EditionRow> = editions
        .iter()
        .rev()
        .map(|m| EditionRow {
            id: m.edition.clone(),
            date: m.date.clone(),
            period: m.period.clone(),
            reason: m.reason.clone(),
            previous: m.previous.clone(),
        })
        .collect();
    c.insert("editions", &rows);
    c.insert("newest", &editions.last().map(|m| m.edition.clone()).unwrap_or_default());
    c.insert("site_title", &editions.last().map(|m| m.title.clone()).unwrap_or_default());
    c.insert("tool", &crate::publish::tool());
    tera.render("versions.html", &c)
        .map_err(|e| super::site::RenderError::Template { name: "versions.html".into(), message: e.to_string() })
}

/// The site's `index.html`: a redirect to the newest edition's English overview.
pub fn site_index(newest: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ftc</title><meta http-equiv=\"refresh\" content=\"0; url={newest}/en/index.html\"></head><body><p><a href=\"{newest}/en/index.html\">English</a> · <a href=\"{newest}/km/index.html\" lang=\"km\">ខ្មែរ</a> · <a href=\"versions.html\">Editions</a></p></body></html>\n"
    )
}
