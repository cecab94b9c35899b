//! Checks a shapefile's `.dbf` before the dbase crate reads it, since the crate trusts its
//! header: the header length and the record length must agree with the field descriptors
//! (a header that lies shifts every field of every record), and the file must hold as many
//! records as it says. Then the text (field names and character fields) must decode in the
//! encoding chosen by the user, declared by the `.cpg`, or detected; when it does not, the
//! refusal names the encoding that does.

use crate::encoding::TextEncoding;

/// Field type byte of a character field.
const CHARACTER: u8 = b'C';
/// Visual FoxPro headers end with a 263-byte backlink after the descriptors.
const BACKLINK: usize = 263;

/// A `.dbf` whose header was checked: its field descriptors and record layout.
pub struct Dbf<'a> {
    bytes: &'a [u8],
    header_len: usize,
    /// With the deletion flag.
    record_len: usize,
    num_records: usize,
    fields: Vec<Field<'a>>,
}

struct Field<'a> {
    name: &'a [u8],
    ty: u8,
    /// From the start of the record (after the deletion flag).
    offset: usize,
    len: usize,
}

/// Where a piece of text is: a field name (0-based field) or a value (1-based record).
#[derive(Debug, Clone, Copy, PartialEq)]
enum At {
    Name(usize),
    Value { record: usize, field: usize },
}

/// Where the encoding came from, for the message.
pub enum Declared {
    /// The user chose it (`--encoding`, 文字コード).
    Chosen(TextEncoding),
    /// The `.cpg` of this name says so.
    Cpg(TextEncoding, String),
    /// Nothing: detect it.
    Detect,
}

