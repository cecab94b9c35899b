//! Reads an ESRI shapefile set (`.shp` + `.shx` + `.dbf`, with `.prj` and `.cpg` when
//! present) into a [`RawLayer`] in JGD2011 lon/lat. Checks the set before trusting it: all
//! three files present, the `.shp` as long as its header says, the `.dbf`'s header against
//! its field descriptors (`dbf_check`), and the same record count in `.shp`, `.shx` and
//! `.dbf`. Attribute text is CP932 or UTF-8, as chosen, else from `.cpg`, else detected;
//! it must decode in that encoding. Every coordinate is checked by `place`.

use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;

use geo::{
    Contains, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
    Polygon,
};
use shapefile::record::traits::HasXY;

use super::model::{AttrValue, Feature, FieldDef, FieldType, GeometryType, RawLayer};
use super::place::Placer;
use super::{LayerOptions, ReadError};
use crate::dbf_check::{Dbf, Declared};
use crate::encoding::TextEncoding;
use crate::geo::crs::Crs;

pub fn read(shp: &Path, opts: &LayerOptions) -> Result<RawLayer, ReadError> {
    let name = crate::display_name(shp);
    let bad = |msg: String| ReadError::Invalid {
        file: name.clone(),
        msg,
    };
    let shx = sibling(shp, "shx");
    let dbf = sibling(shp, "dbf");
    for (p, what) in [(&shx, "索引（.shx）"), (&dbf, "属性（.dbf）")] {
        if !p.exists() {
            return Err(bad(format!(
                "{what}ファイル「{}」がありません。シェープファイルは .shp・.shx・.dbf を同じフォルダに揃えて指定してください",
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            )));
        }
    }
    let io = |p: &Path, e: std::io::Error| ReadError::Io {
        path: p.to_path_buf(),
        source: e,
    };
    let shp_len = std::fs::metadata(shp).map_err(|e| io(shp, e))?.len();
    let shx_len = std::fs::metadata(&shx).map_err(|e| io(&shx, e))?.len();

    // The .shp header's file length (in 16-bit words) against the real size.
    let mut head = [0u8; 100];
    File::open(shp)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|_| {
            bad(
                "ヘッダー（100バイト）を読めません。シェープファイルではないか、壊れています"
                    .into(),
            )
        })?;
    if i32::from_be_bytes([head[0], head[1], head[2], head[3]]) != 9994 {
        return Err(bad(
            "シェープファイルの識別子（9994）がありません。.shp ではないか、壊れています".into(),
        ));
    }
    let declared = i32::from_be_bytes([head[24], head[25], head[26], head[27]]) as u64 * 2;
    if shp_len < declared {
        return Err(bad(format!(
            "ファイルが途中で切れています（ヘッダーでは {declared} バイト、実際は {shp_len} バイト）。元のファイルをコピーし直してください"
        )));
    }
    let shx_count = shx_len.saturating_sub(100) / 8;

    // The .dbf's header and text are checked before the dbase crate, which trusts them.
    let dbf_bytes = std::fs::read(&dbf).map_err(|e| io(&dbf, e))?;
    let (encoding, encoding_note) = {
        let dbf_name = crate::display_name(&dbf);
        let table = Dbf::parse(&dbf_bytes, &dbf_name).map_err(&bad)?;
        let declared = match (opts.encoding, cpg_encoding(shp)) {
            (Some(e), _) => Declared::Chosen(e),
            (None, Some((e, cpg))) => Declared::Cpg(e, cpg),
            (None, None) => Declared::Detect,
        };
        table.encoding(&declared, &dbf_name).map_err(&bad)?
    };
    let dbf_reader = {
        let builder = dbase::ReaderBuilder::new();
        let builder = match encoding {
            TextEncoding::Cp932 => {
                builder.with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::SHIFT_JIS))
            }
            TextEncoding::Utf8 => {
                builder.with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::UTF_8))
            }
        };
        builder
            .build(Cursor::new(dbf_bytes))
            .map_err(|e| bad(format!("属性ファイル（.dbf）を読めません: {e}")))?
    };
    let dbf_count = dbf_reader.header().num_records as u64;
    if dbf_count != shx_count {
        return Err(bad(format!(
            "図形と属性の件数が合いません（.shx は {shx_count} 件、.dbf は {dbf_count} 件）。同じデータの .shp・.shx・.dbf を揃えてください"
        )));
    }
    let dbf_fields: Vec<(String, dbase::FieldType)> = dbf_reader
        .fields()
        .iter()
        .map(|f| (f.name().to_string(), f.field_type()))
        .collect();

    let (crs, mut notes) = resolve_crs(shp, opts, &head, &name)?;
    notes.extend(encoding_note);
    if let Some(n) = crs.accuracy_note() {
        notes.push(n.to_string());
    }

    let shape_reader = shapefile::ShapeReader::with_shx(
        BufReader::new(File::open(shp).map_err(|e| io(shp, e))?),
        BufReader::new(File::open(&shx).map_err(|e| io(&shx, e))?),
    )
    .map_err(|e| bad(format!("図形ファイルを読めません: {e}")))?;
    let mut reader = shapefile::Reader::new(shape_reader, dbf_reader);
    let mut features = Vec::with_capacity(dbf_count as usize);
    let mut raw_attrs: Vec<Vec<Option<dbase::FieldValue>>> = Vec::with_capacity(dbf_count as usize);
    let mut placer = Placer::new(crs, &name);
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let rec_no = i + 1;
        let (shape, record) = item.map_err(|e| {
            bad(format!(
                "{rec_no}件目の図形を読めません（{e}）。ファイルが途中で切れているか壊れています"
            ))
        })?;
        let geom = match to_geometry(&shape) {
            Some((ty, g)) => placer.place(rec_no, ty, g)?,
            // A null shape keeps its attributes with an empty geometry.
            None => Geometry::GeometryCollection(Default::default()),
        };
        features.push(Feature {
            geom,
            attrs: vec![],
        });
        raw_attrs.push(
            dbf_fields
                .iter()
                .map(|(n, _)| record.get(n).cloned())
                .collect(),
        );
    }
    placer.finish()?;
    if features.len() as u64 != dbf_count {
        return Err(bad(format!(
            "図形は {} 件しか読めませんでした（索引では {dbf_count} 件）。ファイルが途中で切れています",
            features.len()
        )));
    }
    let fields: Vec<FieldDef> = dbf_fields
        .iter()
        .enumerate()
        .map(|(j, (n, t))| FieldDef {
            name: n.clone(),
            ty: field_type(*t, raw_attrs.iter().map(|r| &r[j])),
        })
        .collect();
    for (f, raw) in features.iter_mut().zip(raw_attrs) {
        f.attrs = raw
            .into_iter()
            .zip(&fields)
            .map(|(v, fd)| attr_value(v, fd.ty))
            .collect();
    }
    Ok(RawLayer {
        geometry_type: placer.geometry_type().unwrap_or(GeometryType::Polygon),
        fields,
        features,
        source_crs: crs.label(),
        encoding: Some(encoding.label().to_string()),
        notes,
    })
}

