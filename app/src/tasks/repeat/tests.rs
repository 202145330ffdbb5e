use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn rule(text: &str) -> Repeat {
    Repeat::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The series' dates after `anchor`, each found from the one before.
fn series(text: &str, anchor: NaiveDate, count: usize) -> Vec<NaiveDate> {
    let repeat = rule(text);
    let mut dates = Vec::new();
    let mut last = anchor;
    for _ in 0..count {
        last = repeat.next_after(anchor, last).unwrap();
        dates.push(last);
    }
    dates
}

#[test]
fn rules_read_in_any_case_and_are_written_one_way() {
    assert_eq!(
        rule("freq=weekly;interval=2;byday=th,mo").rule(),
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"
    );
    assert_eq!(rule("FREQ=DAILY;INTERVAL=1").rule(), "FREQ=DAILY");
    assert_eq!(rule(" FREQ=YEARLY ").rule(), "FREQ=YEARLY");
    assert_eq!(rule("FREQ=WEEKLY;BYDAY=MO,MO,FR").days.len(), 2);
    assert_eq!(rule("FREQ=MONTHLY;INTERVAL=365").interval, INTERVAL_MAX);
}

#[test]
fn bad_rules_are_refused_with_a_reason() {
    for (bad, says) in [
        ("", "NAME=VALUE"),
        ("FREQ=HOURLY", "DAILY, WEEKLY"),
        ("INTERVAL=2", "needs a FREQ"),
        ("FREQ=DAILY;INTERVAL=0", "1 to 365"),
        ("FREQ=DAILY;INTERVAL=366", "1 to 365"),
        ("FREQ=DAILY;INTERVAL=-1", "1 to 365"),
        ("FREQ=DAILY;INTERVAL=0001", "1 to 365"),
        ("FREQ=DAILY;BYDAY=MO", "WEEKLY only"),
        ("FREQ=WEEKLY;BYDAY=XX", "\"XX\" is not one"),
        ("FREQ=WEEKLY;BYDAY=", "\"\" is not one"),
        ("FREQ=WEEKLY;BYDAY=1MO", "\"1MO\""),
        ("FREQ=DAILY;COUNT=3", "COUNT"),
        ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
        ("FREQ=DAILY;", "NAME=VALUE"),
    ] {
        let error = Repeat::parse(bad).expect_err(bad);
        assert!(error.contains(says), "{bad}: {error}");
    }
    assert!(Repeat::parse(&format!("FREQ=DAILY;{}", "x".repeat(200))).is_err());
    let field = Repeat::parse_field(Some("FREQ=NEVER")).unwrap_err();
    assert_eq!(field.loc, ["body", "repeat"]);
    assert_eq!(Repeat::parse_field(Some("  ")).unwrap(), None);
}

#[test]
fn daily_and_its_interval() {
    assert_eq!(
        series("FREQ=DAILY", d(2026, 12, 30), 3),
        [d(2026, 12, 31), d(2027, 1, 1), d(2027, 1, 2)]
    );
    assert_eq!(
        series("FREQ=DAILY;INTERVAL=3", d(2026, 2, 27), 2),
        [d(2026, 3, 2), d(2026, 3, 5)]
    );
}

#[test]
fn weekly_keeps_the_anchors_weekday_or_takes_its_days() {
    // 2026-12-07 is a Monday.
    assert_eq!(
        series("FREQ=WEEKLY", d(2026, 12, 9), 2),
        [d(2026, 12, 16), d(2026, 12, 23)]
    );
    assert_eq!(
        series("FREQ=WEEKLY;BYDAY=MO,TH", d(2026, 12, 7), 4),
        [
            d(2026, 12, 10),
            d(2026, 12, 14),
            d(2026, 12, 17),
            d(2026, 12, 21)
        ]
    );
    // Every other week, from a Wednesday: that week's Thursday, then two weeks on.
    assert_eq!(
        series("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", d(2026, 12, 9), 4),
        [
            d(2026, 12, 10),
            d(2026, 12, 21),
            d(2026, 12, 24),
            d(2027, 1, 4)
        ]
    );
    // Weekdays from a Friday skip the weekend; from a Sunday start on Monday.
    assert_eq!(
        series("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", d(2026, 12, 11), 2),
        [d(2026, 12, 14), d(2026, 12, 15)]
    );
    assert_eq!(
        series("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", d(2026, 12, 13), 1),
        [d(2026, 12, 14)]
    );
    // Sunday is the last day of a week.
    assert_eq!(
        series("FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", d(2026, 12, 7), 2),
        [d(2026, 12, 13), d(2026, 12, 27)]
    );
}

#[test]
fn monthly_from_the_31st_falls_on_each_months_last_day() {
    assert_eq!(
        series("FREQ=MONTHLY", d(2027, 1, 31), 4),
        [
            d(2027, 2, 28),
            d(2027, 3, 31),
            d(2027, 4, 30),
            d(2027, 5, 31)
        ]
    );
    assert_eq!(
        series("FREQ=MONTHLY", d(2028, 1, 30), 2),
        [d(2028, 2, 29), d(2028, 3, 30)]
    );
    assert_eq!(
        series("FREQ=MONTHLY;INTERVAL=5", d(2026, 10, 31), 2),
        [d(2027, 3, 31), d(2027, 8, 31)]
    );
}

#[test]
fn yearly_from_29_february() {
    assert_eq!(
        series("FREQ=YEARLY", d(2028, 2, 29), 4),
        [
            d(2029, 2, 28),
            d(2030, 2, 28),
            d(2031, 2, 28),
            d(2032, 2, 29)
        ]
    );
    assert_eq!(
        series("FREQ=YEARLY;INTERVAL=2", d(2026, 12, 6), 1),
        [d(2028, 12, 6)]
    );
}

#[test]
fn a_due_date_far_in_the_past_jumps_past_today_at_once() {
    let today = d(2026, 12, 6);
    let anchor = d(1901, 1, 1);
    for (text, want) in [
        ("FREQ=DAILY", d(2026, 12, 7)),
        ("FREQ=DAILY;INTERVAL=365", {
            let days = (today - anchor).num_days() / 365 + 1;
            anchor + Days::new((days * 365) as u64)
        }),
        ("FREQ=WEEKLY;BYDAY=MO", d(2026, 12, 7)),
        ("FREQ=MONTHLY", d(2027, 1, 1)),
        ("FREQ=YEARLY", d(2027, 1, 1)),
    ] {
        let next = rule(text).next_after(anchor, today).unwrap();
        assert_eq!(next, want, "{text}");
        assert!(next > today);
    }
    // The calendar's end is no panic.
    assert_eq!(
        rule("FREQ=YEARLY;INTERVAL=365").next_after(NaiveDate::MAX, NaiveDate::MAX),
        None
    );
}

#[test]
fn an_anchor_ahead_is_the_next_date() {
    assert_eq!(
        rule("FREQ=DAILY").next_after(d(2027, 1, 1), d(2026, 12, 6)),
        Some(d(2027, 1, 1))
    );
}

#[test]
fn rules_read_as_words() {
    assert_eq!(rule("FREQ=DAILY").describe(), "Every day");
    assert_eq!(
        rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO").describe(),
        "Every 2 weeks on Mon, Thu"
    );
    assert_eq!(
        rule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR").describe(),
        "Every weekday"
    );
    assert_eq!(rule("FREQ=YEARLY;INTERVAL=3").describe(), "Every 3 years");
}
