//! The admin settings (管理者設定) for users: the allow-list with usage periods (利用期間),
//! registering allow-listed IDs with a random initial password, suspend and resume,
//! unlock, password reset, delete, groups and rights, and the settings. Every function
//! needs the 利用者の管理 right of the acting session and is logged.

use std::collections::BTreeSet;

use duckdb::{OptionalExt, params};

use super::login::INITIAL_SECS;
use super::rights::{Right, Role};
use super::session::Session;
use super::{AuthError, Security, password, valid_id};
use crate::audit::{Action, Draft, Outcome};

/// One row of the user list.
#[derive(Debug, Clone, PartialEq)]
pub struct UserInfo {
    pub user_id: String,
    pub suspended: bool,
    pub locked: bool,
    pub must_change: bool,
    pub valid_until: Option<String>,
    pub rights: BTreeSet<Right>,
    pub groups: Vec<String>,
    pub last_login_at: Option<i64>,
}

impl UserInfo {
    /// 停止中 / ロック中 / 初期パスワード / 有効.
    pub fn state_label(&self) -> &'static str {
        if self.suspended {
            "停止中"
        } else if self.locked {
            "ロック中"
        } else if self.must_change {
            "初期パスワード"
        } else {
            "有効"
        }
    }
}

/// A group with its rights and members.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupInfo {
    pub name: String,
    pub rights: BTreeSet<Right>,
    pub members: Vec<String>,
    /// A suspended group grants none of its rights until it is resumed.
    pub suspended: bool,
}

/// One allow-listed ID.
#[derive(Debug, Clone, PartialEq)]
pub struct AllowedId {
    pub user_id: String,
    pub valid_until: Option<String>,
    pub note: String,
    pub registered: bool,
}

fn check_date(d: Option<&str>) -> Result<Option<String>, AuthError> {
    match d.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(|v| Some(v.format("%Y-%m-%d").to_string()))
            .map_err(|_| AuthError::BadDate(d.to_string())),
    }
}

