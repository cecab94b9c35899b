//! The engine behind every front end: the store, the audit log, the clock and the one
//! logged-in session. [`Engine::execute`] is the only public way to run a [`Command`]:
//! account commands are handled here, every other command first passes the session check
//! and its right (`Command::access`), and what it did is written to the audit log. The
//! worker thread owns an engine; tests drive one directly (with a test clock). The CLI,
//! which logs in on its own, runs its commands through [`execute_as`], the same gate.
//!
//! One command runs as no user: the daily backup ([`Command::ScheduledBackup`]) is the
//! app's own routine, set up by an admin (folder, time, generations). It runs and is
//! logged as [`crate::audit::SYSTEM`] whoever is logged in, also without the バックアップ
//! right and with nobody logged in, and it is not activity of the logged-in user.

use super::command::{AdminOp, Command, Outcome, SessionInfo};
use crate::audit::{AuditLog, Draft};
use crate::auth::{AuthError, Clock, Security, Session, SessionState};
use crate::job::Progress;
use crate::store::Store;

pub struct Engine {
    pub store: Store,
    pub audit: AuditLog,
    clock: Box<dyn Clock>,
    session: Option<Session>,
}

/// What the UI learns of a session: the user, their rights and their preferences.
fn info(sec: &Security, s: &Session) -> SessionInfo {
    SessionInfo {
        user_id: s.user_id.clone(),
        rights: s.rights.clone(),
        must_change_password: s.must_change_password,
        prefs: sec.preferences(&s.user_id).unwrap_or_default(),
    }
}

impl Engine {
    /// Opens the store and the audit log of `data_dir`.
    pub fn open(data_dir: &std::path::Path, clock: Box<dyn Clock>) -> Result<Engine, String> {
        let store = Store::open(data_dir).map_err(|e| e.to_string())?;
        let audit = AuditLog::open(data_dir).map_err(|e| e.to_string())?;
        Ok(Engine {
            store,
            audit,
            clock,
            session: None,
        })
    }

    /// An engine over an open store (its audit log in the store's data folder).
    pub fn with_store(store: Store, clock: Box<dyn Clock>) -> Result<Engine, String> {
        let audit = AuditLog::open(store.data_dir()).map_err(|e| e.to_string())?;
        Ok(Engine {
            store,
            audit,
            clock,
            session: None,
        })
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    fn sec(&self) -> Security<'_> {
        Security {
            conn: self.store.conn(),
            audit: &self.audit,
            clock: &*self.clock,
        }
    }

    /// Runs one command: as the logged-in user, or (the daily backup) as the system.
    pub fn execute(&mut self, command: Command, progress: &Progress) -> Outcome {
        match command {
            Command::AuthStatus => match self.sec().is_set_up() {
                Ok(set_up) => Outcome::AuthStatus { set_up },
                Err(e) => Outcome::Failed(e.to_string()),
            },
            Command::Setup { admin, password } => {
                let r = self
                    .sec()
                    .setup(&admin, &password.0)
                    .and_then(|_| self.sec().login(&admin, &password.0));
                if r.is_err() {
                    return self.logged_in(r);
                }
                // The data folder is restricted to the OS account that runs the app.
                if let Err(e) = crate::os::restrict_dir(self.store.data_dir()) {
                    eprintln!("注意: {e}");
                }
                let recovery_key = match crate::backup::keys::init(self.store.data_dir()) {
                    Ok(k) => k,
                    Err(e) => return Outcome::Failed(e.to_string()),
                };
                match self.logged_in(r) {
                    Outcome::LoggedIn(info) => Outcome::SetupDone { info, recovery_key },
                    other => other,
                }
            }
            Command::Login { user, password } => {
                let r = self.sec().login(&user, &password.0);
                self.logged_in(r)
            }
            Command::Resume { password } => {
                let Some(mut s) = self.session.take() else {
                    return Outcome::SessionEnded("ログインしていません".into());
                };
                let r = self.sec().resume(&mut s, &password.0);
                match r {
                    Ok(()) => {
                        let out = Outcome::LoggedIn(info(&self.sec(), &s));
                        self.session = Some(s);
                        out
                    }
                    Err(e @ (AuthError::SessionEnded(_) | AuthError::SessionExpired)) => {
                        Outcome::SessionEnded(e.to_string())
                    }
                    Err(e) => {
                        self.session = Some(s);
                        Outcome::AuthFailed(e.to_string())
                    }
                }
            }
            Command::ChangePassword { old, new } => {
                let Some(mut s) = self.session.take() else {
                    return Outcome::SessionEnded("ログインしていません".into());
                };
                let r = self.sec().change_password(&mut s, &old.0, &new.0);
                let out = match r {
                    Ok(()) => Outcome::PasswordChanged(info(&self.sec(), &s)),
                    Err(e) => Outcome::AuthFailed(e.to_string()),
                };
                self.session = Some(s);
                out
            }
            Command::Logout => {
                if let Some(s) = self.session.take() {
                    self.sec().logout(&s);
                }
                Outcome::LoggedOut
            }
            Command::CheckSession => self.check(),
            Command::Touch => {
                let now = self.clock.now();
                match self.check() {
                    Outcome::SessionActive => {
                        if let Some(s) = self.session.as_mut() {
                            s.last_activity = now;
                        }
                        Outcome::SessionActive
                    }
                    other => other,
                }
            }
            Command::ScheduledBackup => {
                let sec = self.sec();
                if backup_due(&sec) {
                    backup_now(
                        &self.store,
                        &self.audit,
                        &sec,
                        crate::audit::SYSTEM,
                        progress,
                    )
                } else {
                    Outcome::BackupNotDue
                }
            }
            other => self.checked(other, progress),
        }
    }

