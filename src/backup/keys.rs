//! The two age keys every backup is encrypted to:
//! - the app's own key (`keys/backup-app.key`, an age identity file in the data folder,
//!   outside the database), so that this machine can verify and restore by itself;
//! - the admin's recovery key, made at first setup and shown once to be printed and
//!   locked away; only its public half (`keys/recovery.pub`) stays here. It restores on a
//!   new machine, and opens a backup with the standard `age` tool.

use std::path::{Path, PathBuf};

use age::secrecy::ExposeSecret;
use age::x25519::{Identity, Recipient};

use super::BackupError;

pub fn app_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("backup-app.key")
}

pub fn recovery_pub_path(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("recovery.pub")
}

fn write_new(path: &Path, text: &str) -> Result<(), BackupError> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| BackupError::io(d, e))?;
    }
    std::fs::write(path, text).map_err(|e| BackupError::io(path, e))?;
    crate::os::restrict_file(path);
    Ok(())
}

/// Reads an age identity file (comments allowed); the first `AGE-SECRET-KEY-1…` line.
pub fn identity_from_file(path: &Path) -> Result<Identity, BackupError> {
    let text = std::fs::read_to_string(path).map_err(|e| BackupError::io(path, e))?;
    identity_from_text(&text).ok_or_else(|| BackupError::BadKey(path.to_path_buf()))
}

pub fn identity_from_text(text: &str) -> Option<Identity> {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .and_then(|l| l.parse().ok())
}

/// The key file text of an identity, in age's identity-file format.
fn identity_file(id: &Identity, what: &str) -> String {
    format!(
        "# 健診アトラス {what}\n# public key: {}\n{}\n",
        id.to_public(),
        id.to_string().expose_secret()
    )
}

/// Makes the app key if missing. A backup and a restore call this, never [`init`]: they
/// run as whoever asked (or as the system) and must not make a recovery key, whose secret
/// half would be shown to that person.
pub fn init_app(data_dir: &Path) -> Result<(), BackupError> {
    let app = app_key_path(data_dir);
    if !app.exists() {
        write_new(
            &app,
            &identity_file(&Identity::generate(), "バックアップ用アプリ鍵"),
        )?;
    }
    Ok(())
}

/// At first setup: makes the app key if missing, and the recovery key if missing. Returns
/// the recovery key's identity-file text when it was just made (to be shown once, to the
/// admin who is setting the app up).
pub fn init(data_dir: &Path) -> Result<Option<String>, BackupError> {
    init_app(data_dir)?;
    if recovery_pub_path(data_dir).exists() {
        return Ok(None);
    }
    renew_recovery(data_dir).map(Some)
}

/// Makes a new recovery key, replacing the public half kept here, and returns its
/// identity-file text (shown once). Backups made before stay readable with the old key.
pub fn renew_recovery(data_dir: &Path) -> Result<String, BackupError> {
    let id = Identity::generate();
    write_new(
        &recovery_pub_path(data_dir),
        &format!("{}\n", id.to_public()),
    )?;
    Ok(identity_file(
        &id,
        "復旧鍵（印刷して保管。再表示できません）",
    ))
}

/// After a restore on a new machine: the recovery key's public half is known again.
pub fn set_recovery_public(data_dir: &Path, id: &Identity) -> Result<(), BackupError> {
    write_new(
        &recovery_pub_path(data_dir),
        &format!("{}\n", id.to_public()),
    )
}

/// The app identity and the recipients: the app key, and the recovery key when there is
/// one.
pub struct Keys {
    pub app: Identity,
    pub recipients: Vec<Recipient>,
    /// No recovery key is kept here: a backup can then be restored on this machine only.
    pub recovery_missing: bool,
}

pub fn load(data_dir: &Path) -> Result<Keys, BackupError> {
    let app = identity_from_file(&app_key_path(data_dir))?;
    let rpath = recovery_pub_path(data_dir);
    let mut recipients = vec![app.to_public()];
    let recovery_missing = !rpath.exists();
    if !recovery_missing {
        let text = std::fs::read_to_string(&rpath).map_err(|e| BackupError::io(&rpath, e))?;
        let recovery: Recipient = text
            .trim()
            .parse()
            .map_err(|_| BackupError::BadKey(rpath.clone()))?;
        recipients.push(recovery);
    }
    Ok(Keys {
        recipients,
        app,
        recovery_missing,
    })
}
