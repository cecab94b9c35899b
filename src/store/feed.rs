//! Rows written into a table from Rust through DuckDB's own insert pipeline.
//!
//! An import checks rows in Rust, but the expensive half of loading (filling row groups,
//! choosing and running the compression, writing them out) belongs to DuckDB. An
//! `Appender` does that half on the calling thread alone. Here the rows come instead from
//! the table function `kenshin_feed(id)`, and `INSERT INTO t SELECT * FROM kenshin_feed(?)`
//! lets DuckDB run that half on all its threads, the way its own `read_csv` does. Each
//! thread asks the [`RowFeed`] for the next chunk, so the checking runs there in parallel
//! too. It is an ordinary statement in the caller's transaction.
//!
//! A feed is found by a number in a process-wide registry, because a DuckDB table function
//! takes only SQL values as arguments. The registration ends with [`insert_all`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use duckdb::Connection;
use duckdb::core::{DataChunkHandle, FlatVector, Inserter, LogicalTypeHandle, LogicalTypeId};
use duckdb::vtab::{BindInfo, InitInfo, TableFunctionInfo, VTab};

/// Strings up to this many bytes are stored inside DuckDB's string value.
const INLINE_LEN: usize = 12;

/// An inlined `duckdb_string_t` for at most [`INLINE_LEN`] bytes, as two little-endian
/// words: the length (u32), then the bytes, zero-padded. Built from whole-word loads in
/// registers: a byte copy into a stack buffer followed by a 16-byte load stalls the CPU
/// (a failed store forward), which cost about 5% of a claims import.
fn inlined_words(b: &[u8]) -> [u64; 2] {
    const _: () = assert!(cfg!(target_endian = "little"));
    let len = b.len().min(INLINE_LEN);
    let load = |at: usize, n: usize| -> u128 {
        b.get(at..at + n).map_or(0, |s| {
            s.iter().rev().fold(0u128, |w, &x| (w << 8) | u128::from(x))
        })
    };
    let text: u128 = match len {
        0..4 => load(0, len),
        // Two loads that overlap in the middle: the shared bytes are the same in both.
        4..8 => load(0, 4) | (load(len - 4, 4) << (8 * (len - 4))),
        _ => load(0, 8) | (load(len - 4, 4) << (8 * (len - 4))),
    };
    let whole = (len as u128) | (text << 32);
    [whole as u64, (whole >> 64) as u64]
}

/// The SQL name of the table function.
const FUNCTION: &str = "kenshin_feed";

/// The column types a feed can write (their physical layouts are known below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Varchar,
    TinyInt,
    Integer,
    BigInt,
    Double,
    Date,
    Boolean,
}

impl ColumnType {
    fn logical(self) -> LogicalTypeHandle {
        LogicalTypeHandle::from(match self {
            ColumnType::Varchar => LogicalTypeId::Varchar,
            ColumnType::TinyInt => LogicalTypeId::Tinyint,
            ColumnType::Integer => LogicalTypeId::Integer,
            ColumnType::BigInt => LogicalTypeId::Bigint,
            ColumnType::Double => LogicalTypeId::Double,
            ColumnType::Date => LogicalTypeId::Date,
            ColumnType::Boolean => LogicalTypeId::Boolean,
        })
    }
}

/// A source of rows for one `INSERT`.
pub trait RowFeed: Send + Sync {
    /// The columns, in the target table's order.
    fn columns(&self) -> Vec<(String, ColumnType)>;
    /// Whether several threads may fill chunks at once (the rows then land in any order).
    fn parallel(&self) -> bool;
    /// Writes the next rows, at most [`ChunkWriter::capacity`]; returns how many. Returns 0
    /// only when no rows remain. An `Err` fails the statement with that message.
    fn fill(&self, out: &mut ChunkWriter<'_>) -> Result<usize, String>;
}

/// The rows of one chunk, written by column and row. A value of the wrong kind for its
/// column is converted where that is lossless and otherwise written as NULL (the table's
/// constraints then speak).
pub struct ChunkWriter<'a> {
    vectors: Vec<FlatVector<'a>>,
    /// Each vector's data, asked of DuckDB once per chunk rather than once per value.
    data: Vec<*mut u8>,
    types: &'a [ColumnType],
    capacity: usize,
}

