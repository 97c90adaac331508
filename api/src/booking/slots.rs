//! Free slots, computed without the database: the location's hours and holidays, each
//! specialist's hours, one-off days and breaks, the service's length and buffers, and the time
//! already taken (appointments, party orders, live holds) on specialists and rooms.
//!
//! Hours are local times of the location's timezone; everything else is UTC. A working
//! interval is turned into instants first and slots step through real time from its start, so
//! a day across a DST change has as many slots as it has real hours. A local time that does not
//! exist (the spring gap) moves to the end of the gap; one that exists twice (the autumn
//! overlap) takes its first occurrence.
//!
//! A slot's service time lies inside the working hours; its buffers need not, but they must
//! not meet time taken by others. The time a slot blocks is `start - before .. end + after`.

use crate::domain::timezone;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

/// A half-open span of time.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// A local interval of a day; `end <= start` runs past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Local {
    pub fn new(start: NaiveTime, end: NaiveTime) -> Local {
        Local { start, end }
    }
}

/// The location's side: timezone, weekly hours and holidays.
#[derive(Debug, Clone)]
pub struct Venue {
    pub tz: Tz,
    /// ISO weekday (1 = Monday) and interval.
    pub hours: Vec<(u32, Local)>,
    /// A holiday closes the day (`None`) or opens it on other hours.
    pub holidays: HashMap<NaiveDate, Option<Local>>,
}

/// One specialist's side.
#[derive(Debug, Clone, Default)]
pub struct Specialist {
    pub id: i64,
    /// ISO weekday and interval, at this location.
    pub weekly: Vec<(u32, Local)>,
    /// One-off days: off (`None`) or other hours, replacing the week's.
    pub days: HashMap<NaiveDate, Option<Local>>,
    pub weekly_breaks: Vec<(u32, Local)>,
    pub dated_breaks: Vec<(NaiveDate, Local)>,
    /// Time already taken.
    pub busy: Vec<Span>,
}

/// A room that suits the service, with the time already taken in it.
#[derive(Debug, Clone, Default)]
pub struct Room {
    pub id: i64,
    pub busy: Vec<Span>,
}

/// The service's shape, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub duration: i64,
    pub before: i64,
    pub after: i64,
}

impl Shape {
    /// The time a service starting at `start` blocks.
    pub fn blocked(&self, start: DateTime<Utc>) -> Span {
        (
            start - Duration::minutes(self.before),
            start + Duration::minutes(self.duration + self.after),
        )
    }
}

/// Which slots are wanted.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// First and last local day, inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub step_minutes: i64,
    /// No slot starts before this instant (now plus the lead time).
    pub not_before: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub specialist_id: i64,
    /// The room, when the service needs one.
    pub resource_id: Option<i64>,
}

