//! The MCP wire types: one set of Rust types for every protocol version.
//!
//! A field that exists only in some versions is an `Option`, omitted from the JSON when `None`.

mod completion;
mod content;
mod elicitation;
mod elicitation_schema;
mod icons;
mod lifecycle;
mod logging;
mod meta;
mod mrtr;
mod notifications;
mod pagination;
mod prompts;
mod resources;
mod result;
mod roots;
mod sampling;
mod subscriptions;
pub mod tag;
mod tasks;
mod tool_result_json;
mod tools;

pub(crate) mod num;

pub use completion::*;
pub use content::*;
pub use elicitation::*;
pub use elicitation_schema::*;
pub use icons::*;
pub use lifecycle::*;
pub use logging::*;
pub use meta::*;
pub use mrtr::*;
pub use notifications::*;
pub use pagination::*;
pub use prompts::*;
pub use resources::*;
pub use result::*;
pub use roots::*;
pub use sampling::*;
pub use subscriptions::*;
pub use tasks::*;
pub use tools::*;

/// Deserialize a value through [`serde_json::Value`] and dispatch on it: the helper behind
/// the hand-written `Deserialize` impls of the enums whose variant is chosen by a member.
pub(crate) fn from_value<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    v: serde_json::Value,
) -> Result<T, E> {
    serde_json::from_value(v).map_err(E::custom)
}

/// An enum whose variant is chosen by a string member (such as `type`), each variant wrapping
/// a struct that carries that member itself (so the struct also round-trips on its own).
macro_rules! dispatch_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident by $key:literal {
            $( $(#[$vm:meta])* $tag:literal => $variant:ident($ty:ty), )+
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $( $(#[$vm])* $variant($ty), )+
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( $name::$variant(v) => v.serialize(s), )+
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use serde::de::Error;
                let v = serde_json::Value::deserialize(d)?;
                let tag = match v.get($key) {
                    Some(serde_json::Value::String(t)) => t.clone(),
                    Some(_) => return Err(D::Error::custom(concat!("`", $key, "` must be a string"))),
                    None => return Err(D::Error::missing_field($key)),
                };
                match tag.as_str() {
                    $( $tag => $crate::types::from_value(v).map($name::$variant), )+
                    other => Err(D::Error::unknown_variant(other, &[$($tag),+])),
                }
            }
        }

        $(
            impl From<$ty> for $name {
                fn from(v: $ty) -> Self {
                    $name::$variant(v)
                }
            }
        )+
    };
}
pub(crate) use dispatch_enum;
