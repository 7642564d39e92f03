//! UK local time (Appointment Management design: dates and times: `yyyy-mm-ddThh:mm:ss+hh:mm`, `+00:00` in GMT, `+01:00` in BST).
//!
//! The crate has no time-zone database, and the UK rule is simple enough to state here: BST runs from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
//!
//! Appointment Management design: <https://developer.nhs.uk/apis/gpconnect-1-2-7/appointments_design.html>

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};

/// The last Sunday of `month` in `year`, at 01:00 UTC.
fn last_sunday_0100(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut d = first_of_next.pred_opt()?;
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt()?;
    }
    Some(Utc.from_utc_datetime(&d.and_time(NaiveTime::from_hms_opt(1, 0, 0)?)))
}

/// Whether `t` falls in British Summer Time.
pub fn is_bst(t: DateTime<Utc>) -> bool {
    match (
        last_sunday_0100(t.year(), 3),
        last_sunday_0100(t.year(), 10),
    ) {
        (Some(start), Some(end)) => t >= start && t < end,
        _ => false,
    }
}

/// The UK offset in force at `t`.
pub fn offset_at(t: DateTime<Utc>) -> FixedOffset {
    let hours = if is_bst(t) { 1 } else { 0 };
    FixedOffset::east_opt(hours * 3600).unwrap_or_else(|| chrono::Offset::fix(&Utc))
}

/// `t` as UK local time.
pub fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&offset_at(t))
}

/// Now, as UK local time.
pub fn now_local() -> DateTime<FixedOffset> {
    local(Utc::now())
}

/// Today's UK date.
pub fn today() -> NaiveDate {
    now_local().date_naive()
}

/// The instant at which the UK wall clock shows `time` on `date` (daytime hours only, so the transition
/// hour never matters).
pub fn at(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    let guess = Utc.from_utc_datetime(&naive);
    let offset = offset_at(guess);
    guess - Duration::seconds(i64::from(offset.local_minus_utc()))
}

/// The GP Connect wire form: `2024-05-01T09:00:00+01:00`.
pub fn format(t: DateTime<Utc>) -> String {
    local(t).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parse a FHIR dateTime with seconds and an explicit `±hh:mm` offset (never `Z`).
pub fn parse_date_time(s: &str) -> Option<DateTime<Utc>> {
    if s.len() != 25 {
        return None;
    }
    // `DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%:z")`, with the format read once: a run
    // parses some hundred thousand Slot times.
    static FORMAT: std::sync::OnceLock<Vec<chrono::format::Item<'static>>> =
        std::sync::OnceLock::new();
    let format = FORMAT.get_or_init(|| {
        chrono::format::StrftimeItems::new("%Y-%m-%dT%H:%M:%S%:z")
            .parse_to_owned()
            .unwrap_or_default()
    });
    let mut parsed = chrono::format::Parsed::new();
    chrono::format::parse(&mut parsed, s, format.iter()).ok()?;
    parsed.to_datetime().ok().map(|d| d.with_timezone(&Utc))
}

/// Parse a full FHIR date `yyyy-mm-dd` (no partial dates).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Whether `s` is in the GP Connect local-time form with a UK offset.
pub fn is_uk_local(s: &str) -> bool {
    parse_date_time(s).is_some() && (s.ends_with("+00:00") || s.ends_with("+01:00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_time_is_read_as_chrono_reads_it_with_the_format_each_time() {
        for s in [
            "2026-12-04T10:00:00+00:00",
            "2026-06-30T23:59:59+01:00",
            "2026-06-30T23:59:60+01:00",
            "2026-02-29T10:00:00+00:00",
            "2028-02-29T10:00:00+00:00",
            "2026-12-04t10:00:00+00:00",
            "2026-12-04 10:00:00+00:00",
            "2026-12-04T10:00:00-05:30",
            "2026-12-04T24:00:00+00:00",
            "2026-13-04T10:00:00+00:00",
            "2026-12-04T10:00:00+0000 ",
            "2026-12-04T10:00:00Z     ",
            "+2026-12-04T10:00:00+00:0",
            "2026-12-04T10:00:00.5+00:",
            "2026-12-04T10:00:00+00:00x",
            "2026-12-04T10:00:00",
            "",
        ] {
            let expected = (s.len() == 25)
                .then(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%:z").ok())
                .flatten()
                .map(|d| d.with_timezone(&Utc));
            assert_eq!(parse_date_time(s), expected, "{s:?}");
        }
        assert!(parse_date_time("2026-12-04T10:00:00+00:00").is_some());
        assert!(parse_date_time("2026-13-04T10:00:00+00:00").is_none());
    }

    #[test]
    fn bst_boundaries() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(!is_bst(t("2024-03-31T00:59:59Z")));
        assert!(is_bst(t("2024-03-31T01:00:00Z")));
        assert!(is_bst(t("2024-10-27T00:59:59Z")));
        assert!(!is_bst(t("2024-10-27T01:00:00Z")));
        assert_eq!(
            format(t("2024-07-01T08:00:00Z")),
            "2024-07-01T09:00:00+01:00"
        );
        assert_eq!(
            format(t("2024-12-01T09:00:00Z")),
            "2024-12-01T09:00:00+00:00"
        );
    }

    #[test]
    fn local_wall_clock_and_parsing() {
        let d = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        assert_eq!(
            format(at(d, NaiveTime::from_hms_opt(9, 0, 0).unwrap())),
            "2024-07-01T09:00:00+01:00"
        );
        assert!(parse_date_time("2024-07-01T09:00:00+01:00").is_some());
        assert!(parse_date_time("2024-07-01T09:00:00Z").is_none());
        assert!(parse_date_time("2024-07-01T09:00:00").is_none());
        assert!(parse_date("2024-07").is_none());
        assert!(parse_date("2024-07-01").is_some());
        assert!(is_uk_local("2024-07-01T09:00:00+01:00"));
        assert!(!is_uk_local("2024-07-01T09:00:00+02:00"));
    }
}
