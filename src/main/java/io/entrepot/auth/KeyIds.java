package io.entrepot.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;

/** Key identifiers that token servers write in a JWT's {@code kid} header. */
public final class KeyIds {

    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private KeyIds() {}

    /**
     * Returns the libtrust key ID of {@code key}: the SHA-256 of its DER SubjectPublicKeyInfo cut
     * to 240 bits, in base32, as twelve groups of four characters joined by colons.
     */
    public static String libtrustKeyId(PublicKey key) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
        StringBuilder base32 = new StringBuilder();
        // 30 bytes are 240 bits, which base32 writes as exactly 48 characters.
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < 30; i++) {
            buffer = (buffer << 8) | (hash[i] & 0xff);
            bits += 8;
            while (bits >= 5) {
                base32.append(BASE32[(buffer >> (bits - 5)) & 0x1f]);
                bits -= 5;
            }
        }
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < base32.length(); i += 4) {
            if (i > 0) {
                id.append(':');
            }
            id.append(base32, i, i + 4);
        }
        return id.toString();
    }
}
