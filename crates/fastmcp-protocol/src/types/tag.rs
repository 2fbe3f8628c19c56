//! Zero-sized markers for the constant discriminator members of the wire types
//! (`"type": "text"`, `"mode": "url"`, ...). Each serializes as its string and refuses
//! any other string, so a struct carrying one round-trips on its own.

macro_rules! markers {
    ($( $(#[$m:meta])* $name:ident = $s:literal; )+) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct $name;

            impl $name {
                /// The string this marker stands for.
                pub const AS_STR: &'static str = $s;
            }

            impl serde::Serialize for $name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_str($s)
                }
            }

            impl<'de> serde::Deserialize<'de> for $name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    struct V;
                    impl serde::de::Visitor<'_> for V {
                        type Value = $name;
                        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                            f.write_str(concat!("the string \"", $s, "\""))
                        }
                        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                            if v == $s {
                                Ok($name)
                            } else {
                                Err(E::invalid_value(serde::de::Unexpected::Str(v), &self))
                            }
                        }
                    }
                    d.deserialize_str(V)
                }
            }
        )+
    };
}

markers! {
    /// `"text"`.
    Text = "text";
    /// `"image"`.
    Image = "image";
    /// `"audio"`.
    Audio = "audio";
    /// `"resource_link"`.
    ResourceLink = "resource_link";
    /// `"resource"` (an embedded resource).
    Resource = "resource";
    /// `"tool_use"`.
    ToolUse = "tool_use";
    /// `"tool_result"`.
    ToolResult = "tool_result";
    /// `"ref/prompt"`.
    RefPrompt = "ref/prompt";
    /// `"ref/resource"`.
    RefResource = "ref/resource";
    /// `"form"` (elicitation mode).
    Form = "form";
    /// `"url"` (elicitation mode).
    Url = "url";
    /// `"object"` (JSON Schema type).
    Object = "object";
    /// `"string"` (JSON Schema type).
    String = "string";
    /// `"boolean"` (JSON Schema type).
    Boolean = "boolean";
    /// `"array"` (JSON Schema type).
    Array = "array";
}
