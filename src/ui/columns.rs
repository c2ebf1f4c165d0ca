//! Table column widths. A name column takes the room the other columns
//! leave; the others are as wide as what they hold. Text that does not fit
//! is cut with "…" (see `cut`): names in the middle, so two names that
//! differ only at the end stay apart ("Enterprise Mob…rity E3" /
//! "Enterprise Mob…rity E5"); addresses (UPNs) domain first
//! ("isabella.zimmermann2@…"); everything else at the end.

use super::cut::address_key_width;
pub use super::cut::{cut_address, cut_end, cut_middle, display_width, head};

/// How a column takes its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// A name: takes what the other columns leave (shared by `weight` with
    /// the other filling columns), at least `min`; cut in the middle.
    Name { min: u16, weight: u16 },
    /// Like `Name`, for addresses (UPNs, e-mail): the part that tells rows
    /// apart (the local part and "@…") gets its width before any name
    /// column grows; cut domain first, then in the middle of the local part.
    Address { min: u16, weight: u16 },
    /// As wide as its widest cell or header, within `min..=max`, and wider
    /// when the names have all they need; cut at the end.
    Fit { min: u16, max: u16 },
}

impl Width {
    fn fills(self) -> Option<(u16, u16)> {
        match self {
            Width::Name { min, weight } | Width::Address { min, weight } => Some((min, weight.max(1))),
            Width::Fit { .. } => None,
        }
    }

    /// Cuts `text` to `width` columns the way this column cuts.
    pub fn cut(self, text: &str, width: usize) -> String {
        match self {
            Width::Name { .. } => cut_middle(text, width),
            Width::Address { .. } => cut_address(text, width),
            Width::Fit { .. } => cut_end(text, width),
        }
    }

    /// What a cell of this column asks for.
    pub fn want(self, text: &str) -> Want {
        let full = display_width(text);
        let key = match self {
            Width::Address { .. } => address_key_width(text),
            Width::Name { .. } | Width::Fit { .. } => full,
        };
        Want { full, key }
    }
}

/// The width a column asks for: all of its widest cell (`full`), and the
/// part that tells its rows apart (`key`, at most `full`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Want {
    pub full: usize,
    pub key: usize,
}

impl Want {
    /// What a whole column asks for: the most any of its cells asks.
    pub fn max(self, other: Want) -> Want {
        Want {
            full: self.full.max(other.full),
            key: self.key.max(other.key),
        }
    }
}

/// The widths of columns `specs` in `inner` columns with one space between
/// them, where `wanted[i]` is what column i's cells and header ask for.
///
/// Fitted columns take their width (narrowed when the room runs out), the
/// filling columns their minimum; then the spare room goes, in turn:
/// to addresses until their rows can be told apart (fitted columns narrow
/// for them if need be); to names and
/// addresses by weight until their text fits; to fitted columns cut at
/// their `max` until they fit; and the rest to the first filling column.
pub fn layout(specs: &[Width], wanted: &[Want], inner: u16) -> Vec<u16> {
    let gaps = specs.len().saturating_sub(1) as u16;
    let room = inner.saturating_sub(gaps);
    let want = |i: usize| wanted.get(i).copied().unwrap_or_default();
    let mut widths: Vec<u16> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| match *spec {
            Width::Fit { min, max } => (want(i).full.min(u16::MAX as usize) as u16).clamp(min, max.max(min)),
            Width::Name { min, .. } | Width::Address { min, .. } => min,
        })
        .collect();
    shrink_fits_to(specs, &mut widths, room);
    let used: u16 = widths.iter().sum();
    let mut left = room.saturating_sub(used);
    let fills: Vec<(usize, u16, u16)> = specs
        .iter()
        .enumerate()
        .filter_map(|(i, spec)| spec.fills().map(|(min, weight)| (i, min, weight)))
        .collect();
    let addresses: Vec<(usize, u16, u16)> = fills
        .iter()
        .copied()
        .filter(|(i, ..)| matches!(specs[*i], Width::Address { .. }))
        .collect();
    grow_by_weight(&mut widths, &addresses, |i| want(i).key, &mut left);
    // Telling who is who comes before showing a fitted column whole: the
    // fitted columns narrow (not below their minimum) for what is missing.
    let missing: usize = addresses
        .iter()
        .map(|(i, ..)| want(*i).key.saturating_sub(usize::from(widths[*i])))
        .sum();
    if missing > 0 {
        shrink_fits_to(
            specs,
            &mut widths,
            room.saturating_sub(missing.min(usize::from(room)) as u16),
        );
        left = room.saturating_sub(widths.iter().sum());
        grow_by_weight(&mut widths, &addresses, |i| want(i).key, &mut left);
    }
    grow_by_weight(&mut widths, &fills, |i| want(i).full, &mut left);
    let cut_fits: Vec<(usize, u16, u16)> = specs
        .iter()
        .enumerate()
        .filter_map(|(i, spec)| match spec {
            Width::Fit { min, .. } => Some((i, *min, 1)),
            _ => None,
        })
        .collect();
    grow_by_weight(&mut widths, &cut_fits, |i| want(i).full, &mut left);
    if let Some((first, ..)) = fills.first() {
        widths[*first] += left;
    }
    widths
}