    fn logged_in(&mut self, r: Result<Session, AuthError>) -> Outcome {
        match r {
            Ok(s) => {
                let out = Outcome::LoggedIn(info(&self.sec(), &s));
                self.session = Some(s);
                out
            }
            Err(e) => Outcome::AuthFailed(e.to_string()),
        }
    }

    fn check(&mut self) -> Outcome {
        let Some(mut s) = self.session.take() else {
            return Outcome::SessionEnded("ログインしていません".into());
        };
        let state = self.sec().check(&mut s);
        match state {
            Ok(SessionState::Active) => {
                self.session = Some(s);
                Outcome::SessionActive
            }
            Ok(SessionState::IdleLocked) => {
                self.session = Some(s);
                Outcome::ScreenLocked
            }
            Ok(SessionState::Expired) => {
                Outcome::SessionEnded(AuthError::SessionExpired.to_string())
            }
            Ok(SessionState::Ended(why)) => {
                Outcome::SessionEnded(AuthError::SessionEnded(why).to_string())
            }
            Err(e) => {
                self.session = Some(s);
                Outcome::Failed(e.to_string())
            }
        }
    }

    /// Any other command: the session must be alive and hold the command's right.
    fn checked(&mut self, command: Command, progress: &Progress) -> Outcome {
        let Some(s) = self.session.take() else {
            return Outcome::SessionEnded("ログインしてください".into());
        };
        let (outcome, s) =
            Engine::gated(&self.store, &self.audit, &*self.clock, s, command, progress);
        self.session = s;
        outcome
    }

