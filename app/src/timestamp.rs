//! Timestamps on the wire: RFC 3339, UTC, always with microseconds
//! (`2026-01-06T10:00:00.123456Z`), as the API contract fixes.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(value: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(value))
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(serde::de::Error::custom)
}

/// The wire form of a timestamp.
pub fn format(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `at` as read in the time zone named `zone` (an IANA name; UTC if it names none), with the
/// zone's abbreviation, for a page: "Dec 6, 2026 09:30 CET".
#[cfg(feature = "ssr")]
pub fn in_zone(at: DateTime<Utc>, zone: &str) -> String {
    let zone = zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    at.with_timezone(&zone)
        .format("%b %-d, %Y %H:%M %Z")
        .to_string()
}

/// The same for a timestamp that may be absent (`null`).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_some(&format(value)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| {
                DateTime::parse_from_rfc3339(&text)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(serde::de::Error::custom)
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn whole_seconds_still_carry_six_fractional_digits() {
        let t = Utc.with_ymd_and_hms(2026, 1, 6, 10, 0, 0).unwrap();
        assert_eq!(format(&t), "2026-01-06T10:00:00.000000Z");
    }
}

#[cfg(all(test, feature = "ssr"))]
mod page_times {
    use super::in_zone;
    use chrono::TimeZone as _;

    #[test]
    fn page_times_read_in_the_accounts_zone() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 6, 8, 30, 0).unwrap();
        assert_eq!(in_zone(at, "Europe/Paris"), "Dec 6, 2026 09:30 CET");
        assert_eq!(in_zone(at, "America/New_York"), "Dec 6, 2026 03:30 EST");
        assert_eq!(in_zone(at, "UTC"), "Dec 6, 2026 08:30 UTC");
        assert_eq!(in_zone(at, "Not/AZone"), "Dec 6, 2026 08:30 UTC");
    }
}
