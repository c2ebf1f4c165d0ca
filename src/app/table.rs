//! A pane's table: a window of rows around the selection, never the whole
//! list. Moving near the window's edge asks the store for the next window;
//! replies carry a generation number and stale ones are dropped.

use tui_input::Input;

use super::pane::{PaneId, Row};
use crate::domain::Filter;
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
    /// The rows came before their count or figures
    /// (`PageRequest::count_later`): `count` holds only the rows read so
    /// far, and the rest follows in a second reply of the same generation.
    pub counting: bool,
    /// The last reply was the first of two (`PageRequest::count_later`):
    /// the second brings the whole window and its count.
    pub rest_coming: bool,
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
    /// Rows the screen shows at once; windows hold several screens.
    pub viewport: usize,
    /// The sort or the filter changed and the rows held are not yet the
    /// new list's.
    pub resetting: bool,
    /// The instant "inactive N days", expiry and filter dates are measured
    /// from (RFC 3339); None = the wall clock when the store reads. Fixed by
    /// headless renders and tests so they do not depend on the real date.
    pub as_of: Option<String>,
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
            // The audit log reads newest first.
            descending: pane == PaneId::Audit,
            filter: Input::default(),
            count: None,
            counting: false,
            rest_coming: false,
            window: Page::default(),
            selected: 0,
            scroll: 0,
            generation: 0,
            requested: None,
            stale: true,
            scope: None,
            marked: std::collections::BTreeSet::new(),
            viewport: 10,
            resetting: false,
            as_of: None,
        }
    }

    /// The parsed filter; an invalid one passes no row (the hint line says
    /// why), so a typo never widens the list or what "every listed" means.
    pub fn text_filter(&self) -> Option<Filter> {
        self.pane
            .parse_filter(self.filter.value())
            .unwrap_or_else(|_| Some(Filter::never()))
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
        self.fetch_anchored(offset, None)
    }

    /// Asks for the window at `offset`, or around row `anchor` when the
    /// list still holds it.
    fn fetch_anchored(&mut self, offset: usize, anchor: Option<i64>) -> Fetch {
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
                limit: self.window_size(),
                scope: self.scope,
                as_of: self.as_of.clone(),
                anchor,
                count_later: false,
            },
        }
    }

    /// Re-reads the current window (after the cache changed, or on first
    /// show); the selection stays on its row if rows came or went above it.
    pub fn reload(&mut self) -> Fetch {
        self.stale = false;
        let anchor = self.selected_row().map(Row::id);
        self.fetch_anchored(self.window_offset_for(self.selected), anchor)
    }

    /// Starts over with a new sort or a cleared filter, keeping the
    /// selected row selected when it passes (so the next key acts on the
    /// same row, not on whoever lands under the cursor); otherwise at the
    /// top.
    pub fn restart_keeping(&mut self) -> Fetch {
        let anchor = self.selected_row().map(Row::id);
        self.selected = 0;
        self.scroll = 0;
        self.stale = false;
        self.resetting = true;
        self.fetch_anchored(0, anchor)
    }

    /// Starts over at the top: the filter or the sort changed.
    pub fn restart(&mut self) -> Fetch {
        self.selected = 0;
        self.scroll = 0;
        self.stale = false;
        self.resetting = true;
        self.fetch_at(0)
    }

    /// Whether the rows a key would act on are still on their way: the list
    /// was never read, or its sort or filter changed since.
    pub fn settling(&self) -> bool {
        self.requested.is_some() && (self.resetting || self.count.is_none())
    }

    /// Rows asked for at a time: at least three screens, so a tall terminal
    /// never shows rows that were not asked for.
    fn window_size(&self) -> usize {
        WINDOW.max(self.viewport * 3)
    }

    /// How close to an edge the selection may come before the window moves.
    fn margin(&self) -> usize {
        MARGIN.max(self.viewport)
    }

    fn window_offset_for(&self, index: usize) -> usize {
        index.saturating_sub(self.window_size() / 2)
    }

    /// Whether the held window has every row from the scroll position to the
    /// end of the screen.
    fn covers_screen(&self) -> bool {
        let count = self.count.unwrap_or(0);
        let first = self.scroll.min(count);
        let last = (self.scroll + self.viewport).min(count);
        let start = self.window.offset;
        let end = start + self.window.rows.len();
        first >= start && last <= end
    }

    /// After a reply: asks again when the rows on screen are still missing
    /// (the list shrank below the window, or the user moved back while a
    /// request for elsewhere was out).
    pub fn follow_up(&mut self) -> Option<Fetch> {
        let count = self.count?;
        // The rest of the window is on its way: a first reply may hold only
        // the top screen of it (`store::users`).
        if count == 0 || self.requested.is_some() || self.rest_coming || self.covers_screen() {
            return None;
        }
        Some(self.fetch_at(self.window_offset_for(self.selected)))
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
        self.viewport = height;
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
        let margin = self.margin();
        let near_top = start > 0 && self.selected < start + margin;
        let near_bottom = end < count && self.selected + margin >= end;
        if !(near_top || near_bottom) {
            // A request for a new sort or filter is never dropped: the rows
            // held belong to the old one.
            if self.requested.is_some() && !self.resetting && self.covers_screen() {
                // Back inside the held window: drop the request still out,
                // or its reply would replace the rows on screen.
                self.requested = None;
                self.generation += 1;
            }
            return None;
        }
        let wanted = self.window_offset_for(self.selected);
        // Don't ask again while a request that covers the selection is out.
        if let Some(pending) = self.requested
            && self.selected >= pending + margin.min(pending)
            && self.selected + margin < pending + self.window_size()
        {
            return None;
        }
        Some(self.fetch_at(wanted))
    }

    /// Takes a reply; returns false when it was stale and dropped.
    pub fn accept(&mut self, generation: u64, mut page: Page<Row>, height: usize) -> bool {
        if generation != self.generation {
            return false;
        }
        self.requested = None;
        let same_list = !std::mem::replace(&mut self.resetting, false);
        self.rest_coming = page.count_pending();
        if page.count_pending() {
            let read = page.offset + page.rows.len();
            match self.count {
                // A new window of a list already counted (scrolling): the
                // count holds until the reply that recounts it.
                Some(known) if same_list && !self.counting && known >= read => page.count = known,
                // Until the count comes, the list ends where the rows read end.
                _ => {
                    page.count = read;
                    self.counting = true;
                }
            }
        } else {
            self.counting = false;
        }
        self.count = Some(page.count);
        if let Some(at) = page.anchor {
            // The row keeps its place on the screen where it can.
            let line = self.selected.saturating_sub(self.scroll);
            self.selected = at;
            self.scroll = at.saturating_sub(line);
        }
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
                    next_sync_at: None,
                    last_request_id: None,
                    last_run: None,
                    sync_holder: None,
                    pending_error: None,
                    report: Vec::new(),
                })
            })
            .collect();
        Page {
            offset,
            rows,
            count,
            anchor: None,
        }
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
    fn a_count_still_coming_shows_the_rows_read_and_a_known_one_holds_while_scrolling() {
        use crate::store::list::COUNT_LATER;
        let mut table = TableState::new(PaneId::Connectors);
        let first = table.restart();
        assert!(table.accept(first.generation, page(0, WINDOW, COUNT_LATER), 10));
        assert!(table.counting);
        assert_eq!(
            table.count,
            Some(WINDOW),
            "only the rows read, never a guessed total"
        );
        assert!(table.accept(first.generation, page(0, WINDOW, 100_000), 10));
        assert!(!table.counting);
        assert_eq!(table.count, Some(100_000));
        // Scrolling to a new window of the same list keeps the count.
        let fetch = table.move_by(300, 10).expect("past the window's edge");
        assert!(table.accept(fetch.generation, page(200, WINDOW, COUNT_LATER), 10));
        assert!(!table.counting);
        assert_eq!(table.count, Some(100_000));
        // A new filter or sort starts counting again.
        let fetch = table.restart();
        assert!(table.accept(fetch.generation, page(0, WINDOW, COUNT_LATER), 10));
        assert!(table.counting);
        assert_eq!(table.count, Some(WINDOW));
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
    fn moving_back_inside_the_window_drops_the_request_still_out() {
        let mut table = TableState::new(PaneId::Connectors);
        let first = table.restart();
        table.accept(first.generation, page(0, WINDOW, 2000), 10);
        let far = table.select(1999, 10).expect("the end is far away");
        assert!(table.select(0, 10).is_none(), "row 0 is held");
        assert!(
            !table.accept(far.generation, page(1899, 101, 2000), 10),
            "the stale reply is dropped"
        );
        assert_eq!(table.selected_row().map(Row::id), Some(0));
    }

    #[test]
    fn a_list_that_shrank_below_the_window_is_asked_for_again() {
        let mut table = TableState::new(PaneId::Connectors);
        let first = table.restart();
        table.accept(first.generation, page(0, WINDOW, 5000), 10);
        let far = table.select(3000, 10).unwrap();
        table.accept(far.generation, page(2900, WINDOW, 5000), 10);
        let again = table.reload();
        table.accept(again.generation, page(again.request.offset, 0, 100), 10);
        assert_eq!(table.selected, 99);
        let follow = table.follow_up().expect("the rows on screen are missing");
        assert!(follow.request.offset <= 90);
        table.accept(
            follow.generation,
            page(follow.request.offset, 100 - follow.request.offset, 100),
            10,
        );
        assert!(table.selected_row().is_some());
        assert!(table.follow_up().is_none());
    }

    #[test]
    fn a_first_reply_of_the_top_screen_waits_for_the_rest_instead_of_asking_again() {
        use crate::store::list::COUNT_LATER;
        let mut table = TableState::new(PaneId::Users);
        let first = table.restart();
        table.accept(first.generation, page(0, WINDOW, 5000), 10);
        // Moved down near the top, then back: the window at 0 comes in two replies.
        table.select(90, 10);
        let again = table.reload();
        assert!(table.accept(again.generation, page(0, 30, COUNT_LATER), 10));
        assert!(
            table.follow_up().is_none(),
            "the rest of the window is on its way"
        );
        assert!(table.accept(again.generation, page(0, WINDOW, 5000), 10));
        assert!(table.selected_row().is_some());
        assert!(table.follow_up().is_none());
    }

    #[test]
    fn tall_screens_get_windows_of_three_screens() {
        let mut table = TableState::new(PaneId::Connectors);
        table.keep_visible(250);
        assert_eq!(table.restart().request.limit, 750);
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
