//! Where everything goes on the screen. Pure arithmetic, so `update` can ask
//! how many rows a page holds without drawing.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// Width from which the detail panel sits beside the table instead of
/// below: the table keeps at least `TABLE_BESIDE` columns, so names are never
/// narrower beside the detail than below it (at 120 the detail goes below and
/// the table has the whole width).
const SIDE_BY_SIDE_WIDTH: u16 = 140;
/// Columns the table keeps when the detail sits beside it.
const TABLE_BESIDE: u16 = 100;
/// The widest the detail panel grows beside the table.
const DETAIL_BESIDE_MAX: u16 = 60;
/// Rows of the detail panel when it sits below the table (with borders).
const DETAIL_BELOW_HEIGHT: u16 = 8;

/// The screen's regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub tabs: Rect,
    pub table: Rect,
    pub detail: Rect,
    pub hints: Rect,
    pub status: Rect,
}

/// Splits a screen of `width` x `height`.
pub fn areas(width: u16, height: u16) -> Areas {
    let screen = Rect::new(0, 0, width, height);
    let [tabs, body, hints, status] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(screen);
    let (table, detail) = if width >= SIDE_BY_SIDE_WIDTH {
        let detail_width = (width - TABLE_BESIDE).min(DETAIL_BESIDE_MAX);
        let [table, detail] = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Min(TABLE_BESIDE), Constraint::Length(detail_width)])
            .areas(body);
        (table, detail)
    } else {
        let [table, detail] = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Min(4), Constraint::Length(DETAIL_BELOW_HEIGHT)])
            .areas(body);
        (table, detail)
    };
    Areas {
        tabs,
        table,
        detail,
        hints,
        status,
    }
}

/// Data rows visible in the table (inside the border, under the header).
pub fn table_rows(width: u16, height: u16) -> usize {
    areas(width, height).table.height.saturating_sub(3) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_screen_still_shows_ten_rows() {
        assert_eq!(table_rows(80, 24), 10);
    }

    #[test]
    fn wide_screens_put_the_detail_beside_the_table() {
        let a = areas(160, 48);
        assert_eq!(a.table.y, a.detail.y);
        assert!(a.detail.x > a.table.x);
        assert_eq!((a.table.width, a.detail.width), (100, 60));
    }

    #[test]
    fn the_table_is_never_narrower_than_on_the_smallest_screen() {
        let smallest = areas(80, 24).table.width;
        for width in 80..=300 {
            let a = areas(width, 40);
            assert!(
                a.table.width >= smallest,
                "{width} columns: table {}",
                a.table.width
            );
            if a.detail.y == a.table.y {
                assert!(
                    a.table.width >= TABLE_BESIDE,
                    "{width} columns: table {}",
                    a.table.width
                );
            }
        }
        assert_eq!(areas(120, 30).table.width, 120, "at 120 the detail goes below");
    }
}
