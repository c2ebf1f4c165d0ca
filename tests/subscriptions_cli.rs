//! The subscription twins as other tools see them (issue 10, R-SUB-1..7,
//! R-LIC-8): the built binary, its JSON keys and exit codes — 3 for a
//! forbidden transition or quantity, 2 for an unknown id.
#![allow(clippy::unwrap_used)]

mod common;

use common::cache::Cache;
use serde_json::Value;

fn by_name(cache: &Cache, name: &str) -> Value {
    let rows = cache.json(&["subscriptions"]);
    rows.into_iter().find(|r| r["name"] == name).unwrap()
}

fn id(row: &Value) -> String {
    row["id"].as_i64().unwrap().to_string()
}

#[test]
fn subscriptions_list_with_the_contract_s_keys() {
    let cache = Cache::new();
    let rows = cache.json(&["subscriptions"]);
    let keys = [
        "id",
        "name",
        "publisher",
        "kind",
        "channel",
        "pricing",
        "status",
        "disabled_reason",
        "quantity",
        "consumed",
        "price",
        "currency",
        "period",
        "term_end",
        "region",
        "billing_profile",
        "vendor_managed",
    ];
    for row in &rows {
        let object = row.as_object().unwrap();
        let mut got: Vec<&str> = object.keys().map(String::as_str).collect();
        got.sort_unstable();
        let mut want = keys.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{row}");
        assert!(["saas", "isv"].contains(&row["kind"].as_str().unwrap()));
    }
    let flat = by_name(&cache, "Litware Whiteboard");
    assert_eq!(flat["pricing"], "flat");
    assert_eq!(flat["quantity"], Value::Null, "flat-rate is unlimited (R-SUB-2)");
    assert_eq!(flat["channel"], "direct");
    assert_eq!(by_name(&cache, "Adatum Sign")["channel"], "proposal");
    assert_eq!(by_name(&cache, "Adatum Sign")["status"], "pending_activation");
    let lapsed = by_name(&cache, "Tailspin Survey");
    assert_eq!(lapsed["status"], "disabled");
    assert_eq!(lapsed["disabled_reason"], "payment_lapsed");
    assert_eq!(by_name(&cache, "Relecloud Backup")["vendor_managed"], true);
    let pending = cache.json(&["subscriptions", "--filter", "status:pending"]);
    assert_eq!(pending.len(), 1);
    // Warnings as for tokens: ending within 30 days, lapsed with seats.
    let (table, _) = cache.expect(&["subscriptions"], 0);
    assert!(table.contains("warning: Wingtip Analytics ends in "), "{table}");
    assert!(
        table.contains("warning: Tailspin Survey is disabled (payment lapsed)"),
        "{table}"
    );
    assert!(
        !table.contains("warning: Fabrikam CRM"),
        "ends in months: {table}"
    );
}

/// R-SUB-3, R-SUB-4: activation lets seats be assigned; disabled is final.
#[test]
fn activate_then_cancel_and_nothing_brings_it_back() {
    let cache = Cache::new();
    let adatum = id(&by_name(&cache, "Adatum Sign"));
    let user = cache
        .json(&["users"])
        .into_iter()
        .map(|u| u["upn"].as_str().unwrap().to_owned())
        .next()
        .unwrap();
    let (_, stderr) = cache.expect(&["assign", "--pool", &adatum, "--user", &user], 3);
    assert!(stderr.contains("not activated yet"), "{stderr}");
    let (stdout, _) = cache.expect(&["subscription", "activate", &adatum], 0);
    assert!(stdout.contains("Adatum Sign is active"), "{stdout}");
    let (_, stderr) = cache.expect(&["subscription", "activate", &adatum], 3);
    assert!(stderr.contains("active already"), "{stderr}");
    cache.expect(&["assign", "--pool", &adatum, "--user", &user], 0);
    assert_eq!(by_name(&cache, "Adatum Sign")["consumed"], 1);

    // Cancel needs --yes off a terminal and changes nothing without it.
    let (_, stderr) = cache.expect(&["subscription", "cancel", &adatum], 2);
    assert!(stderr.contains("pass --yes"), "{stderr}");
    assert_eq!(by_name(&cache, "Adatum Sign")["status"], "active");
    let (stdout, _) = cache.expect(&["subscription", "cancel", &adatum, "--yes"], 0);
    assert!(stdout.contains("1 seat(s) released"), "{stdout}");
    let row = by_name(&cache, "Adatum Sign");
    assert_eq!(row["status"], "disabled");
    assert_eq!(row["disabled_reason"], "cancelled");
    assert_eq!(row["consumed"], 0, "its seats went with it (R-SUB-7)");
    let (_, stderr) = cache.expect(&["subscription", "activate", &adatum], 3);
    assert!(stderr.contains("buy another copy"), "{stderr}");
    cache.expect(&["subscription", "cancel", &adatum, "--yes"], 3);
    let (_, stderr) = cache.expect(&["assign", "--pool", &adatum, "--user", &user], 3);
    assert!(stderr.contains("disabled"), "{stderr}");
    let audited = cache.count(
        "SELECT count(*) FROM audit WHERE action IN ('subscription_activate', 'cancel') AND result = 'ok'",
    );
    assert_eq!(audited, 2);
}

