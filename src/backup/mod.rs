//! Encrypted backups and restore.
//!
//! A backup is a consistent snapshot of the database (`COPY FROM DATABASE` into a
//! snapshot file inside the data folder, removed right after), the import profiles and a
//! manifest (row counts and checksums per table, SHA-256 per file, the audit head), as a
//! tar stream encrypted with age to the app key and the recovery key
//! (`kenshin-backup-YYYYMMDD-HHMMSS.age`, `…_002.age` for a second one in the same second;
//! `age -d -i 復旧鍵.txt FILE | tar x` opens it).
//! It is written as `….age.partial`, decrypted again and checked, and only then renamed;
//! the oldest generations beyond the kept number are removed. A killed backup leaves a
//! `.partial` (removed by the next backup) and never touches the database or the earlier
//! generations. The audit log is not in the backup: a restore never rolls it back.

pub mod keys;
pub mod manifest;
pub mod restore;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::job::Progress;
use crate::store::Store;
pub use manifest::Manifest;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path} を読み書きできません: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "鍵ファイル {0} を読めません。age の鍵（AGE-SECRET-KEY-1… / age1…）か確かめてください。"
    )]
    BadKey(PathBuf),
    #[error(
        "バックアップの保存先フォルダが設定されていません。管理者設定で保存先を選ぶか、--out で指定してください。"
    )]
    NoFolder,
    #[error("{file} はこの鍵では開けません（アプリ鍵か復旧鍵が違います）。")]
    WrongKey { file: String },
    #[error(
        "{file} は壊れているか、健診アトラスのバックアップではありません（{why}）。データは変更していません。"
    )]
    Corrupt { file: String, why: String },
    #[error("バックアップ {file} の検証に失敗しました（{why}）。データは変更していません。")]
    Mismatch { file: String, why: String },
    #[error("バックアップを取り消しました。以前の世代とデータベースはそのままです。")]
    Cancelled,
    #[error("データベースの処理に失敗しました: {0}")]
    Sql(#[from] duckdb::Error),
    #[error("暗号化に失敗しました: {0}")]
    Encrypt(String),
    #[error("データベースを読めません: {0}")]
    Store(String),
}

impl BackupError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> BackupError {
        BackupError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

pub const DEFAULT_GENERATIONS: usize = 5;
pub const SETTING_DIR: &str = "backup_dir";
pub const SETTING_GENERATIONS: &str = "backup_generations";
/// Daily time of the scheduled backup while the app runs ("HH:MM"; empty = none).
pub const SETTING_TIME: &str = "backup_time";

#[derive(Debug, Clone, PartialEq)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
    pub tables: usize,
    pub rows: i64,
    /// Older generations removed.
    pub removed: Vec<PathBuf>,
    /// No recovery key was kept here, so this backup restores on this machine only (with
    /// the app key). A backup never makes one: see [`keys::init_app`].
    pub recovery_missing: bool,
}

/// A backup file of the folder, newest first.
pub fn generations(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("kenshin-backup-") && n.ends_with(".age"))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v.reverse();
    v
}

fn sha256_hex(bytes: &[u8]) -> String {
    crate::audit::hex(&Sha256::digest(bytes))
}

/// Removes the snapshot file (and its WAL) when dropped, even on error.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_file(self.0.with_extension("duckdb.wal"));
    }
}

/// Takes a consistent snapshot of the open database into `path`.
fn snapshot(
    store: &Store,
    path: &Path,
) -> Result<BTreeMap<String, manifest::TableSum>, BackupError> {
    let conn = store.conn();
    let _ = std::fs::remove_file(path);
    let main: String = conn.query_row("SELECT current_database()", [], |r| r.get(0))?;
    // ATTACH takes no parameters; the path is ours (the data folder), quoted as a literal.
    let lit = format!("'{}'", path.display().to_string().replace('\'', "''"));
    conn.execute_batch(&format!("ATTACH {lit} AS kenshin_snapshot"))?;
    let copied = conn
        .execute_batch(&format!(
            "COPY FROM DATABASE {} TO kenshin_snapshot",
            manifest::ident(&main)
        ))
        .map_err(BackupError::from)
        .and_then(|_| {
            conn.execute_batch("USE kenshin_snapshot")?;
            let sums = manifest::table_sums(conn);
            conn.execute_batch(&format!("USE {}", manifest::ident(&main)))?;
            Ok(sums?)
        });
    let _ = conn.execute_batch(&format!("USE {}", manifest::ident(&main)));
    conn.execute_batch("DETACH kenshin_snapshot")?;
    copied
}

