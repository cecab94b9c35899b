//! 受診率の塗り分け: the level, FY, sex, age band, measure, classification, classes and
//! ramp of the choropleth, the suppression threshold in force, and (with the right) the
//! choice to see suppressed figures.

use eframe::egui;

use crate::analysis::breaks::Method;
use crate::analysis::uptake::{Level, TargetFilter};
use crate::map::choropleth::Measure;
use crate::map::ramps::Ramp;
use crate::ui::map::MapState;
use crate::ui::widgets::choice_row;

/// Level, FY, sex, age band, measure, classes. Returns true when the choropleth changed.
pub(crate) fn choropleth_controls_ui(ui: &mut egui::Ui, st: &mut MapState) -> bool {
    let before = (st.choropleth.level, st.choropleth.spec.clone());
    let years = crate::ui::home_ui::fy_choices(
        st.choropleth.fiscal_years.as_deref().unwrap_or_default(),
        st.choropleth.fy,
    );
    ui.heading("受診率の塗り分け");
    egui::Grid::new("choro_grid").num_columns(2).show(ui, |ui| {
        choice_row(
            ui,
            "地域",
            "level",
            &mut st.choropleth.level,
            Level::ALL.map(|l| (l, l.label().to_string())),
        );
        choice_row(
            ui,
            "年度",
            "fy",
            &mut st.choropleth.fy,
            years.into_iter().map(|fy| (fy, format!("{fy}年度"))),
        );
        choice_row(
            ui,
            "性別",
            "sex",
            &mut st.choropleth.filter.sex,
            [None, Some(1), Some(2)].map(|s| (s, TargetFilter::sex_label(s).to_string())),
        );
        choice_row(
            ui,
            "年齢階層",
            "age",
            &mut st.choropleth.filter.age_band,
            std::iter::once(None)
                .chain(TargetFilter::AGE_BANDS.map(Some))
                .map(|a| (a, TargetFilter::age_label(a))),
        );
        choice_row(
            ui,
            "指標",
            "measure",
            &mut st.choropleth.spec.measure,
            Measure::ALL.map(|m| (m, m.label().to_string())),
        );
        choice_row(
            ui,
            "分類方法",
            "method",
            &mut st.choropleth.spec.method,
            Method::ALL.map(|m| (m, m.label().to_string())),
        );
        let lbl = ui.label("階級数");
        ui.add(egui::Slider::new(&mut st.choropleth.spec.classes, 2..=9))
            .labelled_by(lbl.id);
        ui.end_row();
        choice_row(
            ui,
            "配色",
            "ramp",
            &mut st.choropleth.spec.ramp,
            Ramp::ALL.map(|r| (r, r.label().to_string())),
        );
        ui.label("");
        ui.checkbox(&mut st.choropleth.spec.reversed, "配色を反転");
        ui.end_row();
        ui.label("非表示の基準");
        ui.label(match &st.choropleth.rows {
            Some(t) => format!("対象者 {} 人未満（管理者設定）", t.threshold),
            None => "管理者設定".to_string(),
        });
        ui.end_row();
    });
    if st.choropleth.may_reveal {
        ui.checkbox(
            &mut st.choropleth.reveal,
            "非表示の地域も数値を表示（個人情報の閲覧、利用ログに記録）",
        );
    }
    if ui
        .button("この地図と表を出力…")
        .on_hover_text("受診率の塗り分けを A3 の PDF・PNG に、表を Excel などに出力します")
        .clicked()
    {
        let (level, fy) = (st.choropleth.level, st.choropleth.fy);
        st.export = Some(crate::ui::export_ui::Request {
            what: crate::app::domain::export::What::Uptake { level, fy },
            name: format!("{fy}年度_{}別_受診率", level.label()),
            personal: false,
            list: false,
            figures: true,
            style: Some(st.choropleth.spec.clone()),
        });
    }
    if st.choropleth.spec.method == Method::Manual {
        ui.label("境界値（カンマ区切り、受診率は 0.35 のように）");
        let mut text = st
            .choropleth
            .spec
            .manual
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",");
        if ui
            .add(egui::TextEdit::singleline(&mut text).hint_text("0.3,0.35,0.4"))
            .on_hover_text("境界値")
            .changed()
        {
            st.choropleth.spec.manual = text
                .split([',', '、'])
                .filter_map(|t| t.trim().parse().ok())
                .collect();
        }
    }
    before != (st.choropleth.level, st.choropleth.spec.clone())
}
