//! Readable, URL-safe names for locations (`/book/<slug>`), made from their Russian, Kazakh or
//! English names. The migration backfills them with this, and the API makes new ones with it.

/// The latin spelling of one lower-case Cyrillic letter (Russian and Kazakh), as in passports
/// (ICAO 9303 for Russian), or `None` when the letter is not Cyrillic.
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' | 'ә' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ғ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'й' | 'і' => "i",
        'к' | 'қ' => "k",
        'л' => "l",
        'м' => "m",
        'н' | 'ң' => "n",
        'о' | 'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ұ' | 'ү' => "u",
        'ф' => "f",
        'х' | 'һ' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "iu",
        'я' => "ia",
        _ => return None,
    })
}

/// The longest slug made; longer names are cut at a word.
pub const MAX_LEN: usize = 60;

/// `«Клуб Арена» на Абая` → `klub-arena-na-abaia`. Never empty: a name with no letters or
/// digits gives `location`.
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if let Some(latin) = cyrillic(c) {
            out.push_str(latin);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut slug = out.trim_matches('-').to_owned();
    if slug.len() > MAX_LEN {
        let cut = slug[..MAX_LEN].rfind('-').unwrap_or(MAX_LEN);
        slug.truncate(cut);
    }
    if slug.is_empty() {
        "location".to_owned()
    } else {
        slug
    }
}

/// `base` if free, else `base-2`, `base-3`, …: the first not in `taken`.
pub fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_kazakh_and_english_names() {
        assert_eq!(slugify("«Клуб Арена» на Абая"), "klub-arena-na-abaia");
        assert_eq!(slugify("Қазақ Өнер Үйі"), "kazak-oner-uii");
        assert_eq!(slugify("Studio 54 — Downtown"), "studio-54-downtown");
        assert_eq!(slugify("Щука & Ёжик"), "shchuka-ezhik");
        assert_eq!(slugify("!!!"), "location");
    }

    #[test]
    fn long_names_are_cut_at_a_word() {
        let slug = slugify(&"очень длинное название ".repeat(10));
        assert!(slug.len() <= MAX_LEN, "{slug}");
        assert!(!slug.ends_with('-'));
    }

    #[test]
    fn clashes_get_a_number() {
        let taken = ["arena", "arena-2"];
        assert_eq!(unique("arena", |s| taken.contains(&s)), "arena-3");
        assert_eq!(unique("club", |s| taken.contains(&s)), "club");
    }
}
