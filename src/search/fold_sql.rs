//! 記号・番号 folded inside SQL exactly as [`crate::import::normalize::fold_symbol`] folds
//! it in Rust (full-width ASCII and the ideographic space to ASCII, then spaces and
//! hyphen-like marks dropped), so a search condition can compare a register's
//! `奈01-000123` with a list's `奈０１－０００１２３`. A test holds the two together.

/// The characters `translate` maps, and what to.
fn table() -> (String, String) {
    let mut from: String = ('\u{FF01}'..='\u{FF5E}').collect();
    let mut to: String = ('!'..='~').collect();
    for (f, t) in [
        ('\u{3000}', ' '),
        ('\u{2212}', '-'),
        ('\u{2010}', '-'),
        ('\u{2011}', '-'),
        ('\u{2013}', '-'),
    ] {
        from.push(f);
        to.push(t);
    }
    (from, to)
}

/// SQL for `expr` folded as a 記号・番号 key. Only constant text is spliced in (the
/// character tables, with no quote among them).
pub fn fold_symbol_sql(expr: &str) -> String {
    let (from, to) = table();
    let to = to.replace('\'', "''");
    let from = from.replace('\'', "''");
    format!("regexp_replace(translate({expr}, '{from}', '{to}'), '[[:space:]\\-ー―‐－_]', '', 'g')")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::normalize::fold_symbol;

    #[test]
    fn sql_folds_symbols_as_rust_does() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        for s in [
            "奈０１－０００１２３",
            "奈01 000123",
            "奈01-000123",
            "奈01000123",
            "奈01　ー000123",
            "ＡＢ‐12_3",
            "x'y",
            "",
        ] {
            let sql = format!("SELECT {}", fold_symbol_sql("?"));
            let got: String = conn.query_row(&sql, [s], |r| r.get(0)).unwrap();
            assert_eq!(got, fold_symbol(s), "{s}");
        }
    }
}
