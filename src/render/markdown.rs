//! Render: narratives and free pages: TOML front matter between `+++` lines, Markdown through
//! pulldown-cmark, and the HTML it makes cleaned by ammonia, so a `<script>` or an `onerror=`
//! written in a narrative never reaches a page.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: Option<String>,
    /// `public` (default) or `internal`: internal pages stay out of public builds.
    pub audience: Option<String>,
    /// Language of the page (`en`, `km`); pages without one are shown in every language.
    pub lang: Option<String>,
    /// A narrative's action points from the last workshop, shown on the province brief.
    #[serde(default)]
    pub action_points: Vec<ActionPoint>,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActionPoint {
    pub action: String,
    pub who: String,
    #[serde(default)]
    pub by_when: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub front: FrontMatter,
    pub html: String,
}

/// Split `+++` front matter from the body. Errors say what is wrong with the front matter.
pub fn split_front_matter(text: &str) -> Result<(FrontMatter, &str), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("+++").filter(|r| r.starts_with('\n') || r.starts_with("\r\n")) else {
        return Ok((FrontMatter::default(), text));
    };
    let end = rest.find("\n+++").ok_or("the front matter opened with +++ is never closed")?;
    let front: FrontMatter = toml::from_str(&rest[..end]).map_err(|e| format!("front matter: {}", e.message()))?;
    let body = rest[end + 4..].trim_start_matches(['\r', '\n']);
    Ok((front, body))
}

/// Markdown to sanitised HTML.
pub fn to_html(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH));
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(&raw).to_string()
}

pub fn parse(text: &str) -> Result<Document, String> {
    let (front, body) = split_front_matter(text)?;
    Ok(Document { front, html: to_html(body) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body() {
        let d =
            parse("+++\ntitle = \"Methodology\"\n+++\n# Hello\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").expect("parses");
        assert_eq!(d.front.title.as_deref(), Some("Methodology"));
        assert!(d.html.contains("<h1>Hello</h1>") && d.html.contains("<table>"), "{}", d.html);
        assert!(parse("+++\ntitel = 1\n+++\nx").is_err());
        assert!(parse("+++\ntitle = \"x\"\nno end").is_err());
        assert_eq!(parse("plain").expect("ok").front, FrontMatter::default());
    }

    #[test]
    fn script_and_event_handlers_never_reach_a_page() {
        let html = to_html("Hi <script>alert(1)</script> <img src=x onerror=\"alert(2)\"> [a](javascript:alert(3))");
        assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"), "{html}");
    }
}
