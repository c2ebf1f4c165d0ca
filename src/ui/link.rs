//! The Connectors pane's link dialog (issue 8, R-CON-3): the form, then
//! the permanent-link warning with its checkbox, then "checking at Apple".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::link::{FIELDS, LinkState, LinkStep};
use crate::worker::link::PERMANENT_LINK_WARNING;

fn area(full: Rect) -> Rect {
    let width = full.width.min(78);
    let height = full.height.saturating_sub(4).min(16);
    let x = full.x + (full.width - width) / 2;
    Rect::new(x, full.y + 2, width, height)
}

/// Draws the dialog.
pub fn draw_link(frame: &mut Frame<'_>, link: &LinkState, theme: Theme) {
    let area = area(frame.area());
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        " Link an Apple Apps and Books token ",
        theme.title(),
    ));
    frame.render_widget(Clear, area);
    let mut lines = match link.step {
        LinkStep::Form => form(link, theme),
        LinkStep::Acknowledge => acknowledge(link, theme),
        LinkStep::Checking => vec![Line::from(Span::styled(
            "checking the token at Apple…",
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
    let mut lines: Vec<Line<'static>> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let focused = i == link.focus;
            let marker = if focused { "› " } else { "  " };
            Line::from(vec![
                Span::styled(marker, theme.key()),
                Span::styled(format!("{name:<11}"), theme.dim()),
                Span::raw(if focused {
                    format!("{}▏", link.fields[i].value())
                } else {
                    values[i].clone()
                }),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "The token file: Apple Business Manager → Settings → Apps and Books → Download; chmod 600 it.",
        theme.dim(),
    )));
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
