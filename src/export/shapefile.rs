//! Shapefile: `.shp`, `.shx`, `.dbf`, `.prj` and `.cpg` beside each other, plus
//! `<name>_fields.csv` mapping the `.dbf`'s ASCII field names (at most 10 characters) to
//! the Japanese column names. Written here byte by byte (the format is small), so that the
//! text encoding, the truncation of text on character boundaries and null shapes for rows
//! without a place are under our control:
//! - points (persons, institutions) or polygons (areas); rings are clockwise outside and
//!   counter-clockwise for holes, as the format requires;
//! - JGD2011 longitude/latitude or a zone of 平面直角座標系 (JGD2011), with its `.prj`;
//! - text in CP932 (the `.dbf`'s language driver 0x13, `.cpg` "932") or UTF-8; a CP932
//!   character the encoding lacks becomes 〓 and is reported.

use std::path::{Path, PathBuf};

use geo::{Geometry, LineString};
use kenshin_parse::geo::crs::Crs;

use super::{Encoding, ExportError, Features, Substitution, Values, cp932};

/// The files of a shapefile named by its `.shp`.
pub fn parts(shp: &Path) -> Vec<PathBuf> {
    let stem = shp.with_extension("");
    let mut v: Vec<PathBuf> = ["shp", "shx", "dbf", "prj", "cpg"]
        .iter()
        .map(|e| stem.with_extension(e))
        .collect();
    v.push(fields_csv(shp));
    v
}

fn fields_csv(shp: &Path) -> PathBuf {
    let stem = shp
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    shp.with_file_name(format!("{stem}_fields.csv"))
}

/// Short ASCII names of the columns the app's results have.
const KNOWN: &[(&str, &str)] = &[
    ("被保険者ID", "INSURED_ID"),
    ("氏名", "NAME"),
    ("カナ氏名", "KANA"),
    ("性別", "SEX"),
    ("年齢", "AGE"),
    ("生年月日", "BIRTH"),
    ("市町村", "MUNI"),
    ("町丁・字", "SMALLAREA"),
    ("住所", "ADDRESS"),
    ("受診", "ATTENDED"),
    ("住所照合", "MATCH"),
    ("印", "MARK"),
    ("備考", "NOTE"),
    ("機関コード", "INST_CODE"),
    ("名称", "NAME"),
    ("電話番号", "PHONE"),
    ("特定健診", "CHECKUP"),
    ("がん検診", "CANCER"),
    ("検査項目", "ITEMS"),
    ("利用者数", "USERS"),
    ("コード", "CODE"),
    ("地域名", "NAME"),
    ("対象者数", "TARGETS"),
    ("受診者数", "ATTENDEES"),
    ("未受診者数", "NON_ATTEND"),
    ("受診率", "RATE"),
    ("受診率（%）", "RATE_PCT"),
    ("秘匿", "SUPPRESSED"),
];

/// ASCII field names of at most 10 characters, unique (case-insensitively).
pub fn field_names(columns: &[&str]) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let base = KNOWN
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, a)| a.to_string())
                .or_else(|| {
                    let a: String = name
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .take(10)
                        .collect::<String>()
                        .to_ascii_uppercase();
                    (a.len() == name.len() && a.starts_with(|c: char| c.is_ascii_alphabetic()))
                        .then_some(a)
                })
                .unwrap_or_else(|| format!("F{:02}", i + 1));
            let mut candidate = base.clone();
            let mut n = 2;
            while used.iter().any(|u| u.eq_ignore_ascii_case(&candidate)) {
                let suffix = n.to_string();
                let keep = 10 - suffix.len();
                candidate = format!("{}{suffix}", &base[..base.len().min(keep)]);
                n += 1;
            }
            used.push(candidate.clone());
            candidate
        })
        .collect()
}

