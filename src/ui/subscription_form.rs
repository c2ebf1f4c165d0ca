//! The subscription form (`n`, `e` in Subscriptions) and the billing
//! profile form (`n`, `p` in the billing dialog): one line a field, the
//! focused one's rule under it as the admin types, fields that don't apply
//! dimmed (a flat rate's quantity reads Unlimited).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_input::Input;

use super::theme::Theme;
use super::wrap::hanging;
use crate::app::billing_form::{PROFILE_FIELDS, ProfileForm};
use crate::app::subscription_form::{
    FIELDS, KIND, PRICING, PROFILE, QUANTITY, REGION, SOURCES, SubscriptionForm, VENDOR,
};

type Lines = Vec<Line<'static>>;

/// Where a field's text starts: after the marker and the label.
const INDENT: usize = 14;

/// Widest the forms grow: a field line and its note read at a glance.
const WIDTH: u16 = 80;

/// The dialog, as tall as its lines, within the screen under the tabs.
fn area(full: Rect, lines: usize) -> Rect {
    let width = full.width.min(WIDTH);
    let height = full
        .height
        .saturating_sub(2)
        .min((lines as u16).saturating_add(2));
    let x = full.x + (full.width - width) / 2;
    Rect::new(x, full.y + 1, width, height)
}

fn draw(frame: &mut Frame<'_>, title: &str, lines: Lines, theme: Theme) {
    let area = area(frame.area(), lines.len());
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), theme.title()));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// One field's line: marker, label, text (a cursor when focused); a
/// field with a problem is marked ✗.
fn field(label: &str, text: String, focused: bool, enabled: bool, bad: bool, theme: Theme) -> Line<'static> {
    let marker = match (focused, bad) {
        (true, _) => "› ",
        (false, true) => "✗ ",
        (false, false) => "  ",
    };
    let style = if enabled {
        ratatui::style::Style::default()
    } else {
        theme.dim()
    };
    Line::from(vec![
        Span::styled(marker, if bad { theme.bad() } else { theme.key() }),
        Span::styled(format!("{label:<12}"), theme.dim()),
        Span::styled(text, style),
    ])
}

fn shown(input: &Input, focused: bool) -> String {
    if focused {
        format!("{}▏", input.value())
    } else {
        input.value().to_owned()
    }
}

/// The note under the fields: the focused field's problem (or the first
/// one), and why Enter was refused.
fn notes(lines: &mut Lines, problem: Option<&str>, error: Option<&str>, width: usize, theme: Theme) {
    if let Some(why) = problem {
        lines.extend(hanging(Span::raw(""), 2, why, theme.bad(), width));
    }
    if let Some(error) = error {
        lines.extend(hanging(Span::raw(""), 0, error, theme.warn(), width));
    }
}

