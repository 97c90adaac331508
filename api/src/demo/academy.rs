//! The BJJ academy's month: a weekly timetable, students of every belt with their stripes,
//! memberships (one frozen, one running out), attendance with some classes missed, places
//! booked for the classes ahead, and an exam on the calendar.

use chrono::Duration;
use entity::enums::{AttendanceStatus, BeltTrack, ClassLevel, ExamResult, PaymentMethod};

use super::life::{self, Calendar, Clock, Rng};
use crate::{
    academy::{
        attendance::{self, Mark},
        belts::{self, BeltSpec, ExamSpec},
        memberships::{self, PlanSpec, Sale},
        students::{self, NewStudent},
        timetable::{self, ClassSpec},
    },
    error::AppResult,
    state::AppState,
};

/// The belt ladders: name, colour, stripes, classes to the next belt.
const ADULTS: &[(&str, &str, i32, i32)] = &[
    ("Белый", "#f5f5f5", 4, 60),
    ("Синий", "#1e88e5", 4, 120),
    ("Фиолетовый", "#8e24aa", 4, 150),
    ("Коричневый", "#6d4c41", 4, 150),
    ("Чёрный", "#212121", 6, 0),
];
const KIDS: &[(&str, &str, i32, i32)] = &[
    ("Белый", "#f5f5f5", 4, 40),
    ("Серый", "#9e9e9e", 4, 50),
    ("Жёлтый", "#fdd835", 4, 50),
    ("Оранжевый", "#fb8c00", 4, 60),
    ("Зелёный", "#43a047", 4, 0),
];

/// Students: track, belt position, stripes.
const STUDENTS: &[(BeltTrack, i32, i16)] = &[
    (BeltTrack::Adults, 0, 0),
    (BeltTrack::Adults, 0, 1),
    (BeltTrack::Adults, 0, 2),
    (BeltTrack::Adults, 0, 3),
    (BeltTrack::Adults, 0, 4),
    (BeltTrack::Adults, 1, 0),
    (BeltTrack::Adults, 1, 2),
    (BeltTrack::Adults, 1, 3),
    (BeltTrack::Adults, 1, 4),
    (BeltTrack::Adults, 2, 1),
    (BeltTrack::Adults, 2, 3),
    (BeltTrack::Adults, 3, 2),
    (BeltTrack::Adults, 4, 1),
    (BeltTrack::Kids, 0, 1),
    (BeltTrack::Kids, 0, 3),
    (BeltTrack::Kids, 1, 2),
    (BeltTrack::Kids, 2, 0),
    (BeltTrack::Kids, 3, 4),
];

/// A class of the week: name, weekdays, start, minutes, level, lowest belt (adults' position).
type WeeklyClass = (
    &'static str,
    &'static [i16],
    (u32, u32),
    i32,
    ClassLevel,
    Option<usize>,
);

/// The student whose membership is frozen, and the one whose membership runs out this week.
const FROZEN: usize = 6;
const EXPIRING: usize = 2;
/// A blue belt with four stripes, up for purple.
const EXAMINEE: usize = 8;

async fn ladder(
    state: &AppState,
    system: &crate::auth::actor::Caller,
    track: BeltTrack,
    spec: &[(&str, &str, i32, i32)],
) -> AppResult<Vec<i64>> {
    let existing = belts::ladder(&state.db, Some(track)).await?;
    let mut ids = Vec::new();
    for (position, (name, color, stripes, classes)) in spec.iter().enumerate() {
        if let Some(b) = existing.iter().find(|b| b.position == position as i32) {
            ids.push(b.id);
            continue;
        }
        let belt = belts::save_belt(
            state,
            system,
            None,
            BeltSpec {
                track,
                name: (*name).into(),
                color: (*color).into(),
                position: position as i32,
                max_stripes: *stripes,
                classes_required: *classes,
                active: true,
            },
        )
        .await?;
        ids.push(belt.id);
    }
    Ok(ids)
}

