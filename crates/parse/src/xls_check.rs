//! Checks a legacy Excel workbook (.xls) before calamine opens it.
//!
//! calamine 0.38 reads a whole .xls when it opens it: every sheet becomes a dense grid
//! (`Range::from_sparse`) spanning its first to its last cell, and sizes declared in the
//! file go straight into reservations. Rust aborts the process when an allocation fails,
//! so a crafted file of a few hundred bytes could end the session:
//! - a DIMENSIONS record of 14 bytes asks `cells.reserve` for up to 2⁴⁸ cells, and an
//!   inverted one (last row before the first) underflows calamine's arithmetic;
//! - two cells at (0, 0) and (65535, 65535) make a grid of 4.3 billion cells (137 GB),
//!   and every sheet's grids (values and formulas) are built at once;
//! - a sector chain that loops in the compound file grows a buffer without end;
//! - a LABELSST cell copies its shared string: 14 bytes can copy 190 kB;
//! - formula text outgrows its record (a 5-byte token names a 255-character name), and
//!   so do names and empty sheets.
//!
//! So this finds the `Workbook` (or BIFF5 `Book`) stream in the compound file (MS-CFB)
//! as calamine does, refusing a chain that leaves the file or loops, and reads the BIFF
//! records as calamine does, refusing: a DIMENSIONS above `max_cells` or inverted; a
//! sheet whose cells span more than `max_cells`, or that lists more cells than that;
//! sheets spanning more than `max_cells` together; more than [`MAX_XLS_TEXT_BYTES`] of
//! shared strings, their copies, formula text and names; a shared-string table split
//! into more than 32,768 records (calamine's reading is quadratic in them); formulas
//! whose text calamine would take minutes to build; sheets read over each other; and a
//! MULRK or sheet offset that would make calamine panic. Each
//! size is an upper bound of what calamine's code builds from the records. A file that
//! is not a compound file, or has no workbook stream, is left to calamine, which
//! reports it. This allocates a copy of the workbook stream (no larger than the file)
//! and indexes a fraction of its size.

use std::fmt::Write as _;

/// The largest .xls read. The caller reads the file into memory to check it; calamine then
/// holds its sectors and a copy of the stream, and builds what the records describe, a few
/// times their size at most once checked (cells, the string table). Excel's .xls sheets
/// stop at 65,536 × 256 cells, so real workbooks stay far below this.
pub const MAX_XLS_BYTES: u64 = 256 << 20;

/// The most text calamine may build from a workbook (1 GiB): the shared strings and the
/// copies the cells take, formulas, sheet and defined names, with 24 bytes for each
/// string (and 320 for each sheet). Lengths: an allocation may round them up.
pub const MAX_XLS_TEXT_BYTES: u64 = 1 << 30;

/// What calamine keeps for each sheet besides its name and cells, about.
const PER_SHEET: u64 = 320;

/// CONTINUE records after a shared-string table, at most (calamine takes each from the
/// front of a list: 32,768 of them move 8.6 GB; 8,224-byte records hold 270 MB).
const MAX_SST_PIECES: usize = 32_768;

/// Bytes calamine may move while it writes formulas as text, at most (16 GiB, seconds):
/// it inserts into and splits its strings, so a few kilobytes could take hours.
const MAX_FORMULA_MOVES: u64 = 1 << 34;

const RESAVE: &str = "壊れているか、細工されたファイルです。Excel で開いて必要な範囲だけを .xlsx か CSV で保存し直してください";

/// `Ok` when calamine can open the file within `max_cells` per sheet (and for all sheets
/// together) and [`MAX_XLS_TEXT_BYTES`], or when it is no compound file at all.
pub fn check(bytes: &[u8], max_cells: u64) -> Result<(), String> {
    check_within(bytes, max_cells, MAX_XLS_TEXT_BYTES)
}

fn check_within(bytes: &[u8], max_cells: u64, max_text: u64) -> Result<(), String> {
    let Some(stream) = workbook_stream(bytes)? else {
        return Ok(());
    };
    let mut book = Book {
        s: &stream,
        max_cells,
        max_text,
        ..Book::default()
    };
    match book.globals().and_then(|()| book.sheets()) {
        Err(Halt::Refuse(msg)) => Err(msg),
        Ok(()) | Err(Halt::Quit) => Ok(()),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn broken(what: &str) -> String {
    format!(
        "ファイルの構造（OLE2 複合ファイル）が壊れています（{what}）。Excel で開けるか確かめ、開ければ .xlsx か CSV で保存し直してください"
    )
}

/// 1,234,567
fn num(n: u64) -> String {
    let d = n.to_string();
    let mut s = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(c);
    }
    s
}

/// 42億, 5,000万, 9,999
fn cells(n: u64) -> String {
    match n {
        100_000_000.. => format!("{}億", num(n / 100_000_000)),
        10_000.. => format!("{}万", num(n / 10_000)),
        _ => num(n),
    }
}

// ---- The compound file ----

const END: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
const RESERVED: u32 = 0xFFFF_FFFA;

struct Cfb<'a> {
    file: &'a [u8],
    size: usize,
    /// Sectors in the file (the last may be partial).
    count: u32,
    /// The FAT's sectors.
    fat: Vec<u32>,
}

impl<'a> Cfb<'a> {
    /// Sector `id` (sector 0 follows the header), clipped to the end of the file.
    fn sector(&self, id: u32) -> Result<&'a [u8], String> {
        let start = (id as usize).saturating_add(1).saturating_mul(self.size);
        let end = start.saturating_add(self.size).min(self.file.len());
        self.file
            .get(start..end)
            .filter(|s| id < self.count && !s.is_empty())
            .ok_or_else(|| broken(&format!("セクタ {id} がファイルの終わりより後にあります")))
    }

    /// Entry `k` of a table (FAT, mini FAT) held in these whole sectors.
    fn entry(&self, table: &[u32], k: u32) -> Option<u32> {
        let at = (k as usize).saturating_mul(4);
        let sector = self.sector(*table.get(at / self.size)?).ok()?;
        u32_at(sector, at % self.size).filter(|_| sector.len() == self.size)
    }

    /// The sectors of the chain from `start`, until its end or `len` bytes (calamine's
    /// `get_chain`, which stops at nothing else): each of the `count` sectors once at most.
    fn chain(
        &self,
        start: u32,
        len: u64,
        unit: usize,
        count: u32,
        table: &[u32],
    ) -> Result<Vec<u32>, String> {
        let (mut ids, mut id) = (Vec::new(), start);
        let mut seen = vec![0u64; count as usize / 64 + 1];
        while id != END {
            let bit = seen.get_mut(id as usize / 64).filter(|_| id < count);
            let bit = bit.ok_or_else(|| {
                broken(&format!("セクタ {id} がファイルの終わりより後にあります"))
            })?;
            if *bit & (1 << (id % 64)) != 0 {
                return Err(broken("セクタのつながりが輪になっています"));
            }
            *bit |= 1 << (id % 64);
            ids.push(id);
            if (ids.len() as u64).saturating_mul(unit as u64) >= len {
                break;
            }
            id = self
                .entry(table, id)
                .ok_or_else(|| broken(&format!("セクタ {id} の次が FAT にありません")))?;
        }
        Ok(ids)
    }
}