fn sibling(shp: &Path, ext: &str) -> std::path::PathBuf {
    // Match the case of the .shp's own extension (FOO.SHP → FOO.SHX).
    let upper = shp
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.chars().all(|c| c.is_ascii_uppercase()));
    let p = shp.with_extension(if upper {
        ext.to_ascii_uppercase()
    } else {
        ext.to_string()
    });
    if p.exists() {
        p
    } else {
        shp.with_extension(ext)
    }
}

/// The `.prj`'s CRS, or the one given, or (neither) a refusal that names the guess.
fn resolve_crs(
    shp: &Path,
    opts: &LayerOptions,
    head: &[u8; 100],
    name: &str,
) -> Result<(Crs, Vec<String>), ReadError> {
    if let Some(crs) = opts.crs {
        return Ok((crs, vec![]));
    }
    let prj = sibling(shp, "prj");
    if let Ok(bytes) = std::fs::read(&prj) {
        let text = String::from_utf8_lossy(&bytes);
        return Crs::from_prj(&text)
            .map(|c| (c, vec![]))
            .map_err(|e| ReadError::Invalid {
                file: name.into(),
                msg: e.to_string(),
            });
    }
    let f = |o: usize| f64::from_le_bytes(head[o..o + 8].try_into().unwrap_or([0; 8]));
    let bbox = [f(36), f(44), f(52), f(60)];
    Err(ReadError::NoCrs {
        file: name.into(),
        guess: Crs::guess(bbox).map(|(c, why)| (c, why.to_string())),
    })
}

/// The encoding a `.cpg` declares, and the `.cpg`'s name.
fn cpg_encoding(shp: &Path) -> Option<(TextEncoding, String)> {
    let path = sibling(shp, "cpg");
    let text = std::fs::read_to_string(&path).ok()?;
    let t = text
        .trim()
        .to_ascii_uppercase()
        .replace(['-', '_', ' '], "");
    let e = match t.as_str() {
        "UTF8" | "65001" => TextEncoding::Utf8,
        "CP932" | "932" | "SJIS" | "SHIFTJIS" | "WINDOWS31J" | "MS932" | "ANSI932" => {
            TextEncoding::Cp932
        }
        _ => return None,
    };
    Some((e, crate::display_name(&path)))
}

/// Text stays text; numbers become integers when every value is whole, else reals.
fn field_type<'a>(
    t: dbase::FieldType,
    values: impl Iterator<Item = &'a Option<dbase::FieldValue>>,
) -> FieldType {
    use dbase::FieldType as D;
    match t {
        D::Character | D::Memo | D::Date | D::DateTime => FieldType::Text,
        D::Logical => FieldType::Bool,
        D::Integer => FieldType::Integer,
        D::Numeric | D::Float | D::Double | D::Currency => {
            let whole = values
                .filter_map(|v| v.as_ref().and_then(number))
                .all(|x| x.fract() == 0.0 && x.abs() < 9.0e15);
            if whole {
                FieldType::Integer
            } else {
                FieldType::Real
            }
        }
    }
}

