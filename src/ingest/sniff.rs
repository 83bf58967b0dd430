//! Ingest: what a file is, decided from its bytes (never its extension), and the checks of a
//! zip package that calamine does not make (duplicate entries, declared sizes).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
        }
    }
    /// Extensions a file of this format may carry without comment.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Xlsx => &["xlsx", "xlsm", "xltx", "xltm"],
            Format::Xlsb => &["xlsb"],
            Format::Xls => &["xls", "xlt", "et"],
            Format::Ods => &["ods", "ots"],
            Format::Csv => &["csv", "txt", "tsv"],
        }
    }
}

/// What the bytes say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    Spreadsheet(Format),
    /// An OOXML package encrypted in a compound file, or another password-protected container.
    Encrypted,
    Empty,
    /// Not a format ftc reads; the string says what it looks like.
    Other(&'static str),
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.is_empty() {
        return Sniffed::Empty;
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY) {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(CFB_MAGIC) {
        return if contains_utf16(bytes, "EncryptedPackage") {
            Sniffed::Encrypted
        } else {
            Sniffed::Spreadsheet(Format::Xls)
        };
    }
    if bytes.len() >= 4 && matches!(bytes[0], 0x09) && matches!(bytes[1], 0x00 | 0x02 | 0x04 | 0x08) {
        return Sniffed::Other("an Excel 2.x–4.x worksheet (BIFF2–4), too old to read");
    }
    if bytes.starts_with(b"ID;P") {
        return Sniffed::Other("a SYLK file");
    }
    if bytes.starts_with(b"%PDF") {
        return Sniffed::Other("a PDF document");
    }
    if bytes.starts_with(b"{\\rtf") {
        return Sniffed::Other("an RTF document");
    }
    // UTF-16 text with a byte-order mark (Excel's "Unicode text"): the CSV reader decodes it.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Sniffed::Spreadsheet(Format::Csv);
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Sniffed::Other("a binary file");
    }
    let lower = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
    if lower.trim_start().starts_with("<?xml")
        || lower.trim_start().starts_with("<html")
        || lower.contains("<!doctype html")
    {
        return Sniffed::Other("an XML or HTML document");
    }
    Sniffed::Spreadsheet(Format::Csv)
}

fn sniff_zip(bytes: &[u8]) -> Sniffed {
    // ODS puts an uncompressed `mimetype` entry first.
    if bytes.len() > 38 && bytes[30..].starts_with(b"mimetype") {
        let rest = &bytes[38..bytes.len().min(200)];
        if rest.starts_with(b"application/vnd.oasis.opendocument.spreadsheet") {
            return Sniffed::Spreadsheet(Format::Ods);
        }
        return Sniffed::Other("an OpenDocument file that is not a spreadsheet");
    }
    let names = match zip_entries(bytes) {
        Ok(entries) => entries.into_iter().map(|e| e.name.to_ascii_lowercase().replace('\\', "/")).collect::<Vec<_>>(),
        // A damaged zip: let the workbook reader say what is wrong with it.
        Err(_) => return Sniffed::Spreadsheet(Format::Xlsx),
    };
    let has = |suffix: &str| names.iter().any(|n| n.ends_with(suffix));
    if has("workbook.bin") {
        Sniffed::Spreadsheet(Format::Xlsb)
    } else if names.iter().any(|n| n == "content.xml") && names.iter().any(|n| n == "mimetype") {
        Sniffed::Spreadsheet(Format::Ods)
    } else if names.iter().any(|n| n.starts_with("xl/") || n == "[content_types].xml") || has("workbook.xml") {
        Sniffed::Spreadsheet(Format::Xlsx)
    } else if names.iter().any(|n| n.starts_with("word/")) {
        Sniffed::Other("a Word document")
    } else if names.iter().any(|n| n.starts_with("index/") && n.ends_with(".iwa")) {
        Sniffed::Other("an Apple Numbers document")
    } else {
        Sniffed::Other("a zip archive that is not a workbook")
    }
}

fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(pattern.len()).any(|w| w == pattern.as_slice())
}

/// BIFF8 `FILEPASS` record with XOR obfuscation (type 0x002F, length 6, method 0). calamine
/// does not recognise it and reports a codepage error instead.
pub fn has_xor_filepass(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w == [0x2F, 0x00, 0x06, 0x00, 0x00, 0x00])
}

/// Whether a compound file's sector table (FAT) has a chain that loops back on itself. No
/// program writes one, and calamine follows chains without a bound, so such a file would grow
/// its buffer until memory runs out (found by fuzzing). The FAT is gathered the way calamine
/// gathers it (header DIFAT, then the DIFAT sector chain); a file too damaged for that is left to
/// calamine, which refuses it with an error of its own.
pub fn cfb_fat_has_cycle(bytes: &[u8]) -> bool {
    const RESERVED: u32 = 0xFFFF_FFFA;
    const DIFSECT: u32 = 0xFFFF_FFFC;
    let (size, header) = match u16le(bytes, 30) {
        Some(9) => (512usize, 512usize),
        Some(12) => (4096, 4096),
        _ => return false,
    };
    let maxid = bytes.len() / size;
    let sector = |id: u32| -> Option<&[u8]> {
        let id = id as usize;
        if id > maxid {
            return None;
        }
        let start = header.checked_add(id.checked_mul(size)?)?;
        bytes.get(start.min(bytes.len())..start.saturating_add(size).min(bytes.len()))
    };
    let words = |s: &[u8]| s.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect::<Vec<_>>();
    let Some(head) = bytes.get(76..512) else { return false };
    let mut difat = words(head);
    let mut next = u32le(bytes, 68).unwrap_or(u32::MAX);
    let mut steps = 0usize;
    while next < RESERVED {
        steps += 1;
        let Some(s) = sector(next).filter(|_| steps <= maxid + 1) else { return false };
        difat.extend(words(s));
        let Some(n) = difat.pop() else { return false };
        next = n;
    }
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|id| *id < DIFSECT) {
        let Some(s) = sector(id) else { return false };
        fat.extend(words(s));
    }
    // Each entry points at most to one next sector: walk each chain once, marking what is done.
    let (unseen, walking, done) = (0u8, 1u8, 2u8);
    let mut state = vec![unseen; fat.len()];
    for first in 0..fat.len() {
        let mut at = first;
        let mut path = Vec::new();
        loop {
            if state[at] == walking {
                return true;
            }
            if state[at] == done {
                break;
            }
            state[at] = walking;
            path.push(at);
            match fat[at] as usize {
                n if n < fat.len() => at = n,
                _ => break,
            }
        }
        for p in path {
            state[p] = done;
        }
    }
    false
}

