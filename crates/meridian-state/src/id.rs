//! Random identifiers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A random UUID (version 4, RFC 9562), lower-case and hyphenated
/// (`0f8fad5b-d9cb-469f-a165-70867728950e`).
///
/// The 16 bytes come from the operating system's random source; should that fail, they are
/// derived from the time, the process ID and a counter, which is still unique in practice.
pub fn new_uuid_v4() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = fallback_bytes();
    }
    format_uuid_v4(bytes)
}

/// Sets the version (4) and variant (RFC 9562) bits of `bytes` and formats them.
pub(crate) fn format_uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(crate::HEX[usize::from(b >> 4)]));
        out.push(char::from(crate::HEX[usize::from(b & 0x0f)]));
    }
    out
}

fn fallback_bytes() -> [u8; 16] {
    use sha2::{Digest as _, Sha256};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// Whether `s` is a lower-case hyphenated UUID of version 4.
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
            }
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn uuids_are_v4_lower_case_hyphenated() {
        for _ in 0..200 {
            let u = new_uuid_v4();
            assert!(is_uuid_v4(&u), "{u}");
        }
    }

    #[test]
    fn uuids_are_unique() {
        let set: HashSet<String> = (0..1000).map(|_| new_uuid_v4()).collect();
        assert_eq!(set.len(), 1000);
    }

    #[test]
    fn version_and_variant_bits_are_forced() {
        assert_eq!(
            format_uuid_v4([0xff; 16]),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
        assert_eq!(
            format_uuid_v4([0; 16]),
            "00000000-0000-4000-8000-000000000000"
        );
        assert_eq!(
            format_uuid_v4([
                0x0f, 0x8f, 0xad, 0x5b, 0xd9, 0xcb, 0x46, 0x9f, 0xa1, 0x65, 0x70, 0x86, 0x77, 0x28,
                0x95, 0x0e
            ]),
            "0f8fad5b-d9cb-469f-a165-70867728950e"
        );
    }

    #[test]
    fn fallback_is_unique_and_valid() {
        let a = format_uuid_v4(fallback_bytes());
        let b = format_uuid_v4(fallback_bytes());
        assert_ne!(a, b);
        assert!(is_uuid_v4(&a) && is_uuid_v4(&b));
    }

    #[test]
    fn uuid_checker_rejects_malformed() {
        for bad in [
            "",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "0f8fad5b-d9cb-369f-a165-70867728950e",
            "0f8fad5b-d9cb-469f-c165-70867728950e",
            "0f8fad5bxd9cb-469f-a165-70867728950e",
        ] {
            assert!(!is_uuid_v4(bad), "{bad}");
        }
    }
}