/// A directory entry's name, as calamine decodes it (with BOM sniffing), is `want`
/// (ASCII, any case).
fn named(entry: &[u8], want: &str) -> bool {
    let name = entry.get(..64).unwrap_or_default();
    let units: Vec<u16> = match name {
        [0xEF, 0xBB, 0xBF, rest @ ..] => rest.iter().map(|&b| u16::from(b)).collect(),
        [0xFE, 0xFF, rest @ ..] => rest
            .as_chunks::<2>()
            .0
            .iter()
            .map(|&u| u16::from_be_bytes(u))
            .collect(),
        [0xFF, 0xFE, rest @ ..] | rest => rest
            .as_chunks::<2>()
            .0
            .iter()
            .map(|&u| u16::from_le_bytes(u))
            .collect(),
    };
    let name = units.iter().take_while(|&&u| u != 0);
    name.clone().count() == want.len()
        && name
            .zip(want.bytes())
            .all(|(&u, b)| u8::try_from(u).is_ok_and(|u| u.eq_ignore_ascii_case(&b)))
}

fn word(b: &[u8], i: usize) -> u32 {
    u32_at(b, 4 * i).unwrap_or(END)
}

/// The FAT's sectors, listed by the DIFAT: 109 entries in the header `h`, then a chain
/// of sectors whose last entry points to the next. calamine reads each listed sector,
/// repeats included: no more than the file holds.
fn fat_sectors(cfb: &Cfb<'_>, h: &[u8]) -> Result<Vec<u32>, String> {
    let (size, count) = (cfb.size, cfb.count as usize);
    let mut fat: Vec<u32> = (19..128)
        .map(|i| word(h, i))
        .filter(|&id| id < DIFSECT)
        .collect();
    let (mut next, mut steps) = (word(h, 17), 0);
    while next < RESERVED && fat.len() <= count {
        steps += 1;
        let s = cfb
            .sector(next)
            .ok()
            .filter(|s| s.len() == size && steps <= count);
        let s = s.ok_or_else(|| broken("DIFAT がファイルの外を指すか、輪になっています"))?;
        fat.extend(
            (0..size / 4 - 1)
                .map(|i| word(s, i))
                .filter(|&id| id < DIFSECT),
        );
        next = word(s, size / 4 - 1);
    }
    if fat.len() > count {
        return Err(broken("FAT のセクタがファイルのセクタより多く並んでいます"));
    }
    for &id in &fat {
        if cfb.sector(id)?.len() != size {
            return Err(broken("FAT のセクタが途中で切れています"));
        }
    }
    Ok(fat)
}

/// The `Workbook` (or `Book`) stream, as calamine reads it; `None` when this is no
/// compound file or has no such stream (calamine reports either).
fn workbook_stream(file: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let signature = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    let Some(h) = file.get(..512).filter(|h| h.starts_with(signature)) else {
        return Ok(None);
    };
    let size = match u16_at(h, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return Ok(None),
    };
    if u16_at(h, 32) != Some(6) || file.len() < size {
        return Ok(None);
    }
    let count = u32::try_from((file.len() - size).div_ceil(size)).unwrap_or(u32::MAX);
    let mut cfb = Cfb {
        file,
        size,
        count,
        fat: Vec::new(),
    };
    cfb.fat = fat_sectors(&cfb, h)?;
    let chain = |start, len| cfb.chain(start, len, size, count, &cfb.fat);
    let mut entries = Vec::new();
    for id in chain(word(h, 12), u64::MAX)? {
        entries.extend(cfb.sector(id)?.chunks_exact(128));
    }
    let Some(root) = entries.first() else {
        return Ok(None);
    };
    let len_of = |e: &[u8]| match size {
        512 => u64::from(word(e, 30)),
        _ => u64::from(word(e, 30)) | u64::from(word(e, 31)) << 32,
    };
    // The mini stream and mini FAT, which calamine reads whenever there is a mini FAT.
    let (mut mini, mut mini_fat, mut mini_len) = (Vec::new(), Vec::new(), 0);
    if word(h, 16) > 0 {
        mini = chain(word(root, 29), len_of(root))?;
        mini_fat = chain(word(h, 15), u64::from(word(h, 16)) * size as u64)?;
        mini_len = len_of(root).min((mini.len() * size) as u64);
    }
    let found = ["Workbook", "Book"]
        .iter()
        .find_map(|n| entries.iter().find(|e| named(e, n)));
    let Some(wb) = found else {
        return Ok(None);
    };
    let (start, len) = (word(wb, 29), len_of(wb));
    let mut out = Vec::new();
    if len < 4096 {
        let count = u32::try_from(mini_len / 64).unwrap_or(u32::MAX);
        for id in cfb.chain(start, len, 64, count, &mini_fat)? {
            let at = id as usize * 64;
            let sector = cfb.sector(*mini.get(at / size).unwrap_or(&END))?;
            let piece = sector.get(at % size..at % size + 64);
            out.extend(piece.ok_or_else(|| broken("ミニストリームが途中で切れています"))?);
        }
    } else {
        for id in chain(start, len)? {
            out.extend(cfb.sector(id)?);
        }
    }
    out.truncate(usize::try_from(len).unwrap_or(usize::MAX));
    Ok(Some(out))
}

// ---- The BIFF records ----

/// Why checking stops early.
enum Halt {
    /// The file is refused, with this message.
    Refuse(String),
    /// calamine fails here itself (a record cut short, a password) and builds nothing more.
    Quit,
}

impl From<String> for Halt {
    fn from(msg: String) -> Halt {
        Halt::Refuse(msg)
    }
}

/// How calamine decodes text (CODEPAGE; UTF-16LE when there is none).
#[derive(Clone, Copy, Default, PartialEq)]
enum Enc {
    #[default]
    Utf16Le,
    Utf16Be,
    Other,
}

/// A record and the raw CONTINUE records calamine joins to it.
struct Rec<'a> {
    typ: u16,
    data: &'a [u8],
    cont: &'a [u8],
    pieces: usize,
}

/// The record at `*pos` (calamine's `RecordIter`): `None` at the end of the stream, `Quit`
/// when it is cut short.
fn next_rec<'a>(s: &'a [u8], pos: &mut usize) -> Result<Option<Rec<'a>>, Halt> {
    let rest = s.get(*pos..).unwrap_or_default();
    if rest.is_empty() {
        return Ok(None);
    }
    let typ = u16_at(rest, 0).ok_or(Halt::Quit)?;
    let len = usize::from(u16_at(rest, 2).ok_or(Halt::Quit)?);
    let data = rest.get(4..4 + len).ok_or(Halt::Quit)?;
    let (mut end, mut pieces) = (4 + len, 0);
    while rest.len() - end > 4 && u16_at(rest, end) == Some(0x003C) {
        end += 4 + usize::from(u16_at(rest, end + 2).ok_or(Halt::Quit)?);
        if end > rest.len() {
            return Err(Halt::Quit);
        }
        pieces += 1;
    }
    let cont = rest.get(4 + len..end).unwrap_or_default();
    *pos += end;
    Ok(Some(Rec {
        typ,
        data,
        cont,
        pieces,
    }))
}

