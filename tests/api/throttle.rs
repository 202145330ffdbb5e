//! Login and signup throttling as the contract states it: counted before the password is
//! checked (so parallel guesses cannot slip through), keyed by account and address, with
//! wider ceilings per account and per address; signups per address; a bounded hash queue.

use serde_json::json;

use crate::{
    helpers::{for_each_backend, for_each_backend_with, TestApp},
    requests::{assert_error_shape, error_fields, new_email},
};

async fn failed_login(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json(
        "/api/auth/login",
        &json!({"email": email, "password": "wrong password"}),
    )
    .await
}

#[tokio::test]
async fn ten_failures_for_one_account_lock_it_with_429_until_the_window_passes() {
    for_each_backend_with(&[("LOGIN_FAILURE_WINDOW_SECS", "5")], |app| async move {
        let user = app.new_user().await;
        for attempt in 1..=10 {
            assert_eq!(
                failed_login(&app, &user.email).await.status(),
                401,
                "attempt {attempt}"
            );
        }
        let locked = app
            .post_json(
                "/api/auth/login",
                &json!({"email": user.email, "password": user.password}),
            )
            .await;
        let retry_after: u64 = locked.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=5).contains(&retry_after), "{retry_after}");
        assert_error_shape(locked, 429).await;

        tokio::time::sleep(std::time::Duration::from_secs(retry_after + 1)).await;
        app.login(&user.email, &user.password).await;
    })
    .await;
}

/// Behind a proxy that says who the client is, so one test can speak from many addresses.
const FROM_PROXY: &[(&str, &str)] = &[("CLIENT_IP_SOURCE", "RightmostXForwardedFor")];

async fn login_from(
    app: &TestApp,
    address: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", address)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn statuses(responses: Vec<reqwest::Response>) -> Vec<u16> {
    responses.iter().map(|r| r.status().as_u16()).collect()
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn sixty_parallel_wrong_guesses_verify_at_most_ten_passwords() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let guesses = (0..60).map(|i| {
            let app = &app;
            let email = user.email.clone();
            async move {
                app.post_json(
                    "/api/auth/login",
                    &json!({"email": email, "password": format!("wrong guess {i}")}),
                )
                .await
            }
        });
        let answers = statuses(futures_util::future::join_all(guesses).await).await;
        // Exactly ten were let through to the password check (and failed); every other was
        // refused before it, however the sixty interleaved.
        assert_eq!(count(&answers, 401), 10, "{answers:?}");
        assert_eq!(count(&answers, 429), 50, "{answers:?}");
    })
    .await;
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_account_elsewhere_or_other_accounts_there() {
    for_each_backend_with(FROM_PROXY, |app| async move {
        let victim = app.new_user().await;
        let neighbour = app.new_user().await;
        for _ in 0..10 {
            let r = login_from(&app, "203.0.113.9", &victim.email, "wrong password").await;
            assert_eq!(r.status(), 401);
        }
        // That account from that address: locked, even with the right password.
        let locked = login_from(&app, "203.0.113.9", &victim.email, &victim.password).await;
        assert!(locked.headers().contains_key("retry-after"));
        assert_error_shape(locked, 429).await;
        // The owner, from their own address, signs in; so does a colleague behind the
        // attacker's address (a shared office).
        let owner = login_from(&app, "198.51.100.7", &victim.email, &victim.password).await;
        assert_eq!(owner.status(), 200);
        let colleague =
            login_from(&app, "203.0.113.9", &neighbour.email, &neighbour.password).await;
        assert_eq!(colleague.status(), 200);
    })
    .await;
}

