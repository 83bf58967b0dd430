//! Ingest: a zip package (xlsx, xlsb, ods) checked before calamine opens it. calamine trusts
//! what a package says about itself; a hostile or broken one can make it inflate gigabytes,
//! buffer one gigantic cell, reserve room for billions of strings, or (ods) allocate every
//! cell between A1 and a value a million rows down. These checks read what the package
//! *holds*, streamed through a fixed buffer, and refuse it with a finding before any of that.

use super::sniff::{self, Format};
use crate::finding::{Finding, Location, Rule, a1};
use crate::project::Limits;
use std::io::{BufReader, Cursor, Read, Write};

/// The longest run of bytes between two markup characters (`<`, `>`) an XML part may hold:
/// thirty times more than the longest cell Excel allows (32,767 characters), far less than
/// memory. Without it the XML reader would buffer a gigantic cell or tag whole.
pub const MAX_XML_TOKEN: u64 = 1 << 20;

/// The most a package may hold uncompressed, in total.
pub fn max_unpacked(limits: &Limits) -> u64 {
    limits.max_file_bytes.saturating_mul(20)
}

/// The most a package may hold uncompressed for the scan to hand calamine its parts already
/// inflated ([`Scanned::unpacked`]); a larger one is read from its own bytes, inflated again.
pub const MAX_REPACK: u64 = 64 << 20;

/// What the scan learnt that spares calamine work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    /// Some part may hold merged cells (`mergeCell` occurs in it). When none does,
    /// the reader skips calamine's merged-cell lookup, which inflates and parses every sheet a
    /// second time (a quarter of reading a national project's workbooks).
    pub merges: bool,
    /// The same package with every part the scan inflated stored uncompressed (the other
    /// entries copied as they were), for calamine to read instead of the file's bytes: the scan
    /// inflates every XML part anyway, and calamine would inflate each again (a tenth of
    /// reading a national project). `None` when the package holds more than [`MAX_REPACK`],
    /// or anything in it could not be read or copied exactly: calamine then reads the file
    /// itself and says what is wrong with it.
    pub unpacked: Option<Vec<u8>>,
}

/// The package being rebuilt with its parts stored, while it is scanned.
struct Repack {
    zip: zip::ZipWriter<Cursor<Vec<u8>>>,
}

impl Repack {
    fn new(capacity: u64) -> Self {
        let buf = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        Repack { zip: zip::ZipWriter::new(Cursor::new(buf)) }
    }

    /// Start a stored entry: the scan then writes the part into it as it inflates it.
    fn start(&mut self, name: &str) -> zip::result::ZipResult<()> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .last_modified_time(zip::DateTime::default());
        self.zip.start_file(name, options)
    }

    fn finish(self) -> Option<Vec<u8>> {
        self.zip.finish().ok().map(Cursor::into_inner)
    }
}

