package io.entrepot.registry;

/** The {@code <reference>} of a manifest URL: a tag or a digest. */
public sealed interface Reference {

    /** Parses a reference: a value containing ':' must be a digest, anything else a tag. */
    static Reference parse(String value) {
        if (value != null && value.contains(":")) {
            return new ByDigest(Digest.parse(value));
        }
        return new ByTag(new Tag(value));
    }

    record ByTag(Tag tag) implements Reference {
        @Override
        public String toString() {
            return tag.toString();
        }
    }

    record ByDigest(Digest digest) implements Reference {
        @Override
        public String toString() {
            return digest.toString();
        }
    }
}
