//! `seats import inventory` and `seats products` as other tools see them
//! (issue 9, R-APP-10): stdout, stderr, JSON keys and the exit codes of the
//! contract (2 bad file or input, 4 read-only).
#![allow(clippy::unwrap_used)]

mod common;

use common::cache::Cache;

impl Cache {
    fn products(&self) -> Vec<serde_json::Value> {
        let (stdout, _) = self.expect(&["products", "--format", "json"], 0);
        serde_json::from_str(&stdout).unwrap()
    }
}

const GOOD: &[u8] = b"\xEF\xBB\xBFComputer,User,Publisher,Product,Version,Last seen,Serial\r\n\
    INV-PC-1,ana@contoso.com,Adobe,Adobe Acrobat Pro 2024 (64-bit),24.1,2026-11-20,S1\r\n\
    INV-PC-2,,Adobe,\"Adobe Acrobat Pro 2024\",24.1,,S2\r\n\
    INV-PC-2,,\"Zoom, Inc.\",Zoom Workplace x64,6.2,2026-11-21,S3\r\n";

#[test]
fn an_import_adds_its_rows_once_and_products_shows_one_acrobat_title() {
    let cache = Cache::new();
    let file = cache.file("inv.csv", GOOD);
    let before = cache.count("SELECT count(*) FROM inventory");
    let (stdout, _) = cache.expect(&["import", "inventory", &file, "--dry-run"], 0);
    assert!(
        stdout.contains("would import 3 rows") && stdout.contains("nothing was changed"),
        "{stdout}"
    );
    assert_eq!(cache.count("SELECT count(*) FROM inventory"), before);
    let (stdout, _) = cache.expect(&["import", "inventory", &file], 0);
    assert!(
        stdout.contains("imported 3 rows") && stdout.contains("3 added"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 computers new to the cache") && stdout.contains("columns ignored: Serial"),
        "{stdout}"
    );
    let (stdout, _) = cache.expect(&["import", "inventory", &file], 0);
    assert!(stdout.contains("0 added, 0 updated, 3 unchanged"), "{stdout}");
    assert_eq!(cache.count("SELECT count(*) FROM inventory"), before + 3);
    let products = cache.products();
    let acrobat: Vec<&serde_json::Value> = products
        .iter()
        .filter(|p| {
            p["raw_names"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "Adobe Acrobat Pro 2024 (64-bit)")
        })
        .collect();
    assert_eq!(acrobat.len(), 1, "{products:?}");
    assert_eq!(acrobat[0]["title"], "Adobe Acrobat Pro 2024");
    assert_eq!(acrobat[0]["raw_names"].as_array().unwrap().len(), 2);
    assert!(acrobat[0]["computers"].as_i64().unwrap() >= 2);
    for key in ["title", "publisher", "raw_names", "overridden", "computers"] {
        assert!(acrobat[0].get(key).is_some(), "{key} missing");
    }
}

#[test]
fn a_bad_file_imports_nothing_and_lists_every_bad_line_exit_2() {
    let cache = Cache::new();
    let bad = b"computer,publisher,product,last seen\nPC-1,Adobe,Acrobat,30-11-2026\nPC-2,Adobe,,\nPC-3,Adobe,Reader,\n";
    let file = cache.file("bad.csv", bad);
    let before = cache.count("SELECT count(*) FROM inventory");
    let (_, stderr) = cache.expect(&["import", "inventory", &file], 2);
    assert!(
        stderr.contains("nothing was imported: 2 problems (2 bad lines)"),
        "{stderr}"
    );
    assert!(stderr.contains("line 2, column 4 (last seen)"), "{stderr}");
    assert!(
        stderr.contains("line 3, column 3 (product): no product"),
        "{stderr}"
    );
    assert_eq!(cache.count("SELECT count(*) FROM inventory"), before);
    let missing = cache.file("cols.csv", b"computer,version\nPC-1,1\n");
    let (_, stderr) = cache.expect(&["import", "inventory", &missing], 2);
    assert!(stderr.contains("the header has no publisher column"), "{stderr}");
    let (_, stderr) = cache.expect(&["import", "inventory", &cache.file("e.csv", b"")], 2);
    assert!(stderr.contains("empty"), "{stderr}");
}

#[test]
fn map_and_unmap_move_a_raw_name_audited_and_read_only_refuses_exit_4() {
    let cache = Cache::new();
    let file = cache.file("inv.csv", GOOD);
    cache.expect(&["--read-only", "import", "inventory", &file], 4);
    cache.expect(&["import", "inventory", &file], 0);
    let (stdout, _) = cache.expect(&["products", "map", "Zoom Workplace x64", "Zoom Meetings"], 0);
    assert!(
        stdout.contains("1 detected name and 1 inventory row moved"),
        "{stdout}"
    );
    let zoom = cache
        .products()
        .into_iter()
        .find(|p| p["title"] == "Zoom Meetings")
        .unwrap();
    assert_eq!(zoom["overridden"][0], "Zoom Workplace x64");
    let (stdout, _) = cache.expect(&["products", "unmap", "Zoom Workplace x64"], 0);
    assert!(stdout.contains("counts as its normalised name again"), "{stdout}");
    cache.expect(&["products", "unmap", "Zoom Workplace x64"], 2);
    let audited =
        "SELECT count(*) FROM audit WHERE action IN ('product_map', 'product_unmap', 'inventory_import')";
    assert!(cache.count(audited) >= 3);
    let (stdout, _) = cache.expect(&["products", "--format", "csv"], 0);
    assert!(
        stdout.starts_with("title,publisher,raw_names,computers\n"),
        "{stdout}"
    );
}