/// Check a package. `Err` refuses the whole file. A package whose directory cannot be read is
/// let through: calamine says what is wrong with it.
pub fn check_package(bytes: &[u8], format: Format, file: &str, limits: &Limits) -> Result<Scanned, Finding> {
    let loc = || Location::file(file);
    // Until every worksheet part has been read to its end, merges may be there.
    let unsure = Scanned { merges: true, unpacked: None };
    let Ok(entries) = sniff::zip_entries(bytes) else { return Ok(unsure) };
    if let Some(entry) = sniff::duplicate_entry(&entries) {
        return Err(Finding::error(Rule::UnreadableFile, "file.duplicate-zip-entry", loc()).arg("entry", entry));
    }
    let cap = max_unpacked(limits);
    let declared: u64 = entries.iter().map(|e| e.uncompressed).sum();
    if declared > cap {
        return Err(Finding::error(Rule::UnreadableFile, "file.too-large", loc())
            .arg("size", format!("{declared} (uncompressed)"))
            .arg_km("size", format!("{declared} (ក្រោយពន្លា)"))
            .arg("limit", cap));
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(unsure) };
    let mut inflated = 0u64;
    let mut merges = false;
    // Only xlsx is handed over repacked: calamine reads ods and xlsb parts the scan leaves.
    let mut repack = (format == Format::Xlsx && declared <= MAX_REPACK).then(|| Repack::new(declared + 4096));
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index(i) else {
            merges = true;
            repack = None;
            continue;
        };
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        if entry.is_dir() || !(lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".bin")) {
            if let Some(r) = &mut repack
                && r.zip.raw_copy_file(entry).is_err()
            {
                repack = None;
            }
            continue;
        }
        // Every XML part is watched, not only `xl/worksheets/`: a package may keep its sheets
        // anywhere its relationships point.
        let sheet = lower.ends_with(".xml");
        // The name as the archive holds it, exactly: a name zip reads differently (not UTF-8,
        // say) would be looked up differently once written again.
        if let Some(r) = &mut repack
            && (entry.name_raw() != name.as_bytes() || r.start(&name).is_err())
        {
            repack = None;
        }
        let mut guard = Guard::new(entry, cap.saturating_sub(inflated), !lower.ends_with(".bin"));
        guard.watch = sheet.then(Watch::default);
        // Written into the repacked package as it is inflated, not kept and copied in after.
        guard.keep = repack.as_mut().map(|r| &mut r.zip as &mut dyn Write);
        // An `Io` stop is corrupt data, or more than the entry declared (the inflater stops
        // there): calamine meets the same error when it reads the part, and names the sheet.
        let result = if format == Format::Ods && lower == "content.xml" {
            // calamine parses every ods sheet when it opens the file, so one too large refuses it.
            ods_extents(&mut guard, limits, file).and_then(|found| match found {
                Some(f) => Err(Stop::Refused(f)),
                None => drain(&mut guard),
            })
        } else if format == Format::Xlsx && lower.ends_with("sharedstrings.xml") {
            shared_strings(&mut guard, limits, file)
        } else {
            drain(&mut guard)
        };
        // A part not read to its end may hold merges past where reading stopped.
        merges |= guard.watch.as_ref().is_some_and(|w| w.seen) || (sheet && result.is_err());
        // A failed write let go of `keep`: the part was not stored whole.
        let (total, kept) = (guard.total, guard.keep.is_some());
        drop(guard);
        // Stored whole, or the package is not handed over repacked.
        if result.is_err() || !kept {
            repack = None;
        }
        match result {
            Ok(_) | Err(Stop::Io) => inflated += total,
            Err(Stop::Refused(f)) => return Err(f),
            Err(Stop::Token) => {
                return Err(Finding::error(Rule::UnreadableFile, "file.xml-token-too-long", loc())
                    .arg("part", &name)
                    .arg("limit", MAX_XML_TOKEN));
            }
            Err(Stop::Total) => {
                return Err(Finding::error(Rule::UnreadableFile, "file.too-large", loc())
                    .arg("size", format!("more than {cap} (uncompressed)"))
                    .arg_km("size", format!("ច្រើនជាង {cap} (ក្រោយពន្លា)"))
                    .arg("limit", cap));
            }
        }
    }
    Ok(Scanned { merges, unpacked: repack.and_then(Repack::finish) })
}

/// Looks for the word `mergeCell` in the bytes read, across the reads' boundaries.
#[derive(Default)]
struct Watch {
    seen: bool,
    /// The last bytes of the previous read.
    tail: Vec<u8>,
}

impl Watch {
    const WORD: &'static [u8] = b"mergeCell";

    fn look(&mut self, bytes: &[u8]) {
        if self.seen {
            return;
        }
        let keep = Self::WORD.len() - 1;
        let head = &bytes[..bytes.len().min(keep)];
        self.tail.extend_from_slice(head);
        if memchr::memmem::find(&self.tail, Self::WORD).is_some() || memchr::memmem::find(bytes, Self::WORD).is_some() {
            self.seen = true;
            return;
        }
        if bytes.len() >= keep {
            self.tail.clear();
            self.tail.extend_from_slice(&bytes[bytes.len() - keep..]);
        } else {
            let excess = self.tail.len().saturating_sub(keep);
            self.tail.drain(..excess);
        }
    }
}