impl Security<'_> {
    /// Checks the admin right and logs the change (done or refused) as an admin action.
    fn admin<T>(
        &self,
        session: &mut Session,
        what: &str,
        target: &str,
        f: impl FnOnce() -> Result<T, AuthError>,
    ) -> Result<T, AuthError> {
        self.require(session, Right::ManageUsers, Action::Admin, target)?;
        let r = crate::store::in_transaction(self.conn, f);
        let outcome = if r.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Error
        };
        self.log(Draft::new(&session.user_id, Action::Admin, target, outcome).detail(what));
        r
    }

    fn user_exists(&self, id: &str) -> Result<bool, AuthError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM users WHERE user_id = ?",
            params![id],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    fn must_exist(&self, id: &str) -> Result<(), AuthError> {
        if self.user_exists(id)? {
            Ok(())
        } else {
            Err(AuthError::NotFound(id.to_string()))
        }
    }

    /// Users other than `id` who hold the user-management right and can log in now: not
    /// suspended, within their usage period, and not holding an expired initial password
    /// (a lockout passes by itself and does not count against them).
    fn admins_besides(&self, id: &str) -> Result<usize, AuthError> {
        let now = self.clock.now();
        let today = super::session::local_day(now);
        let mut stmt = self.conn.prepare(
            "SELECT u.user_id FROM users u LEFT JOIN allowed_ids a USING (user_id)
             WHERE NOT u.suspended AND u.user_id <> ?
               AND (a.valid_until IS NULL OR a.valid_until >= ?)
               AND NOT (u.must_change AND coalesce(u.password_expires_at <= ?, false))",
        )?;
        let others: Vec<String> = stmt
            .query_map(params![id, today, now], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut n = 0;
        for o in others {
            n += self.effective_rights(&o)?.contains(&Right::ManageUsers) as usize;
        }
        Ok(n)
    }

    /// Adds an ID to the allow-list (or renews its period).
    pub fn allow_id(
        &self,
        s: &mut Session,
        id: &str,
        valid_until: Option<&str>,
        note: &str,
    ) -> Result<(), AuthError> {
        if !valid_id(id) {
            return Err(AuthError::BadId);
        }
        let until = check_date(valid_until)?;
        let now = self.clock.now();
        self.admin(s, "allow_id", id, || {
            self.conn.execute(
                "INSERT INTO allowed_ids (user_id, valid_until, note, created_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (user_id) DO UPDATE SET valid_until = excluded.valid_until, note = excluded.note",
                params![id, until, note, now],
            )?;
            Ok(())
        })
    }

    pub fn allowed_ids(&self, s: &mut Session) -> Result<Vec<AllowedId>, AuthError> {
        self.require(s, Right::ManageUsers, Action::Admin, "allowed_ids")?;
        let mut stmt = self.conn.prepare(
            "SELECT a.user_id, a.valid_until, coalesce(a.note, ''), u.user_id IS NOT NULL
             FROM allowed_ids a LEFT JOIN users u USING (user_id) ORDER BY a.user_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AllowedId {
                user_id: r.get(0)?,
                valid_until: r.get(1)?,
                note: r.get(2)?,
                registered: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Registers an allow-listed ID with the role's rights. Returns the random initial
    /// password (to be shown once; it must be changed at first login, within 72 hours).
    pub fn register(&self, s: &mut Session, id: &str, role: Role) -> Result<String, AuthError> {
        let allowed: Option<String> = self
            .conn
            .query_row(
                "SELECT user_id FROM allowed_ids WHERE user_id = ?",
                params![id],
                |r| r.get(0),
            )
            .optional()?;
        if allowed.is_none() {
            self.require(s, Right::ManageUsers, Action::Admin, id)?;
            self.log(
                Draft::new(&s.user_id, Action::Admin, id, Outcome::Denied).detail("not_allowed"),
            );
            return Err(AuthError::NotAllowed(id.to_string()));
        }
        if self.user_exists(id)? {
            return Err(AuthError::Exists(id.to_string()));
        }
        let initial = password::random_initial()?;
        let hash = password::hash(&initial)?;
        let now = self.clock.now();
        self.admin(s, "register", id, || {
            self.conn.execute(
                "INSERT INTO users (user_id, password_hash, must_change, password_expires_at, created_at)
                 VALUES (?, ?, true, ?, ?)",
                params![id, hash, now + INITIAL_SECS, now],
            )?;
            for r in role.rights() {
                self.conn.execute(
                    "INSERT INTO user_rights (user_id, right_key) VALUES (?, ?)",
                    params![id, r.key()],
                )?;
            }
            Ok(())
        })?;
        Ok(initial)
    }

    /// A new random initial password (72 h, change at login); ends the user's session.
    pub fn reset_password(&self, s: &mut Session, id: &str) -> Result<String, AuthError> {
        self.must_exist(id)?;
        let initial = password::random_initial()?;
        let hash = password::hash(&initial)?;
        let now = self.clock.now();
        self.admin(s, "reset_password", id, || {
            self.conn.execute(
                "UPDATE users SET password_hash = ?, must_change = true, password_expires_at = ?,
                        failed_count = 0, locked_until = NULL, session_epoch = session_epoch + 1
                 WHERE user_id = ?",
                params![hash, now + INITIAL_SECS, id],
            )?;
            Ok(())
        })?;
        Ok(initial)
    }

    /// Suspends a user: their session ends at its next check, and login is refused.
    pub fn suspend(&self, s: &mut Session, id: &str) -> Result<(), AuthError> {
        self.must_exist(id)?;
        if self.admins_besides(id)? == 0 && self.effective_rights(id)?.contains(&Right::ManageUsers)
        {
            return Err(AuthError::LastAdmin);
        }
        self.admin(s, "suspend", id, || {
            self.conn.execute(
                "UPDATE users SET suspended = true, session_epoch = session_epoch + 1 WHERE user_id = ?",
                params![id],
            )?;
            Ok(())
        })
    }

    pub fn resume_user(&self, s: &mut Session, id: &str) -> Result<(), AuthError> {
        self.must_exist(id)?;
        self.admin(s, "resume", id, || {
            self.conn.execute(
                "UPDATE users SET suspended = false WHERE user_id = ?",
                params![id],
            )?;
            Ok(())
        })
    }

    /// Lifts a lockout.
    pub fn unlock(&self, s: &mut Session, id: &str) -> Result<(), AuthError> {
        self.must_exist(id)?;
        self.admin(s, "unlock", id, || {
            self.conn.execute(
                "UPDATE users SET locked_until = NULL, failed_count = 0 WHERE user_id = ?",
                params![id],
            )?;
            Ok(())
        })
    }

    /// Deletes a user (the allow-list entry stays, so the ID can be registered again).
    pub fn delete_user(&self, s: &mut Session, id: &str) -> Result<(), AuthError> {
        self.must_exist(id)?;
        if self.admins_besides(id)? == 0 && self.effective_rights(id)?.contains(&Right::ManageUsers)
        {
            return Err(AuthError::LastAdmin);
        }
        self.admin(s, "delete_user", id, || {
            for sql in [
                "DELETE FROM user_rights WHERE user_id = ?",
                "DELETE FROM group_members WHERE user_id = ?",
                "DELETE FROM users WHERE user_id = ?",
            ] {
                self.conn.execute(sql, params![id])?;
            }
            Ok(())
        })
    }

    /// Replaces a user's own rights (group rights are added on top).
    pub fn set_user_rights(
        &self,
        s: &mut Session,
        id: &str,
        rights: &BTreeSet<Right>,
    ) -> Result<(), AuthError> {
        self.must_exist(id)?;
        let keys: Vec<&str> = rights.iter().map(|r| r.key()).collect();
        self.admin(s, &format!("set_rights:{}", keys.join(",")), id, || {
            self.conn
                .execute("DELETE FROM user_rights WHERE user_id = ?", params![id])?;
            for k in &keys {
                self.conn.execute(
                    "INSERT INTO user_rights (user_id, right_key) VALUES (?, ?)",
                    params![id, k],
                )?;
            }
            // Counted after the change, with the groups' rights: rolled back if nobody
            // active would hold 利用者の管理.
            self.keep_an_admin()
        })
    }

    /// Creates or updates a group with its rights and members.
    pub fn set_group(
        &self,
        s: &mut Session,
        group: &str,
        rights: &BTreeSet<Right>,
        members: &[String],
    ) -> Result<(), AuthError> {
        let group = group.trim();
        if group.is_empty() {
            return Err(AuthError::NotFound(String::new()));
        }
        for m in members {
            self.must_exist(m)?;
        }
        let now = self.clock.now();
        self.admin(s, "set_group", group, || {
            self.conn.execute(
                "INSERT INTO user_groups (group_name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                params![group, now],
            )?;
            self.conn
                .execute("DELETE FROM group_rights WHERE group_name = ?", params![group])?;
            self.conn
                .execute("DELETE FROM group_members WHERE group_name = ?", params![group])?;
            for r in rights {
                self.conn.execute(
                    "INSERT INTO group_rights (group_name, right_key) VALUES (?, ?)",
                    params![group, r.key()],
                )?;
            }
            for m in members {
                self.conn.execute(
                    "INSERT INTO group_members (group_name, user_id) VALUES (?, ?)",
                    params![group, m],
                )?;
            }
            self.keep_an_admin()
        })
    }

    /// Suspends a group: it keeps its rights and members but grants nothing until it is
    /// resumed; its members' sessions lose those rights at their next check. Refused when
    /// it would leave no active user with 利用者の管理.
    pub fn suspend_group(&self, s: &mut Session, group: &str) -> Result<(), AuthError> {
        self.admin(s, "suspend_group", group, || {
            self.group_must_exist(group)?;
            self.conn.execute(
                "UPDATE user_groups SET suspended = true WHERE group_name = ?",
                params![group],
            )?;
            self.keep_an_admin()
        })
    }

    /// Resumes a suspended group: its rights count again.
    pub fn resume_group(&self, s: &mut Session, group: &str) -> Result<(), AuthError> {
        self.admin(s, "resume_group", group, || {
            self.group_must_exist(group)?;
            self.conn.execute(
                "UPDATE user_groups SET suspended = false WHERE group_name = ?",
                params![group],
            )?;
            Ok(())
        })
    }

    /// Deletes a group with its rights and memberships (the users stay). Refused when it
    /// would leave no active user with 利用者の管理.
    pub fn delete_group(&self, s: &mut Session, group: &str) -> Result<(), AuthError> {
        self.admin(s, "delete_group", group, || {
            self.group_must_exist(group)?;
            for sql in [
                "DELETE FROM group_members WHERE group_name = ?",
                "DELETE FROM group_rights WHERE group_name = ?",
                "DELETE FROM user_groups WHERE group_name = ?",
            ] {
                self.conn.execute(sql, params![group])?;
            }
            self.keep_an_admin()
        })
    }

    fn group_must_exist(&self, group: &str) -> Result<(), AuthError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM user_groups WHERE group_name = ?",
            params![group],
            |r| r.get(0),
        )?;
        if n > 0 {
            Ok(())
        } else {
            Err(AuthError::NoGroup(group.to_string()))
        }
    }

    /// Inside a change's transaction: some active user still holds 利用者の管理.
    fn keep_an_admin(&self) -> Result<(), AuthError> {
        if self.admins_besides("")? == 0 {
            Err(AuthError::LastAdmin)
        } else {
            Ok(())
        }
    }

    /// The users whose ID contains `search` (all for an empty search).
    pub fn users(&self, s: &mut Session, search: &str) -> Result<Vec<UserInfo>, AuthError> {
        self.require(s, Right::ManageUsers, Action::Admin, "users")?;
        let now = self.clock.now();
        let mut stmt = self.conn.prepare(
            "SELECT u.user_id, u.suspended, coalesce(u.locked_until, 0) > ?, u.must_change,
                    a.valid_until, u.last_login_at
             FROM users u LEFT JOIN allowed_ids a USING (user_id)
             WHERE contains(lower(u.user_id), lower(?)) ORDER BY u.user_id",
        )?;
        let rows: Vec<(String, bool, bool, bool, Option<String>, Option<i64>)> = stmt
            .query_map(params![now, search.trim()], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (user_id, suspended, locked, must_change, valid_until, last_login_at) in rows {
            let mut g = self
                .conn
                .prepare("SELECT group_name FROM group_members WHERE user_id = ? ORDER BY 1")?;
            let groups = g
                .query_map(params![user_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            out.push(UserInfo {
                rights: self.effective_rights(&user_id)?,
                user_id,
                suspended,
                locked,
                must_change,
                valid_until,
                groups,
                last_login_at,
            });
        }
        Ok(out)
    }

    /// The groups whose name contains `search` (all for an empty search), with their
    /// rights, members and state.
    pub fn groups(&self, s: &mut Session, search: &str) -> Result<Vec<GroupInfo>, AuthError> {
        self.require(s, Right::ManageUsers, Action::Admin, "groups")?;
        let mut stmt = self.conn.prepare(
            "SELECT group_name, coalesce(suspended, false) FROM user_groups
             WHERE contains(lower(group_name), lower(?)) ORDER BY 1",
        )?;
        let names: Vec<(String, bool)> = stmt
            .query_map(params![search.trim()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(names.len());
        for (name, suspended) in names {
            let mut r = self
                .conn
                .prepare("SELECT right_key FROM group_rights WHERE group_name = ?")?;
            let rights = r
                .query_map(params![name], |r| r.get::<_, String>(0))?
                .filter_map(|k| k.ok().and_then(|k| Right::from_key(&k)))
                .collect();
            let mut m = self
                .conn
                .prepare("SELECT user_id FROM group_members WHERE group_name = ? ORDER BY 1")?;
            let members = m
                .query_map(params![name], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            out.push(GroupInfo {
                name,
                rights,
                members,
                suspended,
            });
        }
        Ok(out)
    }

    /// Sets an admin setting (idle minutes, export folders, …).
    pub fn set_setting(&self, s: &mut Session, key: &str, value: &str) -> Result<(), AuthError> {
        let value = value.trim();
        let ok = match key {
            super::SETTING_IDLE_MINUTES => {
                value.parse::<i64>().is_ok_and(|m| (1..=240).contains(&m))
            }
            crate::backup::SETTING_GENERATIONS => {
                value.parse::<usize>().is_ok_and(|n| (1..=100).contains(&n))
            }
            crate::backup::SETTING_TIME => {
                value.is_empty() || chrono::NaiveTime::parse_from_str(value, "%H:%M").is_ok()
            }
            crate::analysis::suppression::SETTING_THRESHOLD => {
                use crate::analysis::suppression::{MAX_THRESHOLD, MIN_THRESHOLD};
                value
                    .parse::<i64>()
                    .is_ok_and(|n| (MIN_THRESHOLD..=MAX_THRESHOLD).contains(&n))
            }
            _ => true,
        };
        if !ok {
            return Err(AuthError::BadSetting {
                key: key.to_string(),
                value: value.to_string(),
            });
        }
        self.admin(s, &format!("setting:{key}"), key, || {
            self.conn.execute(
                "INSERT INTO app_settings (key, value) VALUES (?, ?)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            Ok(())
        })
    }
}