/// The span of a local interval that starts on `day`.
fn span(tz: Tz, day: NaiveDate, local: Local) -> Span {
    let start = day.and_time(local.start);
    let end_day = if local.end <= local.start {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    (
        timezone::instant(tz, start),
        timezone::instant(tz, end_day.and_time(local.end)),
    )
}

/// Sorted, merged spans.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|(a, b)| a < b);
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Where both sorted, merged lists cover.
fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let start = a[i].0.max(b[j].0);
        let end = a[i].1.min(b[j].1);
        if start < end {
            out.push((start, end));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `a` without the sorted, merged `cut`.
fn subtract(a: &[Span], cut: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for &(start, end) in a {
        let mut from = start;
        for &(c0, c1) in cut {
            if c1 <= from || c0 >= end {
                continue;
            }
            if c0 > from {
                out.push((from, c0));
            }
            from = from.max(c1);
        }
        if from < end {
            out.push((from, end));
        }
    }
    out
}

fn overlaps(busy: &[Span], (a, b): Span) -> bool {
    busy.iter().any(|(s, e)| *s < b && *e > a)
}

fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

/// When the location is open over the days `from..=to` (plus the night before).
fn open_spans(venue: &Venue, from: NaiveDate, to: NaiveDate) -> Vec<Span> {
    let mut spans = Vec::new();
    for day in days(from.pred_opt().unwrap_or(from), to) {
        match venue.holidays.get(&day) {
            Some(Some(local)) => spans.push(span(venue.tz, day, *local)),
            Some(None) => {}
            None => {
                let weekday = day.weekday().number_from_monday();
                for (d, local) in &venue.hours {
                    if *d == weekday {
                        spans.push(span(venue.tz, day, *local));
                    }
                }
            }
        }
    }
    merge(spans)
}

/// When a specialist works over the days, breaks taken out.
fn working_spans(tz: Tz, who: &Specialist, from: NaiveDate, to: NaiveDate) -> Vec<Span> {
    let mut work = Vec::new();
    let mut breaks = Vec::new();
    for day in days(from.pred_opt().unwrap_or(from), to) {
        let weekday = day.weekday().number_from_monday();
        match who.days.get(&day) {
            Some(Some(local)) => work.push(span(tz, day, *local)),
            Some(None) => {}
            None => work.extend(
                who.weekly
                    .iter()
                    .filter(|(d, _)| *d == weekday)
                    .map(|(_, l)| span(tz, day, *l)),
            ),
        }
        breaks.extend(
            who.weekly_breaks
                .iter()
                .filter(|(d, _)| *d == weekday)
                .map(|(_, l)| span(tz, day, *l)),
        );
        breaks.extend(
            who.dated_breaks
                .iter()
                .filter(|(d, _)| *d == day)
                .map(|(_, l)| span(tz, day, *l)),
        );
    }
    subtract(&merge(work), &merge(breaks))
}

/// Every free slot in the window, by start and then specialist.
pub fn compute(
    venue: &Venue,
    shape: Shape,
    specialists: &[Specialist],
    rooms: &[Room],
    window: &Window,
) -> Vec<Slot> {
    let mut out = Vec::new();
    if shape.duration <= 0 || window.step_minutes <= 0 || window.from > window.to {
        return out;
    }
    let first = timezone::instant(venue.tz, window.from.and_time(NaiveTime::MIN));
    let after_last = timezone::instant(
        venue.tz,
        window
            .to
            .succ_opt()
            .unwrap_or(window.to)
            .and_time(NaiveTime::MIN),
    );
    let open = open_spans(venue, window.from, window.to);
    let duration = Duration::minutes(shape.duration);
    let step = Duration::minutes(window.step_minutes);
    for who in specialists {
        let free = intersect(&working_spans(venue.tz, who, window.from, window.to), &open);
        for (a, b) in free {
            let mut start = a;
            while start + duration <= b {
                if start >= first && start < after_last && start >= window.not_before {
                    let blocked = shape.blocked(start);
                    if !overlaps(&who.busy, blocked) {
                        let room = rooms.iter().find(|r| !overlaps(&r.busy, blocked));
                        if rooms.is_empty() || room.is_some() {
                            out.push(Slot {
                                starts_at: start,
                                ends_at: start + duration,
                                specialist_id: who.id,
                                resource_id: room.map(|r| r.id),
                            });
                        }
                    }
                }
                start += step;
            }
        }
    }
    out.sort_by_key(|s| (s.starts_at, s.specialist_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn every_day(from: &str, to: &str) -> Vec<(u32, Local)> {
        (1..=7).map(|w| (w, Local::new(t(from), t(to)))).collect()
    }

    fn venue(tz: &str, from: &str, to: &str) -> Venue {
        Venue {
            tz: tz.parse().unwrap(),
            hours: every_day(from, to),
            holidays: HashMap::new(),
        }
    }

    fn anna(from: &str, to: &str) -> Specialist {
        Specialist {
            id: 1,
            weekly: every_day(from, to),
            ..Specialist::default()
        }
    }

    fn one_day(day: &str, step: i64) -> Window {
        Window {
            from: d(day),
            to: d(day),
            step_minutes: step,
            not_before: utc("2000-01-01T00:00:00Z"),
        }
    }

    const HOUR: Shape = Shape {
        duration: 60,
        before: 0,
        after: 0,
    };

    fn starts(slots: &[Slot]) -> Vec<String> {
        slots
            .iter()
            .map(|s| s.starts_at.format("%H:%M").to_string())
            .collect()
    }

    #[test]
    fn hours_of_venue_and_specialist_intersect() {
        // Almaty is UTC+5 all year.
        let v = venue("Asia/Almaty", "09:00", "18:00");
        let slots = compute(
            &v,
            HOUR,
            &[anna("14:00", "20:00")],
            &[],
            &one_day("2026-11-23", 60),
        );
        // 14:00–18:00 local = 09:00–13:00 UTC.
        assert_eq!(starts(&slots), ["09:00", "10:00", "11:00", "12:00"]);
    }

    #[test]
    fn breaks_and_days_off_are_skipped() {
        let v = venue("Asia/Almaty", "09:00", "18:00");
        let mut who = anna("09:00", "18:00");
        who.weekly_breaks
            .push((1, Local::new(t("13:00"), t("14:00"))));
        who.dated_breaks
            .push((d("2026-11-23"), Local::new(t("10:00"), t("10:30"))));
        let slots = compute(
            &v,
            HOUR,
            std::slice::from_ref(&who),
            &[],
            &one_day("2026-11-23", 30),
        );
        let local: Vec<String> = slots
            .iter()
            .map(|s| {
                (s.starts_at + Duration::hours(5))
                    .format("%H:%M")
                    .to_string()
            })
            .collect();
        assert_eq!(
            local,
            [
                "09:00", "10:30", "11:00", "11:30", "12:00", "14:00", "14:30", "15:00", "15:30",
                "16:00", "16:30", "17:00"
            ]
        );
        who.days.insert(d("2026-11-23"), None);
        assert!(
            compute(
                &v,
                HOUR,
                std::slice::from_ref(&who),
                &[],
                &one_day("2026-11-23", 30)
            )
            .is_empty()
        );
        who.days
            .insert(d("2026-11-23"), Some(Local::new(t("16:00"), t("20:00"))));
        let slots = compute(&v, HOUR, &[who], &[], &one_day("2026-11-23", 60));
        assert_eq!(starts(&slots), ["11:00", "12:00"]);
    }

    #[test]
    fn holidays_close_or_shorten_the_day() {
        let mut v = venue("Asia/Almaty", "09:00", "18:00");
        v.holidays.insert(d("2026-11-23"), None);
        let who = anna("09:00", "18:00");
        assert!(
            compute(
                &v,
                HOUR,
                std::slice::from_ref(&who),
                &[],
                &one_day("2026-11-23", 60)
            )
            .is_empty()
        );
        v.holidays
            .insert(d("2026-11-23"), Some(Local::new(t("10:00"), t("12:00"))));
        let slots = compute(&v, HOUR, &[who], &[], &one_day("2026-11-23", 60));
        assert_eq!(starts(&slots), ["05:00", "06:00"]);
    }

    #[test]
    fn buffers_keep_distance_from_taken_time_but_not_from_closing() {
        let v = venue("UTC", "09:00", "13:00");
        let mut who = anna("09:00", "13:00");
        who.busy
            .push((utc("2026-11-23T11:00:00Z"), utc("2026-11-23T11:30:00Z")));
        let shape = Shape {
            duration: 30,
            before: 15,
            after: 15,
        };
        let slots = compute(&v, shape, &[who], &[], &one_day("2026-11-23", 15));
        // 10:15 blocks 10:00–11:00 and only touches the taken time: allowed. 11:30 start has its
        // before-buffer 11:15–11:30 inside the taken time: refused; 11:45 is fine. 12:30 ends at
        // closing and its after-buffer runs past it.
        assert_eq!(
            starts(&slots),
            [
                "09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "11:45", "12:00", "12:15",
                "12:30"
            ]
        );
    }

    #[test]
    fn rooms_must_be_free_too() {
        let v = venue("UTC", "09:00", "12:00");
        let who = anna("09:00", "12:00");
        let rooms = [
            Room {
                id: 7,
                busy: vec![(utc("2026-11-23T09:00:00Z"), utc("2026-11-23T11:00:00Z"))],
            },
            Room {
                id: 8,
                busy: vec![(utc("2026-11-23T10:00:00Z"), utc("2026-11-23T12:00:00Z"))],
            },
        ];
        let slots = compute(&v, HOUR, &[who], &rooms, &one_day("2026-11-23", 60));
        let picked: Vec<_> = slots
            .iter()
            .map(|s| (s.starts_at.format("%H").to_string(), s.resource_id))
            .collect();
        assert_eq!(picked, [("09".into(), Some(8)), ("11".into(), Some(7))]);
    }

    #[test]
    fn the_past_is_not_offered() {
        let v = venue("UTC", "09:00", "12:00");
        let mut w = one_day("2026-11-23", 60);
        w.not_before = utc("2026-11-23T10:30:00Z");
        assert_eq!(
            starts(&compute(&v, HOUR, &[anna("09:00", "12:00")], &[], &w)),
            ["11:00"]
        );
    }

    #[test]
    fn local_hours_hold_across_the_spring_change() {
        // Berlin moves from UTC+1 to UTC+2 on 2026-03-29.
        let v = venue("Europe/Berlin", "09:00", "11:00");
        let w = Window {
            from: d("2026-03-28"),
            to: d("2026-03-30"),
            step_minutes: 60,
            not_before: utc("2000-01-01T00:00:00Z"),
        };
        let slots = compute(&v, HOUR, &[anna("09:00", "11:00")], &[], &w);
        let got: Vec<String> = slots.iter().map(|s| s.starts_at.to_rfc3339()).collect();
        assert_eq!(
            got,
            [
                "2026-03-28T08:00:00+00:00",
                "2026-03-28T09:00:00+00:00",
                "2026-03-29T07:00:00+00:00",
                "2026-03-29T08:00:00+00:00",
                "2026-03-30T07:00:00+00:00",
                "2026-03-30T08:00:00+00:00",
            ]
        );
    }

    #[test]
    fn a_night_across_the_gap_has_its_real_hours() {
        // 01:00–05:00 local on the night of the change is three real hours: 02:00 never comes.
        let v = venue("Europe/Berlin", "01:00", "05:00");
        let slots = compute(
            &v,
            HOUR,
            &[anna("01:00", "05:00")],
            &[],
            &one_day("2026-03-29", 60),
        );
        let got: Vec<String> = slots.iter().map(|s| s.starts_at.to_rfc3339()).collect();
        assert_eq!(
            got,
            [
                "2026-03-29T00:00:00+00:00",
                "2026-03-29T01:00:00+00:00",
                "2026-03-29T02:00:00+00:00",
            ]
        );
        // And the autumn night has five.
        let slots = compute(
            &v,
            HOUR,
            &[anna("01:00", "05:00")],
            &[],
            &one_day("2026-10-25", 60),
        );
        assert_eq!(slots.len(), 5);
    }

    #[test]
    fn hours_past_midnight_belong_to_their_day() {
        let v = venue("UTC", "20:00", "02:00");
        let slots = compute(
            &v,
            HOUR,
            &[anna("22:00", "02:00")],
            &[],
            &one_day("2026-11-23", 60),
        );
        // The night before runs into this day; this day's night into the next, which is not
        // in the window.
        assert_eq!(starts(&slots), ["00:00", "01:00", "22:00", "23:00"]);
    }

    #[test]
    fn a_week_for_twenty_specialists_is_quick() {
        let v = venue("Europe/Berlin", "08:00", "21:00");
        let team: Vec<Specialist> = (0..20)
            .map(|i| {
                let mut s = anna("08:00", "20:00");
                s.id = i;
                s.weekly_breaks = every_day("13:00", "14:00");
                s.busy = (0..14)
                    .map(|k| {
                        let at = utc("2026-03-23T08:00:00Z") + Duration::hours(k * 11 + i % 5);
                        (at, at + Duration::minutes(45))
                    })
                    .collect();
                s
            })
            .collect();
        let w = Window {
            from: d("2026-03-23"),
            to: d("2026-03-29"),
            step_minutes: 15,
            not_before: utc("2000-01-01T00:00:00Z"),
        };
        let started = std::time::Instant::now();
        let slots = compute(&v, HOUR, &team, &[], &w);
        assert!(slots.len() > 2_000, "{}", slots.len());
        assert!(started.elapsed() < std::time::Duration::from_millis(500));
    }
}
