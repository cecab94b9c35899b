//! Accounts, rights and the audit log, through the engine every front end uses and through
//! the real binary: each right refused without it (and the refusal logged) and allowed
//! with it; the lockout; the allow-list; suspension ending a session; the idle lock on an
//! injected clock; `audit verify` on an edited and a shortened log; the second-instance
//! refusal; and no personal data in files outside the database.

use kenshin_atlas::app::{
    AccountCmd, AccountReply, AdminCmd, AdminReply, GeocodeCmd, ImportCmd, ImportReply, MapCmd,
    MapReply,
};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command as Proc;

use kenshin_atlas::app::{AdminOp, Command, Engine, Outcome, Secret};
use kenshin_atlas::audit::{self, Action, AuditLog, Outcome as R};
use kenshin_atlas::auth::{AuthError, Right, Role, Security, SystemClock, TestClock};
use kenshin_atlas::import::{ImportOptions, import_file};
use kenshin_atlas::job::Progress;
use kenshin_atlas::render::export::MapPng;
use kenshin_atlas::store::Store;

use super::common::{ADMIN, ADMIN_PASSWORD, admin_engine, demo};

pub(super) const USER_PASSWORD: &str = "三笠山に出でし月かも 2021";

pub(super) fn run(e: &mut Engine, c: Command) -> Outcome {
    e.execute(c, &Progress::new())
}

pub(super) fn login(e: &mut Engine, user: &str, pw: &str) -> Outcome {
    run(
        e,
        Command::from(AccountCmd::Login {
            user: user.into(),
            password: Secret(pw.into()),
        }),
    )
}

pub(super) fn admin_op(e: &mut Engine, op: AdminOp) -> String {
    match run(e, Command::from(AdminCmd::Op(op))) {
        Outcome::Admin(AdminReply::Done { message, .. }) => message,
        o => panic!("admin op: {o:?}"),
    }
}

/// Registers `id` (view-only), sets `rights`, and leaves the engine logged in as `id`
/// with a changed password.
pub(super) fn user_with(e: &mut Engine, id: &str, rights: BTreeSet<Right>) {
    login(e, ADMIN, ADMIN_PASSWORD);
    admin_op(
        e,
        AdminOp::Allow {
            id: id.into(),
            valid_until: None,
            note: String::new(),
        },
    );
    let msg = admin_op(
        e,
        AdminOp::Register {
            id: id.into(),
            role: Role::ViewOnly,
        },
    );
    let initial = msg.rsplit(' ').next().unwrap().to_string();
    admin_op(
        e,
        AdminOp::SetRights {
            id: id.into(),
            rights,
        },
    );
    run(e, Command::from(AccountCmd::Logout));
    match login(e, id, &initial) {
        Outcome::Account(AccountReply::LoggedIn(i)) => assert!(i.must_change_password),
        o => panic!("{o:?}"),
    }
    // Nothing but the password change is possible before it.
    assert!(
        matches!(run(e, Command::from(ImportCmd::Stats)), Outcome::Denied(ref m) if m.contains("初期パスワード"))
    );
    match run(
        e,
        Command::from(AccountCmd::ChangePassword {
            old: Secret(initial),
            new: Secret(USER_PASSWORD.into()),
        }),
    ) {
        Outcome::Account(AccountReply::PasswordChanged(i)) => assert!(!i.must_change_password),
        o => panic!("{o:?}"),
    }
}

/// Rights that no command probes here: [`attempt`] checks them in the core only. Every
/// other right has a probe (a test checks both ways). Print: until the printing issue.
/// (Print is probed with a layout whose item lies off the page: granted, it fails after the
/// gate and never reaches a printer.)
/// ExportRemovable: it needs a removable destination, which only the test seam
/// (`KENSHIN_REMOVABLE_ROOTS`, set on a child process) makes: `exports.rs` probes it
/// through the CLI.
const NO_PROBE_YET: [Right; 1] = [Right::ExportRemovable];

/// A command that needs `r` (writing, if anything, under `dir`); `None` for
/// [`NO_PROBE_YET`].
fn probe(r: Right, dir: &Path) -> Option<Command> {
    Some(match r {
        Right::ViewPersonal => Command::from(GeocodeCmd::Unmatched { limit: 5 }),
        Right::Import => Command::from(ImportCmd::Import {
            files: vec![],
            opts: ImportOptions::default(),
        }),
        Right::Edit => Command::from(MapCmd::SaveMap {
            name: "probe".into(),
            doc: Box::new(kenshin_atlas::ui::map::MapState::default().to_document()),
        }),
        Right::ManageLayers => Command::from(MapCmd::ImportLayer {
            file: "missing.geojson".into(),
            opts: Default::default(),
        }),
        Right::ManageUsers => Command::from(AdminCmd::Users {
            search: String::new(),
        }),
        Right::ViewAudit => Command::from(AdminCmd::AuditLog(Default::default())),
        Right::Print => {
            let mut layout = kenshin_atlas::layout::templates::all().remove(0);
            layout.items[0].rect = [5000.0, 0.0, 10.0, 10.0];
            Command::from(kenshin_atlas::app::domain::print::PrintCmd::Print {
                layout: Box::new(layout),
                copies: 1,
            })
        }
        Right::Backup => Command::from(AdminCmd::Backup {
            dir: None,
            keep: None,
        }),
        // A small map PNG (the CLI's `render` sends the same command).
        Right::Export => Command::from(MapCmd::RenderMap {
            spec: MapPng {
                width: 64,
                height: 48,
                ..Default::default()
            },
            out: dir.join("probe.png"),
        }),
        Right::ExportRemovable => return None,
    })
}

