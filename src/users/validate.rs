//! Rules for user fields; each returns the normalized value or the message for its field.

use crate::db::enums::Role;

/// 3–64 characters of `a-z 0-9 . _ @ -`, stored lower case.
pub fn username(raw: &str) -> Result<String, String> {
    let name = raw.trim().to_lowercase();
    let length = name.chars().count();
    if !(3..=64).contains(&length) {
        return Err("must be 3 to 64 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._@-".contains(c))
    {
        return Err("may hold only letters a-z, digits and . _ @ -".into());
    }
    Ok(name)
}

/// 1–200 characters after trimming.
pub fn display_name(raw: &str) -> Result<String, String> {
    crate::validation::text(raw, 200)
}

/// At least one role; duplicates dropped; sorted.
pub fn roles(mut roles: Vec<Role>) -> Result<Vec<Role>, String> {
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err("at least one role is required".into());
    }
    Ok(roles)
}

/// A partner user must be linked to a partner.
pub fn partner_link(
    roles: &[Role],
    partner_id: Option<crate::ids::PartnerId>,
) -> Result<(), String> {
    if roles.contains(&Role::Partner) && partner_id.is_none() {
        return Err("a user with the partner role must be linked to a partner".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalized_and_bounded() {
        assert_eq!(username("  J.Smith ").unwrap(), "j.smith");
        assert!(username("ab").is_err());
        assert!(username("has space").is_err());
        assert!(username(&"x".repeat(65)).is_err());
    }

    #[test]
    fn roles_are_deduplicated_and_required() {
        assert_eq!(
            roles(vec![Role::Analyst, Role::Admin, Role::Analyst]).unwrap(),
            vec![Role::Admin, Role::Analyst]
        );
        assert!(roles(vec![]).is_err());
    }

    #[test]
    fn display_names_are_trimmed_and_required() {
        assert_eq!(display_name("  Pat Lee ").unwrap(), "Pat Lee");
        assert!(display_name("   ").is_err());
    }

    #[test]
    fn the_partner_role_needs_a_partner() {
        assert!(partner_link(&[Role::Partner], None).is_err());
        assert!(partner_link(&[Role::Partner], Some(crate::ids::PartnerId::generate())).is_ok());
        assert!(partner_link(&[Role::Analyst], None).is_ok());
    }
}