/// calamine's `XlsEncoding::decode_to(s, len, _, high)`: the characters it takes, the bytes
/// it consumes, and at most how many bytes of UTF-8 it appends. (encoding_rs sniffs a BOM
/// in each piece: one can switch UTF-16 to UTF-8, three bytes for each byte.)
fn decoded(s: &[u8], len: usize, high: Option<bool>, enc: Enc) -> (usize, usize, u64) {
    let high = high.or((enc != Enc::Other).then_some(false));
    let (l, used) = match high {
        Some(true) => (len.min(s.len() / 2), 2 * len.min(s.len() / 2)),
        _ => (len.min(s.len()), len.min(s.len())),
    };
    let raw = s.get(..used).unwrap_or_default();
    let bound = match (high, enc) {
        (None, _) => 3 * l as u64,
        (Some(false), Enc::Utf16Le) => raw.iter().map(|&b| 1 + u64::from(b >= 0x80)).sum(),
        (Some(true), Enc::Utf16Le)
            if !raw.starts_with(b"\xEF\xBB\xBF") && !raw.starts_with(b"\xFE\xFF") =>
        {
            raw.as_chunks::<2>()
                .0
                .iter()
                .map(|&u| match u16::from_le_bytes(u) {
                    0..0x80 => 1,
                    0x80..0x800 => 2,
                    _ => 3,
                })
                .sum()
        }
        _ => 6 * l as u64,
    };
    (l, used, bound)
}

/// A record's data and its CONTINUE records, read as calamine's `Record` is.
struct Cur<'a> {
    data: &'a [u8],
    cont: &'a [u8],
}

impl Cur<'_> {
    /// calamine's `continue_record`.
    fn next(&mut self) -> bool {
        let len = u16_at(self.cont, 2).map_or(0, usize::from);
        match (self.cont.get(4..4 + len), self.cont.get(4 + len..)) {
            (Some(data), Some(rest)) => {
                (self.data, self.cont) = (data, rest);
                true
            }
            _ => false,
        }
    }

    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            if self.data.is_empty() && !self.next() {
                return None;
            }
            let l = n.min(self.data.len());
            self.data = self.data.get(l..)?;
            n -= l;
        }
        Some(())
    }

    /// calamine's `read_rich_extended_string`: at most how many bytes of text it builds
    /// (`None` where calamine fails).
    fn rich_string(&mut self, enc: Enc) -> Option<u64> {
        if self.data.is_empty() {
            return Some(0);
        }
        let (mut left, flags) = (usize::from(u16_at(self.data, 0)?), *self.data.get(2)?);
        self.data = self.data.get(3..)?;
        let mut runs = 0;
        if flags & 8 != 0 {
            runs = 4 * usize::from(u16_at(self.data, 0)?);
            self.data = self.data.get(2..)?;
        }
        let mut ext = 0;
        if flags & 4 != 0 {
            ext = i32::from_le_bytes(self.data.get(..4)?.try_into().ok()?) as usize;
            self.data = self.data.get(4..)?;
        }
        let (mut high, mut bound) = (flags & 1 != 0, 0);
        while left > 0 {
            let (l, used, b) = decoded(self.data, left, Some(high), enc);
            (bound, left) = (bound + b, left - l);
            self.data = self.data.get(used..)?;
            if left > 0 {
                if !self.next() {
                    return None;
                }
                high = self.data.first()? & 1 != 0;
                self.data = self.data.get(1..)?;
            }
        }
        self.skip(runs)?;
        self.skip(ext)?;
        Some(bound)
    }
}

/// What a sheet makes calamine build, as far as it is read.
#[derive(Default)]
struct Sheet {
    /// First and last row, first and last column of its cells (and formulas).
    area: Option<[u32; 4]>,
    /// Cells and formulas listed before the grids are built.
    entries: u64,
    /// Text copied from shared strings or written for formulas.
    text: u64,
    /// Bytes that building its formulas' text moves.
    moves: u64,
    /// The last formula's cell, where a STRING record puts its result.
    fmla: (u32, u32),
    seen_bof: bool,
    /// Inside an embedded substream (a chart) this deep.
    depth: u64,
}

impl Sheet {
    /// A cell at `row` in columns `c0..=c1`, with `text` bytes.
    fn add(&mut self, row: u32, c0: u32, c1: u32, text: u64) {
        let [r0, r1, a, b] = self.area.unwrap_or([row, row, c0, c1]);
        self.area = Some([r0.min(row), r1.max(row), a.min(c0), b.max(c1)]);
        self.entries += u64::from(c1.saturating_sub(c0)) + 1;
        self.text += text;
    }

    /// Rows and columns of the grid calamine builds.
    fn size(&self) -> (u64, u64) {
        self.area.map_or((0, 0), |[r0, r1, c0, c1]| {
            (
                u64::from(r1.saturating_sub(r0)) + 1,
                u64::from(c1.saturating_sub(c0)) + 1,
            )
        })
    }
}

/// The workbook stream, read as calamine reads it.
#[derive(Default)]
struct Book<'a> {
    s: &'a [u8],
    max_cells: u64,
    max_text: u64,
    enc: Enc,
    /// BIFF5 or earlier (calamine takes the version from the globals' BOF).
    pre8: bool,
    /// Each shared string: at most how many bytes of text.
    sst: Vec<u32>,
    /// The BOUNDSHEET8 records' data.
    sheets: Vec<&'a [u8]>,
    /// The longest sheet name and defined name, in bytes: formulas copy them.
    sheet_name: u64,
    name: u64,
    /// Text so far (shared strings, their copies, formulas), and grid cells of all sheets.
    text: u64,
    cells: u64,
    /// Bytes of records read for sheets, and moved to build formulas.
    walked: u64,
    moves: u64,
}

