package io.entrepot.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:6c3c62...}: an algorithm and the lowercase hex encoding
 * of the hash. Only the algorithms the OCI image specification registers are accepted, with their
 * exact hex length, so a digest names one storage path and no other.
 */
public record Digest(Algorithm algorithm, String hex) {

    /** The registered digest algorithms. */
    public enum Algorithm {
        SHA256("sha256", "SHA-256", 64),
        SHA512("sha512", "SHA-512", 128);

        private final String id;
        private final String jcaName;
        private final int hexLength;

        Algorithm(String id, String jcaName, int hexLength) {
            this.id = id;
            this.jcaName = jcaName;
            this.hexLength = hexLength;
        }

        public String id() {
            return id;
        }

        public int hexLength() {
            return hexLength;
        }

        /** Returns a new hasher for this algorithm. */
        public MessageDigest newHasher() {
            try {
                return MessageDigest.getInstance(jcaName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(jcaName + " is required by the Java platform", e);
            }
        }

        static Algorithm fromId(String id) {
            for (Algorithm algorithm : values()) {
                if (algorithm.id.equals(id)) {
                    return algorithm;
                }
            }
            return null;
        }
    }

    private static final Pattern LOWER_HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
        if (algorithm == null || hex == null || hex.length() != algorithm.hexLength || !LOWER_HEX.matcher(hex).matches()) {
            throw invalid(String.valueOf(algorithm) + ":" + hex, "malformed");
        }
    }

    /**
     * Parses {@code algorithm:hex}.
     *
     * @throws RegistryException with {@link ErrorCode#DIGEST_INVALID} naming the value when it is
     *     malformed, uses an unknown algorithm or has the wrong hex length
     */
    public static Digest parse(String value) {
        if (value == null || value.isEmpty()) {
            throw invalid("", "empty");
        }
        int colon = value.indexOf(':');
        if (colon <= 0) {
            throw invalid(value, "expected algorithm:hex");
        }
        Algorithm algorithm = Algorithm.fromId(value.substring(0, colon));
        if (algorithm == null) {
            throw invalid(value, "unsupported algorithm \"" + value.substring(0, colon) + "\" (supported: sha256, sha512)");
        }
        String hex = value.substring(colon + 1);
        if (hex.length() != algorithm.hexLength) {
            throw invalid(value, algorithm.id + " needs " + algorithm.hexLength + " hex characters, got " + hex.length());
        }
        if (!LOWER_HEX.matcher(hex).matches()) {
            throw invalid(value, "hex must be lowercase [a-f0-9]");
        }
        return new Digest(algorithm, hex);
    }

    /** Returns whether {@code value} is a well-formed digest. */
    public static boolean isDigest(String value) {
        try {
            parse(value);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    /** Returns the sha256 digest of {@code content}. */
    public static Digest sha256(byte[] content) {
        return of(Algorithm.SHA256, Algorithm.SHA256.newHasher().digest(content));
    }

    /** Returns the digest of {@code content} with the same algorithm as this one. */
    public Digest recompute(byte[] content) {
        return of(algorithm, algorithm.newHasher().digest(content));
    }

    /** Returns the digest built from a finished hash. */
    public static Digest of(Algorithm algorithm, byte[] hash) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    private static RegistryException invalid(String value, String reason) {
        return new RegistryException(ErrorCode.DIGEST_INVALID, "invalid digest \"" + value + "\": " + reason,
                java.util.Map.of("digest", value));
    }

    @Override
    public String toString() {
        return algorithm.id + ":" + hex;
    }
}
