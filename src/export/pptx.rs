//! PowerPoint (.pptx) for meetings, written over `zip` as the few OOXML parts a
//! presentation needs (no mature crate exists): a title slide (title, conditions, who and
//! when), the map as a picture with its legend (drawn into the picture by the same
//! painter as every map export), and the table at [`ROWS_PER_SLIDE`] rows a slide as a
//! native table. Slides are 16:9 (33.867 × 19.05 cm).

use std::io::Write;

use zip::write::SimpleFileOptions;

use super::{ExportError, Meta, Table};

pub const ROWS_PER_SLIDE: usize = 15;

/// Slide size in EMU (English Metric Units: 914,400 an inch).
const W: i64 = 12_192_000;
const H: i64 = 6_858_000;

/// XML text escaping.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// A picture for the map slide: PNG bytes and its pixel size.
pub struct Picture<'a> {
    pub png: &'a [u8],
    pub width: u32,
    pub height: u32,
}

const NS: &str = r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main""#;
const REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const FONT: &str = "Meiryo UI";

fn run(text: &str, size_pt: u32, bold: bool) -> String {
    format!(
        r#"<a:r><a:rPr lang="ja-JP" sz="{}" b="{}"><a:latin typeface="{FONT}"/><a:ea typeface="{FONT}"/></a:rPr><a:t>{}</a:t></a:r>"#,
        size_pt * 100,
        u8::from(bold),
        esc(text)
    )
}

fn text_box(id: u32, name: &str, rect: [i64; 4], paragraphs: &[(String, u32, bool)]) -> String {
    let paras: String = paragraphs
        .iter()
        .map(|(t, sz, b)| format!("<a:p>{}</a:p>", run(t, *sz, *b)))
        .collect();
    format!(
        r#"<p:sp><p:nvSpPr><p:cNvPr id="{id}" name="{}"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="{}" y="{}"/><a:ext cx="{}" cy="{}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/></p:spPr><p:txBody><a:bodyPr wrap="square" rtlCol="0"><a:normAutofit/></a:bodyPr><a:lstStyle/>{paras}</p:txBody></p:sp>"#,
        esc(name),
        rect[0],
        rect[1],
        rect[2],
        rect[3]
    )
}

fn slide(shapes: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sld {NS}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>{shapes}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"#
    )
}