impl<'a> Book<'a> {
    /// The globals, up to their EOF: what later records depend on.
    fn globals(&mut self) -> Result<(), Halt> {
        let (mut pos, mut names) = (0, 0);
        while let Some(r) = next_rec(self.s, &mut pos)? {
            match r.typ {
                0x002F if u16_at(r.data, 0) != Some(0) => return Err(Halt::Quit), // encrypted
                0x0042 => {
                    self.enc = match u16_at(r.data, 0) {
                        Some(1200) => Enc::Utf16Le,
                        Some(1201) => Enc::Utf16Be,
                        _ => Enc::Other,
                    }
                }
                // BOUNDSHEET8: calamine keeps three copies of the name, and a sheet
                0x0085 => {
                    let name = self.short_string(r.data.get(6..));
                    self.sheet_name = self.sheet_name.max(name);
                    self.sheets.push(r.data);
                    self.add_text(3 * name + PER_SHEET)?;
                }
                0x0809 => {
                    let (v, dt) = (u16_at(r.data, 0), u16_at(r.data, 2));
                    self.pre8 =
                        matches!(v, Some(0x0002 | 0x0007 | 0x0200 | 0x0300 | 0x0400 | 0x0500))
                            || (v == Some(0) && dt == Some(0x1000));
                }
                // LBL: a name, and its formula (a cell or area, after a sheet's name)
                0x0018 => {
                    let name = self.lbl(r.data);
                    self.name = self.name.max(name);
                    self.add_text(name + 48 + 24)?;
                    names += 1;
                }
                0x00FC => self.sst(&r)?,
                0x000A => break,
                _ => {}
            }
        }
        self.add_text(names * (self.sheet_name.max(4) + 1))
    }

    /// A BOUNDSHEET8's name (calamine's `parse_short_string`), in bytes at most.
    fn short_string(&self, d: Option<&[u8]>) -> u64 {
        let d = d.unwrap_or_default();
        let cch = d.first().map_or(0, |&c| usize::from(c));
        let (high, s) = match self.pre8 {
            true => (None, d.get(1..)),
            false => (d.get(1).map(|f| f & 1 != 0), d.get(2..)),
        };
        decoded(s.unwrap_or_default(), cch, high, self.enc).2
    }

    /// A defined name (LBL), in bytes at most.
    fn lbl(&self, d: &[u8]) -> u64 {
        let cch = d.get(3).map_or(0, |&c| usize::from(c));
        let s = d.get(14..).unwrap_or_default();
        match self.pre8 {
            true => decoded(s, cch, None, self.enc).2,
            false => {
                let high = s.first().is_some_and(|f| f & 1 != 0);
                decoded(s.get(1..).unwrap_or_default(), cch, Some(high), self.enc).2
            }
        }
    }

    /// The shared-string table (calamine keeps the last one).
    fn sst(&mut self, r: &Rec<'_>) -> Result<(), Halt> {
        if r.pieces > MAX_SST_PIECES {
            return Err(Halt::Refuse(format!(
                "共有文字列の表が {} 個に分割されていて、読むのに時間がかかりすぎます（上限 {}）。{RESAVE}",
                num(r.pieces as u64 + 1),
                num(MAX_SST_PIECES as u64 + 1)
            )));
        }
        self.sst.clear();
        let mut c = Cur {
            data: r.data.get(8..).ok_or(Halt::Quit)?,
            cont: r.cont,
        };
        while !c.data.is_empty() || c.next() {
            let len = c.rich_string(self.enc).ok_or(Halt::Quit)?;
            self.add_text(24 + len)?;
            self.sst.push(u32::try_from(len).unwrap_or(u32::MAX));
        }
        Ok(())
    }

    fn add_text(&mut self, n: u64) -> Result<(), Halt> {
        self.text = self.text.saturating_add(n);
        if self.text <= self.max_text {
            return Ok(());
        }
        Err(Halt::Refuse(format!(
            "文字列・数式・名前だけで {} MB 以上のメモリが要ります（上限 {} MB）。{RESAVE}",
            num(self.text >> 20),
            num(self.max_text >> 20)
        )))
    }

    /// "シート「名前」", or "3 番目のシート" when the name is not UTF-16.
    fn label(&self, i: usize) -> String {
        let d = self
            .sheets
            .get(i)
            .and_then(|d| d.get(6..))
            .unwrap_or_default();
        let cch = d.first().map_or(0, |&c| usize::from(c));
        let s = d.get(2..).unwrap_or_default();
        let name: String = match (
            self.pre8 || self.enc != Enc::Utf16Le,
            d.get(1).map(|f| f & 1),
        ) {
            (false, Some(1)) => {
                let units = s
                    .as_chunks::<2>()
                    .0
                    .iter()
                    .take(cch)
                    .map(|&u| u16::from_le_bytes(u));
                char::decode_utf16(units)
                    .map(|c| c.unwrap_or('\u{FFFD}'))
                    .collect()
            }
            (false, Some(_)) => s.iter().take(cch).map(|&b| char::from(b)).collect(),
            _ => String::new(),
        };
        let name: String = name.chars().filter(|c| !c.is_control()).collect();
        match name.is_empty() {
            true => format!("{} 番目のシート", i + 1),
            false => format!("シート「{name}」"),
        }
    }

    fn sheets(&mut self) -> Result<(), Halt> {
        (0..self.sheets.len()).try_for_each(|i| self.sheet(i))
    }

    /// One sheet, from its BOUNDSHEET8's offset to its EOF, as calamine reads it.
    fn sheet(&mut self, i: usize) -> Result<(), Halt> {
        let pos = self
            .sheets
            .get(i)
            .and_then(|d| u32_at(d, 0))
            .map_or(0, |p| p as usize);
        if pos > self.s.len() {
            let msg = format!(
                "{}の位置がブックの外を指しています。{RESAVE}",
                self.label(i)
            );
            return Err(Halt::Refuse(msg));
        }
        let (mut at, mut sh) = (pos, Sheet::default());
        let quit = loop {
            match next_rec(self.s, &mut at) {
                Ok(Some(r)) if self.record(i, &r, &mut sh)? => {}
                Ok(_) => break false,
                Err(_) => break true,
            }
        };
        self.walked += (at - pos) as u64;
        self.sheet_done(i, &sh)?;
        match quit {
            true => Err(Halt::Quit),
            false => Ok(()),
        }
    }

    /// One record of sheet `i`; `false` at its EOF.
    fn record(&self, i: usize, r: &Rec<'_>, sh: &mut Sheet) -> Result<bool, Halt> {
        let d = r.data;
        if sh.depth > 0 {
            match r.typ {
                0x0809 => sh.depth += 1,
                0x000A => sh.depth -= 1,
                _ => {}
            }
            return Ok(true);
        }
        let (row, col) = (u16_at(d, 0).map(u32::from), u16_at(d, 2).map(u32::from));
        match (r.typ, row, col) {
            (0x0809, ..) if sh.seen_bof => sh.depth += 1, // an embedded chart, skipped
            (0x0809, ..) => sh.seen_bof = true,
            (0x0200, ..) => self.dimensions(i, d)?,
            // NUMBER, LABEL, RSTRING, BOOLERR, RK
            (0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E, Some(r), Some(c)) => sh.add(r, c, c, 0),
            // LABELSST: a copy of the shared string, when there is one
            (0x00FD, Some(r), Some(c)) => {
                if let Some(&n) = u32_at(d, 6).and_then(|k| self.sst.get(k as usize)) {
                    sh.add(r, c, c, n.into());
                }
            }
            // STRING: the text result of the last formula, at its cell
            (0x0207, ..) => sh.add(sh.fmla.0, sh.fmla.1, sh.fmla.1, 0),
            (0x00BD, Some(r), Some(c)) => self.mulrk(i, d, r, c, sh)?,
            // FORMULA: a value, and a formula in another grid
            (0x0006, Some(r), Some(c)) if d.len() >= 20 => {
                let (text, moves) = self.formula(d);
                sh.fmla = (r, c);
                sh.add(r, c, c, text);
                (sh.entries, sh.moves) = (sh.entries + 1, sh.moves.saturating_add(moves));
            }
            (0x000A, ..) => return Ok(false),
            _ => {}
        }
        Ok(true)
    }

