//! The layers shipped in `data/reference` and stored on first start: municipalities (N03),
//! secondary medical areas (municipalities dissolved through `secondary_medical_areas.csv`),
//! e-Stat small areas dissolved by KEY_CODE, stations, and the synthetic railway sketch and
//! road network. The area hierarchy is prefecture > 二次医療圏 > 市区町村 > 町丁・字.

use std::collections::HashMap;
use std::path::Path;

use super::model::{AttrValue, Feature, FieldDef, FieldType, RawLayer};
use super::{LayerError, LayerInfo, LayerOptions, ReadError, dissolve, read_file, storage};
use crate::store::Store;

pub const MUNICIPALITIES: &str = "市区町村";
pub const MEDICAL_AREAS: &str = "二次医療圏";
pub const SMALL_AREAS: &str = "町丁・字";
pub const STATIONS: &str = "駅";
pub const RAILWAYS: &str = "鉄道（概略・合成）";
pub const ROADS: &str = "道路（合成）";

/// The code and name fields of each area level's layer.
pub const MUNICIPALITY_CODE: &str = "N03_007";
pub const MUNICIPALITY_NAME: &str = "N03_004";
pub const MEDICAL_AREA_CODE: &str = "二次医療圏コード";
pub const MEDICAL_AREA_NAME: &str = "二次医療圏名";
pub const SMALL_AREA_CODE: &str = "KEY_CODE";
pub const SMALL_AREA_NAME: &str = "MOJI";

/// The bundled files stored as they are: (layer, path under `data/reference`, dissolve by).
const FILES: [(&str, &str, Option<&str>); 5] = [
    (MUNICIPALITIES, "municipalities/N03-21_29_210101.shp", None),
    (SMALL_AREAS, "smallareas/h27ka29.shp", Some(SMALL_AREA_CODE)),
    (STATIONS, "stations.geojson", None),
    (RAILWAYS, "rail_lines_station_order.geojson", None),
    (ROADS, "roads_synthetic/roads.shp", None),
];

/// Stores every bundled layer that is missing, each in its own transaction. Returns the
/// layers added.
pub fn ensure(store: &Store, reference: &Path) -> Result<Vec<LayerInfo>, LayerError> {
    let have: Vec<String> = storage::list(store.conn())?
        .into_iter()
        .map(|l| l.name)
        .collect();
    let missing = |name: &str| !have.iter().any(|h| h == name);
    let mut added = Vec::new();
    let mut municipalities: Option<RawLayer> = None;
    for (name, rel, dissolve) in FILES {
        if !missing(name) && !(name == MUNICIPALITIES && missing(MEDICAL_AREAS)) {
            continue;
        }
        let opts = LayerOptions {
            dissolve: dissolve.map(str::to_string),
            ..Default::default()
        };
        let path = reference.join(rel);
        let raw = read_file(&path, &opts)?;
        if missing(name) {
            let file = crate::import::display_name(&path);
            added.push(storage::save(store.conn(), name, Some(&file), &raw, false)?);
        }
        if name == MUNICIPALITIES {
            municipalities = Some(raw);
        }
    }
    // Secondary medical areas: the municipalities read above, dissolved through the CSV.
    if let Some(munis) = municipalities.filter(|_| missing(MEDICAL_AREAS)) {
        let csv_path = reference.join("secondary_medical_areas.csv");
        let csv = std::fs::read_to_string(&csv_path).map_err(|e| ReadError::Io {
            path: csv_path,
            source: e,
        })?;
        let raw = medical_areas(munis, &csv)?;
        added.push(storage::save(
            store.conn(),
            MEDICAL_AREAS,
            Some("secondary_medical_areas.csv"),
            &raw,
            false,
        )?);
    }
    Ok(added)
}

/// Municipalities → secondary medical areas: each municipality gets its area from the CSV
/// (市区町村コード,市区町村名,二次医療圏コード,二次医療圏名), then they are dissolved.
pub fn medical_areas(munis: RawLayer, csv: &str) -> Result<RawLayer, LayerError> {
    let invalid = |msg: String| -> LayerError {
        ReadError::Invalid {
            file: "secondary_medical_areas.csv".into(),
            msg,
        }
        .into()
    };
    let map: HashMap<&str, (&str, &str)> = csv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.trim().split(',').collect();
            (c.len() == 4).then(|| (c[0], (c[2], c[3])))
        })
        .collect();
    let code_ix = munis.field_index(MUNICIPALITY_CODE).ok_or_else(|| {
        invalid(format!(
            "市区町村レイヤに {MUNICIPALITY_CODE} 列がありません"
        ))
    })?;
    let mut features = Vec::with_capacity(munis.features.len());
    for f in munis.features {
        let code = f.attrs[code_ix].display();
        let (ac, an) = map
            .get(code.as_str())
            .ok_or_else(|| invalid(format!("市区町村コード {code} の二次医療圏がありません")))?;
        features.push(Feature {
            geom: f.geom,
            attrs: vec![
                AttrValue::Text(ac.to_string()),
                AttrValue::Text(an.to_string()),
            ],
        });
    }
    let layer = RawLayer {
        geometry_type: munis.geometry_type,
        fields: vec![
            FieldDef {
                name: MEDICAL_AREA_CODE.into(),
                ty: FieldType::Text,
            },
            FieldDef {
                name: MEDICAL_AREA_NAME.into(),
                ty: FieldType::Text,
            },
        ],
        features,
        source_crs: munis.source_crs,
        encoding: munis.encoding,
        notes: vec![],
    };
    dissolve::dissolve(layer, MEDICAL_AREA_CODE, &[]).map_err(invalid)
}
