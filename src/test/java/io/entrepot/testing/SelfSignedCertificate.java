package io.entrepot.testing;

import io.entrepot.e2e.ExternalTools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code registry.test} and {@code 127.0.0.1}, made with openssl,
 * as {@code registry.crt}, {@code registry.key} and {@code registry.pem} (both, for HAProxy).
 */
public final class SelfSignedCertificate {

    private SelfSignedCertificate() {}

    /** Writes the files into {@code directory} and returns it. */
    public static Path create(Path directory) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path crt = directory.resolve("registry.crt");
        Path key = directory.resolve("registry.key");
        Path log = directory.resolve("openssl.log");
        Process openssl = new ProcessBuilder(List.of(ExternalTools.require("openssl").toString(), "req", "-x509",
                "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=registry.test",
                "-addext", "subjectAltName=DNS:registry.test,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", crt.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            throw new IOException("openssl req failed: " + Files.readString(log, StandardCharsets.UTF_8));
        }
        Files.writeString(directory.resolve("registry.pem"), Files.readString(crt) + Files.readString(key));
        return directory;
    }

    /** Returns a TLS context that trusts only the certificate in {@code directory}. */
    public static SSLContext trusting(Path directory) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(directory.resolve("registry.crt"))) {
            trusted.setCertificateEntry("registry", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
