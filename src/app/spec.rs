//! What the engine must know of a command before it runs it ([`Spec`]: who may run it,
//! how it is logged, what it writes outside), and the small types commands and replies
//! share. The domains declare their commands with these; `command` composes the domains.

use std::collections::BTreeSet;
use std::path::PathBuf;

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
