//! One audit entry: when (UTC and the local offset), who, what, on which target, how many
//! rows, and the result; plus the chain fields `prev` and `mac`. The MAC covers the JSON
//! of every other field in a fixed order ([`Entry::body`]).

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Setup,
    Login,
    LoginFailed,
    Logout,
    /// The account was locked after repeated failures.
    AccountLocked,
    /// The screen locked after idle time.
    ScreenLocked,
    SessionEnded,
    PasswordChanged,
    Search,
    ViewPersonal,
    Import,
    Export,
    Print,
    Edit,
    /// A change made in the admin settings (users, groups, rights, allow-list, settings).
    Admin,
    Backup,
    Restore,
    /// Any other command run (its name is the target).
    Command,
}

impl Action {
    pub const ALL: [Action; 18] = [
        Action::Setup,
        Action::Login,
        Action::LoginFailed,
        Action::Logout,
        Action::AccountLocked,
        Action::ScreenLocked,
        Action::SessionEnded,
        Action::PasswordChanged,
        Action::Search,
        Action::ViewPersonal,
        Action::Import,
        Action::Export,
        Action::Print,
        Action::Edit,
        Action::Admin,
        Action::Backup,
        Action::Restore,
        Action::Command,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Action::Setup => "初期設定",
            Action::Login => "ログイン",
            Action::LoginFailed => "ログイン失敗",
            Action::Logout => "ログアウト",
            Action::AccountLocked => "アカウントロック",
            Action::ScreenLocked => "画面ロック",
            Action::SessionEnded => "セッション終了",
            Action::PasswordChanged => "パスワード変更",
            Action::Search => "検索",
            Action::ViewPersonal => "個人情報の閲覧",
            Action::Import => "取込",
            Action::Export => "外部出力",
            Action::Print => "印刷",
            Action::Edit => "編集",
            Action::Admin => "管理操作",
            Action::Backup => "バックアップ",
            Action::Restore => "復元",
            Action::Command => "操作",
        }
    }
}

/// The result of the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Denied,
    Error,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "成功",
            Outcome::Denied => "拒否",
            Outcome::Error => "エラー",
        }
    }
}

/// What the caller says; the log adds the sequence number, the time and the chain.
#[derive(Debug, Clone)]
pub struct Draft {
    pub user: String,
    pub action: Action,
    pub target: String,
    pub rows: Option<u64>,
    pub result: Outcome,
    /// A short note without personal data (a right's key, an error kind, a path).
    pub detail: String,
}

impl Draft {
    pub fn new(user: &str, action: Action, target: &str, result: Outcome) -> Draft {
        Draft {
            user: user.to_string(),
            action,
            target: target.to_string(),
            rows: None,
            result,
            detail: String::new(),
        }
    }
    pub fn rows(mut self, n: u64) -> Draft {
        self.rows = Some(n);
        self
    }
    pub fn detail(mut self, d: impl Into<String>) -> Draft {
        self.detail = d.into();
        self
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub seq: u64,
    /// UTC, RFC 3339 with milliseconds.
    pub time_utc: String,
    /// The local offset at that time ("+09:00").
    pub offset: String,
    pub user: String,
    pub action: Action,
    pub target: String,
    pub rows: Option<u64>,
    pub result: Outcome,
    pub detail: String,
    /// The previous entry's MAC (empty for the first).
    pub prev: String,
    pub mac: String,
}

/// The fields the MAC covers, in this order.
#[derive(serde::Serialize)]
struct Body<'a> {
    seq: u64,
    time_utc: &'a str,
    offset: &'a str,
    user: &'a str,
    action: Action,
    target: &'a str,
    rows: Option<u64>,
    result: Outcome,
    detail: &'a str,
    prev: &'a str,
}

impl Entry {
    pub(crate) fn from_draft(
        d: Draft,
        seq: u64,
        now: &chrono::DateTime<chrono::Local>,
        prev: &str,
    ) -> Entry {
        Entry {
            seq,
            time_utc: now
                .with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string(),
            offset: now.format("%:z").to_string(),
            user: d.user,
            action: d.action,
            target: d.target,
            rows: d.rows,
            result: d.result,
            detail: d.detail,
            prev: prev.to_string(),
            mac: String::new(),
        }
    }

    /// The canonical text the MAC is computed over.
    pub fn body(&self) -> String {
        serde_json::to_string(&Body {
            seq: self.seq,
            time_utc: &self.time_utc,
            offset: &self.offset,
            user: &self.user,
            action: self.action,
            target: &self.target,
            rows: self.rows,
            result: self.result,
            detail: &self.detail,
            prev: &self.prev,
        })
        .unwrap_or_default()
    }

    /// The local time as "2026-11-21 22:55:01" (for the viewer).
    pub fn local_time(&self) -> String {
        let utc = chrono::DateTime::parse_from_rfc3339(&self.time_utc).ok();
        let off = chrono::FixedOffset::from_str_offset(&self.offset);
        match (utc, off) {
            (Some(t), Some(o)) => t.with_timezone(&o).format("%Y-%m-%d %H:%M:%S").to_string(),
            _ => self.time_utc.clone(),
        }
    }
}

trait FromStrOffset: Sized {
    fn from_str_offset(s: &str) -> Option<Self>;
}

impl FromStrOffset for chrono::FixedOffset {
    fn from_str_offset(s: &str) -> Option<Self> {
        let sign = match s.get(..1)? {
            "+" => 1,
            "-" => -1,
            _ => return None,
        };
        let h: i32 = s.get(1..3)?.parse().ok()?;
        let m: i32 = s.get(4..6)?.parse().ok()?;
        chrono::FixedOffset::east_opt(sign * (h * 3600 + m * 60))
    }
}
