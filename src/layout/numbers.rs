//! How figures are written on paper: counts with thousands separators, changes in
//! percentage points, and the word a withheld figure shows.

/// What a withheld (少数のため非表示) figure shows in a printed table.
pub const HIDDEN: &str = "非表示";

/// `n` with thousands separators (as the legend writes counts).
pub fn count(n: i64) -> String {
    crate::map::choropleth::group_digits(n)
}

/// A change in percentage points to one decimal, signed; no change is ±0.0 (never -0.0).
pub fn points(d: f64) -> String {
    let tenths = (d * 10.0).round() as i64;
    match tenths {
        0 => "±0.0".into(),
        t => format!(
            "{}{}.{}",
            if t > 0 { "+" } else { "-" },
            t.abs() / 10,
            t.abs() % 10
        ),
    }
}

/// A rate (0–1) as a percentage to one decimal.
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_printed() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(-1234567), "-1,234,567");
        assert_eq!(points(-0.04), "±0.0");
        assert_eq!(points(0.04), "±0.0");
        assert_eq!(points(1.26), "+1.3");
        assert_eq!(points(-12.34), "-12.3");
        assert_eq!(percent(0.4567), "45.7%");
    }
}