impl ChunkWriter<'_> {
    /// How many rows fit in one chunk (DuckDB's vector size, 2,048).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn null(&mut self, col: usize, row: usize) {
        if let Some(v) = self.vectors.get_mut(col)
            && row < self.capacity
        {
            v.set_null(row);
        }
    }

    pub fn text(&mut self, col: usize, row: usize, value: &str) {
        match self.types.get(col) {
            Some(ColumnType::Varchar) if row < self.capacity => {
                if value.len() <= INLINE_LEN {
                    // Short strings live inside the 16-byte string value itself (duckdb.h's
                    // `duckdb_string_t`, inlined form: length, then the bytes, zero-padded).
                    // Writing that value directly skips a call per field; longer strings go
                    // to the vector's string heap through the C API.
                    // SAFETY: a VARCHAR vector holds 16-byte, 8-aligned `duckdb_string_t`
                    // values; these two words are a valid inlined string of valid UTF-8 (it
                    // came from a `&str`) on a little-endian machine, which DuckDB requires.
                    unsafe { self.put(col, row, inlined_words(value.as_bytes())) };
                } else {
                    self.vectors[col].insert(row, value);
                }
            }
            _ => self.null(col, row),
        }
    }

    pub fn int(&mut self, col: usize, row: usize, value: i64) {
        match self.types.get(col) {
            Some(ColumnType::TinyInt) => match i8::try_from(value) {
                // SAFETY: TINYINT/INTEGER hold i8/i32 (matched above).
                Ok(v) => unsafe { self.put(col, row, v) },
                Err(_) => self.null(col, row),
            },
            Some(ColumnType::Integer) => match i32::try_from(value) {
                // SAFETY: TINYINT/INTEGER hold i8/i32 (matched above).
                Ok(v) => unsafe { self.put(col, row, v) },
                Err(_) => self.null(col, row),
            },
            // SAFETY: BIGINT holds i64.
            Some(ColumnType::BigInt) => unsafe { self.put(col, row, value) },
            // SAFETY: DOUBLE holds f64.
            Some(ColumnType::Double) => unsafe { self.put(col, row, value as f64) },
            Some(ColumnType::Varchar) => self.text(col, row, &value.to_string()),
            _ => self.null(col, row),
        }
    }

    pub fn float(&mut self, col: usize, row: usize, value: f64) {
        match self.types.get(col) {
            // SAFETY: DOUBLE holds f64.
            Some(ColumnType::Double) => unsafe { self.put(col, row, value) },
            Some(ColumnType::Varchar) => self.text(col, row, &value.to_string()),
            _ => self.null(col, row),
        }
    }

    /// A date as days since 1970-01-01.
    pub fn date(&mut self, col: usize, row: usize, days: i32) {
        match self.types.get(col) {
            // SAFETY: DATE holds an i32 day count.
            Some(ColumnType::Date) => unsafe { self.put(col, row, days) },
            _ => self.null(col, row),
        }
    }

    pub fn boolean(&mut self, col: usize, row: usize, value: bool) {
        match self.types.get(col) {
            // SAFETY: BOOLEAN holds a one-byte bool.
            Some(ColumnType::Boolean) => unsafe { self.put(col, row, value) },
            _ => self.null(col, row),
        }
    }

    /// Writes a fixed-size value into the column's data.
    ///
    /// # Safety
    /// `T` must be the physical layout of the column's declared type: i8 TINYINT, i32
    /// INTEGER and DATE (days), i64 BIGINT, f64 DOUBLE, bool BOOLEAN, the `[u64; 2]` of
    /// [`inlined_words`] VARCHAR (a `duckdb_string_t` of an inlined string).
    unsafe fn put<T: Copy>(&mut self, col: usize, row: usize, value: T) {
        if row >= self.capacity {
            return;
        }
        let Some(&data) = self.data.get(col) else {
            return;
        };
        // SAFETY: the vector was made by DuckDB for this column with the type declared in
        // `bind`, whose layout the caller guarantees is `T`; its data holds `capacity`
        // values, suitably aligned, and `row < capacity`. The pointer was taken from the
        // vector, which lives as long as this writer.
        unsafe { data.cast::<T>().add(row).write(value) };
    }
}

