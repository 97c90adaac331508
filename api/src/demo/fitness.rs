//! The fitness trainer's month: leads that came in and moved along the funnel, with calls and
//! messages and the next contact set; clients on programs with a weekly progress journal.

use chrono::Duration;
use entity::enums::{
    ContactChannel, Direction, InteractionKind, PaymentMethod, ProgramFormat, StageOutcome,
};

use super::life::{self, Calendar, Clock, Rng};
use crate::{
    clients::service as clients,
    coaching::{
        journal::{self, EntrySpec},
        programs::{self, Assignment, Exercise, ProgramSpec},
    },
    error::AppResult,
    pipeline::{
        interactions::{self, NewInteraction},
        stages,
    },
    state::AppState,
};

/// Leads per funnel stage.
const PER_STAGE: u32 = 3;

const NOTES: &[&str] = &[
    "Хочет похудеть к лету, занималась раньше",
    "Спрашивал про персональные тренировки вечером",
    "Интересует программа для спины",
    "Пришла по рекомендации подруги",
    "Готовится к полумарафону",
    "Просит онлайн-сопровождение",
];

const LOST: &[&str] = &["Дорого", "Переехал в другой город", "Выбрал зал у дома"];

fn program(title: &str, description: &str, price: i64, moves: &[(&str, i32, &str)]) -> ProgramSpec {
    ProgramSpec {
        title: title.into(),
        description: Some(description.into()),
        format: ProgramFormat::Table,
        content: None,
        exercises: moves
            .iter()
            .enumerate()
            .map(|(i, (name, sets, reps))| Exercise {
                day: Some(format!("День {}", i % 3 + 1)),
                name: (*name).into(),
                sets: Some(*sets),
                reps: Some((*reps).into()),
                weight: None,
                rest_seconds: Some(90),
                notes: None,
            })
            .collect(),
        price,
        active: true,
    }
}

