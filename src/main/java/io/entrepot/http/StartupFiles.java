package io.entrepot.http;

import io.entrepot.auth.AccessPolicy;
import io.entrepot.auth.SigningKey;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.ConfigProblem;
import io.entrepot.config.IdentityBackendConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local files that {@link RegistryServer#start} reads before it listens, checked with the
 * same loaders: the {@code http.tls} certificate, key and client CAs, the cloudfront private
 * key, the htpasswd file, the {@code auth.token} root certificates and JWKS, and the built-in
 * token server's signing key, htpasswd file, robots file and LDAP CA file.
 *
 * <p>{@code config check} and {@code serve} both run {@link #check}, so a file that would stop
 * start-up makes {@code config check} fail too. The check opens no port and contacts no server.
 */
public final class StartupFiles {

    private StartupFiles() {}

    /**
     * Reads every local file that {@code config} names, as start-up does.
     *
     * @return one problem per file that cannot be read or parsed, naming the configuration key
     *     and the file; empty when start-up would read them all
     */
    public static List<ConfigProblem> check(RegistryConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (config.http().tls() != null) {
            Path certificate = config.http().tls().certificate();
            load(problems, "http.tls", certificate, () -> TlsContexts.create(config.http().tls()));
        }
        List<StorageConfig.StorageMiddleware> middleware = config.storage().redirect().middleware();
        for (int i = 0; i < middleware.size(); i++) {
            if (middleware.get(i) instanceof StorageConfig.CloudFront cloudFront) {
                load(problems, "middleware.storage." + i + ".options.privatekey", cloudFront.privateKey(),
                        () -> StorageDrivers.cloudFrontSigner(cloudFront));
            }
        }
        checkAuth(problems, config);
        return problems;
    }

    /**
     * Returns the servers that start-up contacts and {@link #check} does not: Redis, the S3
     * bucket, LDAP servers and the tracing collector.
     */
    public static List<String> notContacted(RegistryConfig config) {
        List<String> servers = new ArrayList<>();
        if (config.redis().configured()) {
            servers.add("Redis at " + String.join(", ", config.redis().addrs()));
        }
        if (config.storage().driver() instanceof StorageConfig.S3 s3) {
            servers.add("S3 bucket " + s3.bucket() + (s3.endpoint() == null ? "" : " at " + s3.endpoint()));
        }
        if (config.auth() instanceof AuthConfig.Builtin builtin) {
            for (IdentityBackendConfig backend : builtin.backends()) {
                if (backend instanceof IdentityBackendConfig.Ldap ldap) {
                    servers.add("LDAP at " + ldap.url());
                }
            }
        }
        if (config.tracing().enabled()) {
            servers.add("the tracing collector at " + config.tracing().otlpEndpoint());
        }
        return servers;
    }

    private static void checkAuth(List<ConfigProblem> problems, RegistryConfig config) {
        AccessPolicy policy = RegistryServer.accessPolicy(config.auth(), config.access());
        switch (config.auth()) {
            case AuthConfig.None ignored -> { }
            case AuthConfig.Htpasswd htpasswd -> load(problems, "auth.htpasswd.path", htpasswd.path(),
                    () -> RegistryServer.createAuthenticator(htpasswd, policy));
            case AuthConfig.Token token -> load(problems, "auth.token",
                    token.rootCertBundle() != null ? token.rootCertBundle() : token.jwks(),
                    () -> RegistryServer.createAuthenticator(token, policy));
            case AuthConfig.Builtin builtin -> {
                load(problems, "auth.builtin.key", builtin.key(), () -> SigningKey.load(builtin.key()));
                for (IdentityBackendConfig backend : builtin.backends()) {
                    switch (backend) {
                        case IdentityBackendConfig.Htpasswd htpasswd -> load(problems, "auth.builtin.htpasswd.path", htpasswd.path(),
                                () -> BuiltinTokenServer.identityBackend(backend));
                        case IdentityBackendConfig.Robots robots -> load(problems, "auth.builtin.robots.path", robots.path(),
                                () -> BuiltinTokenServer.identityBackend(backend));
                        case IdentityBackendConfig.Ldap ldap -> load(problems, "auth.builtin.ldap.cacert", ldap.caCert(),
                                () -> BuiltinTokenServer.identityBackend(backend));
                    }
                }
            }
        }
    }

    /** A start-up step that reads files. */
    private interface Loader {
        Object load() throws IOException;
    }

    private static void load(List<ConfigProblem> problems, String key, Path file, Loader loader) {
        try {
            loader.load();
        } catch (IOException e) {
            problems.add(new ConfigProblem(key, describe(e), file == null ? null : file.toString()));
        }
    }

    /** Turns the JDK's file exceptions, whose message is only the path, into a sentence. */
    private static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException missing -> "file not found: " + missing.getFile();
            case AccessDeniedException denied -> "permission denied: " + denied.getFile();
            default -> e.getMessage();
        };
    }
}
