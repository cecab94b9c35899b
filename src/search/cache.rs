//! What searches keep in memory between commands: the located insured in an R-tree (the
//! prefilter of every place condition), the institutions with their points and test
//! items, and the polygon layers places refer to. The engine drops the cache whenever a
//! command may change data (imports, address matching, layers, administration), so a
//! search never sees stale locations.

use std::collections::HashMap;
use std::sync::Arc;

use duckdb::Connection;
use rstar::{AABB, RTree, primitives::GeomWithData};

use super::SearchError;
use super::fields::TEST_ITEMS;
use super::region::Region;
use crate::layers::{LayerInfo, model::Feature, storage};

type Entry = GeomWithData<[f64; 2], u32>;

/// Points with a text key each, in an R-tree.
pub struct PointIndex {
    tree: RTree<Entry>,
    pub keys: Vec<String>,
    pub points: Vec<(f64, f64)>,
}

/// Only the size: the keys are personal data.
impl std::fmt::Debug for PointIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PointIndex({} points)", self.keys.len())
    }
}

impl PointIndex {
    pub fn new(rows: Vec<(String, f64, f64)>) -> PointIndex {
        let entries: Vec<Entry> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| GeomWithData::new([r.1, r.2], i as u32))
            .collect();
        let points = rows.iter().map(|r| (r.1, r.2)).collect();
        PointIndex {
            tree: RTree::bulk_load(entries),
            keys: rows.into_iter().map(|r| r.0).collect(),
            points,
        }
    }

    /// The indices of the points inside `region`: the R-tree gives those in its box, the
    /// region's exact test keeps those inside.
    pub fn inside(&self, region: &Region) -> Vec<u32> {
        let Some(b) = region.bbox() else {
            return Vec::new();
        };
        let mut out: Vec<u32> = self
            .tree
            .locate_in_envelope(AABB::from_corners([b[0], b[1]], [b[2], b[3]]))
            .filter(|e| region.contains(e.geom()[0], e.geom()[1]))
            .map(|e| e.data)
            .collect();
        out.sort_unstable();
        out
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// An institution as searches see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Institution {
    pub code: String,
    pub name: String,
    /// The name folded for width- and kana-insensitive matching.
    pub folded: String,
    pub address: String,
    pub phone: String,
    pub point: Option<(f64, f64)>,
    pub checkup: bool,
    pub cancer_screening: bool,
    /// The test items done, as keys of [`TEST_ITEMS`].
    pub items: Vec<&'static str>,
}

/// Both masters by code, with the point from the master or address matching, and the
/// checkup master's test items. (The name is the medical master's, else the checkup
/// master's.)
const INSTITUTIONS_SQL: &str = "
    WITH m AS (SELECT code, name, address, phone, lat, lon FROM medical_institutions
               QUALIFY row_number() OVER (PARTITION BY code ORDER BY import_id DESC, name) = 1),
         c AS (SELECT * FROM checkup_institutions
               QUALIFY row_number() OVER (PARTITION BY code ORDER BY import_id DESC, name) = 1)
    SELECT coalesce(m.code, c.code), coalesce(nullif(trim(m.name), ''), c.name, ''),
           coalesce(m.address, ''), coalesce(m.phone, ''),
           coalesce(m.lon, l.lon), coalesce(m.lat, l.lat),
           coalesce(c.does_checkup, false), coalesce(c.does_cancer_screening, false),
           coalesce(c.cancer_stomach, false), coalesce(c.cancer_lung, false),
           coalesce(c.cancer_colon, false), coalesce(c.cancer_breast, false),
           coalesce(c.cancer_cervix, false), coalesce(c.dock, false), coalesce(c.ecg, false),
           coalesce(c.fundus, false), coalesce(c.anemia, false), coalesce(c.creatinine, false)
    FROM m FULL JOIN c ON m.code = c.code
    LEFT JOIN institution_locations l ON l.institution_code = coalesce(m.code, c.code)
    ORDER BY 1";

pub fn load_institutions(conn: &Connection) -> Result<Vec<Institution>, duckdb::Error> {
    let mut stmt = conn.prepare(INSTITUTIONS_SQL)?;
    let rows = stmt.query_map([], |r| {
        let name: String = r.get(1)?;
        let lon: Option<f64> = r.get(4)?;
        let lat: Option<f64> = r.get(5)?;
        let mut items = Vec::new();
        for (i, (key, _)) in TEST_ITEMS.iter().enumerate() {
            if r.get::<_, bool>(8 + i)? {
                items.push(*key);
            }
        }
        Ok(Institution {
            code: r.get(0)?,
            folded: crate::import::normalize::fold_for_search(&name),
            name,
            address: r.get(2)?,
            phone: r.get(3)?,
            point: lon.zip(lat),
            checkup: r.get(6)?,
            cancer_screening: r.get(7)?,
            items,
        })
    })?;
    rows.collect()
}