#[tokio::test]
async fn a_hundred_failures_lock_an_account_from_every_address_and_an_address_for_every_account() {
    for_each_backend_with(FROM_PROXY, |app| async move {
        let target = app.new_user().await;
        let bystander = app.new_user().await;
        // 100 failures for one account, 10 from each of 10 addresses (under the pair limit).
        for address in 0..10 {
            let guesses =
                (0..10).map(|_| {
                    let (app, email) = (&app, target.email.clone());
                    async move {
                        login_from(app, &format!("198.51.100.{address}"), &email, "wrong").await
                    }
                });
            let answers = statuses(futures_util::future::join_all(guesses).await).await;
            assert_eq!(count(&answers, 401), 10, "address {address}: {answers:?}");
        }
        let fresh_address = login_from(&app, "192.0.2.1", &target.email, &target.password).await;
        assert_error_shape(fresh_address, 429).await;
        assert_eq!(
            login_from(&app, "192.0.2.1", &bystander.email, &bystander.password)
                .await
                .status(),
            200
        );

        // 100 failures from one address, one for each of 100 accounts (unknown ones count),
        // 20 at a time (a burst beyond the password queue would get 503s).
        for batch in 0..5 {
            let guesses = (0..20).map(|_| {
                let app = &app;
                async move { login_from(app, "192.0.2.200", &new_email(), "wrong").await }
            });
            let answers = statuses(futures_util::future::join_all(guesses).await).await;
            assert_eq!(count(&answers, 401), 20, "batch {batch}: {answers:?}");
        }
        let same_address =
            login_from(&app, "192.0.2.200", &bystander.email, &bystander.password).await;
        assert_error_shape(same_address, 429).await;
        assert_eq!(
            login_from(&app, "192.0.2.201", &bystander.email, &bystander.password)
                .await
                .status(),
            200
        );
    })
    .await;
}

