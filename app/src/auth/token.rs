//! Access tokens: HS256 JWTs with `sub`, `iat`, `exp` and `jti`, signed with the raw bytes of
//! `JWT_SECRET`, so another service holding the secret can verify them. Only HS256 is
//! accepted; `alg: none` and every other algorithm are refused.

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// How long an access token lives: 30 minutes.
pub const TOKEN_LIFETIME_SECS: i64 = 30 * 60;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
}

/// A freshly signed token and what it says.
pub struct IssuedToken {
    pub token: String,
    pub claims: Claims,
}

#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(..)")
    }
}

impl Tokens {
    /// Keys from the secret's raw bytes.
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.set_required_spec_claims(&["sub", "iat", "exp", "jti"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(&self, user_id: Uuid) -> Result<IssuedToken, AppError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            iat: now,
            exp: now + TOKEN_LIFETIME_SECS,
            jti: Uuid::new_v4(),
        };
        let token =
            encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|error| {
                tracing::error!(%error, "signing a token failed");
                AppError::Internal
            })?;
        Ok(IssuedToken { token, claims })
    }

    /// The claims of a token we signed that has not expired, was not issued in the future and
    /// lives no longer than the tokens we issue; 401 for anything else.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        let refused =
            || AppError::Unauthorized("The access token is invalid or has expired.".into());
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| {
                tracing::debug!(%error, "token refused");
                refused()
            })?;
        let now = Utc::now().timestamp();
        if claims.iat > now || claims.exp - claims.iat > TOKEN_LIFETIME_SECS {
            tracing::debug!(
                iat = claims.iat,
                exp = claims.exp,
                "token refused: its times are not ours"
            );
            return Err(refused());
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"an-example-secret-of-at-least-32-bytes!!";

    #[test]
    fn a_token_round_trips_its_claims() {
        let tokens = Tokens::new(SECRET);
        let user = Uuid::new_v4();
        let issued = tokens.issue(user).unwrap();
        let claims = tokens.verify(&issued.token).unwrap();
        assert_eq!(claims, issued.claims);
        assert_eq!(claims.sub, user);
        assert_eq!(claims.exp - claims.iat, 1800);
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let issued = Tokens::new(b"another-secret-another-secret-another")
            .issue(Uuid::new_v4())
            .unwrap();
        assert!(Tokens::new(SECRET).verify(&issued.token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let tokens = Tokens::new(SECRET);
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: Uuid::new_v4(),
            iat: now - 3600,
            exp: now - 1,
            jti: Uuid::new_v4(),
        };
        let token = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert!(tokens.verify(&token).is_err());
    }

    #[test]
    fn other_algorithms_are_refused_even_with_the_right_key() {
        let tokens = Tokens::new(SECRET);
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: Uuid::new_v4(),
            iat: now,
            exp: now + 60,
            jti: Uuid::new_v4(),
        };
        let token = encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert!(tokens.verify(&token).is_err());
    }
}