#[test]
fn every_right_has_a_probe_or_is_listed_without_one() {
    let dir = Path::new("unused");
    for r in Right::ALL {
        assert_eq!(
            probe(r, dir).is_some(),
            !NO_PROBE_YET.contains(&r),
            "{r:?}: a right needs a probe, or a place in NO_PROBE_YET until it has one"
        );
    }
}

/// Does what needs `r` as `user` (the engine's current user): `Err` with the message
/// when refused.
fn attempt(e: &mut Engine, user: &str, r: Right, dir: &Path) -> Result<(), String> {
    match probe(r, dir) {
        Some(c) => match run(e, c) {
            Outcome::Denied(m) => {
                assert!(
                    !dir.join("probe.png").exists(),
                    "{r:?}: refused, nothing written"
                );
                Err(m)
            }
            o @ (Outcome::SessionEnded(_) | Outcome::ScreenLocked) => panic!("{r:?}: {o:?}"),
            o @ Outcome::Map(MapReply::MapRendered { .. }) => {
                // The export really happened.
                assert!(dir.join("probe.png").is_file(), "{r:?}: {o:?}");
                std::fs::remove_file(dir.join("probe.png")).unwrap();
                Ok(())
            }
            _ => Ok(()),
        },
        None => {
            assert!(NO_PROBE_YET.contains(&r), "{r:?} has no probe");
            let clock = SystemClock;
            let sec = Security {
                conn: e.store.conn(),
                audit: &e.audit,
                clock: &clock,
            };
            let mut s = sec.login(user, USER_PASSWORD).unwrap();
            sec.require(&mut s, r, Action::Command, "probe")
                .map_err(|e| e.to_string())
        }
    }
}

fn denials_of(log: &AuditLog, user: &str, right: Right) -> usize {
    log.entries()
        .unwrap()
        .iter()
        .filter(|e| e.user == user && e.result == R::Denied && e.detail == right.key())
        .count()
}

#[test]
fn every_right_is_refused_without_it_allowed_with_it_and_refusals_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut e = admin_engine(store, Box::new(SystemClock));
    let out = tempfile::tempdir().unwrap();
    for (k, r) in Right::ALL.into_iter().enumerate() {
        let others: BTreeSet<Right> = Right::ALL.into_iter().filter(|x| *x != r).collect();
        let without = format!("without{k}");
        user_with(&mut e, &without, others);
        let only = format!("with{k}");
        // Refused without the right, on the engine path (the window's) or in the core.
        let refused = attempt(&mut e, &without, r, out.path()).unwrap_err();
        assert!(refused.contains(r.label()), "{r:?}: {refused}");
        assert!(
            denials_of(&e.audit, &without, r) >= 1,
            "{r:?} refusal logged"
        );
        // Allowed with only that right.
        user_with(&mut e, &only, [r].into_iter().collect());
        attempt(&mut e, &only, r, out.path()).unwrap_or_else(|m| panic!("{r:?}: {m}"));
        assert_eq!(denials_of(&e.audit, &only, r), 0);
    }
    assert!(audit::verify(dir.path()).unwrap().ok());
}

/// A [`TestClock`] the test keeps a handle on while an engine runs on it.
struct SharedClock(std::sync::Arc<TestClock>);

impl kenshin_atlas::auth::Clock for SharedClock {
    fn now(&self) -> i64 {
        kenshin_atlas::auth::Clock::now(&*self.0)
    }
}

/// An admin engine on `root/data` (test clock) whose admin has set the daily backup up
/// into `root/daily`, due at once (00:00 has passed today).
fn with_daily_backup(root: &Path) -> (Engine, std::sync::Arc<TestClock>, std::path::PathBuf) {
    use kenshin_atlas::backup;
    let store = Store::open(&root.join("data")).unwrap();
    let clock = std::sync::Arc::new(TestClock::new(1_800_000_000));
    let mut e = admin_engine(store, Box::new(SharedClock(clock.clone())));
    let daily = root.join("daily");
    for (key, value) in [
        (backup::SETTING_DIR, daily.display().to_string()),
        (backup::SETTING_TIME, "00:00".to_string()),
    ] {
        admin_op(
            &mut e,
            AdminOp::SetSetting {
                key: key.into(),
                value,
            },
        );
    }
    (e, clock, daily)
}