    /// [`Engine::checked`] for session `s`, which comes back unless the session ended.
    fn gated(
        store: &Store,
        audit: &AuditLog,
        clock: &dyn Clock,
        mut s: Session,
        command: Command,
        progress: &Progress,
    ) -> (Outcome, Option<Session>) {
        let (right, action, target) = command.access();
        let sec = Security {
            conn: store.conn(),
            audit,
            clock,
        };
        let gate = match right {
            Some(r) => sec.require(&mut s, r, action, &target),
            None => sec.require_login(&mut s, action, &target),
        }
        .and_then(|()| match command.export_path() {
            Some(path) => sec.require_export(&mut s, path),
            None => Ok(()),
        });
        match gate {
            Ok(()) => {}
            Err(AuthError::ScreenLocked) => {
                return (Outcome::ScreenLocked, Some(s));
            }
            Err(e @ (AuthError::SessionEnded(_) | AuthError::SessionExpired)) => {
                return (Outcome::SessionEnded(e.to_string()), None);
            }
            Err(e) => {
                return (Outcome::Denied(e.to_string()), Some(s));
            }
        }
        let logged = command.is_logged();
        let outcome = match command {
            Command::Users { search } => match sec.users(&mut s, &search) {
                Ok(u) => Outcome::Users(u),
                Err(e) => Outcome::Failed(e.to_string()),
            },
            Command::Groups => match sec.groups(&mut s) {
                Ok(g) => Outcome::Groups(g),
                Err(e) => Outcome::Failed(e.to_string()),
            },
            Command::Settings => match sec.settings() {
                Ok(m) => Outcome::Settings(m),
                Err(e) => Outcome::Failed(e.to_string()),
            },
            Command::AllowList => match sec.allowed_ids(&mut s) {
                Ok(a) => Outcome::AllowList(a),
                Err(e) => Outcome::Failed(e.to_string()),
            },
            Command::Admin(op) => admin(&sec, &mut s, op),
            Command::Backup => backup_now(store, audit, &sec, &s.user_id, progress),
            Command::SetPreference { key, value } => {
                match sec.set_preference(&mut s, &key, &value) {
                    Ok(()) => Outcome::PreferenceSet { key, value },
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
            Command::RenewRecoveryKey => {
                match crate::backup::keys::renew_recovery(store.data_dir()) {
                    Ok(k) => Outcome::RecoveryKey(k),
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
            // The folder was checked with the right (`Command::export_path`).
            Command::ExportAudit { filter, path } => match audit.entries().map(|all| {
                all.into_iter()
                    .filter(|e| filter.matches(e))
                    .collect::<Vec<_>>()
            }) {
                Err(e) => Outcome::Failed(e.to_string()),
                Ok(entries) => match crate::audit::write_csv(&path, &entries) {
                    Err(e) => Outcome::Failed(e.to_string()),
                    Ok(()) => {
                        audit.record(
                            Draft::new(
                                &s.user_id,
                                crate::audit::Action::Export,
                                &path.display().to_string(),
                                crate::audit::Outcome::Ok,
                            )
                            .rows(entries.len() as u64)
                            .detail("audit_log"),
                        );
                        Outcome::Exported {
                            path,
                            rows: entries.len() as u64,
                        }
                    }
                },
            },
            // Uptake per area: suppressed in the core, at the admin's threshold, before
            // the rows leave the engine; `reveal` passed the 個人情報の閲覧 check above.
            Command::Uptake { level, fy, reveal } => {
                match figures(&sec, level, fy, Default::default(), reveal) {
                    Ok(t) => Outcome::Uptake(t),
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
            Command::AreaUptake {
                level,
                fy,
                filter,
                reveal,
            } => match figures(&sec, level, fy, filter, reveal) {
                Ok(t) => Outcome::AreaUptake(t),
                Err(e) => Outcome::Failed(e.to_string()),
            },
            Command::AuditLog(filter) => match audit.entries() {
                Ok(all) => {
                    Outcome::AuditLog(all.into_iter().filter(|e| filter.matches(e)).collect())
                }
                Err(e) => Outcome::Failed(e.to_string()),
            },
            other => super::handlers::run(store, other, progress),
        };
        if logged {
            let (result, rows) = summary(&outcome);
            let mut d = Draft::new(&s.user_id, action, &target, result);
            d.rows = rows;
            d.detail = detail(&outcome);
            if let Outcome::Uptake(t) | Outcome::AreaUptake(t) = &outcome
                && t.reveal
            {
                d.detail = format!("suppressed_shown:{}", t.revealed_count());
            }
            audit.record(d);
        }
        (outcome, Some(s))
    }
}

/// Runs a command other than the account commands as `session`'s user, through the gate
/// of [`Engine::execute`]: the session must be alive and hold the command's right
/// (`Command::access`), a file written for use outside must go to an allowed folder
/// (`Command::export_path`), and what it did is written to the audit log. For the CLI,
/// which logs in on its own.
pub fn execute_as(
    store: &Store,
    audit: &AuditLog,
    clock: &dyn Clock,
    session: &mut Session,
    command: Command,
    progress: &Progress,
) -> Outcome {
    let (outcome, s) = Engine::gated(store, audit, clock, session.clone(), command, progress);
    if let Some(s) = s {
        *session = s;
    }
    outcome
}

/// Uptake per area at the admin's suppression threshold.
fn figures(
    sec: &Security,
    level: crate::analysis::uptake::Level,
    fy: i32,
    filter: crate::analysis::uptake::TargetFilter,
    reveal: bool,
) -> Result<crate::analysis::figures::AreaTable, crate::analysis::figures::FiguresError> {
    crate::analysis::figures::area_table(
        sec.conn,
        level,
        fy,
        filter,
        sec.suppression_threshold(),
        reveal,
    )
}

/// Whether the daily backup is due: a time is set, it has passed today (local time), and
/// the folder has no generation from today.
fn backup_due(sec: &Security) -> bool {
    use crate::backup;
    let setting = |k| {
        sec.setting(k)
            .ok()
            .flatten()
            .filter(|v: &String| !v.trim().is_empty())
    };
    let (Some(time), Some(dir)) = (setting(backup::SETTING_TIME), setting(backup::SETTING_DIR))
    else {
        return false;
    };
    let Ok(at) = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M") else {
        return false;
    };
    let now = chrono::Local::now();
    if now.time() < at {
        return false;
    }
    let today = format!("kenshin-backup-{}", now.format("%Y%m%d"));
    !backup::generations(std::path::Path::new(&dir))
        .iter()
        .any(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&today))
        })
}

/// A backup to the folder of the admin settings, made and logged (with its file and rows)
/// as `actor`: the user, or [`crate::audit::SYSTEM`] for the daily backup.
fn backup_now(
    store: &Store,
    audit: &AuditLog,
    sec: &Security,
    actor: &str,
    progress: &Progress,
) -> Outcome {
    use crate::backup;
    let dir = sec
        .setting(backup::SETTING_DIR)
        .ok()
        .flatten()
        .filter(|d| !d.trim().is_empty());
    let Some(dir) = dir else {
        return Outcome::Failed(backup::BackupError::NoFolder.to_string());
    };
    let keep = sec
        .setting(backup::SETTING_GENERATIONS)
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(backup::DEFAULT_GENERATIONS);
    let r = backup::run(
        store,
        audit.head(),
        actor,
        std::path::Path::new(&dir),
        keep,
        progress,
    );
    match r {
        Ok(rep) => {
            audit.record(
                Draft::new(
                    actor,
                    crate::audit::Action::Backup,
                    &rep.file.display().to_string(),
                    crate::audit::Outcome::Ok,
                )
                .rows(rep.rows as u64),
            );
            Outcome::BackupDone(rep)
        }
        Err(e) => {
            audit.record(Draft::new(
                actor,
                crate::audit::Action::Backup,
                &dir,
                crate::audit::Outcome::Error,
            ));
            Outcome::Failed(e.to_string())
        }
    }
}

/// The audit result and row count of an outcome.
fn summary(o: &Outcome) -> (crate::audit::Outcome, Option<u64>) {
    use crate::audit::Outcome as R;
    match o {
        Outcome::Failed(_) => (R::Error, None),
        Outcome::Imported { reports, .. } => (
            if reports.iter().all(|r| r.is_success()) {
                R::Ok
            } else {
                R::Error
            },
            Some(reports.iter().map(|r| r.rows).sum()),
        ),
        Outcome::InsuredPoints { points, .. } => (R::Ok, Some(points.count as u64)),
        Outcome::Unmatched(rows) => (R::Ok, Some(rows.len() as u64)),
        Outcome::Rejects { rejects, .. } => (R::Ok, Some(rejects.len() as u64)),
        Outcome::AreaUptake(t) | Outcome::Uptake(t) => (R::Ok, Some(t.rows.len() as u64)),
        Outcome::LayerImported { result, .. } => (
            if result.is_ok() { R::Ok } else { R::Error },
            result.as_ref().ok().map(|i| i.feature_count),
        ),
        _ => (R::Ok, None),
    }
}

/// The audit note of an outcome: for imports, the periods replaced (or refused) with
/// noticeably fewer rows, and their counts.
fn detail(o: &Outcome) -> String {
    match o {
        Outcome::Imported { reports, .. } => reports
            .iter()
            .filter_map(|r| r.audit_detail())
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    }
}

fn admin(sec: &Security, s: &mut Session, op: AdminOp) -> Outcome {
    let r: Result<String, AuthError> = match op {
        AdminOp::Allow {
            id,
            valid_until,
            note,
        } => sec
            .allow_id(s, &id, valid_until.as_deref(), &note)
            .map(|_| format!("許可リストに {id} を登録しました。")),
        AdminOp::Register { id, role } => sec.register(s, &id, role).map(|p| {
            format!("{id} を登録しました。初期パスワード（この画面でだけ表示、72 時間有効）: {p}")
        }),
        AdminOp::Suspend(id) => sec
            .suspend(s, &id)
            .map(|_| format!("{id} の利用を停止しました。")),
        AdminOp::Resume(id) => sec
            .resume_user(s, &id)
            .map(|_| format!("{id} の停止を解除しました。")),
        AdminOp::Unlock(id) => sec
            .unlock(s, &id)
            .map(|_| format!("{id} のロックを解除しました。")),
        AdminOp::ResetPassword(id) => sec.reset_password(s, &id).map(|p| {
            format!("{id} の初期パスワードを再発行しました（この画面でだけ表示、72 時間有効）: {p}")
        }),
        AdminOp::Delete(id) => sec
            .delete_user(s, &id)
            .map(|_| format!("{id} を削除しました。")),
        AdminOp::SetRights { id, rights } => sec
            .set_user_rights(s, &id, &rights)
            .map(|_| format!("{id} の権限を変更しました。")),
        AdminOp::SetSetting { key, value } => sec
            .set_setting(s, &key, &value)
            .map(|_| "設定を保存しました。".to_string()),
        AdminOp::SetGroup {
            name,
            rights,
            members,
        } => sec
            .set_group(s, &name, &rights, &members)
            .map(|_| format!("グループ {name} を保存しました。")),
    };
    match r {
        Ok(message) => match (sec.users(s, ""), sec.groups(s), sec.allowed_ids(s)) {
            (Ok(users), Ok(groups), Ok(allowed)) => Outcome::AdminDone {
                message,
                users,
                groups,
                allowed,
            },
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Outcome::Failed(e.to_string()),
        },
        Err(e) => Outcome::Failed(e.to_string()),
    }
}
