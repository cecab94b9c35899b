//! CSV (RFC 4180: fields quoted when they hold a comma, a quote or a line break; CRLF
//! line ends) in UTF-8 with a BOM or in CP932. Text cells that look like formulas get an
//! apostrophe (`neutralize`); in CP932, characters the encoding lacks become 〓 and are
//! reported with their row (0: the header) and column.

use super::{Encoding, Substitution, Table, Values, cp932, neutralize};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The file's bytes and the replaced characters.
pub fn to_bytes(table: &Table, encoding: Encoding) -> (Vec<u8>, Vec<Substitution>) {
    let mut out: Vec<u8> = Vec::new();
    if encoding == Encoding::Utf8 {
        out.extend_from_slice(BOM);
    }
    let mut subs = Vec::new();
    {
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .quote_style(::csv::QuoteStyle::Necessary)
            .from_writer(&mut out);
        let mut field = |text: &str, row: usize, column: &str| -> Vec<u8> {
            match encoding {
                Encoding::Utf8 => text.as_bytes().to_vec(),
                Encoding::Cp932 => {
                    let mut b = Vec::with_capacity(text.len());
                    for ch in cp932::encode_into(text, &mut b) {
                        subs.push(Substitution {
                            row,
                            column: column.to_string(),
                            ch,
                        });
                    }
                    b
                }
            }
        };
        // The header is row 0 in the report; column names (a user table's) are text too.
        let header: Vec<Vec<u8>> = table
            .columns
            .iter()
            .map(|c| field(&neutralize::csv_text(&c.name), 0, &c.name))
            .collect();
        // Writing into a Vec cannot fail.
        let _ = w.write_record(&header);
        for r in 0..table.rows() {
            let rec: Vec<Vec<u8>> = table
                .columns
                .iter()
                .map(|c| {
                    let text = c.values.text(r);
                    let text = match c.values {
                        Values::Text(_) => neutralize::csv_text(&text).into_owned(),
                        _ => text,
                    };
                    field(&text, r + 1, &c.name)
                })
                .collect();
            let _ = w.write_record(&rec);
        }
        let _ = w.flush();
    }
    (out, subs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::table::Column;

    fn table() -> Table {
        Table {
            title: "t".into(),
            columns: vec![
                Column {
                    name: "氏名".into(),
                    values: Values::Text(vec![
                        Some("𠮷田 太郎".into()),
                        Some("=1+1".into()),
                        Some("a,\"b\"\r\nc".into()),
                    ]),
                },
                Column {
                    name: "差".into(),
                    values: Values::Int(vec![Some(-3), None, Some(0)]),
                },
            ],
        }
    }

    #[test]
    fn utf8_has_a_bom_quotes_what_it_must_and_neutralises_text_only() {
        let (b, subs) = to_bytes(&table(), Encoding::Utf8);
        assert!(subs.is_empty());
        let s = String::from_utf8(b).unwrap();
        assert_eq!(
            s,
            "\u{feff}氏名,差\r\n𠮷田 太郎,-3\r\n'=1+1,\r\n\"a,\"\"b\"\"\r\nc\",0\r\n"
        );
    }

    #[test]
    fn cp932_reports_each_replaced_character_with_row_and_column() {
        let (b, subs) = to_bytes(&table(), Encoding::Cp932);
        assert_eq!(
            subs,
            vec![Substitution {
                row: 1,
                column: "氏名".into(),
                ch: '𠮷'
            }]
        );
        let (s, _, bad) = encoding_rs::SHIFT_JIS.decode(&b);
        assert!(!bad);
        assert!(s.starts_with("氏名,差\r\n〓田 太郎,-3\r\n"), "{s}");
    }
}