async fn signup_from(app: &TestApp, address: &str, email: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/signup"))
        .header("x-forwarded-for", address)
        .json(&json!({"email": email, "password": "long enough password", "name": "N"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn one_address_creates_at_most_ten_accounts_an_hour() {
    let limit = [
        ("CLIENT_IP_SOURCE", "RightmostXForwardedFor"),
        ("SIGNUPS_PER_HOUR", "10"),
    ];
    for_each_backend_with(&limit, |app| async move {
        let taken = new_email();
        for n in 0..10 {
            let email = if n == 0 { taken.clone() } else { new_email() };
            assert_eq!(
                signup_from(&app, "203.0.113.50", &email).await.status(),
                201
            );
        }
        // Refusals and failures are not accounts: a taken email, in parallel with others.
        let parallel = (0..5).map(|_| signup_from(&app, "203.0.113.50", &taken));
        let answers = statuses(futures_util::future::join_all(parallel).await).await;
        assert!(
            answers.iter().all(|s| *s == 409 || *s == 429),
            "{answers:?}"
        );

        let refused = signup_from(&app, "203.0.113.50", &new_email()).await;
        let wait: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((3500..=3600).contains(&wait), "{wait}");
        let body = assert_error_shape(refused, 429).await;
        assert!(
            body["detail"].as_str().unwrap().contains("try again"),
            "{body}"
        );
        assert_eq!(
            signup_from(&app, "203.0.113.51", &new_email())
                .await
                .status(),
            201
        );
    })
    .await;
}

#[tokio::test]
async fn a_taken_address_counts_toward_the_signup_limit_and_an_invalid_form_does_not() {
    let limit = [
        ("CLIENT_IP_SOURCE", "RightmostXForwardedFor"),
        ("SIGNUPS_PER_HOUR", "3"),
    ];
    for_each_backend_with(&limit, |app| async move {
        let first = new_email();
        assert_eq!(
            signup_from(&app, "203.0.113.60", &first).await.status(),
            201
        );
        // Invalid forms are refused before they are counted.
        for _ in 0..3 {
            assert_eq!(
                signup_from(&app, "203.0.113.60", "not an address")
                    .await
                    .status(),
                422
            );
        }
        // A 409 says an account exists: asking counts, so the answer cannot be had fast.
        for _ in 0..2 {
            assert_eq!(
                signup_from(&app, "203.0.113.60", &first).await.status(),
                409
            );
        }
        assert_eq!(
            signup_from(&app, "203.0.113.60", &first).await.status(),
            429
        );
        assert_eq!(
            signup_from(&app, "203.0.113.60", &new_email())
                .await
                .status(),
            429
        );
    })
    .await;
}

#[tokio::test]
async fn an_ipv6_client_is_counted_by_its_64() {
    let limit = [
        ("CLIENT_IP_SOURCE", "RightmostXForwardedFor"),
        ("SIGNUPS_PER_HOUR", "2"),
    ];
    for_each_backend_with(&limit, |app| async move {
        for address in ["2001:db8:7:1::1", "2001:db8:7:1::2"] {
            assert_eq!(signup_from(&app, address, &new_email()).await.status(), 201);
        }
        // Another address of the same /64 is the same client.
        assert_eq!(
            signup_from(&app, "2001:db8:7:1:ffff::9", &new_email())
                .await
                .status(),
            429
        );
        assert_eq!(
            signup_from(&app, "2001:db8:7:2::1", &new_email())
                .await
                .status(),
            201
        );
    })
    .await;
}

#[tokio::test]
async fn a_burst_beyond_the_password_queue_gets_503_with_retry_after_not_a_backlog() {
    let no_queue = [
        ("CLIENT_IP_SOURCE", "RightmostXForwardedFor"),
        ("PASSWORD_QUEUE", "0"),
    ];
    for_each_backend_with(no_queue.as_slice(), |app| async move {
        let user = app.new_user().await;
        let burst = (0..40).map(|i| {
            let app = &app;
            let user = &user;
            async move {
                // Each from its own address, so no throttle ceiling is near.
                let address = format!("198.18.0.{i}");
                let response = login_from(app, &address, &user.email, &user.password).await;
                let retry = response.headers().get("retry-after").is_some();
                (response.status().as_u16(), retry)
            }
        });
        let answers = futures_util::future::join_all(burst).await;
        let busy: Vec<_> = answers.iter().filter(|(s, _)| *s == 503).collect();
        assert!(
            !busy.is_empty(),
            "one per core runs, the rest is turned away: {answers:?}"
        );
        assert!(busy.iter().all(|(_, retry)| *retry), "{answers:?}");
        assert!(
            answers.iter().all(|(s, _)| *s == 200 || *s == 503),
            "{answers:?}"
        );
        // A 503 for a busy queue is not a failed login: the account is not locked.
        app.login(&user.email, &user.password).await;
    })
    .await;
}

#[tokio::test]
async fn login_validation_is_422_not_401_and_does_not_count_as_a_failure() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for _ in 0..12 {
            let response = app
                .post_json(
                    "/api/auth/login",
                    &json!({"email": user.email, "password": ""}),
                )
                .await;
            let body = assert_error_shape(response, 422).await;
            assert_eq!(error_fields(&body), ["body.password"]);
        }
        app.login(&user.email, &user.password).await;
    })
    .await;
}

#[tokio::test]
async fn a_burst_of_correct_logins_is_never_refused_as_failures() {
    for_each_backend_with(FROM_PROXY, |app| async move {
        let user = app.new_user().await;
        // More at once than the account's ceiling of 100: attempts turned away by the full
        // password queue (503) are never counted, and correct ones are withdrawn.
        let burst = (0..150).map(|i| {
            let (app, user) = (&app, &user);
            async move {
                let address = format!("100.64.{}.{}", i / 100, i % 100);
                login_from(app, &address, &user.email, &user.password).await
            }
        });
        let answers = statuses(futures_util::future::join_all(burst).await).await;
        assert_eq!(count(&answers, 429), 0, "{answers:?}");
        assert!(count(&answers, 200) >= 2, "{answers:?}");
        assert_eq!(
            count(&answers, 200) + count(&answers, 503),
            150,
            "{answers:?}"
        );
    })
    .await;
}
