//! Dissolve by attribute: features with the same value of a field become one. Areas are
//! unioned (so shared edges disappear), lines and points are collected. Count fields named
//! for summing (e-Stat's JINKO and SETAI) are summed; every other attribute comes from the
//! representative member: the one flagged AREA_MAX_F = 'M' when the layer has that e-Stat
//! flag (it marks the largest part and the one holding the representative point X_CODE/
//! Y_CODE), otherwise the largest by area.

use std::collections::BTreeMap;

use geo::{Area, Geometry, MultiLineString, MultiPoint, MultiPolygon};

use super::model::{AttrValue, Feature, FieldType, GeometryType, RawLayer};

/// e-Stat's flag for the representative record of a KEY_CODE.
pub const REPRESENTATIVE_FLAG: (&str, &str) = ("AREA_MAX_F", "M");

/// Fields summed by default when present: e-Stat's population and households.
pub const DEFAULT_SUM_FIELDS: [&str; 2] = ["JINKO", "SETAI"];

/// Dissolves `layer` by `field`. Features with an empty value of `field` are kept as they
/// are. Output order follows the field value.
pub fn dissolve(layer: RawLayer, field: &str, sum_fields: &[&str]) -> Result<RawLayer, String> {
    let key_ix = layer.field_index(field).ok_or_else(|| {
        format!(
            "集約に使う列「{field}」がありません（ある列: {}）",
            layer
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        )
    })?;
    let sum_ix: Vec<usize> = sum_fields
        .iter()
        .filter_map(|s| layer.field_index(s))
        .filter(|&i| matches!(layer.fields[i].ty, FieldType::Integer | FieldType::Real))
        .collect();
    let flag_ix = layer.field_index(REPRESENTATIVE_FLAG.0);
    let mut groups: BTreeMap<String, Vec<Feature>> = BTreeMap::new();
    let mut loose = Vec::new();
    for f in layer.features {
        match &f.attrs[key_ix] {
            AttrValue::Null => loose.push(f),
            v => groups.entry(v.display()).or_default().push(f),
        }
    }
    let mut features = Vec::with_capacity(groups.len() + loose.len());
    for (_, members) in groups {
        let flagged = flag_ix.and_then(|fi| {
            members.iter().position(|m| {
                m.attrs
                    .get(fi)
                    .is_some_and(|v| v.display() == REPRESENTATIVE_FLAG.1)
            })
        });
        let representative = flagged.unwrap_or_else(|| {
            members
                .iter()
                .enumerate()
                .max_by(|a, b| {
                    size(&a.1.geom)
                        .total_cmp(&size(&b.1.geom))
                        .then(b.0.cmp(&a.0))
                })
                .map(|(i, _)| i)
                .unwrap_or(0)
        });
        let mut attrs = members[representative].attrs.clone();
        for &i in &sum_ix {
            let total: f64 = members.iter().filter_map(|m| m.attrs[i].as_f64()).sum();
            attrs[i] = match layer.fields[i].ty {
                FieldType::Integer => AttrValue::Int(total.round() as i64),
                _ => AttrValue::Real(total),
            };
        }
        let geom = merge(
            layer.geometry_type,
            members.into_iter().map(|m| m.geom).collect(),
        );
        features.push(Feature { geom, attrs });
    }
    features.extend(loose);
    let mut notes = layer.notes;
    notes.push(format!(
        "「{field}」で集約しました（{} 件）",
        features.len()
    ));
    Ok(RawLayer {
        geometry_type: layer.geometry_type,
        fields: layer.fields,
        features,
        source_crs: layer.source_crs,
        encoding: layer.encoding,
        notes,
    })
}

fn size(g: &Geometry<f64>) -> f64 {
    g.unsigned_area()
}

fn merge(ty: GeometryType, geoms: Vec<Geometry<f64>>) -> Geometry<f64> {
    match ty {
        GeometryType::Polygon => {
            let polys: Vec<MultiPolygon<f64>> = geoms
                .into_iter()
                .filter_map(|g| {
                    if let Geometry::MultiPolygon(m) = g {
                        Some(m)
                    } else {
                        None
                    }
                })
                .collect();
            if polys.len() == 1 {
                return polys
                    .into_iter()
                    .next()
                    .map(Geometry::MultiPolygon)
                    .unwrap_or(Geometry::GeometryCollection(Default::default()));
            }
            Geometry::MultiPolygon(geo::unary_union(polys.iter()))
        }
        GeometryType::Line => Geometry::MultiLineString(MultiLineString(
            geoms
                .into_iter()
                .flat_map(|g| {
                    if let Geometry::MultiLineString(m) = g {
                        m.0
                    } else {
                        vec![]
                    }
                })
                .collect(),
        )),
        GeometryType::Point => Geometry::MultiPoint(MultiPoint(
            geoms
                .into_iter()
                .flat_map(|g| match g {
                    Geometry::Point(p) => vec![p],
                    Geometry::MultiPoint(m) => m.0,
                    _ => vec![],
                })
                .collect(),
        )),
    }
}
