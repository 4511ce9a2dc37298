//! Resource addresses: `azure.corp.deployment.assistant-aoai-sweden`. They parse, print and
//! sort the same way everywhere (plan, state, graph, generated files).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The address of one desired resource: the spec provider it belongs to (`azure.corp`, or
/// `router` for router entries), its kind and its name within that kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Address {
    /// `azure.corp`, `aws.main`, `gcp.ml`, or `router.litellm`.
    pub owner: String,
    /// e.g. `account`, `deployment`, `inference-profile`.
    pub kind: String,
    pub name: String,
}

impl Address {
    pub fn new(owner: impl Into<String>, kind: impl Into<String>, name: impl Into<String>) -> Self {
        Address {
            owner: owner.into(),
            kind: kind.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.owner, self.kind, self.name)
    }
}

/// Why a string is not an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressError(pub String);

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a resource address: {}", self.0)
    }
}

impl std::error::Error for AddressError {}

/// The parts of an address string: `OWNER_TYPE.OWNER_NAME.KIND.NAME`, each non-empty (the
/// name may contain dots).
pub(crate) fn split(s: &str) -> Option<[&str; 4]> {
    let mut parts = s.splitn(4, '.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(owner_type), Some(owner_name), Some(kind), Some(name))
            if [owner_type, owner_name, kind, name]
                .iter()
                .all(|p| !p.is_empty()) =>
        {
            Some([owner_type, owner_name, kind, name])
        }
        _ => None,
    }
}

/// The owner, kind and name of an address string, borrowed from it.
pub(crate) fn parts(s: &str) -> Option<(&str, &str, &str)> {
    let [owner_type, owner_name, kind, name] = split(s)?;
    Some((&s[..owner_type.len() + 1 + owner_name.len()], kind, name))
}

impl FromStr for Address {
    type Err = AddressError;
    /// `OWNER_TYPE.OWNER_NAME.KIND.NAME`; the name may contain dots.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match split(s) {
            Some([owner_type, owner_name, kind, name]) => Ok(Address::new(
                format!("{owner_type}.{owner_name}"),
                kind,
                name,
            )),
            None => Err(AddressError(s.to_string())),
        }
    }
}

impl TryFrom<String> for Address {
    type Error = AddressError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sorts() {
        let a: Address = "azure.corp.deployment.assistant-aoai.v2"
            .parse()
            .expect("parse");
        assert_eq!(a.owner, "azure.corp");
        assert_eq!(a.kind, "deployment");
        assert_eq!(a.name, "assistant-aoai.v2");
        assert_eq!(a.to_string(), "azure.corp.deployment.assistant-aoai.v2");
        assert!("azure.corp.deployment".parse::<Address>().is_err());
        assert!("a..b.c".parse::<Address>().is_err());
        let b: Address = "aws.main.inference-profile.x".parse().expect("parse");
        assert!(b < a);
    }
}
