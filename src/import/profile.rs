//! Column-mapping profiles: TOML files in `<data dir>/profiles/` that map a source file's
//! headers to the fields of a kind. The real KDB column list is not public, so every kind
//! is read through a profile; the defaults match the demo generator and a user can copy and
//! edit one. The defaults are also built into the binary so that a new data directory gets
//! them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::store::kinds::Kind;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// The kind id (`claims`, `insured`, …).
    pub kind: String,
    pub label: String,
    /// Field name → accepted source headers, first match wins.
    pub columns: BTreeMap<String, Vec<String>>,
    /// Where the profile was read from (not in the file).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("プロファイル {path} を読めません: {msg}")]
    Read { path: PathBuf, msg: String },
    #[error("プロファイル {path}: 種類「{kind}」は存在しません。")]
    UnknownKind { path: PathBuf, kind: String },
    #[error("プロファイル {path}: 項目「{field}」は種類「{kind}」にありません。")]
    UnknownField {
        path: PathBuf,
        kind: String,
        field: String,
    },
    #[error(
        "プロファイル「{0}」が見つかりません。data/profiles にあるファイル名（拡張子なし）を指定してください。"
    )]
    NotFound(String),
}

const DEFAULTS: &[(&str, &str)] = &[
    ("insured", include_str!("../../data/profiles/insured.toml")),
    (
        "insurers",
        include_str!("../../data/profiles/insurers.toml"),
    ),
    (
        "checkups",
        include_str!("../../data/profiles/checkups.toml"),
    ),
    ("claims", include_str!("../../data/profiles/claims.toml")),
    (
        "claim_diseases",
        include_str!("../../data/profiles/claim_diseases.toml"),
    ),
    (
        "claim_procedures",
        include_str!("../../data/profiles/claim_procedures.toml"),
    ),
    (
        "claim_icd_points",
        include_str!("../../data/profiles/claim_icd_points.toml"),
    ),
    (
        "medical_institutions",
        include_str!("../../data/profiles/medical_institutions.toml"),
    ),
    (
        "checkup_institutions",
        include_str!("../../data/profiles/checkup_institutions.toml"),
    ),
    (
        "recommendation_targets",
        include_str!("../../data/profiles/recommendation_targets.toml"),
    ),
    (
        "address_points",
        include_str!("../../data/profiles/address_points.toml"),
    ),
];

impl Profile {
    pub fn kind(&self) -> Option<Kind> {
        Kind::from_id(&self.kind)
    }

    fn parse(text: &str, path: &Path) -> Result<Profile, ProfileError> {
        let mut p: Profile = toml::from_str(text).map_err(|e| ProfileError::Read {
            path: path.into(),
            msg: e.to_string(),
        })?;
        let kind = Kind::from_id(&p.kind).ok_or_else(|| ProfileError::UnknownKind {
            path: path.into(),
            kind: p.kind.clone(),
        })?;
        for field in p.columns.keys() {
            if kind.def().field(field).is_none() {
                return Err(ProfileError::UnknownField {
                    path: path.into(),
                    kind: p.kind.clone(),
                    field: field.clone(),
                });
            }
        }
        p.path = Some(path.into());
        Ok(p)
    }

    /// The headers accepted for a field, normalised for comparison.
    pub fn headers_for(&self, field: &str) -> Vec<String> {
        self.columns
            .get(field)
            .map(|v| v.iter().map(|h| normalize_header(h)).collect())
            .unwrap_or_default()
    }
}

/// Headers compare after width folding, without spaces and quotes, ASCII case-insensitive.
pub fn normalize_header(h: &str) -> String {
    super::normalize::fold_width(h)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The profiles directory of a data directory.
pub fn profiles_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("profiles")
}

/// Writes the built-in default profiles into `dir` where a file of that name is missing.
pub fn install_defaults(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in DEFAULTS {
        let path = dir.join(format!("{name}.toml"));
        if !path.exists() {
            std::fs::write(path, text)?;
        }
    }
    Ok(())
}

/// Loads every profile in `dir` (sorted by file name), falling back to the built-in
/// defaults for kinds that have none there.
pub fn load_all(dir: &Path) -> Result<Vec<Profile>, ProfileError> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| ProfileError::Read {
                path: path.clone(),
                msg: e.to_string(),
            })?;
            out.push(Profile::parse(&text, &path)?);
        }
    }
    for (name, text) in DEFAULTS {
        if !out.iter().any(|p| p.kind == *name) {
            out.push(Profile::parse(
                text,
                Path::new(&format!("<既定>/{name}.toml")),
            )?);
        }
    }
    Ok(out)
}

/// Finds a profile by file stem or path.
pub fn find(dir: &Path, name: &str) -> Result<Profile, ProfileError> {
    let direct = Path::new(name);
    if direct.extension().is_some_and(|x| x == "toml") && direct.exists() {
        let text = std::fs::read_to_string(direct).map_err(|e| ProfileError::Read {
            path: direct.into(),
            msg: e.to_string(),
        })?;
        return Profile::parse(&text, direct);
    }
    load_all(dir)?
        .into_iter()
        .find(|p| {
            p.path
                .as_ref()
                .and_then(|x| x.file_stem())
                .is_some_and(|s| s == name)
        })
        .ok_or_else(|| ProfileError::NotFound(name.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_cover_every_kind() {
        let all = load_all(Path::new("/nonexistent")).unwrap();
        for kind in Kind::all() {
            let p = all
                .iter()
                .find(|p| p.kind() == Some(kind))
                .expect("profile");
            for field in kind.def().fields.iter().filter(|f| f.required) {
                assert!(
                    !p.headers_for(field.name).is_empty(),
                    "{:?}.{}",
                    kind,
                    field.name
                );
            }
        }
    }
}
