//! The accounts API, exactly as the contract fixes it.

use app::match_pool;
use chrono::Utc;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, JWT_SECRET},
    requests::{assert_error_shape, error_fields, new_email},
};

#[tokio::test]
async fn signup_returns_201_with_the_user_and_never_the_password() {
    for_each_backend(|app| async move {
        let email = new_email();
        let response = app
            .post_json(
                "/api/auth/signup",
                &json!({"email": format!("  {}  ", email.to_uppercase()), "password": "s3cret-pass", "name": "  Ada  "}),
            )
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["email"], email, "trimmed and lower-cased");
        assert_eq!(body["name"], "Ada");
        assert!(uuid::Uuid::parse_str(body["id"].as_str().unwrap()).is_ok());
        let created = body["created_at"].as_str().unwrap();
        assert!(created.ends_with('Z') && created.len() == "2026-01-06T10:00:00.123456Z".len(), "{created}");
        let text = body.to_string();
        assert!(!text.contains("s3cret-pass") && !text.contains("argon2"), "{text}");
        // The contract's four fields, and the time zone its additions give the user object.
        assert_eq!(body["time_zone"], "UTC");
        assert_eq!(body.as_object().unwrap().len(), 5, "{body}");
    })
    .await;
}

#[tokio::test]
async fn the_password_is_stored_as_an_argon2id_hash() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let db = app.db().await;
        let hash: String = match_pool!(&db, |pool| {
            sqlx::query_scalar("select password_hash from users where email = $1")
                .bind(&user.email)
                .fetch_one(pool)
                .await
                .unwrap()
        });
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains(&user.password));
    })
    .await;
}

#[tokio::test]
async fn signing_up_twice_with_the_same_email_in_another_case_is_409() {
    for_each_backend(|app| async move {
        let email = new_email();
        let first = app
            .post_json(
                "/api/auth/signup",
                &json!({"email": email, "password": "password1", "name": "A"}),
            )
            .await;
        assert_eq!(first.status(), 201);
        let second = app
            .post_json(
                "/api/auth/signup",
                &json!({"email": email.to_uppercase(), "password": "password2", "name": "B"}),
            )
            .await;
        assert_error_shape(second, 409).await;
    })
    .await;
}

#[tokio::test]
async fn every_signup_rule_is_a_422_naming_its_field_and_nothing_is_stored() {
    for_each_backend(|app| async move {
        let long_email = format!("{}@example.com", "a".repeat(250));
        let cases = [
            (
                json!({"email": "", "password": "password1", "name": "A"}),
                "body.email",
            ),
            (
                json!({"email": "not-an-address", "password": "password1", "name": "A"}),
                "body.email",
            ),
            (
                json!({"email": long_email, "password": "password1", "name": "A"}),
                "body.email",
            ),
            (
                json!({"email": new_email(), "password": "short", "name": "A"}),
                "body.password",
            ),
            (
                json!({"email": new_email(), "password": "p".repeat(129), "name": "A"}),
                "body.password",
            ),
            (
                json!({"email": new_email(), "password": "password1", "name": "   "}),
                "body.name",
            ),
            (
                json!({"email": new_email(), "password": "password1", "name": "n".repeat(101)}),
                "body.name",
            ),
            (json!({"password": "password1", "name": "A"}), "body.email"),
            (
                json!({"email": new_email(), "password": 12345678, "name": "A"}),
                "body.password",
            ),
        ];
        for (body, field) in cases {
            let response = app.post_json("/api/auth/signup", &body).await;
            let error = assert_error_shape(response, 422).await;
            assert_eq!(error_fields(&error), [field], "{body} gave {error}");
            let entry = &error["errors"][0];
            assert!(entry["msg"].as_str().is_some_and(|m| !m.is_empty()));
            assert!(entry["type"].as_str().is_some_and(|t| !t.is_empty()));
        }
        let all_bad = app
            .post_json(
                "/api/auth/signup",
                &json!({"email": "x", "password": "y", "name": ""}),
            )
            .await;
        let error = assert_error_shape(all_bad, 422).await;
        assert_eq!(
            error_fields(&error),
            ["body.email", "body.password", "body.name"]
        );

        let db = app.db().await;
        let users: i64 = match_pool!(&db, |pool| {
            sqlx::query_scalar("select count(*) from users")
                .fetch_one(pool)
                .await
                .unwrap()
        });
        assert_eq!(users, 0);
    })
    .await;
}

