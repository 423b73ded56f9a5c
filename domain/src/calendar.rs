//! Days as people live them, in their own time zone: where today began for them. Pure: the time
//! comes in as data.

use chrono::{DateTime, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use std::str::FromStr;

/// An IANA time zone, by its name (`Europe/Madrid`); none for a name that is not one.
pub fn zone(name: &str) -> Option<Tz> {
    Tz::from_str(name.trim()).ok()
}

/// The zone a person's browser named, or UTC when it named none (or no zone).
pub fn zone_or_utc(name: Option<&str>) -> Tz {
    name.and_then(zone).unwrap_or(Tz::UTC)
}

/// When the day holding `at` began in `zone`: its local midnight, or — on a day whose midnight a
/// clock change skipped — the first moment the day had.
pub fn day_start(at: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    date_start(at.with_timezone(&zone).date_naive(), zone)
}

/// When `date` began in `zone` (its first moment, as [`day_start`] says).
pub fn date_start(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let mut local = date.and_time(chrono::NaiveTime::MIN);
    // A change moves clocks by at most a few hours; the day began at the first hour that exists.
    for _ in 0..24 {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(start) | LocalResult::Ambiguous(start, _) => return start.with_timezone(&Utc),
            LocalResult::None => local += chrono::Duration::minutes(15),
        }
    }
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The days from `first` to `last`, both whole, in `zone`: from the first one's start to the start
/// of the day after the last (so a day with a clock change is 23 or 25 hours long).
pub fn days(first: NaiveDate, last: NaiveDate, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    (date_start(first, zone), date_start(last + chrono::Days::new(1), zone))
}

/// The date and the hour (0–23) on the clocks of `zone` at `at`.
pub fn local_date_and_hour(at: DateTime<Utc>, zone: Tz) -> (NaiveDate, u32) {
    let local = at.with_timezone(&zone);
    (local.date_naive(), chrono::Timelike::hour(&local))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn today_begins_at_the_zones_midnight_which_may_be_yesterday_in_utc() {
        let madrid = zone("Europe/Madrid").unwrap();
        assert_eq!(day_start(utc("2026-12-04T15:00:00Z"), madrid), utc("2026-12-03T23:00:00Z"));
        let buenos_aires = zone(" America/Argentina/Buenos_Aires ").unwrap();
        // 01:00 UTC is still the day before in Buenos Aires (UTC−3).
        assert_eq!(day_start(utc("2026-12-04T01:00:00Z"), buenos_aires), utc("2026-12-03T03:00:00Z"));
    }

    #[test]
    fn a_day_whose_midnight_a_clock_change_skipped_begins_at_its_first_hour() {
        // Santiago moved its clocks from 00:00 to 01:00 on 2026-09-06.
        let santiago = zone("America/Santiago").unwrap();
        assert_eq!(day_start(utc("2026-09-06T12:00:00Z"), santiago), utc("2026-09-06T04:00:00Z"));
        // On the day Madrid's clocks went back, midnight was still one moment.
        let madrid = zone("Europe/Madrid").unwrap();
        assert_eq!(day_start(utc("2026-10-25T12:00:00Z"), madrid), utc("2026-10-24T22:00:00Z"));
    }

    #[test]
    fn a_span_of_days_runs_from_the_first_midnight_to_the_one_after_the_last_day_whatever_the_clocks_did() {
        let madrid = zone("Europe/Madrid").unwrap();
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        // Madrid's clocks went back on 25 October 2026: that day had 25 hours.
        let (start, end) = days(date("2026-10-25"), date("2026-10-25"), madrid);
        assert_eq!((start, end), (utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z")));
        assert_eq!((end - start).num_hours(), 25);
        let (start, end) = days(date("2026-12-01"), date("2026-12-31"), madrid);
        assert_eq!((start, end), (utc("2026-11-30T23:00:00Z"), utc("2026-12-31T23:00:00Z")));
        // 23:30 UTC on the 1st is already the 2nd at half past midnight in Madrid.
        assert_eq!(local_date_and_hour(utc("2026-12-01T23:30:00Z"), madrid), (date("2026-12-02"), 0));
    }

    #[test]
    fn a_name_that_is_no_zone_is_none() {
        assert!(zone("Mars/Olympus").is_none());
        assert!(zone("").is_none());
        assert_eq!(zone_or_utc(Some("Mars/Olympus")), Tz::UTC);
        assert_eq!(zone_or_utc(None), Tz::UTC);
    }
}
