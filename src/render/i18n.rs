//! Render: every UI string, in English and Khmer, in one declarative table. A string without a
//! Khmer translation falls back to English and is listed by [`missing_khmer`], so a build can
//! say what is left to translate instead of hiding the gap.

use super::format::Lang;

/// (key, English, Khmer or `None` where not translated yet).
pub const STRINGS: &[(&str, &str, Option<&str>)] = &[
    ("cascade.title", "HIV treatment cascade", Some("ខ្សែសង្វាក់សេវាព្យាបាលមេរោគអេដស៍")),
    ("cascade.of_plhiv", "As a share of all people living with HIV", Some("គិតជាភាគរយនៃអ្នករស់នៅជាមួយមេរោគអេដស៍ទាំងអស់")),
    ("cascade.conditional", "Step by step (the three 95s)", Some("តាមដំណាក់កាលនីមួយៗ (៩៥ ទាំងបី)")),
    ("stage.diagnosed", "Know their status", Some("ដឹងពីស្ថានភាពផ្ទុកមេរោគអេដស៍")),
    ("stage.on_art", "On treatment", Some("កំពុងព្យាបាលដោយឱសថ ARV")),
    ("stage.suppressed", "Virally suppressed", Some("បន្ទុកមេរោគត្រូវបានបង្ក្រាប")),
    ("stage.first", "First 95: diagnosed", Some("៩៥ ទីមួយ៖ បានធ្វើរោគវិនិច្ឆ័យ")),
    ("stage.second", "Second 95: on treatment", Some("៩៥ ទីពីរ៖ កំពុងព្យាបាល")),
    ("stage.third", "Third 95: suppressed", Some("៩៥ ទីបី៖ បង្ក្រាបមេរោគ")),
    ("chart.target", "dashed line: target", Some("បន្ទាត់ដាច់ៗ៖ គោលដៅ")),
    (
        "chart.desc.of_plhiv",
        "Of {plhiv} people living with HIV: {diagnosed} know their status ({p1}, target {t1}), {on_art} are on treatment ({p2}, target {t2}), {suppressed} are virally suppressed ({p3}, target {t3}).",
        None,
    ),
    (
        "chart.desc.conditional",
        "First 95: {p1} (target {t1}); second 95: {p2} (target {t2}); third 95: {p3} (target {t3}).",
        None,
    ),
];

/// The string for `key` in `lang` (English where Khmer is missing; the key itself if unknown).
pub fn t(key: &str, lang: Lang) -> &str {
    match STRINGS.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, km)) => match lang {
            Lang::En => en,
            Lang::Km => km.unwrap_or(en),
        },
        None => key,
    }
}

/// Fill `{name}` placeholders.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    args.iter().fold(template.to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

/// Keys that have no Khmer translation yet.
pub fn missing_khmer() -> Vec<&'static str> {
    STRINGS.iter().filter(|(_, _, km)| km.is_none()).map(|(k, _, _)| *k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_fallback_and_missing_list() {
        assert_eq!(t("stage.on_art", Lang::En), "On treatment");
        assert_eq!(t("stage.on_art", Lang::Km), "កំពុងព្យាបាលដោយឱសថ ARV");
        assert_eq!(t("chart.desc.conditional", Lang::Km), t("chart.desc.conditional", Lang::En));
        assert!(missing_khmer().contains(&"chart.desc.conditional"));
        assert_eq!(t("no.such.key", Lang::En), "no.such.key");
        let keys: std::collections::BTreeSet<_> = STRINGS.iter().map(|(k, _, _)| k).collect();
        assert_eq!(keys.len(), STRINGS.len(), "keys are unique");
        assert_eq!(fill("{a} of {b}", &[("a", "1".into()), ("b", "2".into())]), "1 of 2");
    }
}