/// The files of `f` as the shapefile `shp` and its companions, in `crs` (JGD2011
/// geographic or a JGD2011 plane zone), and the replaced characters.
pub fn files(
    f: &Features,
    shp: &Path,
    crs: Crs,
    encoding: Encoding,
) -> Result<(Vec<(PathBuf, Vec<u8>)>, Vec<Substitution>), ExportError> {
    let prj = crs.to_prj().ok_or_else(|| {
        ExportError::Shapefile(format!(
            "{} では書き出せません。JGD2011 の経緯度か平面直角座標系を選んでください。",
            crs.label()
        ))
    })?;
    let project = |x: f64, y: f64| crs.from_lonlat(x, y).unwrap_or((x, y));
    let polygons = !f.points();
    let (shp_bytes, shx_bytes) = shapes(&f.geoms, polygons, &project);
    let columns: Vec<&str> = f.table.columns.iter().map(|c| c.name.as_str()).collect();
    let names = field_names(&columns);
    let (dbf, substitutions) = dbf(f, &names, encoding)?;
    let mut map = String::from("\u{feff}field,column\r\n");
    for (n, c) in names.iter().zip(&columns) {
        map.push_str(&format!("{n},\"{}\"\r\n", c.replace('"', "\"\"")));
    }
    let cpg = match encoding {
        // The code page number: ArcGIS and GDAL (as CP932) both read it.
        Encoding::Cp932 => "932",
        Encoding::Utf8 => "UTF-8",
    };
    let paths = parts(shp);
    let contents = vec![
        shp_bytes,
        shx_bytes,
        dbf,
        prj.into_bytes(),
        cpg.as_bytes().to_vec(),
        map.into_bytes(),
    ];
    Ok((paths.into_iter().zip(contents).collect(), substitutions))
}

fn header(buf: &mut Vec<u8>, shape_type: i32, bbox: [f64; 4]) {
    buf.extend_from_slice(&9994i32.to_be_bytes());
    buf.extend_from_slice(&[0u8; 20]);
    buf.extend_from_slice(&0i32.to_be_bytes()); // length, set at the end
    buf.extend_from_slice(&1000i32.to_le_bytes());
    buf.extend_from_slice(&shape_type.to_le_bytes());
    for v in bbox {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    buf.extend_from_slice(&[0u8; 32]);
}

fn set_length(buf: &mut [u8]) {
    let words = (buf.len() / 2) as i32;
    buf[24..28].copy_from_slice(&words.to_be_bytes());
}

/// A ring's points, closed, turned clockwise (`cw`) or counter-clockwise.
fn ring(
    ls: &LineString<f64>,
    cw: bool,
    project: &dyn Fn(f64, f64) -> (f64, f64),
) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = ls.0.iter().map(|c| project(c.x, c.y)).collect();
    if pts.first() != pts.last()
        && let Some(first) = pts.first().copied()
    {
        pts.push(first);
    }
    let area2: f64 = pts
        .windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum();
    if (area2 < 0.0) != cw {
        pts.reverse();
    }
    pts
}