/// The institutions and an index of the placed ones (keys: positions in the list).
#[derive(Debug)]
pub struct Institutions {
    pub list: Vec<Institution>,
    pub placed: PointIndex,
}

#[derive(Default)]
pub struct SearchCache {
    insured: Option<Arc<PointIndex>>,
    institutions: Option<Arc<Institutions>>,
    layers: HashMap<String, Arc<(LayerInfo, Vec<Feature>)>>,
    geocoder: Option<Arc<GeocoderParts>>,
    area_names: Option<Arc<HashMap<String, String>>>,
    recommended: Option<Arc<Vec<String>>>,
}

/// The address book, the small-area polygons and their KEY_CODE field (for 場所移動).
pub type GeocoderParts = (
    crate::geocode::book::AddressBook,
    crate::layers::index::LayerIndex,
    usize,
);

impl SearchCache {
    /// Area codes to names: municipalities, secondary medical areas, small areas (for the
    /// descriptions of queries), read once.
    pub fn area_names(
        &mut self,
        conn: &Connection,
    ) -> Result<Arc<HashMap<String, String>>, SearchError> {
        if let Some(n) = &self.area_names {
            return Ok(n.clone());
        }
        let mut areas = HashMap::new();
        for sql in [
            "SELECT code, name FROM ref_municipalities",
            "SELECT DISTINCT medical_area_code, medical_area_name FROM ref_municipalities",
            "SELECT key_code, name FROM ref_small_areas",
        ] {
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            for row in rows {
                let (k, v): (String, String) = row?;
                areas.insert(k, v);
            }
        }
        let n = Arc::new(areas);
        self.area_names = Some(n.clone());
        Ok(n)
    }

    /// The geocoder's parts, built once.
    pub fn geocoder(&mut self, conn: &Connection) -> Result<Arc<GeocoderParts>, SearchError> {
        if let Some(g) = &self.geocoder {
            return Ok(g.clone());
        }
        let g = Arc::new(
            crate::geocode::load_book(conn, &Default::default())
                .map_err(|e| SearchError::Layer(e.to_string()))?,
        );
        self.geocoder = Some(g.clone());
        Ok(g)
    }

    /// The insured ids on the latest recommendation lists ([`super::recommended`]).
    pub fn recommended(&mut self, conn: &Connection) -> Result<Arc<Vec<String>>, SearchError> {
        if let Some(r) = &self.recommended {
            return Ok(r.clone());
        }
        let r = Arc::new(super::recommended::on_latest_lists(conn)?);
        self.recommended = Some(r.clone());
        Ok(r)
    }

    /// Forgets everything (after a command that may change data).
    pub fn clear(&mut self) {
        *self = SearchCache::default();
    }

    /// The located insured (every person with a point from address matching).
    pub fn insured(&mut self, conn: &Connection) -> Result<Arc<PointIndex>, SearchError> {
        if let Some(i) = &self.insured {
            return Ok(i.clone());
        }
        let mut stmt = conn.prepare(
            "SELECT insured_id, lon, lat FROM insured_locations WHERE lon IS NOT NULL AND lat IS NOT NULL",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<(String, f64, f64)>, _>>()?;
        let index = Arc::new(PointIndex::new(rows));
        self.insured = Some(index.clone());
        Ok(index)
    }

    pub fn institutions(&mut self, conn: &Connection) -> Result<Arc<Institutions>, SearchError> {
        if let Some(i) = &self.institutions {
            return Ok(i.clone());
        }
        let list = load_institutions(conn)?;
        let placed = PointIndex::new(
            list.iter()
                .enumerate()
                .filter_map(|(i, r)| r.point.map(|p| (i.to_string(), p.0, p.1)))
                .collect(),
        );
        let v = Arc::new(Institutions { list, placed });
        self.institutions = Some(v.clone());
        Ok(v)
    }

    /// A stored layer's features, in stored order (a feature's position is its `fid`).
    pub fn layer(
        &mut self,
        conn: &Connection,
        name: &str,
    ) -> Result<Arc<(LayerInfo, Vec<Feature>)>, SearchError> {
        if let Some(l) = self.layers.get(name) {
            return Ok(l.clone());
        }
        let l = Arc::new(storage::load(conn, name).map_err(|e| match e {
            crate::layers::LayerError::NotFound(n) => SearchError::NoLayer(n),
            other => SearchError::Layer(other.to_string()),
        })?);
        self.layers.insert(name.to_string(), l.clone());
        Ok(l)
    }
}