#[tokio::test]
async fn hostile_bodies_get_a_clear_4xx_in_the_error_shape() {
    for_each_backend(|app| async move {
        let post = |body: Vec<u8>, content_type: &'static str| {
            let app = app.clone();
            async move {
                app.client
                    .post(app.url("/api/auth/signup"))
                    .header("content-type", content_type)
                    .body(body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        for (body, content_type) in [
            (b"".to_vec(), "application/json"),
            (b"{not json".to_vec(), "application/json"),
            (b"[]".to_vec(), "application/json"),
            (b"null".to_vec(), "application/json"),
            (b"{\"email\": \"\xff\xfe\"}".to_vec(), "application/json"),
            (
                b"email=a&password=b".to_vec(),
                "application/x-www-form-urlencoded",
            ),
        ] {
            assert_error_shape(post(body, content_type).await, 422).await;
        }
        let huge = format!(
            r#"{{"email": "a@b.co", "password": "password1", "name": "{}"}}"#,
            "x".repeat(100_000)
        );
        assert_error_shape(post(huge.into_bytes(), "application/json").await, 413).await;

        // Injection-looking strings are data: stored and returned as given.
        let name = "Robert'); drop table users;--";
        let response = app
            .post_json(
                "/api/auth/signup",
                &json!({"email": new_email(), "password": "password1", "name": name}),
            )
            .await;
        assert_eq!(response.status(), 201);
        assert_eq!(response.json::<Value>().await.unwrap()["name"], name);
    })
    .await;
}

#[tokio::test]
async fn login_returns_a_30_minute_hs256_bearer_token_with_the_contract_claims() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let response = app
            .post_json(
                "/api/auth/login",
                &json!({"email": user.email.to_uppercase(), "password": user.password}),
            )
            .await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["token_type"], "bearer");
        assert_eq!(body["expires_in"], 1800);
        assert_eq!(body["user"]["id"], user.id.as_str());
        assert_eq!(body["user"]["email"], user.email.as_str());
        assert_eq!(body["user"]["name"], user.name.as_str());

        let token = body["access_token"].as_str().unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_required_spec_claims(&["sub", "iat", "exp", "jti"]);
        let claims = jsonwebtoken::decode::<Value>(
            token,
            &jsonwebtoken::DecodingKey::from_secret(JWT_SECRET.as_bytes()),
            &validation,
        )
        .expect("another service holding the secret can verify it")
        .claims;
        assert_eq!(claims["sub"], user.id.as_str());
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            1800
        );
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let wrong_password = app
            .post_json(
                "/api/auth/login",
                &json!({"email": user.email, "password": "not the password"}),
            )
            .await;
        let unknown_email = app
            .post_json(
                "/api/auth/login",
                &json!({"email": new_email(), "password": "not the password"}),
            )
            .await;
        for response in [&wrong_password, &unknown_email] {
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
        }
        let a = assert_error_shape(wrong_password, 401).await;
        let b = assert_error_shape(unknown_email, 401).await;
        assert_eq!(a, b);
    })
    .await;
}

