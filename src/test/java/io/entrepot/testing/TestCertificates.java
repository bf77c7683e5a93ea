package io.entrepot.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates a CA and the certificates it signs, for TLS tests, and writes them as PEM files.
 * Server certificates name {@code 127.0.0.1} and {@code localhost}, so clients that verify the
 * host name accept them on loopback.
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key pair with its certificate, signed by the CA that issued it. */
    public record Issued(KeyPair keys, X509Certificate certificate) {}

    private final KeyPair caKeys;
    private final X509Certificate caCertificate;

    private TestCertificates(KeyPair caKeys, X509Certificate caCertificate) {
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
    }

    /** Creates a new CA with an EC P-256 key, named {@code name}. */
    public static TestCertificates newCa(String name) {
        KeyPair keys = ecKeys();
        X500Name subject = new X500Name("CN=" + name);
        X509Certificate certificate = sign(subject, keys.getPublic(), subject, keys.getPrivate(), true, false, Instant.now().plus(Duration.ofDays(1)));
        return new TestCertificates(keys, certificate);
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** Issues a server certificate for 127.0.0.1 and localhost with {@code keys}. */
    public Issued issueServer(KeyPair keys) {
        return new Issued(keys, sign(new X500Name("CN=localhost"), keys.getPublic(), new X500Name(caCertificate.getSubjectX500Principal().getName()),
                caKeys.getPrivate(), false, true, Instant.now().plus(Duration.ofDays(1))));
    }

    /** Issues a client certificate with a new EC key. */
    public Issued issueClient(String commonName) {
        KeyPair keys = ecKeys();
        return new Issued(keys, sign(new X500Name("CN=" + commonName), keys.getPublic(), new X500Name(caCertificate.getSubjectX500Principal().getName()),
                caKeys.getPrivate(), false, false, Instant.now().plus(Duration.ofDays(1))));
    }

    public static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsaKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returns a certificate as a PEM block. */
    public static String pem(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returns a private key as an unencrypted PKCS#8 PEM block ({@code BEGIN PRIVATE KEY}). */
    public static String pkcs8Pem(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    /**
     * Returns a private key in its traditional form, as openssl writes them: PKCS#1 for RSA, and
     * SEC 1 with the named curve for EC.
     */
    public static String traditionalPem(PrivateKey key) {
        if (key.getAlgorithm().equals("EC")) {
            // BouncyCastle's writer leaves the curve out of a JDK EC key, which openssl never does.
            try {
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
                BigInteger secret = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey()).getKey();
                return block("EC PRIVATE KEY", new org.bouncycastle.asn1.sec.ECPrivateKey(256, secret, curve).getEncoded());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static Path write(Path file, String... pemBlocks) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, String.join("", pemBlocks), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns a client TLS context that trusts {@code trusted} and, when {@code client} is not
     * null, presents that certificate.
     */
    public static SSLContext clientContext(X509Certificate trusted, Issued client) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", trusted);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);

            KeyManagerFactory keyManagers = null;
            if (client != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", client.keys().getPrivate(), "x".toCharArray(), new X509Certificate[] {client.certificate()});
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, "x".toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String block(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }

    private static X509Certificate sign(X500Name subject, java.security.PublicKey publicKey, X500Name issuer, PrivateKey issuerKey,
            boolean ca, boolean server, Instant notAfter) {
        try {
            Instant notBefore = Instant.now().minus(Duration.ofMinutes(5));
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore), Date.from(notAfter), subject, publicKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            }
            if (server) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            }
            String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("failed to issue a test certificate", e);
        }
    }
}
