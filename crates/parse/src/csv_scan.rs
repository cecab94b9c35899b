//! A CSV tokenizer over the file's raw bytes, for the import's reading thread.
//!
//! It splits records and fields before any decoding. That is safe for CP932 as for UTF-8:
//! the bytes that matter to CSV (`"`, the delimiter, CR, LF) never occur inside a
//! multi-byte character of either encoding (CP932 trail bytes are 0x40–0xFC). A field is
//! decoded only when it has a byte above 0x7F, so the mostly-ASCII rows of a KDB export are
//! copied once, straight from the read buffer into the record. Malformed CP932 becomes
//! U+FFFD, which the validator reports as 文字化け; UTF-8 is passed through and checked
//! there.
//!
//! The dialect is the `csv` crate's default, which the import used before and which the
//! tests compare against: `"` quotes, `""` inside quotes is one `"`, CR, LF or CRLF ends a
//! record, blank lines are skipped, a quote inside an unquoted field is kept as text, and
//! text after a closing quote is appended. Unlike the `csv` crate, a file that ends inside
//! a quoted field is an error ([`UnclosedQuote`], naming the line the quote opened on): it
//! is what a file cut short looks like, and its last record is not a record of the file.
//! Records may differ in length. Each record comes with the file's own line number of its
//! first line.

use std::io::{self, Read};

use csv::ByteRecord;

use super::encoding::TextEncoding;
use super::rows::{RecordIndex, RowBatch};

/// Bytes read from the file at a time; the buffer grows only for a longer record.
const BLOCK: usize = 1 << 20;

/// The longest record read (64 MB): a longer one is not a row of any export but a file
/// that is not CSV (or has an unclosed quote), and is refused rather than held in memory.
const MAX_RECORD: usize = 64 << 20;

pub struct CsvScanner<R> {
    inner: R,
    buf: Vec<u8>,
    /// Start of the unread bytes in `buf`.
    pos: usize,
    /// End of the bytes read into `buf`.
    end: usize,
    eof: bool,
    started: bool,
    cp932: bool,
    delimiter: u8,
    /// Line feeds before `pos`.
    feeds: u64,
    /// The fields of the record being scanned.
    fields: Vec<Field>,
    /// Fields with `""` or text after their closing quote, put together (and decoded).
    joined: Vec<u8>,
    /// The last non-ASCII CP932 field of each column, decoded: a column of a few values
    /// (入院/外来) is then decoded once, not on every row.
    decoded: Vec<Decoded>,
    /// A batch of one, for [`CsvScanner::next_record`].
    one: RowBatch,
    max_record: usize,
    /// The file ended inside quotes: every later read fails with this.
    unclosed: Option<UnclosedQuote>,
}

/// Where a field of the record being scanned lies in `buf`.
#[derive(Clone, Copy)]
struct Field {
    /// The text between the quotes, or the whole field if unquoted. For a field put
    /// together in `joined`, the field's whole stretch, quotes included.
    start: usize,
    end: usize,
    /// Its text in `joined` instead.
    joined: Option<(usize, usize)>,
    /// Every byte is below 0x80.
    ascii: bool,
}

#[derive(Default)]
struct Decoded {
    raw: Vec<u8>,
    text: Vec<u8>,
}

/// How far one attempt at a record got.
enum Scan {
    Record,
    End,
    /// The record runs past the bytes read so far.
    NeedMore,
    /// The file ends inside a quoted field that opened on this line.
    Unclosed(u64),
}

/// The file ends inside quotes: a quote opened on `line` is never closed. Carried inside
/// the `io::Error` a read returns (`io::Error::get_ref`), so a caller can tell it from a
/// failing disk and report it as a bad line of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnclosedQuote {
    pub line: u64,
}

impl std::fmt::Display for UnclosedQuote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}行目で{}", self.line, Self::REASON)
    }
}

impl std::error::Error for UnclosedQuote {}

impl UnclosedQuote {
    /// What is wrong, for a reject of the line.
    pub const REASON: &'static str = "開いた引用符（\"）が閉じないままファイルが終わっています。ファイルが途中で切れていないか確認してください";

    /// The unclosed quote an I/O error from a read carries, if that is what it is.
    pub fn of(e: &io::Error) -> Option<UnclosedQuote> {
        e.get_ref()?.downcast_ref::<UnclosedQuote>().copied()
    }

    fn error(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }
}

