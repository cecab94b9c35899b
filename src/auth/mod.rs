//! Accounts, rights and sessions, enforced in the core: every command, from the window or
//! the command line, runs as a logged-in user and passes [`Security::require`] for the
//! right it needs. A refusal is written to the audit log. Plain Rust over the store and
//! the audit log; the screens only call it.
//!
//! - `password`: argon2id hashes, the password policy, random initial passwords.
//! - `rights`: the rights and the role presets.
//! - `session`: sessions, idle lock and the injectable clock.
//! - `login`: first setup, login with lockout, screen unlock, password change.
//! - `admin`: the allow-list, users (register, suspend, resume, unlock, reset, delete),
//!   groups and rights, and the admin settings.

pub mod admin;
pub mod login;
pub mod password;
pub mod prefs;
pub mod rights;
pub mod session;

pub use rights::{Right, Role};
pub use session::{Clock, Session, SessionState, SystemClock, TestClock};

use duckdb::{Connection, OptionalExt, params};

use crate::audit::{Action, AuditLog, Draft, Outcome};

/// Failures a user sees. Unknown IDs and wrong passwords get the same message.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("ID またはパスワードが違います。")]
    BadCredentials,
    #[error(
        "ログインに {} 回続けて失敗したため、この ID をロックしています。{minutes} 分ほど待ってからやり直すか、管理者にロックの解除を依頼してください。",
        login::MAX_FAILURES
    )]
    Locked { minutes: i64 },
    #[error("この ID は利用停止中です。管理者に連絡してください。")]
    Suspended,
    #[error("利用期間（{0} まで）が終わっています。管理者に利用期間の更新を依頼してください。")]
    PeriodOver(String),
    #[error(
        "初期パスワードの有効期限（72 時間）が切れています。管理者に再発行を依頼してください。"
    )]
    InitialExpired,
    #[error("ID「{0}」は許可リストにありません。管理者が先に許可リストへ登録してください。")]
    NotAllowed(String),
    #[error("ID「{0}」は既に登録されています。")]
    Exists(String),
    #[error("ID「{0}」は登録されていません。")]
    NotFound(String),
    #[error(
        "ID には半角の英数字と . _ - だけを使い、1〜32 文字にしてください（system はアプリ自身の記録に使うため使えません）。"
    )]
    BadId,
    #[error(
        "設定 {key} に「{value}」は使えません（画面ロックは 1〜240 分、世代数は 1〜100、時刻は 18:30 の形か空欄、非表示の基準は 1〜1000 人）。"
    )]
    BadSetting { key: String, value: String },
    #[error("日付「{0}」は 2026-03-31 のように入力してください。")]
    BadDate(String),
    #[error("初期設定は済んでいます。")]
    AlreadySetUp,
    #[error(
        "初期設定がまだです。`kenshin-atlas setup --admin ID` か画面の初期設定で最初の管理者を作ってください。"
    )]
    NotSetUp,
    #[error(transparent)]
    Policy(#[from] password::PolicyError),
    #[error("この操作には「{}」の権限が必要です。必要なら管理者に権限の付与を依頼してください。", .0.label())]
    Denied(Right),
    #[error("初期パスワードを変更してから操作してください。")]
    MustChangePassword,
    #[error("画面がロックされています。パスワードを入力して再開してください。")]
    ScreenLocked,
    #[error("ログインから 12 時間が過ぎました。ログインし直してください。")]
    SessionExpired,
    #[error("セッションは終了しました（{0}）。ログインし直してください。")]
    SessionEnded(String),
    #[error("ログインしていません。ログインしてください。")]
    NotLoggedIn,
    #[error("グループ「{0}」はありません。")]
    NoGroup(String),
    #[error(
        "最後の管理者（利用者の管理の権限を持つ有効な利用者）は停止・削除・権限の取り消しができません。"
    )]
    LastAdmin,
    #[error(
        "出力先 {0} は許可された出力先フォルダの外です。次のフォルダ（またはその中）を選んでください: {1}。変える必要があれば管理者に「出力先フォルダ」の設定を依頼してください。"
    )]
    ExportFolder(String, String),
    #[error(
        "出力先 {0} は USB メモリなどの外部記憶媒体です。「外部記憶媒体（USBメモリ等）への書出し」の権限がないため書き出せません。管理者に依頼するか、許可された出力先フォルダを選んでください。"
    )]
    Removable(String),
    #[error(transparent)]
    Hash(#[from] password::HashError),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error("利用者情報のデータベース処理に失敗しました: {0}")]
    Sql(#[from] duckdb::Error),
}

/// What account checks need: the database, the audit log and the clock.
#[derive(Clone, Copy)]
pub struct Security<'a> {
    pub conn: &'a Connection,
    pub audit: &'a AuditLog,
    pub clock: &'a dyn Clock,
}

