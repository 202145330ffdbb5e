//! Access tokens: HS256 JWTs with `sub`, `iat`, `exp` and `jti`, signed with the raw bytes of
//! `JWT_SECRET`, so another service holding the secret can verify them. Only HS256 is
//! accepted; `alg: none` and every other algorithm are refused.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::Utc;
use hmac::{Hmac, Mac as _};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
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
    /// HMAC-SHA256 keyed with the same secret, for [`Tokens::seal`].
    sealing: Hmac<Sha256>,
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
            sealing: Hmac::new_from_slice(secret).expect("HMAC takes a key of any length"),
        }
    }

    /// `data` with a signature for `purpose`, as URL-safe text (for a cookie): what
    /// [`Tokens::open`] gives back for the same purpose only. Not secret, only tamper-proof.
    pub fn seal(&self, purpose: &str, data: &[u8]) -> String {
        let signature = self.signed(purpose, data).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(data),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    /// The data [`Tokens::seal`] sealed for `purpose`, if `sealed` is that, untouched.
    pub fn open(&self, purpose: &str, sealed: &str) -> Option<Vec<u8>> {
        let (data, signature) = sealed.split_once('.')?;
        let data = URL_SAFE_NO_PAD.decode(data).ok()?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.signed(purpose, &data)
            .verify_slice(&signature)
            .ok()
            .map(|()| data)
    }

    /// The MAC over `purpose`, a NUL (which no JWT's signing input holds) and `data`.
    fn signed(&self, purpose: &str, data: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.sealing.clone();
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(data);
        mac
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
    fn sealed_data_opens_only_untouched_with_its_purpose_and_key() {
        let tokens = Tokens::new(SECRET);
        let sealed = tokens.seal("form", b"{\"a\":1}");
        assert_eq!(tokens.open("form", &sealed).unwrap(), b"{\"a\":1}");
        assert_eq!(tokens.open("other", &sealed), None);
        assert_eq!(
            Tokens::new(b"another-secret-another-secret-another").open("form", &sealed),
            None
        );
        let (data, signature) = sealed.split_once('.').unwrap();
        let forged = format!("{}.{signature}", URL_SAFE_NO_PAD.encode(b"{\"a\":2}"));
        assert_ne!(data, forged.split_once('.').unwrap().0);
        assert_eq!(tokens.open("form", &forged), None);
        assert_eq!(tokens.open("form", "garbage"), None);
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