fn registry() -> &'static Mutex<HashMap<u64, Arc<dyn RowFeed>>> {
    static FEEDS: OnceLock<Mutex<HashMap<u64, Arc<dyn RowFeed>>>> = OnceLock::new();
    FEEDS.get_or_init(Default::default)
}

/// Takes a feed out of the registry when the statement is over, however it ended.
struct Registered(u64);

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut map) = registry().lock() {
            map.remove(&self.0);
        }
    }
}

/// Makes `kenshin_feed` known to the database of `conn` (once per database).
pub fn register(conn: &Connection) -> duckdb::Result<()> {
    conn.register_table_function::<FeedFunction>(FUNCTION)
}

/// Inserts every row of `feed` into `table` (an identifier from the fixed kind
/// definitions, never user text) with one statement. Rows land in any order when the feed
/// is parallel. Returns the rows inserted.
pub fn insert_all(conn: &Connection, table: &str, feed: Arc<dyn RowFeed>) -> duckdb::Result<usize> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let parallel = feed.parallel();
    if let Ok(mut map) = registry().lock() {
        map.insert(id, feed);
    }
    let _registered = Registered(id);
    // Keeping insertion order would make DuckDB insert on one thread.
    if parallel {
        conn.execute_batch("SET preserve_insertion_order = false")?;
    }
    let inserted = conn.execute(
        &format!("INSERT INTO {table} SELECT * FROM {FUNCTION}(?)"),
        [id as i64],
    );
    if parallel {
        conn.execute_batch("RESET preserve_insertion_order")?;
    }
    inserted
}

struct FeedFunction;

struct Bound {
    feed: Arc<dyn RowFeed>,
    types: Vec<ColumnType>,
}

impl VTab for FeedFunction {
    type InitData = ();
    type BindData = Bound;

    fn bind(bind: &BindInfo) -> Result<Bound, Box<dyn std::error::Error>> {
        let id = bind.get_parameter(0).to_int64();
        let feed = registry()
            .lock()
            .ok()
            .and_then(|map| map.get(&(id as u64)).cloned())
            .ok_or("取込データの受け渡し口が見つかりません")?;
        let columns = feed.columns();
        for (name, ty) in &columns {
            bind.add_result_column(name, ty.logical());
        }
        Ok(Bound {
            types: columns.iter().map(|(_, t)| *t).collect(),
            feed,
        })
    }

    fn init(init: &InitInfo) -> Result<(), Box<dyn std::error::Error>> {
        // SAFETY: the bind data is the `Bound` set by `bind` (DuckDB keeps it alive for the
        // whole statement); a null pointer gives `None`.
        let parallel =
            unsafe { init.get_bind_data::<Bound>().as_ref() }.is_some_and(|b| b.feed.parallel());
        init.set_max_threads(if parallel { 64 } else { 1 });
        Ok(())
    }

    fn func(
        func: &TableFunctionInfo<Self>,
        output: &mut DataChunkHandle,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let bound = func.get_bind_data();
        let vectors: Vec<FlatVector<'_>> = (0..bound.types.len())
            .map(|i| output.flat_vector(i))
            .collect();
        let capacity = vectors.first().map_or(0, |v| v.capacity());
        let data = vectors
            .iter()
            // SAFETY: asks DuckDB for the vector's data pointer; nothing is read or written.
            .map(|v| unsafe { v.as_mut_ptr::<u8>() })
            .collect();
        let mut writer = ChunkWriter {
            vectors,
            data,
            types: &bound.types,
            capacity,
        };
        let n = bound.feed.fill(&mut writer)?;
        output.set_len(n.min(capacity));
        Ok(())
    }

