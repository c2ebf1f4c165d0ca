//! Values of command-line options that clap's own parsers cannot check
//! with a message that says why.

use crate::app::state::{MIN_HEIGHT, MIN_WIDTH};

/// `snapshot --width`: the console draws nothing but "terminal too small"
/// below its minimum, so a narrower snapshot is refused (exit 2).
pub(super) fn screen_width(text: &str) -> Result<u16, String> {
    screen_size(text, MIN_WIDTH, "columns")
}

/// `snapshot --height`, as [`screen_width`].
pub(super) fn screen_height(text: &str) -> Result<u16, String> {
    screen_size(text, MIN_HEIGHT, "rows")
}

fn screen_size(text: &str, min: u16, what: &str) -> Result<u16, String> {
    let max = 1000;
    match text.parse::<u16>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "give {min} to {max} {what}: the console needs at least {MIN_WIDTH}x{MIN_HEIGHT}, \
             and a smaller screen shows only \"terminal too small\""
        )),
    }
}

/// `demo --users`: the demo builds at least [`MIN_USERS`](crate::demo::MIN_USERS).
pub(super) fn demo_users(text: &str) -> Result<u32, String> {
    let min = crate::demo::MIN_USERS;
    let users: u32 = text
        .parse()
        .map_err(|_| format!("give a number of users from {min} to 1000000"))?;
    if users < min {
        return Err(format!(
            "the demo builds at least {min} users, so that its departments, groups and pools \
             all have people in them; give --users {min} or more"
        ));
    }
    if users > 1_000_000 {
        return Err("the demo builds at most 1000000 users".to_owned());
    }
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_users_below_the_minimum_say_why() {
        assert_eq!(demo_users("50"), Ok(50));
        let err = demo_users("1").unwrap_err();
        assert!(err.contains("at least 50 users"), "{err}");
        assert!(demo_users("many").is_err());
    }

    #[test]
    fn snapshot_sizes_start_at_the_consoles_minimum() {
        assert_eq!(screen_width("80"), Ok(80));
        assert_eq!(screen_height("24"), Ok(24));
        let err = screen_width("60").unwrap_err();
        assert!(
            err.contains("give 80 to 1000 columns") && err.contains("80x24"),
            "{err}"
        );
        assert!(screen_height("23").unwrap_err().contains("give 24 to 1000 rows"));
        assert!(screen_width("1001").is_err() && screen_width("wide").is_err());
    }
}