    fn sheet_done(&mut self, i: usize, sh: &Sheet) -> Result<(), Halt> {
        let (max, (rows, cols)) = (self.max_cells, sh.size());
        let span = rows * cols;
        let refuse = |what: String| Err(Halt::Refuse(format!("{what}。{RESAVE}")));
        if span > max {
            return refuse(format!(
                "{}の使われている範囲が {} 行 × {} 列（{}セル）と大きすぎます（上限 {}セル）",
                self.label(i),
                num(rows),
                num(cols),
                cells(span),
                cells(max)
            ));
        }
        if sh.entries > max {
            return refuse(format!(
                "{}のセルの記録が {} 個と多すぎます（上限 {}）",
                self.label(i),
                num(sh.entries),
                num(max)
            ));
        }
        self.cells += span;
        if self.cells > max {
            return refuse(format!(
                "すべてのシートの使われている範囲を合わせると {}セル以上になり、大きすぎます（上限 {}セル）",
                cells(self.cells),
                cells(max)
            ));
        }
        if self.walked > 2 * self.s.len() as u64 {
            return refuse("シートの位置が重なり合っています".into());
        }
        self.moves = self.moves.saturating_add(sh.moves);
        if self.moves > MAX_FORMULA_MOVES {
            return refuse("数式が込み入りすぎていて、読むのに時間がかかりすぎます".into());
        }
        self.add_text(sh.text)
    }

    /// DIMENSIONS, read as calamine reads it (then it reserves rows × columns cells).
    fn dimensions(&self, i: usize, d: &[u8]) -> Result<(), Halt> {
        let w = |at| u16_at(d, at).map_or(0, u32::from);
        let (rf, rl, cf, cl) = match d.len() {
            10 => (w(0), w(2), w(4), w(6)),
            14 | 16 => (
                u32_at(d, 0).unwrap_or(0),
                u32_at(d, 4).unwrap_or(0),
                w(8),
                w(10),
            ),
            _ => return Err(Halt::Quit),
        };
        let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
        let (rows, cols) = match rl >= 1 && cl >= 1 {
            true => ((rl - 1).checked_sub(rf), (cl - 1).checked_sub(cf)),
            false => (Some(0), Some(0)),
        };
        let (Some(rows), Some(cols)) = (rows, cols) else {
            return Err(Halt::Refuse(format!(
                "{}の範囲（DIMENSIONS レコード）の終わりが始まりより前になっています。{RESAVE}",
                self.label(i)
            )));
        };
        let (rows, cols) = (u64::from(rows) + 1, u64::from(cols) + 1);
        if rows * cols <= self.max_cells {
            return Ok(());
        }
        Err(Halt::Refuse(format!(
            "{}の範囲（DIMENSIONS レコード）が {} 行 × {} 列（{}セル）と宣言されていて大きすぎます（上限 {}セル）。{RESAVE}",
            self.label(i),
            num(rows),
            num(cols),
            cells(rows * cols),
            cells(self.max_cells)
        )))
    }

    /// MULRK: numbers from column `first` to the last one, given at its end (calamine
    /// fails unless there are that many; when the last is before the first, its u16
    /// arithmetic underflows and the cells go past column 65,535).
    fn mulrk(&self, i: usize, d: &[u8], row: u32, first: u32, sh: &mut Sheet) -> Result<(), Halt> {
        let last = d.len().checked_sub(2).and_then(|at| u16_at(d, at));
        let last = last.map_or(0, u32::from);
        if d.len() < 6 {
            return Ok(());
        }
        if last < first || last - first == 0xFFFF {
            return Err(Halt::Refuse(format!(
                "{}の {} 行目の数値の並び（MULRK レコード）の列の範囲が壊れています。{RESAVE}",
                self.label(i),
                num(u64::from(row) + 1)
            )));
        }
        if d.len() as u64 == 6 + 6 * (u64::from(last - first) + 1) {
            sh.add(row, first, last, 0);
        }
        Ok(())
    }

    /// At most how many bytes of text calamine's `parse_formula` builds from a FORMULA
    /// record: each token's longest text, plus one for a comma between arguments.
    /// And at most how many bytes it moves meanwhile: an operator or function copies
    /// its operands (up to the whole text), a parenthesis or space is inserted before
    /// them (255 spaces, one at a time, for 4 bytes).
    fn formula(&self, d: &[u8]) -> (u64, u64) {
        let rgce = d.get(20..).unwrap_or_default();
        let cce = u16_at(rgce, 0).map_or(0, usize::from);
        let mut r = rgce.get(2..2 + cce).unwrap_or_default();
        let (sheet, name, pre8) = (self.sheet_name.max(4), self.name.max(5), self.pre8);
        let (mut text, mut moves) = (0u64, 0u64);
        while let Some((&ptg, rest)) = r.split_first() {
            r = rest;
            let (size, out) = match ptg {
                0x01 => (4, 0),
                0x03..=0x11 | 0x15 => (0, 2),
                0x12..=0x14 => (0, 1),
                0x16 => (0, 0),
                0x17 => match self.ptg_str(r) {
                    Some(v) => v,
                    None => break,
                },
                0x18 => (5, 0),
                0x19 => match r.first() {
                    Some(0x01 | 0x02 | 0x08 | 0x20 | 0x21) => (3, 0),
                    Some(0x04) => (3 + 2 * (u16_at(r, 1).map_or(0, usize::from) + 1), 0),
                    Some(0x10) => (3, 5),
                    Some(0x40 | 0x41) => (3, r.get(2).map_or(0, |&n| u64::from(n))),
                    _ => break,
                },
                0x1C => (1, 13),
                0x1D => (1, 5),
                0x1E => (2, 5),
                0x1F => {
                    let v = r
                        .get(..8)
                        .and_then(|b| b.try_into().ok())
                        .map_or(0.0, f64::from_le_bytes);
                    let mut n = Len(0);
                    let _ = write!(n, "{v}");
                    (8, n.0)
                }
                0x20 | 0x40 | 0x60 => (7, 10),
                0x21 | 0x41 | 0x61 => (2, 20),
                0x22 | 0x42 | 0x62 => (3, 20),
                0x23 | 0x43 | 0x63 => (4, name),
                0x24 | 0x44 | 0x64 => (if pre8 { 3 } else { 4 }, 10),
                0x25 | 0x45 | 0x65 => (if pre8 { 6 } else { 8 }, 21),
                0x2A | 0x4A | 0x6A => (if pre8 { 3 } else { 4 }, 5),
                0x2B | 0x4B | 0x6B => (if pre8 { 6 } else { 8 }, 5),
                0x39 | 0x59 => (6, 10),
                0x3A | 0x5A | 0x7A => (6, sheet + 12),
                0x3B | 0x5B | 0x7B => (10, sheet + 23),
                0x3C | 0x5C | 0x7C => (6, sheet + 6),
                0x3D | 0x5D | 0x7D => (10, sheet + 6),
                _ => break,
            };
            let copies = match ptg {
                0x03..=0x13 | 0x15 | 0x21 | 0x22 | 0x41 | 0x42 | 0x61 | 0x62 => 1,
                0x19 => out,
                _ => 0,
            };
            moves = moves.saturating_add(text.saturating_mul(copies));
            text += out + 1;
            match r.get(size..) {
                Some(rest) => r = rest,
                None => break,
            }
        }
        // calamine reserves the rest of the record for the text.
        (text.max(rgce.len() as u64), moves)
    }

