//! Everything that differs between Windows (the target) and Unix (where this is built and
//! tested), in one place, with both paths compiled behind `cfg`:
//! - the single-instance lock on the data folder (an OS file lock, released when the
//!   process dies, so a crash never leaves a stale lock);
//! - restricting the data folder and key files to the account that runs the app
//!   (Unix: mode 0700/0600; Windows: `icacls`, inheritance removed, full control for the
//!   current user, SYSTEM and Administrators);
//! - whether an export goes to a removable drive ([`removable`]);
//! - printing ([`print`]: the dialog and GDI on Windows, `lp` elsewhere) and the page
//!   geometry it uses ([`device`]: mm to device pixels, bands), portable and tested here.
//!
//! Windows paths use the `windows` crate (features in Cargo.toml) or Windows commands
//! (`icacls`). They are type-checked for Windows without DuckDB or egui by
//! `tools/os-check`, which compiles this folder alone:
//! `cargo check -p kenshin-os-check --target x86_64-pc-windows-gnu` (and `-msvc`).
//! None of them has run here: no Windows machine, dialog, driver or USB drive.

pub mod device;
pub mod print;
pub mod removable;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "健診アトラスは既に起動しています（{holder}）。同じデータフォルダを開けるのは一つだけです。先に起動した画面を使うか、終了してからやり直してください。"
    )]
    Running { holder: String },
    #[error("ロックファイル {path} を作れません: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held while the app (GUI or CLI) has the data folder open.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
    owner: PathBuf,
}

impl InstanceLock {
    /// Takes the lock of `data_dir`, or says who holds it. `user` (an id, or "" before
    /// login) is written beside the lock for the message a second instance shows.
    pub fn acquire(data_dir: &Path, what: &str) -> Result<InstanceLock, LockError> {
        std::fs::create_dir_all(data_dir).map_err(|source| LockError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join("kenshin.lock");
        let owner = data_dir.join("kenshin.lock.owner");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| LockError::Io {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&owner)
                    .ok()
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| "起動中の利用者は不明".into());
                return Err(LockError::Running {
                    holder: holder.trim().to_string(),
                });
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(LockError::Io { path, source });
            }
        }
        let lock = InstanceLock { _file: file, owner };
        lock.set_holder(what);
        Ok(lock)
    }

    /// Updates who holds the lock (after login: "利用者 tanaka、画面").
    pub fn set_holder(&self, what: &str) {
        if let Ok(mut f) = File::create(&self.owner) {
            let _ = write!(f, "{what}、プロセス {}", std::process::id());
        }
    }
}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.owner);
    }
}

/// Restricts a folder to the current OS account (best effort; failures are reported).
pub fn restrict_dir(dir: &Path) -> Result<(), String> {
    imp::restrict(dir, true)
}

/// Restricts a file (a key) to the current OS account; failures are ignored here and show
/// up in `restrict_dir` on the folder.
pub fn restrict_file(path: &Path) {
    let _ = imp::restrict(path, false);
}

/// CPU time used by this process so far (all threads, user + system), for the benchmarks.
/// Linux reads `/proc/self/stat` (clock ticks of 1/100 s); elsewhere `None`.
pub fn process_cpu_seconds() -> Option<f64> {
    #[cfg(target_os = "linux")]
    {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name (which may hold spaces) close with ')'.
        let rest = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after ')'.
        let utime: f64 = fields.get(11)?.parse().ok()?;
        let stime: f64 = fields.get(12)?.parse().ok()?;
        Some((utime + stime) / 100.0)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(unix)]
mod imp {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    pub fn restrict(path: &Path, dir: bool) -> Result<(), String> {
        let mode = if dir { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| format!("{} の権限を変更できません: {e}", path.display()))
    }
}

#[cfg(windows)]
mod imp {
    use std::path::Path;
    use std::process::Command;

    /// `icacls PATH /inheritance:r /grant:r USER:(OI)(CI)F /grant:r SYSTEM:… /grant:r
    /// Administrators:…` (for a file without the (OI)(CI) inheritance flags).
    pub fn restrict(path: &Path, dir: bool) -> Result<(), String> {
        let user = match (std::env::var("USERDOMAIN"), std::env::var("USERNAME")) {
            (Ok(d), Ok(u)) => format!("{d}\\{u}"),
            (_, Ok(u)) => u,
            _ => return Err("利用者名（USERNAME）が分かりません".into()),
        };
        let flags = if dir { "(OI)(CI)F" } else { "F" };
        let out = Command::new("icacls")
            .arg(path)
            .arg("/inheritance:r")
            .args(["/grant:r", &format!("{user}:{flags}")])
            .args(["/grant:r", &format!("*S-1-5-18:{flags}")])
            .args(["/grant:r", &format!("*S-1-5-32-544:{flags}")])
            .output()
            .map_err(|e| format!("icacls を実行できません: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} の権限を変更できません（icacls 終了コード {:?}）",
                path.display(),
                out.status.code()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = InstanceLock::acquire(dir.path(), "利用者 admin、画面").unwrap();
        let e = InstanceLock::acquire(dir.path(), "CLI").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("既に起動しています"), "{msg}");
        assert!(msg.contains("利用者 admin"), "{msg}");
        drop(first);
        InstanceLock::acquire(dir.path(), "CLI").unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn folders_are_restricted_to_the_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        restrict_dir(dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
