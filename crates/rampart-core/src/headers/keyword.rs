//! The one rule for headers whose value is one keyword from a fixed list:
//! an enum per header, its wire spelling, its default, and parsing that names
//! every choice.

/// Declares a header's keyword enum: variants with their wire spelling, the
/// default, `as_str`, `Display` and a `FromStr` (any case) whose error names
/// the setting and lists every accepted value.
macro_rules! keyword_header {
    (
        $(#[$meta:meta])*
        $name:ident, setting = $setting:literal, default = $default:ident,
        { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value `FromStr` accepts, for its error message.
            const ALL: &'static [&'static str] = &[$($wire),+];

            /// The header value.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $wire, )+
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::$default
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ConfigError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                $( if t.eq_ignore_ascii_case($wire) { return Ok(Self::$variant); } )+
                Err($crate::ConfigError::new(
                    $setting,
                    format!(
                        "`{s}` is not allowed; use one of {} (or None for no header)",
                        Self::ALL.join(", ")
                    ),
                ))
            }
        }
    };
}

pub(crate) use keyword_header;