fn number(v: &dbase::FieldValue) -> Option<f64> {
    use dbase::FieldValue as V;
    match v {
        V::Numeric(x) => *x,
        V::Float(x) => x.map(|f| f as f64),
        V::Integer(i) => Some(*i as f64),
        V::Double(d) | V::Currency(d) => Some(*d),
        _ => None,
    }
}

fn attr_value(v: Option<dbase::FieldValue>, ty: FieldType) -> AttrValue {
    use dbase::FieldValue as V;
    let Some(v) = v else { return AttrValue::Null };
    match (ty, &v) {
        (FieldType::Text, V::Character(Some(s))) | (FieldType::Text, V::Memo(s)) => {
            let t = s.trim();
            if t.is_empty() {
                AttrValue::Null
            } else {
                AttrValue::Text(t.to_string())
            }
        }
        (FieldType::Text, V::Date(Some(d))) => {
            AttrValue::Text(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }
        (FieldType::Bool, V::Logical(Some(b))) => AttrValue::Bool(*b),
        (FieldType::Integer, _) => number(&v)
            .map(|x| AttrValue::Int(x as i64))
            .unwrap_or(AttrValue::Null),
        (FieldType::Real, _) => number(&v).map(AttrValue::Real).unwrap_or(AttrValue::Null),
        _ => AttrValue::Null,
    }
}

fn coord<P: HasXY>(p: &P) -> Coord<f64> {
    Coord { x: p.x(), y: p.y() }
}

/// Shape → (type, geometry in file coordinates); `None` for a null shape.
fn to_geometry(shape: &shapefile::Shape) -> Option<(GeometryType, Geometry<f64>)> {
    use shapefile::Shape as S;
    fn lines<P: HasXY>(parts: &[Vec<P>]) -> Geometry<f64> {
        MultiLineString(
            parts
                .iter()
                .map(|p| LineString(p.iter().map(coord).collect()))
                .collect(),
        )
        .into()
    }
    fn points<P: HasXY>(pts: &[P]) -> Geometry<f64> {
        MultiPoint(pts.iter().map(|p| Point(coord(p))).collect()).into()
    }
    Some(match shape {
        S::NullShape => return None,
        S::Point(p) => (GeometryType::Point, Point(coord(p)).into()),
        S::PointM(p) => (GeometryType::Point, Point(coord(p)).into()),
        S::PointZ(p) => (GeometryType::Point, Point(coord(p)).into()),
        S::Multipoint(m) => (GeometryType::Point, points(m.points())),
        S::MultipointM(m) => (GeometryType::Point, points(m.points())),
        S::MultipointZ(m) => (GeometryType::Point, points(m.points())),
        S::Polyline(l) => (GeometryType::Line, lines(l.parts())),
        S::PolylineM(l) => (GeometryType::Line, lines(l.parts())),
        S::PolylineZ(l) => (GeometryType::Line, lines(l.parts())),
        S::Polygon(p) => (
            GeometryType::Polygon,
            rings_to_multipolygon(p.rings()).into(),
        ),
        S::PolygonM(p) => (
            GeometryType::Polygon,
            rings_to_multipolygon(p.rings()).into(),
        ),
        S::PolygonZ(p) => (
            GeometryType::Polygon,
            rings_to_multipolygon(p.rings()).into(),
        ),
        // 3D multipatches (building models) have no 2D meaning here: kept without geometry.
        S::Multipatch(_) => return None,
    })
}

/// Shapefile rings to polygons: each outer ring (clockwise) starts a polygon; each inner
/// ring (a hole) goes to the outer ring that contains it. A "hole" inside no outer ring
/// (a writer that got the orientation wrong) is kept as an outer ring, never dropped.
pub fn rings_to_multipolygon<P: HasXY>(rings: &[shapefile::PolygonRing<P>]) -> MultiPolygon<f64> {
    let ring = |pts: &[P]| LineString(pts.iter().map(coord).collect());
    let mut polys: Vec<Polygon<f64>> = Vec::new();
    let mut holes: Vec<LineString<f64>> = Vec::new();
    for r in rings {
        match r {
            shapefile::PolygonRing::Outer(pts) => polys.push(Polygon::new(ring(pts), vec![])),
            shapefile::PolygonRing::Inner(pts) => holes.push(ring(pts)),
        }
    }
    // Coordinates that are not numbers are refused later (`place`); geo's point-in-ring
    // test must not see them.
    let finite = |c: &Coord<f64>| c.x.is_finite() && c.y.is_finite();
    for hole in holes {
        let inside = |poly: &Polygon<f64>| {
            poly.exterior().0.iter().all(finite)
                && hole
                    .0
                    .iter()
                    .filter(|c| finite(c))
                    .any(|c| Polygon::new(poly.exterior().clone(), vec![]).contains(&Point(*c)))
        };
        match polys.iter_mut().find(|p| inside(p)) {
            Some(poly) => poly.interiors_push(hole),
            None => polys.push(Polygon::new(hole, vec![])),
        }
    }
    MultiPolygon::new(polys)
}
