//! What the UI (or any other front end) can ask of the worker, and what comes back.

use std::path::PathBuf;

use crate::analysis::figures::AreaTable;
use crate::analysis::uptake::{Level, TargetFilter};
use crate::geocode::{GeocodeReport, Unmatched};
use crate::import::user_table::UserTableReport;
use crate::import::{ImportOptions, ImportReport, Preview, UserTableOptions};
use std::collections::BTreeSet;
use std::sync::Arc;

use crate::audit::Action;
use crate::auth::{Right, Role};

use crate::map::MapLayers;
use crate::map::document::{MapDocument, SavedMap};
use crate::map::facilities::FacilityLayer;
use crate::map::insured::InsuredPoints;
use crate::store::{Reject, Stats};

/// A password in a command: never printed by `Debug` (commands may be logged).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

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
}

#[derive(Debug, Clone)]
pub enum Command {
    /// Whether the first admin exists (the screen shows setup or login).
    AuthStatus,
    /// First setup: the first admin; logs them in.
    Setup {
        admin: String,
        password: Secret,
    },
    Login {
        user: String,
        password: Secret,
    },
    /// Unlock an idle-locked screen.
    Resume {
        password: Secret,
    },
    ChangePassword {
        old: Secret,
        new: Secret,
    },
    Logout,
    /// The session's state now (the screen polls it to lock on idle).
    CheckSession,
    /// The user is active in the window (mouse, keys) without running commands.
    Touch,
    /// The user list (利用者の管理).
    Users {
        search: String,
    },
    Groups,
    /// The allow-list with usage periods.
    AllowList,
    /// The admin settings as stored.
    Settings,
    Admin(AdminOp),
    /// The audit log, filtered (利用ログの閲覧).
    AuditLog(crate::audit::Filter),
    /// Write the filtered audit log as CSV (利用ログの閲覧 + 外部出力; logged as an export).
    ExportAudit {
        filter: crate::audit::Filter,
        path: PathBuf,
    },
    /// An encrypted backup to the admin's folder now (「バックアップ・復元」 right).
    Backup,
    /// Set one of the logged-in user's own preferences (`auth::prefs::KEYS`; no right).
    SetPreference {
        key: String,
        value: String,
    },
    /// Make a new backup recovery key (「バックアップ・復元」 right), shown once to the
    /// user who asked. The only way, besides first setup, that a recovery key is made: a
    /// backup without one is encrypted to the app key only and says so.
    RenewRecoveryKey,
    /// The daily backup, if due (the admin's time has passed and today's generation is
    /// missing). The app's own routine, set up by an admin: it runs as
    /// [`crate::audit::SYSTEM`], needs no session and no right, and is not the logged-in
    /// user's activity (see [`super::engine`]).
    ScheduledBackup,
    /// Draw a map as a PNG file (外部出力, in an allowed folder).
    RenderMap {
        spec: crate::render::export::MapPng,
        out: PathBuf,
    },
    /// Build and import the demo data if the database is empty.
    EnsureDemo,
    /// Look at a file before importing it.
    Preview {
        file: PathBuf,
        opts: ImportOptions,
    },
    /// Import files, one transaction each.
    Import {
        files: Vec<PathBuf>,
        opts: ImportOptions,
    },
    /// Make a user table from a CSV/Excel file.
    ImportTable {
        file: PathBuf,
        opts: UserTableOptions,
    },
    Stats,
    /// The uptake table of the 集計 tab. Suppressed areas come without figures; with
    /// `reveal` (個人情報の閲覧, logged as a view of personal data) they come marked.
    Uptake {
        level: Level,
        fy: i32,
        reveal: bool,
    },
    Rejects {
        import_id: i64,
    },
    /// Store the bundled layers if missing; load and prepare every layer for the map.
    LoadMap,
    /// Match every insured person's address to a point and small area.
    Geocode,
    /// The match rates stored by the last run.
    GeocodeStatus,
    /// The addresses not placed at 街区 level (personal data: shown, never logged).
    Unmatched {
        limit: usize,
    },
    /// Uptake per area for the map, for one sex/age band (suppression and `reveal` as
    /// for [`Command::Uptake`]).
    AreaUptake {
        level: Level,
        fy: i32,
        filter: TargetFilter,
        reveal: bool,
    },
    /// The institutions as a map layer, with users in fiscal year `fy`.
    Facilities {
        fy: i32,
    },
    /// The located targets of `fy` with attendance and 3-year pattern (personal data).
    InsuredPoints {
        fy: i32,
    },
    /// Read and store a layer file (one transaction); the map reloads after it.
    ImportLayer {
        file: PathBuf,
        opts: crate::layers::LayerOptions,
    },
    /// Save the map's settings under a name; answers with the list of saved maps.
    SaveMap {
        name: String,
        doc: Box<MapDocument>,
    },
    ListMaps,
    OpenMap {
        name: String,
    },
    DeleteMap {
        name: String,
    },
}