/// The `.shp` and `.shx` bytes.
fn shapes(
    geoms: &[Option<Geometry<f64>>],
    polygons: bool,
    project: &dyn Fn(f64, f64) -> (f64, f64),
) -> (Vec<u8>, Vec<u8>) {
    let shape_type = if polygons { 5 } else { 1 };
    let mut records: Vec<Vec<u8>> = Vec::with_capacity(geoms.len());
    let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    let grow = |x: f64, y: f64, b: &mut [f64; 4]| {
        b[0] = b[0].min(x);
        b[1] = b[1].min(y);
        b[2] = b[2].max(x);
        b[3] = b[3].max(y);
    };
    for g in geoms {
        let mut rec = Vec::new();
        let rings: Vec<Vec<(f64, f64)>> = match g {
            Some(Geometry::Polygon(p)) if polygons => {
                std::iter::once(ring(p.exterior(), true, project))
                    .chain(p.interiors().iter().map(|r| ring(r, false, project)))
                    .collect()
            }
            Some(Geometry::MultiPolygon(m)) if polygons => {
                m.0.iter()
                    .flat_map(|p| {
                        std::iter::once(ring(p.exterior(), true, project))
                            .chain(p.interiors().iter().map(|r| ring(r, false, project)))
                    })
                    .collect()
            }
            _ => vec![],
        };
        let point = match g {
            Some(Geometry::Point(p)) if !polygons => Some(project(p.x(), p.y())),
            // The app's points are single; a multipoint is drawn at its first point.
            Some(Geometry::MultiPoint(m)) if !polygons => {
                m.0.first().map(|p| project(p.x(), p.y()))
            }
            _ => None,
        };
        if let Some((x, y)) = point {
            grow(x, y, &mut bbox);
            rec.extend_from_slice(&1i32.to_le_bytes());
            rec.extend_from_slice(&x.to_le_bytes());
            rec.extend_from_slice(&y.to_le_bytes());
        } else if !rings.is_empty() {
            let mut rb = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
            for (x, y) in rings.iter().flatten() {
                grow(*x, *y, &mut rb);
            }
            grow(rb[0], rb[1], &mut bbox);
            grow(rb[2], rb[3], &mut bbox);
            rec.extend_from_slice(&5i32.to_le_bytes());
            for v in rb {
                rec.extend_from_slice(&v.to_le_bytes());
            }
            let n_points: usize = rings.iter().map(Vec::len).sum();
            rec.extend_from_slice(&(rings.len() as i32).to_le_bytes());
            rec.extend_from_slice(&(n_points as i32).to_le_bytes());
            let mut start = 0i32;
            for r in &rings {
                rec.extend_from_slice(&start.to_le_bytes());
                start += r.len() as i32;
            }
            for (x, y) in rings.iter().flatten() {
                rec.extend_from_slice(&x.to_le_bytes());
                rec.extend_from_slice(&y.to_le_bytes());
            }
        } else {
            rec.extend_from_slice(&0i32.to_le_bytes());
        }
        records.push(rec);
    }
    if bbox[0] > bbox[2] {
        bbox = [0.0; 4];
    }
    let mut shp = Vec::new();
    let mut shx = Vec::new();
    header(&mut shp, shape_type, bbox);
    header(&mut shx, shape_type, bbox);
    for (i, rec) in records.iter().enumerate() {
        let offset = (shp.len() / 2) as i32;
        let words = (rec.len() / 2) as i32;
        shp.extend_from_slice(&(i as i32 + 1).to_be_bytes());
        shp.extend_from_slice(&words.to_be_bytes());
        shp.extend_from_slice(rec);
        shx.extend_from_slice(&offset.to_be_bytes());
        shx.extend_from_slice(&words.to_be_bytes());
    }
    set_length(&mut shp);
    set_length(&mut shx);
    (shp, shx)
}

/// A `.dbf` field: type, length, decimals.
struct Field {
    kind: u8,
    len: usize,
    dec: u8,
}

/// Text in the file's encoding, at most 254 bytes, cut on a character boundary.
fn encode_text(
    text: &str,
    encoding: Encoding,
    max: usize,
    subs: &mut Option<(&mut Vec<Substitution>, usize, &str)>,
) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => {
            let mut end = 0;
            for (i, ch) in text.char_indices() {
                if i + ch.len_utf8() > max {
                    break;
                }
                end = i + ch.len_utf8();
            }
            text.as_bytes()[..end].to_vec()
        }
        Encoding::Cp932 => {
            let mut out = Vec::new();
            let replaced = cp932::encode_limited(text, &mut out, max);
            if let Some((list, row, column)) = subs {
                for ch in replaced {
                    list.push(Substitution {
                        row: *row,
                        column: column.to_string(),
                        ch,
                    });
                }
            }
            out
        }
    }
}