enum Stop {
    /// A run without markup longer than [`MAX_XML_TOKEN`].
    Token,
    /// More bytes than the package may hold, whatever it declared.
    Total,
    /// The inflater or the XML failed (corrupt data, or more data than the entry declared).
    Io,
    Refused(Finding),
}

/// A reader that counts what really comes out of the inflater and fails, before anything
/// downstream buffers it, once the total or a run without markup is too long.
struct Guard<'w, R> {
    inner: R,
    total: u64,
    cap: u64,
    run: u64,
    xml: bool,
    tripped: Option<Stop>,
    watch: Option<Watch>,
    /// Where every byte read is written, when the part is to be stored again; `None` from the
    /// first write that failed.
    keep: Option<&'w mut dyn Write>,
}

impl<R: Read> Guard<'_, R> {
    fn new(inner: R, cap: u64, xml: bool) -> Self {
        Guard { inner, total: 0, cap, run: 0, xml, tripped: None, watch: None, keep: None }
    }

    fn trip(&mut self, why: Stop) -> std::io::Error {
        self.tripped = Some(why);
        std::io::Error::new(std::io::ErrorKind::InvalidData, "limit reached")
    }

    /// Why reading stopped: the guard's own reason, else a failure of the data.
    fn stop(&mut self) -> Stop {
        self.tripped.take().unwrap_or(Stop::Io)
    }
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if let Some(w) = &mut self.watch {
            w.look(&buf[..n]);
        }
        if self.total > self.cap {
            return Err(self.trip(Stop::Total));
        }
        if self.xml && !markup_runs(&mut self.run, &buf[..n], MAX_XML_TOKEN) {
            return Err(self.trip(Stop::Token));
        }
        if let Some(k) = &mut self.keep
            && k.write_all(&buf[..n]).is_err()
        {
            self.keep = None;
        }
        Ok(n)
    }
}

/// Carry `run`, the bytes since the last markup byte (`<` or `>`), over `bytes`; false once a
/// run is longer than `limit`. Rather than visit every markup byte (one every few bytes of a
/// sheet), it looks at most `limit - run + 1` bytes ahead for the *last* markup byte there: if
/// there is none the run is too long, else no run up to it is, and it goes on from there.
fn markup_runs(run: &mut u64, bytes: &[u8], limit: u64) -> bool {
    let mut from = 0usize;
    loop {
        let room = usize::try_from(limit.saturating_sub(*run)).unwrap_or(usize::MAX);
        let end = from.saturating_add(room).saturating_add(1).min(bytes.len());
        match memchr::memrchr2(b'<', b'>', &bytes[from..end]) {
            Some(i) => {
                *run = 0;
                from += i + 1;
            }
            None if end - from > room => return false,
            None => {
                *run += (end - from) as u64;
                return true;
            }
        }
    }
}

fn drain<R: Read>(guard: &mut Guard<R>) -> Result<u64, Stop> {
    match std::io::copy(guard, &mut std::io::sink()) {
        Ok(_) => Ok(guard.total),
        Err(_) => Err(guard.stop()),
    }
}

/// calamine reserves room for the `uniqueCount` a shared-string table declares before reading
/// one string: four billion would reserve about 100 GB and abort the process.
fn shared_strings<R: Read>(guard: &mut Guard<R>, limits: &Limits, file: &str) -> Result<u64, Stop> {
    let mut head = vec![0u8; 4096];
    let mut filled = 0;
    while filled < head.len() {
        match guard.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(_) => return Err(guard.stop()),
        }
    }
    let text = String::from_utf8_lossy(&head[..filled]);
    let declared = text.find("<sst").and_then(|at| {
        let tag = &text[at..text[at..].find('>').map_or(text.len(), |e| at + e)];
        let value = tag.split("uniqueCount=").nth(1)?.trim_start_matches(['"', '\'']);
        value.chars().take_while(char::is_ascii_digit).collect::<String>().parse::<u64>().ok()
    });
    let limit = u64::from(limits.max_rows) * u64::from(limits.max_columns);
    if let Some(count) = declared.filter(|&c| c > limit) {
        return Err(Stop::Refused(
            Finding::error(Rule::UnreadableFile, "file.too-many-strings", Location::file(file))
                .arg("count", count)
                .arg("limit", limit),
        ));
    }
    drain(guard)
}

