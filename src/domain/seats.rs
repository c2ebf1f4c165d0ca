//! Seat arithmetic (requirements §1, R-LIC-3): total, consumed, available, and
//! the check that refuses an assignment before anything changes.

use serde::Serialize;

/// The seat figures of one pool. `total == None` means unlimited (flat-rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Seats {
    /// Purchased seats; `None` for unlimited pools.
    pub total: Option<i64>,
    /// Seats held by principals.
    pub consumed: i64,
}

/// How close a pool is to running out, for colour and text markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatLevel {
    /// Flat-rate: never runs out.
    Unlimited,
    /// Comfortable headroom.
    Ok,
    /// 90 % or more consumed, or at most 2 seats left.
    Low,
    /// No seat left.
    Exhausted,
    /// More consumed than purchased (the source reduced the total).
    Over,
}

/// Why an assignment was refused: it needs more seats than are available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    /// Seats the change would consume.
    pub needed: i64,
    /// Seats still free (never negative).
    pub available: i64,
}

impl Shortfall {
    /// By how many seats the pool is short.
    pub fn short_by(&self) -> i64 {
        self.needed - self.available
    }
}

impl std::fmt::Display for Shortfall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "needs {} seat{} but {} {} available: short by {}. Ways out: remove the license or app \
             from some users or devices, narrow the assignment's scope, or buy more seats",
            self.needed,
            plural(self.needed),
            self.available,
            if self.available == 1 { "is" } else { "are" },
            self.short_by()
        )
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Seats {
    /// Figures for a pool with `total` purchased (None = unlimited).
    pub fn new(total: Option<i64>, consumed: i64) -> Self {
        Self { total, consumed }
    }

    /// `total - consumed`; negative when over-allocated; `None` when unlimited.
    pub fn available(&self) -> Option<i64> {
        self.total.map(|total| total - self.consumed)
    }

    /// Whether `needed` more seats fit; unlimited pools always fit (R-LIC-3).
    pub fn check(&self, needed: i64) -> Result<(), Shortfall> {
        match self.available() {
            Some(available) if needed > 0 && needed > available => Err(Shortfall {
                needed,
                available: available.max(0),
            }),
            _ => Ok(()),
        }
    }

    /// The figures after `delta` more seats are consumed (negative releases).
    pub fn after(&self, delta: i64) -> Seats {
        Seats::new(self.total, (self.consumed + delta).max(0))
    }

    /// The colour threshold this pool falls into.
    pub fn level(&self) -> SeatLevel {
        let Some(total) = self.total else {
            return SeatLevel::Unlimited;
        };
        let available = total - self.consumed;
        if available < 0 {
            SeatLevel::Over
        } else if available == 0 {
            SeatLevel::Exhausted
        } else if available <= 2 || self.consumed * 10 >= total * 9 {
            SeatLevel::Low
        } else {
            SeatLevel::Ok
        }
    }

    /// The share of the total that is used, in whole percent, rounded down
    /// so that 100 means no seat is left (999 of 1000 is 99); above 100 when
    /// over-allocated; None when unlimited or no seat was purchased.
    pub fn used_percent(&self) -> Option<i64> {
        match self.total {
            Some(total) if total > 0 => Some(self.consumed.max(0).saturating_mul(100) / total),
            _ => None,
        }
    }

    /// Tenths of the usage bar that are filled: the used share rounded down
    /// (a full bar means no seat is left), at most 10; None without a bar.
    pub fn used_tenths(&self) -> Option<usize> {
        self.used_percent()
            .map(|percent| (percent / 10).clamp(0, 10) as usize)
    }

    /// What the usage bar shows, in words, for every case: "83% used, 122
    /// free", "0% used, 50 free", "167% used: over-allocated by 2",
    /// "unlimited (flat-rate), 74 used", "no seats purchased".
    pub fn usage(&self) -> String {
        let consumed = self.consumed;
        let (Some(total), Some(percent)) = (self.total, self.used_percent()) else {
            return match self.total {
                None => format!("unlimited (flat-rate), {consumed} used"),
                Some(_) if consumed > 0 => {
                    format!("over-allocated: {consumed} used, no seats purchased")
                }
                Some(_) => "no seats purchased".to_owned(),
            };
        };
        let free = total - consumed;
        match self.level() {
            SeatLevel::Over => format!("{percent}% used: over-allocated by {}", -free),
            SeatLevel::Exhausted => format!("{percent}% used: no seats left"),
            SeatLevel::Low => format!("{percent}% used, {free} free: nearly exhausted"),
            SeatLevel::Ok | SeatLevel::Unlimited => format!("{percent}% used, {free} free"),
        }
    }
}

