//! Signed JWT assertions (RS256) for the grants that prove a private key: Entra ID's client
//! certificate credential and Google's service-account JWT bearer grant. Keys are read from
//! PEM (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`) and signed with `ring`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::Value;

/// Base64url without padding, as JWTs encode their parts.
pub(crate) fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// One PEM block: its label (`CERTIFICATE`, `PRIVATE KEY`, …) and its DER bytes.
pub(crate) struct Pem {
    pub(crate) label: String,
    pub(crate) der: Vec<u8>,
}

/// Every PEM block of `text`, in order.
pub(crate) fn pem_blocks(text: &str) -> Result<Vec<Pem>, String> {
    let mut out = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut b64 = String::new();
        let mut closed = false;
        for l in lines.by_ref() {
            if l == end {
                closed = true;
                break;
            }
            // Encapsulated headers (`Proc-Type: …`) mark an encrypted legacy key.
            if l.contains(':') {
                return Err(format!(
                    "the {label} block is encrypted; give an unencrypted key"
                ));
            }
            b64.push_str(l);
        }
        if !closed {
            return Err(format!("the {label} block has no END line"));
        }
        let der = STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| format!("the {label} block is not valid base64: {e}"))?;
        out.push(Pem {
            label: label.to_string(),
            der,
        });
    }
    Ok(out)
}

/// An RSA private key.
pub(crate) struct RsaKey(RsaKeyPair);

impl RsaKey {
    /// The first private key of a PEM text.
    pub(crate) fn from_pem(text: &str) -> Result<RsaKey, String> {
        let blocks = pem_blocks(text)?;
        for b in &blocks {
            match b.label.as_str() {
                "PRIVATE KEY" => {
                    return RsaKeyPair::from_pkcs8(&b.der)
                        .map(RsaKey)
                        .map_err(|e| format!("the private key is not a usable RSA key: {e}"))
                }
                "RSA PRIVATE KEY" => {
                    return RsaKeyPair::from_der(&b.der)
                        .map(RsaKey)
                        .map_err(|e| format!("the private key is not a usable RSA key: {e}"))
                }
                "ENCRYPTED PRIVATE KEY" => {
                    return Err("the private key is encrypted; give an unencrypted PEM key".into())
                }
                "EC PRIVATE KEY" => {
                    return Err("the private key is an EC key; an RSA key is needed".into())
                }
                _ => {}
            }
        }
        Err("no PRIVATE KEY or RSA PRIVATE KEY block was found".into())
    }
}

/// A compact JWS signed with RS256: `header.claims.signature`.
pub(crate) fn rs256(key: &RsaKey, header: &Value, claims: &Value) -> Result<String, String> {
    let signing_input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let mut signature = vec![0; key.0.public().modulus_len()];
    key.0
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            signing_input.as_bytes(),
            &mut signature,
        )
        .map_err(|_| "signing the assertion failed".to_string())?;
    Ok(format!("{signing_input}.{}", b64url(&signature)))
}

/// SHA-1 of `data`: certificate thumbprints (`x5t`) and the AWS SSO cache's file names,
/// both defined with SHA-1.
pub(crate) fn sha1(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

/// Lower-case hex.
pub(crate) fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random UUID (version 4), for assertion IDs and session names.
pub(crate) fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness: a time-based value still keeps assertion IDs apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b = nanos.to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_are_read_in_order() {
        let text = "junk\n-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nAw==\n-----END PRIVATE KEY-----\n";
        let blocks = pem_blocks(text).expect("pem");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(blocks[0].der, [0, 1, 2]);
        assert_eq!(blocks[1].der, [3]);
        assert!(pem_blocks("-----BEGIN X-----\nAAEC\n").is_err());
        assert!(pem_blocks("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n-----END RSA PRIVATE KEY-----").is_err());
    }

    #[test]
    fn keys_that_cannot_sign_are_refused_with_the_reason() {
        let e = RsaKey::from_pem(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n-----END ENCRYPTED PRIVATE KEY-----",
        )
        .err();
        assert!(e.is_some_and(|e| e.contains("encrypted")));
        let e =
            RsaKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----").err();
        assert!(e.is_some_and(|e| e.contains("not a usable RSA key")));
        assert!(RsaKey::from_pem("nothing").is_err());
    }

    #[test]
    fn sha1_and_uuids() {
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(u, uuid_v4());
    }
}
