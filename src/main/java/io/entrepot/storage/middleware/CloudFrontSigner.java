package io.entrepot.storage.middleware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

/**
 * Signs URLs for CloudFront with a canned policy: the policy names the URL and an expiry time,
 * and the signature is RSA with SHA-1 over the policy, as CloudFront requires for key pairs and
 * trusted key groups. The URL carries {@code Expires}, {@code Signature} and {@code Key-Pair-Id};
 * CloudFront rebuilds the policy from the URL and the expiry, so the policy itself is not sent.
 */
public final class CloudFrontSigner {

    // DER prefix of a PKCS#8 PrivateKeyInfo for rsaEncryption, up to the OCTET STRING that holds
    // the PKCS#1 key; the lengths are filled in by wrapPkcs1.
    private static final byte[] RSA_ALGORITHM_IDENTIFIER = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };

    private final PrivateKey privateKey;
    private final String keyPairId;

    public CloudFrontSigner(PrivateKey privateKey, String keyPairId) {
        this.privateKey = privateKey;
        this.keyPairId = keyPairId;
    }

    /**
     * Reads an RSA private key from a PEM file, in PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, as
     * CloudFront's key pairs come) or PKCS#8 ({@code BEGIN PRIVATE KEY}) form.
     *
     * @throws IOException if the file cannot be read or contains no RSA private key; the message names the file
     */
    public static PrivateKey readPrivateKey(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        boolean pkcs1 = text.contains("-----BEGIN RSA PRIVATE KEY-----");
        if (!pkcs1 && !text.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IOException("cloudfront: " + pem + " contains no PEM RSA private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)");
        }
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? wrapPkcs1(der) : der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IOException("cloudfront: " + pem + " contains an invalid RSA private key: " + e.getMessage(), e);
        }
    }

    /** Returns {@code url} with the query parameters that let CloudFront serve it until {@code expires}. */
    public String sign(String url, Instant expires) {
        long epochSeconds = expires.getEpochSecond();
        String policy = cannedPolicy(url, epochSeconds);
        String signature;
        try {
            Signature rsa = Signature.getInstance("SHA1withRSA");
            rsa.initSign(privateKey);
            rsa.update(policy.getBytes(StandardCharsets.UTF_8));
            signature = urlSafe(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cloudfront: signing " + url + " failed", e);
        }
        return url + (url.contains("?") ? "&" : "?") + "Expires=" + epochSeconds + "&Signature=" + signature + "&Key-Pair-Id=" + keyPairId;
    }

    /** Returns the canned policy CloudFront checks the signature against, without any whitespace. */
    public static String cannedPolicy(String url, long expiresEpochSeconds) {
        return "{\"Statement\":[{\"Resource\":\"" + url + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":"
                + expiresEpochSeconds + "}}}]}";
    }

    /** Encodes in Base64 with CloudFront's replacements for the characters that URLs reserve. */
    static String urlSafe(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes).replace('+', '-').replace('=', '_').replace('/', '~');
    }

    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = concat(new byte[] {0x04}, derLength(pkcs1.length), pkcs1);
        byte[] body = concat(version, RSA_ALGORITHM_IDENTIFIER, octets);
        return concat(new byte[] {0x30}, derLength(body.length), body);
    }

    private static byte[] derLength(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        if (length < 0x100) {
            return new byte[] {(byte) 0x81, (byte) length};
        }
        if (length < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
    }

    private static byte[] concat(byte[]... parts) {
        int total = 0;
        for (byte[] part : parts) {
            total += part.length;
        }
        byte[] result = new byte[total];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, result, offset, part.length);
            offset += part.length;
        }
        return result;
    }
}
