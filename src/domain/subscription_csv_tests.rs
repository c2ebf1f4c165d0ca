//! What a subscriptions file accepts beyond a new purchase: the rows
//! `seats subscriptions --format csv` lists (issue 10's round trip).

use super::*;

const HEAD: &str = "name,publisher,kind,channel,region,pricing,quantity,status,disabled_reason\n";

fn parsed(rows: &str) -> Result<Vec<Purchase>, Vec<String>> {
    parse(format!("{HEAD}{rows}").as_bytes())
}

#[test]
fn a_disabled_row_keeps_its_reason_and_may_share_a_live_one_s_name() {
    let rows = parsed(
        "Chat,Fabrikam,saas,direct,US,per_seat,5,disabled,payment_lapsed\n\
         Chat,Fabrikam,saas,direct,US,per_seat,5,active,\n\
         Old,Fabrikam,saas,direct,US,per_seat,5,disabled,\n",
    )
    .unwrap();
    assert_eq!(rows[0].disabled_reason.as_deref(), Some("payment_lapsed"));
    assert_eq!(rows[1].disabled_reason, None);
    assert_eq!(
        rows[2].disabled_reason.as_deref(),
        Some("cancelled"),
        "the default"
    );
}

#[test]
fn two_live_rows_may_not_share_a_name_and_a_reason_needs_disabled() {
    let problems = parsed(
        "Chat,Fabrikam,saas,direct,US,per_seat,5,active,\n\
         Chat,Fabrikam,saas,direct,US,per_seat,5,,\n\
         Docs,Fabrikam,saas,direct,US,per_seat,5,active,expired\n",
    )
    .unwrap_err();
    assert!(
        problems.iter().any(|p| p.contains("line 3, column name")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("line 4, column disabled_reason") && p.contains("disabled subscription only")),
        "{problems:?}"
    );
}

#[test]
fn only_an_isv_app_may_come_without_a_channel() {
    let rows = parsed("Maps,Proseware,isv,,US,,,active,\n").unwrap();
    assert_eq!(rows[0].channel, "");
    let problems = parsed("Chat,Fabrikam,saas,,US,per_seat,5,,\n").unwrap_err();
    assert!(problems[0].contains("column channel: empty"), "{problems:?}");
}

#[test]
fn a_quantity_above_ten_million_is_refused() {
    let problems = parsed("Chat,Fabrikam,saas,direct,US,per_seat,4000000000,,\n").unwrap_err();
    assert!(
        problems[0].contains("more than the 10,000,000 seats"),
        "{problems:?}"
    );
    assert!(parsed("Chat,Fabrikam,saas,direct,US,per_seat,10000000,,\n").is_ok());
}