    fn parameters() -> Option<Vec<LogicalTypeHandle>> {
        Some(vec![LogicalTypeHandle::from(LogicalTypeId::Bigint)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn inlined_words_are_length_then_zero_padded_bytes() {
        for len in 0..=INLINE_LEN {
            let text: Vec<u8> = (0..len as u8).map(|i| b'a' + i).collect();
            let mut want = [0u8; 16];
            want[..4].copy_from_slice(&(len as u32).to_le_bytes());
            want[4..4 + len].copy_from_slice(&text);
            let [w0, w1] = inlined_words(&text);
            let mut got = [0u8; 16];
            got[..8].copy_from_slice(&w0.to_le_bytes());
            got[8..].copy_from_slice(&w1.to_le_bytes());
            assert_eq!(got, want, "{len} bytes");
        }
    }

    /// Rows 0..n: a text of `i % 20` characters (multibyte from 7 on), `i`, a date, a flag,
    /// and NULLs every 5th row; `parallel` as asked.
    struct Numbers {
        n: usize,
        next: AtomicUsize,
        parallel: bool,
    }

    fn text(i: usize) -> String {
        (0..i % 20)
            .map(|k| if k < 7 { 'a' } else { '奈' })
            .collect()
    }

    impl RowFeed for Numbers {
        fn columns(&self) -> Vec<(String, ColumnType)> {
            [
                ("s", ColumnType::Varchar),
                ("i", ColumnType::Integer),
                ("t", ColumnType::TinyInt),
                ("b", ColumnType::BigInt),
                ("f", ColumnType::Double),
                ("d", ColumnType::Date),
                ("x", ColumnType::Boolean),
            ]
            .iter()
            .map(|(n, t)| (n.to_string(), *t))
            .collect()
        }
        fn parallel(&self) -> bool {
            self.parallel
        }
        fn fill(&self, out: &mut ChunkWriter<'_>) -> Result<usize, String> {
            let start = self.next.fetch_add(1000, Ordering::SeqCst);
            let end = (start + 1000).min(self.n);
            let mut row = 0;
            for i in start..end {
                if i % 5 == 4 {
                    for col in 0..7 {
                        out.null(col, row);
                    }
                } else {
                    out.text(0, row, &text(i));
                    out.int(1, row, i as i64);
                    out.int(2, row, (i % 100) as i64);
                    out.int(3, row, i as i64 * 1_000_000_007);
                    out.float(4, row, i as f64 / 8.0);
                    out.date(5, row, i as i32);
                    out.boolean(6, row, i % 2 == 0);
                }
                row += 1;
            }
            Ok(row)
        }
    }

    #[test]
    fn rows_written_by_column_read_back_the_same() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (s VARCHAR, i INTEGER, t TINYINT, b BIGINT, f DOUBLE, d DATE, x BOOLEAN)",
        )
        .unwrap();
        for parallel in [false, true] {
            conn.execute_batch("DELETE FROM t").unwrap();
            let n = 25_000;
            let feed = Arc::new(Numbers {
                n,
                next: AtomicUsize::new(0),
                parallel,
            });
            assert_eq!(insert_all(&conn, "t", feed).unwrap(), n);
            let mut stmt = conn
                .prepare("SELECT s, i, t, b, f, CAST(d - DATE '1970-01-01' AS INTEGER), x FROM t WHERE i IS NOT NULL ORDER BY i")
                .unwrap();
            type Row = (String, i64, i64, i64, f64, i64, bool);
            let rows: Vec<Row> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            let want: Vec<usize> = (0..n).filter(|i| i % 5 != 4).collect();
            assert_eq!(rows.len(), want.len());
            for (row, &i) in rows.iter().zip(&want) {
                assert_eq!(row.0, text(i), "text of row {i}");
                assert_eq!(row.1, i as i64);
                assert_eq!(row.2, (i % 100) as i64);
                assert_eq!(row.3, i as i64 * 1_000_000_007);
                assert_eq!(row.4, i as f64 / 8.0);
                assert_eq!(row.5, i as i64);
                assert_eq!(row.6, i % 2 == 0);
            }
            let nulls: i64 = conn
                .query_row(
                    "SELECT count(*) FROM t WHERE s IS NULL AND d IS NULL AND x IS NULL",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(nulls as usize, n / 5);
            // Equal strings compare equal however they were written (inlined bytes padded).
            let distinct: i64 = conn
                .query_row("SELECT count(DISTINCT s) FROM t", [], |r| r.get(0))
                .unwrap();
            // 20 lengths, less the four that fall on NULL rows (i % 20 = 4, 9, 14, 19).
            assert_eq!(distinct, 16);
        }
        // A feed that is gone is an error, not a crash.
        assert!(
            conn.execute("INSERT INTO t SELECT * FROM kenshin_feed(?)", [999_999i64])
                .is_err()
        );
    }
}
