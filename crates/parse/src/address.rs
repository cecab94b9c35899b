//! Address text as registers write it, folded to one comparable form.
//!
//! The same place is written `奈良県奈良市登大路町30番地`, `奈良市 登大路町 三十番地`,
//! `登大路町３０－１`; 丁目 as `二丁目`, `2丁目`, `２丁目` or only `2-`; `大字`/`字` may be
//! present or absent; old kanji (邊, 齋, 髙) appear in 住民票 text. [`fold`] makes one
//! spelling of all of these, and is applied to the reference names and to the addresses
//! alike, so folding a variant can never make two different names equal unless they are
//! already written the same in practice.

use crate::normalize::fold_width;

/// Old or variant kanji found in registered addresses, folded to the common form.
const VARIANTS: &[(char, char)] = &[
    ('邊', '辺'),
    ('邉', '辺'),
    ('齋', '斎'),
    ('齊', '斉'),
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('濱', '浜'),
    ('濵', '浜'),
    ('澤', '沢'),
    ('冨', '富'),
    ('國', '国'),
    ('廣', '広'),
    ('櫻', '桜'),
    ('藪', '薮'),
    ('曾', '曽'),
    ('舘', '館'),
    ('竈', '竃'),
    ('ヶ', 'ケ'),
    ('ヵ', 'カ'),
    ('ｹ', 'ケ'),
];

/// Folds an address or place name: full-width ASCII and digits to ASCII, every dash form
/// between digits to `-`, variant kanji to the common form, and spaces removed.
pub fn fold(s: &str) -> String {
    let w = fold_width(s);
    let chars: Vec<char> = w.chars().collect();
    let mut out = String::with_capacity(w.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            continue;
        }
        let c = VARIANTS.iter().find(|v| v.0 == c).map_or(c, |v| v.1);
        // Dashes: the long-vowel mark and box-drawing lines are dashes only after a digit.
        let after_digit = i > 0 && is_number_char(chars[i - 1]);
        let c = match c {
            '‐' | '‑' | '–' | '—' | '―' | '−' | '﹣' => '-',
            'ー' | 'ｰ' | '─' | '━' if after_digit => '-',
            _ => c,
        };
        out.push(c);
    }
    out
}

fn kanji_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壱' => 1,
        '二' | '弐' => 2,
        '三' | '参' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn kanji_unit(c: char) -> Option<u32> {
    Some(match c {
        '十' | '拾' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || kanji_digit(c).is_some() || kanji_unit(c).is_some()
}

/// Reads the number at the start of `s`, in arabic (`23`) or kanji (`二十三`, `二三`,
/// `百五`) numerals. Returns the value and the bytes used, or `None` when `s` does not
/// start with a number.
pub fn leading_number(s: &str) -> Option<(u32, usize)> {
    let first = s.chars().next()?;
    if first.is_ascii_digit() {
        let len = s.bytes().take_while(u8::is_ascii_digit).count();
        return s[..len].parse().ok().map(|n| (n, len));
    }
    if !is_number_char(first) {
        return None;
    }
    let mut total: u32 = 0;
    let mut digits: Option<u32> = None;
    let mut used = 0;
    for c in s.chars() {
        if let Some(d) = kanji_digit(c) {
            // Positional form (二三 = 23) when digits follow digits.
            digits = Some(digits.unwrap_or(0).saturating_mul(10).saturating_add(d));
        } else if let Some(u) = kanji_unit(c) {
            total = total.saturating_add(digits.unwrap_or(1).saturating_mul(u));
            digits = None;
        } else {
            break;
        }
        used += c.len_utf8();
    }
    Some((total.saturating_add(digits.unwrap_or(0)), used))
}

/// A 町丁・字 name split into its stem and 丁目 number: `平松４丁目` and `平松四丁目` are
/// both (`平松`, Some(4)); `北向町` is (`北向町`, None). The input must be [`fold`]ed.
pub fn split_chome(name: &str) -> (&str, Option<u32>) {
    let Some(stem_end) = name.strip_suffix("丁目").map(str::len) else {
        return (name, None);
    };
    let body = &name[..stem_end];
    // Find the shortest numeric tail that parses.
    let mut start = stem_end;
    for (i, c) in body.char_indices().rev() {
        if is_number_char(c) {
            start = i;
        } else {
            break;
        }
    }
    if start == stem_end || start == 0 {
        return (name, None);
    }
    match leading_number(&body[start..]) {
        Some((n, used)) if used == stem_end - start && n > 0 => (&body[..start], Some(n)),
        _ => (name, None),
    }
}

/// Removes leading `大字` / `字` (also a doubled `大字大字`, a typing slip seen in
/// registers), only while something follows.
pub fn strip_aza(s: &str) -> &str {
    let mut s = s;
    'outer: loop {
        for p in ["大字", "字"] {
            if let Some(rest) = s.strip_prefix(p)
                && !rest.is_empty()
            {
                s = rest;
                continue 'outer;
            }
        }
        return s;
    }
}

/// The number part after a town name: `2丁目3番4号`, `2-3-4`, `三十番地の1`, `30`.
/// `chome_expected` says whether the town is divided into 丁目, which decides whether a bare
/// `2-3` is 2丁目3番 or 2番地3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Numbers {
    pub chome: Option<u32>,
    pub block: Option<u32>,
}