/// R-SUB-5, R-LIC-8.
#[test]
fn quantity_is_for_seat_based_ones_and_never_below_the_seats_in_use() {
    let cache = Cache::new();
    let crm = by_name(&cache, "Fabrikam CRM");
    let in_use = crm["consumed"].as_i64().unwrap();
    assert!(in_use > 1);
    let below = (in_use - 1).to_string();
    let (_, stderr) = cache.expect(&["subscription", "quantity", &id(&crm), &below], 3);
    assert!(
        stderr.contains(&format!("{in_use} seats are in use: release 1 first")),
        "{stderr}"
    );
    let more = (in_use + 5).to_string();
    cache.expect(&["subscription", "quantity", &id(&crm), &more], 0);
    assert_eq!(by_name(&cache, "Fabrikam CRM")["quantity"], in_use + 5);
    let flat = id(&by_name(&cache, "Litware Whiteboard"));
    let (_, stderr) = cache.expect(&["subscription", "quantity", &flat, "10"], 3);
    assert!(stderr.contains("nothing to change"), "{stderr}");
    let isv = id(&by_name(&cache, "Relecloud Backup"));
    let (_, stderr) = cache.expect(&["subscription", "quantity", &isv, "99"], 3);
    assert!(stderr.contains("the vendor manages its quantity"), "{stderr}");
    cache.expect(&["subscription", "quantity", "999999", "5"], 2);
    let (_, stderr) = cache.expect(&["--read-only", "subscription", "quantity", &id(&crm), "99"], 4);
    assert!(stderr.contains("--read-only"), "{stderr}");
    assert_eq!(by_name(&cache, "Fabrikam CRM")["quantity"], in_use + 5);
}

/// R-SUB-6: profiles show a card's last four digits only; a profile's
/// roles decide who may bill to it; invoices list per subscription.
#[test]
fn billing_profiles_invoices_and_switching_a_profile() {
    let cache = Cache::new();
    let profiles = cache.json(&["billing-profiles"]);
    let card = profiles
        .iter()
        .find(|p| p["payment_method"] == "credit_card")
        .unwrap();
    assert_eq!(card["card_last4"], "4242");
    let text = serde_json::to_string(&profiles).unwrap();
    assert!(!text.contains("4242 4242"), "no full number: {text}");
    let crm = by_name(&cache, "Fabrikam CRM");
    let target = profiles
        .iter()
        .find(|p| p["name"] != crm["billing_profile"])
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    cache.expect(&["subscription", "profile", &id(&crm), &target], 0);
    assert_eq!(
        by_name(&cache, "Fabrikam CRM")["billing_profile"],
        target.as_str()
    );
    let (_, stderr) = cache.expect(&["subscription", "profile", &id(&crm), "Nope"], 2);
    assert!(stderr.contains("seats billing-profiles"), "{stderr}");
    let lapsed = id(&by_name(&cache, "Tailspin Survey"));
    let invoices = cache.json(&["invoices", &lapsed]);
    assert_eq!(invoices.len(), 12);
    assert_eq!(invoices[0]["status"], "overdue");
    assert!(invoices.iter().all(|i| i["subscription"] == "Tailspin Survey"));
    cache.expect(&["invoices", "999999"], 2);
}

const GOOD: &[u8] = b"\xEF\xBB\xBFName,Publisher,Kind,Channel,Pricing,Quantity,Price,Currency,Period,Starts,Ends,Region,Billing Profile,Activation URL\r\n\
Northwind Chat,Northwind Traders,saas,direct,per_seat,25,4.50,eur,monthly,2026-12-01,2027-11-30,NL,Corporate card,https://northwind.example/activate\r\n\
\r\n\
\"Contoso Maps, Pro\",Contoso Ltd,saas,proposal,flat,,1200,USD,annual,2026-12-01,2027-11-30,United States,,\r\n";