/// Draws the subscription form.
pub fn draw_form(frame: &mut Frame<'_>, form: &SubscriptionForm, theme: Theme) {
    let width = frame.area().width.min(WIDTH).saturating_sub(2) as usize;
    let title = match &form.editing {
        Some(row) => format!("Edit {}", row.name),
        None => "Record a subscription purchase".to_owned(),
    };
    if form.choosing {
        let lines = SOURCES
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let marker = if i == form.choice { "› " } else { "  " };
                Line::from(vec![
                    Span::styled(format!("{marker}{} ", i + 1), theme.key()),
                    Span::raw(*text),
                ])
            })
            .collect();
        draw(frame, &title, lines, theme);
        return;
    }
    let mut lines: Lines = FIELDS
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let focused = i == form.focus;
            let enabled = form.enabled(i);
            let text = match i {
                QUANTITY if form.value(PRICING) == "flat" => "Unlimited (flat rate)".to_owned(),
                QUANTITY if !enabled => "set by the vendor".to_owned(),
                VENDOR if !enabled && form.value(KIND) != "isv" => "— (ISV apps only)".to_owned(),
                PROFILE if form.value(PROFILE).is_empty() => {
                    format!("none ({} on record)", form.profiles.len())
                }
                _ if !spec.choices.is_empty() || i == PROFILE => {
                    let value = form.value(i);
                    if focused {
                        format!("‹ {value} ›")
                    } else {
                        value.to_owned()
                    }
                }
                _ => shown(&form.values[i], focused),
            };
            field(
                spec.label,
                text,
                focused,
                enabled,
                form.problem(i).is_some(),
                theme,
            )
        })
        .collect();
    if form.editing.is_some() {
        lines.push(Line::styled(
            "  as bought, fixed: publisher, kind, channel, pricing, region · status: A, C",
            theme.dim(),
        ));
    }
    if form.focus == REGION {
        let matches = form.region_matches();
        if !matches.is_empty() {
            let text = format!("{}matches: {}", " ".repeat(INDENT), matches.join(", "));
            lines.push(Line::styled(text, theme.dim()));
        }
    }
    let problem = form
        .problem(form.focus)
        .map(|why| format!("{}: {why}", FIELDS[form.focus].label))
        .or_else(|| {
            form.problems.first().map(|(column, why)| {
                let label = FIELDS
                    .iter()
                    .find(|f| f.column == column)
                    .map_or(column.as_str(), |f| f.label);
                format!("{label}: {why}")
            })
        });
    notes(
        &mut lines,
        problem.as_deref(),
        form.error.as_deref(),
        width,
        theme,
    );
    draw(frame, &title, lines, theme);
}

/// Draws the billing profile form.
/// A card field as typed, every digit but the last four hidden: someone who
/// types a whole number sees it refused without it staying on the screen.
fn masked(text: &str) -> String {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let mut hidden = digits.saturating_sub(4);
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() && hidden > 0 {
                hidden -= 1;
                '•'
            } else {
                c
            }
        })
        .collect()
}

pub fn draw_profile_form(frame: &mut Frame<'_>, form: &ProfileForm, theme: Theme) {
    let width = frame.area().width.min(WIDTH).saturating_sub(2) as usize;
    let title = if form.id.is_some() {
        "Edit billing profile"
    } else {
        "New billing profile"
    };
    let mut lines: Lines = PROFILE_FIELDS
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            let focused = i == form.focus;
            let enabled = form.enabled(i);
            let text = match i {
                crate::app::billing_form::METHOD if focused => format!("‹ {} ›", form.values[i].value()),
                crate::app::billing_form::CARD if !enabled => "—".to_owned(),
                crate::app::billing_form::CARD => masked(&shown(&form.values[i], focused)),
                _ => shown(&form.values[i], focused),
            };
            field(label, text, focused, enabled, form.problem(i).is_some(), theme)
        })
        .collect();
    lines.push(Line::styled(
        "  a card is kept as its last four digits only, never its number",
        theme.dim(),
    ));
    let problem = form
        .problem(form.focus)
        .map(|why| format!("{}: {why}", PROFILE_FIELDS[form.focus].0))
        .or_else(|| {
            form.problems.first().map(|(f, why)| {
                let label = PROFILE_FIELDS
                    .iter()
                    .find(|(_, n)| n == f)
                    .map_or(*f, |(l, _)| *l);
                format!("{label}: {why}")
            })
        });
    notes(
        &mut lines,
        problem.as_deref(),
        form.error.as_deref(),
        width,
        theme,
    );
    draw(frame, title, lines, theme);
}

#[cfg(test)]
mod tests {
    use super::masked;

    /// Review finding: a whole card number typed into the field stayed on
    /// the screen until saving refused it.
    #[test]
    fn only_the_last_four_digits_of_a_card_show() {
        assert_eq!(masked("4111111111111111"), "••••••••••••1111");
        assert_eq!(masked("4111 1111 1111 1111▏"), "•••• •••• •••• 1111▏");
        assert_eq!(masked("1234"), "1234");
        assert_eq!(masked(""), "");
    }
}
