//! The picker and the preview dialogs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::columns::{cut_address, display_width};
use super::theme::Theme;
use super::wrap::wrap_words;
use crate::app::dialogs::{Change, PickerState, PreviewState};
use crate::worker::search::PickKind;

fn dialog_area(full: Rect) -> Rect {
    // Full width on small terminals, so no half-hidden table peeks out.
    let width = full.width.min(96);
    let x = full.x + (full.width - width) / 2;
    Rect::new(x, full.y + 1, width, full.height.saturating_sub(3))
}

/// The picker: search line, results with marks, key hints.
pub fn draw_picker(frame: &mut Frame<'_>, picker: &PickerState, theme: Theme) {
    let area = dialog_area(frame.area());
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} ", {
            // Room for the name: the border, the padding and the words around it.
            let room = (area.width as usize)
                .saturating_sub(4 + display_width(&picker.purpose.title_with(|_| String::new())));
            picker.purpose.title_with(|name| cut_address(name, room))
        }),
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let status = if picker.searching {
        "searching…".to_owned()
    } else if picker.all_matching {
        format!("ALL {} matches chosen", picker.total)
    } else {
        format!(
            "{} match{} · {}",
            picker.total,
            if picker.total == 1 { "" } else { "es" },
            marked_status(picker)
        )
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("› ", theme.key()),
            Span::raw(picker.input.value().to_owned()),
            Span::styled(format!("   {status}"), theme.dim()),
        ]),
        Line::from(Span::styled(
            "Tab mark · Shift-Tab unmark · ↑↓ move · Ctrl-a all · Enter preview · Esc back",
            theme.dim(),
        )),
    ];
    let visible = inner.height.saturating_sub(2) as usize;
    let start = picker.selected.saturating_sub(visible.saturating_sub(1));
    let shown = || picker.results.iter().enumerate().skip(start).take(visible);
    // The label column is as wide as the widest label shown, within 60% of
    // the dialog, so details line up.
    let label_width = shown()
        .map(|(_, item)| display_width(&item.label))
        .max()
        .unwrap_or(0)
        .min(inner.width as usize * 6 / 10);
    for (index, item) in shown() {
        let marked = picker.all_matching || picker.marked.contains(item);
        let kind = match item.kind {
            PickKind::User => "user ",
            PickKind::Group => "group",
            PickKind::Pool => "pool ",
            PickKind::Choice => "     ",
        };
        let mark = if marked { "[x] " } else { "[ ] " };
        let style = if index == picker.selected {
            theme.selected()
        } else {
            Default::default()
        };
        // Labels are UPNs, group and pool names: cut so two that differ
        // only at the end stay apart.
        let label = cut_address(&item.label, label_width);
        let pad = label_width.saturating_sub(display_width(&label));
        lines.push(Line::styled(
            format!("{mark}{kind} {label}{} {}", " ".repeat(pad), item.detail),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    frame.set_cursor_position((inner.x + 2 + picker.input.visual_cursor() as u16, inner.y));
}

/// "3 marked, 2 not shown": marks the search hides are counted, so the
/// count never claims rows the admin can't see checked.
fn marked_status(picker: &PickerState) -> String {
    let hidden = picker.hidden_marks().count();
    match (picker.marked.len(), hidden) {
        (0, _) => "none marked (Enter takes the highlighted)".to_owned(),
        (marked, 0) => format!("{marked} marked"),
        (marked, hidden) => format!("{marked} marked, {hidden} not shown"),
    }
}

/// The preview: what the change does to each pool, or why it is refused.
/// The refusal comes first and the keys stay on the last line, so both are
/// seen however long the list.
pub fn draw_preview(frame: &mut Frame<'_>, preview: &PreviewState, theme: Theme) {
    let area = dialog_area(frame.area());
    frame.render_widget(Clear, area);
    let Some(plan) = &preview.preview else {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(" Preview ", theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        // Not only seats: a subscription, a connector, a file to import.
        frame.render_widget(Paragraph::new("working out what it would do…"), inner);
        let footer_area = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
        let footer = Line::styled(preview_keys(preview), theme.key());
        frame.render_widget(Paragraph::new(footer), footer_area);
        return;
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {} ", plan.title), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(refusal) = &plan.refusal {
        lines.extend(continued_under(
            &format!("Refused: {refusal}"),
            theme.bad(),
            width,
        ));
        lines.push(Line::from(""));
    }
    if !preview.hidden_marks.is_empty() {
        let text = format!(
            "{} marked but hidden by the search: {}",
            preview.hidden_marks.len(),
            preview.hidden_marks.join(", ")
        );
        lines.extend(continued_under(&text, theme.warn(), width));
    }
    for line in &plan.lines {
        let style = if line.alarm {
            theme.warn()
        } else {
            Default::default()
        };
        lines.extend(continued_under(&line.text, style, width));
    }
    let footer = preview_keys(preview);
    let body = Rect::new(inner.x, inner.y, inner.width, inner.height.saturating_sub(1));
    let footer_area = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
    // Every line is wrapped already: one line, one row.
    let below = lines.len().saturating_sub(preview.scroll + body.height as usize);
    frame.render_widget(
        Paragraph::new(lines).scroll((preview.scroll.min(u16::MAX as usize) as u16, 0)),
        body,
    );
    frame.render_widget(Paragraph::new(Line::styled(footer, theme.key())), footer_area);
    if below > 0 {
        draw_more_below(frame, area, below, theme);
    }
}

/// "+8 more: ↓" on the bottom border: rows of the preview below the
/// dialog, counted as the detail panel counts its own, never cut silently.
fn draw_more_below(frame: &mut Frame<'_>, area: Rect, below: usize, theme: Theme) {
    let note = format!(" +{below} more: ↓ ");
    let width = display_width(&note) as u16;
    let x = area.right().saturating_sub(width + 1);
    frame.render_widget(
        Span::styled(note, theme.dim()),
        Rect::new(x, area.bottom().saturating_sub(1), width, 1),
    );
}

/// A preview line wrapped to `width`, a labelled value's continuations two
/// columns in from its text: a list that wraps ("seats taken back: a, b") reads as
/// one line of its pool, not as lines of their own at the dialog's edge.
fn continued_under(text: &str, style: Style, width: usize) -> Vec<Line<'static>> {
    if display_width(text) <= width {
        return vec![Line::styled(text.to_owned(), style)];
    }
    let body = text.trim_start_matches(' ');
    // Past half the dialog an indent would leave too little room.
    let lead = (text.len() - body.len()).min(width / 2);
    // A label's value ("seats taken back: a, b") continues two columns in;
    // a sentence continues where it started.
    let indent = (lead + 2 * usize::from(body.contains(": "))).min(width / 2);
    let words: Vec<&str> = body.split(' ').filter(|w| !w.is_empty()).collect();
    let mut used = 0;
    let first = words
        .iter()
        .take_while(|word| {
            used += display_width(word) + usize::from(used > 0);
            used <= width - lead
        })
        .count();
    if first == 0 {
        // A first word wider than the line: cut as any text is.
        return wrap_words(text, width)
            .into_iter()
            .map(|part| Line::styled(part, style))
            .collect();
    }
    let mut lines = vec![Line::styled(
        format!("{}{}", " ".repeat(lead), words[..first].join(" ")),
        style,
    )];
    let rest = words[first..].join(" ");
    if !rest.is_empty() {
        lines.extend(
            wrap_words(&rest, width - indent)
                .into_iter()
                .map(|part| Line::styled(format!("{}{part}", " ".repeat(indent)), style)),
        );
    }
    lines
}

/// The keys of a preview, in its footer and on the hint line alike: Enter
/// or y and what it does, the keys the preview itself takes, Esc or n and
/// where it goes (back to the picker or form it came from, else cancel).
/// The preview's lines never name keys: they are all here, in one wording.
pub fn preview_keys(preview: &PreviewState) -> String {
    use crate::app::subscriptions::SubOp;
    let came_from = preview.from_picker.is_some() || preview.from_form.is_some() || preview.back_to.is_some();
    let esc = if came_from {
        "Esc or n goes back"
    } else {
        "Esc or n cancels"
    };
    let Some(plan) = &preview.preview else {
        return esc.to_owned();
    };
    if plan.refusal.is_some() {
        let esc = if came_from { esc } else { "Esc or n closes" };
        return format!("nothing changed · {esc}");
    }
    if preview.applying {
        return "applying…".to_owned();
    }
    // Where "applies" or "cancels" would mislead, the words of the change.
    let (enter, esc) = match &preview.change {
        // "Esc cancels" would read as cancelling the subscription (issue 10).
        Change::Subscription(SubOp::Cancel { .. }) => ("cancels it for good", "Esc or n keeps it"),
        Change::SetEnabled { enabled: true, .. } => ("enables it", "Esc or n keeps it off"),
        Change::SetEnabled { enabled: false, .. } => ("disables it", "Esc or n keeps it on"),
        Change::TakeOver { .. } => ("takes it over", "Esc or n keeps it as it is"),
        _ => ("applies", esc),
    };
    let own = match &preview.change {
        Change::SetIntent { .. } => " · t next intent",
        Change::RemoveUser { .. } => " · d their devices too / not",
        _ => "",
    };
    format!("Enter or y {enter}{own} · {esc} · ↑↓ scroll")
}
