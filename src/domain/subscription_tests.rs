use super::*;

/// R-SUB-3, R-SUB-4: every state × action pair, the forbidden ones too.
#[test]
fn every_transition_is_the_table_s() {
    use DisabledReason::*;
    use SubAction::*;
    use SubStatus::*;
    let table: &[(SubStatus, SubAction, Result<SubStatus, TransitionRefused>)] = &[
        (PendingActivation, Activate, Ok(Active)),
        (PendingActivation, Cancel, Ok(Disabled(Cancelled))),
        (PendingActivation, Expire, Err(TransitionRefused::NotActive)),
        (PendingActivation, LapsePayment, Err(TransitionRefused::NotActive)),
        (Active, Activate, Err(TransitionRefused::AlreadyActive)),
        (Active, Cancel, Ok(Disabled(Cancelled))),
        (Active, Expire, Ok(Disabled(Expired))),
        (Active, LapsePayment, Ok(Disabled(PaymentLapsed))),
    ];
    let mut seen = 0;
    for status in SubStatus::ALL {
        for action in SubAction::ALL {
            let got = transition(status, action);
            match status {
                Disabled(reason) => {
                    assert_eq!(
                        got,
                        Err(TransitionRefused::Final(reason)),
                        "{status:?} {action:?}"
                    )
                }
                _ => {
                    let want = table
                        .iter()
                        .find(|(s, a, _)| *s == status && *a == action)
                        .map(|(_, _, want)| want.clone())
                        .unwrap();
                    assert_eq!(got, want, "{status:?} {action:?}");
                    seen += 1;
                }
            }
        }
    }
    assert_eq!(seen, table.len(), "the table covers every live pair");
}

#[test]
fn disabled_is_final_and_says_to_buy_another_copy() {
    let text = transition(
        SubStatus::Disabled(DisabledReason::PaymentLapsed),
        SubAction::Activate,
    )
    .unwrap_err()
    .to_string();
    assert!(text.contains("payment lapsed"), "{text}");
    assert!(text.contains("buy another copy"), "{text}");
}

/// R-SUB-5, R-LIC-8.
#[test]
fn quantity_rules() {
    let active = SubStatus::Active;
    let q = |pricing, vendor, status, current, in_use, wanted| {
        check_quantity(pricing, vendor, status, current, in_use, wanted)
    };
    assert_eq!(q(Pricing::PerSeat, false, active, Some(10), 4, 6), Ok(()));
    assert_eq!(q(Pricing::PerSeat, false, active, Some(10), 4, 4), Ok(()));
    assert_eq!(
        q(Pricing::PerSeat, false, active, Some(10), 7, 5),
        Err(QuantityRefused::BelowInUse {
            in_use: 7,
            release: 2
        })
    );
    assert!(
        QuantityRefused::BelowInUse {
            in_use: 7,
            release: 2
        }
        .to_string()
        .contains("release 2 first")
    );
    assert_eq!(
        q(Pricing::Flat, false, active, None, 3, 5),
        Err(QuantityRefused::FlatRate)
    );
    assert_eq!(
        q(Pricing::PerSeat, true, active, Some(5), 0, 9),
        Err(QuantityRefused::VendorManaged)
    );
    assert_eq!(
        q(
            Pricing::PerSeat,
            false,
            SubStatus::Disabled(DisabledReason::Expired),
            Some(5),
            0,
            9
        ),
        Err(QuantityRefused::Disabled(DisabledReason::Expired))
    );
    assert_eq!(
        q(Pricing::PerSeat, false, active, Some(5), 0, 0),
        Err(QuantityRefused::NotPositive)
    );
    assert_eq!(
        q(Pricing::PerSeat, false, active, Some(5), 0, 5),
        Err(QuantityRefused::Unchanged)
    );
    // A sanity limit: ten million seats, not four billion.
    assert_eq!(q(Pricing::PerSeat, false, active, Some(5), 0, 10_000_000), Ok(()));
    assert_eq!(
        q(Pricing::PerSeat, false, active, Some(5), 0, 4_000_000_000),
        Err(QuantityRefused::TooMany(4_000_000_000))
    );
    assert!(
        QuantityRefused::TooMany(4_000_000_000)
            .to_string()
            .contains("more than the 10,000,000")
    );
    // A pending purchase may be resized before activation.
    assert_eq!(
        q(
            Pricing::PerSeat,
            false,
            SubStatus::PendingActivation,
            Some(5),
            0,
            8
        ),
        Ok(())
    );
}

/// R-SUB-8.
#[test]
fn regions_take_codes_and_names_and_refuse_the_rest_with_the_list() {
    assert_eq!(region_of("us"), Ok("United States"));
    assert_eq!(region_of("NL"), Ok("Western Europe"));
    assert_eq!(region_of("Western Europe"), Ok("Western Europe"));
    assert_eq!(region_of(" puerto rico "), Ok("Puerto Rico"));
    let refused = region_of("JP").unwrap_err();
    assert!(refused.contains("\"JP\""), "{refused}");
    for region in REGIONS {
        assert!(refused.contains(region), "{refused}");
    }
    assert!(region_of("ES").is_err(), "Spain is Southern Europe");
}
