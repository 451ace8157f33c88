//! Checks of a partner's fields, as pure functions (each returns the clean value or the message
//! for its field).

use super::payloads::{AddressBody, PhoneBody};
use crate::validation::{optional_text, text};

/// A web address: `http` or `https` with a host.
pub fn website(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    match url::Url::parse(value) {
        Ok(url) if ["http", "https"].contains(&url.scheme()) && url.host().is_some() => {
            if value.len() > 500 {
                Err("must be at most 500 characters".into())
            } else {
                Ok(value.to_owned())
            }
        }
        _ => Err("must be an http or https address, e.g. https://example.org".into()),
    }
}

/// An email address: one `@` between a local part and a domain with a dot, no spaces.
pub fn email(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    let well_formed = value.len() <= 254
        && !value.chars().any(char::is_whitespace)
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if well_formed {
        Ok(value.to_owned())
    } else {
        Err("must be an email address, e.g. intake@example.org".into())
    }
}

/// A phone: a number of 3 to 30 characters of digits, spaces and `+ ( ) - .`, with at least
/// three digits (`988` is one); a description up to 200 characters.
pub fn phone(raw: &PhoneBody) -> Result<PhoneBody, String> {
    let number = raw.number.trim();
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let allowed = number
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-.x".contains(c));
    if !(3..=30).contains(&number.chars().count()) || digits < 3 || !allowed {
        return Err("number must be 3 to 30 characters of digits, spaces and + ( ) - . x".into());
    }
    Ok(PhoneBody {
        number: number.to_owned(),
        description: optional_text(raw.description.as_deref(), 200)
            .map_err(|m| format!("description {m}"))?,
    })
}

/// An address: every part given; the country as an ISO 3166-1 alpha-2 code (raised to upper
/// case).
pub fn address(raw: &AddressBody) -> Result<AddressBody, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let mut part = |field: &'static str, value: &str, max: usize| {
        text(value, max).unwrap_or_else(|message| {
            errors.push((field, message));
            String::new()
        })
    };
    let clean = AddressBody {
        address_1: part("address_1", &raw.address_1, 200),
        city: part("city", &raw.city, 100),
        state_province: part("state_province", &raw.state_province, 100),
        postal_code: part("postal_code", &raw.postal_code, 20),
        country: raw.country.trim().to_uppercase(),
    };
    if clean.country.len() != 2 || !clean.country.chars().all(|c| c.is_ascii_uppercase()) {
        errors.push((
            "country",
            "must be a two-letter country code, e.g. US".into(),
        ));
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

/// A category: a lower-case word or words joined by `_`, 2 to 50 characters.
pub fn category(raw: &str) -> Result<String, String> {
    let value = raw.trim().to_lowercase().replace([' ', '-'], "_");
    let ok = (2..=50).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(value)
    } else {
        Err("must be 2 to 50 letters, digits or _, e.g. crisis or substance_use".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_are_http_addresses() {
        assert_eq!(website(" https://nami.org ").unwrap(), "https://nami.org");
        assert!(website("ftp://nami.org").is_err());
        assert!(website("nami.org").is_err());
        assert!(website("javascript:alert(1)").is_err());
    }

    #[test]
    fn emails_have_a_local_part_and_a_domain() {
        assert!(email("intake@nami.org").is_ok());
        for bad in [
            "intake",
            "@nami.org",
            "a@b",
            "a b@nami.org",
            "a@@nami.org",
            "a@nami.",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_hold_digits() {
        let ok = |n: &str| {
            phone(&PhoneBody {
                number: n.into(),
                description: None,
            })
        };
        assert_eq!(ok(" 988 ").unwrap().number, "988");
        assert!(ok("+1 (217) 555-0100").is_ok());
        assert!(ok("12").is_err());
        assert!(ok("call us").is_err());
    }

    #[test]
    fn addresses_need_every_part_and_a_country_code() {
        let good = AddressBody {
            address_1: "200 S Main St".into(),
            city: "Springfield".into(),
            state_province: "IL".into(),
            postal_code: "62701".into(),
            country: "us".into(),
        };
        assert_eq!(address(&good).unwrap().country, "US");
        let bad = AddressBody {
            city: " ".into(),
            country: "USA".into(),
            ..good
        };
        let fields: Vec<&str> = address(&bad).unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(fields, ["city", "country"]);
    }

    #[test]
    fn categories_are_snake_case_words() {
        assert_eq!(category("Substance use").unwrap(), "substance_use");
        assert!(category("x").is_err());
        assert!(category("crisis!").is_err());
    }
}