/// Issue 10: a purchase file records pending subscriptions; seats can't
/// be assigned before activation.
#[test]
fn import_records_purchases_pending_activation() {
    let cache = Cache::new();
    let file = cache.file("purchases.csv", GOOD);
    let before = cache.count("SELECT count(*) FROM pools");
    let (stdout, _) = cache.expect(&["import", "subscriptions", &file, "--dry-run"], 0);
    assert!(stdout.contains("would record 2 subscription(s)"), "{stdout}");
    assert_eq!(
        cache.count("SELECT count(*) FROM pools"),
        before,
        "a dry run changes nothing"
    );
    let (stdout, _) = cache.expect(&["import", "subscriptions", &file], 0);
    assert!(stdout.contains("recorded 2 subscription(s)"), "{stdout}");
    let chat = by_name(&cache, "Northwind Chat");
    assert_eq!(chat["status"], "pending_activation");
    assert_eq!(chat["quantity"], 25);
    assert_eq!(chat["price"], 4.5);
    assert_eq!(chat["currency"], "EUR");
    assert_eq!(chat["region"], "Western Europe");
    assert_eq!(chat["billing_profile"], "Corporate card");
    let maps = by_name(&cache, "Contoso Maps, Pro");
    assert_eq!(maps["pricing"], "flat");
    assert_eq!(maps["quantity"], Value::Null);
    assert_eq!(maps["channel"], "proposal");
    // The same file again clashes with what it recorded: nothing added.
    let (_, stderr) = cache.expect(&["import", "subscriptions", &file], 2);
    assert!(
        stderr.contains("line 2, column name: \"Northwind Chat\" is a subscription already"),
        "{stderr}"
    );
    assert_eq!(cache.count("SELECT count(*) FROM pools"), before + 2);
}

/// R-SUB-8 and the all-or-nothing rule: every bad row is listed with its
/// line, column and value, and nothing is recorded.
#[test]
fn a_bad_file_lists_every_problem_and_records_nothing() {
    let cache = Cache::new();
    let bad = b"name,publisher,kind,channel,pricing,quantity,region,ends,starts\n\
Ok One,P,saas,direct,per_seat,3,US,,\n\
Tokyo Tool,P,saas,direct,per_seat,3,JP,,\n\
Bad Kind,P,desktop,reseller,per_seat,0,DE,2026-01-01,2026-02-01\n\
Flat Seats,P,saas,partner,flat,10,FR,,\n";
    let file = cache.file("bad.csv", bad);
    let before = cache.count("SELECT count(*) FROM pools");
    let (_, stderr) = cache.expect(&["import", "subscriptions", &file], 2);
    for expected in [
        "nothing was imported",
        "line 3, column region: third-party apps are not sold in \"JP\"",
        "Western Europe",
        "line 4, column kind: \"desktop\" is not one of saas, isv",
        "line 4, column channel: \"reseller\" is not one of direct, partner, proposal",
        "line 4, column quantity: \"0\" is not a whole number",
        "line 4, column ends: \"2026-01-01\" is not after starts (2026-02-01)",
        "line 5, column quantity: \"10\" is given for a flat-rate purchase",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("line 2"), "line 2 is fine: {stderr}");
    assert_eq!(cache.count("SELECT count(*) FROM pools"), before);
    let missing = cache.file("short.csv", b"name,publisher\nA,B\n");
    let (_, stderr) = cache.expect(&["import", "subscriptions", &missing], 2);
    assert!(
        stderr.contains("the header lacks the column(s) kind, channel, region"),
        "{stderr}"
    );
    let empty = cache.file("empty.csv", b"");
    let (_, stderr) = cache.expect(&["import", "subscriptions", &empty], 2);
    assert!(stderr.contains("the file is empty"), "{stderr}");
}

/// R-SUB-4: a disabled subscription is bought again as a new purchase.
#[test]
fn a_disabled_subscription_is_bought_again_under_its_name() {
    let cache = Cache::new();
    let lapsed = by_name(&cache, "Tailspin Survey");
    assert_eq!(lapsed["status"], "disabled");
    let file = cache.file(
        "again.csv",
        b"name,publisher,kind,channel,pricing,quantity,region\nTailspin Survey,Tailspin Toys,saas,direct,per_seat,5,US\n",
    );
    cache.expect(&["import", "subscriptions", &file], 0);
    let rows = cache.json(&["subscriptions", "--filter", "name:tailspin"]);
    let states: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(rows.len(), 2, "{states:?}");
    assert!(
        states.contains(&"disabled") && states.contains(&"pending_activation"),
        "{states:?}"
    );
}

