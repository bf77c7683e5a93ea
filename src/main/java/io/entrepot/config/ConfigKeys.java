package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The catalog of configuration keys: those Entrepot reads, those distribution (2.8 and 3.0) reads
 * but Entrepot does not yet, and those whose absence would make the registry less safe.
 *
 * <p>{@link #check} walks the whole tree and reports every key that Entrepot does not read, so
 * that nothing in an operator's file is ignored silently. Values are checked later by
 * {@link ConfigMapper}. A key whose value is null (written as {@code key:} with nothing after it)
 * counts as absent, as it does in distribution.
 */
final class ConfigKeys {

    /** Keys under {@code storage} that are options rather than the name of a storage driver. */
    static final Set<String> STORAGE_SECTIONS = Set.of("delete", "redirect", "cache", "maintenance", "tag");

    /** Storage drivers Entrepot implements. */
    static final Set<String> SUPPORTED_DRIVERS = Set.of("filesystem", "inmemory", "s3");

    /** Storage drivers distribution 2.8 or 3.0 ships and Entrepot does not implement yet. */
    static final Set<String> UNSUPPORTED_DRIVERS = Set.of("s3-aws", "azure", "gcs", "swift", "oss");

    /** Keys Entrepot reads. Maps whose children are free-form (header names, log fields) are listed in {@link #FREE_FORM}. */
    private static final Set<String> SUPPORTED = Set.of(
            "version",
            "loglevel",
            "log", "log.level", "log.formatter", "log.fields",
            "storage",
            "storage.filesystem", "storage.filesystem.rootdirectory", "storage.filesystem.maxthreads",
            "storage.inmemory",
            "storage.s3", "storage.s3.accesskey", "storage.s3.secretkey", "storage.s3.sessiontoken",
            "storage.s3.region", "storage.s3.regionendpoint", "storage.s3.forcepathstyle", "storage.s3.bucket",
            "storage.s3.rootdirectory", "storage.s3.encrypt", "storage.s3.keyid", "storage.s3.secure",
            "storage.s3.skipverify", "storage.s3.v4auth", "storage.s3.chunksize",
            "storage.s3.multipartcopychunksize", "storage.s3.multipartcopymaxconcurrency",
            "storage.s3.multipartcopythresholdsize", "storage.s3.storageclass", "storage.s3.objectacl",
            "storage.s3.useragent", "storage.s3.usedualstack", "storage.s3.loglevel",
            "storage.s3.maxconnections", "storage.s3.connecttimeout", "storage.s3.sockettimeout",
            "storage.s3.maxretries", "storage.s3.uploadconcurrency", "storage.s3.uploadbuffermemory",
            "storage.redirect", "storage.redirect.disable", "storage.redirect.expiry",
            "middleware", "middleware.storage",
            "storage.delete", "storage.delete.enabled",
            "storage.maintenance",
            "storage.maintenance.uploadpurging",
            "storage.maintenance.uploadpurging.enabled",
            "storage.maintenance.uploadpurging.age",
            "storage.maintenance.uploadpurging.interval",
            "storage.maintenance.uploadpurging.dryrun",
            "storage.maintenance.readonly", "storage.maintenance.readonly.enabled",
            "storage.maintenance.gc", "storage.maintenance.gc.enabled", "storage.maintenance.gc.interval",
            "storage.maintenance.gc.grace", "storage.maintenance.gc.deleteuntagged", "storage.maintenance.gc.dryrun",
            "storage.maintenance.gc.schedule", "storage.maintenance.gc.timezone",
            "http", "http.addr", "http.net", "http.prefix", "http.host", "http.relativeurls",
            "http.headers", "http.draintimeout", "http.debug", "http.debug.addr",
            "http.maxmanifestsize", "http.trustedproxies", "http.shutdowndelay",
            "http.maxheaderbytes", "http.maxblobsize", "http.maxuploadsperuser",
            "storage.cache", "storage.cache.blobdescriptor", "storage.cache.blobdescriptorsize",
            "redis", "redis.addr", "redis.addrs", "redis.mastername", "redis.username", "redis.password", "redis.db",
            "redis.dialtimeout", "redis.readtimeout", "redis.writetimeout",
            "redis.pool", "redis.pool.maxidle", "redis.pool.maxactive", "redis.pool.idletimeout",
            "redis.tls", "redis.tls.enabled", "redis.tls.cacert",
            "health", "health.storagedriver", "health.storagedriver.enabled", "health.storagedriver.interval",
            "health.storagedriver.threshold", "health.file", "health.http", "health.tcp",
            "http.debug.prometheus", "http.debug.prometheus.enabled", "http.debug.prometheus.path",
            "metrics", "metrics.storageusage", "metrics.storageusage.interval", "metrics.storageusage.quota",
            "metrics.toppulls", "metrics.toppulls.size",
            "tracing", "tracing.otlp", "tracing.otlp.endpoint", "tracing.servicename", "tracing.samplingratio",
            "http.tls", "http.tls.certificate", "http.tls.key", "http.tls.clientcas", "http.tls.minimumtls",
            "http.tls.ciphersuites",
            "auth.htpasswd", "auth.htpasswd.realm", "auth.htpasswd.path", "auth.htpasswd.maxfailures", "auth.htpasswd.failurewindow",
            "auth.token", "auth.token.realm", "auth.token.service", "auth.token.issuer", "auth.token.rootcertbundle",
            "auth.token.jwks", "auth.token.autoredirect", "auth.token.autoredirectpath", "auth.token.signingalgorithms",
            "auth.builtin", "auth.builtin.realm", "auth.builtin.service", "auth.builtin.issuer", "auth.builtin.key",
            "auth.builtin.expiration", "auth.builtin.refreshexpiration", "auth.builtin.maxfailures", "auth.builtin.failurewindow",
            "auth.builtin.htpasswd", "auth.builtin.htpasswd.path", "auth.builtin.robots", "auth.builtin.robots.path",
            "auth.builtin.ldap", "auth.builtin.ldap.url", "auth.builtin.ldap.starttls", "auth.builtin.ldap.cacert",
            "auth.builtin.ldap.insecureskipverify", "auth.builtin.ldap.binddn", "auth.builtin.ldap.bindpassword",
            "auth.builtin.ldap.userbase", "auth.builtin.ldap.userfilter", "auth.builtin.ldap.groupbase",
            "auth.builtin.ldap.groupfilter", "auth.builtin.ldap.groupattribute",
            "audit", "audit.path",
            "retention",
            "access");

    /**
     * Keys whose children are not checked here: free-form maps, and lists and sections that
     * {@link ConfigMapper}, {@link RetentionConfigMapper} and {@link AccessConfigMapper} validate.
     */
    private static final Set<String> FREE_FORM = Set.of("log.fields", "http.headers", "middleware.storage", "retention", "access");

    /** Distribution keys that are ignored with a warning naming the key itself. */
    private static final Set<String> UNSUPPORTED_KEYS = Set.of(
            "log.accesslog", "log.hooks", "log.reportcaller",
            "storage.tag", "middleware.registry", "middleware.repository",
            "http.secret", "http.http2", "http.h2c");

    /** Distribution sections that are ignored with one warning per child, such as {@code notifications.endpoints}. */
    private static final Set<String> UNSUPPORTED_SECTIONS = Set.of(
            "notifications", "proxy", "reporting",
            "validation", "compatibility", "catalog");

    /** Problem message for an authentication scheme that Entrepot does not implement. */
    private static final String UNSUPPORTED_AUTH = "this authentication scheme is not supported yet, so Entrepot"
            + " would serve without it. Use auth.htpasswd, auth.token or auth.builtin, or remove the auth section to run without authentication";

    /** Keys that stop start-up, with the consequence of ignoring them and what to do instead. */
    private static final Map<String, String> UNSAFE_KEYS = Map.of(
            "http.tls.letsencrypt", "Let's Encrypt is not supported, so Entrepot would have no certificate."
                    + " Obtain the certificate another way and set http.tls.certificate and http.tls.key");

    /**
     * Known keys that an operator sets to make the registry safer, with what Entrepot would do if it
     * ignored a misspelling of one. An unknown key close to one of these, or close to a section
     * whose value contains one (such as {@code htpp: {tls: ...}}), stops start-up.
     *
     * <p>Keys are in this map when ignoring them widens who can do what, exposes traffic or data,
     * removes a limit that has no default, or loses the audit trail. Keys are left out when
     * ignoring them is as safe or safer: without {@code storage.delete} deletion stays disabled,
     * without {@code http.trustedproxies} no forwarded address is trusted, without
     * {@code retention} nothing is removed, and {@code maxfailures}, {@code maxmanifestsize} and
     * {@code maxheaderbytes} keep a bounded default. The schemes under {@code auth} and the keys
     * under {@code auth.builtin} and {@code access} stop start-up anyway when unknown.
     */
    private static final Map<String, String> SAFETY_KEYS = Map.ofEntries(
            Map.entry("auth", "serve without authentication"),
            Map.entry("access", "give every authenticated user every right in every repository"),
            Map.entry("audit", "keep no audit log"),
            Map.entry("audit.path", "keep no audit log"),
            Map.entry("http.addr", "listen on every network interface, port 5000"),
            Map.entry("http.headers", "send none of the configured response headers, such as Strict-Transport-Security"),
            Map.entry("http.maxblobsize", "accept uploads of any size"),
            Map.entry("http.maxuploadsperuser", "let each user open any number of uploads"),
            Map.entry("http.tls", "serve plain HTTP, with passwords and tokens unencrypted"),
            Map.entry("http.tls.certificate", "serve plain HTTP, with passwords and tokens unencrypted"),
            Map.entry("http.tls.key", "serve plain HTTP, with passwords and tokens unencrypted"),
            Map.entry("http.tls.clientcas", "accept clients without checking their certificates"),
            Map.entry("http.tls.minimumtls", "accept TLS 1.2 even if a later minimum was meant"),
            Map.entry("http.tls.ciphersuites", "accept every default cipher suite"),
            Map.entry("storage.maintenance.readonly", "accept pushes and deletions although read-only mode was requested"),
            Map.entry("storage.maintenance.readonly.enabled", "accept pushes and deletions although read-only mode was requested"),
            Map.entry("storage.s3.encrypt", "store objects without server-side encryption"),
            Map.entry("redis.tls", "connect to Redis without TLS"),
            Map.entry("redis.tls.enabled", "connect to Redis without TLS"),
            Map.entry("redis.tls.cacert", "trust every CA of the JDK for the Redis server's certificate instead of the configured one"));

    private ConfigKeys() {}

    /** Returns true if {@code path} is a key of the catalog, read or not, rather than an unknown key. */
    static boolean isKnown(String path) {
        return path.equals("auth") || catalog().anyMatch(path::equals);
    }

    /** Adds a warning for each key Entrepot ignores and a problem for each key it must not ignore. */
    static void check(JsonNode root, List<ConfigProblem> problems, List<String> warnings) {
        checkChildren(root, "", problems, warnings);
    }

    private static void checkChildren(JsonNode node, String parentPath, List<ConfigProblem> problems, List<String> warnings) {
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            JsonNode value = property.getValue();
            if (value.isNull()) {
                continue;
            }
            String path = parentPath.isEmpty() ? property.getKey() : parentPath + "." + property.getKey();
            checkKey(path, value, problems, warnings);
        }
    }

    private static void checkKey(String path, JsonNode value, List<ConfigProblem> problems, List<String> warnings) {
        if (path.equals("auth")) {
            checkAuth(value, problems, warnings);
        } else if (UNSAFE_KEYS.containsKey(path)) {
            problems.add(new ConfigProblem(path, UNSAFE_KEYS.get(path), null));
        } else if (UNSUPPORTED_SECTIONS.contains(path)) {
            warnUnsupportedSection(path, value, warnings);
        } else if (UNSUPPORTED_KEYS.contains(path)) {
            warnings.add("unsupported configuration key ignored: " + path);
        } else if (isDriver(path)) {
            checkDriver(path, value, problems, warnings);
        } else if (SUPPORTED.contains(path)) {
            if (value.isObject() && !FREE_FORM.contains(path)) {
                checkChildren(value, path, problems, warnings);
            }
        } else if (path.startsWith("auth.builtin.")) {
            // A misspelt key here, such as starttls, could leave a password unprotected, so it stops start-up.
            problems.add(new ConfigProblem(path, "unknown key of the built-in token server" + hint(closeSiblings(path))
                    + "; see the auth.builtin keys in docs/security.md", null));
        } else {
            checkUnknown(path, value, problems, warnings);
        }
    }

    /**
     * Reports an unknown key: as a problem when it is close to a safety key, otherwise as a
     * warning that names the closest known key, if any.
     */
    private static void checkUnknown(String path, JsonNode value, List<ConfigProblem> problems, List<String> warnings) {
        List<String> close = closeSiblings(path);
        for (String intended : close) {
            String consequence = consequenceOfIgnoring(intended, value);
            if (consequence != null) {
                problems.add(new ConfigProblem(path, "unknown key, did you mean " + intended + "? Entrepot would ignore it and "
                        + consequence + ", so start-up stops; correct the spelling", null));
                return;
            }
        }
        warnings.add("unknown configuration key: " + path + hint(close));
    }

    /** Returns the known keys next to {@code path} whose last name is close to its last name, closest first. */
    private static List<String> closeSiblings(String path) {
        int dot = path.lastIndexOf('.');
        String prefix = dot < 0 ? "" : path.substring(0, dot + 1);
        Set<String> siblings = new TreeSet<>();
        Stream.concat(Stream.of("auth"), catalog()).filter(key -> key.startsWith(prefix)).forEach(key -> {
            String rest = key.substring(prefix.length());
            siblings.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
        });
        return KeySpelling.closeNames(path.substring(dot + 1), siblings).stream().map(name -> prefix + name).toList();
    }

    /** Returns what ignoring {@code value} at {@code intended} would cost, or null when that is no safety loss. */
    private static String consequenceOfIgnoring(String intended, JsonNode value) {
        String consequence = SAFETY_KEYS.get(intended);
        if (consequence != null || !value.isObject()) {
            return consequence;
        }
        for (Map.Entry<String, JsonNode> child : value.properties()) {
            if (!child.getValue().isNull()) {
                consequence = consequenceOfIgnoring(intended + "." + child.getKey(), child.getValue());
                if (consequence != null) {
                    return consequence;
                }
            }
        }
        return null;
    }

    /** Returns {@code ", did you mean X?"} for the first of {@code close}, or an empty string when it is empty. */
    private static String hint(List<String> close) {
        return close.isEmpty() ? "" : ", did you mean " + close.get(0) + "?";
    }

    private static Stream<String> catalog() {
        return Stream.of(SUPPORTED, UNSUPPORTED_KEYS, UNSUPPORTED_SECTIONS, UNSAFE_KEYS.keySet()).flatMap(Set::stream);
    }

    /** Checks the keys of each supported scheme and reports each unsupported scheme as its own problem. */
    private static void checkAuth(JsonNode auth, List<ConfigProblem> problems, List<String> warnings) {
        if (!auth.isObject() || auth.isEmpty()) {
            problems.add(new ConfigProblem("auth", "must be a map with one authentication scheme, such as htpasswd", null));
            return;
        }
        for (Map.Entry<String, JsonNode> scheme : auth.properties()) {
            String path = "auth." + scheme.getKey();
            if (SUPPORTED.contains(path)) {
                checkKey(path, scheme.getValue(), problems, warnings);
            } else if (!scheme.getValue().isNull()) {
                List<String> close = closeSiblings(path);
                String hint = close.isEmpty() ? "" : "unknown scheme, did you mean " + close.get(0) + "? Otherwise ";
                problems.add(new ConfigProblem(path, hint + UNSUPPORTED_AUTH, null));
            }
        }
    }

    private static void warnUnsupportedSection(String path, JsonNode value, List<String> warnings) {
        if (!value.isObject() || value.isEmpty()) {
            warnings.add("unsupported configuration key ignored: " + path);
            return;
        }
        for (Map.Entry<String, JsonNode> child : value.properties()) {
            warnings.add("unsupported configuration key ignored: " + path + "." + child.getKey());
        }
    }

    /** Checks the parameters of a supported driver. {@link ConfigMapper} reports an unsupported one. */
    private static void checkDriver(String path, JsonNode value, List<ConfigProblem> problems, List<String> warnings) {
        String driver = path.substring("storage.".length());
        if (SUPPORTED_DRIVERS.contains(driver) && value.isObject()) {
            checkChildren(value, path, problems, warnings);
        }
    }

    static boolean isDriver(String path) {
        return path.startsWith("storage.")
                && path.indexOf('.', "storage.".length()) < 0
                && !STORAGE_SECTIONS.contains(path.substring("storage.".length()));
    }
}
