//! Device seats of device-assignable Apple assets (issue 8, R-APP-8):
//! Apple names devices by serial number. A device the cache knows by it
//! holds a seat row that mirrors Apple's assignment; one it doesn't know
//! is counted; a device seat assigned in seats is sent by serial, and a
//! device without one is refused, saying why, and rolled back.

use super::apple::demo_with_apple;
use super::support::{Connected, expect};

/// The pool of the device-assignable Apple asset, and its adamId.
fn device_pool(c: &Connected) -> (i64, String) {
    rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT p.id, a.external_id FROM pools p JOIN apps a ON a.id = p.app_id \
             WHERE p.source = 'apple_vpp' AND p.assignable_to = 'user_or_device' ORDER BY p.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// A device group named `name` of one device (`os`, with or without a
/// serial number) that holds no seat of `pool`: the device's name.
fn group_of_one(c: &Connected, name: &str, os: &str, serial: bool, pool: i64) -> String {
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    let device: (i64, String) = conn
        .query_row(
            &format!(
                "SELECT id, name FROM devices d WHERE os = ?1 AND serial_number IS {} NULL \
                 AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.device_id = d.id AND s.pool_id = ?2) \
                 ORDER BY id LIMIT 1",
                if serial { "NOT" } else { "" }
            ),
            rusqlite::params![os, pool],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute("INSERT INTO groups (name, kind) VALUES (?1, 'device')", [name])
        .unwrap();
    conn.execute(
        "INSERT INTO group_device_members (group_id, device_id) SELECT id, ?2 FROM groups WHERE name = ?1",
        rusqlite::params![name, device.0],
    )
    .unwrap();
    device.1
}

fn holds(c: &Connected, pool: i64, device: &str) -> i64 {
    c.count(&format!(
        "SELECT count(*) FROM assignments s JOIN devices d ON d.id = s.device_id \
         WHERE s.pool_id = {pool} AND d.name = '{device}'"
    ))
}

#[test]
fn apple_device_assignments_are_seat_rows_of_the_devices_the_cache_knows_by_serial() {
    let c = demo_with_apple();
    let (pool, _) = device_pool(&c);
    let known = c.count(&format!(
        "SELECT count(*) FROM assignments s JOIN devices d ON d.id = s.device_id \
         WHERE s.pool_id = {pool} AND d.serial_number IS NOT NULL"
    ));
    assert_eq!(known, 1, "the tenant's iPhone holds its seat by serial number");
    let (consumed, foreign, rows): (i64, i64, i64) = rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT consumed, foreign_consumed, (SELECT count(*) FROM assignments s WHERE s.pool_id = p.id \
               AND s.state <> 'error') FROM pools p WHERE id = ?1",
            [pool],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(foreign >= 1, "the device the tenant doesn't know is counted");
    assert_eq!(consumed, rows + foreign);
    // A second full sync keeps it: nothing added or removed.
    let (stdout, _) = expect(&c.seats(&["sync", "--connector", "Apple VPP", "--full"]), 0);
    assert!(stdout.contains("0 added, 0 updated, 0 removed"), "{stdout}");
    c.check_clean();
}

#[test]
fn a_device_seat_goes_to_apple_by_serial_and_one_without_a_serial_is_refused() {
    let c = demo_with_apple();
    let (pool, adam) = device_pool(&c);
    let pool_arg = pool.to_string();
    let ipad = group_of_one(&c, "Test iPads", "ios", true, pool);
    let (stdout, _) = expect(
        &c.seats(&["assign", "--pool", &pool_arg, "--group", "Test iPads"]),
        0,
    );
    assert!(stdout.ends_with("; applied at Apple VPP\n"), "{stdout}");
    let serial: String = rusqlite::Connection::open(&c.db)
        .unwrap()
        .query_row(
            "SELECT serial_number FROM devices WHERE name = ?1",
            [&ipad],
            |r| r.get(0),
        )
        .unwrap();
    let at_apple: i64 = rusqlite::Connection::open(c.graph.path("sim.db"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sim_apple_assignments WHERE adam_id = ?1 AND serial_number = ?2 AND active = 1",
            [&adam, &serial],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(at_apple, 1, "Apple holds it by serial number");
    expect(&c.seats(&["sync", "--connector", "Apple VPP", "--full"]), 0);
    assert_eq!(holds(&c, pool, &ipad), 1, "the next full pull keeps it");
    let uninvited = c.count(&format!(
        "SELECT count(*) FROM assignments s JOIN devices d ON d.id = s.device_id \
         WHERE s.pool_id = {pool} AND d.name = '{ipad}' AND s.invitation IS NULL AND s.state = 'active'"
    ));
    assert_eq!(uninvited, 1, "a device is never invited: its seat is active");

    // A Windows laptop can't take an iOS app's seat (B9, R-APP-4).
    let laptop = group_of_one(&c, "Test laptops", "windows", false, pool);
    let (_, stderr) = expect(
        &c.seats(&["assign", "--pool", &pool_arg, "--group", "Test laptops"]),
        3,
    );
    assert!(
        stderr.contains("installs only on ios devices") && stderr.contains(&format!("{laptop} (windows)")),
        "{stderr}"
    );
    assert_eq!(holds(&c, pool, &laptop), 0, "refused before anything changed");
    // An iPad the cache knows no serial number of can't be sent to Apple.
    rusqlite::Connection::open(&c.db)
        .unwrap()
        .execute(
            "UPDATE devices SET serial_number = NULL WHERE id = (SELECT id FROM devices d WHERE os = 'ios' \
             AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.device_id = d.id AND s.pool_id = ?1) \
             ORDER BY id DESC LIMIT 1)",
            [pool],
        )
        .unwrap();
    let unknown = group_of_one(&c, "iPads without serial", "ios", false, pool);
    let (_, stderr) = expect(
        &c.seats(&["assign", "--pool", &pool_arg, "--group", "iPads without serial"]),
        3,
    );
    assert!(
        stderr.contains(&format!("{unknown} has no serial number in seats"))
            && stderr.contains("rolled back"),
        "{stderr}"
    );
    assert_eq!(holds(&c, pool, &unknown), 0, "rolled back");
    c.check_clean();
}
