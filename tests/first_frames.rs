//! Issue 11: the console's first frame reads a window, not every row. The
//! lists whose count (Reclaim) or figures (Inventory, Utilization) are a
//! pass over every row give their rows first and the rest on a second
//! read; Installs and Detections walk indexes in their default order. Each
//! must give exactly the rows and figures of the full read.
#![allow(clippy::unwrap_used)]

mod common;

use common::{demo_db, fixed_now};
use seats::app::table::TableState;
use seats::app::{PaneId, Row};
use seats::store::reports::utilization;
use seats::store::{Page, PageRequest, installs, inventory, reclaim};

fn request(limit: usize) -> PageRequest {
    PageRequest {
        limit,
        as_of: Some(fixed_now().to_rfc3339()),
        ..PageRequest::default()
    }
}

#[test]
fn a_full_window_leaves_its_count_for_later_and_a_short_one_does_not() {
    let (_dir, _path, conn) = demo_db(300);
    let exact = reclaim::page(&conn, &request(20)).unwrap();
    assert!(
        exact.count > 20,
        "the demo has more reclaimable seats than a window"
    );
    let first = reclaim::page(
        &conn,
        &PageRequest {
            count_later: true,
            ..request(20)
        },
    )
    .unwrap();
    assert!(first.count_pending());
    assert_eq!(
        first.rows, exact.rows,
        "the same rows, only the count comes later"
    );
    let short = reclaim::page(
        &conn,
        &PageRequest {
            count_later: true,
            ..request(exact.count + 5)
        },
    )
    .unwrap();
    assert!(!short.count_pending(), "a short window is its own count");
    assert_eq!(short.count, exact.count);
}

#[test]
fn the_table_shows_the_rows_read_so_far_until_the_count_comes() {
    let (_dir, _path, conn) = demo_db(300);
    let mut table = TableState::new(PaneId::Reclaim);
    let mut fetch = table.reload();
    fetch.request.as_of = Some(fixed_now().to_rfc3339());
    fetch.request.count_later = true;
    let first = reclaim::page(&conn, &fetch.request).unwrap().map(Row::Reclaim);
    let held = first.rows.len();
    assert!(table.accept(fetch.generation, first, 20));
    assert!(table.counting);
    assert_eq!(table.count, Some(held), "never more rows than were read");
    fetch.request.count_later = false;
    let second = reclaim::page(&conn, &fetch.request).unwrap().map(Row::Reclaim);
    let count = second.count;
    assert!(
        table.accept(fetch.generation, second, 20),
        "the second reply of the same fetch"
    );
    assert!(!table.counting);
    assert_eq!(table.count, Some(count));
}

#[test]
fn inventory_titles_come_first_without_figures_then_with_them() {
    let (_dir, _path, conn) = demo_db(300);
    let first_frame = PageRequest {
        count_later: true,
        ..request(200)
    };
    let first = inventory::titles(&conn, &first_frame).unwrap();
    assert!(first.count_pending());
    assert!(first.rows.iter().all(|t| t.pending && t.computers == 0));
    let full = inventory::titles(&conn, &request(200)).unwrap();
    assert!(full.rows.iter().all(|t| !t.pending));
    assert!(full.rows.iter().any(|t| t.computers > 0));
    let names = |page: &Page<inventory::TitleRow>| page.rows.iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(names(&first), names(&full), "the same titles in the same order");
    // Once counted, a first frame reads them at once.
    let again = inventory::titles(&conn, &first_frame).unwrap();
    assert!(!again.count_pending());
    assert_eq!(again.rows, full.rows);
}

#[test]
fn utilization_comes_first_without_reclaimable_seats_then_with_them() {
    let (_dir, _path, conn) = demo_db(300);
    let first = utilization::page(
        &conn,
        &PageRequest {
            count_later: true,
            ..request(200)
        },
    )
    .unwrap();
    assert!(first.count_pending());
    assert!(first.rows.iter().all(|r| r.pending));
    let full = utilization::page(&conn, &request(200)).unwrap();
    assert!(full.rows.iter().any(|r| r.reclaimable > 0));
    let pools =
        |rows: &[utilization::UtilizationRow]| rows.iter().map(|r| (r.id, r.consumed)).collect::<Vec<_>>();
    assert_eq!(pools(&first.rows), pools(&full.rows));
}

/// Every row of a list in its first sort, read in windows of `limit`.
fn windows<T>(limit: usize, total: usize, mut read: impl FnMut(PageRequest) -> Page<T>) -> Vec<T> {
    let mut rows = Vec::new();
    let mut offset = 0;
    while offset < total {
        let page = read(PageRequest {
            offset,
            ..request(limit)
        });
        assert_eq!(page.count, total, "the count at offset {offset}");
        rows.extend(page.rows);
        offset += limit;
    }
    rows
}

#[test]
fn installs_walked_by_user_are_the_sorted_list() {
    let (_dir, _path, conn) = demo_db(300);
    // Descending is read the list's own way: reversed, it is the ascending order.
    let mut sorted = installs::page(
        &conn,
        &PageRequest {
            descending: true,
            ..request(1_000_000)
        },
    )
    .unwrap()
    .rows;
    sorted.reverse();
    assert!(sorted.iter().any(|i| i.user.is_none()) && sorted.iter().any(|i| i.user.is_some()));
    let walked = windows(37, sorted.len(), |r| installs::page(&conn, &r).unwrap());
    let ids = |rows: &[installs::InstallRow]| rows.iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(ids(&walked), ids(&sorted));
    assert_eq!(walked, sorted);
}

#[test]
fn detections_walked_by_computer_are_the_sorted_list() {
    let (_dir, _path, conn) = demo_db(300);
    let mut sorted = inventory::detections(
        &conn,
        &PageRequest {
            descending: true,
            ..request(1_000_000)
        },
    )
    .unwrap()
    .rows;
    sorted.reverse();
    assert!(!sorted.is_empty());
    let walked = windows(41, sorted.len(), |r| inventory::detections(&conn, &r).unwrap());
    assert_eq!(walked, sorted);
}
