//! `AppJson<T>`: the JSON body extractor whose every rejection is the contract's error.
//!
//! Not JSON, invalid UTF-8, the wrong shape or a wrong type: 422 with an `errors` entry
//! naming the field where serde stopped. Too large: 413.

use app::error::{AppError, FieldError, LocPart};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::header::CONTENT_TYPE,
};
use serde::de::DeserializeOwned;

pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default().to_ascii_lowercase());
        if let Some(content_type) = content_type {
            let essence = content_type.split(';').next().unwrap_or_default().trim();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(body_error(
                    "type_error.content_type",
                    "The body must be JSON, sent with Content-Type: application/json.",
                ));
            }
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    body_error("value_error.body", "The request body could not be read.")
                }
            })?;
        parse(&bytes).map(AppJson)
    }
}

/// Deserializes `bytes`, reporting where it failed.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => {
            return Err(body_error(
                "value_error.missing",
                "A JSON body is required.",
            ))
        }
        // serde would also read a struct from an array; the API only takes objects.
        Some(b'{') => {}
        Some(_) if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() => {
            return Err(body_error(
                "type_error.object",
                "The body must be a JSON object.",
            ))
        }
        Some(_) => {}
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let mut loc: Vec<LocPart> = vec!["body".into()];
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => loc.push((*index).into()),
                serde_path_to_error::Segment::Map { key } => loc.push(key.as_str().into()),
                serde_path_to_error::Segment::Enum { variant } => loc.push(variant.as_str().into()),
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        let inner = error.into_inner();
        let message = inner.to_string();
        // "missing field `title` at line 1 column 2" names the field serde expected.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string);
        let (kind, msg) = if let Some(field) = missing {
            loc.push(field.into());
            ("value_error.missing", "This field is required.".to_string())
        } else if inner.is_syntax() || inner.is_eof() {
            (
                "value_error.json",
                format!("The body is not valid JSON: {}", without_position(&message)),
            )
        } else {
            ("type_error", capitalize(&without_position(&message)))
        };
        let error = FieldError {
            loc,
            msg,
            kind: kind.to_string(),
        };
        AppError::validation(vec![error])
    })
}

fn body_error(kind: &str, msg: &str) -> AppError {
    AppError::validation(vec![FieldError {
        loc: vec!["body".into()],
        msg: msg.into(),
        kind: kind.into(),
    }])
}

fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        count: Option<u32>,
    }

    fn first_error(bytes: &[u8]) -> FieldError {
        match parse::<Body>(bytes).unwrap_err() {
            AppError::Validation { errors, .. } => errors.into_iter().next().unwrap(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_named() {
        let error = first_error(br#"{"count": 1}"#);
        assert_eq!(error.loc, ["body", "title"]);
        assert_eq!(error.kind, "value_error.missing");
    }

    #[test]
    fn a_wrong_type_is_named() {
        let error = first_error(br#"{"title": 5}"#);
        assert_eq!(error.loc, ["body", "title"]);
        assert_eq!(error.kind, "type_error");
    }

    #[test]
    fn broken_json_and_empty_bodies_are_refused() {
        assert_eq!(first_error(br#"{"title": "#).kind, "value_error.json");
        assert_eq!(first_error(b"").kind, "value_error.missing");
        assert_eq!(first_error(b"[1, 2]").loc, ["body"]);
        assert_eq!(first_error(br#"["a", 1]"#).kind, "type_error.object");
        assert_eq!(first_error(b"\xff\xfe").kind, "value_error.json");
    }
}
