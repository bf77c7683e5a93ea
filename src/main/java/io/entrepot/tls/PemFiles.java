package io.entrepot.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files that distribution's {@code http.tls} keys name into JDK key stores: a
 * certificate chain with its private key, and a set of CA certificates.
 *
 * <p>Private keys may be unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA
 * ({@code BEGIN RSA PRIVATE KEY}) or SEC 1 EC ({@code BEGIN EC PRIVATE KEY}), which are the forms
 * that openssl and Go's {@code tls.LoadX509KeyPair} read. The last two are wrapped into PKCS#8,
 * the only encoding the JDK's key factories accept. Encrypted keys are rejected, as in distribution.
 */
public final class PemFiles {

    /** Password of the in-memory key stores; they never leave the process. */
    public static final char[] STORE_PASSWORD = "entrepot".toCharArray();

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);

    private static final byte[] RSA_ENCRYPTION_OID = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] DER_NULL = {0x05, 0x00};

    private PemFiles() {}

    /**
     * Reads a certificate chain and its private key into a key store with one entry, alias
     * {@code server}.
     *
     * @throws IOException when a file cannot be read, contains no certificate or key, or the key
     *     does not belong to the first certificate
     */
    public static KeyStore keyStore(Path certificateFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = certificates(certificateFile);
        PrivateKey key = privateKey(keyFile);
        checkKeyMatches(key, chain.get(0), certificateFile, keyFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, STORE_PASSWORD, chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("failed to build a key store from " + certificateFile + " and " + keyFile, e);
        }
    }

    /**
     * Reads every certificate of {@code files} into a trust store.
     *
     * @throws IOException when a file cannot be read or contains no certificate
     */
    public static KeyStore trustStore(List<Path> files) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int index = 0;
            for (Path file : files) {
                for (X509Certificate certificate : certificates(file)) {
                    store.setCertificateEntry("ca-" + index++, certificate);
                }
            }
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("failed to build a trust store from " + files, e);
        }
    }

    /** Reads every certificate of a PEM file, in file order. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file)) {
                if (block.type().equals("CERTIFICATE")) {
                    try (InputStream in = new ByteArrayInputStream(block.der())) {
                        certificates.add((X509Certificate) factory.generateCertificate(in));
                    }
                }
            }
        } catch (CertificateException e) {
            throw new IOException("invalid certificate in " + file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException("no PEM certificate (BEGIN CERTIFICATE) in " + file);
        }
        return certificates;
    }

    /** Reads the first private key of a PEM file. */
    public static PrivateKey privateKey(Path file) throws IOException {
        for (Block block : blocks(file)) {
            switch (block.type()) {
                case "PRIVATE KEY" -> {
                    return pkcs8(block.der(), file);
                }
                case "RSA PRIVATE KEY" -> {
                    rejectEncrypted(block, file);
                    return pkcs8(wrapPkcs8(sequence(RSA_ENCRYPTION_OID, DER_NULL), block.der()), file);
                }
                case "EC PRIVATE KEY" -> {
                    rejectEncrypted(block, file);
                    return pkcs8(wrapPkcs8(sequence(EC_PUBLIC_KEY_OID, ecCurveOid(block.der(), file)), block.der()), file);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException("encrypted private key in " + file
                        + " is not supported; decrypt it, for example with openssl pkey -in KEY -out PLAIN_KEY");
                default -> {
                    // Other blocks, such as EC PARAMETERS before an EC key, are skipped.
                }
            }
        }
        throw new IOException("no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY) in " + file);
    }

    private record Block(String type, String headers, byte[] der) {}

    private static List<Block> blocks(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).replace("\r\n", "\n");
        List<Block> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            String body = matcher.group(2);
            // RFC 1421 headers (Proc-Type, DEK-Info) end with an empty line before the base64 data.
            String headers = "";
            int blank = body.indexOf("\n\n");
            if (body.contains(":") && blank >= 0) {
                headers = body.substring(0, blank);
                body = body.substring(blank + 2);
            }
            try {
                blocks.add(new Block(matcher.group(1), headers, Base64.getMimeDecoder().decode(body)));
            } catch (IllegalArgumentException e) {
                throw new IOException("invalid base64 in the " + matcher.group(1) + " block of " + file, e);
            }
        }
        return blocks;
    }

    private static void rejectEncrypted(Block block, Path file) throws IOException {
        if (block.headers().contains("ENCRYPTED")) {
            throw new IOException("encrypted private key in " + file
                    + " is not supported; decrypt it, for example with openssl pkey -in KEY -out PLAIN_KEY");
        }
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // Try the next algorithm: the key's algorithm is only known by trying.
            }
        }
        throw new IOException("unsupported or invalid private key in " + file + "; use an RSA, EC or Ed25519 key");
    }

    /**
     * Proves that {@code key} belongs to {@code certificate} by signing random bytes with it, so
     * that a mismatched pair fails at start-up rather than at every handshake.
     */
    private static void checkKeyMatches(PrivateKey key, X509Certificate certificate, Path certificateFile, Path keyFile)
            throws IOException {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(data);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // Falls through: a key of another algorithm than the certificate's cannot verify either.
        }
        throw new IOException("the private key in " + keyFile + " does not match the first certificate in " + certificateFile);
    }

    // DER helpers: just enough to wrap PKCS#1 and SEC 1 keys into a PKCS#8 PrivateKeyInfo.

    /** Returns the named curve OID (tag, length and value) of a SEC 1 ECPrivateKey. */
    private static byte[] ecCurveOid(byte[] sec1, Path file) throws IOException {
        try {
            int[] outer = header(sec1, 0);
            int position = outer[0];
            for (int skipped = 0; skipped < 2; skipped++) {
                int[] element = header(sec1, position);
                position = element[0] + element[1];
            }
            if (position < sec1.length && (sec1[position] & 0xff) == 0xa0) {
                int[] parameters = header(sec1, position);
                int[] oid = header(sec1, parameters[0]);
                if (sec1[parameters[0]] == 0x06) {
                    int length = oid[0] + oid[1] - parameters[0];
                    byte[] result = new byte[length];
                    System.arraycopy(sec1, parameters[0], result, 0, length);
                    return result;
                }
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IOException("invalid EC private key in " + file, e);
        }
        throw new IOException("the EC private key in " + file + " does not name its curve; write it with openssl pkey to get PKCS#8");
    }

    /** Returns {start of content, content length} of the DER element at {@code offset}. */
    private static int[] header(byte[] der, int offset) {
        int first = der[offset + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {offset + 2, first};
        }
        int count = first & 0x7f;
        int length = 0;
        for (int i = 0; i < count; i++) {
            length = (length << 8) | (der[offset + 2 + i] & 0xff);
        }
        return new int[] {offset + 2 + count, length};
    }

    private static byte[] wrapPkcs8(byte[] algorithmIdentifier, byte[] privateKey) {
        byte[] version = {0x02, 0x01, 0x00};
        return element(0x30, concat(version, algorithmIdentifier, element(0x04, privateKey)));
    }

    private static byte[] sequence(byte[]... elements) {
        return element(0x30, concat(elements));
    }

    private static byte[] element(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
