package io.entrepot.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code http.tls} section: the server certificate, and the client CAs that turn on mutual TLS.
 *
 * @param certificate PEM file with the server certificate, followed by its intermediate certificates
 * @param key PEM file with the private key of {@code certificate}, in PKCS#8, PKCS#1 (RSA) or SEC 1 (EC) form
 * @param clientCas PEM files of the CAs that sign client certificates; when not empty, every client
 *     must present a certificate signed by one of them
 * @param minimumVersion lowest TLS version accepted
 * @param cipherSuites cipher suites to offer, by their IANA names, or empty for the JDK's defaults
 */
public record TlsConfig(Path certificate, Path key, List<Path> clientCas, Version minimumVersion, List<String> cipherSuites) {

    public TlsConfig {
        clientCas = List.copyOf(clientCas);
        cipherSuites = List.copyOf(cipherSuites);
    }

    /** The TLS versions that can be the minimum, with the names distribution uses in {@code minimumtls}. */
    public enum Version {
        TLS_1_2("tls1.2", "TLSv1.2"),
        TLS_1_3("tls1.3", "TLSv1.3");

        private final String configName;
        private final String protocolName;

        Version(String configName, String protocolName) {
            this.configName = configName;
            this.protocolName = protocolName;
        }

        /** Returns the name used in {@code http.tls.minimumtls}, such as {@code tls1.2}. */
        public String configName() {
            return configName;
        }

        /** Returns the JSSE protocol name, such as {@code TLSv1.2}. */
        public String protocolName() {
            return protocolName;
        }
    }

    /** Returns whether clients must present a certificate. */
    public boolean mutual() {
        return !clientCas.isEmpty();
    }
}
