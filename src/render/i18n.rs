//! Render: every UI string, in English and Khmer, in one declarative table. A string without a
//! Khmer translation falls back to English and is listed by [`missing_khmer`], so a build can
//! say what is left to translate instead of hiding the gap.

use super::format::Lang;

/// (key, English, Khmer or `None` where not translated yet).
pub const STRINGS: &[(&str, &str, Option<&str>)] = &[
    ("nav.skip", "Skip to content", Some("រំលងទៅខ្លឹមសារ")),
    ("nav.label", "Main", Some("ម៉ឺនុយមេ")),
    ("nav.overview", "Overview", Some("ទិដ្ឋភាពទូទៅ")),
    ("nav.quality", "Data quality", Some("គុណភាពទិន្នន័យ")),
    ("nav.search", "Search", Some("ស្វែងរក")),
    ("h.cascade", "HIV treatment cascade", Some("ខ្សែសង្វាក់សេវាព្យាបាលមេរោគអេដស៍")),
    ("h.provinces", "Provinces", Some("ខេត្ត")),
    ("h.budget", "Budget execution", Some("ការអនុវត្តថវិកា")),
    ("h.bottlenecks", "Bottlenecks", Some("ចំណុចកកស្ទះ")),
    ("h.quality", "Data quality", Some("គុណភាពទិន្នន័យ")),
    ("h.changes", "What changed since the last period", Some("អ្វីដែលបានផ្លាស់ប្តូរតាំងពីរយៈពេលមុន")),
    ("h.communes", "Communes", Some("ឃុំ/សង្កាត់")),
    ("h.trend", "Trend over periods", Some("និន្នាការតាមរយៈពេល")),
    ("h.narrative", "Workshop notes", Some("កំណត់ត្រាសិក្ខាសាលា")),
    ("h.findings", "Findings in the submissions", Some("បញ្ហាដែលបានរកឃើញក្នុងឯកសារ")),
    ("h.budget_lines", "Budget lines", Some("ជួរថវិកា")),
    ("table.cascade", "Cascade and people gaps", Some("ខ្សែសង្វាក់សេវា និងចំនួនមនុស្សដែលនៅខ្វះ")),
    ("table.findings", "Findings", Some("បញ្ហាដែលបានរកឃើញ")),
    ("table.provinces", "Provinces, ranked by the share of people living with HIV still needing treatment", None),
    ("table.budget_category", "By category", Some("តាមប្រភេទចំណាយ")),
    ("table.budget_funding", "By funding source", Some("តាមប្រភពមូលនិធិ")),
    ("table.trend", "The three 95s and budget execution by period", None),
    ("table.budget_lines", "Budget lines, in the reporting currency", None),
    ("col.stage", "Stage", Some("ដំណាក់កាល")),
    ("col.people", "People", Some("ចំនួនមនុស្ស")),
    ("col.share_plhiv", "Share of PLHIV", Some("ភាគរយនៃអ្នករស់នៅជាមួយមេរោគអេដស៍")),
    ("col.target", "Target", Some("គោលដៅ")),
    ("col.gap", "People still needed", Some("ចំនួនមនុស្សដែលនៅខ្វះ")),
    ("col.severity", "Severity", Some("កម្រិត")),
    ("col.place", "Where", Some("ទីតាំង")),
    ("col.rule", "Rule", Some("វិធាន")),
    ("col.message", "What to do", Some("អ្វីដែលត្រូវធ្វើ")),
    ("col.item", "Item", Some("ធាតុ")),
    ("col.approved", "Approved", Some("ថវិកាអនុម័ត")),
    ("col.spent", "Spent", Some("ថវិកាបានចំណាយ")),
    ("col.execution", "Execution", Some("អត្រាអនុវត្ត")),
    ("col.expected", "Expected by now", Some("អត្រារំពឹងទុក")),
    ("col.rank", "Rank", Some("ចំណាត់ថ្នាក់")),
    ("col.province", "Province", Some("ខេត្ត")),
    ("col.largest_gap", "Largest gap", Some("គម្លាតធំបំផុត")),
    ("col.indicator", "Indicator", Some("សូចនាករ")),
    ("col.change", "Change", Some("ការផ្លាស់ប្តូរ")),
    ("col.commune", "Commune", Some("ឃុំ/សង្កាត់")),
    ("col.plhiv", "PLHIV", Some("អ្នករស់នៅជាមួយមេរោគអេដស៍")),
    ("col.gap_diagnosed", "Still to diagnose", Some("នៅខ្វះការធ្វើរោគវិនិច្ឆ័យ")),
    ("col.gap_on_art", "Still to treat", Some("នៅខ្វះការព្យាបាល")),
    ("col.gap_suppressed", "Still to suppress", Some("នៅខ្វះការបង្ក្រាបមេរោគ")),
    ("col.period", "Period", Some("រយៈពេល")),
    ("stage.plhiv", "People living with HIV", Some("អ្នករស់នៅជាមួយមេរោគអេដស៍")),
    ("bottlenecks.none", "No bottleneck found by the rules.", Some("រកមិនឃើញចំណុចកកស្ទះទេ។")),
    ("findings.none", "No findings.", Some("មិនមានបញ្ហា។")),
    ("cascade.none", "No cascade figures were submitted.", Some("មិនមានទិន្នន័យខ្សែសង្វាក់សេវាទេ។")),
    ("budget.none", "No budget lines were submitted.", Some("មិនមានជួរថវិកាទេ។")),
    ("changes.none", "There is no earlier period to compare with.", None),
    ("link.quality", "Every finding, by province and rule", None),
    ("severity.high", "High", Some("ខ្ពស់")),
    ("severity.medium", "Medium", Some("មធ្យម")),
    ("severity.low", "Low", Some("ទាប")),
    ("severity.error", "Error", Some("កំហុស")),
    ("severity.warning", "Warning", Some("ការព្រមាន")),
    ("severity.note", "Note", Some("កំណត់សម្គាល់")),
    ("gap.diagnosed", "{n} still to diagnose", Some("{n} នាក់នៅខ្វះការធ្វើរោគវិនិច្ឆ័យ")),
    ("gap.on_art", "{n} still to treat", Some("{n} នាក់នៅខ្វះការព្យាបាល")),
    ("gap.suppressed", "{n} still to suppress", Some("{n} នាក់នៅខ្វះការបង្ក្រាបមេរោគ")),
    ("gap.none", "Targets met", Some("សម្រេចគោលដៅ")),
    (
        "lead.overview",
        "{period}: {provinces} provinces and {communes} communes with figures. {plhiv} people living with HIV.",
        None,
    ),
    (
        "lead.province",
        "{period}: {communes} communes with figures, rank {rank} of {of} provinces by the share still needing treatment.",
        None,
    ),
    ("lead.commune", "{period}: {district}, {province}.", None),
    (
        "vl.note",
        "Viral-load testing coverage: {coverage} of people on treatment; suppressed among those tested: {supp}.",
        None,
    ),
    (
        "budget.lead",
        "At the end of {period}, {expected} of the fiscal year has passed: that is the execution expected. Amounts in {currency}; {rates}.",
        None,
    ),
    ("quality.lead", "{errors} errors and {warnings} warnings in {files} files.", None),
    ("changes.caption", "{to} against {from}", None),
    ("communes.caption", "{n} communes (select a column heading to sort)", None),
    ("stamp", "Edition {edition} · data for {period}", None),
    (
        "footer",
        "Made with ftc from the provinces' submissions. Geography: Ministry of Economy and Finance, data.mef.gov.kh.",
        None,
    ),
    ("title.overview", "Overview", Some("ទិដ្ឋភាពទូទៅ")),
    ("h.downloads", "Downloads", Some("ទាញយក")),
    ("download.cascade", "Cascade and people gaps of every area and period", None),
    ("download.budget", "Budget execution of every area and period, by category and funding source", None),
    ("download.findings", "Every finding, with file, sheet and cell", None),
    ("download.xlsx", "All three tables in one workbook", None),
    ("title.quality", "Data quality", Some("គុណភាពទិន្នន័យ")),
    ("title.search", "Search provinces and communes", Some("ស្វែងរកខេត្ត និងឃុំ/សង្កាត់")),
    ("h.submissions", "Submissions received", Some("ឯកសារដែលបានទទួល")),
    ("h.all_findings", "Every finding", Some("បញ្ហាទាំងអស់ដែលបានរកឃើញ")),
    ("h.all_areas", "All provinces and communes", Some("ខេត្ត និងឃុំ/សង្កាត់ទាំងអស់")),
    ("table.submissions", "Cascade and budget files per province and period", None),
    ("filter.all", "All", Some("ទាំងអស់")),
    ("search.label", "Name or code", Some("ឈ្មោះ ឬលេខកូដ")),
    ("status.received", "received", Some("បានទទួល")),
    ("status.late", "late", Some("យឺត")),
    ("status.missing", "missing", Some("ខ្វះ")),
    ("status.cascade", "cascade", None),
    ("status.budget", "budget", None),
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

/// Every string of a language, for templates (`t["nav.overview"]`).
pub fn table(lang: Lang) -> std::collections::BTreeMap<&'static str, &'static str> {
    STRINGS.iter().map(|(k, en, km)| (*k, if lang == Lang::Km { km.unwrap_or(en) } else { *en })).collect()
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
