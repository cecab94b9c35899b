//! Backups and restore on the demo data: a backup → wipe → restore round trip gives the
//! same query results; a corrupted backup or a wrong key is refused and changes nothing;
//! killing the process during backups leaves the database and the earlier generations
//! intact; the standard `age` tool opens a backup with the recovery key.

use kenshin_atlas::app::{AdminCmd, AdminReply, ImportCmd, ImportReply};
use std::path::{Path, PathBuf};
use std::process::Command as Proc;

use kenshin_atlas::analysis::uptake::{Level, uptake};
use kenshin_atlas::app::{Command, Outcome};
use kenshin_atlas::auth::SystemClock;
use kenshin_atlas::backup::{self, BackupError, keys, manifest, restore};
use kenshin_atlas::import::ImportOptions;
use kenshin_atlas::job::Progress;
use kenshin_atlas::store::Store;

use super::common::{ADMIN, ADMIN_PASSWORD, admin_engine_with_recovery, demo};

/// A data folder with the demo imported, the admin, and the recovery key in a file.
fn populated(root: &Path) -> (kenshin_atlas::app::Engine, PathBuf) {
    let store = Store::open(&root.join("data")).unwrap();
    let (mut e, recovery) = admin_engine_with_recovery(store, Box::new(SystemClock));
    match e.execute(
        Command::from(ImportCmd::Import {
            files: demo().summary.files.clone(),
            opts: ImportOptions::default(),
        }),
        &Progress::new(),
    ) {
        Outcome::Import(ImportReply::Imported { reports, .. }) => {
            assert!(reports.iter().all(|r| r.is_success()))
        }
        o => panic!("{o:?}"),
    }
    let key = root.join("復旧鍵.txt");
    std::fs::write(&key, recovery).unwrap();
    (e, key)
}

/// Table sums without `users` (each CLI login stamps its last-login time).
fn data_sums(store: &Store) -> String {
    let mut m = manifest::table_sums(store.conn()).unwrap();
    m.remove("users");
    format!("{m:?}")
}

fn answers(store: &Store) -> (Vec<String>, String) {
    let mut out = Vec::new();
    for fy in 2017..=2021 {
        for r in uptake(store.conn(), Level::SmallArea, fy).unwrap() {
            out.push(format!("{fy} {} {} {}", r.code, r.targets, r.attendees));
        }
    }
    let sums = format!("{:?}", manifest::table_sums(store.conn()).unwrap());
    (out, sums)
}

#[test]
fn backup_wipe_restore_gives_the_same_answers_and_bad_backups_change_nothing() {
    let root = tempfile::tempdir().unwrap();
    let (e, recovery) = populated(root.path());
    let before = answers(&e.store);
    assert!(before.0.len() > 1000);
    let out = root.path().join("backups");
    let rep = backup::run(&e.store, e.audit.head(), ADMIN, &out, 2, &Progress::new()).unwrap();
    assert!(rep.file.exists() && rep.rows > 10_000, "{rep:?}");
    assert!(!rep.recovery_missing, "made at setup");
    // Generations: three backups, two kept.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    backup::run(&e.store, e.audit.head(), ADMIN, &out, 2, &Progress::new()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let head_then = e.audit.head();
    let last = backup::run(
        &e.store,
        head_then.clone(),
        ADMIN,
        &out,
        2,
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(backup::generations(&out).len(), 2);
    assert_eq!(last.removed, vec![rep.file.clone()]);
    drop(e);

    // Restore into an empty folder with the recovery key (a new machine).
    let fresh = root.path().join("new-machine");
    let staged = restore::stage(&last.file, &fresh, Some(&recovery)).unwrap();
    assert_eq!(staged.manifest.created_by, ADMIN);
    assert_eq!(
        staged.manifest.audit_head, head_then,
        "the backup records the audit head"
    );
    assert!(head_then.seq > 0);
    staged.commit().unwrap();
    let restored = Store::open(&fresh).unwrap();
    assert_eq!(answers(&restored), before, "identical query results");
    // The restored machine has its own app key and the same recovery key's public half.
    assert!(keys::app_key_path(&fresh).exists());
    let recovery_pub = std::fs::read_to_string(keys::recovery_pub_path(&fresh)).unwrap();
    assert_eq!(
        recovery_pub.trim(),
        std::fs::read_to_string(keys::recovery_pub_path(&root.path().join("data")))
            .unwrap()
            .trim()
    );
    drop(restored);

    // A corrupted copy and a wrong key are refused; the restored data stays as it was.
    let bad = root.path().join("bad.age");
    let mut bytes = std::fs::read(&last.file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&bad, &bytes).unwrap();
    let e = restore::stage(&bad, &fresh, Some(&recovery)).err().unwrap();
    assert!(
        matches!(
            e,
            BackupError::Corrupt { .. } | BackupError::Mismatch { .. }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("データは変更していません"), "{e}");
    let other = root.path().join("other-key.txt");
    std::fs::write(
        &other,
        std::fs::read_to_string(keys::app_key_path(&fresh)).unwrap(),
    )
    .unwrap();
    let e = restore::stage(&last.file, &fresh, Some(&other))
        .err()
        .unwrap();
    assert!(matches!(e, BackupError::WrongKey { .. }), "{e}");
    let leftovers: Vec<_> = std::fs::read_dir(&fresh)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("restore-staging")
        })
        .collect();
    assert!(leftovers.is_empty(), "no staging copy is left behind");
    let restored = Store::open(&fresh).unwrap();
    assert_eq!(answers(&restored), before);

    // The standard age tool opens it with the recovery key (when installed).
    if let Ok(o) = Proc::new("age")
        .args(["-d", "-i"])
        .arg(&recovery)
        .arg(&last.file)
        .output()
    {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut names: Vec<String> = tar::Archive::new(o.stdout.as_slice())
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert!(names.contains(&"manifest.json".to_string()), "{names:?}");
        assert!(names.contains(&"kenshin.duckdb".to_string()), "{names:?}");
    } else {
        eprintln!("age is not installed here: the standard-tool check is skipped");
    }
}

