//! Rights (権限) and the role presets. A user's effective rights are the union of the
//! rights granted to them and to every group they belong to. Roles are presets an admin
//! applies; they are not stored as such.

use std::collections::BTreeSet;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// 個人情報の閲覧: names, addresses, insured points, unmatched addresses.
    ViewPersonal,
    /// データの取込 (files, layers' source data).
    Import,
    /// 属性・コメントの編集, saved maps.
    Edit,
    /// 外部出力: any file written outside the data folder (exports, renders, audit export).
    Export,
    /// 外部記憶媒体への書出し: exports to USB memory and other removable drives (besides
    /// 外部出力), granted per user.
    ExportRemovable,
    /// 印刷.
    Print,
    /// レイヤ・背景地図の管理.
    ManageLayers,
    /// 利用者の管理.
    ManageUsers,
    /// バックアップ・復元.
    Backup,
    /// 利用ログの閲覧.
    ViewAudit,
}

impl Right {
    pub const ALL: [Right; 10] = [
        Right::ViewPersonal,
        Right::Import,
        Right::Edit,
        Right::Export,
        Right::ExportRemovable,
        Right::Print,
        Right::ManageLayers,
        Right::ManageUsers,
        Right::Backup,
        Right::ViewAudit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Right::ViewPersonal => "個人情報の閲覧",
            Right::Import => "データの取込",
            Right::Edit => "属性・コメントの編集",
            Right::Export => "外部出力（ファイル）",
            Right::ExportRemovable => "外部記憶媒体（USBメモリ等）への書出し",
            Right::Print => "印刷",
            Right::ManageLayers => "レイヤ・背景地図の管理",
            Right::ManageUsers => "利用者の管理",
            Right::Backup => "バックアップ・復元",
            Right::ViewAudit => "利用ログの閲覧",
        }
    }

    /// The name stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            Right::ViewPersonal => "view_personal",
            Right::Import => "import",
            Right::Edit => "edit",
            Right::Export => "export",
            Right::ExportRemovable => "export_removable",
            Right::Print => "print",
            Right::ManageLayers => "manage_layers",
            Right::ManageUsers => "manage_users",
            Right::Backup => "backup",
            Right::ViewAudit => "view_audit",
        }
    }

    pub fn from_key(s: &str) -> Option<Right> {
        Right::ALL.into_iter().find(|r| r.key() == s)
    }
}

/// Role presets (ロール).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Role {
    /// 管理者: every right.
    Admin,
    /// 分析担当: everything but user management, backup and the audit log.
    Analyst,
    /// 閲覧のみ: aggregated maps and tables; no personal data, no files out.
    ViewOnly,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Analyst, Role::ViewOnly];

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理者",
            Role::Analyst => "分析担当",
            Role::ViewOnly => "閲覧のみ",
        }
    }

    pub fn rights(self) -> BTreeSet<Right> {
        match self {
            // Writing to removable drives is granted per user, never by a preset.
            Role::Admin => Right::ALL
                .into_iter()
                .filter(|r| *r != Right::ExportRemovable)
                .collect(),
            Role::Analyst => [
                Right::ViewPersonal,
                Right::Import,
                Right::Edit,
                Right::Export,
                Right::Print,
                Right::ManageLayers,
            ]
            .into_iter()
            .collect(),
            Role::ViewOnly => BTreeSet::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_roles_nest() {
        for r in Right::ALL {
            assert_eq!(Right::from_key(r.key()), Some(r));
        }
        assert!(Role::Analyst.rights().is_subset(&Role::Admin.rights()));
        assert!(!Role::Analyst.rights().contains(&Right::ManageUsers));
        assert!(Role::ViewOnly.rights().is_empty());
    }
}
