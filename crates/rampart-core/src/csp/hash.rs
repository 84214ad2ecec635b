//! Hash sources for inline code and Subresource Integrity values.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::source::{HashAlgorithm, Source};

fn digest_b64(alg: HashAlgorithm, content: &[u8]) -> String {
    match alg {
        HashAlgorithm::Sha256 => STANDARD.encode(Sha256::digest(content)),
        HashAlgorithm::Sha384 => STANDARD.encode(Sha384::digest(content)),
        HashAlgorithm::Sha512 => STANDARD.encode(Sha512::digest(content)),
    }
}

/// The CSP hash source allowing one inline `<script>` or `<style>` with exactly `content`.
///
/// Hash the text between the tags byte for byte: whitespace counts.
///
/// ```
/// use rampart_core::csp::{hash_source, HashAlgorithm, Policy};
/// let src = hash_source(HashAlgorithm::Sha256, b"alert('Hello, world.');");
/// assert_eq!(src.to_string(), "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='");
/// let p = Policy::default().with_sources("script-src", src).unwrap();
/// assert!(p.to_string().contains("'sha256-qznL"));
/// ```
pub fn hash_source(alg: HashAlgorithm, content: &[u8]) -> Source {
    Source::Hash(alg, digest_b64(alg, content))
}

/// A Subresource Integrity value (`integrity="sha384-…"`) for `content`.
///
/// ```
/// use rampart_core::csp::{sri, HashAlgorithm};
/// assert_eq!(
///     sri(HashAlgorithm::Sha256, b""),
///     "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
/// );
/// ```
pub fn sri(alg: HashAlgorithm, content: &[u8]) -> String {
    format!("{}-{}", alg.prefix(), digest_b64(alg, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(
            sri(HashAlgorithm::Sha256, b""),
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(
            sri(HashAlgorithm::Sha384, b""),
            "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
        );
        assert_eq!(
            sri(HashAlgorithm::Sha512, b""),
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
        );
        assert_eq!(
            hash_source(HashAlgorithm::Sha256, b"alert('Hello, world.');").to_string(),
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
    }

    #[test]
    fn hash_sources_parse_back() {
        for alg in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let s = hash_source(alg, b"body { color: red }");
            assert_eq!(Source::parse(&s.to_string()).unwrap(), s);
        }
    }
}
