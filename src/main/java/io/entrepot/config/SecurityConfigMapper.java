package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Maps the sections that decide who may reach the registry: {@code http.tls}, {@code auth} and
 * Entrepot's own {@code audit}. Files named by these keys must exist and be readable when the
 * configuration is loaded, so that a typo stops start-up with the key's name.
 */
final class SecurityConfigMapper {

    /** Distribution's default realm for {@code auth.htpasswd}. */
    static final String DEFAULT_HTPASSWD_REALM = "basic-realm";

    private final ValueReader reader;

    SecurityConfigMapper(ValueReader reader) {
        this.reader = reader;
    }

    /** Returns the {@code http.tls} section, or null when it is absent. */
    TlsConfig tls() {
        JsonNode section = reader.node("http.tls");
        if (section == null) {
            return null;
        }
        if (!section.isObject()) {
            reader.problem("http.tls", "must be a map with certificate and key", section);
            return null;
        }
        // Distribution serves plain HTTP when certificate is empty, which would hide a typo, so both are required here.
        Path certificate = requiredFile("http.tls.certificate");
        Path key = requiredFile("http.tls.key");
        List<Path> clientCas = new ArrayList<>();
        for (String file : reader.stringList("http.tls.clientcas")) {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                reader.problem("http.tls.clientcas", "file not found or not readable: " + file, null);
            }
            clientCas.add(path);
        }
        return new TlsConfig(certificate, key, clientCas, minimumVersion(), cipherSuites());
    }

    private TlsConfig.Version minimumVersion() {
        String value = reader.string("http.tls.minimumtls", TlsConfig.Version.TLS_1_2.configName());
        for (TlsConfig.Version version : TlsConfig.Version.values()) {
            if (version.configName().equals(value)) {
                return version;
            }
        }
        String reason = value.equals("tls1.0") || value.equals("tls1.1")
                ? "TLS 1.0 and 1.1 are disabled in the JDK, use tls1.2 or tls1.3"
                : "must be tls1.2 or tls1.3";
        reader.problem("http.tls.minimumtls", reason, reader.node("http.tls.minimumtls"));
        return TlsConfig.Version.TLS_1_2;
    }

    private List<String> cipherSuites() {
        List<String> suites = reader.stringList("http.tls.ciphersuites");
        if (suites.isEmpty()) {
            return suites;
        }
        Set<String> supported = supportedCipherSuites();
        for (String suite : suites) {
            if (!supported.contains(suite)) {
                reader.problem("http.tls.ciphersuites", "cipher suite " + suite + " is not supported by this JDK;"
                        + " use IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", null);
            }
        }
        return suites;
    }

    private static Set<String> supportedCipherSuites() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }

    /**
     * Returns the {@code auth} section. Each scheme that Entrepot does not implement yet is
     * already reported by {@link ConfigKeys}, so it maps to no authentication here.
     */
    AuthConfig auth() {
        JsonNode auth = reader.node("auth");
        if (auth == null || !auth.isObject()) {
            return AuthConfig.NONE;
        }
        List<String> schemes = new ArrayList<>();
        auth.properties().forEach(entry -> {
            if (!entry.getValue().isNull()) {
                schemes.add(entry.getKey());
            }
        });
        if (schemes.size() > 1) {
            reader.problem("auth", "configure one authentication scheme, found " + String.join(", ", schemes), null);
            return AuthConfig.NONE;
        }
        if (schemes.contains("htpasswd")) {
            return htpasswd();
        }
        if (schemes.contains("token")) {
            return token();
        }
        if (schemes.contains("builtin")) {
            return new BuiltinAuthMapper(reader, this).builtin();
        }
        return AuthConfig.NONE;
    }

    private AuthConfig token() {
        String realm = reader.string("auth.token.realm", "");
        if (realm.isBlank()) {
            reader.problem("auth.token.realm", "missing, must be the URL of the token server", null);
        } else {
            checkRealm("auth.token.realm", realm);
        }
        String service = requiredString("auth.token.service", "the service name that tokens name as their audience");
        String issuer = requiredString("auth.token.issuer", "the issuer that tokens name");
        Path bundle = reader.has("auth.token.rootcertbundle") ? requiredFile("auth.token.rootcertbundle") : null;
        Path jwks = reader.has("auth.token.jwks") ? requiredFile("auth.token.jwks") : null;
        if (bundle == null && jwks == null) {
            reader.problem("auth.token", "set rootcertbundle or jwks, so that token signatures can be verified", null);
        }
        if (reader.bool("auth.token.autoredirect", false)) {
            reader.problem("auth.token.autoredirect", "not supported yet; set realm to the token server's full URL", reader.node("auth.token.autoredirect"));
        }
        for (String key : List.of("auth.token.autoredirectpath", "auth.token.signingalgorithms")) {
            if (reader.has(key)) {
                reader.problem(key, "not supported yet; remove it. Tokens signed with RS*, PS* or ES* are accepted", reader.node(key));
            }
        }
        return new AuthConfig.Token(realm, service, issuer, bundle, jwks);
    }

    String requiredString(String key, String meaning) {
        String value = reader.string(key, "");
        if (value.isBlank()) {
            reader.problem(key, "missing, must be " + meaning, null);
        }
        return value;
    }

    private AuthConfig htpasswd() {
        String realm = reader.string("auth.htpasswd.realm", DEFAULT_HTPASSWD_REALM);
        checkRealm("auth.htpasswd.realm", realm);
        Path path = requiredFile("auth.htpasswd.path");
        long maxFailures = reader.integer("auth.htpasswd.maxfailures", AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES);
        if (maxFailures < 0 || maxFailures > Integer.MAX_VALUE) {
            reader.problem("auth.htpasswd.maxfailures", "must be a number of failures from 0 (no limit) to " + Integer.MAX_VALUE,
                    reader.node("auth.htpasswd.maxfailures"));
            maxFailures = AuthConfig.Htpasswd.DEFAULT_MAX_FAILURES;
        }
        Duration window = reader.duration("auth.htpasswd.failurewindow", AuthConfig.Htpasswd.DEFAULT_FAILURE_WINDOW);
        if (maxFailures > 0 && window.isZero()) {
            reader.problem("auth.htpasswd.failurewindow", "must be greater than zero while maxfailures is set",
                    reader.node("auth.htpasswd.failurewindow"));
        }
        return new AuthConfig.Htpasswd(realm, path, (int) maxFailures, window);
    }

    /** Checks that a realm fits inside the quoted string of a {@code WWW-Authenticate} header. */
    void checkRealm(String key, String realm) {
        if (realm.isBlank() || realm.contains("\"") || realm.contains("\\") || realm.chars().anyMatch(c -> c < 0x20)) {
            reader.problem(key, "must be non-empty and contain no quote, backslash or control character", reader.node(key));
        }
    }

    /** Returns Entrepot's {@code audit} section: {@code audit.path} is a file or {@code stdout}. */
    AuditConfig audit() {
        String path = reader.string("audit.path", null);
        if (path == null || path.isBlank()) {
            return AuditConfig.DISABLED;
        }
        if (path.equals("stdout")) {
            return new AuditConfig(null, true);
        }
        Path file = Path.of(path);
        Path directory = file.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            reader.problem("audit.path", "directory not found: " + directory, reader.node("audit.path"));
        }
        return new AuditConfig(file, false);
    }

    Path requiredFile(String key) {
        String value = reader.string(key, "");
        if (value.isBlank()) {
            reader.problem(key, "missing, must name a readable file", null);
            return null;
        }
        Path path = Path.of(value);
        if (!Files.isReadable(path)) {
            reader.problem(key, "file not found or not readable", reader.node(key));
        }
        return path;
    }
}