impl Command {
    /// The right a command needs, the audit action it is recorded as, and its target.
    /// `None`: any logged-in user. Account commands and the daily backup (the app's own,
    /// run as the system) are handled before this.
    pub fn access(&self) -> (Option<Right>, Action, String) {
        use crate::import::display_name;
        let files = |f: &[PathBuf]| {
            f.iter()
                .map(|p| display_name(p))
                .collect::<Vec<_>>()
                .join(",")
        };
        match self {
            Command::EnsureDemo => (Some(Right::Import), Action::Import, "demo".into()),
            // A preview shows the file's first rows: personal data, logged as a view.
            Command::Preview { file, .. } => (
                Some(Right::Import),
                Action::ViewPersonal,
                display_name(file),
            ),
            Command::Import { files: f, .. } => (Some(Right::Import), Action::Import, files(f)),
            Command::ImportTable { file, .. } => {
                (Some(Right::Import), Action::Import, display_name(file))
            }
            Command::Geocode => (
                Some(Right::Import),
                Action::Import,
                "insured_locations".into(),
            ),
            Command::ImportLayer { file, .. } => (
                Some(Right::ManageLayers),
                Action::Import,
                display_name(file),
            ),
            Command::Rejects { import_id } => (
                Some(Right::ViewPersonal),
                Action::ViewPersonal,
                format!("import_rejects:{import_id}"),
            ),
            Command::Unmatched { .. } => (
                Some(Right::ViewPersonal),
                Action::ViewPersonal,
                "unmatched_addresses".into(),
            ),
            Command::InsuredPoints { fy } => (
                Some(Right::ViewPersonal),
                Action::ViewPersonal,
                format!("insured_points:{fy}"),
            ),
            Command::SaveMap { name, .. } => {
                (Some(Right::Edit), Action::Edit, format!("saved_map:{name}"))
            }
            Command::DeleteMap { name } => {
                (Some(Right::Edit), Action::Edit, format!("saved_map:{name}"))
            }
            Command::Uptake { level, fy, reveal } => {
                figures_access(format!("uptake:{level:?}:{fy}"), *reveal)
            }
            Command::AreaUptake {
                level,
                fy,
                filter,
                reveal,
            } => figures_access(
                format!(
                    "area_uptake:{level:?}:{fy}:{}:{}",
                    filter.sex.map_or("all".into(), |s| s.to_string()),
                    filter.age_band.map_or("all".into(), |a| a.to_string())
                ),
                *reveal,
            ),
            Command::Users { .. }
            | Command::Groups
            | Command::AllowList
            | Command::Settings
            | Command::Admin(_) => (Some(Right::ManageUsers), Action::Admin, "users".into()),
            Command::AuditLog(_) => (Some(Right::ViewAudit), Action::Search, "audit_log".into()),
            Command::Backup => (Some(Right::Backup), Action::Backup, "backup".into()),
            Command::RenewRecoveryKey => {
                (Some(Right::Backup), Action::Backup, "recovery_key".into())
            }
            Command::ExportAudit { .. } => {
                (Some(Right::ViewAudit), Action::Search, "audit_log".into())
            }
            Command::RenderMap { out, .. } => (
                Some(Right::Export),
                Action::Export,
                out.display().to_string(),
            ),
            _ => (None, Action::Command, self.label().into()),
        }
    }

    /// The file a command writes for use outside the app: it needs 外部出力 and a folder
    /// the admin allows, besides the right of [`Command::access`].
    pub fn export_path(&self) -> Option<&std::path::Path> {
        match self {
            Command::ExportAudit { path, .. } => Some(path),
            Command::RenderMap { out, .. } => Some(out),
            _ => None,
        }
    }

    /// Whether running it is worth an audit entry (fetches for drawing the screen are not).
    pub fn is_logged(&self) -> bool {
        !matches!(
            self,
            Command::Stats
                | Command::SetPreference { .. }
                | Command::LoadMap
                | Command::Facilities { .. }
                | Command::ListMaps
                | Command::OpenMap { .. }
                | Command::GeocodeStatus
                | Command::AuthStatus
                | Command::CheckSession
                | Command::Touch
                | Command::Users { .. }
                | Command::Groups
                | Command::AllowList
                | Command::Settings
                | Command::Admin(_)
                | Command::AuditLog(_)
                | Command::Backup
                | Command::ExportAudit { .. }
        )
    }