impl SeatLevel {
    /// A text marker so the meaning survives without colour (NO_COLOR).
    pub fn marker(self) -> &'static str {
        match self {
            SeatLevel::Unlimited => "∞",
            SeatLevel::Ok => " ",
            SeatLevel::Low => "!",
            SeatLevel::Exhausted => "■",
            SeatLevel::Over => "✗",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn available_is_total_minus_consumed() {
        assert_eq!(Seats::new(Some(10), 3).available(), Some(7));
        assert_eq!(Seats::new(Some(3), 5).available(), Some(-2));
        assert_eq!(Seats::new(None, 500).available(), None);
    }

    #[test]
    fn check_refuses_more_than_available_r_lic_3() {
        let seats = Seats::new(Some(10), 8);
        assert!(seats.check(2).is_ok());
        let err = seats.check(5).unwrap_err();
        assert_eq!(err.short_by(), 3);
        let text = err.to_string();
        assert!(text.contains("short by 3"), "{text}");
        assert!(text.contains("remove the license"), "{text}");
        assert!(text.contains("narrow the assignment's scope"), "{text}");
        assert!(text.contains("buy more"), "{text}");
    }

    #[test]
    fn over_allocated_pool_refuses_everything_and_reports_zero_available() {
        let err = Seats::new(Some(3), 5).check(1).unwrap_err();
        assert_eq!(err.available, 0);
        assert_eq!(err.short_by(), 1);
    }

    #[test]
    fn unlimited_never_refuses() {
        assert!(Seats::new(None, 1_000_000).check(1_000_000).is_ok());
    }

    #[test]
    fn releases_always_fit() {
        assert!(Seats::new(Some(3), 5).check(-2).is_ok());
        assert!(Seats::new(Some(3), 5).check(0).is_ok());
    }

    #[test]
    fn levels_follow_thresholds() {
        assert_eq!(Seats::new(None, 1).level(), SeatLevel::Unlimited);
        assert_eq!(Seats::new(Some(100), 10).level(), SeatLevel::Ok);
        assert_eq!(Seats::new(Some(100), 90).level(), SeatLevel::Low);
        assert_eq!(Seats::new(Some(5), 3).level(), SeatLevel::Low);
        assert_eq!(Seats::new(Some(5), 5).level(), SeatLevel::Exhausted);
        assert_eq!(Seats::new(Some(5), 6).level(), SeatLevel::Over);
    }

    #[test]
    fn usage_says_what_the_bar_shows_in_every_case() {
        let usage = |total, consumed| Seats::new(total, consumed).usage();
        assert_eq!(usage(Some(720), 598), "83% used, 122 free");
        assert_eq!(usage(Some(50), 0), "0% used, 50 free");
        assert_eq!(usage(Some(1000), 999), "99% used, 1 free: nearly exhausted");
        assert_eq!(usage(Some(40), 40), "100% used: no seats left");
        assert_eq!(usage(Some(3), 5), "166% used: over-allocated by 2");
        assert_eq!(usage(None, 74), "unlimited (flat-rate), 74 used");
        assert_eq!(usage(Some(0), 0), "no seats purchased");
        assert_eq!(usage(Some(0), 3), "over-allocated: 3 used, no seats purchased");
    }

    #[test]
    fn the_bar_fills_with_the_used_share_and_is_full_only_when_none_is_left() {
        let tenths = |total, consumed| Seats::new(total, consumed).used_tenths();
        assert_eq!(tenths(Some(720), 598), Some(8));
        assert_eq!(tenths(Some(50), 0), Some(0));
        assert_eq!(tenths(Some(1000), 999), Some(9));
        assert_eq!(tenths(Some(40), 40), Some(10));
        assert_eq!(tenths(Some(3), 5), Some(10));
        assert_eq!(tenths(None, 5), None);
        assert_eq!(tenths(Some(0), 0), None);
    }

    #[test]
    fn after_moves_consumed_and_never_goes_negative() {
        assert_eq!(Seats::new(Some(5), 1).after(2).consumed, 3);
        assert_eq!(Seats::new(Some(5), 1).after(-4).consumed, 0);
    }
}