/// Reported defect: the term end under the column name `seats subscriptions
/// --format csv` gives it (`term_end`) was silently dropped on import.
#[test]
fn the_term_end_is_read_under_the_name_the_listing_gives_it() {
    let cache = Cache::new();
    let file = cache.file(
        "terms.csv",
        b"name,publisher,kind,channel,region,pricing,quantity,term_end\n\
          Term Test,Tailspin Toys,saas,direct,United States,per_seat,5,2027-06-01\n",
    );
    cache.expect(&["import", "subscriptions", &file], 0);
    assert_eq!(by_name(&cache, "Term Test")["term_end"], "2027-06-01");
}

/// Reported defect: a quantity that is not a number was also called empty.
#[test]
fn a_bad_quantity_is_named_once() {
    let cache = Cache::new();
    let file = cache.file(
        "bad-quantity.csv",
        b"name,publisher,kind,channel,region,pricing,quantity\n\
          Bad Count,Tailspin Toys,saas,direct,United States,per_seat,abc\n",
    );
    let (_, stderr) = cache.expect(&["import", "subscriptions", &file], 2);
    assert_eq!(stderr.matches("line 2, column quantity").count(), 1, "{stderr}");
    assert!(
        stderr.contains("\"abc\" is not a whole number of 1 or more"),
        "{stderr}"
    );
}

/// Issue 10: `seats subscriptions --format csv` is what `seats import
/// subscriptions` reads — price and currency apart, an empty quantity for
/// unlimited, disabled ones with their reason — so the listing imports into
/// a fresh cache (its billing profiles made first) and lists the same there.
#[test]
fn the_csv_listing_imports_into_a_fresh_cache_as_it_was() {
    let cache = Cache::new();
    let (listing, _) = cache.expect(&["subscriptions", "--format", "csv"], 0);
    let header = listing.lines().next().unwrap();
    assert!(header.contains(",price,currency,"), "{header}");
    assert!(
        listing.contains(",flat,active,,,"),
        "unlimited is an empty quantity: {listing}"
    );
    let file = cache.file("listing.csv", listing.as_bytes());

    let fresh = cache.home.path().join("fresh.db");
    {
        let conn = seats::store::open(&fresh, seats::store::OpenMode::Create).unwrap();
        conn.execute(
            "INSERT INTO admins (os_user, role, added_at, added_by) VALUES (?1, 'global', '2026-01-01', 'test')",
            [common::me()],
        )
        .unwrap();
    }
    let on_fresh = |args: &[&str], code: i32| -> String {
        let out = common::run_seats(
            cache.home.path(),
            &[args, &["--db", fresh.to_str().unwrap()]].concat(),
        );
        let (stdout, stderr) = (common::text(&out.stdout), common::text(&out.stderr));
        assert_eq!(out.status.code(), Some(code), "{args:?}\n{stdout}\n{stderr}");
        stdout
    };
    let profile = |name: &str, how: &[&str]| {
        let args = [
            &["billing-profile", "add", name][..],
            how,
            &[
                "--contact",
                "Ap",
                "--email",
                "ap@example.com",
                "--address",
                "Main St 1",
            ],
        ]
        .concat();
        on_fresh(&args, 0);
    };
    profile("Corporate card", &["--card", "4242"]);
    profile("Procurement (wire)", &["--wire"]);
    let rows = listing.lines().count() - 1;
    let dry = on_fresh(&["import", "subscriptions", &file, "--dry-run"], 0);
    assert!(
        dry.contains(&format!("would record {rows} subscription(s)")),
        "{dry}"
    );
    on_fresh(&["import", "subscriptions", &file], 0);
    let again = on_fresh(&["subscriptions", "--format", "csv"], 0);
    // id and consumed are each cache's own; every other column came along.
    let strip = |csv: &str| -> Vec<String> {
        csv.lines()
            .map(|line| {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(line.as_bytes());
                let record = reader.records().next().unwrap().unwrap();
                record
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != 0 && *i != 9)
                    .map(|(_, cell)| cell.to_owned())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    };
    assert_eq!(strip(&again), strip(&listing));
}
