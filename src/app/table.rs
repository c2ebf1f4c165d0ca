//! A pane's table: a window of rows around the selection, never the whole
//! list. Moving near the window's edge asks the store for the next window;
//! replies carry a generation number and stale ones are dropped.

use tui_input::Input;

use super::pane::{PaneId, Row};
use crate::domain::TextFilter;
use crate::store::{Page, PageRequest};

/// Rows asked for at a time.
pub const WINDOW: usize = 200;
/// Ask for a new window when the selection comes this close to an edge.
const MARGIN: usize = 50;

/// The state of one pane's table.
#[derive(Debug, Clone)]
pub struct TableState {
    pub pane: PaneId,
    /// Column the rows are sorted by.
    pub sort: usize,
    /// Sort descending.
    pub descending: bool,
    /// The filter as typed (a leading `!` inverts it).
    pub filter: Input,
    /// Rows that pass the filter; None until the first reply.
    pub count: Option<usize>,
    /// The rows held, starting at `window.offset`.
    pub window: Page<Row>,
    /// Absolute index of the selected row.
    pub selected: usize,
    /// Absolute index of the first visible row.
    pub scroll: usize,
    /// Generation of the latest request; older replies are dropped.
    pub generation: u64,
    /// Offset of the window asked for and not yet received.
    pub requested: Option<usize>,
    /// The cache changed since this table was read.
    pub stale: bool,
    /// The parent this list is scoped to (the pool of the Assignees view).
    pub scope: Option<i64>,
    /// Ids of the rows marked with Space, for actions on several rows.
    pub marked: std::collections::BTreeSet<i64>,
}

/// A request for a window, tagged so its reply can be matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    pub pane: PaneId,
    pub generation: u64,
    pub request: PageRequest,
}

impl TableState {
    /// An empty table that has asked for nothing yet.
    pub fn new(pane: PaneId) -> TableState {
        TableState {
            pane,
            sort: 0,
            descending: false,
            filter: Input::default(),
            count: None,
            window: Page::default(),
            selected: 0,
            scroll: 0,
            generation: 0,
            requested: None,
            stale: true,
            scope: None,
            marked: std::collections::BTreeSet::new(),
        }
    }

    /// The parsed filter.
    pub fn text_filter(&self) -> Option<TextFilter> {
        TextFilter::parse(self.filter.value())
    }

    /// The selected row, if it is in the window.
    pub fn selected_row(&self) -> Option<&Row> {
        self.row(self.selected)
    }

    /// The row at absolute `index`, if it is in the window.
    pub fn row(&self, index: usize) -> Option<&Row> {
        index
            .checked_sub(self.window.offset)
            .and_then(|i| self.window.rows.get(i))
    }

    /// Asks for the window at `offset` under a new generation.
    fn fetch_at(&mut self, offset: usize) -> Fetch {
        self.generation += 1;
        self.requested = Some(offset);
        Fetch {
            pane: self.pane,
            generation: self.generation,
            request: PageRequest {
                sort: self.sort,
                descending: self.descending,
                filter: self.text_filter(),
                offset,
                limit: WINDOW,
                scope: self.scope,
                as_of: None,
            },
        }
    }

    /// Re-reads the current window (after the cache changed, or on first show).
    pub fn reload(&mut self) -> Fetch {
        self.stale = false;
        self.fetch_at(self.window_offset_for(self.selected))
    }

    /// Starts over at the top: the filter or the sort changed.
    pub fn restart(&mut self) -> Fetch {
        self.selected = 0;
        self.scroll = 0;
        self.stale = false;
        self.fetch_at(0)
    }

    fn window_offset_for(&self, index: usize) -> usize {
        index.saturating_sub(WINDOW / 2)
    }

    /// Moves the selection by `delta` rows (clamped) and keeps it visible in a
    /// viewport of `height` rows; returns a fetch when the window must move.
    pub fn move_by(&mut self, delta: isize, height: usize) -> Option<Fetch> {
        let count = self.count.filter(|c| *c > 0)?;
        let target = (self.selected as isize + delta).clamp(0, count as isize - 1);
        self.select(target as usize, height)
    }

    /// Selects absolute row `index` (clamped).
    pub fn select(&mut self, index: usize, height: usize) -> Option<Fetch> {
        let count = self.count.unwrap_or(0);
        self.selected = index.min(count.saturating_sub(1));
        self.keep_visible(height);
        self.ensure_window()
    }

