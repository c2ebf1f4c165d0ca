//! The Agreements form (`n`, `e`): each step of `app::agreement_form`,
//! with the rule a field breaks shown under it as the admin types.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tui_input::Input;

use super::theme::Theme;
use super::wrap::hanging;
use crate::app::agreement_form::{AgreementForm, KINDS, OTHER_FIELDS, PRODUCT, PUBLISHER, SOURCES, Step};
use crate::app::agreement_form_other::{EMPTY_CATALOG, count_error, term_error};
use crate::domain::agreement_entry::{name_problem, pair_problem};

type Lines = Vec<Line<'static>>;

/// Where a field's text starts: after the marker and the label.
const INDENT: usize = 14;

/// How the lines are drawn: the theme and the room inside the border.
#[derive(Clone, Copy)]
struct Out {
    theme: Theme,
    width: usize,
}

impl Out {
    /// `text` under a field, wrapped with its indent kept.
    fn note(self, lines: &mut Lines, text: &str, style: Style) {
        lines.extend(hanging(
            Span::raw(" ".repeat(INDENT)),
            INDENT,
            text,
            style,
            self.width,
        ));
    }
}

/// The dialog: as tall as its lines (at least 8 rows), within the screen.
fn area(full: Rect, lines: usize) -> Rect {
    let width = full.width.min(78);
    let height = full
        .height
        .saturating_sub(4)
        .min((lines as u16).saturating_add(2).max(8));
    let x = full.x + (full.width - width) / 2;
    Rect::new(x, full.y + 2, width, height)
}

/// Draws the form at its step.
pub fn draw_form(frame: &mut Frame<'_>, form: &AgreementForm, theme: Theme) {
    let full = frame.area();
    let title = match (form.editing, form.step) {
        (Some(_), _) => " Edit agreement ",
        (None, Step::Kind) => " New agreement ",
        (None, Step::Source | Step::File | Step::Volume) => " New volume-licensing agreement ",
        (None, Step::Other) => " New other-software agreement ",
        (None, Step::Group) => " New agreement: its license group ",
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    let out = Out {
        theme,
        width: full.width.min(78).saturating_sub(2) as usize,
    };
    let mut lines = match form.step {
        Step::Kind => choices(&KINDS, form.choice, theme),
        Step::Source => choices(&SOURCES, form.choice, theme),
        Step::File => file(form, out),
        Step::Volume => volume(form, out),
        Step::Other => other(form, out),
        Step::Group => group(form, out),
    };
    if let Some(error) = &form.error {
        lines.push(Line::raw(""));
        lines.extend(hanging(Span::raw(""), 0, error, theme.bad(), out.width));
    }
    let area = area(full, lines.len());
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }),
        area,
    );
}

fn choices(options: &[&'static str], chosen: usize, theme: Theme) -> Lines {
    options
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let marker = if i == chosen { "› " } else { "  " };
            Line::from(vec![
                Span::styled(format!("{marker}{} ", i + 1), theme.key()),
                Span::raw(*text),
            ])
        })
        .collect()
}

/// One field: its label, its text (a cursor when focused).
fn field(label: &str, input: &Input, focused: bool, out: Out) -> Line<'static> {
    let theme = out.theme;
    let marker = if focused { "› " } else { "  " };
    let text = if focused {
        format!("{}▏", input.value())
    } else {
        input.value().to_owned()
    };
    Line::from(vec![
        Span::styled(marker, theme.key()),
        Span::styled(format!("{label:<12}"), theme.dim()),
        Span::raw(text),
    ])
}

/// The rule a field breaks, under it.
fn problem(lines: &mut Lines, why: Option<String>, out: Out) {
    if let Some(why) = why {
        out.note(lines, &why, out.theme.bad());
    }
}

fn file(form: &AgreementForm, out: Out) -> Lines {
    let mut lines = vec![field("File", &form.path, true, out)];
    out.note(
        &mut lines,
        "a CSV, one set a line: first number, second number[, agreement name]",
        out.theme.dim(),
    );
    for candidate in form.candidates.iter().take(8) {
        out.note(&mut lines, candidate, Style::new());
    }
    if form.candidates.len() > 8 {
        let more = format!("…and {} more: type more, then Tab", form.candidates.len() - 8);
        out.note(&mut lines, &more, out.theme.dim());
    }
    lines
}

