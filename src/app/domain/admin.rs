//! Administration: users, groups and the allow-list, the admin settings, the usage log
//! (view, export, verify), and backups (now, daily, the recovery key).

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::{Audited, Cx, Domain};
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::{Action, AuditLog, Draft};
use crate::auth::admin::{AllowedId, GroupInfo, UserInfo};
use crate::auth::{AuthError, Right, Role, Security, Session};
use crate::backup::{self, BackupReport};
use crate::job::Progress;
use crate::store::Store;

/// A change in the admin settings.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminOp {
    Allow {
        id: String,
        valid_until: Option<String>,
        note: String,
    },
    Register {
        id: String,
        role: Role,
    },
    Suspend(String),
    Resume(String),
    Unlock(String),
    ResetPassword(String),
    Delete(String),
    SetRights {
        id: String,
        rights: BTreeSet<Right>,
    },
    SetSetting {
        key: String,
        value: String,
    },
    SetGroup {
        name: String,
        rights: BTreeSet<Right>,
        members: Vec<String>,
    },
    /// The group grants nothing until it is resumed.
    SuspendGroup(String),
    ResumeGroup(String),
    DeleteGroup(String),
}

#[derive(Debug, Clone)]
pub enum AdminCmd {
    /// The user list (利用者の管理), filtered by ID.
    Users { search: String },
    /// The groups, filtered by name.
    Groups { search: String },
    /// The allow-list with usage periods.
    AllowList,
    /// The admin settings as stored.
    Settings,
    /// A change; answers with the lists as they are after it.
    Op(AdminOp),
    /// The audit log, filtered (利用ログの閲覧).
    AuditLog(crate::audit::Filter),
    /// Write the filtered audit log as CSV (利用ログの閲覧 + 外部出力; logged as an export).
    ExportAudit {
        filter: crate::audit::Filter,
        path: PathBuf,
    },
    /// Check the audit log's chain against its key and head.
    VerifyAudit,
    /// An encrypted backup now (「バックアップ・復元」 right), to `dir` or the folder of
    /// the settings, keeping `keep` or the set number of generations.
    Backup {
        dir: Option<PathBuf>,
        keep: Option<usize>,
    },
    /// Make a new backup recovery key (「バックアップ・復元」 right), shown once to the
    /// user who asked. The only way, besides first setup, that a recovery key is made: a
    /// backup without one is encrypted to the app key only and says so.
    RenewRecoveryKey,
    /// The daily backup, if due (the admin's time has passed and today's generation is
    /// missing). The app's own routine, set up by an admin: it runs as
    /// [`crate::audit::SYSTEM`], needs no session and no right, and is not the logged-in
    /// user's activity.
    ScheduledBackup,
}

#[derive(Debug)]
pub enum AdminReply {
    Users(Vec<UserInfo>),
    Groups(Vec<GroupInfo>),
    AllowList(Vec<AllowedId>),
    Settings(std::collections::BTreeMap<String, String>),
    /// An admin change done; the message (with a new initial password, shown once).
    /// `ended`: the change ended the admin's own session (a reset of their own password,
    /// their own suspension): the screen shows the message at the login.
    Done {
        message: String,
        users: Vec<UserInfo>,
        groups: Vec<GroupInfo>,
        allowed: Vec<AllowedId>,
        ended: bool,
    },
    AuditLog(Vec<crate::audit::Entry>),
    /// A file written (its path and rows).
    Exported {
        path: PathBuf,
        rows: u64,
    },
    AuditVerified(crate::audit::VerifyReport),
    BackupDone(BackupReport),
    /// The daily backup is not due (no time or folder set, the time not reached, or
    /// today's generation exists).
    BackupNotDue,
    /// A new recovery key's identity-file text, to show once.
    RecoveryKey(String),
}

impl Domain for AdminCmd {
    type Reply = AdminReply;

