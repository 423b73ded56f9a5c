//! Days as people live them, in their own time zone: where today began for them. Pure: the time
//! comes in as data.

use chrono::{DateTime, LocalResult, TimeZone, Utc};
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
    let date = at.with_timezone(&zone).date_naive();
    let mut local = date.and_time(chrono::NaiveTime::MIN);
    // A change moves clocks by at most a few hours; the day began at the first hour that exists.
    for _ in 0..24 {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(start) | LocalResult::Ambiguous(start, _) => return start.with_timezone(&Utc),
            LocalResult::None => local += chrono::Duration::minutes(15),
        }
    }
    at
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
    fn a_name_that_is_no_zone_is_none() {
        assert!(zone("Mars/Olympus").is_none());
        assert!(zone("").is_none());
        assert_eq!(zone_or_utc(Some("Mars/Olympus")), Tz::UTC);
        assert_eq!(zone_or_utc(None), Tz::UTC);
    }
}
