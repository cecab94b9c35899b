//! Reads a GeoJSON FeatureCollection (RFC 7946: UTF-8, lon/lat) into a [`RawLayer`]. An
//! old-style `"crs"` member naming an EPSG code (as QGIS and N03 files write) is honoured.
//! Property types are inferred over all features: whole numbers → integer, other numbers →
//! real, booleans → bool, anything else → text.

use std::path::Path;

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::Value;

use super::model::{AttrValue, Feature, FieldDef, FieldType, GeometryType, RawLayer};
use super::place::Placer;
use super::{LayerOptions, ReadError};
use crate::geo::crs::{Crs, Datum};

pub fn read(path: &Path, opts: &LayerOptions) -> Result<RawLayer, ReadError> {
    let name = crate::display_name(path);
    let bad = |msg: String| ReadError::Invalid {
        file: name.clone(),
        msg,
    };
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io {
        path: path.into(),
        source: e,
    })?;
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
        .map_err(|_| bad("UTF-8 ではありません（GeoJSON は UTF-8 で保存してください）".into()))?;
    let root: Value = serde_json::from_str(text).map_err(|e| {
        bad(format!(
            "GeoJSON として読めません（{}行目 {}文字目: {e}）",
            e.line(),
            e.column()
        ))
    })?;
    let features: Vec<&Value> = match root.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => root
            .get("features")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .ok_or_else(|| bad("features がありません".into()))?,
        Some("Feature") => vec![&root],
        _ => return Err(bad("FeatureCollection ではありません".into())),
    };
    let mut notes = Vec::new();
    let crs = match (opts.crs, declared_crs(&root)) {
        (Some(c), _) => c,
        (None, Some(Ok(c))) => c,
        (None, Some(Err(e))) => return Err(bad(e.to_string())),
        (None, None) => Crs::Geographic(Datum::Wgs84),
    };
    if let Some(n) = crs.accuracy_note() {
        notes.push(n.to_string());
    }

    // Field order: first appearance across features.
    let mut fields: Vec<FieldDef> = Vec::new();
    let mut kinds: Vec<(bool, bool, bool, bool)> = Vec::new(); // (all int, all number, all bool, any value)
    for f in &features {
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                let i = match fields.iter().position(|fd| &fd.name == k) {
                    Some(i) => i,
                    None => {
                        fields.push(FieldDef {
                            name: k.clone(),
                            ty: FieldType::Text,
                        });
                        kinds.push((true, true, true, false));
                        fields.len() - 1
                    }
                };
                if v.is_null() {
                    continue;
                }
                let kd = &mut kinds[i];
                kd.3 = true;
                kd.0 &= v.as_i64().is_some();
                kd.1 &= v.is_number();
                kd.2 &= v.is_boolean();
            }
        }
    }
    for (fd, (int, num, boolean, any)) in fields.iter_mut().zip(&kinds) {
        fd.ty = match (any, int, num, boolean) {
            (false, ..) => FieldType::Text,
            (true, true, _, _) => FieldType::Integer,
            (true, _, true, _) => FieldType::Real,
            (true, _, _, true) => FieldType::Bool,
            _ => FieldType::Text,
        };
    }

    let mut out = Vec::with_capacity(features.len());
    let mut placer = Placer::new(crs, &name);
    for (i, f) in features.iter().enumerate() {
        let no = i + 1;
        let geom_v = f.get("geometry").unwrap_or(&Value::Null);
        let geom = if geom_v.is_null() {
            Geometry::GeometryCollection(Default::default())
        } else {
            let (ty, g) =
                geometry(geom_v).ok_or_else(|| bad(format!("{no}件目の geometry を読めません")))?;
            placer.place(no, ty, g)?
        };
        let props = f.get("properties").and_then(Value::as_object);
        let attrs = fields
            .iter()
            .map(|fd| match props.and_then(|p| p.get(&fd.name)) {
                None | Some(Value::Null) => AttrValue::Null,
                Some(v) => match fd.ty {
                    FieldType::Integer => v.as_i64().map(AttrValue::Int).unwrap_or(AttrValue::Null),
                    FieldType::Real => v.as_f64().map(AttrValue::Real).unwrap_or(AttrValue::Null),
                    FieldType::Bool => v.as_bool().map(AttrValue::Bool).unwrap_or(AttrValue::Null),
                    FieldType::Text => AttrValue::Text(
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    ),
                },
            })
            .collect();
        out.push(Feature { geom, attrs });
    }
    placer.finish()?;
    Ok(RawLayer {
        geometry_type: placer.geometry_type().unwrap_or(GeometryType::Point),
        fields,
        features: out,
        source_crs: crs.label(),
        encoding: Some("UTF-8".into()),
        notes,
    })
}

/// `"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::6668"}}`.
fn declared_crs(root: &Value) -> Option<Result<Crs, crate::geo::crs::CrsError>> {
    let name = root.get("crs")?.get("properties")?.get("name")?.as_str()?;
    if name.contains("CRS84") {
        return Some(Ok(Crs::Geographic(Datum::Wgs84)));
    }
    let code: u32 = name.rsplit(':').next()?.parse().ok()?;
    Some(Crs::from_epsg(code))
}

fn coord(v: &Value) -> Option<Coord<f64>> {
    let a = v.as_array()?;
    Some(Coord {
        x: a.first()?.as_f64()?,
        y: a.get(1)?.as_f64()?,
    })
}

fn line(v: &Value) -> Option<LineString<f64>> {
    v.as_array()?
        .iter()
        .map(coord)
        .collect::<Option<Vec<_>>>()
        .map(LineString)
}

fn polygon(v: &Value) -> Option<Polygon<f64>> {
    let mut rings = v
        .as_array()?
        .iter()
        .map(line)
        .collect::<Option<Vec<_>>>()?
        .into_iter();
    Some(Polygon::new(rings.next()?, rings.collect()))
}

fn geometry(g: &Value) -> Option<(GeometryType, Geometry<f64>)> {
    let c = g.get("coordinates")?;
    Some(match g.get("type")?.as_str()? {
        "Point" => (GeometryType::Point, Point(coord(c)?).into()),
        "MultiPoint" => (
            GeometryType::Point,
            MultiPoint(
                c.as_array()?
                    .iter()
                    .map(|p| coord(p).map(Point))
                    .collect::<Option<_>>()?,
            )
            .into(),
        ),
        "LineString" => (GeometryType::Line, MultiLineString(vec![line(c)?]).into()),
        "MultiLineString" => (
            GeometryType::Line,
            MultiLineString(c.as_array()?.iter().map(line).collect::<Option<_>>()?).into(),
        ),
        "Polygon" => (
            GeometryType::Polygon,
            MultiPolygon(vec![polygon(c)?]).into(),
        ),
        "MultiPolygon" => (
            GeometryType::Polygon,
            MultiPolygon(c.as_array()?.iter().map(polygon).collect::<Option<_>>()?).into(),
        ),
        _ => return None,
    })
}
