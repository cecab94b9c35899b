//! The audit log (利用ログ): append-only JSON lines in `data/audit/audit-YYYYMM.jsonl`,
//! outside the database, so that restoring a backup never rolls it back.
//!
//! Tamper evidence: every entry carries `mac = HMAC-SHA256(key, prev_mac ‖ entry)`, a chain
//! over the whole log. The key and the head (the last sequence number and MAC) are kept in
//! `data/keys/`, outside both the log and the database; each backup records the head too.
//! [`verify`] recomputes the chain and compares its end with the head, so it finds a
//! changed byte, a deleted or reordered entry, and a cut-off tail, and names the first
//! broken entry. The app has no path that edits or deletes entries.
//!
//! Entries hold ids only (user id, table, layer, file name; an insured id only where the
//! action is about that person), never names or addresses.

mod entry;
mod query;
mod verify;

pub use entry::{Action, Entry, Outcome};
pub use query::{Counts, Filter, Flag, counts, flags, write_csv};
pub use verify::{VerifyReport, verify};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The actor of what the app does on its own, whoever is logged in (the daily backup).
/// Never a user's ID: [`crate::auth::valid_id`] refuses it.
pub const SYSTEM: &str = "system";

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("利用ログ {path} に書けません: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("利用ログの鍵 {0} が壊れています。管理者に連絡してください。")]
    BadKey(PathBuf),
    #[error("乱数を取得できません: {0}")]
    Random(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
    move |source| AuditError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where the log, its key and its head live under a data directory.
#[derive(Debug, Clone)]
pub struct AuditPaths {
    pub log_dir: PathBuf,
    pub key: PathBuf,
    pub head: PathBuf,
}

impl AuditPaths {
    pub fn in_data_dir(data_dir: &Path) -> AuditPaths {
        AuditPaths {
            log_dir: data_dir.join("audit"),
            key: data_dir.join("keys").join("audit.key"),
            head: data_dir.join("keys").join("audit.head"),
        }
    }
}

/// The last entry's sequence number and MAC (hex); (0, "") for an empty log.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub seq: u64,
    pub mac: String,
}

pub struct AuditLog {
    paths: AuditPaths,
    key: Vec<u8>,
    head: Mutex<Head>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("log_dir", &self.paths.log_dir)
            .finish()
    }
}

pub(crate) fn mac_of(key: &[u8], prev: &str, body: &str) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for HMAC.
    let mut m = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    m.update(prev.as_bytes());
    m.update(b"\n");
    m.update(body.as_bytes());
    hex(&m.finalize().into_bytes())
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

pub(crate) fn read_key(path: &Path) -> Result<Vec<u8>, AuditError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    unhex(&text)
        .filter(|k| k.len() == 32)
        .ok_or_else(|| AuditError::BadKey(path.to_path_buf()))
}

pub(crate) fn read_head(path: &Path) -> Result<Option<Head>, AuditError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(serde_json::from_str(&t).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash leaves
/// either the old or the new content.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AuditError> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io(path))
}

impl AuditLog {
    /// Opens the log of a data directory, creating the key on first use.
    pub fn open(data_dir: &Path) -> Result<AuditLog, AuditError> {
        let paths = AuditPaths::in_data_dir(data_dir);
        for d in [&paths.log_dir, paths.key.parent().unwrap_or(data_dir)] {
            std::fs::create_dir_all(d).map_err(io(d))?;
        }
        let key = if paths.key.exists() {
            read_key(&paths.key)?
        } else {
            let mut k = vec![0u8; 32];
            getrandom::fill(&mut k).map_err(|e| AuditError::Random(e.to_string()))?;
            write_atomic(&paths.key, hex(&k).as_bytes())?;
            crate::os::restrict_file(&paths.key);
            k
        };
        let head = read_head(&paths.head)?.unwrap_or_default();
        Ok(AuditLog {
            paths,
            key,
            head: Mutex::new(head),
        })
    }

    /// The current head (recorded in each backup).
    pub fn head(&self) -> Head {
        self.head.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Appends one entry (time now) and moves the head. The line is flushed to disk before
    /// the head is written.
    pub fn append(&self, draft: entry::Draft) -> Result<Entry, AuditError> {
        let mut head = self
            .head
            .lock()
            .map_err(|_| AuditError::BadKey(self.paths.head.clone()))?;
        let now = chrono::Local::now();
        let mut e = Entry::from_draft(draft, head.seq + 1, &now, &head.mac);
        e.mac = mac_of(&self.key, &head.mac, &e.body());
        let file = self
            .paths
            .log_dir
            .join(format!("audit-{}.jsonl", now.format("%Y%m")));
        let line = serde_json::to_string(&e).unwrap_or_default();
        {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&file)
                .map_err(io(&file))?;
            f.write_all(line.as_bytes()).map_err(io(&file))?;
            f.write_all(b"\n").map_err(io(&file))?;
            f.sync_data().map_err(io(&file))?;
        }
        *head = Head {
            seq: e.seq,
            mac: e.mac.clone(),
        };
        write_atomic(
            &self.paths.head,
            serde_json::to_string(&*head).unwrap_or_default().as_bytes(),
        )?;
        Ok(e)
    }

    /// Appends, reporting a failure on standard error instead of failing the action that
    /// is being logged (the failure itself names no personal data).
    pub fn record(&self, draft: entry::Draft) {
        if let Err(e) = self.append(draft) {
            eprintln!("利用ログの記録に失敗しました: {e}");
        }
    }

    /// Every entry in order (for the viewer and exports).
    pub fn entries(&self) -> Result<Vec<Entry>, AuditError> {
        let mut out = Vec::new();
        for file in verify::log_files(&self.paths.log_dir)? {
            let text = std::fs::read_to_string(&file).map_err(io(&file))?;
            out.extend(text.lines().filter_map(|l| serde_json::from_str(l).ok()));
        }
        Ok(out)
    }
}

pub use entry::Draft;
