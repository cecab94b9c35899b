//! Per-user preferences: small key–value pairs kept with the account (the screen's light
//! or dark look today). Each user sets their own, after login and without any right; the
//! values are read at login and come back in the session's info. Only the keys listed in
//! [`KEYS`], with short values, are kept.

use std::collections::BTreeMap;

use duckdb::params;

use super::{AuthError, Security, Session};

/// The preferences a user may set, and the values each allows.
pub const KEYS: &[(&str, &[&str])] = &[("look", &["light", "dark"])];

impl Security<'_> {
    /// `user`'s preferences (key → value).
    pub fn preferences(&self, user: &str) -> Result<BTreeMap<String, String>, AuthError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, value FROM user_prefs WHERE user_id = ? ORDER BY key")?;
        let rows = stmt.query_map(params![user], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sets one of the logged-in user's own preferences.
    pub fn set_preference(&self, s: &mut Session, key: &str, value: &str) -> Result<(), AuthError> {
        let allowed = KEYS
            .iter()
            .find(|(k, _)| *k == key)
            .is_some_and(|(_, values)| values.contains(&value));
        if !allowed {
            return Err(AuthError::BadSetting {
                key: key.into(),
                value: value.into(),
            });
        }
        self.conn.execute(
            "INSERT OR REPLACE INTO user_prefs (user_id, key, value) VALUES (?, ?, ?)",
            params![s.user_id, key, value],
        )?;
        Ok(())
    }
}