#[tokio::test]
async fn me_answers_with_the_tokens_user_and_401_without_one() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let response = app.get_with_token("/api/auth/me", &user.token).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["id"], user.id.as_str());
        assert_eq!(body["email"], user.email.as_str());
        assert!(body["created_at"].is_string());

        let anonymous = app.get("/api/auth/me").await;
        assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
        assert_error_shape(anonymous, 401).await;
        let not_bearer = app
            .client
            .get(app.url("/api/auth/me"))
            .header("authorization", format!("Basic {}", user.token))
            .send()
            .await
            .unwrap();
        assert_error_shape(not_bearer, 401).await;
    })
    .await;
}

fn forge(claims: &Value, key: &[u8], algorithm: jsonwebtoken::Algorithm) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(key),
    )
    .unwrap()
}

#[tokio::test]
async fn expired_tampered_foreign_unsigned_and_orphaned_tokens_are_401() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let now = Utc::now().timestamp();
        let claims = |iat: i64, exp: i64| json!({"sub": user.id, "iat": iat, "exp": exp, "jti": uuid::Uuid::new_v4()});
        let secret = JWT_SECRET.as_bytes();

        let expired = forge(&claims(now - 3600, now - 60), secret, jsonwebtoken::Algorithm::HS256);
        let wrong_key = forge(&claims(now, now + 600), b"some-other-key-some-other-key-some-other", jsonwebtoken::Algorithm::HS256);
        let other_alg = forge(&claims(now, now + 600), secret, jsonwebtoken::Algorithm::HS384);
        let tampered = {
            let mut parts: Vec<String> = user.token.split('.').map(String::from).collect();
            let other = forge(&json!({"sub": uuid::Uuid::new_v4(), "iat": now, "exp": now + 600, "jti": "x"}), secret, jsonwebtoken::Algorithm::HS256);
            parts[1] = other.split('.').nth(1).unwrap().to_string();
            parts.join(".")
        };
        let unsigned = {
            let header = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
            let payload = base64_url(claims(now, now + 600).to_string().as_bytes());
            format!("{header}.{payload}.")
        };
        let valid_for_missing_user = forge(
            &json!({"sub": uuid::Uuid::new_v4(), "iat": now, "exp": now + 600, "jti": uuid::Uuid::new_v4()}),
            secret,
            jsonwebtoken::Algorithm::HS256,
        );
        let from_the_future = forge(&claims(now + 3600, now + 3600 + 600), secret, jsonwebtoken::Algorithm::HS256);
        let too_long = forge(&claims(now - 10, now + 1800), secret, jsonwebtoken::Algorithm::HS256);
        for (what, token) in [
            ("expired", expired),
            ("issued in the future", from_the_future),
            ("lives longer than 1800 s", too_long),
            ("wrong key", wrong_key),
            ("HS384", other_alg),
            ("tampered", tampered),
            ("alg none", unsigned),
            ("unknown user", valid_for_missing_user),
            ("garbage", "not-a-jwt".to_string()),
        ] {
            let response = app.get_with_token("/api/auth/me", &token).await;
            assert_eq!(response.status(), 401, "{what}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer", "{what}");
        }

        // A valid token stops working once its user is deleted.
        let db = app.db().await;
        let id = uuid::Uuid::parse_str(&user.id).unwrap();
        match_pool!(&db, |pool| {
            sqlx::query("delete from users where id = $1").bind(id).execute(pool).await.map(drop).unwrap()
        });
        assert_eq!(app.get_with_token("/api/auth/me", &user.token).await.status(), 401);
    })
    .await;
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn logout_revokes_exactly_the_token_it_was_called_with() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let other_token = app.login(&user.email, &user.password).await;
        let response = app
            .client
            .post(app.url("/api/auth/logout"))
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
        assert_eq!(
            app.get_with_token("/api/auth/me", &user.token)
                .await
                .status(),
            401
        );
        let again = app
            .client
            .post(app.url("/api/auth/logout"))
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap();
        assert_error_shape(again, 401).await;
        assert_eq!(
            app.get_with_token("/api/auth/me", &other_token)
                .await
                .status(),
            200
        );
    })
    .await;
}