    /// PtgStr: the bytes after the token it takes and its text, at most.
    fn ptg_str(&self, r: &[u8]) -> Option<(usize, u64)> {
        let cch = usize::from(*r.first()?);
        if self.pre8 {
            let s = r.get(1..1 + cch)?;
            return Some((1 + cch, 2 + decoded(s, cch, None, self.enc).2));
        }
        let high = r.get(1)? & 1 != 0;
        let used = 1 + if high { 2 * cch } else { cch };
        let s = r.get(2..1 + used)?;
        Some((1 + used, 2 + decoded(s, cch, Some(high), self.enc).2))
    }
}

/// Counts what is written.
struct Len(u64);

impl std::fmt::Write for Len {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::xls_fixture::*;
    use super::*;
    use calamine::{Data, Reader, Xls};
    use std::io::Cursor;

    const MAX: u64 = 50_000_000;

    fn open(bytes: &[u8]) -> Xls<Cursor<&[u8]>> {
        Xls::new(Cursor::new(bytes)).expect("calamine opens the file")
    }

    fn cells_of(records: &[Vec<u8>]) -> Vec<u8> {
        records.concat()
    }

    fn refused(bytes: &[u8], max_cells: u64, expected: &[&str]) {
        let e = check(bytes, max_cells).expect_err("refused");
        for part in expected {
            assert!(e.contains(part), "{e:?} lacks {part:?}");
        }
    }

    fn le32(b: &mut [u8], at: usize, v: u32) {
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn small_sheet() -> Vec<u8> {
        cells_of(&[
            dimensions(0, 2, 0, 2),
            label(0, 0, "氏名"),
            label(0, 1, "年齢"),
            label(1, 0, "山田 太郎"),
            number(1, 1, 42.0),
        ])
    }

    #[test]
    fn calamine_reads_the_fixture_and_it_passes() {
        // Both in the mini stream (under 4,096 bytes) and in ordinary sectors.
        let sheets = [("名簿", small_sheet()), ("二", cells_of(&[mulrk(3, 2, 3)]))];
        for bytes in [xls(&sheets), xls_padded(&sheets)] {
            check(&bytes, MAX).unwrap();
            let mut wb = open(&bytes);
            assert_eq!(wb.sheet_names(), ["名簿", "二"]);
            let r = wb.worksheet_range("名簿").unwrap();
            assert_eq!(r.get_value((1, 0)), Some(&Data::String("山田 太郎".into())));
            assert_eq!(r.get_value((1, 1)), Some(&Data::Float(42.0)));
            let r = wb.worksheet_range("二").unwrap();
            assert_eq!((r.start(), r.end()), (Some((3, 2)), Some((3, 4))));
            assert_eq!(r.get_value((3, 4)), Some(&Data::Int(3)));
        }
    }

    #[test]
    fn declared_dimensions_beyond_the_limit_are_refused() {
        // calamine would reserve 2³² × 256 cells of 32 bytes: not opened here.
        let bytes = xls(&[(
            "大",
            cells_of(&[dimensions(0, u32::MAX, 0, 256), number(0, 0, 1.0)]),
        )]);
        refused(
            &bytes,
            MAX,
            &[
                "シート「大」",
                "DIMENSIONS",
                "4,294,967,295 行 × 256 列（10,995億セル）",
                "上限 5,000万セル",
            ],
        );
        // A full .xls sheet (65,536 × 256) is fine.
        let bytes = xls(&[(
            "s",
            cells_of(&[dimensions(0, 65536, 0, 256), number(0, 0, 1.0)]),
        )]);
        check(&bytes, MAX).unwrap();
        assert!(open(&bytes).worksheet_range("s").is_ok());
    }

    #[test]
    fn inverted_dimensions_are_refused() {
        for dims in [
            dimensions(10, 5, 0, 1),
            dimensions(0, 1, 5, 5),
            dimensions(7, 7, 0, 1),
        ] {
            let bytes = xls(&[("s", cells_of(&[dims]))]);
            refused(&bytes, MAX, &["終わりが始まりより前"]);
        }
        // Empty (all zero) and columns past 255 (read as from column 0) are not inverted.
        for dims in [dimensions(0, 0, 0, 0), dimensions(0, 1, 300, 2)] {
            let bytes = xls(&[("s", cells_of(&[dims]))]);
            check(&bytes, MAX).unwrap();
            open(&bytes);
        }
    }

    #[test]
    fn far_apart_cells_are_refused() {
        let corners = |r, c| xls(&[("s", cells_of(&[number(0, 0, 1.0), label(r, c, "x")]))]);
        refused(
            &corners(65535, 65535),
            MAX,
            &[
                "シート「s」の使われている範囲が 65,536 行 × 65,536 列（42億セル）",
                "上限 5,000万セル",
            ],
        );
        // (0,0)–(65535,255) is 16,777,216 cells: within 50 million, not within one fewer.
        let bytes = corners(65535, 255);
        refused(&bytes, 16_777_215, &["65,536 行 × 256 列（1,677万セル）"]);
        check(&bytes, 16_777_216).unwrap();
        check(&bytes, MAX).unwrap();
        check(&corners(99, 9), 1000).unwrap();
        refused(&corners(99, 10), 1000, &["100 行 × 11 列"]);
        // Every kind of cell counts, the text of a formula's result at the formula.
        let sst = sst(&["東京"]);
        let kinds = [
            labelsst(65535, 200, 0),
            record(0x027E, &[0xFF, 0xFF, 200, 0, 0, 0, 2, 0, 0, 0]),
            formula(65535, 200, &[0x1E, 1, 0]),
            cells_of(&[formula(0, 0, &[0x1E, 1, 0]), record(0x0207, &[0, 0, 0])]),
        ];
        for (i, cell) in kinds.iter().enumerate() {
            let bytes = cfb(&workbook_with(
                &sst,
                &[("s", cells_of(&[number(0, 0, 1.0), cell.clone()]))],
            ));
            let e = check_within(&bytes, 1000, MAX)
                .map(|()| open(&bytes).worksheet_range("s").unwrap().get_size());
            match i {
                3 => assert_eq!(e, Ok((1, 1))),
                _ => assert!(e.unwrap_err().contains("65,536 行 × 201 列"), "{i}"),
            }
        }
    }

    #[test]
    fn all_sheets_together_are_bounded() {
        // calamine builds every sheet's grid when it opens the file.
        let sheet = cells_of(&[number(0, 0, 1.0), number(9999, 999, 2.0)]);
        let sheets: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|n| (*n, sheet.clone()))
            .collect();
        let bytes = xls(&sheets);
        check(&bytes, 30_000_000).unwrap();
        refused(&bytes, 29_999_999, &["すべてのシート", "3,000万セル以上"]);
        // Each sheet alone is then still refused by name.
        refused(&bytes, 9_999_999, &["シート「a」"]);
    }