/// Writes an encrypted, verified backup of `store` into `out_dir`, keeping `keep`
/// generations. `user` is recorded in the manifest.
pub fn run(
    store: &Store,
    audit_head: crate::audit::Head,
    user: &str,
    out_dir: &Path,
    keep: usize,
    progress: &Progress,
) -> Result<BackupReport, BackupError> {
    let data_dir = store.data_dir();
    keys::init_app(data_dir)?;
    let k = keys::load(data_dir)?;
    std::fs::create_dir_all(out_dir).map_err(|e| BackupError::io(out_dir, e))?;
    // Leftovers of a killed backup.
    for e in std::fs::read_dir(out_dir)
        .map_err(|e| BackupError::io(out_dir, e))?
        .flatten()
    {
        if e.file_name().to_string_lossy().ends_with(".age.partial") {
            let _ = std::fs::remove_file(e.path());
        }
    }
    progress.set(0.05, "バックアップ: スナップショットを作っています");
    let tmp_dir = data_dir.join("tmp");
    std::fs::create_dir_all(&tmp_dir).map_err(|e| BackupError::io(&tmp_dir, e))?;
    // Snapshots left by a killed backup (the data folder has one process at a time).
    for e in std::fs::read_dir(&tmp_dir)
        .map_err(|e| BackupError::io(&tmp_dir, e))?
        .flatten()
    {
        if e.file_name().to_string_lossy().starts_with("snapshot-") {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let snap = Scratch(tmp_dir.join(format!("snapshot-{}.duckdb", std::process::id())));
    let tables = snapshot(store, &snap.0)?;
    if progress.is_cancelled() {
        return Err(BackupError::Cancelled);
    }
    // The database is streamed from its file (it can be tens of GB); profiles are small.
    let mut members: Vec<(String, Member)> =
        vec![("kenshin.duckdb".into(), Member::File(snap.0.clone()))];
    let profiles = crate::import::profile::profiles_dir(data_dir);
    if let Ok(rd) = std::fs::read_dir(&profiles) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_file() {
                let bytes = std::fs::read(&p).map_err(|e| BackupError::io(&p, e))?;
                members.push((
                    format!("profiles/{}", e.file_name().to_string_lossy()),
                    Member::Bytes(bytes),
                ));
            }
        }
    }
    let mut files = BTreeMap::new();
    for (n, m) in &members {
        files.insert(n.clone(), m.sha256()?);
    }
    let manifest = Manifest {
        format: manifest::FORMAT,
        app_version: env!("CARGO_PKG_VERSION").into(),
        created_utc: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        created_by: user.into(),
        schema_version: crate::store::schema_version(store.conn())
            .map_err(|e| BackupError::Store(e.to_string()))?,
        audit_head,
        files,
        tables,
    };
    let manifest_json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Encrypt(e.to_string()))?;
    members.push(("manifest.json".into(), Member::Bytes(manifest_json)));

    progress.set(0.4, "バックアップ: 暗号化して書き出しています");
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let (final_path, partial) = free_name(out_dir, &stamp);
    write_encrypted(&partial, &k.recipients, &members)?;
    progress.set(0.75, "バックアップ: 書いたファイルを検証しています");
    let read_back = open_backup(&partial, &k.app, |_, r| {
        std::io::copy(r, &mut std::io::sink()).map(|_| ())
    })?;
    if read_back != manifest {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::Mismatch {
            file: partial.display().to_string(),
            why: "書き戻した目録が違います".into(),
        });
    }
    std::fs::rename(&partial, &final_path).map_err(|e| BackupError::io(&final_path, e))?;
    let bytes = std::fs::metadata(&final_path).map(|m| m.len()).unwrap_or(0);
    let mut removed = Vec::new();
    for old in generations(out_dir).into_iter().skip(keep.max(1)) {
        if std::fs::remove_file(&old).is_ok() {
            removed.push(old);
        }
    }
    progress.set(1.0, "バックアップが終わりました");
    Ok(BackupReport {
        file: final_path,
        bytes,
        tables: manifest.tables.len(),
        rows: manifest.tables.values().map(|t| t.rows).sum(),
        removed,
        recovery_missing: k.recovery_missing,
    })
}

/// The file (and its `.partial`) for a backup made at `stamp`: `kenshin-backup-STAMP.age`,
/// or, when a backup of the same second is there, `…-STAMP_002.age`, `_003` … (which sort
/// after it, so the newest stays first in [`generations`]). An existing backup is never
/// replaced.
fn free_name(dir: &Path, stamp: &str) -> (PathBuf, PathBuf) {
    let mut n = 1u32;
    loop {
        let base = if n == 1 {
            format!("kenshin-backup-{stamp}")
        } else {
            format!("kenshin-backup-{stamp}_{n:03}")
        };
        let final_path = dir.join(format!("{base}.age"));
        let partial = dir.join(format!("{base}.age.partial"));
        if !final_path.exists() && !partial.exists() {
            return (final_path, partial);
        }
        n += 1;
    }
}

/// A member of the archive: a file streamed from disk, or bytes.
enum Member {
    File(PathBuf),
    Bytes(Vec<u8>),
}

impl Member {
    fn sha256(&self) -> Result<String, BackupError> {
        match self {
            Member::Bytes(b) => Ok(sha256_hex(b)),
            Member::File(p) => {
                let mut f = std::fs::File::open(p).map_err(|e| BackupError::io(p, e))?;
                let mut h = Sha256::new();
                std::io::copy(&mut f, &mut h).map_err(|e| BackupError::io(p, e))?;
                Ok(crate::audit::hex(&h.finalize()))
            }
        }
    }
}