#[test]
fn the_daily_backup_runs_as_the_system_whoever_is_logged_in() {
    use kenshin_atlas::backup;
    let dir = tempfile::tempdir().unwrap();
    let (mut e, clock, daily) = with_daily_backup(dir.path());
    // The app's own actor cannot be given to a user.
    let o = run(
        &mut e,
        Command::from(AdminCmd::Op(AdminOp::Allow {
            id: "System".into(),
            valid_until: None,
            note: String::new(),
        })),
    );
    assert!(
        matches!(o, Outcome::Failed(ref m) if m.to_string().contains("system")),
        "{o:?}"
    );
    let backups_by = |log: &AuditLog| -> Vec<(String, R)> {
        log.entries()
            .unwrap()
            .into_iter()
            .filter(|e| e.action == Action::Backup)
            .map(|e| (e.user, e.result))
            .collect()
    };

    // Nobody logged in: it runs, as the system.
    run(&mut e, Command::from(AccountCmd::Logout));
    let o = run(&mut e, Command::from(AdminCmd::ScheduledBackup));
    assert!(
        matches!(o, Outcome::Admin(AdminReply::BackupDone(_))),
        "{o:?}"
    );
    assert_eq!(backup::generations(&daily).len(), 1);
    assert!(matches!(
        run(&mut e, Command::from(AdminCmd::ScheduledBackup)),
        Outcome::Admin(AdminReply::BackupNotDue)
    ));

    // A view-only user without the バックアップ right is logged in: it runs, as the system
    // again; the user is neither refused nor recorded as having made a backup.
    for g in backup::generations(&daily) {
        std::fs::remove_file(g).unwrap();
    }
    user_with(&mut e, "viewer", BTreeSet::new());
    clock.advance(10 * 60);
    let o = run(&mut e, Command::from(AdminCmd::ScheduledBackup));
    assert!(
        matches!(o, Outcome::Admin(AdminReply::BackupDone(_))),
        "{o:?}"
    );
    assert_eq!(backup::generations(&daily).len(), 1);
    assert_eq!(
        backups_by(&e.audit),
        vec![
            (audit::SYSTEM.to_string(), R::Ok),
            (audit::SYSTEM.to_string(), R::Ok)
        ]
    );
    assert_eq!(denials_of(&e.audit, "viewer", Right::Backup), 0);
    // The backup was not the user's activity: 16 idle minutes still lock the screen.
    clock.advance(6 * 60);
    assert!(matches!(
        run(&mut e, Command::from(AccountCmd::CheckSession)),
        Outcome::ScreenLocked
    ));
    // The right still guards the backup a user asks for.
    run(
        &mut e,
        Command::from(AccountCmd::Resume {
            password: Secret(USER_PASSWORD.into()),
        }),
    );
    assert!(matches!(
        run(
            &mut e,
            Command::from(AdminCmd::Backup {
                dir: None,
                keep: None
            })
        ),
        Outcome::Denied(_)
    ));
    assert_eq!(denials_of(&e.audit, "viewer", Right::Backup), 1);
    assert!(
        audit::verify(dir.path().join("data").as_path())
            .unwrap()
            .ok()
    );
}

/// The `X25519` recipient stanzas in an age file's header (one per key it opens with).
fn age_recipients(file: &Path) -> usize {
    let bytes = std::fs::read(file).unwrap();
    let end = bytes
        .windows(4)
        .position(|w| w == b"\n---")
        .expect("age header");
    String::from_utf8_lossy(&bytes[..end])
        .lines()
        .filter(|l| l.starts_with("-> X25519 "))
        .count()
}

#[test]
fn a_backup_never_makes_a_recovery_key_and_only_the_backup_right_renews_one() {
    use kenshin_atlas::backup::{keys, restore};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut e, _clock, _daily) = with_daily_backup(dir.path());
    let recovery_pub = keys::recovery_pub_path(&data);
    std::fs::remove_file(&recovery_pub).unwrap();

    // A viewer is logged in when the daily backup runs: it is encrypted to the app key
    // only, says so, and shows nobody a new key.
    user_with(&mut e, "viewer", BTreeSet::new());
    let rep = match run(&mut e, Command::from(AdminCmd::ScheduledBackup)) {
        Outcome::Admin(AdminReply::BackupDone(rep)) => rep,
        o => panic!("{o:?}"),
    };
    assert!(rep.recovery_missing);
    assert!(!recovery_pub.exists(), "a backup made a recovery key");
    assert_eq!(age_recipients(&rep.file), 1);
    // It still restores on this machine, with the app key (staged, not switched over).
    drop(restore::stage(&rep.file, &data, None).unwrap());
    assert!(!recovery_pub.exists());

    // The viewer cannot make one, and the refusal is logged.
    assert!(matches!(
        run(&mut e, Command::from(AdminCmd::RenewRecoveryKey)),
        Outcome::Denied(_)
    ));
    assert!(!recovery_pub.exists());
    assert_eq!(denials_of(&e.audit, "viewer", Right::Backup), 1);

    // A user with the right gets one, once; the next backup is encrypted to both keys and
    // opens on a new machine with it.
    run(&mut e, Command::from(AccountCmd::Logout));
    user_with(&mut e, "keeper", BTreeSet::from([Right::Backup]));
    let key = match run(&mut e, Command::from(AdminCmd::RenewRecoveryKey)) {
        Outcome::Admin(AdminReply::RecoveryKey(k)) => k,
        o => panic!("{o:?}"),
    };
    let id = keys::identity_from_text(&key).expect("an age identity");
    assert_eq!(
        std::fs::read_to_string(&recovery_pub).unwrap().trim(),
        id.to_public().to_string()
    );
    assert!(
        e.audit.entries().unwrap().iter().any(|x| x.user == "keeper"
            && x.action == Action::Backup
            && x.target == "recovery_key"),
        "the renewal is logged"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let rep = match run(
        &mut e,
        Command::from(AdminCmd::Backup {
            dir: None,
            keep: None,
        }),
    ) {
        Outcome::Admin(AdminReply::BackupDone(rep)) => rep,
        o => panic!("{o:?}"),
    };
    assert!(!rep.recovery_missing);
    assert_eq!(age_recipients(&rep.file), 2);
    let key_file = dir.path().join("復旧鍵.txt");
    std::fs::write(&key_file, &key).unwrap();
    restore::stage(&rep.file, &dir.path().join("new-machine"), Some(&key_file)).unwrap();
}

