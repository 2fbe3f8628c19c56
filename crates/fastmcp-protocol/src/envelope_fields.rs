//! The members of a message's envelope whose reading says more than serde's would: an
//! `id` that is there but not valid, a `jsonrpc` that is not `"2.0"`.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::jsonrpc::RequestId;

/// `id` as it appears in a message: absent, `null`, or a valid id.
#[derive(Default)]
pub(crate) enum IdField {
    #[default]
    Missing,
    Null,
    Invalid,
    Id(RequestId),
}

impl<'de> Deserialize<'de> for IdField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdField, E> {
                Ok(IdField::Id(RequestId::Number(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdField, E> {
                Ok(i64::try_from(v)
                    .map(|n| IdField::Id(RequestId::Number(n)))
                    .unwrap_or(IdField::Invalid))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<IdField, E> {
                Ok(IdField::Invalid)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<IdField, E> {
                Ok(IdField::Invalid)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdField, E> {
                Ok(IdField::Id(RequestId::String(v.into())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<IdField, E> {
                Ok(IdField::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<IdField, E> {
                Ok(IdField::Null)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<IdField, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(IdField::Invalid)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<IdField, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(IdField::Invalid)
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether `jsonrpc` says `"2.0"`, read without copying the string (a `Cow` inside an
/// `Option` is always copied by serde).
#[derive(Default)]
pub(crate) struct IsVersion2(pub(crate) bool);

impl<'de> Deserialize<'de> for IsVersion2 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IsVersion2;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON-RPC version")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IsVersion2, E> {
                Ok(IsVersion2(v == "2.0"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<IsVersion2, E> {
                Ok(IsVersion2(false))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<IsVersion2, E> {
                Ok(IsVersion2(false))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<IsVersion2, E> {
                Ok(IsVersion2(false))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<IsVersion2, E> {
                Ok(IsVersion2(false))
            }
            fn visit_unit<E: de::Error>(self) -> Result<IsVersion2, E> {
                Ok(IsVersion2(false))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<IsVersion2, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(IsVersion2(false))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<IsVersion2, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(IsVersion2(false))
            }
        }
        d.deserialize_any(V)
    }
}