impl<'a> Dbf<'a> {
    /// Reads and checks the header of `bytes`, the `.dbf` called `name`.
    pub fn parse(bytes: &'a [u8], name: &str) -> Result<Dbf<'a>, String> {
        let broken = |what: String| {
            format!(
                "属性ファイル「{name}」{what}。元のファイルを入手し直すか、GIS ソフトで保存し直してください"
            )
        };
        if bytes.len() < 32 {
            return Err(broken(format!(
                "が短すぎます（{} バイト）。dBase のファイルではないか、壊れています",
                bytes.len()
            )));
        }
        let u16_at = |o: usize| u16::from_le_bytes([bytes[o], bytes[o + 1]]) as usize;
        let num_records = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let header_len = u16_at(8);
        let declared_record_len = u16_at(10);
        let mut fields = Vec::new();
        let mut pos = 32;
        let mut offset = 0;
        loop {
            match bytes.get(pos) {
                Some(0x0D) => break,
                Some(_) if pos + 32 <= bytes.len() => {}
                _ => {
                    return Err(broken(
                        "の項目定義の終わり（0x0D）が見つかりません。ファイルが途中で切れているか、壊れています"
                            .into(),
                    ));
                }
            }
            let d = &bytes[pos..pos + 32];
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let len = d[16] as usize;
            fields.push(Field {
                name: &d[..name_end],
                ty: d[11],
                offset,
                len,
            });
            offset += len;
            pos += 32;
        }
        let n = fields.len();
        let backlink = if matches!(bytes[0], 0x30..=0x32) {
            BACKLINK
        } else {
            0
        };
        // The descriptors, the 0x0D, and (FoxPro) the backlink. A few padding bytes are
        // harmless; 32 more would be read as another field.
        let expected = 32 + 32 * n + 1 + backlink;
        if !(expected..expected + 32).contains(&header_len) {
            return Err(broken(format!(
                "のヘッダー長が項目の定義と合いません（ヘッダーでは {header_len} バイト、{n} 項目の定義からは {expected} バイト）。このまま読むと項目がずれます"
            )));
        }
        let record_len = 1 + offset;
        // Some writers leave the deletion flag out of the record length.
        if declared_record_len != record_len && declared_record_len + 1 != record_len {
            return Err(broken(format!(
                "の 1 件の長さが項目の定義と合いません（ヘッダーでは {declared_record_len} バイト、{n} 項目の長さの合計と削除フラグで {record_len} バイト）。このまま読むと項目がずれます"
            )));
        }
        let have = bytes.len().saturating_sub(header_len) / record_len;
        if have < num_records {
            return Err(broken(format!(
                "が途中で切れています（ヘッダーでは {num_records} 件、ファイルには {have} 件分しかありません）"
            )));
        }
        Ok(Dbf {
            bytes,
            header_len,
            record_len,
            num_records,
            fields,
        })
    }

    /// The encoding to read the text with, and a note when it had to replace characters;
    /// or a refusal that says which encoding does decode. `name` is the `.dbf`'s.
    pub fn encoding(
        &self,
        declared: &Declared,
        name: &str,
    ) -> Result<(TextEncoding, Option<String>), String> {
        let bad_utf8 = self.first_bad(TextEncoding::Utf8);
        let bad_cp932 = self.first_bad(TextEncoding::Cp932);
        let bad = |e: TextEncoding| match e {
            TextEncoding::Utf8 => bad_utf8,
            TextEncoding::Cp932 => bad_cp932,
        };
        let neither = |at: At| {
            format!(
                "属性ファイル「{name}」の{}は {} としても {} としても読めません。ファイルが壊れているか、別の文字コードです。文字コードを指定すると、読めない文字を「\u{FFFD}」に置き換えて取り込みます（--encoding cp932 または utf8、画面では「文字コード」）",
                self.at_text(at),
                TextEncoding::Cp932.label(),
                TextEncoding::Utf8.label()
            )
        };
        let (enc, source) = match declared {
            Declared::Chosen(e) => (*e, "指定した文字コード".to_string()),
            Declared::Cpg(e, cpg) => (*e, format!("文字コードファイル「{cpg}」")),
            Declared::Detect => {
                return match (bad_utf8, bad_cp932) {
                    (None, _) => Ok((TextEncoding::Utf8, None)),
                    (Some(_), None) => Ok((TextEncoding::Cp932, None)),
                    (Some(at), Some(_)) => Err(neither(at)),
                };
            }
        };
        let other = match enc {
            TextEncoding::Utf8 => TextEncoding::Cp932,
            TextEncoding::Cp932 => TextEncoding::Utf8,
        };
        let use_other = |why: String| {
            format!(
                "{why}。{} なら読めます。文字コードに {} を指定して取り込み直してください（--encoding {}、画面では「文字コード」）",
                other.label(),
                other.label(),
                cli_name(other)
            )
        };
        match (bad(enc), bad(other)) {
            (None, _) => {
                // Multi-byte UTF-8 throughout is no CP932 text, whatever the .cpg says.
                if let Declared::Cpg(TextEncoding::Cp932, _) = declared
                    && bad_utf8.is_none()
                    && self.any_multibyte()
                {
                    return Err(use_other(format!(
                        "{source}は {} としていますが、属性ファイル「{name}」の文字は {} です",
                        enc.label(),
                        other.label()
                    )));
                }
                Ok((enc, None))
            }
            (Some(at), None) => Err(use_other(format!(
                "{source}は {} ですが、属性ファイル「{name}」は {} として読めません（{}）",
                enc.label(),
                enc.label(),
                self.at_text(at)
            ))),
            (Some(at), Some(_)) => match declared {
                Declared::Chosen(_) => Ok((
                    enc,
                    Some(format!(
                        "属性の一部（最初は{}）に {} として読めない文字があり、「\u{FFFD}」に置き換えました。",
                        self.at_text(at),
                        enc.label()
                    )),
                )),
                _ => Err(neither(at)),
            },
        }
    }

    /// Every piece of text: the field names, then each character value of each record
    /// that is not deleted, without its padding.
    fn texts(&self) -> impl Iterator<Item = (At, &'a [u8])> + '_ {
        let names = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (At::Name(i), f.name));
        let bytes: &'a [u8] = self.bytes;
        let values = (0..self.num_records).flat_map(move |r| {
            let start = self.header_len + r * self.record_len;
            let rec = &bytes[start..start + self.record_len];
            let deleted = rec[0] == b'*';
            self.fields
                .iter()
                .enumerate()
                .filter(move |(_, f)| !deleted && f.ty == CHARACTER)
                .map(move |(i, f)| {
                    let v = &rec[1 + f.offset..1 + f.offset + f.len];
                    let end = v
                        .iter()
                        .rposition(|&b| b != b' ' && b != 0)
                        .map_or(0, |p| p + 1);
                    (
                        At::Value {
                            record: r + 1,
                            field: i,
                        },
                        &v[..end],
                    )
                })
        });
        names.chain(values)
    }

    fn first_bad(&self, enc: TextEncoding) -> Option<At> {
        self.texts()
            .find(|(_, t)| !decodes(enc, t))
            .map(|(at, _)| at)
    }

    fn any_multibyte(&self) -> bool {
        self.texts().any(|(_, t)| !t.is_ascii())
    }

    /// "3件目の「NAME」" or "2番目の項目名".
    fn at_text(&self, at: At) -> String {
        match at {
            At::Name(i) => format!("{}番目の項目名", i + 1),
            At::Value { record, field } => {
                let name = self.fields.get(field).map(|f| f.name).unwrap_or_default();
                format!("{record}件目の「{}」", String::from_utf8_lossy(name))
            }
        }
    }
}

/// The `--encoding` value of an encoding.
fn cli_name(e: TextEncoding) -> &'static str {
    match e {
        TextEncoding::Utf8 => "utf8",
        TextEncoding::Cp932 => "cp932",
    }
}