#[test]
fn each_user_keeps_their_own_look_without_any_right() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut e = admin_engine(store, Box::new(SystemClock));
    user_with(&mut e, "viewer", BTreeSet::new());
    let set = |e: &mut Engine, value: &str| {
        run(
            e,
            Command::from(AccountCmd::SetPreference {
                key: "look".into(),
                value: value.into(),
            }),
        )
    };
    assert!(matches!(
        set(&mut e, "dark"),
        Outcome::Account(AccountReply::PreferenceSet { .. })
    ));
    // Only the known keys and values are kept.
    assert!(matches!(set(&mut e, "purple"), Outcome::Failed(_)));
    assert!(matches!(
        run(
            &mut e,
            Command::from(AccountCmd::SetPreference {
                key: "anything".into(),
                value: "dark".into(),
            })
        ),
        Outcome::Failed(_)
    ));
    run(&mut e, Command::from(AccountCmd::Logout));
    // It comes back with the viewer's next session, and not with the admin's.
    match login(&mut e, "viewer", USER_PASSWORD) {
        Outcome::Account(AccountReply::LoggedIn(i)) => {
            assert_eq!(i.prefs.get("look").map(String::as_str), Some("dark"))
        }
        o => panic!("{o:?}"),
    }
    run(&mut e, Command::from(AccountCmd::Logout));
    match login(&mut e, ADMIN, ADMIN_PASSWORD) {
        Outcome::Account(AccountReply::LoggedIn(i)) => assert!(i.prefs.is_empty(), "{:?}", i.prefs),
        o => panic!("{o:?}"),
    }
    // Without a session, nothing is set.
    run(&mut e, Command::from(AccountCmd::Logout));
    assert!(matches!(set(&mut e, "light"), Outcome::SessionEnded(_)));
}

#[test]
fn lockout_allow_list_suspension_and_idle_lock() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let clock = TestClock::new(1_800_000_000);
    let audit_log = AuditLog::open(dir.path()).unwrap();
    let sec = Security {
        conn: store.conn(),
        audit: &audit_log,
        clock: &clock,
    };
    sec.setup(ADMIN, ADMIN_PASSWORD).unwrap();
    let mut admin = sec.login(ADMIN, ADMIN_PASSWORD).unwrap();

    // The allow-list refuses an unlisted ID, and the refusal is logged.
    let e = sec
        .register(&mut admin, "stranger", Role::Analyst)
        .unwrap_err();
    assert!(matches!(e, AuthError::NotAllowed(_)), "{e}");
    assert!(
        audit_log
            .entries()
            .unwrap()
            .iter()
            .any(|e| e.target == "stranger" && e.result == R::Denied)
    );
    sec.allow_id(&mut admin, "tanaka", Some("2099-03-31"), "分析担当")
        .unwrap();
    // An initial password expires after 72 hours.
    sec.allow_id(&mut admin, "late", None, "").unwrap();
    let late = sec.register(&mut admin, "late", Role::Analyst).unwrap();
    clock.advance(72 * 3600 + 1);
    assert!(matches!(
        sec.login("late", &late),
        Err(AuthError::InitialExpired)
    ));
    let mut admin = sec.login(ADMIN, ADMIN_PASSWORD).unwrap();
    let initial = sec.register(&mut admin, "tanaka", Role::Analyst).unwrap();

    // Unknown ID and wrong password: the same message.
    let unknown = sec
        .login("nobody", "whatever-long-pass")
        .unwrap_err()
        .to_string();
    let wrong = sec
        .login("tanaka", "whatever-long-pass")
        .unwrap_err()
        .to_string();
    assert_eq!(unknown, wrong);

    // Lockout: 5 failures (one above, four more), then even the right password fails.
    for _ in 0..4 {
        assert!(matches!(
            sec.login("tanaka", "not the password!!"),
            Err(AuthError::BadCredentials)
        ));
    }
    let sixth = sec.login("tanaka", &initial).unwrap_err();
    assert!(matches!(sixth, AuthError::Locked { .. }), "{sixth}");
    sec.unlock(&mut admin, "tanaka").unwrap();
    let mut s = sec.login("tanaka", &initial).unwrap();
    assert!(s.must_change_password);
    sec.change_password(&mut s, &initial, USER_PASSWORD)
        .unwrap();
    // Also: a lock expires by itself after 15 minutes.
    for _ in 0..5 {
        let _ = sec.login("tanaka", "not the password!!");
    }
    assert!(matches!(
        sec.login("tanaka", USER_PASSWORD),
        Err(AuthError::Locked { .. })
    ));
    clock.advance(15 * 60 + 1);
    let mut s = sec.login("tanaka", USER_PASSWORD).unwrap();

    // Idle lock after 15 minutes; the password resumes the same session.
    clock.advance(14 * 60);
    sec.alive(&mut s).unwrap();
    clock.advance(15 * 60);
    assert!(matches!(sec.alive(&mut s), Err(AuthError::ScreenLocked)));
    let started = s.started_at;
    sec.resume(&mut s, USER_PASSWORD).unwrap();
    assert_eq!(s.started_at, started, "the same session resumes");
    sec.alive(&mut s).unwrap();

    // Suspending ends the session at once; resuming lets the user log in again.
    let mut admin = sec.login(ADMIN, ADMIN_PASSWORD).unwrap();
    sec.suspend(&mut admin, "tanaka").unwrap();
    assert!(matches!(sec.alive(&mut s), Err(AuthError::SessionEnded(_))));
    assert!(matches!(
        sec.login("tanaka", USER_PASSWORD),
        Err(AuthError::Suspended)
    ));
    sec.resume_user(&mut admin, "tanaka").unwrap();
    let mut s = sec.login("tanaka", USER_PASSWORD).unwrap();

    // A session lasts 12 hours at most.
    for _ in 0..12 {
        clock.advance(3600 - 1);
        let _ = sec.resume(&mut s, USER_PASSWORD);
    }
    clock.advance(20);
    assert!(matches!(sec.alive(&mut s), Err(AuthError::SessionExpired)));

    // The usage period: past it, login is refused.
    let mut admin = sec.login(ADMIN, ADMIN_PASSWORD).unwrap();
    sec.allow_id(&mut admin, "tanaka", Some("2020-03-31"), "")
        .unwrap();
    assert!(matches!(
        sec.login("tanaka", USER_PASSWORD),
        Err(AuthError::PeriodOver(_))
    ));
    // The last admin cannot be suspended.
    assert!(matches!(
        sec.suspend(&mut admin, ADMIN),
        Err(AuthError::LastAdmin)
    ));
    assert!(audit::verify(dir.path()).unwrap().ok());
}