fn slide_rels(image: Option<&str>) -> String {
    let img = image
        .map(|t| format!(r#"<Relationship Id="rId2" Type="{R}/image" Target="../media/{t}"/>"#))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{R}/slideLayout" Target="../slideLayouts/slideLayout1.xml"/>{img}</Relationships>"#
    )
}

fn title_slide(meta: &Meta) -> String {
    let mut lines: Vec<(String, u32, bool)> = meta
        .conditions
        .iter()
        .map(|c| (c.clone(), 16, false))
        .collect();
    lines.push((String::new(), 12, false));
    lines.push((format!("出典: {}", meta.source), 12, false));
    lines.push((
        format!("{}　{}", meta.exported_at, meta.exported_by),
        12,
        false,
    ));
    if meta.personal {
        lines.push((
            "個人情報を含みます。持ち出し・保管は規程に従ってください。".into(),
            14,
            true,
        ));
    }
    if meta.caution {
        lines.push((
            "取扱注意: 秘匿基準未満の数値を含みます。公表・配布はできません。".into(),
            14,
            true,
        ));
    }
    let title = text_box(
        2,
        "Title",
        [600_000, 1_500_000, W - 1_200_000, 1_300_000],
        &[(meta.shown_title(), 36, true)],
    );
    let body = text_box(
        3,
        "Subtitle",
        [600_000, 3_000_000, W - 1_200_000, 3_400_000],
        &lines,
    );
    slide(&(title + &body))
}

fn map_slide(meta: &Meta, pic: &Picture) -> String {
    let title = text_box(
        2,
        "Title",
        [400_000, 150_000, W - 800_000, 600_000],
        &[(meta.shown_title(), 24, true)],
    );
    // Fit the picture under the title, keeping its aspect.
    let (bx, by, bw, bh) = (400_000i64, 800_000i64, W - 800_000, H - 950_000);
    let aspect = pic.width.max(1) as f64 / pic.height.max(1) as f64;
    let (w, h) = if bw as f64 / bh as f64 > aspect {
        ((bh as f64 * aspect) as i64, bh)
    } else {
        (bw, (bw as f64 / aspect) as i64)
    };
    let (x, y) = (bx + (bw - w) / 2, by + (bh - h) / 2);
    let pic = format!(
        r#"<p:pic><p:nvPicPr><p:cNvPr id="3" name="地図"/><p:cNvPicPr><a:picLocks noChangeAspect="1"/></p:cNvPicPr><p:nvPr/></p:nvPicPr><p:blipFill><a:blip r:embed="rId2"/><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>"#
    );
    slide(&(title + &pic))
}

fn cell(text: &str, header: bool) -> String {
    let fill = if header {
        r#"<a:solidFill><a:srgbClr val="1F4E79"/></a:solidFill>"#
    } else {
        ""
    };
    let color = if header { "FFFFFF" } else { "1E1E1E" };
    format!(
        r#"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr lang="ja-JP" sz="1000" b="{}"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill><a:latin typeface="{FONT}"/><a:ea typeface="{FONT}"/></a:rPr><a:t>{}</a:t></a:r></a:p></a:txBody><a:tcPr marL="45720" marR="45720" marT="22860" marB="22860">{fill}</a:tcPr></a:tc>"#,
        u8::from(header),
        esc(text)
    )
}

fn table_slide(
    meta: &Meta,
    table: &Table,
    widths: &[usize],
    rows: std::ops::Range<usize>,
    page: (usize, usize),
) -> String {
    let title = text_box(
        2,
        "Title",
        [400_000, 150_000, W - 800_000, 600_000],
        &[(
            format!("{}（{}/{}）", meta.shown_title(), page.0, page.1),
            20,
            true,
        )],
    );
    let total: usize = widths
        .iter()
        .map(|w| (*w).clamp(4, 40))
        .sum::<usize>()
        .max(1);
    let avail = W - 800_000;
    let grid: String = widths
        .iter()
        .map(|w| {
            format!(
                r#"<a:gridCol w="{}"/>"#,
                avail * (*w).clamp(4, 40) as i64 / total as i64
            )
        })
        .collect();
    let row_h = 330_000i64;
    let mut trs = format!(
        r#"<a:tr h="{row_h}">{}</a:tr>"#,
        table
            .columns
            .iter()
            .map(|c| cell(&c.name, true))
            .collect::<String>()
    );
    for r in rows.clone() {
        trs.push_str(&format!(
            r#"<a:tr h="{row_h}">{}</a:tr>"#,
            table
                .columns
                .iter()
                .map(|c| cell(&c.values.text(r), false))
                .collect::<String>()
        ));
    }
    let height = row_h * (rows.len() as i64 + 1);
    let frame = format!(
        r#"<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="3" name="表"/><p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="400000" y="850000"/><a:ext cx="{avail}" cy="{height}"/></p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl><a:tblPr firstRow="1" bandRow="1"/><a:tblGrid>{grid}</a:tblGrid>{trs}</a:tbl></a:graphicData></a:graphic></p:graphicFrame>"#
    );
    slide(&(title + &frame))
}

const THEME: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Kenshin"><a:themeElements><a:clrScheme name="Kenshin"><a:dk1><a:srgbClr val="000000"/></a:dk1><a:lt1><a:srgbClr val="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="1F4E79"/></a:dk2><a:lt2><a:srgbClr val="E7E6E6"/></a:lt2><a:accent1><a:srgbClr val="4472C4"/></a:accent1><a:accent2><a:srgbClr val="ED7D31"/></a:accent2><a:accent3><a:srgbClr val="A5A5A5"/></a:accent3><a:accent4><a:srgbClr val="FFC000"/></a:accent4><a:accent5><a:srgbClr val="5B9BD5"/></a:accent5><a:accent6><a:srgbClr val="70AD47"/></a:accent6><a:hlink><a:srgbClr val="0563C1"/></a:hlink><a:folHlink><a:srgbClr val="954F72"/></a:folHlink></a:clrScheme><a:fontScheme name="Kenshin"><a:majorFont><a:latin typeface="Meiryo UI"/><a:ea typeface="Meiryo UI"/><a:cs typeface=""/></a:majorFont><a:minorFont><a:latin typeface="Meiryo UI"/><a:ea typeface="Meiryo UI"/><a:cs typeface=""/></a:minorFont></a:fontScheme><a:fmtScheme name="Kenshin"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:fillStyleLst><a:lnStyleLst><a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln><a:ln w="12700"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln><a:ln w="19050"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln></a:lnStyleLst><a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst><a:bgFillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>"#;

fn master() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sldMaster {NS}><p:cSld><p:bg><p:bgRef idx="1001"><a:schemeClr val="bg1"/></p:bgRef></p:bg><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld><p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/><p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst><p:txStyles><p:titleStyle><a:lvl1pPr><a:defRPr sz="3200"/></a:lvl1pPr></p:titleStyle><p:bodyStyle><a:lvl1pPr><a:defRPr sz="1800"/></a:lvl1pPr></p:bodyStyle><p:otherStyle><a:lvl1pPr><a:defRPr sz="1800"/></a:lvl1pPr></p:otherStyle></p:txStyles></p:sldMaster>"#
    )
}

