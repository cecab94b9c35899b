//! Accounts and sessions: first setup, login, unlock, password change, logout, the
//! session's state, and the user's own preferences. These run without the gate (there is
//! no session yet, or the session itself is the question), except the preferences.

use super::{Audited, Cx, Domain};
use crate::app::error::AppError;
use crate::app::spec::{Secret, SessionInfo, Spec};
use crate::auth::{AuthError, Security, Session, SessionState};

#[derive(Debug, Clone)]
pub enum AccountCmd {
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
    /// Set one of the logged-in user's own preferences (`auth::prefs::KEYS`; no right).
    SetPreference {
        key: String,
        value: String,
    },
}

#[derive(Debug)]
pub enum AccountReply {
    AuthStatus {
        set_up: bool,
    },
    LoggedIn(SessionInfo),
    /// First setup done: the recovery key to show once, then the app opens.
    SetupDone {
        info: SessionInfo,
        recovery_key: Option<String>,
    },
    /// Login, setup, unlock or password change refused (the error says why).
    AuthFailed(AuthError),
    PasswordChanged(SessionInfo),
    LoggedOut,
    /// The session is fine.
    SessionActive,
    /// A preference was saved.
    PreferenceSet {
        key: String,
        value: String,
    },
}

impl Domain for AccountCmd {
    type Reply = AccountReply;

    fn spec(&self) -> Spec {
        match self {
            AccountCmd::AuthStatus => Spec::open("初期設定の確認"),
            AccountCmd::Setup { .. } => Spec::open("初期設定"),
            AccountCmd::Login { .. } => Spec::open("ログイン"),
            AccountCmd::Resume { .. } => Spec::open("ロックの解除"),
            AccountCmd::ChangePassword { .. } => Spec::open("パスワードの変更"),
            AccountCmd::Logout => Spec::open("ログアウト"),
            AccountCmd::CheckSession => Spec::open("セッションの確認"),
            AccountCmd::Touch => Spec::open("操作中"),
            AccountCmd::SetPreference { .. } => Spec::login("表示設定の保存"),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<AccountReply, AppError> {
        let sec = cx.sec();
        Ok(match self {
            AccountCmd::AuthStatus => AccountReply::AuthStatus {
                set_up: sec.is_set_up()?,
            },
            AccountCmd::Setup { admin, password } => {
                let s = match sec
                    .setup(&admin, &password.0)
                    .and_then(|_| sec.login(&admin, &password.0))
                {
                    Ok(s) => s,
                    Err(e) => return Ok(AccountReply::AuthFailed(e)),
                };
                // The data folder is restricted to the OS account that runs the app.
                if let Err(e) = crate::os::restrict_dir(cx.store.data_dir()) {
                    eprintln!("注意: {e}");
                }
                let recovery_key = crate::backup::keys::init(cx.store.data_dir())?;
                let info = info(&sec, &s);
                *cx.session = Some(s);
                AccountReply::SetupDone { info, recovery_key }
            }
            AccountCmd::Login { user, password } => match sec.login(&user, &password.0) {
                Ok(s) => {
                    let info = info(&sec, &s);
                    *cx.session = Some(s);
                    AccountReply::LoggedIn(info)
                }
                Err(e) => AccountReply::AuthFailed(e),
            },
            AccountCmd::Resume { password } => {
                let Some(mut s) = cx.session.take() else {
                    return Err(AuthError::NotLoggedIn.into());
                };
                match sec.resume(&mut s, &password.0) {
                    Ok(()) => {
                        let info = info(&sec, &s);
                        *cx.session = Some(s);
                        AccountReply::LoggedIn(info)
                    }
                    Err(e @ (AuthError::SessionEnded(_) | AuthError::SessionExpired)) => {
                        return Err(e.into());
                    }
                    Err(e) => {
                        *cx.session = Some(s);
                        AccountReply::AuthFailed(e)
                    }
                }
            }
            AccountCmd::ChangePassword { old, new } => {
                let Some(s) = cx.session.as_mut() else {
                    return Err(AuthError::NotLoggedIn.into());
                };
                match sec.change_password(s, &old.0, &new.0) {
                    Ok(()) => AccountReply::PasswordChanged(info(&sec, s)),
                    Err(e) => AccountReply::AuthFailed(e),
                }
            }
            AccountCmd::Logout => {
                if let Some(s) = cx.session.take() {
                    sec.logout(&s);
                }
                AccountReply::LoggedOut
            }
            AccountCmd::CheckSession => check(cx, false)?,
            AccountCmd::Touch => check(cx, true)?,
            AccountCmd::SetPreference { key, value } => {
                let (sec, s) = cx.parts()?;
                sec.set_preference(s, &key, &value)?;
                AccountReply::PreferenceSet { key, value }
            }
        })
    }

    fn audited(_: &AccountReply) -> Option<Audited> {
        // Logins, lockouts and password changes are logged by `auth` itself.
        None
    }
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

/// The session's state; with `touch`, an active session counts as used now.
fn check(cx: &mut Cx<'_>, touch: bool) -> Result<AccountReply, AppError> {
    let sec = cx.sec();
    let now = cx.clock.now();
    let Some(mut s) = cx.session.take() else {
        return Err(AuthError::NotLoggedIn.into());
    };
    match sec.check(&mut s) {
        Ok(SessionState::Active) => {
            if touch {
                s.last_activity = now;
            }
            *cx.session = Some(s);
            Ok(AccountReply::SessionActive)
        }
        Ok(SessionState::IdleLocked) => {
            *cx.session = Some(s);
            Err(AuthError::ScreenLocked.into())
        }
        Ok(SessionState::Expired) => Err(AuthError::SessionExpired.into()),
        Ok(SessionState::Ended(why)) => Err(AuthError::SessionEnded(why).into()),
        Err(e) => {
            *cx.session = Some(s);
            Err(e.into())
        }
    }
}
