//! What a front end (the window, the command line, a test) can ask of the engine, and what
//! comes back. A command belongs to a domain (`super::domain`); the domain declares each
//! of its commands' gate (the right), audit action and target, label and handler in one
//! place, and [`super::Engine::execute`] is the one dispatcher.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::domain::accounts::{AccountCmd, AccountReply};
use super::domain::admin::{AdminCmd, AdminReply};
use super::domain::geocode::{GeocodeCmd, GeocodeReply};
use super::domain::imports::{ImportCmd, ImportReply};
use super::domain::maps::{MapCmd, MapReply};
use super::error::AppError;
use crate::audit::Action;
use crate::auth::Right;

/// A password in a command: never printed by `Debug` (commands may be logged).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A command, by domain. Search, analysis and export come as domains of their own.
#[derive(Debug, Clone)]
pub enum Command {
    /// Login, logout, unlock, password, the session's state, one's own preferences.
    Account(AccountCmd),
    /// Users, groups, settings, the usage log and its export, backups.
    Admin(AdminCmd),
    /// Files, previews, user tables, rejects, counts, the first-start demo.
    Import(ImportCmd),
    /// Layers, uptake per area, institutions, insured points, saved maps, map images.
    Map(MapCmd),
    /// Address matching.
    Geocode(GeocodeCmd),
}

macro_rules! domain_into {
    ($($cmd:ident => $variant:ident / $reply:ident),* $(,)?) => {$(
        impl From<$cmd> for Command {
            fn from(c: $cmd) -> Command {
                Command::$variant(c)
            }
        }
        impl From<$reply> for Outcome {
            fn from(r: $reply) -> Outcome {
                Outcome::$variant(r)
            }
        }
    )*};
}

domain_into! {
    AccountCmd => Account / AccountReply,
    AdminCmd => Admin / AdminReply,
    ImportCmd => Import / ImportReply,
    MapCmd => Map / MapReply,
    GeocodeCmd => Geocode / GeocodeReply,
}

impl Command {
    /// The command's gate, audit entry and label, as its domain declares them.
    pub fn spec(&self) -> Spec {
        match self {
            Command::Account(c) => super::domain::Domain::spec(c),
            Command::Admin(c) => super::domain::Domain::spec(c),
            Command::Import(c) => super::domain::Domain::spec(c),
            Command::Map(c) => super::domain::Domain::spec(c),
            Command::Geocode(c) => super::domain::Domain::spec(c),
        }
    }

    /// A short Japanese label for progress displays.
    pub fn label(&self) -> &'static str {
        self.spec().label
    }
}

/// Who may run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// No session needed: login, setup, the session's own state (the account domain).
    Open,
    /// The app's own routine (the daily backup): runs as [`crate::audit::SYSTEM`], with
    /// or without a logged-in user, and is not that user's activity.
    System,
    /// Any logged-in user whose session is alive.
    Login,
    /// A logged-in user holding this right.
    Right(Right),
}

/// What the engine needs to know of a command before it runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub gate: Gate,
    /// The audit action a refusal and the entry are recorded as.
    pub action: Action,
    /// What the command acts on (no personal data).
    pub target: String,
    /// A short Japanese label for progress displays.
    pub label: &'static str,
    /// Whether running it is worth an audit entry (fetches for drawing a screen are not;
    /// a refusal is logged always).
    pub logged: bool,
    /// A file written for use outside the app: it needs 外部出力 and an allowed folder.
    pub export: Option<PathBuf>,
}

impl Spec {
    /// A command any logged-in user may run, not logged.
    pub fn login(label: &'static str) -> Spec {
        Spec {
            gate: Gate::Login,
            action: Action::Command,
            target: label.to_string(),
            label,
            logged: false,
            export: None,
        }
    }

    /// A command needing no session (the account domain).
    pub fn open(label: &'static str) -> Spec {
        Spec {
            gate: Gate::Open,
            ..Spec::login(label)
        }
    }

    /// Needs `right`; recorded as `action` on `target`.
    pub fn right(self, right: Right, action: Action, target: impl Into<String>) -> Spec {
        Spec {
            gate: Gate::Right(right),
            action,
            target: target.into(),
            ..self
        }
    }

    /// Any logged-in user; recorded as `action` on `target`.
    pub fn acts(self, action: Action, target: impl Into<String>) -> Spec {
        Spec {
            action,
            target: target.into(),
            ..self
        }
    }

    /// Written to the audit log when it runs.
    pub fn logged(self) -> Spec {
        Spec {
            logged: true,
            ..self
        }
    }

    /// Writes `path` for use outside the app.
    pub fn export(self, path: &std::path::Path) -> Spec {
        Spec {
            export: Some(path.to_path_buf()),
            ..self
        }
    }

    /// The app's own routine.
    pub fn system(self) -> Spec {
        Spec {
            gate: Gate::System,
            ..self
        }
    }

    /// The right the gate asks for, if any.
    pub fn right_needed(&self) -> Option<Right> {
        match self.gate {
            Gate::Right(r) => Some(r),
            _ => None,
        }
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

/// The answer to a command: its domain's reply, or why it did not run.
#[derive(Debug)]
pub enum Outcome {
    Account(AccountReply),
    Admin(AdminReply),
    Import(ImportReply),
    Map(MapReply),
    Geocode(GeocodeReply),
    /// Refused for a missing right or folder (the refusal is logged).
    Denied(String),
    /// The session is idle-locked: the screen asks for the password.
    ScreenLocked,
    /// The session is over (suspended, 12 h, reset, logged out elsewhere): back to the
    /// login screen.
    SessionEnded(String),
    /// The command ran and failed; the message (and place in a file) are the error's.
    Failed(AppError),
}

impl Outcome {
    /// The message of a refusal or failure, if the outcome is one.
    pub fn problem(&self) -> Option<String> {
        match self {
            Outcome::Denied(m) | Outcome::SessionEnded(m) => Some(m.clone()),
            Outcome::ScreenLocked => Some(crate::auth::AuthError::ScreenLocked.to_string()),
            Outcome::Failed(e) => Some(e.to_string()),
            _ => None,
        }
    }
}
