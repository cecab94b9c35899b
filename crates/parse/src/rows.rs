//! A batch of raw rows on their way from the reading thread to the checking: the text of up
//! to one DuckDB chunk of records in a single buffer, each field a span of it, each record
//! with the file's own line number. One buffer per batch, recycled, instead of one
//! allocation per record; a record's fields lie in order in one stretch of the buffer, so
//! the checking can look at a whole record's text at once.

use csv::ByteRecord;

/// Filled only through its methods, so that every span lies inside the text.
#[derive(Default)]
pub struct RowBatch {
    pub(crate) text: Vec<u8>,
    /// Field spans into `text`, all records' fields in order.
    pub(crate) spans: Vec<(usize, usize)>,
    pub(crate) records: Vec<RecordIndex>,
}

#[derive(Clone, Copy)]
pub(crate) struct RecordIndex {
    pub(crate) line: u64,
    /// The record's first span in `spans`.
    pub(crate) first: usize,
    /// The record's stretch of `text`.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// One record of a batch.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    /// The record's stretch of the batch's text.
    text: &'a [u8],
    /// Its field spans, counted from the start of the batch's text.
    spans: &'a [(usize, usize)],
    /// Where `text` starts in the batch's text.
    start: usize,
    pub line: u64,
}

impl RowBatch {
    /// The fields held, over all records.
    pub fn field_count(&self) -> usize {
        self.spans.len()
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.records.clear();
    }

    pub fn row(&self, i: usize) -> Option<Row<'_>> {
        let r = self.records.get(i)?;
        let last = self
            .records
            .get(i + 1)
            .map_or(self.spans.len(), |next| next.first);
        Some(Row {
            text: &self.text[r.start..r.end],
            spans: &self.spans[r.first..last],
            start: r.start,
            line: r.line,
        })
    }

    /// The whole text, when it is valid UTF-8 (always for CP932 input, which is decoded).
    pub fn text_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.text).ok()
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).filter_map(|i| self.row(i))
    }

    /// Adds a record given field by field (header look-ahead, sheets, tests).
    pub fn push_fields<'f>(&mut self, line: u64, fields: impl IntoIterator<Item = &'f [u8]>) {
        let start = self.text.len();
        let first = self.spans.len();
        for f in fields {
            let a = self.text.len();
            self.text.extend_from_slice(f);
            self.spans.push((a, self.text.len()));
        }
        self.records.push(RecordIndex {
            line,
            first,
            start,
            end: self.text.len(),
        });
    }

    pub fn push_record(&mut self, line: u64, rec: &ByteRecord) {
        self.push_fields(line, rec.iter());
    }

    /// Starts an empty record, to be filled by [`RowBatch::push_field`] (a sheet read cell
    /// by cell).
    pub fn begin_record(&mut self, line: u64) {
        self.records.push(RecordIndex {
            line,
            first: self.spans.len(),
            start: self.text.len(),
            end: self.text.len(),
        });
    }

    /// Adds a field to the last record (after [`RowBatch::begin_record`]).
    pub fn push_field(&mut self, field: &[u8]) {
        let a = self.text.len();
        self.text.extend_from_slice(field);
        self.spans.push((a, self.text.len()));
        if let Some(r) = self.records.last_mut() {
            r.end = self.text.len();
        }
    }

    /// Bytes held by the batch's buffers (for the memory budget of a sheet).
    pub fn held_bytes(&self) -> usize {
        self.text.capacity()
            + self.spans.capacity() * std::mem::size_of::<(usize, usize)>()
            + self.records.capacity() * std::mem::size_of::<RecordIndex>()
    }

    /// Moves the records from `at` on into a new batch.
    pub fn split_off(&mut self, at: usize) -> RowBatch {
        let mut rest = RowBatch::default();
        for row in self.rows().skip(at) {
            rest.push_fields(row.line, row.iter());
        }
        if let Some(r) = self.records.get(at).copied() {
            self.records.truncate(at);
            self.spans.truncate(r.first);
            self.text.truncate(r.start);
        }
        rest
    }
}

impl<'a> Row<'a> {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The record's whole stretch of text: its fields in order, perhaps with the quotes and
    /// delimiters between them.
    pub fn text(&self) -> &'a [u8] {
        self.text
    }

    /// [`Row::text`] as a slice of its batch's [`RowBatch::text_str`]; `None` if the
    /// record does not start and end at character boundaries.
    pub fn text_in(&self, batch_text: &'a str) -> Option<&'a str> {
        batch_text.get(self.start..self.start + self.text.len())
    }

    /// Field `i`'s place in [`Row::text`].
    pub fn span(&self, i: usize) -> Option<(usize, usize)> {
        self.spans
            .get(i)
            .map(|&(a, b)| (a - self.start, b - self.start))
    }

    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let (a, b) = self.span(i)?;
        self.text.get(a..b)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let text = self.text;
        let start = self.start;
        self.spans
            .iter()
            .map(move |&(a, b)| &text[a - start..b - start])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_see_their_own_fields_after_a_split() {
        let mut batch = RowBatch::default();
        batch.push_fields(2, [&b"a"[..], b"", b"ccc"]);
        batch.push_fields(5, [&b"dd"[..]]);
        batch.push_fields(6, [&b""[..], b"f"]);
        let rest = batch.split_off(1);
        let fields = |b: &RowBatch| -> Vec<(u64, Vec<Vec<u8>>)> {
            b.rows()
                .map(|r| (r.line, r.iter().map(|f| f.to_vec()).collect()))
                .collect()
        };
        assert_eq!(
            fields(&batch),
            vec![(2, vec![b"a".to_vec(), vec![], b"ccc".to_vec()])]
        );
        assert_eq!(
            fields(&rest),
            vec![(5, vec![b"dd".to_vec()]), (6, vec![vec![], b"f".to_vec()])]
        );
        let row = rest.row(1).unwrap();
        assert_eq!(row.text(), b"f");
        assert_eq!(row.span(1), Some((0, 1)));
        assert_eq!(row.get(2), None);
        assert!(rest.row(2).is_none());
    }

    #[test]
    fn a_row_is_a_slice_of_its_batch_text_when_that_is_utf8() {
        let mut batch = RowBatch::default();
        batch.push_fields(1, [&b"a"[..], "外来".as_bytes()]);
        batch.push_fields(2, ["奈良".as_bytes()]);
        let all = batch.text_str().unwrap();
        let second = batch.row(1).unwrap();
        assert_eq!(second.text_in(all), Some("奈良"));
        assert_eq!(batch.row(0).unwrap().text_in(all), Some("a外来"));
        // Invalid UTF-8 anywhere: no text for the batch, the rows are checked one by one.
        batch.push_fields(3, [&b"\xff"[..]]);
        assert!(batch.text_str().is_none());
    }
}
