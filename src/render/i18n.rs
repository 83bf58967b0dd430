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
    (
        "table.provinces",
        "Provinces, ranked by the share of people living with HIV still needing treatment",
        Some("ខេត្ត តម្រៀបតាមភាគរយនៃអ្នករស់នៅជាមួយមេរោគអេដស៍ដែលនៅត្រូវការការព្យាបាល"),
    ),
    ("table.budget_category", "By category", Some("តាមប្រភេទចំណាយ")),
    ("table.budget_funding", "By funding source", Some("តាមប្រភពមូលនិធិ")),
    ("table.trend", "The three 95s and budget execution by period", Some("៩៥ ទាំងបី និងការអនុវត្តថវិកាតាមរយៈពេល")),
    ("table.budget_lines", "Budget lines, in the reporting currency", Some("ជួរថវិកា គិតជារូបិយប័ណ្ណរបាយការណ៍")),
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
    ("changes.none", "There is no earlier period to compare with.", Some("មិនមានរយៈពេលមុនសម្រាប់ប្រៀបធៀបទេ។")),
    ("link.quality", "Every finding, by province and rule", Some("បញ្ហាទាំងអស់ តាមខេត្ត និងវិធាន")),
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
        Some("{period}៖ ខេត្តចំនួន {provinces} និងឃុំ/សង្កាត់ចំនួន {communes} មានទិន្នន័យ។ អ្នករស់នៅជាមួយមេរោគអេដស៍ចំនួន {plhiv} នាក់។"),
    ),
    (
        "lead.province",
        "{period}: {communes} communes with figures, rank {rank} of {of} provinces by the share still needing treatment.",
        Some("{period}៖ ឃុំ/សង្កាត់ចំនួន {communes} មានទិន្នន័យ។ ចំណាត់ថ្នាក់ទី {rank} ក្នុងចំណោមខេត្ត {of} តាមភាគរយដែលនៅត្រូវការការព្យាបាល។"),
    ),
    ("lead.commune", "{period}: {district}, {province}.", Some("{period}៖ {district}, {province}។")),
    (
        "vl.note",
        "Viral-load testing coverage: {coverage} of people on treatment; suppressed among those tested: {supp}.",
        Some("អត្រាធ្វើតេស្តបន្ទុកមេរោគ៖ {coverage} នៃអ្នកកំពុងព្យាបាល។ ក្នុងចំណោមអ្នកបានធ្វើតេស្ត បន្ទុកមេរោគត្រូវបានបង្ក្រាប៖ {supp}។"),
    ),
    (
        "budget.lead",
        "At the end of {period}, {expected} of the fiscal year has passed: that is the execution expected. Amounts in {currency}; {rates}.",
        Some("នៅចុង {period} ឆ្នាំសារពើពន្ធបានកន្លងផុត {expected}៖ នេះជាអត្រាអនុវត្តដែលរំពឹងទុក។ ចំនួនទឹកប្រាក់គិតជា {currency}; {rates}។"),
    ),
    (
        "quality.lead",
        "{errors} errors and {warnings} warnings in {files} files.",
        Some("កំហុស {errors} និងការព្រមាន {warnings} ក្នុងឯកសារ {files}។"),
    ),
    ("changes.caption", "{to} against {from}", Some("{to} ធៀបនឹង {from}")),
    (
        "communes.caption",
        "{n} communes (select a column heading to sort)",
        Some("ឃុំ/សង្កាត់ចំនួន {n} (ចុចលើក្បាលជួរឈរ ដើម្បីតម្រៀប)"),
    ),
    (
        "stamp",
        "Edition {edition} · data for {period} · {audience}",
        Some("ការបោះពុម្ព {edition} · ទិន្នន័យសម្រាប់ {period} · {audience}"),
    ),
    (
        "footer",
        "Made with ftc from the provinces' submissions. Geography: Ministry of Economy and Finance, data.mef.gov.kh.",
        Some("បង្កើតដោយ ftc ពីឯកសារដែលខេត្តបានដាក់ស្នើ។ ភូមិសាស្ត្រ៖ ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ data.mef.gov.kh។"),
    ),
    ("title.overview", "Overview", Some("ទិដ្ឋភាពទូទៅ")),
    ("h.downloads", "Downloads", Some("ទាញយក")),
    (
        "download.cascade",
        "Cascade and people gaps of every area and period",
        Some("ខ្សែសង្វាក់សេវា និងចំនួនមនុស្សដែលនៅខ្វះ នៃគ្រប់តំបន់ និងរយៈពេល"),
    ),
    (
        "download.budget",
        "Budget execution of every area and period, by category and funding source",
        Some("ការអនុវត្តថវិកា នៃគ្រប់តំបន់ និងរយៈពេល តាមប្រភេទ និងប្រភពមូលនិធិ"),
    ),
    ("download.findings", "Every finding, with file, sheet and cell", Some("បញ្ហាទាំងអស់ ជាមួយឯកសារ សន្លឹក និងក្រឡា")),
    ("download.xlsx", "All three tables in one workbook", Some("តារាងទាំងបីក្នុងឯកសារតែមួយ")),
    ("category.prevention", "Prevention", Some("ការបង្ការ")),
    ("category.testing", "Testing", Some("ការធ្វើតេស្ត")),
    ("category.treatment", "Treatment", Some("ការព្យាបាល")),
    ("category.community", "Community", Some("សហគមន៍")),
    ("category.management", "Management", Some("ការគ្រប់គ្រង")),
    ("category.other", "Other", Some("ផ្សេងៗ")),
    ("words.diagnosed", "know their HIV status", Some("ដឹងពីស្ថានភាពផ្ទុកមេរោគអេដស៍")),
    ("words.on_art", "be on treatment", Some("ទទួលការព្យាបាល")),
    ("words.suppressed", "be virally suppressed", Some("មានបន្ទុកមេរោគត្រូវបានបង្ក្រាប")),
    ("ordinal.diagnosed", "first", Some("ទីមួយ")),
    ("ordinal.on_art", "second", Some("ទីពីរ")),
    ("ordinal.suppressed", "third", Some("ទីបី")),
    (
        "bn.largest_gap",
        "{gap} more people need to {words} to reach {target} of people living with HIV: the largest people gap here.",
        Some("{gap} នាក់ទៀតត្រូវ{words} ដើម្បីឈានដល់ {target} នៃអ្នករស់នៅជាមួយមេរោគអេដស៍៖ នេះជាគម្លាតធំបំផុតនៅទីនេះ។"),
    ),
    (
        "bn.below_target",
        "The {ordinal} 95 is {value} against a target of {target} ({points} short).",
        Some("៩៥ {ordinal} គឺ {value} ធៀបនឹងគោលដៅ {target} (ខ្វះ {points})។"),
    ),
    (
        "bn.low_vl_coverage",
        "Only {coverage} of people on treatment had a viral-load test, below {caution}: the suppression figure is uncertain until more are tested.",
        Some(
            "មានតែ {coverage} នៃអ្នកកំពុងព្យាបាលបានធ្វើតេស្តបន្ទុកមេរោគ ទាបជាង {caution}៖ តួលេខបង្ក្រាបមេរោគមិនទាន់ប្រាកដទេ រហូតដល់មានការធ្វើតេស្តបន្ថែម។",
        ),
    ),
    (
        "bn.budget_lag",
        "{category} spending is at {execution} of the approved budget against {expected} expected by now ({behind} behind): find out what holds up release or spending.",
        Some(
            "ការចំណាយលើ{category} មានត្រឹម {execution} នៃថវិកាអនុម័ត ធៀបនឹង {expected} ដែលរំពឹងទុក (នៅខ្វះ {behind})៖ ស្វែងរកមូលហេតុដែលរារាំងការបើកផ្តល់ ឬការចំណាយ។",
        ),
    ),
    (
        "bn.unspent_where_gap",
        "{category} money is only {execution} spent while {gap} more people need to {words}, the largest gap here: releasing and spending it is the first lever.",
        Some(
            "ថវិកា{category} ទើបចំណាយបាន {execution} ខណៈដែល {gap} នាក់ទៀតត្រូវ{words} ដែលជាគម្លាតធំបំផុត៖ ការបើកផ្តល់ និងចំណាយថវិកានេះ ជាវិធានការដំបូង។",
        ),
    ),
    (
        "bn.gap_concentration",
        "{k} of {n} communes hold {share} of the gap of people who still need to {words}: focus outreach there ({names}).",
        Some("ឃុំ/សង្កាត់ {k} ក្នុងចំណោម {n} មាន {share} នៃគម្លាតអ្នកដែលនៅត្រូវ{words}៖ ផ្តោតការចុះមូលដ្ឋាននៅទីនោះ ({names})។"),
    ),
    (
        "chart.budget.title",
        "Budget spent by category, against what is expected by now",
        Some("ថវិកាដែលបានចំណាយតាមប្រភេទ ធៀបនឹងអត្រារំពឹងទុក"),
    ),
    (
        "chart.budget.desc",
        "Expected by now: {expected} of the approved budget. Spent: {items}.",
        Some("អត្រារំពឹងទុក៖ {expected} នៃថវិកាអនុម័ត។ បានចំណាយ៖ {items}។"),
    ),
    ("chart.budget.marker", "dashed line: expected by now", Some("បន្ទាត់ដាច់ៗ៖ អត្រារំពឹងទុក")),
    (
        "table.province_changes",
        "Provinces: rank, first 95 and bottlenecks against the previous period",
        Some("ខេត្ត៖ ចំណាត់ថ្នាក់ ៩៥ ទីមួយ និងចំណុចកកស្ទះ ធៀបនឹងរយៈពេលមុន"),
    ),
    ("col.appeared", "Bottlenecks appeared", Some("ចំណុចកកស្ទះថ្មី")),
    ("col.resolved", "Bottlenecks resolved", Some("ចំណុចកកស្ទះដែលបានដោះស្រាយ")),
    ("brief.title", "{name}: workshop brief", Some("{name}៖ សេចក្តីសង្ខេបសិក្ខាសាលា")),
    ("brief.subtitle", "Reporting period {period}, data to {date}", Some("រយៈពេលរបាយការណ៍ {period} ទិន្នន័យដល់ {date}")),
    (
        "brief.stamp",
        "Edition {edition} · data to {date} · {audience}",
        Some("ការបោះពុម្ព {edition} · ទិន្នន័យដល់ {date} · {audience}"),
    ),
    ("brief.page_of", "page {page} of {pages}", Some("ទំព័រ {page} នៃ {pages}")),
    ("audience.public", "public", Some("សាធារណៈ")),
    ("audience.internal", "internal: not for publication", Some("ផ្ទៃក្នុង៖ មិនសម្រាប់ផ្សព្វផ្សាយ")),
    (
        "chart.suppressed",
        "Chart not drawn: some counts here are below {threshold} and are suppressed on the public site.",
        Some("មិនបានគូសក្រាហ្វ៖ ចំនួនខ្លះនៅទីនេះតិចជាង {threshold} ហើយត្រូវបានលាក់នៅលើគេហទំព័រសាធារណៈ។"),
    ),
    (
        "disclosure.note",
        "Public edition: counts from 1 to {max} are shown as <{threshold}, and * marks a figure withheld so that a small count cannot be worked out from the others.",
        Some(
            "កំណែសាធារណៈ៖ ចំនួនពី ១ ដល់ {max} បង្ហាញជា <{threshold} ហើយសញ្ញា * សម្គាល់តួលេខដែលត្រូវបានលាក់ ដើម្បីកុំឱ្យគេអាចគណនារកចំនួនតូចពីតួលេខផ្សេងទៀតបាន។",
        ),
    ),
    (
        "brief.communes_caption",
        "The {k} communes (of {n}) with the largest gap",
        Some("ឃុំ/សង្កាត់ {k} (ក្នុងចំណោម {n}) ដែលមានគម្លាតធំបំផុត"),
    ),
    (
        "brief.quality",
        "Data quality: {errors} errors and {warnings} warnings in this province's files.",
        Some("គុណភាពទិន្នន័យ៖ កំហុស {errors} និងការព្រមាន {warnings} ក្នុងឯកសាររបស់ខេត្តនេះ។"),
    ),
    ("brief.actions", "Action points from the last workshop", Some("ចំណុចសកម្មភាពពីសិក្ខាសាលាមុន")),
    ("brief.no_actions", "No action points were recorded.", Some("មិនមានចំណុចសកម្មភាពត្រូវបានកត់ត្រាទេ។")),
    ("brief.commitments", "This workshop's commitments (fill in by hand)", Some("ការប្តេជ្ញាចិត្តនៃសិក្ខាសាលានេះ (បំពេញដោយដៃ)")),
    ("brief.what", "What", Some("អ្វី")),
    ("brief.who", "Who", Some("នរណា")),
    ("brief.by_when", "By when", Some("ត្រឹមពេលណា")),
    ("brief.status", "Status", Some("ស្ថានភាព")),
    ("pack.title", "Workshop pack {period}", Some("ឯកសារសិក្ខាសាលា {period}")),
    ("pack.contents", "Contents", Some("មាតិកា")),
    ("pack.summary", "The initiative as a whole", Some("គំនិតផ្តួចផ្តើមទាំងមូល")),
    ("title.quality", "Data quality", Some("គុណភាពទិន្នន័យ")),
    (
        "lead.waiting",
        "No submissions yet for {period}: {provinces} provinces are expected. The figures appear here once their files are in.",
        Some(
            "មិនទាន់មានការដាក់ស្នើសម្រាប់ {period} នៅឡើយទេ៖ រំពឹងថានឹងមានខេត្តចំនួន {provinces}។ តួលេខនឹងបង្ហាញនៅទីនេះ នៅពេលឯកសាររបស់ខេត្តមកដល់។",
        ),
    ),
    (
        "waiting.next",
        "Next: send each province its templates (ftc template --province CODE), put the returned files in submissions/{period}/CODE/, check them with ftc check, and build again.",
        Some(
            "បន្ទាប់៖ ផ្ញើគំរូទៅខេត្តនីមួយៗ (ftc template --province CODE) ដាក់ឯកសារដែលបានត្រឡប់មកក្នុង submissions/{period}/CODE/ ពិនិត្យដោយ ftc check ហើយ build ម្តងទៀត។",
        ),
    ),
    ("h.waiting", "Submissions expected", Some("ការដាក់ស្នើដែលរំពឹងទុក")),
    ("title.changes", "What changed in this edition", Some("អ្វីដែលបានផ្លាស់ប្តូរក្នុងការបោះពុម្ពនេះ")),
    ("nav.changes", "What changed", Some("អ្វីដែលបានផ្លាស់ប្តូរ")),
    ("nav.versions", "All editions", Some("ការបោះពុម្ពទាំងអស់")),
    (
        "changes.first",
        "This is the site's first edition: there is no earlier edition to compare with.",
        Some("នេះជាការបោះពុម្ពដំបូងរបស់គេហទំព័រ៖ គ្មានការបោះពុម្ពមុនសម្រាប់ប្រៀបធៀបទេ។"),
    ),
    (
        "changes.lead",
        "Edition {to} against {from}, the newest edition when it was published.",
        Some("ការបោះពុម្ព {to} ធៀបនឹង {from} ដែលជាការបោះពុម្ពថ្មីបំផុតនៅពេលវាត្រូវបានបោះពុម្ព។"),
    ),
    ("changes.reason", "Why this edition was made", Some("មូលហេតុនៃការបោះពុម្ពនេះ")),
    (
        "changes.nothing",
        "No figure, bottleneck or finding changed.",
        Some("គ្មានតួលេខ ចំណុចកកស្ទះ ឬបញ្ហាដែលបានរកឃើញណាមួយបានផ្លាស់ប្តូរទេ។"),
    ),
    ("changes.movement", "The three 95s, {from} → {to}", Some("៩៥ ទាំងបី ពី {from} ទៅ {to}")),
    ("changes.figures", "Figures revised", Some("តួលេខដែលបានកែប្រែ")),
    ("changes.more", "and {n} more; `ftc diff` lists them all.", Some("និង {n} ទៀត; `ftc diff` បង្ហាញទាំងអស់។")),
    ("changes.rows", "Areas and periods", Some("តំបន់ និងរយៈពេល")),
    ("changes.rows_added", "{table}, {period}: {n} new rows", Some("{table} {period}៖ ជួរថ្មីចំនួន {n}")),
    (
        "changes.rows_removed",
        "{table}, {period}: {n} rows no longer published",
        Some("{table} {period}៖ ជួរចំនួន {n} លែងត្រូវបានបោះពុម្ព"),
    ),
    ("changes.table.cascade", "Cascade", Some("ខ្សែសង្វាក់សេវា")),
    ("changes.table.budget", "Budget", Some("ថវិកា")),
    ("changes.bottlenecks_new", "New bottlenecks", Some("ចំណុចកកស្ទះថ្មី")),
    ("changes.bottlenecks_gone", "Bottlenecks gone", Some("ចំណុចកកស្ទះដែលលែងមាន")),
    ("changes.findings_new", "New findings", Some("បញ្ហាថ្មីដែលបានរកឃើញ")),
    ("changes.findings_fixed", "Findings fixed", Some("បញ្ហាដែលបានដោះស្រាយ")),
    ("col.area", "Area", Some("តំបន់")),
    ("col.figure", "Figure", Some("តួលេខ")),
    ("col.before", "Before", Some("មុន")),
    ("col.now", "Now", Some("ឥឡូវ")),
    ("col.vl_tested", "Viral load tested", Some("បានធ្វើតេស្តបន្ទុកមេរោគ")),
    ("col.released", "Released", Some("ថវិកាបានបញ្ចេញ")),
    ("title.search", "Search provinces and communes", Some("ស្វែងរកខេត្ត និងឃុំ/សង្កាត់")),
    ("h.submissions", "Submissions received", Some("ឯកសារដែលបានទទួល")),
    ("h.all_findings", "Every finding", Some("បញ្ហាទាំងអស់ដែលបានរកឃើញ")),
    ("h.all_areas", "All provinces and communes", Some("ខេត្ត និងឃុំ/សង្កាត់ទាំងអស់")),
    (
        "table.submissions",
        "Cascade and budget files per province and period",
        Some("ឯកសារខ្សែសង្វាក់សេវា និងថវិកា តាមខេត្ត និងរយៈពេល"),
    ),
    ("filter.all", "All", Some("ទាំងអស់")),
    ("search.label", "Name or code", Some("ឈ្មោះ ឬលេខកូដ")),
    ("status.received", "received", Some("បានទទួល")),
    ("status.late", "late", Some("យឺត")),
    ("status.missing", "missing", Some("ខ្វះ")),
    ("status.none_yet", "no submissions yet", Some("មិនទាន់មានការដាក់ស្នើ")),
    ("status.cascade", "cascade", Some("ខ្សែសង្វាក់សេវា")),
    ("status.budget", "budget", Some("ថវិកា")),
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
        Some(
            "ក្នុងចំណោមអ្នករស់នៅជាមួយមេរោគអេដស៍ {plhiv} នាក់៖ {diagnosed} នាក់ដឹងពីស្ថានភាពរបស់ខ្លួន ({p1}, គោលដៅ {t1}), {on_art} នាក់កំពុងព្យាបាល ({p2}, គោលដៅ {t2}), {suppressed} នាក់មានបន្ទុកមេរោគត្រូវបានបង្ក្រាប ({p3}, គោលដៅ {t3})។",
        ),
    ),
    (
        "chart.desc.conditional",
        "First 95: {p1} (target {t1}); second 95: {p2} (target {t2}); third 95: {p3} (target {t3}).",
        Some("៩៥ ទីមួយ៖ {p1} (គោលដៅ {t1}); ៩៥ ទីពីរ៖ {p2} (គោលដៅ {t2}); ៩៥ ទីបី៖ {p3} (គោលដៅ {t3})។"),
    ),
];

