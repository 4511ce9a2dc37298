//! A fast hash for the graph's own maps (keyed by addresses): the FxHash of rustc. It is not
//! resistant to chosen collisions, which do not matter here: keys come from the spec the user
//! runs the tool on.

use std::hash::{BuildHasher, Hasher};

/// Builds [`FxHasher`]s.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FxBuildHasher;

impl BuildHasher for FxBuildHasher {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

/// A multiply-and-add hash over 8-byte words.
pub(crate) struct FxHasher(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = self.0.wrapping_add(word).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn distinct_addresses_hash_apart() {
        let hashes: HashSet<u64> = (0..10_000)
            .map(|i| {
                FxBuildHasher.hash_one(crate::Address::new(
                    "aws.main",
                    "deployment",
                    format!("m-{i}"),
                ))
            })
            .collect();
        assert_eq!(hashes.len(), 10_000);
        assert_ne!(FxBuildHasher.hash_one("ab"), FxBuildHasher.hash_one("ab\0"));
    }
}
