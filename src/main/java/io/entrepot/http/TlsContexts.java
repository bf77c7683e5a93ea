package io.entrepot.http;

import io.entrepot.config.TlsConfig;
import io.entrepot.tls.PemFiles;
import java.io.IOException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Builds and reloads Jetty's TLS settings from {@code http.tls}. */
final class TlsContexts {

    private TlsContexts() {}

    /**
     * Creates the server-side TLS factory: the certificate chain and key, the client CAs when
     * mutual TLS is on, the minimum version and the cipher suites.
     *
     * @throws IOException when a PEM file cannot be read or the key does not match the certificate
     */
    static SslContextFactory.Server create(TlsConfig tls) throws IOException {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        loadStores(factory, tls);
        factory.setKeyStorePassword(new String(PemFiles.STORE_PASSWORD));
        // Clients reach a registry by many names and by IP address, so the Host header is not
        // matched against the certificate; the client checks the certificate itself.
        factory.setSniRequired(false);
        factory.setIncludeProtocols(protocols(tls.minimumVersion()));
        if (!tls.cipherSuites().isEmpty()) {
            // The operator's list replaces Jetty's exclusions, as distribution applies it unchanged.
            factory.setExcludeCipherSuites();
            factory.setIncludeCipherSuites(withTls13Suites(tls.cipherSuites()));
        }
        return factory;
    }

    /**
     * Reads the PEM files again into {@code factory}, so new connections use the new certificate
     * while open connections go on with the old one.
     */
    static void reload(SslContextFactory.Server factory, TlsConfig tls) throws Exception {
        // Read the files before reloading so that a broken file leaves the running settings as they were.
        KeyStore keyStore = PemFiles.keyStore(tls.certificate(), tls.key());
        KeyStore trustStore = tls.mutual() ? PemFiles.trustStore(tls.clientCas()) : null;
        factory.reload(reloaded -> {
            reloaded.setKeyStore(keyStore);
            if (trustStore != null) {
                reloaded.setTrustStore(trustStore);
            }
        });
    }

    private static void loadStores(SslContextFactory.Server factory, TlsConfig tls) throws IOException {
        factory.setKeyStore(PemFiles.keyStore(tls.certificate(), tls.key()));
        if (tls.mutual()) {
            factory.setTrustStore(PemFiles.trustStore(tls.clientCas()));
            factory.setNeedClientAuth(true);
        }
    }

    private static String[] protocols(TlsConfig.Version minimum) {
        return switch (minimum) {
            case TLS_1_2 -> new String[] {"TLSv1.3", "TLSv1.2"};
            case TLS_1_3 -> new String[] {"TLSv1.3"};
        };
    }

    /**
     * Adds the JDK's TLS 1.3 suites to the operator's list. Go, and so distribution, does not let
     * {@code ciphersuites} restrict TLS 1.3, and without them a TLS 1.3 handshake would fail.
     */
    private static String[] withTls13Suites(List<String> configured) {
        List<String> suites = new ArrayList<>(configured);
        try {
            Arrays.stream(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites())
                    .filter(suite -> suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_"))
                    .filter(suite -> !suites.contains(suite))
                    .forEach(suites::add);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
        return suites.toArray(new String[0]);
    }
}