/// The string for `key` in `lang` (English where Khmer is missing; the key itself if unknown).
pub fn t(key: &str, lang: Lang) -> &str {
    match entry(key) {
        Some((_, en, km)) => pick(en, *km, lang),
        None => key,
    }
}

/// The text of `key` in `lang`, if the table has the key.
pub fn lookup(key: &str, lang: Lang) -> Option<&'static str> {
    entry(key).map(|(_, en, km)| pick(en, *km, lang))
}

fn entry(key: &str) -> Option<&'static (&'static str, &'static str, Option<&'static str>)> {
    // Looked up thousands of times per page set: an index, not a scan of the table.
    static INDEX: std::sync::OnceLock<std::collections::HashMap<&'static str, usize>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| STRINGS.iter().enumerate().rev().map(|(i, (k, _, _))| (*k, i)).collect());
    index.get(key).map(|&i| &STRINGS[i])
}

/// English, or Khmer where there is a translation.
fn pick<'a>(en: &'a str, km: Option<&'a str>, lang: Lang) -> &'a str {
    match lang {
        Lang::En => en,
        Lang::Km => km.unwrap_or(en),
    }
}

/// Fill `{name}` placeholders (a name no argument has stays as written). One pass, so a value
/// that itself contains `{name}` (an activity typed so) is never filled in turn.
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + args.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value =
            after.find('}').and_then(|close| args.iter().find(|(k, _)| *k == &after[..close]).map(|(_, v)| (close, v)));
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
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
    fn fill_puts_each_value_once_and_leaves_unknown_names() {
        let args = [("a", "1".to_string()), ("b", "{a}".to_string()), ("a", "ignored".to_string())];
        assert_eq!(fill("x {a} y {b} z {c} {{a}} {a", &args), "x 1 y {a} z {c} {1} {a");
        assert_eq!(fill("", &args), "");
        assert_eq!(fill("ក {a}ខ", &args), "ក 1ខ");
    }

    #[test]
    fn lookup_fallback_and_missing_list() {
        assert_eq!(t("stage.on_art", Lang::En), "On treatment");
        assert_eq!(t("stage.on_art", Lang::Km), "កំពុងព្យាបាលដោយឱសថ ARV");
        assert_eq!(pick("Rank", None, Lang::Km), "Rank", "a missing translation falls back to English");
        assert_eq!(pick("Rank", Some("ចំណាត់ថ្នាក់"), Lang::Km), "ចំណាត់ថ្នាក់");
        let missing: Vec<_> = STRINGS.iter().filter(|(_, _, km)| km.is_none()).map(|(k, _, _)| *k).collect();
        assert_eq!(missing_khmer(), missing);
        // Placeholders survive translation: a Khmer sentence names the same {fields} as the English.
        for (k, en, km) in STRINGS {
            let fields = |s: &str| {
                s.split('{')
                    .skip(1)
                    .filter_map(|x| x.split('}').next())
                    .map(str::to_string)
                    .collect::<std::collections::BTreeSet<_>>()
            };
            if let Some(km) = km {
                assert_eq!(fields(en), fields(km), "{k}");
            }
        }
        assert_eq!(t("no.such.key", Lang::En), "no.such.key");
        let keys: std::collections::BTreeSet<_> = STRINGS.iter().map(|(k, _, _)| k).collect();
        assert_eq!(keys.len(), STRINGS.len(), "keys are unique");
        assert_eq!(fill("{a} of {b}", &[("a", "1".into()), ("b", "2".into())]), "1 of 2");
    }
}