pub async fn seed(
    state: &AppState,
    clock: &Clock<'_>,
    cal: Calendar,
    location_id: i64,
    mat: Option<i64>,
    rng: &mut Rng,
) -> AppResult<()> {
    let admin = life::staff(state, "admin").await?;
    let coach = life::staff(state, "trainer").await?;
    clock.at(cal.at(-35, 10, 0));
    let adults = ladder(state, &admin, BeltTrack::Adults, ADULTS).await?;
    let kids = ladder(state, &admin, BeltTrack::Kids, KIDS).await?;

    let week: &[WeeklyClass] = &[
        (
            "Утренняя тренировка",
            &[1, 2, 3, 4, 5, 6, 7],
            (7, 30),
            60,
            ClassLevel::All,
            None,
        ),
        (
            "Основы BJJ",
            &[1, 3, 5],
            (19, 0),
            90,
            ClassLevel::Beginner,
            None,
        ),
        (
            "Продвинутая группа",
            &[2, 4],
            (19, 0),
            90,
            ClassLevel::Advanced,
            Some(1),
        ),
        (
            "Дети 6–12 лет",
            &[1, 3, 5],
            (17, 0),
            60,
            ClassLevel::Kids,
            None,
        ),
        ("Открытый ковёр", &[6], (11, 0), 120, ClassLevel::All, None),
    ];
    for (name, days, (h, m), minutes, level, min_belt) in week {
        let starts_at =
            chrono::NaiveTime::from_hms_opt(*h, *m, 0).unwrap_or(chrono::NaiveTime::MIN);
        timetable::create_class(
            state,
            &admin,
            ClassSpec {
                location_id,
                name: (*name).into(),
                days: days
                    .iter()
                    .map(|weekday| timetable::ClassDay {
                        weekday: *weekday,
                        starts_at,
                    })
                    .collect(),
                duration_minutes: *minutes,
                trainer_id: coach.actor.user_id(),
                room_id: mat,
                capacity: 24,
                level: *level,
                min_belt_id: min_belt.and_then(|p| adults.get(p).copied()),
                valid_from: cal.day(-40),
                valid_to: None,
                active: true,
            },
        )
        .await?;
    }
    timetable::generate(state, &admin, location_id, cal.day(-30), cal.day(13)).await?;

    let month = memberships::save_plan(
        state,
        &admin,
        None,
        PlanSpec {
            name: "Безлимит на месяц".into(),
            visits: None,
            validity_days: 30,
            price: 2_500_000,
            active: true,
            recurring: true,
        },
    )
    .await?;
    let season = memberships::save_plan(
        state,
        &admin,
        None,
        PlanSpec {
            name: "Безлимит на 3 месяца".into(),
            visits: None,
            validity_days: 90,
            price: 6_500_000,
            active: true,
            recurring: false,
        },
    )
    .await?;
    let kids_plan = memberships::save_plan(
        state,
        &admin,
        None,
        PlanSpec {
            name: "Детский: 12 занятий".into(),
            visits: Some(12),
            validity_days: 45,
            price: 1_800_000,
            active: true,
            recurring: false,
        },
    )
    .await?;

    // Students join, each with a membership bought at the start of the month.
    let mut people = Vec::new();
    for (i, (track, belt, stripes)) in STUDENTS.iter().enumerate() {
        clock.at(cal.at(-31, 12, 0) + Duration::minutes(i as i64 * 7));
        let person = life::person(rng, 3, i as u32, true);
        let client = life::client(state, &person, None, None, None).await?;
        let ladder = if *track == BeltTrack::Kids {
            &kids
        } else {
            &adults
        };
        let student = students::create(
            state,
            &admin,
            NewStudent {
                client_id: client.id,
                location_id,
                user_id: None,
                track: *track,
                belt_id: ladder.get(*belt as usize).copied(),
                stripes: *stripes,
                joined_at: Some(cal.at(-(60 + 90 * i64::from(*belt) + rng.between(0, 120)), 12, 0)),
                notes: None,
            },
        )
        .await?;
        let (plan, starts) = match (track, i) {
            (BeltTrack::Kids, _) => (kids_plan.id, -28 + rng.between(0, 4)),
            (_, EXPIRING) => (month.id, -27),
            (_, FROZEN) => (month.id, -20),
            _ => (season.id, -30 + rng.between(0, 6)),
        };
        clock.at(cal.at(starts, 18, 30));
        memberships::sell(
            state,
            &admin,
            Sale {
                student_id: student.id,
                plan_id: plan,
                starts_on: Some(cal.day(starts)),
                price: None,
                method: Some(*rng.pick(&[PaymentMethod::Kaspi, PaymentMethod::Card])),
            },
            &format!("demo-academy-{}", student.id),
        )
        .await?;
        people.push((student.id, *track, *belt));
    }

    // Who trains when: a month of marks for the classes held, places booked for those ahead.
    let sessions = timetable::between(
        &state.db,
        location_id,
        cal.at(-30, 0, 0),
        cal.at(14, 0, 0),
        false,
    )
    .await?;
    let frozen_from = cal.day(-4);
    let mut frozen_id = None;
    for session in &sessions {
        let held = session.starts_at < cal.now;
        if held && session.starts_at >= cal.at(-4, 0, 0) && frozen_id.is_none() {
            // The frozen student asks to pause before the last days' classes are marked.
            clock.at(cal.at(-5, 20, 0));
            let m = memberships::of_student(&state.db, people[FROZEN].0).await?;
            if let Some(m) = m.first() {
                memberships::freeze(
                    state,
                    &admin,
                    m.id,
                    frozen_from,
                    14,
                    Some("Травма колена".into()),
                )
                .await?;
                frozen_id = Some(m.id);
            }
        }
        if !held && session.starts_at > cal.now + Duration::days(2) {
            continue;
        }
        let kids_class = session.level == ClassLevel::Kids;
        let mut marks = Vec::new();
        for (i, (student_id, track, belt)) in people.iter().enumerate() {
            if (*track == BeltTrack::Kids) != kids_class {
                continue;
            }
            if session.min_belt_id.is_some() && *belt < 1 {
                continue;
            }
            if i == FROZEN && session.starts_at >= cal.at(-4, 0, 0) {
                continue;
            }
            let roll = rng.below(100);
            let status = if !held {
                (roll < 45).then_some(AttendanceStatus::Booked)
            } else if roll < 40 {
                Some(AttendanceStatus::Present)
            } else if roll < 47 {
                Some(AttendanceStatus::Late)
            } else if roll < 57 {
                Some(AttendanceStatus::Absent)
            } else if roll < 60 {
                Some(AttendanceStatus::Excused)
            } else {
                None
            };
            if let Some(status) = status {
                marks.push(Mark {
                    student_id: *student_id,
                    status,
                    note: (status == AttendanceStatus::Excused)
                        .then(|| "Предупредил заранее".into()),
                });
            }
        }
        if marks.is_empty() {
            continue;
        }
        let at = if held {
            session.ends_at.min(cal.now)
        } else {
            cal.now
        };
        clock.at(at);
        attendance::mark(state, &coach, session.id, marks).await?;
    }

    // A belt exam in ten days.
    clock.present();
    if let Some(purple) = adults.get(2) {
        belts::save_exam(
            state,
            &coach,
            None,
            ExamSpec {
                student_id: people[EXAMINEE].0,
                belt_id: *purple,
                exam_date: cal.day(10),
                result: ExamResult::Scheduled,
                notes: Some("Аттестация на фиолетовый пояс".into()),
                promote: false,
            },
        )
        .await?;
    }
    Ok(())
}