    #[test]
    fn a_mulrk_counts_its_columns() {
        let bytes = xls(&[("s", cells_of(&[mulrk(0, 0, 1000), number(65535, 0, 1.0)]))]);
        refused(&bytes, MAX, &["65,536 行 × 1,000 列"]);
        let r = open(&xls(&[("s", cells_of(&[mulrk(0, 0, 1000)]))]))
            .worksheet_range("s")
            .unwrap();
        assert_eq!(r.get_size(), (1, 1000));
        // A last column before the first: calamine's u16 arithmetic underflows.
        let bytes = xls(&[("s", cells_of(&[mulrk(4, 65535, 2)]))]);
        refused(&bytes, MAX, &["5 行目", "MULRK"]);
    }

    #[test]
    fn shared_string_copies_are_counted() {
        let long = "a".repeat(60_000);
        let globals = sst(&[long.as_str(), "b"]);
        let sheet = |n: u16, k: u32| {
            (0..n)
                .map(|r| labelsst(r, 0, k))
                .collect::<Vec<_>>()
                .concat()
        };
        let bytes = cfb(&workbook_with(&globals, &[("s", sheet(100, 0))]));
        // 100 copies of 60,000 bytes, and the table itself.
        check_within(&bytes, MAX, 6_100_000).unwrap();
        let e = check_within(&bytes, MAX, 6_000_000).unwrap_err();
        assert!(
            e.contains("文字列・数式・名前だけで 5 MB 以上") && e.contains("上限 5 MB"),
            "{e}"
        );
        let r = open(&bytes).worksheet_range("s").unwrap();
        assert_eq!(
            r.get_value((99, 0)).map(|v| v.to_string().len()),
            Some(60_000)
        );
        // Short strings cost little; an index past the table places no cell.
        let bytes = cfb(&workbook_with(
            &globals,
            &[("s", cells_of(&[sheet(100, 1), labelsst(65535, 0, 2)]))],
        ));
        check_within(&bytes, 100, 60_000 + 24 * 2 + 1 + 100 + (3 + PER_SHEET)).unwrap();
        assert_eq!(
            open(&bytes).worksheet_range("s").unwrap().get_size(),
            (100, 1)
        );
    }

    #[test]
    fn a_shared_string_across_continue_records_is_read() {
        let head = [1u32.to_le_bytes(), 1u32.to_le_bytes()].concat();
        let sst = [
            record(0x00FC, &[&head[..], &[6, 0, 0], b"abc"].concat()),
            record(
                0x003C,
                &[
                    &[1u8][..],
                    &"déf"
                        .encode_utf16()
                        .flat_map(|u| u.to_le_bytes())
                        .collect::<Vec<_>>(),
                ]
                .concat(),
            ),
        ]
        .concat();
        let bytes = cfb(&workbook_with(&sst, &[("s", labelsst(0, 0, 0))]));
        // The table (a string of 7 bytes of UTF-8 and its 24) and the cell's copy.
        let sheet = 3 + PER_SHEET;
        check_within(&bytes, MAX, sheet + 24 + 7 + 7).unwrap();
        assert!(check_within(&bytes, MAX, sheet + 24 + 7 + 6).is_err());
        let r = open(&bytes).worksheet_range("s").unwrap();
        assert_eq!(r.get_value((0, 0)), Some(&Data::String("abcdéf".into())));
        // A table split into more pieces than calamine reads in reasonable time.
        let pieces = [record(0x00FC, &head), record(0x003C, &[]).repeat(40_000)].concat();
        let bytes = cfb(&workbook_with(&pieces, &[("s", Vec::new())]));
        refused(&bytes, MAX, &["40,001 個に分割"]);
    }

    #[test]
    fn formula_text_is_bounded_from_above() {
        // A 255-character name: each 5-byte reference to it writes 765 bytes.
        let name = "名".repeat(255);
        let names = [lbl(&name), lbl("x")].concat();
        let refs = |n: usize| {
            let mut rgce = vec![0x23, 1, 0, 0, 0];
            for _ in 1..n {
                rgce.extend([0x23, 1, 0, 0, 0, 0x08]);
            }
            rgce
        };
        // 7 after 255 spaces; 5e-324 (326 characters) & a string, + D3, * ($A$1:$D$10),
        // ISNA of it.
        let spaces = [0x1E, 7, 0, 0x19, 0x40, 0, 255].to_vec();
        let mixed = [
            &[0x1F][..],
            &5e-324f64.to_le_bytes(),
            &[0x17, 3, 1, 0x0D, 0x54, 0x6C, 0x67, 0x5B, 0x59, 0x08],
            &[
                0x24, 2, 0, 3, 0xC0, 0x03, 0x25, 0, 0, 9, 0, 0, 0, 3, 0, 0x15, 0x05, 0x41, 2, 0,
            ],
        ]
        .concat();
        let sheet = cells_of(&[
            formula(0, 0, &refs(100)),
            formula(1, 0, &spaces),
            formula(2, 0, &mixed),
        ]);
        let stream = workbook_with(&names, &[("s", sheet)]);
        let f = open(&cfb(&stream)).worksheet_formula("s").unwrap();
        let mut book = Book {
            s: &stream,
            max_cells: MAX,
            max_text: MAX,
            ..Book::default()
        };
        assert!(book.globals().is_ok());
        let (mut pos, mut bounds) = (0, Vec::new());
        while let Ok(Some(r)) = next_rec(&stream, &mut pos) {
            if r.typ == 0x0006 {
                bounds.push(book.formula(r.data).0);
            }
        }
        assert_eq!(bounds.len(), 3);
        for (row, bound) in bounds.iter().enumerate() {
            let text = f.get_value((row as u32, 0)).unwrap();
            assert!(!text.starts_with("Unrecognised"), "{text}");
            assert!(
                text.len() as u64 <= *bound,
                "row {row}: {} > {bound}: {text}",
                text.len()
            );
            assert!(
                *bound <= 2 * text.len() as u64 + 400,
                "row {row}: {bound} for {}",
                text.len()
            );
        }
        assert!(f.get_value((0, 0)).unwrap().len() >= 76_500);
        // 100 such formulas write 7.6 MB.
        let many: Vec<u8> = (0..100).flat_map(|r| formula(r, 0, &refs(100))).collect();
        let bytes = cfb(&workbook_with(&names, &[("s", many)]));
        assert!(
            check_within(&bytes, MAX, 7 << 20)
                .unwrap_err()
                .contains("7 MB 以上")
        );
        check_within(&bytes, MAX, 8 << 20).unwrap();
        // 16,000 times 255 spaces inserted at the front of a growing text: hours.
        let slow = [&refs(1)[..], &[0x19, 0x40, 0, 255].repeat(16_000)].concat();
        let bytes = cfb(&workbook_with(&names, &[("s", formula(0, 0, &slow))]));
        refused(&bytes, MAX, &["数式が込み入りすぎて"]);
    }