fn dbf(
    f: &Features,
    names: &[String],
    encoding: Encoding,
) -> Result<(Vec<u8>, Vec<Substitution>), ExportError> {
    if f.table.columns.len() > 255 {
        return Err(ExportError::Shapefile(format!(
            "列が {} 列あります。シェープファイルは 255 列までです。列を減らすか Excel・CSV で出力してください。",
            f.table.columns.len()
        )));
    }
    // One record per shape, whatever the table holds.
    let rows = f.geoms.len();
    let mut subs = Vec::new();
    // Cells as bytes, column by column, and each column's field.
    let mut cells: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    for col in &f.table.columns {
        let (kind, dec, texts): (u8, u8, Vec<Vec<u8>>) = match &col.values {
            Values::Int(v) => (
                b'N',
                0,
                v.iter()
                    .map(|x| x.map(|n| n.to_string()).unwrap_or_default().into_bytes())
                    .collect(),
            ),
            Values::Float(v) => (
                b'N',
                6,
                v.iter()
                    .map(|x| {
                        x.filter(|f| f.is_finite())
                            .map(|f| format!("{f:.6}"))
                            .unwrap_or_default()
                            .into_bytes()
                    })
                    .collect(),
            ),
            Values::Flag(v) => (
                b'L',
                0,
                v.iter()
                    .map(|x| match x {
                        Some(true) => b"T".to_vec(),
                        Some(false) => b"F".to_vec(),
                        None => b"?".to_vec(),
                    })
                    .collect(),
            ),
            Values::Date(v) => (
                b'D',
                0,
                v.iter()
                    .map(|x| {
                        x.map(|d| d.format("%Y%m%d").to_string())
                            .unwrap_or_default()
                            .into_bytes()
                    })
                    .collect(),
            ),
            Values::Text(_) => (
                b'C',
                0,
                (0..rows)
                    .map(|r| {
                        let t = col.values.text(r);
                        let mut s = Some((&mut subs, r + 1, col.name.as_str()));
                        encode_text(&t, encoding, 254, &mut s)
                    })
                    .collect(),
            ),
        };
        let longest = texts.iter().map(Vec::len).max().unwrap_or(0);
        let len = match kind {
            b'L' => 1,
            b'D' => 8,
            b'N' => longest.clamp(if dec > 0 { 8 } else { 1 }, 20),
            _ => longest.clamp(1, 254),
        };
        fields.push(Field { kind, len, dec });
        cells.push(texts);
    }
    // A .dbf needs a field: a table without columns gets a record number.
    let mut names = names.to_vec();
    if fields.is_empty() {
        fields.push(Field {
            kind: b'N',
            len: 10,
            dec: 0,
        });
        cells.push((1..=rows).map(|r| r.to_string().into_bytes()).collect());
        names.push("ROW".into());
    }
    let record_len = 1 + fields.iter().map(|f| f.len).sum::<usize>();
    let header_len = 32 + 32 * fields.len() + 1;
    if record_len > u16::MAX as usize {
        return Err(ExportError::Shapefile(
            "1 行が長すぎます（.dbf は 1 行 65535 バイトまで）。列を減らしてください。".into(),
        ));
    }
    let mut out = Vec::with_capacity(header_len + record_len * rows + 1);
    let today = chrono::Local::now().date_naive();
    use chrono::Datelike;
    out.push(0x03);
    out.push((today.year() - 1900).clamp(0, 255) as u8);
    out.push(today.month() as u8);
    out.push(today.day() as u8);
    out.extend_from_slice(&(rows as u32).to_le_bytes());
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(&(record_len as u16).to_le_bytes());
    let mut reserved = [0u8; 20];
    // The language driver: 0x13 is Japanese Shift-JIS (CP932).
    reserved[17] = if encoding == Encoding::Cp932 {
        0x13
    } else {
        0x00
    };
    out.extend_from_slice(&reserved);
    for (f, name) in fields.iter().zip(&names) {
        let mut n = [0u8; 11];
        n[..name.len().min(10)].copy_from_slice(&name.as_bytes()[..name.len().min(10)]);
        out.extend_from_slice(&n);
        out.push(f.kind);
        out.extend_from_slice(&[0u8; 4]);
        out.push(f.len as u8);
        out.push(f.dec);
        out.extend_from_slice(&[0u8; 14]);
    }
    out.push(0x0D);
    for r in 0..rows {
        out.push(b' ');
        for (f, col) in fields.iter().zip(&cells) {
            let v: &[u8] = col.get(r).map_or(&[], Vec::as_slice);
            let v = &v[..v.len().min(f.len)];
            let pad = f.len - v.len();
            if f.kind == b'N' {
                out.extend(std::iter::repeat_n(b' ', pad));
                out.extend_from_slice(v);
            } else {
                out.extend_from_slice(v);
                out.extend(std::iter::repeat_n(b' ', pad));
            }
        }
    }
    out.push(0x1A);
    Ok((out, subs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_short_ascii_and_unique() {
        let names = field_names(&[
            "氏名",
            "名称",
            "住所",
            "独自の列",
            "lon",
            "verylongcolumnname",
        ]);
        assert_eq!(names[0], "NAME");
        assert_eq!(names[1], "NAME2");
        assert_eq!(names[2], "ADDRESS");
        assert_eq!(names[3], "F04");
        assert_eq!(names[4], "LON");
        assert_eq!(names[5], "F06");
        assert!(names.iter().all(|n| n.len() <= 10 && n.is_ascii()));
    }

    #[test]
    fn utf8_text_is_cut_on_a_character_boundary() {
        let mut none = None;
        let b = encode_text("奈良県", Encoding::Utf8, 7, &mut none);
        assert_eq!(std::str::from_utf8(&b).unwrap(), "奈良");
    }
}
