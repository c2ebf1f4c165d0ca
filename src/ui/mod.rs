//! Drawing: reads the state, never touches the store or the worker.

mod agreement_form;
mod billing;
pub mod columns;
mod cut;
mod detail;
mod dialogs;
pub mod layout;
mod link;
mod overlays;
pub mod panes;
mod status;
mod status_subscriptions;
mod statusbar;
mod subscription_form;
mod table;
pub mod theme;
pub mod wrap;

use ratatui::Frame;
use ratatui::backend::TestBackend;
use ratatui::layout::Alignment;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::state::{AppState, MIN_HEIGHT, MIN_WIDTH, Overlay};
use theme::Theme;

/// Draws the whole console.
pub fn draw(frame: &mut Frame<'_>, state: &AppState, theme: Theme) {
    let area = frame.area();
    if !state.fits() {
        draw_too_small(frame, state, theme);
        return;
    }
    let areas = layout::areas(area.width, area.height);
    status::draw_tabs(frame, areas.tabs, state, theme);
    if state.pane.report().is_some() {
        panes::reports_chart::draw(frame, areas.table, areas.detail, state, theme);
    } else {
        table::draw_table(frame, areas.table, state, theme);
        table::draw_detail(frame, areas.detail, state, theme);
    }
    statusbar::draw_status(frame, areas.status, state, theme);
    match &state.overlay {
        Overlay::Help { scroll } => overlays::draw_help(frame, state, *scroll, theme),
        Overlay::Palette(palette) => overlays::draw_palette(frame, state, palette, theme),
        Overlay::Detail { scroll } => table::draw_detail_dialog(frame, state, *scroll, theme),
        Overlay::Picker(picker) => dialogs::draw_picker(frame, picker, theme),
        Overlay::Preview(preview) => dialogs::draw_preview(frame, preview, theme),
        Overlay::Link(link) => link::draw_link(frame, link, theme),
        Overlay::Billing(dialog) => billing::draw_billing(frame, dialog, theme),
        Overlay::AgreementForm(form) => agreement_form::draw_form(frame, form, theme),
        Overlay::SubscriptionForm(form) => subscription_form::draw_form(frame, form, theme),
        Overlay::ProfileForm(form) => subscription_form::draw_profile_form(frame, form, theme),
        Overlay::None | Overlay::Filter => {}
    }
    // After the dialogs: a message wrapping upwards reads whole over one,
    // instead of its first lines hiding under it.
    status::draw_hints(frame, areas.hints, state, theme);
    if let Some(job) = state.jobs.first()
        && state.table().count.is_none_or(|c| c == 0)
    {
        overlays::draw_progress(frame, job, theme);
    }
}

fn draw_too_small(frame: &mut Frame<'_>, state: &AppState, theme: Theme) {
    let text = vec![
        Line::from(Span::styled("terminal too small", theme.bad())),
        Line::from(format!(
            "{}x{} here; seats needs {MIN_WIDTH}x{MIN_HEIGHT}",
            state.size.0, state.size.1
        )),
        Line::from("enlarge the window, or press q to quit"),
    ];
    let paragraph = Paragraph::new(text)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    frame.render_widget(paragraph, frame.area());
}

/// Renders the console into plain text lines (trailing spaces trimmed), the
/// way `seats snapshot` prints it.
pub fn render_to_string(state: &AppState, theme: Theme) -> String {
    let (width, height) = state.size;
    let backend = TestBackend::new(width, height);
    let mut terminal = match ratatui::Terminal::new(backend) {
        Ok(terminal) => terminal,
        Err(never) => match never {},
    };
    if terminal.draw(|frame| draw(frame, state, theme)).is_err() {
        return String::new();
    }
    buffer_text(terminal.backend().buffer())
}

/// The text of a buffer, one line per row, trailing spaces trimmed.
pub fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let width = buffer.area.width as usize;
    let mut out = String::new();
    for (index, cell) in buffer.content.iter().enumerate() {
        out.push_str(cell.symbol());
        if (index + 1) % width == 0 {
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
            out.push('\n');
        }
    }
    out
}