    #[test]
    fn sheet_offsets_are_checked() {
        let sheet_at = |pos: u32| {
            record(
                0x0085,
                &[&pos.to_le_bytes()[..], &[0, 0, 1, 0, b'x']].concat(),
            )
        };
        // Past the end of the stream (calamine would panic slicing it).
        let bytes = cfb(&workbook_with(&sheet_at(1 << 24), &[]));
        refused(&bytes, MAX, &["シート「x」の位置がブックの外"]);
        // 1,000 sheets that are all the globals: each is read again.
        let bytes = cfb(&workbook_with(&sheet_at(0).repeat(1000), &[]));
        refused(&bytes, MAX, &["シートの位置が重なり合って"]);
        // 1,000 empty sheets at the end still cost calamine memory.
        let end = workbook_with(&sheet_at(0).repeat(1000), &[]).len() as u32;
        let bytes = cfb(&workbook_with(&sheet_at(end).repeat(1000), &[]));
        check_within(&bytes, MAX, 1000 * (3 + PER_SHEET)).unwrap();
        assert!(check_within(&bytes, MAX, 999 * (3 + PER_SHEET)).is_err());
        assert_eq!(open(&bytes).sheet_names().len(), 1000);
    }

    fn padded() -> Vec<u8> {
        xls_padded(&[("s", small_sheet())])
    }

    #[test]
    fn a_broken_container_is_refused_quickly() {
        let broken_with = |patch: &dyn Fn(&mut Vec<u8>), part: &str| {
            let mut b = padded();
            patch(&mut b);
            refused(&b, MAX, &["壊れています", part]);
        };
        // The stream (sectors 2 to 9; the FAT is sector 0 at 512) loops back, within its
        // length and past it (calamine would then grow it to 4 GB).
        broken_with(&|b| le32(b, 512 + 4 * 5, 2), "輪");
        broken_with(
            &|b| {
                le32(b, 512 + 4 * 9, 2);
                le32(b, 1024 + 128 + 120, u32::MAX);
            },
            "輪",
        );
        // The directory sector (1) follows itself.
        broken_with(&|b| le32(b, 512 + 4, 1), "輪");
        // The directory starts past the end of the file.
        broken_with(
            &|b| le32(b, 48, 1000),
            "セクタ 1000 がファイルの終わりより後",
        );
        // The stream runs past the end: the file is cut.
        let mut b = padded();
        b.truncate(b.len() - 1024);
        refused(&b, MAX, &["ファイルの終わりより後"]);
        // The DIFAT lists the FAT sector 109 times (calamine would read it 109 times).
        broken_with(
            &|b| (0..109).for_each(|i| le32(b, 76 + 4 * i, 0)),
            "FAT のセクタ",
        );
        // A DIFAT sector that is its own next.
        broken_with(
            &|b| {
                le32(b, 68, 2);
                le32(b, 1536 + 508, 2);
            },
            "",
        );
        // A mini stream chain that loops (a small file).
        let mut b = xls(&[("s", small_sheet())]);
        le32(&mut b, 512 * 3 + 4, 0);
        refused(&b, MAX, &["輪"]);
    }

    #[test]
    fn the_stream_is_found_as_calamine_finds_it() {
        // "Book" (BIFF5's name) when there is no "Workbook", any case, and a name behind a BOM.
        let far = xls_padded(&[(
            "s",
            cells_of(&[number(0, 0, 1.0), number(65535, 65535, 1.0)]),
        )]);
        let name_at = 1024 + 128;
        for name in ["Book", "WORKBOOK", "\u{FEFF}Workbook"] {
            let mut b = far.clone();
            let units: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            b[name_at..name_at + 64].fill(0);
            b[name_at..name_at + units.len()].copy_from_slice(&units);
            refused(&b, MAX, &["42億"]);
            let mut ok = padded();
            ok[name_at..name_at + 64].fill(0);
            ok[name_at..name_at + units.len()].copy_from_slice(&units);
            check(&ok, MAX).unwrap();
            assert!(open(&ok).worksheet_range("s").is_ok(), "{name}");
        }
        // Another name: no workbook, left to calamine.
        let mut b = far.clone();
        b[name_at] = b'X';
        check(&b, MAX).unwrap();
        assert!(Xls::new(Cursor::new(&b[..])).is_err());
    }

    #[test]
    fn what_is_no_compound_file_is_left_to_calamine() {
        for b in [
            &b""[..],
            b"PK\x03\x04 not an xls",
            &[0xD0, 0xCF, 0x11, 0xE0],
            &[0u8; 600],
        ] {
            check(b, MAX).unwrap();
        }
    }

    /// xorshift
    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn no_input_panics_or_hangs() {
        let files = [xls(&[("s", small_sheet())]), padded()];
        for f in &files {
            for n in 0..=f.len() {
                let _ = check(&f[..n], MAX);
            }
            for i in 0..f.len() {
                for v in [0x00, 0xFF, 0x80, 0x01] {
                    let mut b = f.clone();
                    b[i] ^= v;
                    let _ = check(&b, MAX);
                }
            }
        }
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let len = (rng(&mut seed) % 6000) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| rng(&mut seed) as u8).collect();
            if b.len() >= 512 && rng(&mut seed).is_multiple_of(2) {
                b[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
                b[30] = 9;
                b[31] = 0;
                b[32] = 6;
                b[33] = 0;
            }
            let _ = check(&b, MAX);
        }
        // Garbage records in a well-formed container.
        for _ in 0..300 {
            let len = (rng(&mut seed) % 5000) as usize;
            let mut stream = workbook(&[("s", small_sheet())]);
            stream.extend((0..len).map(|_| rng(&mut seed) as u8));
            let at = (rng(&mut seed) as usize) % stream.len();
            stream[at] ^= rng(&mut seed) as u8;
            let _ = check(&cfb(&stream), MAX);
        }
    }

    #[test]
    fn numbers_read_as_japanese_writes_them() {
        assert_eq!(num(1_234_567), "1,234,567");
        assert_eq!(cells(4_294_967_296), "42億");
        assert_eq!(cells(50_000_000), "5,000万");
        assert_eq!(cells(9_999), "9,999");
    }
}