#[test]
fn killing_backups_leaves_the_database_and_earlier_generations_intact() {
    let root = tempfile::tempdir().unwrap();
    let (e, recovery) = populated(root.path());
    let data = root.path().join("data");
    let sums = data_sums(&e.store);
    drop(e);
    let out = root.path().join("backups");
    let backup_cli = || {
        let mut p = Proc::new(env!("CARGO_BIN_EXE_kenshin-atlas"));
        p.arg("--data-dir")
            .arg(&data)
            .args(["--user", ADMIN, "backup", "--out"])
            .arg(&out)
            .env("KENSHIN_PASSWORD", ADMIN_PASSWORD);
        p
    };
    let o = backup_cli().output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let first = backup::generations(&out);
    assert_eq!(first.len(), 1);
    let app_key = keys::identity_from_file(&keys::app_key_path(&data)).unwrap();
    for delay_ms in [40u64, 120, 250, 400, 700, 1000] {
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let mut child = backup_cli().spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Every complete generation still opens and checks; the killed one left at most
        // a .partial file, never a truncated .age.
        for g in backup::generations(&out) {
            backup::open_backup(&g, &app_key, |_, r| {
                std::io::copy(r, &mut std::io::sink()).map(|_| ())
            })
            .unwrap_or_else(|e| panic!("{} after a kill at {delay_ms} ms: {e}", g.display()));
        }
        assert!(backup::generations(&out).contains(&first[0]));
        let store = Store::open(&data).unwrap();
        assert_eq!(data_sums(&store), sums);
    }
    // The next backup cleans up after the killed ones.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let o = backup_cli().output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let partials = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .count();
    assert_eq!(partials, 0);
    let snapshots = std::fs::read_dir(data.join("tmp"))
        .map(|rd| rd.flatten().count())
        .unwrap_or(0);
    assert_eq!(snapshots, 0, "no snapshot copy is left in the data folder");

    // `restore` into an empty folder: a wrong password leaves nothing; the right one
    // restores, checks and records the restore in that folder's audit log.
    let newest = backup::generations(&out)[0].clone();
    let target = root.path().join("restored");
    let restore_cli = |pw: &str| {
        Proc::new(env!("CARGO_BIN_EXE_kenshin-atlas"))
            .arg("--data-dir")
            .arg(&target)
            .args(["--user", ADMIN, "restore"])
            .arg(&newest)
            .arg("--recovery-key")
            .arg(&recovery)
            .env("KENSHIN_PASSWORD", pw)
            .output()
            .unwrap()
    };
    let o = restore_cli("not the admin password");
    assert!(!o.status.success());
    assert!(!target.join("kenshin.duckdb").exists());
    let o = restore_cli(ADMIN_PASSWORD);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let store = Store::open(&target).unwrap();
    assert_eq!(data_sums(&store), sums);
    let log = kenshin_atlas::audit::AuditLog::open(&target).unwrap();
    let actions: Vec<_> = log
        .entries()
        .unwrap()
        .iter()
        .map(|e| (e.action, e.result))
        .collect();
    assert!(actions.contains(&(
        kenshin_atlas::audit::Action::Restore,
        kenshin_atlas::audit::Outcome::Ok
    )));
    assert!(actions.contains(&(
        kenshin_atlas::audit::Action::Restore,
        kenshin_atlas::audit::Outcome::Error
    )));
}

#[test]
fn the_daily_backup_runs_once_a_day_after_its_time() {
    let root = tempfile::tempdir().unwrap();
    let store = Store::open(&root.path().join("data")).unwrap();
    let (mut e, _) = admin_engine_with_recovery(store, Box::new(SystemClock));
    let out = root.path().join("daily");
    let run = |e: &mut kenshin_atlas::app::Engine, c: Command| e.execute(c, &Progress::new());
    // Not configured: nothing happens.
    assert!(matches!(
        run(&mut e, Command::from(AdminCmd::ScheduledBackup)),
        Outcome::Admin(AdminReply::BackupNotDue)
    ));
    for (key, value) in [
        (backup::SETTING_DIR, out.display().to_string()),
        (backup::SETTING_TIME, "00:00".to_string()),
    ] {
        let o = run(
            &mut e,
            Command::from(AdminCmd::Op(kenshin_atlas::app::AdminOp::SetSetting {
                key: key.into(),
                value,
            })),
        );
        assert!(
            matches!(o, Outcome::Admin(AdminReply::Done { .. })),
            "{o:?}"
        );
    }
    // A malformed time is refused with the accepted forms named.
    let o = run(
        &mut e,
        Command::from(AdminCmd::Op(kenshin_atlas::app::AdminOp::SetSetting {
            key: backup::SETTING_TIME.into(),
            value: "25:99".into(),
        })),
    );
    assert!(
        matches!(o, Outcome::Failed(ref m) if m.to_string().contains("18:30")),
        "{o:?}"
    );
    // Past 00:00 with no generation today: it runs; then not again today.
    assert!(matches!(
        run(&mut e, Command::from(AdminCmd::ScheduledBackup)),
        Outcome::Admin(AdminReply::BackupDone(_))
    ));
    assert_eq!(backup::generations(&out).len(), 1);
    assert!(matches!(
        run(&mut e, Command::from(AdminCmd::ScheduledBackup)),
        Outcome::Admin(AdminReply::BackupNotDue)
    ));
    assert_eq!(backup::generations(&out).len(), 1);
}