pub fn parse_numbers(rest: &str, chome_expected: bool) -> Numbers {
    let mut out = Numbers::default();
    let mut s = rest;
    if let Some((n, used)) = leading_number(s) {
        let after = &s[used..];
        if let Some(a) = after.strip_prefix("丁目") {
            out.chome = Some(n);
            s = a;
        } else if chome_expected && (after.starts_with('-') || after.starts_with('の')) {
            out.chome = Some(n);
            s = &after[after.chars().next().map_or(0, char::len_utf8)..];
        }
    }
    if out.chome.is_some() || !chome_expected {
        if let Some((n, _)) = leading_number(s) {
            out.block = Some(n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_widths_spaces_dashes_and_variants() {
        assert_eq!(fold("奈良市 登大路町　３０－１"), "奈良市登大路町30-1");
        assert_eq!(fold("渡邊町2ー3"), "渡辺町2-3");
        assert_eq!(fold("霞ヶ丘"), "霞ケ丘");
        // A long-vowel mark inside a name stays.
        assert_eq!(fold("ニュータウン"), "ニュータウン");
    }

    #[test]
    fn reads_kanji_and_arabic_numbers() {
        assert_eq!(leading_number("23番"), Some((23, 2)));
        assert_eq!(leading_number("三十番地"), Some((30, 6)));
        assert_eq!(leading_number("二十三"), Some((23, 9)));
        assert_eq!(leading_number("二三"), Some((23, 6)));
        assert_eq!(leading_number("百五"), Some((105, 6)));
        assert_eq!(leading_number("十"), Some((10, 3)));
        assert_eq!(leading_number("町"), None);
    }

    #[test]
    fn splits_chome_in_every_writing() {
        assert_eq!(split_chome("平松4丁目"), ("平松", Some(4)));
        assert_eq!(split_chome("平松四丁目"), ("平松", Some(4)));
        assert_eq!(
            split_chome("西大寺国見町十二丁目"),
            ("西大寺国見町", Some(12))
        );
        assert_eq!(split_chome("北向町"), ("北向町", None));
        // A name that is only a number plus 丁目 is not split into an empty stem.
        assert_eq!(split_chome("三丁目"), ("三丁目", None));
    }

    #[test]
    fn numbers_after_the_town() {
        let n = |s: &str, c: bool| parse_numbers(s, c);
        assert_eq!(
            n("2丁目3番4号", true),
            Numbers {
                chome: Some(2),
                block: Some(3)
            }
        );
        assert_eq!(
            n("二丁目3-4", true),
            Numbers {
                chome: Some(2),
                block: Some(3)
            }
        );
        assert_eq!(
            n("2-3-4", true),
            Numbers {
                chome: Some(2),
                block: Some(3)
            }
        );
        assert_eq!(
            n("30番地の1", false),
            Numbers {
                chome: None,
                block: Some(30)
            }
        );
        assert_eq!(
            n("三十番地", false),
            Numbers {
                chome: None,
                block: Some(30)
            }
        );
        assert_eq!(
            n("30-1", false),
            Numbers {
                chome: None,
                block: Some(30)
            }
        );
        // A town with 丁目 written without one: no block is guessed.
        assert_eq!(
            n("30", true),
            Numbers {
                chome: None,
                block: None
            }
        );
        assert_eq!(strip_aza("大字高畑"), "高畑");
        assert_eq!(strip_aza("大字大字高畑"), "高畑");
        assert_eq!(strip_aza("字"), "字");
    }
}
