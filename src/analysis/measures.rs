//! The one definition of uptake (受診率) per the 法定報告:
//! - targets (対象者): insured aged 40–74 on 31 March at the end of the fiscal year, and
//!   enrolled for the whole year: qualification acquired on or before 1 April, and the
//!   lost date (the first day not insured) empty or after 31 March;
//! - attendees (受診者): targets with a checkup dated within that fiscal year.
//!
//! Age on 31 March is the calendar age: it rises on the birthday (a 29 February birthday
//! counts as passed by 31 March).
//!
//! The SQL below is the only place the app computes it. The demo generator computes the
//! same figures on its own (in `demo::records`) so that a test comparing the two can fail.

/// Youngest and oldest target ages.
pub const TARGET_AGES: (i32, i32) = (40, 74);

/// SQL for the targets of fiscal year `$fy` (bound as the first parameter, an integer):
/// columns insured_id, municipality_code, sex, age.
pub const TARGETS_SQL: &str = "
    WITH fy AS (SELECT make_date(CAST(? AS INTEGER), 4, 1) AS fy_start,
                       make_date(CAST(? AS INTEGER) + 1, 3, 31) AS fy_end)
    SELECT i.insured_id, i.municipality_code, i.sex,
           year(fy.fy_end) - year(i.birth_date)
             - CASE WHEN strftime(i.birth_date, '%m%d') > '0331' THEN 1 ELSE 0 END AS age,
           fy.fy_start, fy.fy_end
    FROM insured i, fy
    WHERE i.acquired_date <= fy.fy_start
      AND (i.lost_date IS NULL OR i.lost_date > fy.fy_end)
      AND year(fy.fy_end) - year(i.birth_date)
            - CASE WHEN strftime(i.birth_date, '%m%d') > '0331' THEN 1 ELSE 0 END BETWEEN 40 AND 74";

/// SQL for targets with an attendance flag: adds `attended` (boolean). Binds `$fy` twice.
pub fn targets_with_attendance_sql() -> String {
    format!(
        "WITH t AS ({TARGETS_SQL})
         SELECT t.*, EXISTS (SELECT 1 FROM checkups c
                             WHERE c.insured_id = t.insured_id
                               AND c.checkup_date BETWEEN t.fy_start AND t.fy_end) AS attended
         FROM t"
    )
}