/// Gives spare columns, one at a time, to the column of `columns`
/// (index, min, weight) furthest below its weighted share among those
/// narrower than `need`, until none is or nothing is `left`.
fn grow_by_weight(
    widths: &mut [u16],
    columns: &[(usize, u16, u16)],
    need: impl Fn(usize) -> usize,
    left: &mut u16,
) {
    while *left > 0 {
        let hungry = columns
            .iter()
            .filter(|(i, ..)| usize::from(widths[*i]) < need(*i))
            .min_by_key(|(i, min, weight)| {
                u32::from(widths[*i].saturating_sub(*min)) * 1000 / u32::from((*weight).max(1))
            });
        let Some(&(index, ..)) = hungry else {
            return;
        };
        widths[index] += 1;
        *left -= 1;
    }
}

/// Narrows the widest fitted columns (never below their minimum) until
/// everything fits in `room` with the filling columns at their minimum.
fn shrink_fits_to(specs: &[Width], widths: &mut [u16], room: u16) {
    let mut over = widths.iter().sum::<u16>().saturating_sub(room);
    while over > 0 {
        let widest = specs
            .iter()
            .enumerate()
            .filter_map(|(i, spec)| match spec {
                Width::Fit { min, .. } if widths[i] > *min => Some(i),
                _ => None,
            })
            .max_by_key(|i| widths[*i]);
        let Some(index) = widest else {
            return;
        };
        widths[index] -= 1;
        over -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What columns whose whole text tells rows apart ask for.
    fn plain(widths: &[usize]) -> Vec<Want> {
        widths.iter().map(|&full| Want { full, key: full }).collect()
    }

    #[test]
    fn the_name_takes_what_the_fitted_columns_leave() {
        let specs = [
            Width::Name { min: 12, weight: 1 },
            Width::Fit { min: 4, max: 9 },
            Width::Fit { min: 5, max: 15 },
        ];
        // 3 + 7 wanted by the fitted columns, 2 gaps: 78 - 2 - 4 - 7 = 65.
        assert_eq!(layout(&specs, &plain(&[40, 3, 7]), 78), vec![65, 4, 7]);
        assert_eq!(layout(&specs, &plain(&[40, 3, 7]), 118), vec![105, 4, 7]);
    }

    #[test]
    fn fitted_columns_give_way_when_the_room_runs_out() {
        let specs = [
            Width::Name { min: 12, weight: 1 },
            Width::Fit { min: 4, max: 20 },
            Width::Fit { min: 4, max: 20 },
        ];
        assert_eq!(layout(&specs, &plain(&[30, 20, 10]), 40), vec![12, 16, 10]);
    }

    #[test]
    fn two_names_share_by_weight_and_need() {
        let specs = [
            Width::Name { min: 12, weight: 3 },
            Width::Name { min: 10, weight: 2 },
            Width::Fit { min: 5, max: 5 },
        ];
        let widths = layout(&specs, &plain(&[40, 40, 5]), 78);
        assert_eq!(widths.iter().sum::<u16>(), 76);
        assert!(widths[0] > widths[1], "{widths:?}");
        // A short second name leaves the rest to the first.
        assert_eq!(layout(&specs, &plain(&[40, 12, 5]), 78), vec![59, 12, 5]);
    }

    #[test]
    fn an_address_is_told_apart_before_a_name_grows() {
        let specs = [
            Width::Address { min: 12, weight: 2 },
            Width::Name { min: 10, weight: 3 },
            Width::Fit { min: 5, max: 5 },
        ];
        // "isabella.zimmermann2@contoso-demo.example" / "Isabella Zimmermann".
        let wanted = [
            Want { full: 41, key: 22 },
            Want { full: 19, key: 19 },
            Want { full: 5, key: 5 },
        ];
        // 40 - 2 gaps - 5 = 33: the address its 22, the name the other 11.
        assert_eq!(layout(&specs, &wanted, 40), vec![22, 11, 5]);
        // With room for both, the name fits and the domain shows too.
        assert_eq!(layout(&specs, &wanted, 80), vec![54, 19, 5]);
        // Too little room for the key: the name keeps its minimum.
        assert_eq!(layout(&specs, &wanted, 30), vec![13, 10, 5]);
    }

    #[test]
    fn fitted_columns_narrow_for_an_address_to_be_told_apart() {
        let specs = [
            Width::Address { min: 12, weight: 3 },
            Width::Name { min: 10, weight: 2 },
            Width::Fit { min: 6, max: 20 },
        ];
        let wanted = [
            Want { full: 41, key: 22 },
            Want { full: 19, key: 19 },
            Want { full: 27, key: 27 },
        ];
        // 52 - 2 gaps = 50: 20 for the fitted column left 20 for the address.
        assert_eq!(layout(&specs, &wanted, 52), vec![22, 10, 18]);
    }

    #[test]
    fn a_fitted_column_cut_at_its_max_grows_once_the_names_fit() {
        let specs = [Width::Name { min: 12, weight: 1 }, Width::Fit { min: 6, max: 12 }];
        // "Human Resources" is 15 wide: cut at 12 while the name needs room.
        assert_eq!(layout(&specs, &plain(&[40, 15]), 50), vec![37, 12]);
        assert_eq!(layout(&specs, &plain(&[20, 15]), 50), vec![34, 15]);
    }
}