    /// A short Japanese label for progress displays.
    pub fn label(&self) -> &'static str {
        match self {
            Command::AuthStatus => "初期設定の確認",
            Command::Setup { .. } => "初期設定",
            Command::Login { .. } => "ログイン",
            Command::Resume { .. } => "ロックの解除",
            Command::ChangePassword { .. } => "パスワードの変更",
            Command::Logout => "ログアウト",
            Command::CheckSession => "セッションの確認",
            Command::Touch => "操作中",
            Command::Users { .. } => "利用者の一覧",
            Command::Groups => "グループの一覧",
            Command::AllowList => "許可リスト",
            Command::Settings => "設定の読込",
            Command::Admin(_) => "管理者設定",
            Command::AuditLog(_) => "利用ログ",
            Command::Backup => "バックアップ",
            Command::RenewRecoveryKey => "復旧鍵の作り直し",
            Command::SetPreference { .. } => "表示設定の保存",
            Command::ExportAudit { .. } => "利用ログの書き出し",
            Command::ScheduledBackup => "定時バックアップ",
            Command::RenderMap { .. } => "地図の画像出力",
            Command::EnsureDemo => "デモデータの準備",
            Command::Preview { .. } => "ファイルの確認",
            Command::Import { .. } => "取込",
            Command::ImportTable { .. } => "独自データの取込",
            Command::Stats => "件数の集計",
            Command::Uptake { .. } => "受診率の集計",
            Command::Rejects { .. } => "除外行の表示",
            Command::LoadMap => "地図の準備",
            Command::AreaUptake { .. } => "地域別受診率の集計",
            Command::Geocode => "住所照合",
            Command::GeocodeStatus => "照合率の表示",
            Command::Unmatched { .. } => "未照合住所の表示",
            Command::Facilities { .. } => "医療機関の読込",
            Command::InsuredPoints { .. } => "被保険者の位置の読込",
            Command::SaveMap { .. } => "地図の保存",
            Command::ImportLayer { .. } => "レイヤの取込",
            Command::ListMaps => "保存した地図の一覧",
            Command::OpenMap { .. } => "地図を開く",
            Command::DeleteMap { .. } => "保存した地図の削除",
        }
    }
}

/// Uptake figures: any logged-in user, as a search; revealing suppressed figures needs
/// 個人情報の閲覧 and is logged as a view of personal data.
fn figures_access(target: String, reveal: bool) -> (Option<Right>, Action, String) {
    if reveal {
        (
            Some(Right::ViewPersonal),
            Action::ViewPersonal,
            format!("{target}:suppressed_figures"),
        )
    } else {
        (None, Action::Search, target)
    }
}

/// What the screen needs to know of the logged-in user.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    pub user_id: String,
    pub rights: BTreeSet<Right>,
    pub must_change_password: bool,
    /// The user's own preferences (`auth::prefs`), e.g. `look` = `dark`.
    pub prefs: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    AuthStatus {
        set_up: bool,
    },
    LoggedIn(SessionInfo),
    /// First setup done: the recovery key to show once, then the app opens.
    SetupDone {
        info: SessionInfo,
        recovery_key: Option<String>,
    },
    BackupDone(crate::backup::BackupReport),
    /// A preference was saved.
    PreferenceSet {
        key: String,
        value: String,
    },
    /// A new recovery key's identity-file text, to show once.
    RecoveryKey(String),
    /// The daily backup is not due (no time or folder set, the time not reached, or
    /// today's generation exists).
    BackupNotDue,
    /// A map PNG written, and the zoom it was drawn at.
    MapRendered {
        path: PathBuf,
        zoom: u8,
    },
    /// A file written (its path and rows).
    Exported {
        path: PathBuf,
        rows: u64,
    },
    /// Login, setup, unlock or password change refused (the message says why).
    AuthFailed(String),
    PasswordChanged(SessionInfo),
    LoggedOut,
    /// The session is idle-locked: the screen asks for the password.
    ScreenLocked,
    /// The session is over (suspended, 12 h, reset): back to the login screen.
    SessionEnded(String),
    /// The session is fine.
    SessionActive,
    /// A command refused for a missing right (logged).
    Denied(String),
    Users(Vec<crate::auth::admin::UserInfo>),
    /// An admin change done; the message (with a new initial password, shown once).
    AdminDone {
        message: String,
        users: Vec<crate::auth::admin::UserInfo>,
        groups: Vec<crate::auth::admin::GroupInfo>,
        allowed: Vec<crate::auth::admin::AllowedId>,
    },
    Groups(Vec<crate::auth::admin::GroupInfo>),
    AllowList(Vec<crate::auth::admin::AllowedId>),
    Settings(std::collections::BTreeMap<String, String>),
    AuditLog(Vec<crate::audit::Entry>),
    DemoReady {
        imported: usize,
        message: String,
    },
    Preview(Box<Preview>),
    /// Import reports, and the address matching re-run when the insured or the address
    /// points changed (`None` when it did not run).
    Imported {
        reports: Vec<ImportReport>,
        geocode: Option<Result<GeocodeReport, String>>,
    },
    Geocoded(GeocodeReport),
    Unmatched(Vec<Unmatched>),
    TableImported(UserTableReport),
    Stats(Box<Stats>),
    Uptake(AreaTable),
    Rejects {
        import_id: i64,
        rejects: Vec<Reject>,
    },
    MapLayers(MapLayers),
    AreaUptake(AreaTable),
    Facilities(Arc<FacilityLayer>),
    SavedMaps(Vec<SavedMap>),
    /// A layer import's result. Without a `.prj`, or with coordinates that fit another CRS
    /// than the one given, the error carries the CRS that fits, so the screen can ask for
    /// one (`needs_crs`).
    LayerImported {
        file: PathBuf,
        result: Result<crate::layers::LayerInfo, String>,
        needs_crs: bool,
        guess: Option<crate::geo::crs::Crs>,
    },
    MapOpened {
        name: String,
        doc: Box<MapDocument>,
    },
    InsuredPoints {
        fy: i32,
        points: Arc<InsuredPoints>,
    },
    Failed(String),
}
