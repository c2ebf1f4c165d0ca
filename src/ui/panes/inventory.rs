//! The Inventory view (titles of the software catalog, R-APP-10) and the
//! Detections view of one title: where it was seen and under which name.

use ratatui::text::Line;

use super::{Cell, Ctx, age_cell, field, field_cell};
use crate::store::inventory::{DetectionRow, NAMES_SHOWN, TitleRow};
use crate::ui::columns::Width;

/// Title, Publisher, Computers, Names, Versions, Seen.
pub const TITLE_WIDTHS: &[Width] = &[
    Width::Name { min: 14, weight: 2 },
    Width::Name { min: 8, weight: 1 },
    Width::Fit { min: 5, max: 9 },
    Width::Fit { min: 5, max: 6 },
    Width::Fit { min: 5, max: 8 },
    Width::Fit { min: 6, max: 9 },
];

/// Computer, User, Version, Detected as, Seen, Title.
pub const DETECTION_WIDTHS: &[Width] = &[
    Width::Name { min: 10, weight: 1 },
    Width::Address { min: 10, weight: 2 },
    Width::Fit { min: 7, max: 14 },
    Width::Name { min: 10, weight: 2 },
    Width::Fit { min: 6, max: 9 },
    Width::Name { min: 6, weight: 1 },
];

fn names_cell(row: &TitleRow, ctx: &Ctx) -> Cell {
    if row.mapped {
        Cell::styled(format!("{}*", row.names), ctx.theme.warn())
    } else {
        Cell::plain(row.names.to_string())
    }
}

/// What a figure still being counted shows (a first frame, issue 11).
const COUNTING: &str = "…";

pub fn title_cells(row: &TitleRow, ctx: &Ctx) -> Vec<Cell> {
    if row.pending {
        let mut cells = vec![Cell::plain(row.title.clone()), Cell::plain(row.publisher.clone())];
        cells.extend((0..4).map(|_| Cell::plain(COUNTING)));
        return cells;
    }
    vec![
        Cell::plain(row.title.clone()),
        Cell::plain(row.publisher.clone()),
        Cell::plain(row.computers.to_string()),
        names_cell(row, ctx),
        Cell::plain(row.versions.to_string()),
        age_cell(row.last_seen.as_deref(), ctx),
    ]
}

pub fn title_detail(row: &TitleRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let figure = |n: i64| {
        if row.pending {
            "counting…".to_owned()
        } else {
            n.to_string()
        }
    };
    let mut lines = vec![
        field("Title", row.title.clone(), ctx),
        field("Publisher", row.publisher.clone(), ctx),
        field("Computers", figure(row.computers), ctx),
        field("Versions", figure(row.versions), ctx),
    ];
    if row.detected_names.is_empty() {
        lines.push(field("Detected", "as the title itself", ctx));
    }
    for (index, (name, mapped)) in row.detected_names.iter().enumerate() {
        let label = if index == 0 { "Detected" } else { "" };
        let cell = if *mapped {
            Cell::styled(format!("{name}  (mapped by an admin)"), ctx.theme.warn())
        } else {
            Cell::plain(name.clone())
        };
        lines.push(field_cell(label, cell, ctx));
    }
    if row.names as usize > NAMES_SHOWN {
        let more = row.names as usize - NAMES_SHOWN;
        lines.push(field("", format!("and {more} more: seats products"), ctx));
    }
    lines.push(field(
        "Keys",
        "Enter computers · :map TITLE (in Detections) moves a name",
        ctx,
    ));
    lines
}

pub fn detection_cells(row: &DetectionRow, ctx: &Ctx) -> Vec<Cell> {
    vec![
        Cell::plain(row.computer.clone()),
        Cell::plain(row.user.clone().unwrap_or_else(|| "—".into())),
        Cell::plain(row.version.clone().unwrap_or_else(|| "—".into())),
        if row.mapped {
            Cell::styled(format!("{}*", row.detected_as), ctx.theme.warn())
        } else {
            Cell::plain(row.detected_as.clone())
        },
        age_cell(Some(&row.seen), ctx),
        Cell::plain(row.title.clone()),
    ]
}

pub fn detection_detail(row: &DetectionRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let counts = if row.mapped {
        Cell::styled(
            format!("{} (mapped by an admin; :unmap undoes it)", row.title),
            ctx.theme.warn(),
        )
    } else {
        Cell::plain(format!("{} (:map TITLE counts it elsewhere)", row.title))
    };
    let computer = if row.managed {
        row.computer.clone()
    } else {
        format!("{} (from an inventory file; no source manages it)", row.computer)
    };
    vec![
        field("Detected", row.detected_as.clone(), ctx),
        field_cell("Counts as", counts, ctx),
        field("Publisher", row.publisher.clone(), ctx),
        field("Version", row.version.clone().unwrap_or_else(|| "—".into()), ctx),
        field("Computer", computer, ctx),
        field("User", row.user.clone().unwrap_or_else(|| "—".into()), ctx),
        field("Seen", row.seen.clone(), ctx),
        field(
            "Reported",
            match &row.connector {
                Some(name) => format!("by Intune's detected apps ({name})"),
                None => "by no connector: an inventory import (or the demo's data)".to_owned(),
            },
            ctx,
        ),
    ]
}
