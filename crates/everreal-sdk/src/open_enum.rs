//! Open enums: EverReal adds values without notice (and several value lists in its docs are
//! cut short), so every enum of this crate keeps an unknown value as `Other(String)` instead of
//! failing to decode, and can send a value this crate does not know yet.

/// Defines an enum of known wire values plus `Other(String)`, with serde, `JsonSchema`,
/// `Display`, `FromStr` and `as_str`.
///
/// The schema lists the known values and also admits any other string, which is what the
/// decoder does.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
            /// A value this SDK does not know yet, kept as sent.
            Other(String),
        }

        impl $name {
            /// Every value this SDK knows, in documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(value) => value,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            /// Never fails: an unknown value becomes `Other`.
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "description": "One of the known values, or any other string (decoded as `Other`).",
                    "anyOf": [
                        { "type": "string", "enum": [$($wire),+] },
                        { "type": "string" }
                    ]
                })
            }
        }
    };
}

pub(crate) use open_enum;

#[cfg(test)]
mod tests {
    open_enum! {
        /// A test enum.
        pub enum Colour {
            /// Red.
            Red = "RED",
            /// Light blue, with a hyphen no Rust name can hold.
            LightBlue = "LIGHT-BLUE",
        }
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        let decoded: Vec<Colour> =
            serde_json::from_str(r#"["RED","LIGHT-BLUE","GREEN"]"#).expect("decodes");
        assert_eq!(
            decoded,
            [
                Colour::Red,
                Colour::LightBlue,
                Colour::Other("GREEN".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&decoded).expect("encodes"),
            r#"["RED","LIGHT-BLUE","GREEN"]"#
        );
        assert_eq!(Colour::LightBlue.to_string(), "LIGHT-BLUE");
        assert_eq!("RED".parse::<Colour>(), Ok(Colour::Red));
        assert_eq!(Colour::KNOWN.len(), 2);
    }

    #[test]
    fn a_non_string_is_an_error_not_a_panic() {
        assert!(serde_json::from_str::<Colour>("7").is_err());
    }
}
