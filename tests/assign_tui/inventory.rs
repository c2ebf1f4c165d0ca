//! The Inventory view by keyboard (issue 9, R-APP-10): titles with the
//! names that count as them, Enter lists the computers, `:map TITLE` and
//! `:unmap` move a detected name to another title after the preview.

use super::*;

fn palette(c: &mut Console, line: &str) {
    c.key(KeyCode::Char(':'));
    c.chars(line);
    c.key(KeyCode::Enter);
}

/// Detections of `raw` that count as `title`, straight from the cache.
fn counted_as(conn: &Connection, raw: &str, title: &str) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM inventory i JOIN product_raw_names r ON r.id = i.raw_name_id \
         JOIN products p ON p.id = i.product_id WHERE r.raw = ?1 AND p.title = ?2",
        [raw, title],
        |r| r.get(0),
    )
    .unwrap()
}

fn preview_text(c: &Console) -> String {
    match &c.state.overlay {
        Overlay::Preview(p) => p
            .preview
            .as_ref()
            .map(|p| {
                p.lines
                    .iter()
                    .map(|l| l.text.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default(),
        other => panic!("expected the preview, got {other:?}"),
    }
}

#[test]
fn inventory_lists_titles_and_enter_lists_the_computers_of_one() {
    let mut c = Console::new();
    palette(&mut c, "inventory");
    assert_eq!(c.state.pane, PaneId::Inventory);
    c.filter("7-Zip");
    let Some(Row::Title(title)) = c.state.table().selected_row().cloned() else {
        panic!("no title selected: {}", c.screen());
    };
    let computers: i64 = c
        .conn
        .query_row(
            "SELECT count(DISTINCT device_id) FROM inventory WHERE product_id = ?1",
            [title.id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(computers > 0);
    assert_eq!(title.computers, computers);
    assert_eq!(title.names, 2, "its own name and the (64-bit) one");
    c.key(KeyCode::Enter);
    assert_eq!(c.state.pane, PaneId::Detections);
    assert_eq!(c.state.table().count, Some(computers as usize));
    assert!(c.screen().contains("Detections of 7-Zip"), "{}", c.screen());
    // Esc goes back to the titles.
    c.key(KeyCode::Esc);
    assert_eq!(c.state.pane, PaneId::Inventory);
}

#[test]
fn map_moves_a_detected_name_to_another_title_as_previewed_and_unmap_takes_it_back() {
    let mut c = Console::new();
    let wide = counted_as(&c.conn, "7-Zip (64-bit)", "7-Zip");
    assert!(wide > 0, "the demo detects 7-Zip under its 64-bit name");
    palette(&mut c, "detections");
    c.filter("name:64-bit 7-zip");
    let Some(Row::Detection(d)) = c.state.table().selected_row().cloned() else {
        panic!("no detection: {}", c.screen());
    };
    assert_eq!(d.detected_as, "7-Zip (64-bit)");
    palette(&mut c, "map 7-Zip Enterprise");
    let preview = preview_text(&c);
    assert!(
        preview.contains(&format!("{wide} detections move")),
        "the preview counts what moves: {preview}"
    );
    c.key(KeyCode::Enter);
    assert!(
        c.flash().contains(&format!("{wide} detections moved")),
        "{}",
        c.flash()
    );
    assert_eq!(counted_as(&c.conn, "7-Zip (64-bit)", "7-Zip Enterprise"), wide);
    assert_eq!(counted_as(&c.conn, "7-Zip (64-bit)", "7-Zip"), 0);
    let audited: i64 = c
        .conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'product_map'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    // The Inventory view shows the new title, marked as mapped.
    c.send(Msg::Worker(seats::app::WorkerEvent::DataChanged));
    palette(&mut c, "inventory");
    c.filter("Enterprise");
    let Some(Row::Title(title)) = c.state.table().selected_row().cloned() else {
        panic!("no title: {}", c.screen());
    };
    assert_eq!(title.title, "7-Zip Enterprise");
    assert!(title.mapped);
    assert_eq!(title.detected_names, vec![("7-Zip (64-bit)".to_owned(), true)]);
    // :unmap on one of its detections counts them as detected again.
    c.key(KeyCode::Enter);
    palette(&mut c, "unmap");
    assert!(preview_text(&c).contains(&format!("{wide} detections move")));
    c.key(KeyCode::Enter);
    assert_eq!(counted_as(&c.conn, "7-Zip (64-bit)", "7-Zip"), wide);
}

#[test]
fn map_outside_detections_is_refused_with_where_to_go() {
    let mut c = Console::new();
    palette(&mut c, "map Something");
    assert!(matches!(c.state.overlay, Overlay::None));
    assert!(c.flash().contains("select a detection first"), "{}", c.flash());
}
