//! The Connectors pane's link dialog (issue 8, R-CON-2, R-CON-3): the
//! Apple token's form, then the permanent-link warning with its checkbox,
//! then "checking at Apple"; or the Store for Business account's form,
//! which says the account is linked for good, then "checking at the store".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::link::{LinkKind, LinkState, LinkStep};
use crate::worker::link::PERMANENT_LINK_WARNING;

fn area(full: Rect) -> Rect {
    let width = full.width.min(78);
    let height = full.height.saturating_sub(4).min(19);
    let x = full.x + (full.width - width) / 2;
    Rect::new(x, full.y + 2, width, height)
}

/// Draws the dialog.
pub fn draw_link(frame: &mut Frame<'_>, link: &LinkState, theme: Theme) {
    let area = area(frame.area());
    let title = match link.kind {
        LinkKind::Apple => " Link an Apple Apps and Books token ",
        LinkKind::Store => " Link a Store for Business account ",
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    frame.render_widget(Clear, area);
    let mut lines = match link.step {
        LinkStep::Form => form(link, theme),
        LinkStep::Acknowledge => acknowledge(link, theme),
        LinkStep::Checking => vec![Line::from(Span::styled(
            match link.kind {
                LinkKind::Apple => "checking the token at Apple…",
                LinkKind::Store => "checking the credentials at the Store for Business…",
            },
            theme.warn(),
        ))],
    };
    if let Some(error) = &link.error {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(error.clone(), theme.bad())));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }),
        area,
    );
}

fn form(link: &LinkState, theme: Theme) -> Vec<Line<'static>> {
    let values = link.values();
    let mut lines: Vec<Line<'static>> = link
        .kind
        .fields()
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let focused = i == link.focus;
            let marker = if focused { "› " } else { "  " };
            Line::from(vec![
                Span::styled(marker, theme.key()),
                Span::styled(format!("{name:<12}"), theme.dim()),
                Span::raw(if focused {
                    format!("{}▏", link.fields[i].value())
                } else {
                    values[i].clone()
                }),
            ])
        })
        .collect();
    // A refusal is shown below in their place: the reason must fit.
    if link.error.is_some() {
        return lines;
    }
    lines.push(Line::raw(""));
    let notes: &[&str] = match link.kind {
        LinkKind::Apple => &[
            "The token file: Apple Business Manager → Settings → Apps and Books → Download; chmod 600 it.",
            "Ctrl-t: link a Store for Business account instead.",
        ],
        LinkKind::Store => &[
            "The app registration must be a management tool in the store's settings; its secret's file: \
             chmod 600 (empty: SEATS_STORE_SECRET). App names come in the language; apps install in each \
             user's own.",
            "Once linked, seats refuses any other store account for good. Ctrl-t: an Apple token.",
        ],
    };
    lines.extend(
        notes
            .iter()
            .map(|note| Line::from(Span::styled(*note, theme.dim()))),
    );
    lines
}

fn acknowledge(link: &LinkState, theme: Theme) -> Vec<Line<'static>> {
    let values = link.values();
    let mut warning = PERMANENT_LINK_WARNING.to_owned();
    if let Some(first) = warning.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let tick = if link.acknowledged { "[x]" } else { "[ ]" };
    vec![
        Line::from(Span::styled(format!("{warning}."), theme.warn())),
        Line::raw(""),
        Line::from(vec![
            Span::styled(format!("{tick} "), theme.key()),
            Span::raw("I understand: link this organization to the Apple account of "),
            Span::styled(values[1].clone(), theme.title()),
            Span::raw(" for good"),
        ]),
    ]
}
