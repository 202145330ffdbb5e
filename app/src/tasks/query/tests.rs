use std::collections::HashMap;

use super::*;

fn parse(pairs: &[(&str, &str)]) -> Result<TaskQuery, Vec<FieldError>> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    TaskQuery::parse(|name| map.get(name).map(String::as_str))
}

#[test]
fn every_parameter_is_read_and_written_back() {
    let query = parse(&[
        ("q", " milk bre "),
        ("status", "active"),
        ("priority", "high,low, high"),
        ("tag", "Home,work"),
        ("due_after", "2026-01-01"),
        ("due_before", "2026-12-31"),
        ("overdue", "true"),
        ("sort", "due"),
        ("order", "desc"),
    ])
    .unwrap();
    assert_eq!(query.q.as_deref(), Some("milk bre"));
    assert_eq!(query.priorities, [Priority::Low, Priority::High]);
    assert_eq!(query.tags, ["home", "work"]);
    assert_eq!(query.order(), Order::Desc);
    assert!(query.narrows());
    let pairs = query.pairs();
    let again = parse(
        &pairs
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(again, query);
}

#[test]
fn defaults_give_no_parameters_and_each_sort_its_order() {
    let query = parse(&[]).unwrap();
    assert!(query.pairs().is_empty());
    assert!(!query.narrows());
    assert_eq!(query.order(), Order::Desc);
    let by_title = parse(&[("sort", "title"), ("order", "asc")]).unwrap();
    assert_eq!(by_title.order(), Order::Asc);
    assert_eq!(by_title.pairs(), [("sort", "title".to_string())]);
}

#[test]
fn an_empty_parameter_is_refused_but_an_empty_search_is_none() {
    let errors = parse(&[("status", ""), ("due_after", " "), ("q", "")]).unwrap_err();
    let named: Vec<&str> = errors.iter().map(|e| e.field()).collect();
    assert_eq!(named, ["status", "due_after"]);
    assert_eq!(parse(&[("q", " ")]).unwrap(), TaskQuery::default());
    // A page's address drops them instead.
    let lenient = TaskQuery::from_url(|name| match name {
        "status" | "sort" => Some(""),
        "tag" => Some("home"),
        _ => None,
    });
    assert_eq!(lenient.tags, ["home"]);
}

#[test]
fn list_parameters_are_merged_and_bounded() {
    let query = parse(&[("tag", "home,work,home"), ("priority", "high,low,high")]).unwrap();
    assert_eq!(query.tags, ["home", "work"]);
    assert_eq!(query.priorities, [Priority::Low, Priority::High]);
    // 1,100 tags made an SQL expression too large for SQLite (a 500).
    let many: Vec<String> = (0..1_100).map(|i| format!("t{i}")).collect();
    let errors = parse(&[("tag", &many.join(","))]).unwrap_err();
    assert_eq!(errors[0].kind, "value_error.too_many");
    let eleven: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
    assert!(parse(&[("tag", &eleven.join(","))]).is_err());
    assert!(parse(&[("tag", &eleven[..MAX_TAGS].join(","))]).is_ok());
    // A megabyte of one repeated priority is one priority.
    let repeated = vec!["high"; 100_000].join(",");
    assert_eq!(
        parse(&[("priority", &repeated)]).unwrap().priorities,
        [Priority::High]
    );
}

#[test]
fn params_read_back_as_the_same_query() {
    let query = parse(&[("q", "milk"), ("tag", "home"), ("sort", "due")]).unwrap();
    let params = query.params();
    assert_eq!(
        TaskQuery::parse(|name| params.get(name).map(String::as_str)).unwrap(),
        query
    );
}

#[test]
fn every_bad_parameter_is_named() {
    let errors = parse(&[
        ("status", "done"),
        ("priority", "high,urgent"),
        ("tag", "two words"),
        ("due_before", "tomorrow"),
        ("due_after", "2026-02-30"),
        ("overdue", "yes"),
        ("sort", "size"),
        ("order", "up"),
        ("q", &"x".repeat(201)),
    ])
    .unwrap_err();
    let mut named: Vec<String> = errors.iter().map(|e| e.field().to_string()).collect();
    named.sort();
    assert_eq!(
        named,
        [
            "due_after",
            "due_before",
            "order",
            "overdue",
            "priority",
            "q",
            "sort",
            "status",
            "tag"
        ]
    );
    assert!(errors.iter().all(|e| e.loc[0] == "query"));
}