pub async fn seed(
    state: &AppState,
    clock: &Clock<'_>,
    cal: Calendar,
    rng: &mut Rng,
) -> AppResult<()> {
    let trainer = life::staff(state, "manager").await?;
    let trainer_id = trainer.actor.user_id();
    clock.at(cal.at(-31, 10, 0));
    let mut plans = Vec::new();
    for spec in [
        program(
            "Сила и рельеф, 8 недель",
            "Три тренировки в неделю в зале",
            3_500_000,
            &[
                ("Присед со штангой", 4, "8-10"),
                ("Жим лёжа", 4, "8-10"),
                ("Становая тяга", 3, "6-8"),
                ("Тяга верхнего блока", 3, "10-12"),
                ("Выпады с гантелями", 3, "12"),
                ("Планка", 3, "60 с"),
            ],
        ),
        program(
            "Снижение веса, 12 недель",
            "Круговые тренировки и питание",
            4_500_000,
            &[
                ("Берпи", 4, "15"),
                ("Гоблет-присед", 4, "15"),
                ("Махи гирей", 4, "20"),
                ("Скакалка", 5, "2 мин"),
            ],
        ),
        program(
            "Здоровая спина",
            "Мобильность и укрепление кора",
            2_000_000,
            &[
                ("Кошка-корова", 3, "10"),
                ("Птица-собака", 3, "12"),
                ("Ягодичный мост", 3, "15"),
            ],
        ),
    ] {
        plans.push(programs::save(state, &trainer, None, spec).await?);
    }

    let sources = clients::sources(state).await?;
    let board = stages::list(&state.db).await?;
    let mut n = 0u32;
    let mut won = Vec::new();
    for (position, stage) in board.iter().enumerate() {
        for _ in 0..PER_STAGE {
            n += 1;
            // Later stages came in earlier: a lead takes days to become a client.
            let came = -(8 + position as i64 * 3) - rng.between(0, 5);
            let came = came.clamp(-30, -2);
            clock.at(cal.at(came, 10, 0) + Duration::minutes(rng.between(0, 480)));
            let person = life::person(rng, 2, n, true);
            let source = sources
                .get(rng.below(sources.len() as u64) as usize)
                .map(|s| s.id);
            let client = life::client(state, &person, None, source, Some(*rng.pick(NOTES))).await?;
            interactions::record(
                state,
                &trainer,
                NewInteraction {
                    client_id: client.id,
                    kind: InteractionKind::Message,
                    channel: Some(*rng.pick(&[ContactChannel::Telegram, ContactChannel::Whatsapp])),
                    direction: Some(Direction::Inbound),
                    text: "Здравствуйте! Хочу записаться на тренировки, сколько стоит?".into(),
                    at: None,
                    next_contact_at: None,
                    next_contact_user_id: None,
                },
            )
            .await?;
            // Walk the funnel up to its stage, a day or two per step.
            let mut at = clock_now(state);
            for (step, s) in board.iter().enumerate().take(position + 1) {
                if (s.outcome == StageOutcome::Lost) && step != position {
                    continue;
                }
                at += Duration::hours(rng.between(20, 50));
                let at_moved = at.min(cal.now - Duration::hours(2));
                clock.at(at_moved);
                let lost = (s.outcome == StageOutcome::Lost).then(|| (*rng.pick(LOST)).to_owned());
                stages::move_client(state, &trainer, client.id, s.id, None, lost).await?;
                if step == 1 {
                    interactions::record(
                        state,
                        &trainer,
                        NewInteraction {
                            client_id: client.id,
                            kind: InteractionKind::Call,
                            channel: Some(ContactChannel::Phone),
                            direction: Some(Direction::Outbound),
                            text: "Созвонились, рассказал о программах, пригласил на пробную"
                                .into(),
                            at: None,
                            next_contact_at: None,
                            next_contact_user_id: None,
                        },
                    )
                    .await?;
                }
            }
            if stage.outcome == StageOutcome::Open {
                // The next contact: some are due today, some later this week, one overdue.
                let next = cal.at(rng.between(-1, 4), 11 + rng.below(7) as u32, 0);
                clock.at(at.min(cal.now - Duration::hours(1)));
                interactions::record(
                    state,
                    &trainer,
                    NewInteraction {
                        client_id: client.id,
                        kind: InteractionKind::Message,
                        channel: Some(ContactChannel::Telegram),
                        direction: Some(Direction::Outbound),
                        text: "Отправил расписание и цены, договорились созвониться".into(),
                        at: None,
                        next_contact_at: Some(next),
                        next_contact_user_id: trainer_id,
                    },
                )
                .await?;
            }
            if stage.outcome == StageOutcome::Won {
                won.push((client.id, at));
            }
        }
    }

    // The clients who bought: a program each and their measurements, weekly.
    for (i, (client_id, since)) in won.iter().enumerate() {
        let plan = &plans[i % plans.len()];
        clock.at((*since).min(cal.now - Duration::hours(1)));
        programs::assign(
            state,
            &trainer,
            Assignment {
                program_id: plan.id,
                client_id: *client_id,
                paid: true,
                price: None,
                method: Some(PaymentMethod::Kaspi),
                notes: None,
            },
            &format!("demo-fitness-{client_id}"),
        )
        .await?;
        let mut weight = 60.0 + rng.between(0, 300) as f64 / 10.0;
        let mut waist = 70.0 + rng.between(0, 200) as f64 / 10.0;
        let weeks = ((cal.now - *since).num_days() / 7).clamp(2, 4);
        for week in 0..weeks {
            let day = (*since + Duration::days(week * 7)).min(cal.now);
            clock.at(day);
            journal::save(
                state,
                &trainer,
                None,
                EntrySpec {
                    client_id: *client_id,
                    measured_on: Some(crate::domain::timezone::local_date(cal.tz, day)),
                    period: Some(format!("Неделя {}", week + 1)),
                    weight: Some(round1(weight)),
                    chest: None,
                    waist: Some(round1(waist)),
                    lower_abdomen: None,
                    glutes: None,
                    right_thigh: None,
                    left_thigh: None,
                    right_calf: None,
                    left_calf: None,
                    right_arm: None,
                    left_arm: None,
                    notes: (week == 0).then(|| "Стартовые замеры".into()),
                },
            )
            .await?;
            weight -= rng.between(3, 12) as f64 / 10.0;
            waist -= rng.between(2, 15) as f64 / 10.0;
        }
    }
    Ok(())
}

fn clock_now(state: &AppState) -> chrono::DateTime<chrono::Utc> {
    state.clock.now()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
