//! Opening hours (G15): when a line's company answers, in its own time zone, week by week with
//! exceptional days (holidays, shorter days). Pure: the time comes in as data.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

pub const MAX_SPANS: usize = 100;

/// A company's hours as entered: times as "HH:MM", days as "mon" … "sun", dates as "YYYY-MM-DD".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpeningHours {
    /// An IANA time zone, e.g. "America/Argentina/Buenos_Aires".
    pub time_zone: String,
    pub week: Vec<WeeklySpan>,
    /// Days that do not follow the week: their own spans, none for a day closed.
    #[serde(default)]
    pub exceptions: Vec<ExceptionalDay>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeeklySpan {
    pub day: String,
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExceptionalDay {
    pub date: String,
    #[serde(default)]
    pub spans: Vec<TimeSpan>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeSpan {
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HoursRejection {
    #[error("`{0}` is not a time zone (use a name like America/Argentina/Buenos_Aires)")]
    TimeZone(String),
    #[error("`{0}` is not a day (mon, tue, wed, thu, fri, sat, sun)")]
    Day(String),
    #[error("`{0}` is not a time of day (HH:MM)")]
    Time(String),
    #[error("`{0}` is not a date (YYYY-MM-DD)")]
    Date(String),
    #[error("a span must end after it starts ({from}–{to})")]
    EmptySpan { from: String, to: String },
    #[error("at most {MAX_SPANS} spans and exceptional days")]
    TooMany,
}

fn time(text: &str) -> Result<NaiveTime, HoursRejection> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| HoursRejection::Time(text.into()))
}

fn span(from: &str, to: &str) -> Result<(NaiveTime, NaiveTime), HoursRejection> {
    let (start, end) = (time(from)?, time(to)?);
    if end <= start {
        return Err(HoursRejection::EmptySpan { from: from.into(), to: to.into() });
    }
    Ok((start, end))
}

fn day(text: &str) -> Result<Weekday, HoursRejection> {
    match text.trim().to_lowercase().as_str() {
        "mon" => Ok(Weekday::Mon),
        "tue" => Ok(Weekday::Tue),
        "wed" => Ok(Weekday::Wed),
        "thu" => Ok(Weekday::Thu),
        "fri" => Ok(Weekday::Fri),
        "sat" => Ok(Weekday::Sat),
        "sun" => Ok(Weekday::Sun),
        _ => Err(HoursRejection::Day(text.into())),
    }
}

fn date(text: &str) -> Result<NaiveDate, HoursRejection> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| HoursRejection::Date(text.into()))
}

impl OpeningHours {
    /// Refuses hours that cannot be read, with what is wrong.
    pub fn check(&self) -> Result<(), HoursRejection> {
        Tz::from_str(self.time_zone.trim()).map_err(|_| HoursRejection::TimeZone(self.time_zone.clone()))?;
        if self.week.len() + self.exceptions.len() > MAX_SPANS {
            return Err(HoursRejection::TooMany);
        }
        for weekly in &self.week {
            day(&weekly.day)?;
            span(&weekly.from, &weekly.to)?;
        }
        for exception in &self.exceptions {
            date(&exception.date)?;
            for s in &exception.spans {
                span(&s.from, &s.to)?;
            }
        }
        Ok(())
    }

    /// Whether the company answers at `at`. Hours that cannot be read (never stored: `check`
    /// refuses them) count as always open, so nobody is turned away by a typo.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let Ok(zone) = Tz::from_str(self.time_zone.trim()) else { return true };
        let local = at.with_timezone(&zone);
        let (today, now) = (local.date_naive(), local.time());
        let within = |from: &str, to: &str| span(from, to).is_ok_and(|(start, end)| start <= now && now < end);
        match self.exceptions.iter().find(|e| date(&e.date).is_ok_and(|d| d == today)) {
            Some(exception) => exception.spans.iter().any(|s| within(&s.from, &s.to)),
            None => self
                .week
                .iter()
                .filter(|w| day(&w.day).is_ok_and(|d| d == local.weekday()))
                .any(|w| within(&w.from, &w.to)),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Weekdays 9–13 and 14–18 in Buenos Aires (UTC−3); Christmas closed; Dec 24 until noon.
    pub(crate) fn office() -> OpeningHours {
        let weekly = |day: &str, from: &str, to: &str| WeeklySpan { day: day.into(), from: from.into(), to: to.into() };
        let mut week = Vec::new();
        for d in ["mon", "tue", "wed", "thu", "fri"] {
            week.push(weekly(d, "09:00", "13:00"));
            week.push(weekly(d, "14:00", "18:00"));
        }
        OpeningHours {
            time_zone: "America/Argentina/Buenos_Aires".into(),
            week,
            exceptions: vec![
                ExceptionalDay { date: "2026-12-25".into(), spans: vec![] },
                ExceptionalDay {
                    date: "2026-12-24".into(),
                    spans: vec![TimeSpan { from: "09:00".into(), to: "12:00".into() }],
                },
            ],
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn open_within_the_weeks_spans_in_the_lines_time_zone() {
        let hours = office();
        assert!(hours.is_open(utc("2026-11-25T12:00:00Z")), "Wednesday 09:00 in Buenos Aires");
        assert!(!hours.is_open(utc("2026-11-25T11:59:00Z")), "08:59 there");
        assert!(!hours.is_open(utc("2026-11-25T16:30:00Z")), "13:30 there: lunch");
        assert!(!hours.is_open(utc("2026-11-25T21:00:00Z")), "18:00 there: closed at the end");
        assert!(!hours.is_open(utc("2026-11-28T15:00:00Z")), "Saturday");
    }

    #[test]
    fn exceptional_days_replace_the_week() {
        let hours = office();
        assert!(!hours.is_open(utc("2026-12-25T15:00:00Z")), "Christmas, a Friday, closed");
        assert!(hours.is_open(utc("2026-12-24T14:00:00Z")), "Christmas Eve 11:00");
        assert!(!hours.is_open(utc("2026-12-24T16:00:00Z")), "Christmas Eve 13:00: closed early");
    }

    #[test]
    fn hours_that_cannot_be_read_are_refused_with_what_is_wrong() {
        assert_eq!(office().check(), Ok(()));
        let zone = OpeningHours { time_zone: "Mars/Olympus".into(), ..office() };
        assert_eq!(zone.check(), Err(HoursRejection::TimeZone("Mars/Olympus".into())));
        let mut bad_day = office();
        bad_day.week[0].day = "funday".into();
        assert_eq!(bad_day.check(), Err(HoursRejection::Day("funday".into())));
        let mut backwards = office();
        backwards.week[0].to = "08:00".into();
        assert_eq!(backwards.check(), Err(HoursRejection::EmptySpan { from: "09:00".into(), to: "08:00".into() }));
        let mut bad_time = office();
        bad_time.week[0].from = "9am".into();
        assert_eq!(bad_time.check(), Err(HoursRejection::Time("9am".into())));
        let mut bad_date = office();
        bad_date.exceptions[0].date = "25/12/2026".into();
        assert_eq!(bad_date.check(), Err(HoursRejection::Date("25/12/2026".into())));
    }
}