#[test]
fn effective_rights_are_the_union_of_user_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let clock = SystemClock;
    let log = AuditLog::open(dir.path()).unwrap();
    let sec = Security {
        conn: store.conn(),
        audit: &log,
        clock: &clock,
    };
    sec.setup(ADMIN, ADMIN_PASSWORD).unwrap();
    let mut a = sec.login(ADMIN, ADMIN_PASSWORD).unwrap();
    sec.allow_id(&mut a, "kato", None, "").unwrap();
    let initial = sec.register(&mut a, "kato", Role::ViewOnly).unwrap();
    sec.set_user_rights(&mut a, "kato", &[Right::Import].into_iter().collect())
        .unwrap();
    sec.set_group(
        &mut a,
        "監査担当",
        &[Right::ViewAudit, Right::Print].into_iter().collect(),
        &["kato".to_string()],
    )
    .unwrap();
    let mut k = sec.login("kato", &initial).unwrap();
    sec.change_password(&mut k, &initial, USER_PASSWORD)
        .unwrap();
    let want: BTreeSet<Right> = [Right::Import, Right::ViewAudit, Right::Print]
        .into_iter()
        .collect();
    assert_eq!(k.rights, want);
    sec.require(&mut k, Right::ViewAudit, Action::Search, "audit_log")
        .unwrap();
    assert!(
        sec.require(&mut k, Right::Export, Action::Export, "x.csv")
            .is_err()
    );
    // Leaving the group takes its rights away at once, in the running session too.
    sec.set_group(
        &mut a,
        "監査担当",
        &[Right::ViewAudit].into_iter().collect(),
        &[],
    )
    .unwrap();
    assert!(matches!(
        sec.require(&mut k, Right::ViewAudit, Action::Search, "audit_log"),
        Err(AuthError::Denied(Right::ViewAudit))
    ));
    let k = sec.login("kato", USER_PASSWORD).unwrap();
    assert_eq!(k.rights, [Right::Import].into_iter().collect());
}

fn bin() -> Proc {
    let mut p = Proc::new(env!("CARGO_BIN_EXE_kenshin-atlas"));
    p.env_remove("KENSHIN_PASSWORD");
    p
}

pub(super) fn cli(
    data: &Path,
    user: Option<&str>,
    pw: &str,
    args: &[&str],
) -> std::process::Output {
    let mut p = bin();
    p.arg("--data-dir").arg(data);
    if let Some(u) = user {
        p.args(["--user", u]);
    }
    p.env("KENSHIN_PASSWORD", pw).args(args).output().unwrap()
}