/// One entry of a zip's central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    pub name: String,
    pub compressed: u64,
    pub uncompressed: u64,
}

/// The entries of a zip's central directory, read without decompressing anything.
pub fn zip_entries(bytes: &[u8]) -> Result<Vec<ZipEntry>, &'static str> {
    let eocd = find_eocd(bytes).ok_or("no end-of-central-directory record")?;
    let count = u16le(bytes, eocd + 10).ok_or("truncated")? as usize;
    let cd_offset = u32le(bytes, eocd + 16).ok_or("truncated")? as usize;
    let mut pos = cd_offset;
    let mut out = Vec::with_capacity(count.min(10_000));
    for _ in 0..count {
        if u32le(bytes, pos) != Some(0x0201_4b50) {
            return Err("bad central directory entry");
        }
        let compressed = u32le(bytes, pos + 20).ok_or("truncated")?;
        let uncompressed = u32le(bytes, pos + 24).ok_or("truncated")?;
        let name_len = u16le(bytes, pos + 28).ok_or("truncated")? as usize;
        let extra_len = u16le(bytes, pos + 30).ok_or("truncated")? as usize;
        let comment_len = u16le(bytes, pos + 32).ok_or("truncated")? as usize;
        let name = bytes.get(pos + 46..pos + 46 + name_len).ok_or("truncated")?;
        out.push(ZipEntry {
            name: String::from_utf8_lossy(name).into_owned(),
            compressed: u64::from(compressed),
            uncompressed: u64::from(uncompressed),
        });
        pos += 46 + name_len + extra_len + comment_len;
    }
    Ok(out)
}

/// The first entry name that occurs twice (compared without case, as Windows and Excel do).
pub fn duplicate_entry(entries: &[ZipEntry]) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    entries.iter().find(|e| !seen.insert(e.name.to_ascii_lowercase().replace('\\', "/"))).map(|e| e.name.clone())
}

fn find_eocd(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 22 {
        return None;
    }
    let min = bytes.len().saturating_sub(22 + 65_535);
    (min..=bytes.len() - 22).rev().find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
}

fn u16le(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32le(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_magic() {
        assert_eq!(sniff(b""), Sniffed::Empty);
        assert_eq!(sniff(b"a,b\n1,2\n"), Sniffed::Spreadsheet(Format::Csv));
        assert_eq!(sniff(b"%PDF-1.4"), Sniffed::Other("a PDF document"));
        assert_eq!(sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]), Sniffed::Spreadsheet(Format::Xls));
        assert_eq!(sniff(&[1, 0, 2, 3]), Sniffed::Other("a binary file"));
        // UTF-16 text with a byte-order mark has NUL bytes but is text: the CSV reader decodes it.
        assert_eq!(sniff(&[0xFF, 0xFE, b'a', 0, b',', 0]), Sniffed::Spreadsheet(Format::Csv));
    }

    #[test]
    fn xor_record() {
        assert!(has_xor_filepass(&[9, 9, 0x2F, 0, 6, 0, 0, 0, 1, 2, 3, 4]));
        assert!(!has_xor_filepass(&[0x2F, 0, 0x36, 0, 1, 0]));
    }

    #[test]
    fn fat_loops() {
        // A header with 512-byte sectors whose one FAT sector (sector 0) chains 1 → 2 → 1.
        let mut b = vec![0u8; 1024];
        b[..8].copy_from_slice(CFB_MAGIC);
        b[30] = 9;
        b[68..72].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        for w in b[76..512].chunks_exact_mut(4) {
            w.copy_from_slice(&u32::MAX.to_le_bytes());
        }
        b[76..80].copy_from_slice(&0u32.to_le_bytes());
        let fat = |b: &mut Vec<u8>, i: usize, v: u32| b[512 + 4 * i..516 + 4 * i].copy_from_slice(&v.to_le_bytes());
        for i in 0..128 {
            fat(&mut b, i, u32::MAX);
        }
        fat(&mut b, 0, 0xFFFF_FFFD);
        fat(&mut b, 1, 2);
        fat(&mut b, 2, 0xFFFF_FFFE);
        assert!(!cfb_fat_has_cycle(&b));
        fat(&mut b, 2, 1);
        assert!(cfb_fat_has_cycle(&b));
        fat(&mut b, 2, 2);
        assert!(cfb_fat_has_cycle(&b));
    }

    #[test]
    fn duplicate_names() {
        let e = |n: &str| ZipEntry { name: n.into(), compressed: 1, uncompressed: 1 };
        assert_eq!(duplicate_entry(&[e("a"), e("b")]), None);
        assert_eq!(duplicate_entry(&[e("xl/a.xml"), e("XL/A.xml")]), Some("XL/A.xml".into()));
    }
}