/// Whether `text` decodes in `enc`. A character cut at the end of the field (a writer that
/// truncated by bytes) is not held against it.
fn decodes(enc: TextEncoding, text: &[u8]) -> bool {
    match enc {
        TextEncoding::Utf8 => match std::str::from_utf8(text) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        },
        TextEncoding::Cp932 => {
            let ok = |t: &[u8]| {
                encoding_rs::SHIFT_JIS
                    .decode_without_bom_handling_and_without_replacement(t)
                    .is_some()
            };
            ok(text) || text.split_last().is_some_and(|(_, rest)| ok(rest))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dBase III file with character fields, written by hand.
    fn dbf(fields: &[(&str, u8)], rows: &[&[&[u8]]]) -> Vec<u8> {
        let record_len = 1 + fields.iter().map(|f| f.1 as usize).sum::<usize>();
        let header_len = 32 + 32 * fields.len() + 1;
        let mut b = vec![0u8; 32];
        b[0] = 0x03;
        b[4..8].copy_from_slice(&(rows.len() as u32).to_le_bytes());
        b[8..10].copy_from_slice(&(header_len as u16).to_le_bytes());
        b[10..12].copy_from_slice(&(record_len as u16).to_le_bytes());
        for (name, len) in fields {
            let mut d = [0u8; 32];
            d[..name.len()].copy_from_slice(name.as_bytes());
            d[11] = b'C';
            d[16] = *len;
            b.extend_from_slice(&d);
        }
        b.push(0x0D);
        for row in rows {
            b.push(b' ');
            for (v, (_, len)) in row.iter().zip(fields) {
                let mut cell = v.to_vec();
                cell.resize(*len as usize, b' ');
                b.extend_from_slice(&cell);
            }
        }
        b.push(0x1A);
        b
    }

    const NARA_SJIS: &[u8] = b"\x93\xde\x97\xc7\x8e\x73"; // 奈良市
    const NARA_UTF8: &[u8] = "奈良市".as_bytes();

    #[test]
    fn a_header_must_agree_with_its_descriptors() {
        let good = dbf(&[("CODE", 5), ("NAME", 20)], &[&[b"29201", b"Nara"]]);
        let d = Dbf::parse(&good, "a.dbf").unwrap();
        assert_eq!((d.header_len, d.record_len, d.num_records), (97, 26, 1));
        let mut long = good.clone();
        long[8..10].copy_from_slice(&129u16.to_le_bytes());
        let e = Dbf::parse(&long, "a.dbf").err().unwrap();
        assert!(
            e.contains("ヘッダーでは 129 バイト、2 項目の定義からは 97 バイト"),
            "{e}"
        );
        let mut short = good.clone();
        short[8..10].copy_from_slice(&65u16.to_le_bytes());
        assert!(Dbf::parse(&short, "a.dbf").is_err());
        let mut rec = good.clone();
        rec[10..12].copy_from_slice(&30u16.to_le_bytes());
        let e = Dbf::parse(&rec, "a.dbf").err().unwrap();
        assert!(e.contains("1 件の長さ"), "{e}");
        let mut many = good.clone();
        many[4..8].copy_from_slice(&3u32.to_le_bytes());
        let e = Dbf::parse(&many, "a.dbf").err().unwrap();
        assert!(e.contains("ヘッダーでは 3 件、ファイルには 1 件分"), "{e}");
        let e = Dbf::parse(&good[..40], "a.dbf").err().unwrap();
        assert!(e.contains("0x0D"), "{e}");
    }

    #[test]
    fn the_encoding_must_decode() {
        let sjis = dbf(&[("NAME", 20)], &[&[b"Nara"], &[NARA_SJIS]]);
        let d = Dbf::parse(&sjis, "n.dbf").unwrap();
        let utf8_cpg = Declared::Cpg(TextEncoding::Utf8, "n.cpg".into());
        let e = d.encoding(&utf8_cpg, "n.dbf").unwrap_err();
        assert!(
            e.contains("「n.cpg」は UTF-8 ですが")
                && e.contains("2件目の「NAME」")
                && e.contains("Shift_JIS (CP932) なら読めます")
                && e.contains("--encoding cp932"),
            "{e}"
        );
        assert_eq!(
            d.encoding(&Declared::Detect, "n.dbf").unwrap().0,
            TextEncoding::Cp932
        );
        let utf8 = dbf(&[("NAME", 20)], &[&[NARA_UTF8]]);
        let d = Dbf::parse(&utf8, "u.dbf").unwrap();
        let e = d
            .encoding(&Declared::Cpg(TextEncoding::Cp932, "u.cpg".into()), "u.dbf")
            .unwrap_err();
        assert!(
            e.contains("UTF-8 なら読めます") && e.contains("--encoding utf8"),
            "{e}"
        );
        assert_eq!(
            d.encoding(&Declared::Detect, "u.dbf").unwrap().0,
            TextEncoding::Utf8
        );
        // A value cut inside its last character still counts as that encoding.
        let cut = dbf(&[("NAME", 5)], &[&[&NARA_SJIS[..5]]]);
        let d = Dbf::parse(&cut, "c.dbf").unwrap();
        assert_eq!(
            d.encoding(&Declared::Detect, "c.dbf").unwrap().0,
            TextEncoding::Cp932
        );
        // Neither: refused unless chosen, then read with a note.
        let junk = dbf(&[("NAME", 8)], &[&[b"\x80\x80\xff\xff\x80\x80"]]);
        let d = Dbf::parse(&junk, "j.dbf").unwrap();
        let e = d.encoding(&Declared::Detect, "j.dbf").unwrap_err();
        assert!(
            e.contains("1件目の「NAME」は Shift_JIS (CP932) としても UTF-8 としても読めません"),
            "{e}"
        );
        let (enc, note) = d
            .encoding(&Declared::Chosen(TextEncoding::Cp932), "j.dbf")
            .unwrap();
        assert_eq!(enc, TextEncoding::Cp932);
        assert!(note.unwrap().contains("置き換えました"));
    }
}