/// One sheet's extent as calamine will allocate it: the box around its non-empty cells, with
/// repeated rows and columns counted out.
#[derive(Default)]
struct Extent {
    name: String,
    /// The next row's index.
    row: u64,
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Extent {
    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (r1 - r0).saturating_add(1).saturating_mul((c1 - c0).saturating_add(1)),
            _ => 0,
        }
    }
}

fn widen(range: &mut Option<(u64, u64)>, lo: u64, hi: u64) {
    *range = Some(range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
}

fn repeat(e: &quick_xml::events::BytesStart<'_>, attr: &str) -> u64 {
    e.try_get_attribute(attr).ok().flatten().and_then(|a| a.value.trim().parse::<u64>().ok()).unwrap_or(1).max(1)
}

/// A row or cell as written: its first index and how many times it repeats.
#[derive(Clone, Copy)]
struct Span {
    first: u64,
    reps: u64,
}

impl Span {
    fn last(self) -> u64 {
        self.first.saturating_add(self.reps - 1)
    }
}

/// Where the walk through a sheet is: the row being read (with the columns that have content)
/// and the cell being read (with whether it holds anything).
#[derive(Default)]
struct Walk {
    row: Option<(Span, Option<(u64, u64)>)>,
    col: u64,
    cell: Option<(Span, bool)>,
}

impl Walk {
    fn close_cell(&mut self) {
        if let (Some((cell, true)), Some((_, cols))) = (self.cell.take(), self.row.as_mut()) {
            widen(cols, cell.first, cell.last());
        }
    }
}

/// The first ods sheet whose non-empty cells span more than `max_rows × max_columns` cells, as
/// the finding that refuses the file.
fn ods_extents<R: Read>(guard: &mut Guard<R>, limits: &Limits, file: &str) -> Result<Option<Finding>, Stop> {
    use quick_xml::events::Event;
    let budget = u64::from(limits.max_rows) * u64::from(limits.max_columns);
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(&mut *guard));
    let mut buf = Vec::new();
    let mut sheet = Extent::default();
    let mut at = Walk::default();
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(_) => {
                drop(reader);
                return Err(guard.stop());
            }
        };
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            match e.name().as_ref() {
                "table:table" => {
                    let name = e.try_get_attribute("table:name").ok().flatten().map(|a| a.value.into_owned());
                    sheet = Extent { name: name.unwrap_or_default(), ..Extent::default() };
                }
                "table:table-row" if empty => {
                    sheet.row = sheet.row.saturating_add(repeat(e, "table:number-rows-repeated"));
                }
                "table:table-row" => {
                    let span = Span { first: sheet.row, reps: repeat(e, "table:number-rows-repeated") };
                    at = Walk { row: Some((span, None)), ..Walk::default() };
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let reps = repeat(e, "table:number-columns-repeated");
                    let valued = e.try_get_attribute("office:value-type").ok().flatten().is_some();
                    at.cell = Some((Span { first: at.col, reps }, valued));
                    at.col = at.col.saturating_add(reps);
                    if empty {
                        at.close_cell();
                    }
                }
                // Any element inside a cell (a paragraph of text) gives it content.
                _ => {
                    if let Some(c) = at.cell.as_mut() {
                        c.1 = true;
                    }
                }
            }
            continue;
        }
        match event {
            Event::End(e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => at.close_cell(),
                "table:table-row" => {
                    if let Some((span, cols)) = at.row.take() {
                        if let Some((c0, c1)) = cols {
                            widen(&mut sheet.rows, span.first, span.last());
                            widen(&mut sheet.cols, c0, c1);
                        }
                        sheet.row = span.first.saturating_add(span.reps);
                    }
                }
                "table:table" if sheet.cells() > budget => {
                    let (r1, c1) = (sheet.rows.map_or(0, |r| r.1), sheet.cols.map_or(0, |c| c.1));
                    let cell = a1(u32::try_from(r1).unwrap_or(u32::MAX), u32::try_from(c1).unwrap_or(u32::MAX));
                    return Ok(Some(
                        Finding::error(
                            Rule::UnreadableFile,
                            "file.sheet-too-large",
                            Location::sheet(file, &sheet.name),
                        )
                        .arg("sheet", &sheet.name)
                        .arg("cell", cell)
                        .arg("cells", sheet.cells())
                        .arg("limit", budget),
                    ));
                }
                _ => {}
            },
            Event::Text(_) | Event::CData(_) => {
                if let Some(c) = at.cell.as_mut() {
                    c.1 = true;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(reads: &[&[u8]]) -> bool {
        let mut w = Watch::default();
        reads.iter().for_each(|r| w.look(r));
        w.seen
    }

    #[test]
    fn finds_the_word_within_and_across_reads() {
        assert!(seen(&[b"<sheetData/><mergeCells count=\"1\">"]));
        // Split at every place, and over three reads with a one-byte middle.
        let text = b"xx<mergeCell ref=\"A1:B1\"/>";
        for cut in 0..text.len() {
            assert!(seen(&[&text[..cut], &text[cut..]]), "cut at {cut}");
        }
        assert!(seen(&[b"<mer", b"g", b"eCell"]));
        assert!(seen(&[b"m", b"e", b"r", b"g", b"e", b"C", b"e", b"l", b"l"]));
        assert!(!seen(&[b"<sheetData><row r=\"1\"/></sheetData>", b"merge", b"cell"]));
        assert!(!seen(&[]));
    }

    fn ods(body: &str) -> Option<Finding> {
        let xml = format!(
            "<office:document-content><table:table table:name=\"S\">{body}</table:table></office:document-content>"
        );
        let mut guard = Guard::new(xml.as_bytes(), u64::MAX, true);
        ods_extents(&mut guard, &Limits::default(), "f.ods").ok().flatten()
    }

    #[test]
    fn ods_extent_counts_repeats_and_ignores_empty_trailing_cells() {
        let value =
            "<table:table-cell office:value-type=\"float\" office:value=\"1\"><text:p>1</text:p></table:table-cell>";
        // LibreOffice's trailing filler: empty rows and columns repeated to the sheet's end.
        let normal = format!(
            "<table:table-row>{value}<table:table-cell table:number-columns-repeated=\"16383\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
        );
        assert!(ods(&normal).is_none());
        let far = format!(
            "<table:table-row>{value}</table:table-row><table:table-row table:number-rows-repeated=\"30000\"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated=\"199\"/>{value}</table:table-row>"
        );
        let f = ods(&far).expect("30,001 × 200 cells is over 4,000,000");
        assert!(f.message().contains("GR30002"), "{}", f.message());
        // Absurd repeat counts saturate instead of overflowing.
        let huge =
            format!("<table:table-row table:number-rows-repeated=\"18446744073709551615\">{value}</table:table-row>");
        assert!(ods(&huge).is_some());
    }

    /// Byte by byte: what [`markup_runs`] must agree with.
    fn runs_one_by_one(run: &mut u64, bytes: &[u8], limit: u64) -> bool {
        for &b in bytes {
            if b == b'<' || b == b'>' {
                *run = 0;
            } else {
                *run += 1;
                if *run > limit {
                    return false;
                }
            }
        }
        true
    }

    #[test]
    fn markup_runs_agree_with_counting_byte_by_byte() {
        // Every text of up to 8 bytes over {x, <, >}, cut into reads at every pair of places,
        // against limits 0 to 4: the same verdict from the same read, the same run carried.
        let alphabet = [b'x', b'<', b'>'];
        let mut checked = 0;
        for len in 0..=8u32 {
            for code in 0..3usize.pow(len) {
                let text: Vec<u8> = (0..len).map(|i| alphabet[code / 3usize.pow(i) % 3]).collect();
                for limit in 0..=4 {
                    for a in 0..=text.len() {
                        for b in a..=text.len() {
                            let (mut fast, mut slow) = (0, 0);
                            for read in [&text[..a], &text[a..b], &text[b..]] {
                                let (f, s) =
                                    (markup_runs(&mut fast, read, limit), runs_one_by_one(&mut slow, read, limit));
                                assert_eq!(f, s, "{:?} cut at {a},{b}, limit {limit}", String::from_utf8_lossy(&text));
                                if !f {
                                    break;
                                }
                                assert_eq!(fast, slow, "{:?} cut at {a},{b}", String::from_utf8_lossy(&text));
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 1_000_000, "{checked}");
    }

    #[test]
    fn guard_counts_runs_across_reads() {
        let text = format!("<a>{}</a>", "x".repeat(MAX_XML_TOKEN as usize + 1));
        let mut guard = Guard::new(std::io::BufReader::with_capacity(7, text.as_bytes()), u64::MAX, true);
        assert!(matches!(drain(&mut guard), Err(Stop::Token)));
        let mut guard = Guard::new(text.as_bytes(), 100, false);
        assert!(matches!(drain(&mut guard), Err(Stop::Total)));
    }

    /// A workbook with text (Khmer among it), numbers, a formula and a merged range,
    /// written by rust_xlsxwriter (deflated, as Excel writes its packages).
    fn workbook() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("Cascade").expect("name");
        ws.write_string(0, 0, "Commune").expect("write");
        ws.write_string(0, 1, "PLHIV").expect("write");
        ws.merge_range(1, 0, 2, 0, "Banteay Neang", &rust_xlsxwriter::Format::new()).expect("merge");
        ws.write_number(1, 1, 812.0).expect("write");
        ws.write_formula(2, 1, "=B2*2").expect("write");
        let other = wb.add_worksheet().set_name("Budget").expect("name");
        other.write_string(0, 0, "ថវិកា").expect("write");
        other.write_number(3, 2, 0.25).expect("write");
        wb.save_to_buffer().expect("workbook")
    }

    fn sheets(bytes: Vec<u8>) -> Vec<(String, calamine::Range<calamine::Data>, Vec<calamine::Dimensions>)> {
        use calamine::Reader;
        let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).expect("opens");
        let names = wb.sheet_names();
        names
            .into_iter()
            .map(|n| {
                let range = wb.worksheet_range(&n).expect("sheet");
                let merges = wb.merge_cells_by_sheet_name(&n).expect("merges");
                (n, range, merges)
            })
            .collect()
    }

    #[test]
    fn a_package_is_handed_over_with_its_parts_stored_and_reads_the_same() {
        let bytes = workbook();
        let scanned = check_package(&bytes, Format::Xlsx, "f.xlsx", &Limits::default()).expect("accepted");
        assert!(scanned.merges);
        let unpacked = scanned.unpacked.expect("repacked");
        // Every XML part is stored, none deflated; and the package is larger for it.
        let mut archive = zip::ZipArchive::new(Cursor::new(&unpacked[..])).expect("a zip");
        let original = zip::ZipArchive::new(Cursor::new(&bytes[..])).expect("a zip");
        assert_eq!(archive.len(), original.len());
        for i in 0..archive.len() {
            let entry = archive.by_index(i).expect("entry");
            assert_eq!(entry.compression(), zip::CompressionMethod::Stored, "{}", entry.name().unwrap_or_default());
        }
        assert!(unpacked.len() > bytes.len());
        // calamine reads the same cells and merged ranges from both, down to the Khmer text.
        let (a, b) = (sheets(bytes), sheets(unpacked));
        assert_eq!(a, b);
        assert_eq!(a[0].1.get_value((1, 0)), Some(&calamine::Data::String("Banteay Neang".into())));
        assert_eq!(a[1].1.get_value((0, 0)), Some(&calamine::Data::String("ថវិកា".into())));
        assert_eq!(a[0].2.len(), 1);
    }

    #[test]
    fn parts_the_scan_does_not_read_are_copied_as_they_were_between_stored_ones() {
        // A logo on the cover sheet: the image is not XML, so it is copied raw, after some
        // stored XML parts and before others.
        const PNG: &[u8] = &[
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
            0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
            0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff,
            0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
        ];
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet().set_name("Cover").expect("name");
        ws.write_string(0, 0, "Province").expect("write");
        ws.write_string(0, 1, "Kampong Cham").expect("write");
        let logo = rust_xlsxwriter::Image::new_from_buffer(PNG).expect("a png");
        ws.insert_image(3, 0, &logo).expect("image");
        let data = wb.add_worksheet().set_name("Cascade").expect("name");
        data.write_string(0, 0, "PLHIV").expect("write");
        data.write_number(1, 0, 812.0).expect("write");
        let bytes = wb.save_to_buffer().expect("workbook");

        let scanned = check_package(&bytes, Format::Xlsx, "f.xlsx", &Limits::default()).expect("accepted");
        let unpacked = scanned.unpacked.expect("repacked");
        let mut archive = zip::ZipArchive::new(Cursor::new(&unpacked[..])).expect("a zip");
        let mut original = zip::ZipArchive::new(Cursor::new(&bytes[..])).expect("a zip");
        let name = |z: &mut zip::ZipArchive<Cursor<&[u8]>>, i| {
            z.by_index_raw(i).expect("entry").name().map(|n| n.into_owned()).expect("a name")
        };
        let names: Vec<String> = (0..original.len()).map(|i| name(&mut original, i)).collect();
        let image = names.iter().position(|n| n.ends_with(".png")).expect("the image is in the package");
        // Stored parts before it and after it (its drawing's relationships).
        let read = |n: &String| n.ends_with(".xml") || n.ends_with(".rels");
        assert!(names[..image].iter().any(read) && names[image + 1..].iter().any(read), "{names:?}");
        assert_eq!(archive.len(), original.len());
        for (i, name) in names.iter().enumerate() {
            let (mut a, mut b) = (archive.by_index(i).expect("kept"), original.by_index(i).expect("there"));
            assert_eq!(a.name().map(|n| n.into_owned()).ok().as_ref(), Some(name), "the same order");
            let expected = if name.ends_with(".png") { b.compression() } else { zip::CompressionMethod::Stored };
            assert_eq!(a.compression(), expected, "{name}");
            let (mut x, mut y) = (Vec::new(), Vec::new());
            a.read_to_end(&mut x).expect("reads, its checksum right");
            b.read_to_end(&mut y).expect("reads");
            assert_eq!(x, y, "{name}");
        }
        assert_eq!(sheets(bytes), sheets(unpacked));
    }

    #[test]
    fn a_package_with_a_broken_part_is_left_for_calamine_to_read() {
        let mut bytes = workbook();
        // Spoil the deflated bytes of the first sheet: inflating it fails or its checksum does.
        let name = b"xl/worksheets/sheet1.xml";
        let at = bytes.windows(name.len()).position(|w| w == name).expect("local header") + name.len();
        for b in &mut bytes[at + 10..at + 40] {
            *b = !*b;
        }
        let scanned = check_package(&bytes, Format::Xlsx, "f.xlsx", &Limits::default()).expect("let through");
        assert_eq!(scanned, Scanned { merges: true, unpacked: None });
        // Not xlsx: calamine reads the package's own bytes.
        let scanned = check_package(&workbook(), Format::Xlsb, "f.xlsb", &Limits::default()).expect("accepted");
        assert_eq!(scanned.unpacked, None);
    }
}