fn write_encrypted(
    path: &Path,
    recipients: &[age::x25519::Recipient],
    members: &[(String, Member)],
) -> Result<(), BackupError> {
    let io = |e| BackupError::io(path, e);
    let file = std::fs::File::create(path).map_err(io)?;
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| BackupError::Encrypt(e.to_string()))?;
    let writer = encryptor
        .wrap_output(std::io::BufWriter::new(file))
        .map_err(io)?;
    let mut tar = tar::Builder::new(writer);
    for (name, member) in members {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o600);
        h.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
        match member {
            Member::Bytes(bytes) => {
                h.set_size(bytes.len() as u64);
                h.set_cksum();
                tar.append_data(&mut h, name, bytes.as_slice())
                    .map_err(io)?;
            }
            Member::File(p) => {
                let f = std::fs::File::open(p).map_err(|e| BackupError::io(p, e))?;
                let len = f.metadata().map_err(|e| BackupError::io(p, e))?.len();
                h.set_size(len);
                h.set_cksum();
                tar.append_data(&mut h, name, std::io::BufReader::new(f))
                    .map_err(io)?;
            }
        }
    }
    let writer = tar.into_inner().map_err(io)?;
    let buf = writer.finish().map_err(io)?;
    let file = buf.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)
}

/// Hashes what passes through.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Decrypts a backup with `identity`, streaming every member but the manifest through
/// `sink` (name, reader), and checks each member's SHA-256 against the manifest. Returns
/// the manifest. Nothing is trusted before the whole archive checks out.
pub fn open_backup(
    path: &Path,
    identity: &age::x25519::Identity,
    mut sink: impl FnMut(&str, &mut dyn Read) -> std::io::Result<()>,
) -> Result<Manifest, BackupError> {
    let name = path.display().to_string();
    let corrupt = |why: String| BackupError::Corrupt {
        file: name.clone(),
        why,
    };
    let file = std::fs::File::open(path).map_err(|e| BackupError::io(path, e))?;
    let decryptor = age::Decryptor::new(std::io::BufReader::new(file))
        .map_err(|e| corrupt(format!("age の形式ではありません: {e}")))?;
    let reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => BackupError::WrongKey { file: name.clone() },
            e => corrupt(e.to_string()),
        })?;
    let mut archive = tar::Archive::new(reader);
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    for entry in archive.entries().map_err(|e| corrupt(e.to_string()))? {
        let mut entry = entry.map_err(|e| corrupt(e.to_string()))?;
        let member = entry
            .path()
            .map_err(|e| corrupt(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        if member == "manifest.json" {
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| corrupt(format!("{member}: {e}")))?;
            manifest = Some(
                serde_json::from_slice(&bytes)
                    .map_err(|e| corrupt(format!("目録を読めません: {e}")))?,
            );
        } else {
            let mut h = Hashing {
                inner: &mut entry,
                hash: Sha256::new(),
            };
            sink(&member, &mut h).map_err(|e| corrupt(format!("{member}: {e}")))?;
            // Whatever the sink left unread still counts.
            std::io::copy(&mut h, &mut std::io::sink())
                .map_err(|e| corrupt(format!("{member}: {e}")))?;
            hashes.insert(member, crate::audit::hex(&h.hash.finalize()));
        }
    }
    let manifest = manifest.ok_or_else(|| corrupt("目録（manifest.json）がありません".into()))?;
    if hashes != manifest.files {
        let bad = manifest
            .files
            .iter()
            .find(|(m, h)| hashes.get(*m) != Some(h))
            .map(|(m, _)| m.clone())
            .unwrap_or_else(|| "（余分なファイル）".into());
        return Err(BackupError::Mismatch {
            file: name,
            why: format!("{bad} が目録と違います"),
        });
    }
    Ok(manifest)
}

/// Copies a member into `path` and syncs it (restore staging).
pub(crate) fn write_synced(path: &Path, r: &mut dyn Read) -> std::io::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    std::io::copy(r, &mut f)?;
    f.flush()?;
    f.into_inner().map_err(|e| e.into_error())?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_backup_in_the_same_second_gets_its_own_name_and_sorts_newest() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = free_name(dir.path(), "20261126-153012");
        std::fs::write(&first, b"1").unwrap();
        let (second, partial) = free_name(dir.path(), "20261126-153012");
        assert_ne!(first, second);
        assert!(partial.to_string_lossy().ends_with("_002.age.partial"));
        std::fs::write(&second, b"2").unwrap();
        let (third, _) = free_name(dir.path(), "20261126-153012");
        assert!(third.to_string_lossy().ends_with("_003.age"));
        std::fs::write(&third, b"3").unwrap();
        // Newest first, the way old generations are pruned.
        assert_eq!(generations(dir.path()), vec![third, second, first]);
    }
}