    fn spec(&self) -> Spec {
        let users = |label| Spec::login(label).right(Right::ManageUsers, Action::Admin, "users");
        match self {
            AdminCmd::Users { .. } => users("利用者の一覧"),
            AdminCmd::Groups { .. } => users("グループの一覧"),
            AdminCmd::AllowList => users("許可リスト"),
            AdminCmd::Settings => users("設定の読込"),
            // Each change is logged by `auth` with its own target.
            AdminCmd::Op(_) => users("管理者設定"),
            AdminCmd::AuditLog(_) => {
                Spec::login("利用ログ").right(Right::ViewAudit, Action::Search, "audit_log")
            }
            // Logged as an export of its file by the handler.
            AdminCmd::ExportAudit { path, .. } => Spec::login("利用ログの書き出し")
                .right(Right::ViewAudit, Action::Search, "audit_log")
                .export(path),
            AdminCmd::VerifyAudit => Spec::login("利用ログの検査")
                .right(Right::ViewAudit, Action::Search, "audit_verify")
                .logged(),
            // Logged with its file by `backup_now`.
            AdminCmd::Backup { .. } => {
                Spec::login("バックアップ").right(Right::Backup, Action::Backup, "backup")
            }
            AdminCmd::RenewRecoveryKey => Spec::login("復旧鍵の作り直し")
                .right(Right::Backup, Action::Backup, "recovery_key")
                .logged(),
            AdminCmd::ScheduledBackup => Spec::login("定時バックアップ")
                .acts(Action::Backup, "backup")
                .system(),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<AdminReply, AppError> {
        let (store, audit, progress) = (cx.store, cx.audit, cx.progress);
        if let AdminCmd::ScheduledBackup = self {
            // No session needed: the system runs it.
            return scheduled(store, audit, &cx.sec(), progress);
        }
        let (sec, s) = cx.parts()?;
        Ok(match self {
            AdminCmd::Users { search } => AdminReply::Users(sec.users(s, &search)?),
            AdminCmd::Groups { search } => AdminReply::Groups(sec.groups(s, &search)?),
            AdminCmd::AllowList => AdminReply::AllowList(sec.allowed_ids(s)?),
            AdminCmd::Settings => AdminReply::Settings(sec.settings()?),
            AdminCmd::Op(op) => {
                let message = admin_op(&sec, s, op)?;
                // The change is committed and its message (perhaps a new initial password)
                // must reach the admin even when the change ended their own session or
                // took their right: the lists then come back empty.
                let lists = (|| -> Result<_, AuthError> {
                    Ok((sec.users(s, "")?, sec.groups(s, "")?, sec.allowed_ids(s)?))
                })();
                let ended = matches!(
                    lists,
                    Err(AuthError::SessionEnded(_) | AuthError::SessionExpired)
                );
                let (users, groups, allowed) = lists.unwrap_or_default();
                if ended {
                    *cx.session = None;
                }
                return Ok(AdminReply::Done {
                    message,
                    users,
                    groups,
                    allowed,
                    ended,
                });
            }
            AdminCmd::AuditLog(filter) => AdminReply::AuditLog(
                audit
                    .entries()?
                    .into_iter()
                    .filter(|e| filter.matches(e))
                    .collect(),
            ),
            // The folder was checked at the gate (`Spec::export`).
            AdminCmd::ExportAudit { filter, path } => {
                let entries: Vec<_> = audit
                    .entries()?
                    .into_iter()
                    .filter(|e| filter.matches(e))
                    .collect();
                crate::audit::write_csv(&path, &entries)?;
                let rows = entries.len() as u64;
                audit.record(
                    Draft::new(
                        &s.user_id,
                        Action::Export,
                        &path.display().to_string(),
                        crate::audit::Outcome::Ok,
                    )
                    .rows(rows)
                    .detail("audit_log"),
                );
                AdminReply::Exported { path, rows }
            }
            AdminCmd::VerifyAudit => {
                AdminReply::AuditVerified(crate::audit::verify(store.data_dir())?)
            }
            AdminCmd::Backup { dir, keep } => {
                let user = s.user_id.clone();
                backup_now(store, audit, &sec, &user, dir, keep, progress)?
            }
            AdminCmd::RenewRecoveryKey => {
                AdminReply::RecoveryKey(backup::keys::renew_recovery(store.data_dir())?)
            }
            AdminCmd::ScheduledBackup => scheduled(store, audit, &sec, progress)?,
        })
    }

    fn audited(reply: &AdminReply) -> Option<Audited> {
        Some(match reply {
            AdminReply::AuditVerified(r) => Audited {
                failed: !r.ok(),
                ..Audited::rows(r.entries)
            },
            _ => Audited::default(),
        })
    }
}

/// Runs one admin change; the message to show.
fn admin_op(sec: &Security, s: &mut Session, op: AdminOp) -> Result<String, AuthError> {
    match op {
        AdminOp::Allow {
            id,
            valid_until,
            note,
        } => sec
            .allow_id(s, &id, valid_until.as_deref(), &note)
            .map(|_| format!("許可リストに {id} を登録しました。")),
        AdminOp::Register { id, role } => sec.register(s, &id, role).map(|p| {
            format!(
                "{id} を登録しました。初期パスワード（一度だけ表示、72 時間有効、初回ログインで変更）: {p}"
            )
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
            format!("{id} の初期パスワードを再発行しました（一度だけ表示、72 時間有効）: {p}")
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
        AdminOp::SuspendGroup(name) => sec.suspend_group(s, &name).map(|_| {
            format!(
                "グループ {name} を停止しました。再開するまで、このグループの権限は働きません。"
            )
        }),
        AdminOp::ResumeGroup(name) => sec
            .resume_group(s, &name)
            .map(|_| format!("グループ {name} を再開しました。")),
        AdminOp::DeleteGroup(name) => sec
            .delete_group(s, &name)
            .map(|_| format!("グループ {name} を削除しました（利用者は残ります）。")),
    }
}

/// The daily backup, as the system, if it is due.
fn scheduled(
    store: &Store,
    audit: &AuditLog,
    sec: &Security,
    progress: &Progress,
) -> Result<AdminReply, AppError> {
    if backup_due(sec) {
        backup_now(
            store,
            audit,
            sec,
            crate::audit::SYSTEM,
            None,
            None,
            progress,
        )
    } else {
        Ok(AdminReply::BackupNotDue)
    }
}

/// Whether the daily backup is due: a time is set, it has passed today (local time), and
/// the folder has no generation from today.
fn backup_due(sec: &Security) -> bool {
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

/// A backup to `dir` (default: the folder of the admin settings), keeping `keep` (default:
/// the setting) generations, made and logged (with its file and rows) as `actor`: the
/// user, or [`crate::audit::SYSTEM`] for the daily backup.
fn backup_now(
    store: &Store,
    audit: &AuditLog,
    sec: &Security,
    actor: &str,
    dir: Option<PathBuf>,
    keep: Option<usize>,
    progress: &Progress,
) -> Result<AdminReply, AppError> {
    let dir = dir.or_else(|| {
        sec.setting(backup::SETTING_DIR)
            .ok()
            .flatten()
            .filter(|d| !d.trim().is_empty())
            .map(PathBuf::from)
    });
    let Some(dir) = dir else {
        return Err(backup::BackupError::NoFolder.into());
    };
    let keep = keep
        .or_else(|| {
            sec.setting(backup::SETTING_GENERATIONS)
                .ok()
                .flatten()
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(backup::DEFAULT_GENERATIONS);
    match backup::run(store, audit.head(), actor, &dir, keep, progress) {
        Ok(rep) => {
            audit.record(
                Draft::new(
                    actor,
                    Action::Backup,
                    &rep.file.display().to_string(),
                    crate::audit::Outcome::Ok,
                )
                .rows(rep.rows as u64),
            );
            Ok(AdminReply::BackupDone(rep))
        }
        Err(e) => {
            audit.record(Draft::new(
                actor,
                Action::Backup,
                &dir.display().to_string(),
                crate::audit::Outcome::Error,
            ));
            Err(e.into())
        }
    }
}