/// IDs are ASCII letters, digits and `._-`, 1–32 characters (they go into the audit log
/// and file names), and not the actor the audit log uses for the app itself
/// ([`crate::audit::SYSTEM`]).
pub fn valid_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !id.eq_ignore_ascii_case(crate::audit::SYSTEM)
}

pub const SETTING_IDLE_MINUTES: &str = "idle_minutes";
pub const SETTING_EXPORT_DIRS: &str = "export_dirs";

/// The setting of one user's export folders (`export_dirs.<user id>`), which take
/// precedence over everyone's.
pub fn user_export_dirs_key(user: &str) -> String {
    format!("{SETTING_EXPORT_DIRS}.{user}")
}

impl Security<'_> {
    pub fn log(&self, draft: Draft) {
        self.audit.record(draft);
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, AuthError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM app_settings WHERE key = ?",
                params![key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every admin setting (key → value).
    pub fn settings(&self) -> Result<std::collections::BTreeMap<String, String>, AuthError> {
        let mut stmt = self.conn.prepare("SELECT key, value FROM app_settings")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn idle_minutes(&self) -> i64 {
        self.setting(SETTING_IDLE_MINUTES)
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .filter(|m: &i64| (1..=240).contains(m))
            .unwrap_or(session::DEFAULT_IDLE_MINUTES)
    }

    /// The threshold of small-number suppression (targets per area; at least 1, default
    /// 10), see `analysis::suppression`.
    pub fn suppression_threshold(&self) -> i64 {
        use crate::analysis::suppression::{SETTING_THRESHOLD, threshold_of};
        threshold_of(self.setting(SETTING_THRESHOLD).ok().flatten().as_deref())
    }

    /// The folders exports may be written to (empty: anywhere, for users with the right).
    pub fn export_dirs(&self) -> Vec<std::path::PathBuf> {
        self.dirs_setting(SETTING_EXPORT_DIRS)
    }

    /// The folders `user` may export to: their own when an admin set any, else everyone's.
    pub fn export_dirs_of(&self, user: &str) -> Vec<std::path::PathBuf> {
        let own = self.dirs_setting(&user_export_dirs_key(user));
        if own.is_empty() {
            self.export_dirs()
        } else {
            own
        }
    }

    fn dirs_setting(&self, key: &str) -> Vec<std::path::PathBuf> {
        self.setting(key)
            .ok()
            .flatten()
            .map(|v| {
                v.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(std::path::PathBuf::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Checks that the session may go on (database state and timing) and that it holds
    /// `right`; logs a refusal with `action` and `target`. Counts as activity.
    pub fn require(
        &self,
        session: &mut Session,
        right: Right,
        action: Action,
        target: &str,
    ) -> Result<(), AuthError> {
        self.gate(session, Some(right), action, target)
    }

    /// For commands any logged-in user may run: the session is alive and its initial
    /// password was changed. Counts as activity.
    pub fn require_login(
        &self,
        session: &mut Session,
        action: Action,
        target: &str,
    ) -> Result<(), AuthError> {
        self.gate(session, None, action, target)
    }

    fn gate(
        &self,
        session: &mut Session,
        right: Option<Right>,
        action: Action,
        target: &str,
    ) -> Result<(), AuthError> {
        self.alive(session)?;
        let refusal = if session.must_change_password {
            Some(("must_change_password", AuthError::MustChangePassword))
        } else {
            right
                .filter(|r| !session.rights.contains(r))
                .map(|r| (r.key(), AuthError::Denied(r)))
        };
        if let Some((why, e)) = refusal {
            self.log(Draft::new(&session.user_id, action, target, Outcome::Denied).detail(why));
            return Err(e);
        }
        session.last_activity = self.clock.now();
        Ok(())
    }

    /// The session is still good: not idle-locked, not past 12 h, the user not suspended,
    /// deleted or reset since. Logs the moment it locks or ends.
    pub fn alive(&self, session: &mut Session) -> Result<(), AuthError> {
        match self.check(session)? {
            SessionState::Active => Ok(()),
            SessionState::IdleLocked => Err(AuthError::ScreenLocked),
            SessionState::Expired => Err(AuthError::SessionExpired),
            SessionState::Ended(why) => Err(AuthError::SessionEnded(why)),
        }
    }

    /// The session's state now (see [`SessionState`]).
    pub fn check(&self, session: &mut Session) -> Result<SessionState, AuthError> {
        let row: Option<(bool, i64)> = self
            .conn
            .query_row(
                "SELECT suspended, session_epoch FROM users WHERE user_id = ?",
                params![session.user_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let ended = match row {
            None => Some("利用者が削除されました"),
            Some((true, _)) => Some("利用停止"),
            Some((false, epoch)) if epoch != session.epoch => Some("パスワードの再発行"),
            _ => None,
        };
        if let Some(why) = ended {
            self.log(
                Draft::new(&session.user_id, Action::SessionEnded, "", Outcome::Ok).detail(why),
            );
            return Ok(SessionState::Ended(why.to_string()));
        }
        // Rights changed by an admin apply at once, not at the next login.
        session.rights = self.effective_rights(&session.user_id)?;
        let state = session.timing(self.clock.now(), self.idle_minutes());
        if state == SessionState::IdleLocked && !session.locked {
            session.locked = true;
            self.log(Draft::new(
                &session.user_id,
                Action::ScreenLocked,
                "",
                Outcome::Ok,
            ));
        }
        Ok(state)
    }

    /// Checks an export destination: the 外部出力 right; a removable drive needs
    /// 外部記憶媒体への書出し as well; and when folders are set (the user's own first,
    /// else everyone's) the path must be inside one of them. Logs a refusal.
    pub fn require_export(
        &self,
        session: &mut Session,
        path: &std::path::Path,
    ) -> Result<(), AuthError> {
        let target = path.display().to_string();
        self.require(session, Right::Export, Action::Export, &target)?;
        // Where the path really leads: a link inside an allowed folder to a USB stick is
        // the stick.
        let abs = resolved(path);
        let refuse = |why: &str| {
            self.log(
                Draft::new(&session.user_id, Action::Export, &target, Outcome::Denied).detail(why),
            );
        };
        if crate::os::removable::is_removable(&abs)
            && !session.rights.contains(&Right::ExportRemovable)
        {
            refuse(Right::ExportRemovable.key());
            return Err(AuthError::Removable(target));
        }
        let dirs = self.export_dirs_of(&session.user_id);
        if dirs.is_empty() || dirs.iter().any(|d| abs.starts_with(resolved(d))) {
            Ok(())
        } else {
            refuse("export_folder");
            let allowed: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            Err(AuthError::ExportFolder(target, allowed.join("、")))
        }
    }
}

/// [`absolute`], with the longest part that exists resolved on disk (links and junctions
/// followed), so that a file not written yet is checked where it will really be.
fn resolved(p: &std::path::Path) -> std::path::PathBuf {
    let abs = absolute(p);
    let mut existing = abs.as_path();
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let mut out = real;
            out.extend(rest.iter().rev());
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return abs,
        }
    }
}

/// An absolute, lexically normalised path (`..` resolved without touching the disk, so a
/// file that does not exist yet can be checked).
fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    let base = if p.is_absolute() {
        std::path::PathBuf::new()
    } else {
        std::env::current_dir().unwrap_or_default()
    };
    let mut out = std::path::PathBuf::new();
    for c in base.join(p).components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}