impl<R: Read> CsvScanner<R> {
    pub fn new(inner: R, encoding: TextEncoding, delimiter: u8) -> Self {
        CsvScanner {
            inner,
            buf: vec![0; BLOCK],
            pos: 0,
            end: 0,
            eof: false,
            started: false,
            cp932: encoding == TextEncoding::Cp932,
            delimiter,
            feeds: 0,
            fields: Vec::new(),
            joined: Vec::new(),
            decoded: Vec::new(),
            one: RowBatch::default(),
            max_record: MAX_RECORD,
            unclosed: None,
        }
    }

    /// The line the reader has reached, for a message about a read error.
    pub fn line(&self) -> u64 {
        self.feeds + 1
    }

    /// Reads the next record into `rec`; returns the line it starts on, or `None` at the end.
    pub fn next_record(&mut self, rec: &mut ByteRecord) -> io::Result<Option<u64>> {
        let mut one = std::mem::take(&mut self.one);
        one.clear();
        let got = self.next_batch(&mut one, 1);
        rec.clear();
        let line = one.row(0).map(|row| {
            for f in row.iter() {
                rec.push_field(f);
            }
            row.line
        });
        self.one = one;
        got.map(|_| line)
    }

    /// Adds records to `out` until it holds `max` or the file ends; returns whether any
    /// record was added. A file that ends inside quotes gives the records before the
    /// unclosed one, then [`UnclosedQuote`] on this and every later call.
    pub fn next_batch(&mut self, out: &mut RowBatch, max: usize) -> io::Result<bool> {
        if let Some(u) = self.unclosed {
            return Err(u.error());
        }
        let before = out.len();
        if !self.started {
            self.refill()?;
            self.started = true;
            if !self.cp932 && self.buf[..self.end].starts_with(&[0xEF, 0xBB, 0xBF]) {
                self.pos = 3;
            }
        }
        while out.len() < max {
            match self.scan(out) {
                Scan::Record => {}
                Scan::End => break,
                Scan::NeedMore => self.refill()?,
                Scan::Unclosed(line) => {
                    let u = UnclosedQuote { line };
                    self.unclosed = Some(u);
                    if out.len() > before {
                        break;
                    }
                    return Err(u.error());
                }
            }
        }
        Ok(out.len() > before)
    }