    /// Scrolls so the selection is inside a viewport of `height` rows.
    pub fn keep_visible(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + height {
            self.scroll = self.selected + 1 - height;
        }
        let count = self.count.unwrap_or(0);
        self.scroll = self.scroll.min(count.saturating_sub(height));
    }

    /// Asks for a new window when the selection nears an edge of the one held.
    fn ensure_window(&mut self) -> Option<Fetch> {
        let count = self.count?;
        let start = self.window.offset;
        let end = start + self.window.rows.len();
        let near_top = start > 0 && self.selected < start + MARGIN;
        let near_bottom = end < count && self.selected + MARGIN >= end;
        if !(near_top || near_bottom) {
            return None;
        }
        let wanted = self.window_offset_for(self.selected);
        // Don't ask again while a request that covers the selection is out.
        if let Some(pending) = self.requested
            && self.selected >= pending + MARGIN.min(pending)
            && self.selected + MARGIN < pending + WINDOW
        {
            return None;
        }
        Some(self.fetch_at(wanted))
    }

    /// Takes a reply; returns false when it was stale and dropped.
    pub fn accept(&mut self, generation: u64, page: Page<Row>, height: usize) -> bool {
        if generation != self.generation {
            return false;
        }
        self.requested = None;
        self.count = Some(page.count);
        self.window = page;
        if self.selected >= self.window.count && self.window.count > 0 {
            self.selected = self.window.count - 1;
        }
        if self.window.count == 0 {
            self.selected = 0;
        }
        self.keep_visible(height);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(offset: usize, len: usize, count: usize) -> Page<Row> {
        let rows = (offset..offset + len)
            .map(|i| {
                Row::Connector(crate::store::connectors::ConnectorRow {
                    id: i as i64,
                    name: format!("c{i}"),
                    kind: crate::domain::ConnectorKind::Graph,
                    account: None,
                    endpoint: None,
                    enabled: true,
                    state: "ok".into(),
                    language: None,
                    schedule_minutes: 720,
                    token_name: None,
                    apple_id: None,
                    token_updated_at: None,
                    token_expires_at: None,
                    claimed_by: None,
                    last_sync_at: None,
                    last_success_at: None,
                    last_error: None,
                    has_secret: false,
                    pools: 0,
                    pending_changes: 0,
                })
            })
            .collect();
        Page { offset, rows, count }
    }

    #[test]
    fn scrolling_far_asks_for_a_window_around_the_selection() {
        let mut table = TableState::new(PaneId::Connectors);
        let first = table.restart();
        assert!(table.accept(first.generation, page(0, WINDOW, 100_000), 10));
        assert_eq!(table.move_by(10, 10), None, "well inside the window");
        let fetch = table.move_by(200, 10).expect("past the window's edge");
        assert_eq!(fetch.request.offset, 210 - WINDOW / 2);
        assert_eq!(fetch.request.limit, WINDOW);
        assert_eq!(table.selected, 210);
        assert!(table.selected_row().is_none(), "not loaded yet");
        assert!(table.accept(fetch.generation, page(110, WINDOW, 100_000), 10));
        assert_eq!(table.selected_row().map(Row::id), Some(210));
    }

    #[test]
    fn stale_replies_are_dropped() {
        let mut table = TableState::new(PaneId::Connectors);
        let old = table.restart();
        let new = table.restart();
        assert!(!table.accept(old.generation, page(0, 5, 5), 10));
        assert!(table.accept(new.generation, page(0, 3, 3), 10));
        assert_eq!(table.count, Some(3));
    }

    #[test]
    fn selection_is_clamped_and_kept_visible() {
        let mut table = TableState::new(PaneId::Connectors);
        let first = table.restart();
        table.accept(first.generation, page(0, 30, 30), 10);
        table.move_by(1000, 10);
        assert_eq!(table.selected, 29);
        assert_eq!(table.scroll, 20);
        table.move_by(-1000, 10);
        assert_eq!((table.selected, table.scroll), (0, 0));
    }

    #[test]
    fn a_shrinking_list_pulls_the_selection_back() {
        let mut table = TableState::new(PaneId::Connectors);
        let first = table.restart();
        table.accept(first.generation, page(0, 30, 30), 10);
        table.move_by(25, 10);
        let again = table.reload();
        table.accept(again.generation, page(0, 4, 4), 10);
        assert_eq!(table.selected, 3);
    }
}