fn layout() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:sldLayout {NS} type="blank" preserve="1"><p:cSld name="白紙"><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>"#
    )
}

/// The .pptx bytes: title slide, map slide (when there is a picture), table slides.
pub fn to_bytes(
    table: &Table,
    meta: &Meta,
    map: Option<&Picture>,
    rows_per_slide: usize,
) -> Result<Vec<u8>, ExportError> {
    let per = rows_per_slide.max(1);
    let mut slides: Vec<(String, Option<&str>)> = vec![(title_slide(meta), None)];
    if let Some(p) = map {
        slides.push((map_slide(meta, p), Some("image1.png")));
    }
    let pages = table.rows().div_ceil(per);
    let widths = table.widths();
    for p in 0..pages {
        let rows = p * per..((p + 1) * per).min(table.rows());
        slides.push((
            table_slide(meta, table, &widths, rows, (p + 1, pages)),
            None,
        ));
    }
    let n = slides.len();
    let mut ct = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/><Override PartName="/ppt/slideMasters/slideMaster1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slideMaster+xml"/><Override PartName="/ppt/slideLayouts/slideLayout1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slideLayout+xml"/><Override PartName="/ppt/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/><Override PartName="/ppt/presProps.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presProps+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#,
    );
    for i in 1..=n {
        ct.push_str(&format!(
            r#"<Override PartName="/ppt/slides/slide{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>"#
        ));
    }
    ct.push_str("</Types>");
    let mut pres_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{R}/slideMaster" Target="slideMasters/slideMaster1.xml"/><Relationship Id="rId2" Type="{R}/theme" Target="theme/theme1.xml"/><Relationship Id="rId3" Type="{R}/presProps" Target="presProps.xml"/>"#
    );
    let mut ids = String::new();
    for i in 1..=n {
        pres_rels.push_str(&format!(
            r#"<Relationship Id="rId{}" Type="{R}/slide" Target="slides/slide{i}.xml"/>"#,
            i + 3
        ));
        ids.push_str(&format!(
            r#"<p:sldId id="{}" r:id="rId{}"/>"#,
            255 + i,
            i + 3
        ));
    }
    pres_rels.push_str("</Relationships>");
    let presentation = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:presentation {NS}><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst><p:sldIdLst>{ids}</p:sldIdLst><p:sldSz cx="{W}" cy="{H}"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>"#
    );
    let root_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{R}/officeDocument" Target="ppt/presentation.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="{R}/extended-properties" Target="docProps/app.xml"/></Relationships>"#
    );
    let core = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>"#,
        esc(&meta.shown_title()),
        esc(&meta.exported_by)
    );
    let app = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>健診アトラス</Application><Slides>{n}</Slides></Properties>"#
    );
    let master_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{R}/slideLayout" Target="../slideLayouts/slideLayout1.xml"/><Relationship Id="rId2" Type="{R}/theme" Target="../theme/theme1.xml"/></Relationships>"#
    );
    let layout_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{R}/slideMaster" Target="../slideMasters/slideMaster1.xml"/></Relationships>"#
    );
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), ct.into_bytes()),
        ("_rels/.rels".into(), root_rels.into_bytes()),
        ("docProps/core.xml".into(), core.into_bytes()),
        ("docProps/app.xml".into(), app.into_bytes()),
        ("ppt/presentation.xml".into(), presentation.into_bytes()),
        (
            "ppt/_rels/presentation.xml.rels".into(),
            pres_rels.into_bytes(),
        ),
        (
            "ppt/slideMasters/slideMaster1.xml".into(),
            master().into_bytes(),
        ),
        (
            "ppt/slideMasters/_rels/slideMaster1.xml.rels".into(),
            master_rels.into_bytes(),
        ),
        (
            "ppt/slideLayouts/slideLayout1.xml".into(),
            layout().into_bytes(),
        ),
        (
            "ppt/slideLayouts/_rels/slideLayout1.xml.rels".into(),
            layout_rels.into_bytes(),
        ),
        ("ppt/theme/theme1.xml".into(), THEME.as_bytes().to_vec()),
        (
            "ppt/presProps.xml".into(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:presentationPr {NS}/>"#
            )
            .into_bytes(),
        ),
    ];
    for (i, (xml, image)) in slides.into_iter().enumerate() {
        parts.push((format!("ppt/slides/slide{}.xml", i + 1), xml.into_bytes()));
        parts.push((
            format!("ppt/slides/_rels/slide{}.xml.rels", i + 1),
            slide_rels(image).into_bytes(),
        ));
    }
    if let Some(p) = map {
        parts.push(("ppt/media/image1.png".into(), p.png.to_vec()));
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            let o = if name.ends_with(".png") {
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
            } else {
                opts
            };
            z.start_file(name, o)
                .map_err(|e| ExportError::Pptx(e.to_string()))?;
            z.write_all(&bytes)
                .map_err(|e| ExportError::Pptx(e.to_string()))?;
        }
        z.finish().map_err(|e| ExportError::Pptx(e.to_string()))?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Values;
    use crate::export::table::Column;

    #[test]
    fn forty_rows_make_three_table_slides_and_text_is_escaped() {
        let t = Table {
            title: "a<b".into(),
            columns: vec![Column {
                name: "名称".into(),
                values: Values::Text((0..40).map(|i| Some(format!("R&{i}"))).collect()),
            }],
        };
        let meta = Meta {
            title: "a<b".into(),
            ..Default::default()
        };
        let bytes = to_bytes(&t, &meta, None, 15).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let slides = (0..z.len())
            .filter(|i| {
                let n = z.by_index(*i).unwrap().name().unwrap().to_string();
                n.starts_with("ppt/slides/slide")
            })
            .count();
        assert_eq!(slides, 4, "title + 15 + 15 + 10");
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name("ppt/slides/slide4.xml").unwrap(), &mut s)
            .unwrap();
        assert!(
            s.contains("R&amp;39") && !s.contains("R&amp;29"),
            "last page"
        );
    }
}