    /// Keeps the unread bytes, then reads until the buffer is full or the file ends. A
    /// record longer than the buffer doubles it.
    fn refill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() >= self.max_record {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "1行が {} MB を超えています。CSV ファイルか、引用符（\"）が閉じているかを確認してください",
                        self.max_record >> 20
                    ),
                ));
            }
            self.buf.resize(self.buf.len() * 2, 0);
        }
        while !self.eof && self.end < self.buf.len() {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// One attempt at a record from `pos`. Only a whole record is added to `out`, and only
    /// then are `pos` and `feeds` moved on.
    fn scan(&mut self, out: &mut RowBatch) -> Scan {
        self.fields.clear();
        self.joined.clear();
        let data = &self.buf[..self.end];
        let eof = self.eof;
        let delim = self.delimiter;
        let mut i = self.pos;
        let mut feeds = self.feeds;
        // Blank lines, and the LF of the CRLF that ended the last record.
        loop {
            match data.get(i) {
                None if eof => {
                    self.pos = i;
                    self.feeds = feeds;
                    return Scan::End;
                }
                None => return Scan::NeedMore,
                Some(b'\n') => feeds += 1,
                Some(b'\r') => {}
                Some(_) => break,
            }
            i += 1;
        }
        let line = feeds + 1;
        let rec_start = i;
        loop {
            // A field starts at `i`.
            if data.get(i) == Some(&b'"') {
                let field_start = i;
                let opened_on = feeds + 1;
                let open = i + 1;
                // Text not yet copied into `joined` starts at `seg`.
                let mut seg = open;
                let mut at = open;
                let mut joined: Option<usize> = None;
                let mut high = 0u8;
                let close;
                loop {
                    at = find_any(data, at, [b'"', b'\n'], &mut high);
                    match data.get(at) {
                        None if !eof => return Scan::NeedMore,
                        // The file ends inside the quotes.
                        None => return Scan::Unclosed(opened_on),
                        Some(b'\n') => {
                            feeds += 1;
                            at += 1;
                        }
                        Some(_) => match data.get(at + 1) {
                            None if !eof => return Scan::NeedMore,
                            Some(b'"') => {
                                // `""`: one quote, kept with the text before it.
                                joined.get_or_insert(self.joined.len());
                                add_piece(&mut self.joined, &data[seg..=at], self.cp932);
                                seg = at + 2;
                                at = seg;
                            }
                            _ => {
                                close = at;
                                i = at + 1;
                                break;
                            }
                        },
                    }
                }
                // Text after the closing quote belongs to the same field.
                let tail = i;
                match data.get(i) {
                    Some(&b) if b == delim || b == b'\r' || b == b'\n' => {}
                    _ => i = find_any(data, i, [delim, b'\r', b'\n'], &mut high),
                }
                if i == data.len() && !eof {
                    return Scan::NeedMore;
                }
                if joined.is_some() || tail < i {
                    let from = *joined.get_or_insert(self.joined.len());
                    add_piece(&mut self.joined, &data[seg..close], self.cp932);
                    add_piece(&mut self.joined, &data[tail..i], self.cp932);
                    self.fields.push(Field {
                        start: field_start,
                        end: i,
                        joined: Some((from, self.joined.len())),
                        ascii: high < 0x80,
                    });
                } else {
                    self.fields.push(Field {
                        start: open,
                        end: close,
                        joined: None,
                        ascii: high < 0x80,
                    });
                }
            } else {
                let s = i;
                let mut high = 0u8;
                i = find_any(data, i, [delim, b'\r', b'\n'], &mut high);
                if i == data.len() && !eof {
                    return Scan::NeedMore;
                }
                self.fields.push(Field {
                    start: s,
                    end: i,
                    joined: None,
                    ascii: high < 0x80,
                });
            }
            match data.get(i) {
                Some(&b) if b == delim => i += 1,
                end => {
                    let rec_end = i;
                    match end {
                        Some(b'\n') => {
                            self.pos = i + 1;
                            self.feeds = feeds + 1;
                        }
                        // CR and its LF; an LF not yet read is skipped with the blank lines.
                        Some(_) if data.get(i + 1) == Some(&b'\n') => {
                            self.pos = i + 2;
                            self.feeds = feeds + 1;
                        }
                        Some(_) => {
                            self.pos = i + 1;
                            self.feeds = feeds;
                        }
                        None => {
                            self.pos = i;
                            self.feeds = feeds;
                        }
                    }
                    self.commit(out, line, rec_start, rec_end);
                    return Scan::Record;
                }
            }
        }
    }

    /// Adds the record scanned into `fields` to `out`. Stretches of plain fields (ASCII, or
    /// UTF-8 input, and not put together) are copied as they stand, delimiters and quotes
    /// included; the other fields are decoded or taken from `joined` in between.
    fn commit(&mut self, out: &mut RowBatch, line: u64, rec_start: usize, rec_end: usize) {
        let data = &self.buf;
        let start = out.text.len();
        let first = out.spans.len();
        let mut from = rec_start;
        for (column, f) in self.fields.iter().enumerate() {
            if f.joined.is_none() && (f.ascii || !self.cp932) {
                let at = out.text.len() + (f.start - from);
                out.spans.push((at, at + (f.end - f.start)));
                continue;
            }
            out.text.extend_from_slice(&data[from..f.start]);
            from = f.end;
            let bytes = match f.joined {
                Some((a, b)) => &self.joined[a..b],
                None => &data[f.start..f.end],
            };
            let a = out.text.len();
            if self.cp932 && !f.ascii && f.joined.is_none() {
                out.text
                    .extend_from_slice(decode_cp932(&mut self.decoded, column, bytes));
            } else {
                out.text.extend_from_slice(bytes);
            }
            out.spans.push((a, out.text.len()));
        }
        out.text.extend_from_slice(&data[from..rec_end]);
        out.records.push(RecordIndex {
            line,
            first,
            start,
            end: out.text.len(),
        });
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The first byte at or after `at` that is one of `stops`, or `data.len()`; ORs the bytes
/// passed into `high`. Eight bytes at a time in a `u64` (SWAR), then byte by byte near the
/// end of the data. (An SSE2 version, sixteen bytes a step, read the spec claims file 40%
/// slower: fields are short, and the set-up of each step costs more than it saves.)
#[inline]
fn find_any<const N: usize>(data: &[u8], mut at: usize, stops: [u8; N], high: &mut u8) -> usize {
    let patterns = stops.map(|s| ONES * u64::from(s));
    // High bit set in each byte that is zero; exact for the lowest such byte, which is all
    // that is used.
    let zeros = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    while let Some(word) = data.get(at..at + 8) {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let v = u64::from_le_bytes(word);
        let hits = patterns.iter().fold(0, |h, &p| h | zeros(v ^ p));
        if hits != 0 {
            let k = (hits.trailing_zeros() / 8) as usize;
            let before = v & ((1u64 << (8 * k)) - 1);
            if before & HIGHS != 0 {
                *high |= 0x80;
            }
            return at + k;
        }
        if v & HIGHS != 0 {
            *high |= 0x80;
        }
        at += 8;
    }
    while let Some(&x) = data.get(at) {
        if stops.contains(&x) {
            break;
        }
        *high |= x;
        at += 1;
    }
    at
}

/// Adds a piece of a field that is put together, decoded on its own: in the file a quote
/// stands between it and the next piece, so a character cannot span the two.
fn add_piece(joined: &mut Vec<u8>, piece: &[u8], cp932: bool) {
    if !cp932 || piece.is_ascii() {
        joined.extend_from_slice(piece);
        return;
    }
    let (text, _) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(piece);
    joined.extend_from_slice(text.as_bytes());
}

/// A CP932 field as UTF-8, from the column's last decoding when the bytes are the same.
fn decode_cp932<'d>(cache: &'d mut Vec<Decoded>, column: usize, bytes: &[u8]) -> &'d [u8] {
    if cache.len() <= column {
        cache.resize_with(column + 1, Decoded::default);
    }
    let last = &mut cache[column];
    if last.raw != bytes {
        let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
        let room = decoder
            .max_utf8_buffer_length(bytes.len())
            .unwrap_or(bytes.len() * 3 + 16);
        last.text.clear();
        last.text.resize(room, 0);
        let (_, _, written, _) = decoder.decode_to_utf8(bytes, &mut last.text, true);
        last.text.truncate(written);
        last.raw.clear();
        last.raw.extend_from_slice(bytes);
    }
    &last.text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records as (line, fields).
    type Records = Vec<(u64, Vec<Vec<u8>>)>;

    /// Records as (line, fields) from our scanner, reading `step` bytes at a time so that
    /// records cross the buffer's end, and the unclosed quote it ended on, if any.
    fn ours_or_unclosed(
        bytes: &[u8],
        encoding: TextEncoding,
        step: usize,
    ) -> (Records, Option<UnclosedQuote>) {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(out.len()).min(self.1);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut scanner = CsvScanner::new(Trickle(bytes, step), encoding, b',');
        // A small buffer, so that refills and growth happen in the test too.
        scanner.buf = vec![0; 8];
        let mut out = Vec::new();
        let unclosed = |e: io::Error| {
            let u = UnclosedQuote::of(&e).expect("only an unclosed quote fails here");
            Some(u)
        };
        if step.is_multiple_of(2) {
            // Record by record, as the header look-ahead reads.
            let mut rec = ByteRecord::new();
            loop {
                match scanner.next_record(&mut rec) {
                    Ok(Some(line)) => out.push((line, rec.iter().map(|f| f.to_vec()).collect())),
                    Ok(None) => return (out, None),
                    Err(e) => {
                        // It stays failed.
                        assert!(scanner.next_record(&mut rec).is_err());
                        return (out, unclosed(e));
                    }
                }
            }
        }
        // In batches, as the import reads; a batch's rows must lie in its text as they say.
        let mut batch = RowBatch::default();
        loop {
            let more = scanner.next_batch(&mut batch, step);
            for row in batch.rows() {
                let fields: Vec<Vec<u8>> = row.iter().map(|f| f.to_vec()).collect();
                for (i, f) in fields.iter().enumerate() {
                    let (a, b) = row.span(i).unwrap();
                    assert_eq!(&row.text()[a..b], f.as_slice());
                }
                if encoding == TextEncoding::Cp932 {
                    assert!(std::str::from_utf8(row.text()).is_ok());
                }
                out.push((row.line, fields));
            }
            batch.clear();
            match more {
                Ok(true) => {}
                Ok(false) => return (out, None),
                Err(e) => {
                    assert!(batch.is_empty(), "a failed read adds no record");
                    return (out, unclosed(e));
                }
            }
        }
    }

    /// [`ours_or_unclosed`] for input that does not end inside quotes.
    fn ours(bytes: &[u8], encoding: TextEncoding, step: usize) -> Records {
        let (out, unclosed) = ours_or_unclosed(bytes, encoding, step);
        assert_eq!(unclosed, None, "{:?}", String::from_utf8_lossy(bytes));
        out
    }

    /// Whether the bytes end inside a quoted field, and the line its quote opened on: a
    /// plain state machine, byte by byte, for the `csv` crate's dialect.
    fn open_quote_at_end(bytes: &[u8]) -> Option<u64> {
        #[derive(PartialEq)]
        enum St {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted,
        }
        let mut st = St::FieldStart;
        let mut line = 1;
        let mut opened = 0;
        for &b in bytes {
            st = match (st, b) {
                (St::FieldStart, b'"') => {
                    opened = line;
                    St::Quoted
                }
                (St::Quoted, b'"') => St::QuoteInQuoted,
                (St::Quoted, _) => St::Quoted,
                (St::QuoteInQuoted, b'"') => St::Quoted,
                (_, b',' | b'\r' | b'\n') => St::FieldStart,
                _ => St::Unquoted,
            };
            if b == b'\n' {
                line += 1;
            }
        }
        (st == St::Quoted).then_some(opened)
    }

    /// Our records against the `csv` crate's: the same, except that where the input ends
    /// inside quotes we stop before that last record and name the line the quote opened on.
    fn check_against_csv_crate(text: &[u8], decoded: &[u8], encoding: TextEncoding, step: usize) {
        let (got, unclosed) = ours_or_unclosed(text, encoding, step);
        let got: Vec<_> = got.into_iter().map(|(_, f)| f).collect();
        let mut want = theirs(decoded);
        let open = open_quote_at_end(text);
        if open.is_some() {
            want.pop();
        }
        assert_eq!(
            (got, unclosed.map(|u| u.line)),
            (want, open),
            "{:?} read {step} at a time",
            String::from_utf8_lossy(decoded)
        );
    }

    /// The `csv` crate's reading of the same bytes (fields only; it has no line numbers).
    fn theirs(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            out.push(rec.iter().map(|f| f.to_vec()).collect());
        }
        out
    }

    #[test]
    fn splits_as_the_csv_crate_does_on_awkward_input() {
        let cases: &[&[u8]] = &[
            b"a,b,c\r\n1,2,3\r\n",
            b"a,b,c\n1,2,3",
            b"\"a\",\"b\"\r\n\"1,234\",\"x\"\"y\"\r\n",
            b"\"a\r\nb\",c\r\n\r\n\r\nd,e\r\n",
            b"a,b,\r\n,,\r\n",
            b"a,b,",
            b"\"ab\"cd,e\r\n",
            b"ab\"cd\",e\n",
            b"\"\",\"\"\"\"\r\n",
            b"\"unterminated,field\r\nmore",
            b"x\ry\r\nz",
            b"\r\n\r\n",
            b"",
            b"\"end quote at eof\"",
            b"a,\"b\"\"",
        ];
        for case in cases {
            for step in [1, 2, 3, 64] {
                check_against_csv_crate(case, case, TextEncoding::Utf8, step);
            }
        }
    }

    #[test]
    fn splits_random_input_as_the_csv_crate_does() {
        // Deterministic noise over the bytes that matter to CSV and some that do not.
        let alphabet = b"ab,\"\r\n,\"x";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..400 {
            let mut text = Vec::new();
            for _ in 0..(state % 60) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            check_against_csv_crate(&text, &text, TextEncoding::Utf8, 1 + (state % 7) as usize);
        }
    }

    #[test]
    fn splits_random_cp932_as_the_csv_crate_does_after_decoding() {
        // 外 and 来 in CP932, a lone lead byte, and the bytes that matter to CSV.
        let pieces: &[&[u8]] = &[
            b"\x8aO",
            b"\x97\x88",
            b"\x88",
            b",",
            b"\"",
            b"\r\n",
            b"a",
            b"1",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..400 {
            let mut text = Vec::new();
            for _ in 0..(next() % 40) {
                text.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let (utf8, _) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&text);
            let step = 1 + (next() % 9) as usize;
            check_against_csv_crate(&text, utf8.as_bytes(), TextEncoding::Cp932, step);
        }
    }

    #[test]
    fn decodes_only_cp932_fields_and_counts_lines() {
        let (text, _, _) = encoding_rs::SHIFT_JIS
            .encode("\"帳票\",x\r\n\r\n\"氏名\",\"髙橋\r\n﨑\"\r\n\"ｶﾅ\",\"①\"\r\n");
        let got = ours(&text, TextEncoding::Cp932, 5);
        let fields = |r: &(u64, Vec<Vec<u8>>)| -> Vec<String> {
            r.1.iter()
                .map(|f| String::from_utf8(f.clone()).unwrap())
                .collect()
        };
        assert_eq!(got.len(), 3);
        assert_eq!(
            (got[0].0, fields(&got[0])),
            (1, vec!["帳票".into(), "x".into()])
        );
        assert_eq!(
            (got[1].0, fields(&got[1])),
            (3, vec!["氏名".into(), "髙橋\r\n﨑".into()])
        );
        assert_eq!(
            (got[2].0, fields(&got[2])),
            (5, vec!["ｶﾅ".into(), "①".into()])
        );
        // A lead byte with no trail byte becomes U+FFFD; the delimiter after it still splits.
        let got = ours(b"\x88,b\r\n", TextEncoding::Cp932, 64);
        assert_eq!(
            got[0].1,
            vec!["\u{FFFD}".as_bytes().to_vec(), b"b".to_vec()]
        );
    }

    #[test]
    fn find_any_agrees_with_a_plain_search() {
        let mut state = 0x1234_5678_9abc_def1u64;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 40) as usize;
            let data: Vec<u8> = (0..len)
                .map(|i| match (state >> (i % 60)) % 7 {
                    0 => b',',
                    1 => b'\n',
                    2 => 0x88,
                    3 => b'\r',
                    4 => 0x01,
                    _ => b'a',
                })
                .collect();
            let at = (state % (len as u64 + 1)) as usize;
            let stops = [b',', b'\r', b'\n'];
            let want = data[at..]
                .iter()
                .position(|b| stops.contains(b))
                .map_or(len, |k| at + k);
            let want_high = data[at..want].iter().fold(0u8, |h, &b| h | b) & 0x80;
            let mut high = 0u8;
            assert_eq!(
                find_any(&data, at, stops, &mut high),
                want,
                "{data:?} from {at}"
            );
            assert_eq!(high & 0x80, want_high, "{data:?} from {at}");
        }
    }

    #[test]
    fn refuses_a_record_longer_than_the_limit() {
        let mut text = b"a,b\r\n\"".to_vec();
        text.extend(std::iter::repeat_n(b'x', 5000));
        let mut scanner = CsvScanner::new(&text[..], TextEncoding::Utf8, b',');
        scanner.buf = vec![0; 64];
        scanner.max_record = 1024;
        let mut rec = ByteRecord::new();
        assert_eq!(scanner.next_record(&mut rec).unwrap(), Some(1));
        let err = scanner.next_record(&mut rec).unwrap_err();
        assert!(err.to_string().contains("1行が"), "{err}");
        assert_eq!(scanner.line(), 2);
    }

    #[test]
    fn a_file_ending_inside_quotes_names_the_line_the_quote_opened_on() {
        // Cut in the middle of line 4's second field, as a copy stopped at 60% ends.
        let text = b"h1,h2\r\n\"a\",\"b\"\r\n\"c\",\"multi\r\nline\"\r\n\"d\",\"cut her";
        for step in [1, 2, 5, 64] {
            let (got, unclosed) = ours_or_unclosed(text, TextEncoding::Utf8, step);
            let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
            assert_eq!(lines, vec![1, 2, 3], "read {step} at a time");
            assert_eq!(
                unclosed,
                Some(UnclosedQuote { line: 5 }),
                "read {step} at a time"
            );
        }
        // A lone quote as the very last byte, after a complete record.
        let (got, unclosed) = ours_or_unclosed(b"a,b\n1,2\n\"", TextEncoding::Utf8, 64);
        assert_eq!((got.len(), unclosed), (2, Some(UnclosedQuote { line: 3 })));
        let msg = UnclosedQuote { line: 3 }.to_string();
        assert!(
            msg.contains("3行目") && msg.contains("途中で切れて"),
            "{msg}"
        );
        // A closed quote at the very end is fine.
        assert_eq!(ours(b"a,\"b\"", TextEncoding::Utf8, 64).len(), 1);
    }

    #[test]
    fn skips_a_utf8_bom() {
        let got = ours(b"\xEF\xBB\xBF\"a\",b\r\n", TextEncoding::Utf8, 2);
        assert_eq!(got, vec![(1, vec![b"a".to_vec(), b"b".to_vec()])]);
    }
}
