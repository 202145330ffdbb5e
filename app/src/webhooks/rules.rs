//! A webhook's rules: where it may point, what it may subscribe to, its secret.

use std::net::IpAddr;

use base64::{engine::general_purpose::STANDARD, Engine as _};

use super::{EVENTS, PER_ACCOUNT};
use crate::error::{AppError, FieldError};

/// What the server's webhooks are allowed, and the bell that wakes its deliverer.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Whether webhooks may point to private addresses (`WEBHOOKS_ALLOW_PRIVATE`).
    pub allow_private: bool,
    /// Rung when a webhook is made or changed here: the deliverer looks again at once.
    pub changed: std::sync::Arc<tokio::sync::Notify>,
}

/// The longest URL taken.
const URL_MAX: usize = 2000;

fn bad(field: &str, kind: &str, msg: impl Into<String>) -> AppError {
    AppError::invalid_field(FieldError::body(field, kind, msg))
}

/// The event names as stored: each one of [`EVENTS`], or `["*"]` alone; duplicates merged.
pub fn parse_events(events: &[String]) -> Result<Vec<String>, AppError> {
    if events.is_empty() || events.len() > EVENTS.len() + 1 {
        return Err(bad(
            "events",
            "value_error.events",
            "events lists 1 to 8 event names, or [\"*\"] for every event.",
        ));
    }
    if events.iter().any(|e| e == "*") {
        return Ok(vec!["*".into()]);
    }
    let mut kept: Vec<String> = Vec::new();
    for event in events {
        if !EVENTS.contains(&event.as_str()) {
            return Err(bad(
                "events",
                "value_error.events",
                format!(
                    "\"{}\" is not an event: use {} or \"*\".",
                    event.chars().take(40).collect::<String>(),
                    EVENTS.join(", ")
                ),
            ));
        }
        if !kept.contains(event) {
            kept.push(event.clone());
        }
    }
    Ok(kept)
}

/// Whether `address` is one anyone on the internet could reach: not loopback, private,
/// link-local (the cloud metadata address among them), shared, multicast, unspecified or
/// reserved for documentation.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// A webhook's URL: `https`, or `http`, to a public address (unless `allow_private`): an
/// address written in it is checked here, and a name where it resolves (a name that does not
/// resolve now is checked again at each delivery).
pub async fn parse_url(raw: &str, allow_private: bool) -> Result<url::Url, AppError> {
    let refused = |msg: &str| bad("url", "value_error.url", msg);
    if raw.len() > URL_MAX {
        return Err(refused("url is at most 2000 characters."));
    }
    let url = url::Url::parse(raw.trim())
        .map_err(|_| refused("url must be an absolute http or https URL."))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(refused("url must be an https (or http) URL."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused("url cannot carry a user name or password."));
    }
    let Some(host) = url.host() else {
        return Err(refused("url must name a host."));
    };
    if allow_private {
        return Ok(url);
    }
    let private = "url must point to a public address: loopback, private, link-local and \
                   multicast addresses are refused.";
    let literal = match host {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    };
    if let Some(address) = literal {
        return if is_public(address) {
            Ok(url)
        } else {
            Err(refused(private))
        };
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let name = url.host_str().unwrap_or_default().to_string();
    let resolved = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        tokio::net::lookup_host((name, port)),
    )
    .await;
    if let Ok(Ok(addresses)) = resolved {
        if addresses.into_iter().any(|a| !is_public(a.ip())) {
            return Err(refused(private));
        }
    }
    Ok(url)
}

/// A new signing secret: `whsec_` and 24 random bytes in base64.
pub fn new_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// The events written in a form's one field: names separated by commas or spaces.
pub fn events_in_words(written: &str) -> Result<Vec<String>, AppError> {
    let names: Vec<String> = written
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|name| !name.is_empty())
        .take(EVENTS.len() + 2)
        .map(str::to_string)
        .collect();
    parse_events(&names)
}

/// What a create past the limit is told.
pub fn too_many() -> AppError {
    AppError::invalid_field(FieldError::body(
        "url",
        "value_error.too_many",
        format!("An account has at most {PER_ACCOUNT} webhooks: delete one first."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_reserved_addresses_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "ff02::1",
            "::",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn events_are_known_names_or_every_one() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_events(&names(&["task.created", "*"])).unwrap(), ["*"]);
        assert_eq!(
            parse_events(&names(&["task.created", "task.created", "member.added"])).unwrap(),
            ["task.created", "member.added"]
        );
        assert!(parse_events(&names(&[])).is_err());
        assert!(parse_events(&names(&["task.exploded"])).is_err());
    }
    #[test]
    fn a_forms_events_are_split_on_commas_and_spaces() {
        assert_eq!(
            events_in_words(" task.created,task.reminder  member.added ").unwrap(),
            ["task.created", "task.reminder", "member.added"]
        );
        assert_eq!(events_in_words("*").unwrap(), ["*"]);
        assert!(events_in_words(" , ").is_err());
        assert!(events_in_words(&"task.created ".repeat(1000)).is_err());
    }
}
