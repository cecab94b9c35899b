//! Restore: decrypt a backup (with this machine's app key or the recovery key) into a
//! staging folder inside the data folder, check every member's SHA-256 and every table's
//! row count and checksum against the manifest, let the caller authenticate the user
//! against the accounts inside the backup, and only then switch over. A failure at any
//! step removes the staging folder and leaves the current data as it was.

use std::path::{Path, PathBuf};

use duckdb::Connection;

use super::{BackupError, Manifest, keys, manifest, open_backup, write_synced};

/// A verified backup waiting in its staging folder.
pub struct Staged {
    pub manifest: Manifest,
    pub dir: PathBuf,
    data_dir: PathBuf,
    /// The recovery identity used, if any (its public half is kept after the switch).
    recovery: Option<age::x25519::Identity>,
    committed: bool,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Decrypts and checks `file` into a staging folder of `data_dir`. `recovery` is an age
/// identity file; without it this machine's app key is used.
pub fn stage(file: &Path, data_dir: &Path, recovery: Option<&Path>) -> Result<Staged, BackupError> {
    let (identity, recovery_id) = match recovery {
        Some(p) => {
            let id = keys::identity_from_file(p)?;
            (id.clone(), Some(id))
        }
        None => (
            keys::identity_from_file(&keys::app_key_path(data_dir))?,
            None,
        ),
    };
    let dir = data_dir.join(format!("restore-staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut staged = Staged {
        manifest: Manifest::default(),
        dir,
        data_dir: data_dir.to_path_buf(),
        recovery: recovery_id,
        committed: false,
    };
    let staging = staged.dir.clone();
    staged.manifest = open_backup(file, &identity, |member, r| {
        // Only our own member names (no `..`, no absolute paths).
        let rel = Path::new(member);
        if rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(std::io::Error::other(format!("不正なファイル名 {member}")));
        }
        write_synced(&staging.join(rel), r)
    })?;
    // Every table as the manifest says.
    let db = staged.db_path();
    {
        let conn = Connection::open(&db)?;
        let sums = manifest::table_sums(&conn)?;
        if sums != staged.manifest.tables {
            let diff = staged
                .manifest
                .tables
                .iter()
                .find(|(t, s)| sums.get(*t) != Some(s))
                .map(|(t, _)| t.clone())
                .unwrap_or_else(|| "（テーブルの数）".into());
            return Err(BackupError::Mismatch {
                file: file.display().to_string(),
                why: format!("テーブル {diff} の件数またはチェックサムが目録と違います"),
            });
        }
        if staged.manifest.schema_version > crate::store::LATEST_VERSION {
            return Err(BackupError::Mismatch {
                file: file.display().to_string(),
                why: format!(
                    "このアプリより新しい版（スキーマ {}）のバックアップです",
                    staged.manifest.schema_version
                ),
            });
        }
    }
    Ok(staged)
}

impl Staged {
    pub fn db_path(&self) -> PathBuf {
        self.dir.join("kenshin.duckdb")
    }

    /// Moves the staged database and profiles into place. The replaced database is
    /// removed only after the new one is in place.
    pub fn commit(mut self) -> Result<Manifest, BackupError> {
        let live = self.data_dir.join("kenshin.duckdb");
        let wal = self.data_dir.join("kenshin.duckdb.wal");
        let stamp = chrono::Local::now().format("%Y%m%d%H%M%S");
        let old = self
            .data_dir
            .join(format!("kenshin.duckdb.replaced-{stamp}"));
        let old_wal = self
            .data_dir
            .join(format!("kenshin.duckdb.wal.replaced-{stamp}"));
        let had = live.exists();
        if had {
            std::fs::rename(&live, &old).map_err(|e| BackupError::io(&live, e))?;
        }
        if wal.exists() {
            std::fs::rename(&wal, &old_wal).map_err(|e| BackupError::io(&wal, e))?;
        }
        if let Err(e) = std::fs::rename(self.db_path(), &live) {
            // Put the current data back.
            if had {
                let _ = std::fs::rename(&old, &live);
            }
            let _ = std::fs::rename(&old_wal, &wal);
            return Err(BackupError::io(&live, e));
        }
        let _ = std::fs::remove_file(&old);
        let _ = std::fs::remove_file(&old_wal);
        let staged_profiles = self.dir.join("profiles");
        if staged_profiles.is_dir() {
            let live_profiles = crate::import::profile::profiles_dir(&self.data_dir);
            let _ = std::fs::create_dir_all(&live_profiles);
            if let Ok(rd) = std::fs::read_dir(&staged_profiles) {
                for e in rd.flatten() {
                    let _ = std::fs::rename(e.path(), live_profiles.join(e.file_name()));
                }
            }
        }
        if let Some(id) = &self.recovery {
            keys::set_recovery_public(&self.data_dir, id)?;
        }
        keys::init_app(&self.data_dir)?;
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(self.manifest.clone())
    }
}
