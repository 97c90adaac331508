//! What people call the values of the enums, in Russian and in English. A Russian message
//! names an enum through here, never through `Debug` (which would print `RestRoom`).

use entity::enums::{
    BookingStatus, GameType, PartyStatus, PaymentMethod, ResourceKind, ResourceStatus,
};

/// A value's name for people.
pub trait Named: Copy {
    fn ru(self) -> &'static str;
    fn en(self) -> &'static str;
}

impl Named for ResourceKind {
    fn ru(self) -> &'static str {
        match self {
            ResourceKind::Pc => "компьютер",
            ResourceKind::Console => "консоль",
            ResourceKind::Room => "зал",
            ResourceKind::Arena => "площадка",
            ResourceKind::RestRoom => "комната отдыха",
            ResourceKind::Other => "другое место",
        }
    }
    fn en(self) -> &'static str {
        match self {
            ResourceKind::Pc => "PC",
            ResourceKind::Console => "console",
            ResourceKind::Room => "room",
            ResourceKind::Arena => "play area",
            ResourceKind::RestRoom => "rest room",
            ResourceKind::Other => "other place",
        }
    }
}

impl Named for ResourceStatus {
    fn ru(self) -> &'static str {
        match self {
            ResourceStatus::Free => "свободен",
            ResourceStatus::Busy => "занят",
            ResourceStatus::Booked => "забронирован",
            ResourceStatus::OutOfOrder => "не работает",
        }
    }
    fn en(self) -> &'static str {
        match self {
            ResourceStatus::Free => "free",
            ResourceStatus::Busy => "busy",
            ResourceStatus::Booked => "booked",
            ResourceStatus::OutOfOrder => "out of order",
        }
    }
}

impl Named for BookingStatus {
    fn ru(self) -> &'static str {
        match self {
            BookingStatus::Active => "активна",
            BookingStatus::Used => "использована",
            BookingStatus::Cancelled => "отменена",
            BookingStatus::NoShow => "клиент не пришёл",
        }
    }
    fn en(self) -> &'static str {
        match self {
            BookingStatus::Active => "active",
            BookingStatus::Used => "used",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::NoShow => "no-show",
        }
    }
}

impl Named for GameType {
    fn ru(self) -> &'static str {
        match self {
            GameType::Game => "Игра",
            GameType::Birthday => "День рождения",
            GameType::Quest => "Квест",
        }
    }
    fn en(self) -> &'static str {
        match self {
            GameType::Game => "Game",
            GameType::Birthday => "Birthday",
            GameType::Quest => "Quest",
        }
    }
}

impl Named for PartyStatus {
    fn ru(self) -> &'static str {
        match self {
            PartyStatus::Requested => "ждёт подтверждения",
            PartyStatus::Booked => "забронирован",
            PartyStatus::Completed => "проведён",
            PartyStatus::Cancelled => "отменён",
        }
    }
    fn en(self) -> &'static str {
        match self {
            PartyStatus::Requested => "requested",
            PartyStatus::Booked => "booked",
            PartyStatus::Completed => "completed",
            PartyStatus::Cancelled => "cancelled",
        }
    }
}

impl Named for PaymentMethod {
    fn ru(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "наличные",
            PaymentMethod::Card => "карта",
            PaymentMethod::Kaspi => "Kaspi",
            PaymentMethod::Transfer => "перевод",
            PaymentMethod::Wallet => "с баланса",
            PaymentMethod::Debt => "в долг",
        }
    }
    fn en(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Kaspi => "Kaspi",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Wallet => "wallet",
            PaymentMethod::Debt => "on credit",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_names_are_russian() {
        assert_eq!(ResourceKind::RestRoom.ru(), "комната отдыха");
        assert_eq!(BookingStatus::NoShow.en(), "no-show");
    }

    /// A Russian message that prints an enum with `{:?}` shows `RestRoom` to a person:
    /// every such line must go through [`Named`].
    #[test]
    fn no_russian_text_prints_an_enum_with_debug() {
        fn scan(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    scan(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (n, line) in text.lines().enumerate() {
                        let russian = line.chars().any(|c| ('а'..='я').contains(&c));
                        if russian && line.contains(":?}") {
                            found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        scan(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "Russian text printing an enum with Debug:\n{}",
            found.join("\n")
        );
    }
}
