//! Table column widths and cutting text to them. A name column takes the
//! room the other columns leave; the others are as wide as what they hold.
//! Text that does not fit is cut with "…": names in the middle, so two names
//! that differ only at the end stay apart ("Enterprise Mob…rity E3" /
//! "Enterprise Mob…rity E5"); everything else at the end.

use ratatui::text::Span;

/// How a column takes its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// A name: takes what the other columns leave (shared by `weight` with
    /// the other filling columns), at least `min`; cut in the middle.
    Name { min: u16, weight: u16 },
    /// Like `Name`, for text whose start tells rows apart (a UPN: the
    /// domain is the same for everyone); cut at the end.
    Lead { min: u16, weight: u16 },
    /// As wide as its widest cell or header, within `min..=max`; cut at the
    /// end.
    Fit { min: u16, max: u16 },
}

impl Width {
    fn fills(self) -> Option<(u16, u16)> {
        match self {
            Width::Name { min, weight } | Width::Lead { min, weight } => Some((min, weight.max(1))),
            Width::Fit { .. } => None,
        }
    }

    /// Cuts `text` to `width` columns the way this column cuts.
    pub fn cut(self, text: &str, width: usize) -> String {
        match self {
            Width::Name { .. } => cut_middle(text, width),
            Width::Lead { .. } | Width::Fit { .. } => cut_end(text, width),
        }
    }
}

/// Columns a character takes on screen.
fn char_width(c: char) -> usize {
    let mut buffer = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buffer)).width()
}

/// Columns `text` takes on screen.
pub fn display_width(text: &str) -> usize {
    Span::raw(text).width()
}

/// The longest start of `text` that fits in `width` columns.
pub fn head(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (index, c) in text.char_indices() {
        used += char_width(c);
        if used > width {
            return &text[..index];
        }
    }
    text
}

/// The longest end of `text` that fits in `width` columns.
fn tail(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (index, c) in text.char_indices().rev() {
        used += char_width(c);
        if used > width {
            return &text[index + c.len_utf8()..];
        }
    }
    text
}

/// `text` cut to `width` columns with "…" at the end.
pub fn cut_end(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    format!("{}…", head(text, width - 1))
}

/// `text` cut to `width` columns with "…" in the middle: two thirds of the
/// room for the start, one third for the end.
pub fn cut_middle(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let room = width - 1;
    let end = tail(text, room / 3);
    let start = head(text, room - display_width(end));
    format!("{start}…{end}")
}

/// The widths of columns `specs` in `inner` columns with one space between
/// them, where `wanted[i]` is the width of column i's widest cell or header.
pub fn layout(specs: &[Width], wanted: &[usize], inner: u16) -> Vec<u16> {
    let gaps = specs.len().saturating_sub(1) as u16;
    let room = inner.saturating_sub(gaps);
    let mut widths: Vec<u16> = specs
        .iter()
        .zip(wanted.iter().copied().chain(std::iter::repeat(0)))
        .map(|(spec, want)| match *spec {
            Width::Fit { min, max } => (want.min(u16::MAX as usize) as u16).clamp(min, max.max(min)),
            Width::Name { min, .. } | Width::Lead { min, .. } => min,
        })
        .collect();
    shrink_fits_to(specs, &mut widths, room);
    let used: u16 = widths.iter().sum();
    let mut left = room.saturating_sub(used);
    // Each spare column goes to the filling column furthest below its
    // weighted share among those whose text does not fit yet; once every
    // name fits, the rest goes to the first: names get the width that is
    // left.
    let fills: Vec<(usize, u16, u16)> = specs
        .iter()
        .enumerate()
        .filter_map(|(i, spec)| spec.fills().map(|(min, weight)| (i, min, weight)))
        .collect();
    while left > 0 {
        let hungry = fills
            .iter()
            .filter(|(i, ..)| usize::from(widths[*i]) < wanted.get(*i).copied().unwrap_or(0))
            .min_by_key(|(i, min, weight)| u32::from(widths[*i] - min) * 1000 / u32::from(*weight));
        let Some(&(index, ..)) = hungry.or(fills.first()) else {
            break;
        };
        widths[index] += 1;
        left -= 1;
    }
    widths
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

    #[test]
    fn names_that_differ_at_the_end_stay_apart() {
        assert_eq!(
            cut_middle("Enterprise Mobility + Security E3", 22),
            "Enterprise Mob…rity E3"
        );
        assert_eq!(
            cut_middle("Enterprise Mobility + Security E5", 22),
            "Enterprise Mob…rity E5"
        );
        assert_eq!(cut_middle("Short", 22), "Short");
        assert_eq!(cut_middle("abcdef", 1), "…");
        assert_eq!(cut_middle("abcdef", 0), "");
    }

    #[test]
    fn cuts_count_screen_columns_not_bytes() {
        assert_eq!(cut_end("aaliyah.bianchi@contoso", 10), "aaliyah.b…");
        assert_eq!(cut_end("日本語のテキスト", 7), "日本語…");
        assert_eq!(cut_middle("日本語のテキスト名前", 9), "日本語…前");
        assert_eq!(
            cut_middle("日本語のテキスト名前", 10),
            "日本語…前",
            "never past the width"
        );
        assert_eq!(cut_middle("Élodie Dupont-Lefèvre", 10), "Élodie…vre");
    }

    #[test]
    fn the_name_takes_what_the_fitted_columns_leave() {
        let specs = [
            Width::Name { min: 12, weight: 1 },
            Width::Fit { min: 4, max: 9 },
            Width::Fit { min: 5, max: 15 },
        ];
        // 3 + 7 wanted by the fitted columns, 2 gaps: 78 - 2 - 4 - 7 = 65.
        assert_eq!(layout(&specs, &[40, 3, 7], 78), vec![65, 4, 7]);
        assert_eq!(layout(&specs, &[40, 3, 7], 118), vec![105, 4, 7]);
    }

    #[test]
    fn fitted_columns_give_way_when_the_room_runs_out() {
        let specs = [
            Width::Name { min: 12, weight: 1 },
            Width::Fit { min: 4, max: 20 },
            Width::Fit { min: 4, max: 20 },
        ];
        assert_eq!(layout(&specs, &[30, 20, 10], 40), vec![12, 16, 10]);
    }

    #[test]
    fn two_names_share_by_weight_and_need() {
        let specs = [
            Width::Lead { min: 12, weight: 3 },
            Width::Name { min: 10, weight: 2 },
            Width::Fit { min: 5, max: 5 },
        ];
        let widths = layout(&specs, &[40, 40, 5], 78);
        assert_eq!(widths.iter().sum::<u16>(), 76);
        assert!(widths[0] > widths[1], "{widths:?}");
        // A short second name leaves the rest to the first.
        assert_eq!(layout(&specs, &[40, 12, 5], 78), vec![59, 12, 5]);
    }
}
