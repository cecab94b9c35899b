//! What an export says about itself: the title, the conditions that made the result, the
//! data's source and date, who exported it and when, and whether it holds figures under
//! the suppression threshold (then the file is marked 取扱注意 in its title and on its
//! conditions sheet). Excel writes it as a second sheet, a bundle as a text file, PDF and
//! PowerPoint on the page.

/// 取扱注意: the mark of a file holding suppressed figures.
pub const CAUTION: &str = "取扱注意";

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Meta {
    pub title: String,
    /// The conditions in words (a search's description, a list's origin, a level and year).
    pub conditions: Vec<String>,
    /// Where the data came from (imports and their dates).
    pub source: String,
    pub exported_by: String,
    /// YYYY-MM-DD HH:MM.
    pub exported_at: String,
    /// Figures under the suppression threshold are in the file.
    pub caution: bool,
    /// Names or addresses of insured persons are in the file.
    pub personal: bool,
}

impl Meta {
    /// The title as printed: 【取扱注意】 in front when the file holds suppressed figures.
    pub fn shown_title(&self) -> String {
        if self.caution {
            format!("【{CAUTION}】{}", self.title)
        } else {
            self.title.clone()
        }
    }

    /// The lines of a conditions sheet or file: (label, value).
    pub fn lines(&self) -> Vec<(String, String)> {
        let mut v = vec![("表題".to_string(), self.shown_title())];
        for (i, c) in self.conditions.iter().enumerate() {
            let label = if i == 0 { "条件" } else { "" };
            v.push((label.to_string(), c.clone()));
        }
        v.push(("データの出典".into(), self.source.clone()));
        v.push(("出力者".into(), self.exported_by.clone()));
        v.push(("出力日時".into(), self.exported_at.clone()));
        if self.personal {
            v.push((
                "個人情報".into(),
                "氏名・住所等の個人情報を含みます。持ち出し・保管は規程に従ってください。".into(),
            ));
        }
        if self.caution {
            v.push((
                CAUTION.into(),
                "秘匿基準未満の数値を含みます。公表・配布はできません。".into(),
            ));
        }
        v
    }

    /// The conditions as a text file (a bundle's 条件.txt).
    pub fn text(&self) -> String {
        self.lines()
            .into_iter()
            .map(|(k, v)| {
                if k.is_empty() {
                    format!("        {v}\r\n")
                } else {
                    format!("{k}: {v}\r\n")
                }
            })
            .collect()
    }
}