#[test]
fn cli_authenticates_verifies_the_log_and_refuses_a_second_instance() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = cli(&data, None, ADMIN_PASSWORD, &["setup", "--admin", ADMIN]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without --user, or with a wrong password: refused.
    let out = cli(&data, None, ADMIN_PASSWORD, &["stats"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--user"));
    let out = cli(&data, Some(ADMIN), "wrong password here", &["stats"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("ID またはパスワードが違います"));
    let out = cli(&data, Some(ADMIN), ADMIN_PASSWORD, &["stats", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A view-only user cannot export (render writes a file): refused and logged.
    let out = cli(
        &data,
        Some(ADMIN),
        ADMIN_PASSWORD,
        &["user", "allow", "suzuki"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(
        &data,
        Some(ADMIN),
        ADMIN_PASSWORD,
        &["user", "register", "suzuki", "--role", "viewer"],
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let initial = text.trim().rsplit(' ').next().unwrap().to_string();
    let out = cli(&data, Some("suzuki"), &initial, &["stats"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("初期パスワード"));
    {
        // Change the initial password in the core (the window does this).
        let store = Store::open(&data).unwrap();
        let log = AuditLog::open(&data).unwrap();
        let clock = SystemClock;
        let sec = Security {
            conn: store.conn(),
            audit: &log,
            clock: &clock,
        };
        let mut s = sec.login("suzuki", &initial).unwrap();
        sec.change_password(&mut s, &initial, USER_PASSWORD)
            .unwrap();
    }
    let png = dir.path().join("map.png");
    let out = cli(
        &data,
        Some("suzuki"),
        USER_PASSWORD,
        &[
            "render",
            "--out",
            png.to_str().unwrap(),
            "--width",
            "200",
            "--height",
            "150",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("外部出力"));
    assert!(!png.exists());

    // audit verify: intact, then an edited byte, then a removed entry.
    let out = cli(&data, Some(ADMIN), ADMIN_PASSWORD, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logs: Vec<_> = std::fs::read_dir(data.join("audit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let file = &logs[0];
    let original = std::fs::read_to_string(file).unwrap();
    std::fs::write(file, original.replacen("\"suzuki\"", "\"suzuk1\"", 1)).unwrap();
    let out = cli(&data, Some(ADMIN), ADMIN_PASSWORD, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("改ざん") && msg.contains("書き換え"), "{msg}");
    let lines: Vec<&str> = original.lines().collect();
    let without_third: String = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    std::fs::write(file, without_third).unwrap();
    let out = cli(&data, Some(ADMIN), ADMIN_PASSWORD, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("通番 3"));
    std::fs::write(file, &original).unwrap();

    // A second instance (GUI or CLI) is refused while one holds the data folder.
    let held = kenshin_atlas::os::InstanceLock::acquire(&data, "利用者 admin、画面").unwrap();
    let out = cli(&data, Some(ADMIN), ADMIN_PASSWORD, &["stats"]);
    assert!(!out.status.success());
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(
        msg.contains("既に起動しています") && msg.contains("利用者 admin"),
        "{msg}"
    );
    drop(held);
    let out = cli(&data, Some(ADMIN), ADMIN_PASSWORD, &["stats"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file under `dir` but the database and its WAL.
fn files_outside_db(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_outside_db(&p, out);
        } else {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if !(name.ends_with(".duckdb") || name.ends_with(".duckdb.wal")) {
                out.push(p);
            }
        }
    }
}

#[test]
fn no_personal_data_in_files_outside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = Store::open(&data).unwrap();
    let mut e = admin_engine(store, Box::new(SystemClock));
    let insured = demo().file("被保険者台帳.csv");
    // A successful import, a failed one (a truncated copy) and a cancelled one.
    match run(
        &mut e,
        Command::from(ImportCmd::Import {
            files: vec![insured.clone(), demo().file("位置参照情報_29_合成.csv")],
            opts: ImportOptions::default(),
        }),
    ) {
        Outcome::Import(ImportReply::Imported { reports, .. }) => {
            assert!(reports.iter().all(|r| r.is_success()))
        }
        o => panic!("{o:?}"),
    }
    let bytes = std::fs::read(&insured).unwrap();
    let cut = dir.path().join("被保険者台帳_cut.csv");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let _ = run(
        &mut e,
        Command::from(ImportCmd::Import {
            files: vec![cut],
            opts: ImportOptions::default(),
        }),
    );
    let cancelled = Progress::new();
    cancelled.cancel();
    let again = dir.path().join("被保険者台帳_again.csv");
    std::fs::write(
        &again,
        bytes.iter().chain(b"\r\n").copied().collect::<Vec<u8>>(),
    )
    .unwrap();
    let _ = import_file(&e.store, &again, &ImportOptions::default(), &cancelled);
    let _ = run(&mut e, Command::from(GeocodeCmd::Unmatched { limit: 50 }));
    let _ = run(&mut e, Command::from(MapCmd::InsuredPoints { fy: 2021 }));
    // Sample names and addresses as stored.
    let mut stmt = e
        .store
        .conn()
        .prepare("SELECT name, address FROM insured USING SAMPLE 40 ROWS")
        .unwrap();
    let samples: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(samples.len(), 40);
    let mut files = Vec::new();
    files_outside_db(&data, &mut files);
    assert!(
        files.iter().any(|f| f.to_string_lossy().contains("audit")),
        "{files:?}"
    );
    for f in &files {
        let content = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&content);
        for (name, address) in &samples {
            for needle in [name.as_str(), address.as_str()] {
                assert!(!text.contains(needle), "{} holds {needle}", f.display());
                let sjis = kenshin_atlas::import::encoding::encode_cp932(needle).unwrap();
                assert!(
                    !content.windows(sjis.len()).any(|w| w == sjis.as_slice()),
                    "{} holds {needle} in CP932",
                    f.display()
                );
            }
        }
    }
}

mod window {

    use eframe::egui;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use kenshin_atlas::ui::AtlasApp;
    use kenshin_atlas::ui::login_ui::Gate;

    use super::*;

    use super::super::common::wait_app as wait;

    #[test]
    fn login_failed_login_and_admin_suspends_and_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        {
            // An admin and a second user, and one imported file (so no demo is built).
            let store = Store::open(&data).unwrap();
            let log = AuditLog::open(&data).unwrap();
            let clock = SystemClock;
            let sec = Security {
                conn: store.conn(),
                audit: &log,
                clock: &clock,
            };
            sec.setup(ADMIN, ADMIN_PASSWORD).unwrap();
            let mut a = sec.login(ADMIN, ADMIN_PASSWORD).unwrap();
            sec.allow_id(&mut a, "sato", None, "").unwrap();
            sec.register(&mut a, "sato", Role::Analyst).unwrap();
            for g in ["監査担当", "出力担当"] {
                sec.set_group(
                    &mut a,
                    g,
                    &[Right::ViewAudit].into_iter().collect(),
                    &["sato".to_string()],
                )
                .unwrap();
            }
            let r = import_file(
                &store,
                &demo().file("保険者情報.csv"),
                &ImportOptions::default(),
                &Progress::new(),
            )
            .unwrap();
            assert!(r.is_success());
        }
        let ctx = egui::Context::default();
        let mut app = AtlasApp::new(&ctx, data.clone());
        app.map.basemap =
            kenshin_atlas::ui::map::basemap::BasemapState::in_dir(&dir.path().join("maps"));
        let mut h = Harness::builder()
            .with_size(egui::vec2(1400.0, 900.0))
            .with_context_setup(kenshin_atlas::ui::install_theme)
            .build_ui_state(|ui, app: &mut AtlasApp| app.frame_ui(ui), app);
        wait(&mut h, "the login screen", |a| a.login.gate == Gate::Login);

        // A failed login: the same message as for an unknown ID.
        h.get_by_label("ID").click();
        h.get_by_label("ID").type_text(ADMIN);
        h.get_by_label("パスワード").click();
        h.get_by_label("パスワード")
            .type_text("not the right password");
        h.get_by_role_and_label(egui::accesskit::Role::Button, "ログイン")
            .click();
        wait(&mut h, "the refusal", |a| a.login.message.is_some());
        assert_eq!(
            h.state().login.message.as_deref(),
            Some("ID またはパスワードが違います。")
        );
        assert_eq!(h.state().login.gate, Gate::Login);
        assert!(
            h.state().login.password.is_empty(),
            "the password field is cleared"
        );

        // The right password opens the app.
        h.get_by_label("パスワード").click();
        h.get_by_label("パスワード").type_text(ADMIN_PASSWORD);
        h.get_by_role_and_label(egui::accesskit::Role::Button, "ログイン")
            .click();
        wait(&mut h, "the app", |a| a.login.gate == Gate::Open);

        // The admin's user list, then suspend and resume sato.
        h.get_by_label("管理者設定").click();
        wait(&mut h, "the user list", |a| {
            a.admin.users.as_ref().is_some_and(|u| u.len() == 2)
        });
        h.get_by_label("sato を停止").click();
        for _ in 0..3 {
            h.step();
        }
        h.get_by_label("実行").click();
        wait(&mut h, "the suspension", |a| {
            a.admin
                .users
                .as_ref()
                .is_some_and(|u| u.iter().any(|u| u.user_id == "sato" && u.suspended))
        });
        assert!(h.query_by_label("停止中").is_some());
        h.get_by_label("sato を再開").click();
        wait(&mut h, "the resumption", |a| {
            a.admin
                .users
                .as_ref()
                .is_some_and(|u| u.iter().all(|u| !u.suspended))
        });
        // Both changes are in the audit log, with the admin as the actor.
        let log = AuditLog::open(&data).unwrap();
        let details: Vec<String> = log
            .entries()
            .unwrap()
            .into_iter()
            .filter(|e| e.user == ADMIN && e.target == "sato" && e.result == R::Ok)
            .map(|e| e.detail)
            .collect();
        assert!(details.contains(&"suspend".to_string()), "{details:?}");
        assert!(details.contains(&"resume".to_string()), "{details:?}");

        // Groups: search by name, suspend (confirmed), resume, delete (confirmed).
        let groups = |a: &AtlasApp| -> Vec<(String, bool)> {
            a.admin
                .groups
                .as_ref()
                .map(|g| g.iter().map(|g| (g.name.clone(), g.suspended)).collect())
                .unwrap_or_default()
        };
        wait(&mut h, "both groups", |a| groups(a).len() == 2);
        h.get_by_label("グループ名で検索").click();
        h.get_by_label("グループ名で検索").type_text("監査");
        wait(&mut h, "the search", |a| {
            groups(a) == vec![("監査担当".to_string(), false)]
        });
        h.get_by_label("監査担当 を停止").click();
        for _ in 0..3 {
            h.step();
        }
        h.get_by_label("実行").click();
        wait(&mut h, "the group suspended", |a| {
            groups(a).contains(&("監査担当".to_string(), true))
        });
        h.get_by_label("監査担当 を再開").click();
        wait(&mut h, "the group resumed", |a| {
            groups(a).contains(&("監査担当".to_string(), false))
        });
        h.get_by_label("監査担当 を削除").click();
        for _ in 0..3 {
            h.step();
        }
        h.get_by_label("実行").click();
        wait(&mut h, "the group deleted", |a| {
            let g = groups(a);
            g.len() == 1 && g[0].0 == "出力担当"
        });
        let log = AuditLog::open(&data).unwrap();
        let group_details: Vec<String> = log
            .entries()
            .unwrap()
            .into_iter()
            .filter(|e| e.user == ADMIN && e.target == "監査担当" && e.result == R::Ok)
            .map(|e| e.detail)
            .collect();
        for d in ["suspend_group", "resume_group", "delete_group"] {
            assert!(group_details.contains(&d.to_string()), "{group_details:?}");
        }

        // The admin resets their own password: the session ends, and the login screen
        // shows the new initial password once; it logs in.
        h.get_all_by_label("再発行").next().unwrap().click();
        for _ in 0..3 {
            h.step();
        }
        h.get_by_label("実行").click();
        wait(&mut h, "the login screen with the new password", |a| {
            a.login.gate == Gate::Login
                && a.login
                    .message
                    .as_ref()
                    .is_some_and(|m| m.contains("admin の初期パスワード"))
        });
        let initial = h
            .state()
            .login
            .message
            .clone()
            .unwrap()
            .rsplit(' ')
            .next()
            .unwrap()
            .to_string();
        // The ID stays in its field from before.
        assert_eq!(h.state().login.id, ADMIN);
        h.get_by_label("パスワード").click();
        h.get_by_label("パスワード").type_text(&initial);
        h.get_by_role_and_label(egui::accesskit::Role::Button, "ログイン")
            .click();
        wait(&mut h, "the password change", |a| {
            a.login.gate == Gate::MustChange
        });
    }
}

fn groups(e: &mut Engine, search: &str) -> Vec<kenshin_atlas::auth::admin::GroupInfo> {
    match run(
        e,
        AdminCmd::Groups {
            search: search.into(),
        }
        .into(),
    ) {
        Outcome::Admin(AdminReply::Groups(g)) => g,
        o => panic!("{o:?}"),
    }
}

/// The rights of `user`'s session now (its check re-reads them).
fn rights_of(e: &mut Engine, user: &str) -> BTreeSet<Right> {
    match login(e, user, USER_PASSWORD) {
        Outcome::Account(AccountReply::LoggedIn(i)) => i.rights,
        o => panic!("{o:?}"),
    }
}

#[test]
fn a_suspended_group_grants_nothing_until_resumed_and_groups_can_be_searched_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = admin_engine(Store::open(dir.path()).unwrap(), Box::new(SystemClock));
    user_with(&mut e, "kato", [Right::Import].into_iter().collect());
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    for (name, rights) in [
        ("監査担当", vec![Right::ViewAudit]),
        ("出力担当", vec![Right::Export]),
    ] {
        admin_op(
            &mut e,
            AdminOp::SetGroup {
                name: name.into(),
                rights: rights.into_iter().collect(),
                members: vec!["kato".into()],
            },
        );
    }
    // Search by name.
    let names = |g: Vec<kenshin_atlas::auth::admin::GroupInfo>| -> Vec<String> {
        g.into_iter().map(|g| g.name).collect()
    };
    assert_eq!(names(groups(&mut e, "監査")), vec!["監査担当"]);
    assert_eq!(groups(&mut e, "担当").len(), 2);
    assert!(groups(&mut e, "経理").is_empty());
    run(&mut e, AccountCmd::Logout.into());
    assert_eq!(
        rights_of(&mut e, "kato"),
        [Right::Import, Right::ViewAudit, Right::Export]
            .into_iter()
            .collect()
    );
    run(&mut e, AccountCmd::Logout.into());
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    let msg = admin_op(&mut e, AdminOp::SuspendGroup("監査担当".into()));
    assert!(msg.contains("停止"), "{msg}");
    assert!(groups(&mut e, "監査")[0].suspended);
    run(&mut e, AccountCmd::Logout.into());
    assert_eq!(
        rights_of(&mut e, "kato"),
        [Right::Import, Right::Export].into_iter().collect()
    );
    // The suspended group's right is refused, and the refusal logged.
    let o = run(&mut e, AdminCmd::AuditLog(Default::default()).into());
    assert!(matches!(o, Outcome::Denied(_)), "{o:?}");
    assert!(denials_of(&e.audit, "kato", Right::ViewAudit) >= 1);
    run(&mut e, AccountCmd::Logout.into());
    // Resumed: the right is back.
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    admin_op(&mut e, AdminOp::ResumeGroup("監査担当".into()));
    assert!(!groups(&mut e, "監査")[0].suspended);
    run(&mut e, AccountCmd::Logout.into());
    assert!(rights_of(&mut e, "kato").contains(&Right::ViewAudit));
    run(&mut e, AccountCmd::Logout.into());
    // Deleted: its right goes, the user stays.
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    admin_op(&mut e, AdminOp::DeleteGroup("出力担当".into()));
    assert_eq!(names(groups(&mut e, "")), vec!["監査担当"]);
    let o = run(
        &mut e,
        AdminCmd::Op(AdminOp::DeleteGroup("出力担当".into())).into(),
    );
    assert!(
        matches!(o, Outcome::Failed(ref m) if m.to_string().contains("出力担当")),
        "{o:?}"
    );
    run(&mut e, AccountCmd::Logout.into());
    assert_eq!(
        rights_of(&mut e, "kato"),
        [Right::Import, Right::ViewAudit].into_iter().collect()
    );
    run(&mut e, AccountCmd::Logout.into());
    // A group that holds the last admin's 利用者の管理 cannot be suspended or deleted.
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    admin_op(
        &mut e,
        AdminOp::SetGroup {
            name: "管理".into(),
            rights: [Right::ManageUsers].into_iter().collect(),
            members: vec![ADMIN.into()],
        },
    );
    admin_op(
        &mut e,
        AdminOp::SetRights {
            id: ADMIN.into(),
            rights: BTreeSet::new(),
        },
    );
    for op in [
        AdminOp::SuspendGroup("管理".into()),
        AdminOp::DeleteGroup("管理".into()),
    ] {
        let o = run(&mut e, AdminCmd::Op(op).into());
        assert!(
            matches!(o, Outcome::Failed(ref m) if m.to_string().contains("最後の管理者")),
            "{o:?}"
        );
    }
    assert!(!groups(&mut e, "管理")[0].suspended);
    assert!(audit::verify(dir.path()).unwrap().ok());
}

/// The last-admin check counts only admins who can log in, and a change that ends the
/// admin's own session still hands back its message (a reset password is shown once).
#[test]
fn an_admin_who_cannot_log_in_is_no_admin_and_a_reset_of_ones_own_password_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let mut e = admin_engine(Store::open(dir.path()).unwrap(), Box::new(SystemClock));
    // A second admin whose usage period is over: login refuses them.
    user_with(&mut e, "ueda", Right::ALL.into_iter().collect());
    run(&mut e, AccountCmd::Logout.into());
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    admin_op(
        &mut e,
        AdminOp::Allow {
            id: "ueda".into(),
            valid_until: Some("2020-03-31".into()),
            note: String::new(),
        },
    );
    run(&mut e, AccountCmd::Logout.into());
    assert!(matches!(
        login(&mut e, "ueda", USER_PASSWORD),
        Outcome::Account(AccountReply::AuthFailed(AuthError::PeriodOver(_)))
    ));
    login(&mut e, ADMIN, ADMIN_PASSWORD);
    let o = run(
        &mut e,
        AdminCmd::Op(AdminOp::SetRights {
            id: ADMIN.into(),
            rights: BTreeSet::new(),
        })
        .into(),
    );
    assert!(
        matches!(o, Outcome::Failed(ref m) if m.to_string().contains("最後の管理者")),
        "{o:?}"
    );
    // Resetting one's own password ends one's session; the new password still comes back.
    let msg = match run(
        &mut e,
        AdminCmd::Op(AdminOp::ResetPassword(ADMIN.into())).into(),
    ) {
        Outcome::Admin(AdminReply::Done { message, ended, .. }) => {
            assert!(ended, "the reply says the session ended");
            message
        }
        o => panic!("{o:?}"),
    };
    let initial = msg.rsplit(' ').next().unwrap().to_string();
    assert!(
        msg.contains("初期パスワード") && initial.len() >= 13,
        "{msg}"
    );
    assert!(matches!(
        run(&mut e, ImportCmd::Stats.into()),
        Outcome::SessionEnded(_)
    ));
    assert!(matches!(
        login(&mut e, ADMIN, &initial),
        Outcome::Account(AccountReply::LoggedIn(_))
    ));
}
