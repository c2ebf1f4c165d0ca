//! The client secret never leaves its file: after a full run (connect,
//! syncs, pushes, lists) at debug log level, no cache file, no output and
//! no log holds it (R-CON-9).

use std::path::{Path, PathBuf};

use super::support::{Graph, expect};

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_cache_file_output_or_log_holds_the_secret_after_a_full_run() {
    let graph = Graph::start();
    let secret = graph.secret();
    let db = graph.path("seats.db");
    let db_arg = db.to_str().unwrap().to_owned();
    let debug = [("SEATS_LOG", "debug")];
    let mut outputs = Vec::new();
    let connect = graph.connect(&[
        "--secret-file",
        graph.secret_file.to_str().unwrap(),
        "--db",
        &db_arg,
    ]);
    expect(&connect, 0);
    outputs.push(connect);
    let mut run = |args: &[&str], code: i32| {
        let out = graph.seats(&debug, &[args, &["--db", db_arg.as_str()]].concat());
        expect(&out, code);
        outputs.push(out);
    };
    run(&["sync"], 0);
    let (pool, upn): (i64, String) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT p.id, u.upn FROM pools p, users u WHERE p.source = 'graph' AND p.status = 'active' \
             AND p.total - p.consumed >= 2 AND u.enabled = 1 AND u.deleted = 0 AND u.usage_location IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pool_id = p.id AND a.user_id = u.id) \
             ORDER BY p.id, u.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let pool = pool.to_string();
    run(&["assign", "--pool", &pool, "--user", &upn], 0);
    run(&["unassign", "--pool", &pool, "--user", &upn, "--yes"], 0);
    run(&["sync", "--full"], 0);
    run(&["connectors", "--format", "json"], 0);
    run(&["audit", "--format", "json"], 0);

    let needle = secret.as_bytes();
    for out in &outputs {
        assert!(!contains(&out.stdout, needle) && !contains(&out.stderr, needle));
    }
    let log = graph.path("state/seats/seats.log");
    assert!(std::fs::metadata(&log).unwrap().len() > 0, "the run was logged");
    let mut searched = 0;
    for file in files(graph.home.path()) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        // The secret's own file, and the simulator's state (it is the
        // tenant that issued the secret), hold it by design.
        if name == "graph.secret" || name.starts_with("sim.db") {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        assert!(!contains(&bytes, needle), "{} holds the secret", file.display());
        searched += 1;
    }
    assert!(searched >= 2, "the cache and the log were searched");
}
