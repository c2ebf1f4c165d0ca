//! The closed vocabularies of the model, with the text forms the cache, the
//! JSON output and the screen use.

use std::fmt;
use std::str::FromStr;

/// Declares a closed enum whose variants map one-to-one to snake_case text.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable text form (cache, JSON, command line).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// A short human label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(text: &str) -> Result<Self, UnknownValue> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        kind: stringify!($name),
                        value: text.to_owned(),
                        expected: vec![$($text,)+],
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

/// A text that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}; expected one of: {}", expected.join(", "))]
pub struct UnknownValue {
    /// Which vocabulary.
    pub kind: &'static str,
    /// What was given.
    pub value: String,
    /// The accepted values.
    pub expected: Vec<&'static str>,
}

text_enum! {
    /// What kind of thing a license pool is (requirements §1).
    PoolKind {
        /// A Microsoft 365 subscription (SKU).
        M365 => "m365", "Microsoft 365";
        /// A Store-for-Business app with online licenses.
        StoreOnline => "store_online", "Store app (online)";
        /// A Store-for-Business app with offline licenses.
        StoreOffline => "store_offline", "Store app (offline)";
        /// An Apple VPP app.
        Vpp => "vpp", "Apple VPP app";
        /// A third-party SaaS subscription.
        Saas => "saas", "SaaS subscription";
        /// An ISV app whose quantity the vendor manages.
        Isv => "isv", "ISV app";
        /// A software license agreement.
        Agreement => "agreement", "Agreement";
    }
}

text_enum! {
    /// Where a pool's figures come from.
    Source {
        /// Microsoft Graph.
        Graph => "graph", "Microsoft Graph";
        /// Microsoft Store for Business.
        StoreBusiness => "store_business", "Store for Business";
        /// Apple Apps and Books (VPP).
        AppleVpp => "apple_vpp", "Apple VPP";
        /// Bought directly in a marketplace.
        Marketplace => "marketplace", "Marketplace";
        /// Managed by the vendor.
        Vendor => "vendor", "Vendor";
        /// Volume licensing files.
        VolumeLicensing => "volume_licensing", "Volume licensing";
        /// Kept only in this cache.
        Local => "local", "Local";
    }
}

text_enum! {
    /// The kind of outside source a connector links to.
    ConnectorKind {
        /// Microsoft Graph (365 subscriptions, users, groups).
        Graph => "graph", "Microsoft Graph";
        /// Apple Apps and Books (VPP token).
        AppleVpp => "apple_vpp", "Apple VPP";
        /// Microsoft Store for Business.
        StoreBusiness => "store_business", "Store for Business";
        /// Volume-licensing entitlement data.
        VolumeLicensing => "volume_licensing", "Volume licensing";
    }
}

impl ConnectorKind {
    /// Whether this version of seats syncs and pushes connectors of this
    /// kind (the others keep the figures recorded in the cache).
    pub fn syncs(self) -> bool {
        matches!(
            self,
            ConnectorKind::Graph | ConnectorKind::AppleVpp | ConnectorKind::StoreBusiness
        )
    }
}

text_enum! {
    /// An admin's role on this cache (R-LIC-6).
    Role {
        /// May do everything, including managing admins.
        Global => "global", "global administrator";
        /// May assign and release licenses.
        License => "license", "license administrator";
        /// May assign and release licenses and remove users.
        User => "user", "user administrator";
        /// Browses read-only.
        Reader => "reader", "reader";
    }
}

impl Role {
    /// Whether this role may assign and release seats (R-LIC-6).
    pub fn may_assign(self) -> bool {
        !matches!(self, Role::Reader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for kind in PoolKind::ALL {
            assert_eq!(kind.as_str().parse::<PoolKind>(), Ok(*kind));
        }
        for source in Source::ALL {
            assert_eq!(source.as_str().parse::<Source>(), Ok(*source));
        }
    }

    #[test]
    fn unknown_value_lists_what_is_accepted() {
        let err = "admin".parse::<Role>().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"admin\""), "{text}");
        assert!(text.contains("global, license, user, reader"), "{text}");
    }

    #[test]
    fn only_readers_may_not_assign() {
        assert!(Role::Global.may_assign());
        assert!(Role::License.may_assign());
        assert!(Role::User.may_assign());
        assert!(!Role::Reader.may_assign());
    }
}
