//! Whether a path is on a removable drive (USB memory, SD cards), for the right
//! 外部記憶媒体への書出し:
//! - Windows: the drive's type, `GetDriveTypeW(root) == DRIVE_REMOVABLE` (the `windows`
//!   crate);
//! - Linux and other Unix: paths under `/media`, `/run/media` and `/mnt`, where desktops
//!   and admins mount such drives.
//!
//! The seam for tests: folders listed in `KENSHIN_REMOVABLE_ROOTS` (separated like PATH)
//! count as removable too. It can only add drives to the check, never take one away, so
//! it cannot open a way around the right; tests use it so that none writes under /media.
//!
//! Type-checked for Windows (`tools/os-check`), never run here.

use std::path::{Path, PathBuf};

/// The environment variable of the test seam.
pub const ROOTS_ENV: &str = "KENSHIN_REMOVABLE_ROOTS";

fn extra_roots() -> Vec<PathBuf> {
    std::env::var_os(ROOTS_ENV)
        .map(|v| {
            std::env::split_paths(&v)
                .map(|r| std::fs::canonicalize(&r).unwrap_or(r))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the absolute path `path` is on a removable drive.
pub fn is_removable(path: &Path) -> bool {
    extra_roots().iter().any(|r| path.starts_with(r)) || imp::removable(path)
}

#[cfg(not(windows))]
mod imp {
    use std::path::Path;

    /// The mount points of removable media on Linux desktops and servers.
    pub const ROOTS: [&str; 3] = ["/media", "/run/media", "/mnt"];

    pub fn removable(path: &Path) -> bool {
        ROOTS.iter().any(|r| path.starts_with(r))
    }
}

#[cfg(windows)]
mod imp {
    use std::path::{Component, Path, Prefix};

    use windows::Win32::Storage::FileSystem::GetDriveTypeW;
    use windows::core::PCWSTR;

    /// `DRIVE_REMOVABLE` (winbase.h).
    const DRIVE_REMOVABLE: u32 = 2;

    /// The drive's root (`E:\`) as a NUL-terminated wide string; network shares are not
    /// removable drives.
    fn root(path: &Path) -> Option<Vec<u16>> {
        match path.components().next()? {
            Component::Prefix(p) => match p.kind() {
                Prefix::Disk(letter) | Prefix::VerbatimDisk(letter) => Some(vec![
                    u16::from(letter),
                    u16::from(b':'),
                    u16::from(b'\\'),
                    0,
                ]),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn removable(path: &Path) -> bool {
        match root(path) {
            // SAFETY: `r` is a valid NUL-terminated UTF-16 string that outlives the call.
            Some(r) => unsafe { GetDriveTypeW(PCWSTR(r.as_ptr())) == DRIVE_REMOVABLE },
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(not(windows))]
    #[test]
    fn media_mounts_are_removable_and_home_is_not() {
        use super::*;
        assert!(is_removable(Path::new("/media/usb0/結果.xlsx")));
        assert!(is_removable(Path::new("/run/media/kanri/USB/a.csv")));
        assert!(is_removable(Path::new("/mnt/sd/a.csv")));
        assert!(!is_removable(Path::new("/home/kanri/出力/a.csv")));
        assert!(
            !is_removable(Path::new("/mediafiles/a.csv")),
            "a prefix of a name is not a mount"
        );
    }
}
