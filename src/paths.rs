//! Where things live: the data directory (database, profiles, DuckDB temp) and the shipped
//! reference data.

use std::path::{Path, PathBuf};

/// The default data directory: `$KENSHIN_DATA_DIR`, else `data/` in the working directory.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("KENSHIN_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data"))
}

/// The shipped reference data (`data/reference`): `$KENSHIN_REFERENCE_DIR`, beside the
/// executable, in the working directory, or in the source tree.
pub fn reference_dir() -> PathBuf {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("KENSHIN_REFERENCE_DIR") {
        candidates.push(p.into());
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        candidates.push(dir.join("data/reference"));
    }
    candidates.push(PathBuf::from("data/reference"));
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference"));
    candidates
        .iter()
        .find(|p| p.join("smallareas").is_dir())
        .cloned()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference"))
}

/// A working folder for generated demo files: outside the data directory, removed after use.
pub fn demo_work_dir() -> PathBuf {
    std::env::temp_dir().join(format!("kenshin-atlas-demo-{}", std::process::id()))
}
