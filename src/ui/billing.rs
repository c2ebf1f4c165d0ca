//! The billing dialog of a subscription (R-SUB-6): its profile — payment
//! method (a card as its last four digits only), contact, address, the
//! roles that may change it — and its invoices, a page at a time.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::columns::cut_end;
use super::theme::Theme;
use crate::app::billing::{Billing, BillingState, payment};
use crate::store::billing::InvoiceRow;

/// The dialog over the pane, the width of the preview.
pub fn draw_billing(frame: &mut Frame<'_>, dialog: &BillingState, theme: Theme) {
    let full = frame.area();
    let width = full.width.min(96);
    let area = Rect::new(
        full.x + (full.width - width) / 2,
        full.y + 1,
        width,
        full.height.saturating_sub(3),
    );
    frame.render_widget(Clear, area);
    let title = cut_end(
        &format!(" Billing · {} ", dialog.name),
        width.saturating_sub(4) as usize,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match &dialog.billing {
        None => vec![Line::from("reading the billing profile and invoices…")],
        Some(Err(err)) => vec![Line::styled(err.clone(), theme.bad())],
        Some(Ok(billing)) => body(billing, dialog.selected, inner, theme),
    };
    let body_area = Rect::new(inner.x, inner.y, inner.width, inner.height.saturating_sub(1));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body_area);
    let footer = "↑↓ invoice · Enter document · e export · n new profile · p edit it · Esc";
    let footer_area = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
    frame.render_widget(Paragraph::new(Line::styled(footer, theme.key())), footer_area);
}

fn label(text: &str, theme: Theme) -> Span<'static> {
    Span::styled(format!("{text:<11}"), theme.dim())
}

/// The profile's lines, then the page of invoices around the selection.
fn body(billing: &Billing, selected: usize, inner: Rect, theme: Theme) -> Vec<Line<'static>> {
    let width = inner.width as usize;
    let mut lines = match &billing.profile {
        None => vec![Line::styled(
            "no billing profile: :profile NAME bills it to one",
            theme.warn(),
        )],
        Some(p) => vec![
            Line::from(vec![
                label("Profile", theme),
                Span::raw(cut_end(&format!("{} · {}", p.name, payment(p)), width - 11)),
            ]),
            Line::from(vec![
                label("Contact", theme),
                Span::raw(cut_end(
                    &format!("{} <{}>", p.contact_name, p.contact_email),
                    width - 11,
                )),
            ]),
            Line::from(vec![
                label("Address", theme),
                Span::raw(cut_end(&p.address, width - 11)),
            ]),
            Line::from(vec![
                label("Changed by", theme),
                Span::raw(format!("the {} roles", p.editable_by.join(", "))),
            ]),
        ],
    };
    lines.push(Line::from(""));
    let count = billing.invoices.len();
    if count == 0 {
        lines.push(Line::styled("no invoices yet", theme.dim()));
        return lines;
    }
    lines.push(Line::styled(
        format!(
            "  {:<14} {:<10} {:<23} {:>13} {}",
            "Invoice", "Issued", "Period", "Amount", "Status"
        ),
        theme.header(),
    ));
    // Room left: the header above, the document line and the footer below.
    let room = (inner.height as usize).saturating_sub(lines.len() + 2).max(1);
    let first = selected.saturating_sub(room - 1).min(count.saturating_sub(room));
    for (index, invoice) in billing.invoices.iter().enumerate().skip(first).take(room) {
        let text = cut_end(&invoice_line(invoice, index == selected), width);
        let style = if index == selected {
            theme.selected()
        } else {
            status_style(&invoice.status, theme)
        };
        lines.push(Line::styled(text, style));
    }
    if let Some(invoice) = billing.invoices.get(selected) {
        let document = invoice.document.as_deref().unwrap_or("no document on record");
        lines.push(Line::from(vec![
            label(&format!("{}/{count}", selected + 1), theme),
            Span::raw(cut_end(document, width - 11)),
        ]));
    }
    lines
}

fn invoice_line(invoice: &InvoiceRow, selected: bool) -> String {
    format!(
        "{}{:<14} {:<10} {:<23} {:>13} {}",
        if selected { "▶ " } else { "  " },
        invoice.number,
        invoice.issued_on,
        format!("{} – {}", invoice.period_start, invoice.period_end),
        format!("{:.2} {}", invoice.amount, invoice.currency),
        invoice.status
    )
}

fn status_style(status: &str, theme: Theme) -> ratatui::style::Style {
    match status {
        "overdue" => theme.bad(),
        "due" => theme.warn(),
        _ => ratatui::style::Style::new(),
    }
}