fn volume(form: &AgreementForm, out: Out) -> Lines {
    let (v, theme) = (&form.volume, out.theme);
    let mut lines = vec![field("Name", &v.name, v.focus == 0, out)];
    problem(&mut lines, name_problem(v.name.value()), out);
    lines.push(field("First no.", &v.first, v.focus == 1, out));
    lines.push(field("Second no.", &v.second, v.focus == 2, out));
    problem(
        &mut lines,
        pair_problem(v.first.value(), v.second.value(), &v.pairs, false),
        out,
    );
    out.note(
        &mut lines,
        "Open Value: the agreement number twice · Open: authorization, license number · \
         Select, Enterprise: agreement, enrollment number",
        theme.dim(),
    );
    let heading = format!("Pairs ({})", v.pairs.len());
    lines.push(Line::from(vec![
        Span::styled(if v.focus == 3 { "› " } else { "  " }, theme.key()),
        Span::styled(heading, theme.dim()),
    ]));
    if v.pairs.is_empty() {
        out.note(&mut lines, "none yet: type both numbers, then +", theme.dim());
    }
    // The list scrolls to keep the highlighted pair in sight.
    let first = v.selected.saturating_sub(4);
    for (i, (a, b)) in v.pairs.iter().enumerate().skip(first).take(5) {
        let style = if v.focus == 3 && i == v.selected {
            theme.key()
        } else {
            Style::new()
        };
        out.note(&mut lines, &format!("{a}, {b}"), style);
    }
    lines
}

fn other(form: &AgreementForm, out: Out) -> Lines {
    let theme = out.theme;
    if form.other.catalog_empty {
        return hanging(Span::raw(""), 0, EMPTY_CATALOG, theme.warn(), out.width);
    }
    let o = &form.other;
    let mut lines = Vec::new();
    for (i, label) in OTHER_FIELDS.iter().enumerate() {
        let focused = i == o.focus;
        let mut line = field(label, &o.inputs[i], focused, out);
        let picked = match i {
            PUBLISHER => o.publisher.is_some(),
            PRODUCT => o.product.is_some(),
            _ => false,
        };
        if picked {
            line.spans.push(Span::styled("  ✓", theme.good()));
        }
        lines.push(line);
        match i {
            0 => problem(&mut lines, name_problem(o.inputs[0].value()), out),
            3 => problem(&mut lines, count_error(form), out),
            4 | 5 if focused => out.note(&mut lines, "YYYY-MM-DD; the end after the start", theme.dim()),
            PUBLISHER | PRODUCT if focused && !picked => matches(form, &mut lines, out),
            _ => {}
        }
        if i == 5 {
            problem(&mut lines, term_error(form), out);
        }
    }
    lines
}

/// The type-ahead's matches under the publisher or product field.
fn matches(form: &AgreementForm, lines: &mut Lines, out: Out) {
    let (lookup, theme) = (&form.lookup, out.theme);
    if lookup.searching {
        out.note(lines, "looking up…", theme.dim());
        return;
    }
    for (i, item) in lookup.results.iter().enumerate() {
        lines.push(pick_line(&item.label, i == lookup.selected, theme));
    }
    if lookup.total > lookup.results.len() {
        out.note(lines, "more match: type more of the name", theme.dim());
    }
}

/// One match of a list, `›` and highlighted when it is the one Enter takes.
fn pick_line(label: &str, selected: bool, theme: Theme) -> Line<'static> {
    let (marker, style) = if selected {
        (format!("{:>width$}", "› ", width = INDENT), theme.key())
    } else {
        (" ".repeat(INDENT), Style::new())
    };
    Line::from(Span::styled(format!("{marker}{label}"), style))
}

fn group(form: &AgreementForm, out: Out) -> Lines {
    let mut lines = vec![field("Group", &form.group, true, out)];
    out.note(
        &mut lines,
        "every agreement belongs to a license group: pick one, or type a new one's name",
        out.theme.dim(),
    );
    let options = form.group_options();
    let first = form.lookup.selected.saturating_sub(7);
    for (i, (label, _)) in options.iter().enumerate().skip(first).take(8) {
        lines.push(pick_line(label, i == form.lookup.selected, out.theme));
    }
    lines
}
