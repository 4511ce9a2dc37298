//! The small closed vocabularies of the catalog: clouds, processing scopes, billing modes,
//! capabilities and lifecycle states. Each parses from and prints as its catalog spelling.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            JsonSchema,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// Parses the catalog spelling (exact, lower case).
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The catalog spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// A cloud provider.
    Cloud {
        /// Amazon Web Services (Amazon Bedrock).
        Aws = "aws",
        /// Microsoft Azure (Azure OpenAI in Microsoft Foundry).
        Azure = "azure",
        /// Google Cloud (Vertex AI / Gemini Enterprise Agent Platform).
        Gcp = "gcp",
    }
}

impl Cloud {
    /// A dense index, for per-cloud tables.
    pub(crate) fn index(self) -> usize {
        match self {
            Cloud::Aws => 0,
            Cloud::Azure => 1,
            Cloud::Gcp => 2,
        }
    }
}

vocabulary! {
    /// How widely a target's prompts may be processed. Ordered by width:
    /// `Region < Geography < Global`.
    Processing {
        /// In the target's region (Azure: its Azure geography).
        Region = "region",
        /// Inside a geography: Azure data zone, Bedrock geographic profile, Vertex multi-region.
        Geography = "geography",
        /// Anywhere the provider runs the model.
        Global = "global",
    }
}

vocabulary! {
    /// How a deployment is paid for.
    Billing {
        /// Pay per token.
        OnDemand = "on_demand",
        /// Reserved capacity (Azure PTUs, Bedrock model units, Vertex provisioned throughput).
        Provisioned = "provisioned",
    }
}

vocabulary! {
    /// What a model can do.
    Capability {
        /// Conversational text generation.
        Chat = "chat",
        /// Tool / function calling.
        Tools = "tools",
        /// Image input.
        Vision = "vision",
        /// JSON mode or structured output.
        Json = "json",
        /// Vector embeddings.
        Embeddings = "embeddings",
        /// Extended reasoning ("thinking").
        Reasoning = "reasoning",
    }
}

vocabulary! {
    /// Where a model or model version is in its provider's lifecycle.
    Lifecycle {
        /// Generally available.
        Ga = "ga",
        /// Public preview.
        Preview = "preview",
        /// Superseded but still served.
        Legacy = "legacy",
        /// Announced for retirement; may be closed to new customers.
        Deprecated = "deprecated",
        /// No longer served.
        Retired = "retired",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_orders() {
        for c in Cloud::ALL {
            assert_eq!(Cloud::parse(c.as_str()), Some(c));
        }
        for p in Processing::ALL {
            assert_eq!(Processing::parse(p.as_str()), Some(p));
        }
        for b in Billing::ALL {
            assert_eq!(Billing::parse(b.as_str()), Some(b));
        }
        for c in Capability::ALL {
            assert_eq!(Capability::parse(c.as_str()), Some(c));
        }
        for l in Lifecycle::ALL {
            assert_eq!(Lifecycle::parse(l.as_str()), Some(l));
        }
        assert!(Processing::Region < Processing::Geography);
        assert!(Processing::Geography < Processing::Global);
        assert_eq!(Billing::OnDemand.as_str(), "on_demand");
        assert_eq!(Cloud::parse("AWS"), None);
        assert_eq!(
            serde_json::to_string(&Billing::OnDemand).unwrap(),
            "\"on_demand\""
        );
    }
}
