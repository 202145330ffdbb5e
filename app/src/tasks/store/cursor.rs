//! Keyset pagination: the place in a sorted list just after a task, as an opaque string.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::rows::TaskRow;
use crate::tasks::{Order, Sort, TaskPage};

/// A task's value under a sort: what a cursor remembers besides the tie-breakers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum SortKey {
    /// The created order needs nothing more than the tie-breakers.
    Created,
    Updated(DateTime<Utc>),
    Due(Option<NaiveDate>),
    Priority(i32),
    Title(String),
}

/// A place in a sorted list, just after a task: keyset pagination. Clients see it as an
/// opaque string (URL-safe base64 of the sort, the task's value under it, its `created_at`
/// in microseconds and its id); it names a position only, so a forged one can reveal nothing
/// but the caller's own tasks. The default order's cursor is the 24 bytes of the tie-breakers
/// alone, as before sorts existed, so cursors handed out then still work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub(super) sort: Sort,
    pub(super) order: Order,
    pub(super) key: SortKey,
    pub(super) created_at: DateTime<Utc>,
    pub(super) id: Uuid,
}

impl Cursor {
    /// The position just after `row` in the order `sort`, `order`.
    pub(super) fn after(row: &TaskRow, sort: Sort, order: Order) -> Self {
        let key = match sort {
            Sort::Created => SortKey::Created,
            Sort::Updated => SortKey::Updated(row.updated_at),
            Sort::Due => SortKey::Due(row.due_date),
            Sort::Priority => SortKey::Priority(row.priority),
            Sort::Title => SortKey::Title(row.title_key.clone()),
        };
        Self {
            sort,
            order,
            key,
            created_at: row.created_at,
            id: row.id.as_uuid(),
        }
    }

    /// Whether this cursor came from a list in this order.
    pub fn fits(&self, sort: Sort, order: Order) -> bool {
        self.sort == sort && self.order == order
    }

    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(40);
        if !(self.sort == Sort::Created && self.order == Order::Desc) {
            let sort = Sort::ALL.iter().position(|s| *s == self.sort).unwrap_or(0) as u8;
            bytes.push(sort << 1 | u8::from(self.order == Order::Asc));
            match &self.key {
                SortKey::Created => {}
                SortKey::Updated(at) => bytes.extend(at.timestamp_micros().to_be_bytes()),
                SortKey::Due(None) => bytes.push(0),
                SortKey::Due(Some(date)) => {
                    bytes.push(1);
                    bytes.extend(date.to_string().into_bytes());
                }
                SortKey::Priority(rank) => bytes.push(*rank as u8),
                SortKey::Title(key) => bytes.extend(key.as_bytes()),
            }
        }
        bytes.extend(self.created_at.timestamp_micros().to_be_bytes());
        bytes.extend(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// `None` for anything [`Cursor::encode`] could not have written.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let split = bytes.len().checked_sub(24)?;
        let (head, tail) = bytes.split_at(split);
        let micros = i64::from_be_bytes(tail[..8].try_into().ok()?);
        let created_at = DateTime::from_timestamp_micros(micros)?;
        let id = Uuid::from_slice(&tail[8..]).ok()?;
        let (sort, order, key) = match head.split_first() {
            None => (Sort::Created, Order::Desc, SortKey::Created),
            Some((code, key)) => {
                let sort = *Sort::ALL.get(usize::from(code >> 1))?;
                let order = if code & 1 == 1 {
                    Order::Asc
                } else {
                    Order::Desc
                };
                let key = match (sort, key) {
                    (Sort::Created, []) if order == Order::Asc => SortKey::Created,
                    (Sort::Updated, key) => SortKey::Updated(DateTime::from_timestamp_micros(
                        i64::from_be_bytes(key.try_into().ok()?),
                    )?),
                    (Sort::Due, [0]) => SortKey::Due(None),
                    (Sort::Due, [1, date @ ..]) => SortKey::Due(Some(
                        crate::tasks::fields::parse_date(std::str::from_utf8(date).ok()?)?,
                    )),
                    (Sort::Priority, [rank @ 0..=3]) => SortKey::Priority(i32::from(*rank)),
                    (Sort::Title, key) if !key.is_empty() => {
                        SortKey::Title(String::from_utf8(key.to_vec()).ok()?)
                    }
                    _ => return None,
                };
                (sort, order, key)
            }
        };
        Some(Self {
            sort,
            order,
            key,
            created_at,
            id,
        })
    }
}

/// A page of a listing, and where the next one starts if any task follows it.
pub struct Listing {
    pub page: TaskPage,
    pub next: Option<Cursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(sort: Sort, order: Order, key: SortKey) -> Cursor {
        Cursor {
            sort,
            order,
            key,
            created_at: DateTime::from_timestamp_micros(1_767_693_600_123_456).unwrap(),
            id: Uuid::now_v7(),
        }
    }

    #[test]
    fn every_kind_of_cursor_round_trips_and_is_url_safe() {
        let at = DateTime::from_timestamp_micros(1_767_000_000_000_001).unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        for c in [
            cursor(Sort::Created, Order::Desc, SortKey::Created),
            cursor(Sort::Created, Order::Asc, SortKey::Created),
            cursor(Sort::Updated, Order::Desc, SortKey::Updated(at)),
            cursor(Sort::Due, Order::Asc, SortKey::Due(None)),
            cursor(Sort::Due, Order::Desc, SortKey::Due(Some(date))),
            cursor(Sort::Priority, Order::Asc, SortKey::Priority(3)),
            cursor(
                Sort::Title,
                Order::Desc,
                SortKey::Title("élan vital 日本".into()),
            ),
        ] {
            let text = c.encode();
            assert!(text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            assert_eq!(Cursor::decode(&text), Some(c));
        }
    }

    #[test]
    fn the_default_orders_cursor_is_the_one_from_before_sorts() {
        let c = cursor(Sort::Created, Order::Desc, SortKey::Created);
        assert_eq!(URL_SAFE_NO_PAD.decode(c.encode()).unwrap().len(), 24);
    }

    #[test]
    fn a_cursor_that_was_not_written_by_encode_is_refused() {
        let good = cursor(Sort::Created, Order::Desc, SortKey::Created).encode();
        assert_eq!(Cursor::decode(""), None);
        assert_eq!(Cursor::decode("not a cursor!"), None);
        assert_eq!(Cursor::decode(&good[..good.len() - 2]), None);
        assert_eq!(Cursor::decode(&format!("{good}AA")), None);
        // The largest timestamp chrono cannot represent.
        let far = URL_SAFE_NO_PAD.encode([[0x7f; 8].as_slice(), &[0; 16]].concat());
        assert_eq!(Cursor::decode(&far), None);
        // A priority out of range, a sort that does not exist, a date that is not one.
        let tail = URL_SAFE_NO_PAD.decode(&good).unwrap();
        for head in [vec![3 << 1, 9], vec![5 << 1], vec![2 << 1, 1, b'x']] {
            let forged = URL_SAFE_NO_PAD.encode([head, tail.clone()].concat());
            assert_eq!(Cursor::decode(&forged), None);
        }
    }
}
