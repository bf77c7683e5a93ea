package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Maps a configuration tree, after environment overrides, to {@link RegistryConfig}, applying
 * distribution's defaults and recording every invalid value instead of stopping at the first.
 */
final class ConfigMapper {

    static final String SUPPORTED_VERSION = "0.1";

    /** Distribution's default for {@code http.addr}: every interface, port 5000. */
    static final String DEFAULT_ADDR = ":5000";

    /** Distribution's filesystem driver default and minimum for {@code maxthreads}. */
    static final int DEFAULT_MAX_THREADS = 100;
    static final int MIN_MAX_THREADS = 25;

    private static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug");

    /** An HTTP header field name is an RFC 9110 token. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final ValueReader reader;
    private final List<String> warnings;

    ConfigMapper(JsonNode root, List<ConfigProblem> problems, List<String> warnings) {
        this.reader = new ValueReader(root, problems, warnings);
        this.warnings = warnings;
    }

    /** Returns the mapped configuration, which is only meaningful when no problem was recorded. */
    RegistryConfig map() {
        CacheSectionMapper cacheSection = new CacheSectionMapper(reader);
        RedisConfig redis = cacheSection.redis();
        ObservabilityMapper observability = new ObservabilityMapper(reader);
        SecurityConfigMapper security = new SecurityConfigMapper(reader);
        AuthConfig auth = security.auth();
        return new RegistryConfig(version(), log(), storage(), http().withTls(security.tls()), observability.metrics(), observability.tracing(),
                auth, security.audit(), cacheSection.cache(redis), redis, new HealthSectionMapper(reader).health(),
                new RetentionConfigMapper(reader).map(), new AccessConfigMapper(reader).map(auth));
    }

    private String version() {
        JsonNode version = reader.node("version");
        if (version == null) {
            reader.problem("version", "missing, must be \"" + SUPPORTED_VERSION + "\"", null);
            return SUPPORTED_VERSION;
        }
        if (!version.asText().equals(SUPPORTED_VERSION)) {
            reader.problem("version", "unsupported version, must be \"" + SUPPORTED_VERSION + "\"", version);
        }
        return SUPPORTED_VERSION;
    }

    private LogConfig log() {
        String level = logLevel();
        if (!LOG_LEVELS.contains(level)) {
            String key = reader.has("log.level") ? "log.level" : "loglevel";
            reader.problem(key, "must be one of error, warn, info, debug", reader.node(key));
            level = LogConfig.DEFAULT.level();
        }

        String formatter = reader.string("log.formatter", "text");
        LogConfig.Formatter format = switch (formatter) {
            case "text" -> LogConfig.Formatter.TEXT;
            case "json", "logstash" -> LogConfig.Formatter.JSON;
            default -> {
                reader.problem("log.formatter", "must be one of text, json, logstash", reader.node("log.formatter"));
                yield LogConfig.DEFAULT.formatter();
            }
        };

        return new LogConfig(level, format, logFields());
    }

    /** Returns {@code log.level}, falling back to distribution's deprecated top-level {@code loglevel}. */
    private String logLevel() {
        if (reader.has("loglevel")) {
            if (reader.has("log.level")) {
                warnings.add("deprecated configuration key loglevel ignored because log.level is set");
            } else {
                warnings.add("deprecated configuration key loglevel used, move its value to log.level");
                return reader.string("loglevel", LogConfig.DEFAULT.level());
            }
        }
        return reader.string("log.level", LogConfig.DEFAULT.level());
    }

    private Map<String, String> logFields() {
        JsonNode fields = reader.node("log.fields");
        if (fields == null) {
            return Map.of();
        }
        if (!fields.isObject()) {
            reader.problem("log.fields", "must be a map of field names to values", fields);
            return Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : fields.properties()) {
            String path = "log.fields." + field.getKey();
            if (field.getValue().isContainerNode()) {
                reader.problem(path, "must be a scalar value", field.getValue());
            } else {
                result.put(field.getKey(), field.getValue().isNull() ? "" : field.getValue().asText());
            }
        }
        return result;
    }

    private StorageConfig storage() {
        StorageConfig.Driver driver = driver();
        boolean deleteEnabled = reader.bool("storage.delete.enabled", false);
        boolean readOnly = reader.bool("storage.maintenance.readonly.enabled", false);
        StorageConfig.Redirect redirect = new RedirectConfigReader(reader).read();
        return new StorageConfig(driver, deleteEnabled, uploadPurging(), readOnly, redirect, garbageCollection());
    }

    /** Maps the one storage driver. No driver, several drivers or an unsupported one is a problem. */
    private StorageConfig.Driver driver() {
        JsonNode storage = reader.node("storage");
        if (storage == null) {
            reader.problem("storage", "missing, configure exactly one storage driver, such as filesystem or inmemory", null);
            return new StorageConfig.InMemory();
        }
        if (!storage.isObject()) {
            reader.problem("storage", "must be a map containing one storage driver, or the name of a driver", storage);
            return new StorageConfig.InMemory();
        }
        List<String> drivers = new ArrayList<>();
        storage.properties().forEach(entry -> {
            if (!ConfigKeys.STORAGE_SECTIONS.contains(entry.getKey())) {
                drivers.add(entry.getKey());
            }
        });
        if (drivers.size() != 1) {
            String found = drivers.isEmpty() ? "none" : drivers.size() + ": " + String.join(", ", drivers);
            reader.problem("storage", "exactly one storage driver must be configured, found " + found, null);
            return new StorageConfig.InMemory();
        }

        String name = drivers.get(0);
        return switch (name) {
            case "filesystem" -> filesystem();
            case "inmemory" -> new StorageConfig.InMemory();
            case "s3" -> new S3ConfigReader(reader, warnings).read();
            default -> {
                String reason = ConfigKeys.UNSUPPORTED_DRIVERS.contains(name)
                        ? "storage driver " + name + " is not supported yet, use filesystem, s3 or inmemory"
                        : "unknown storage driver " + name + ", use filesystem, s3 or inmemory";
                reader.problem("storage." + name, reason, null);
                yield new StorageConfig.InMemory();
            }
        };
    }

    private StorageConfig.Filesystem filesystem() {
        JsonNode params = reader.node("storage.filesystem");
        if (params != null && !params.isObject()) {
            reader.problem("storage.filesystem", "must be a map of driver parameters", params);
        }

        String root = reader.string("storage.filesystem.rootdirectory", StorageConfig.Filesystem.DEFAULT_ROOT.toString());
        if (root.isBlank()) {
            reader.problem("storage.filesystem.rootdirectory", "must not be empty", reader.node("storage.filesystem.rootdirectory"));
        } else if (java.nio.file.Files.exists(Path.of(root)) && !java.nio.file.Files.isDirectory(Path.of(root))) {
            reader.problem("storage.filesystem.rootdirectory", "exists and is not a directory", reader.node("storage.filesystem.rootdirectory"));
        }

        long maxThreads = reader.integer("storage.filesystem.maxthreads", DEFAULT_MAX_THREADS);
        if (maxThreads > Integer.MAX_VALUE) {
            reader.problem("storage.filesystem.maxthreads", "too large, the maximum is " + Integer.MAX_VALUE, reader.node("storage.filesystem.maxthreads"));
            maxThreads = DEFAULT_MAX_THREADS;
        } else if (maxThreads < MIN_MAX_THREADS) {
            // Distribution raises a smaller value to the minimum rather than failing.
            warnings.add("storage.filesystem.maxthreads: " + maxThreads + " is below the minimum " + MIN_MAX_THREADS + ", using " + MIN_MAX_THREADS);
            maxThreads = MIN_MAX_THREADS;
        }
        return new StorageConfig.Filesystem(Path.of(root.isBlank() ? StorageConfig.Filesystem.DEFAULT_ROOT.toString() : root), (int) maxThreads);
    }

    private StorageConfig.UploadPurging uploadPurging() {
        String prefix = "storage.maintenance.uploadpurging.";
        StorageConfig.UploadPurging defaults = StorageConfig.UploadPurging.DEFAULT;
        boolean enabled = reader.bool(prefix + "enabled", defaults.enabled());
        Duration age = reader.duration(prefix + "age", defaults.age());
        Duration interval = reader.duration(prefix + "interval", defaults.interval());
        boolean dryRun = reader.bool(prefix + "dryrun", defaults.dryRun());

        if (enabled && age.isZero()) {
            reader.problem(prefix + "age", "must be greater than zero while upload purging is enabled", reader.node(prefix + "age"));
        }
        if (enabled && interval.isZero()) {
            reader.problem(prefix + "interval", "must be greater than zero while upload purging is enabled", reader.node(prefix + "interval"));
        }
        return new StorageConfig.UploadPurging(enabled, age, interval, dryRun);
    }

    private StorageConfig.GarbageCollection garbageCollection() {
        String prefix = "storage.maintenance.gc.";
        StorageConfig.GarbageCollection defaults = StorageConfig.GarbageCollection.DEFAULT;
        boolean enabled = reader.bool(prefix + "enabled", defaults.enabled());
        Duration interval = reader.duration(prefix + "interval", defaults.interval());
        Duration grace = reader.duration(prefix + "grace", defaults.grace());
        boolean deleteUntagged = reader.bool(prefix + "deleteuntagged", defaults.deleteUntagged());
        boolean dryRun = reader.bool(prefix + "dryrun", defaults.dryRun());

        CronExpression schedule = cronSchedule(prefix);
        java.time.ZoneId timeZone = timeZone(prefix + "timezone", defaults.timeZone());

        if (enabled && interval.isZero() && schedule == null) {
            reader.problem(prefix + "interval", "must be greater than zero while garbage collection is enabled", reader.node(prefix + "interval"));
        }
        if (reader.has(prefix + "interval") && reader.has(prefix + "schedule")) {
            reader.problem(prefix + "schedule", "cannot be combined with " + prefix + "interval; remove one of the two",
                    reader.node(prefix + "schedule"));
        }
        if (enabled && grace.compareTo(StorageConfig.GarbageCollection.MIN_ONLINE_GRACE) < 0) {
            reader.problem(prefix + "grace", "must be at least " + GoDuration.format(StorageConfig.GarbageCollection.MIN_ONLINE_GRACE)
                    + " while the registry serves pushes, so that a push in progress keeps its blobs", reader.node(prefix + "grace"));
        }
        return new StorageConfig.GarbageCollection(enabled, interval, schedule, timeZone, grace, deleteUntagged, dryRun);
    }

    /** Reads {@code <prefix>schedule}, a five-field cron expression; null when absent or invalid. */
    private CronExpression cronSchedule(String prefix) {
        String text = reader.string(prefix + "schedule", null);
        if (text == null) {
            return null;
        }
        try {
            return CronExpression.parse(text);
        } catch (IllegalArgumentException e) {
            reader.problem(prefix + "schedule", e.getMessage(), reader.node(prefix + "schedule"));
            return null;
        }
    }

    /** Reads a time zone such as {@code UTC} or {@code Europe/Paris}. */
    private java.time.ZoneId timeZone(String path, java.time.ZoneId defaultValue) {
        String text = reader.string(path, null);
        if (text == null) {
            return defaultValue;
        }
        try {
            return java.time.ZoneId.of(text);
        } catch (java.time.DateTimeException e) {
            reader.problem(path, "unknown time zone, use an IANA name such as UTC or Europe/Paris", reader.node(path));
            return defaultValue;
        }
    }

    private HttpConfig http() {
        String addr = reader.string("http.addr", DEFAULT_ADDR);
        if (addr.isBlank()) {
            reader.problem("http.addr", "must not be empty", reader.node("http.addr"));
            addr = DEFAULT_ADDR;
        }

        String net = reader.string("http.net", "tcp");
        HttpConfig.Net netType = switch (net) {
            case "tcp" -> HttpConfig.Net.TCP;
            case "unix" -> HttpConfig.Net.UNIX;
            default -> {
                reader.problem("http.net", "must be tcp or unix", reader.node("http.net"));
                yield HttpConfig.Net.TCP;
            }
        };

        if (netType == HttpConfig.Net.TCP) {
            checkHostPort("http.addr", addr);
        }
        String debugAddr = reader.string("http.debug.addr", null);
        if (debugAddr != null && debugAddr.isBlank()) {
            debugAddr = null;
        }
        if (debugAddr != null) {
            checkHostPort("http.debug.addr", debugAddr);
        }

        long maxManifestSize = reader.integer("http.maxmanifestsize", HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        if (maxManifestSize <= 0) {
            reader.problem("http.maxmanifestsize", "must be a positive number of bytes", reader.node("http.maxmanifestsize"));
            maxManifestSize = HttpConfig.DEFAULT_MAX_MANIFEST_SIZE;
        }

        return new HttpConfig(
                addr,
                netType,
                prefix(),
                host(),
                reader.bool("http.relativeurls", false),
                headers(),
                reader.duration("http.draintimeout", Duration.ZERO),
                debugAddr,
                maxManifestSize,
                null,
                trustedProxies(),
                reader.duration("http.shutdowndelay", Duration.ZERO),
                requestLimits());
    }

    /** Returns Entrepot's own request limits: {@code http.maxheaderbytes}, {@code http.maxblobsize}, {@code http.maxuploadsperuser}. */
    private RequestLimits requestLimits() {
        long maxHeaderBytes = reader.integer("http.maxheaderbytes", RequestLimits.DEFAULT_MAX_HEADER_BYTES);
        if (maxHeaderBytes < 1024 || maxHeaderBytes > Integer.MAX_VALUE) {
            // Below 1 KiB even a plain GET with a user agent and a bearer token would be rejected.
            reader.problem("http.maxheaderbytes", "must be a number of bytes from 1024 to " + Integer.MAX_VALUE, reader.node("http.maxheaderbytes"));
            maxHeaderBytes = RequestLimits.DEFAULT_MAX_HEADER_BYTES;
        }
        long maxBlobSize = reader.integer("http.maxblobsize", 0);
        if (maxBlobSize < 0) {
            reader.problem("http.maxblobsize", "must be a number of bytes, or 0 for no limit", reader.node("http.maxblobsize"));
            maxBlobSize = 0;
        }
        long maxUploads = reader.integer("http.maxuploadsperuser", 0);
        if (maxUploads < 0 || maxUploads > Integer.MAX_VALUE) {
            reader.problem("http.maxuploadsperuser", "must be a number of upload sessions from 0 (no limit) to " + Integer.MAX_VALUE,
                    reader.node("http.maxuploadsperuser"));
            maxUploads = 0;
        }
        return new RequestLimits(maxHeaderBytes, maxBlobSize, (int) maxUploads);
    }

    /** Returns {@code http.trustedproxies}: IP addresses or CIDR ranges such as 10.0.0.0/8. */
    private List<String> trustedProxies() {
        JsonNode node = reader.node("http.trustedproxies");
        if (node == null) {
            return List.of();
        }
        List<String> proxies = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(item -> proxies.add(item.asText().trim()));
        } else if (node.isValueNode()) {
            // An environment override gives a list as one comma-separated string.
            for (String item : node.asText().split(",")) {
                proxies.add(item.trim());
            }
        } else {
            reader.problem("http.trustedproxies", "must be a list of IP addresses or CIDR ranges", node);
            return List.of();
        }
        for (String proxy : proxies) {
            if (!IP_OR_CIDR.matcher(proxy).matches()) {
                reader.problem("http.trustedproxies", "must contain IP addresses or CIDR ranges such as 10.0.0.0/8, not " + proxy, node);
            } else if (proxy.endsWith("/0")) {
                warnings.add("http.trustedproxies: " + proxy + " trusts every client to name its own address in X-Forwarded-For,"
                        + " which defeats the failed-login limit per address and lets clients write any client_address into the"
                        + " audit log; list only the addresses of your proxies");
            }
        }
        return List.copyOf(proxies);
    }

    // An IPv4 or IPv6 literal with an optional prefix length; host names are rejected because they
    // would need a DNS lookup on every request.
    private static final Pattern IP_OR_CIDR = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}(?:/(?:3[0-2]|[12]?[0-9]))?"
            + "|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))?)");

    // host:port as Go's net.Listen takes it: an empty host means every interface, an IPv6 host is bracketed.
    private static final java.util.regex.Pattern HOST_PORT =
            java.util.regex.Pattern.compile("(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]*):([0-9]{1,5})");

    private void checkHostPort(String key, String addr) {
        var matcher = HOST_PORT.matcher(addr);
        if (!matcher.matches() || Integer.parseInt(matcher.group(1)) > 65535) {
            reader.problem(key, "must be host:port with a port from 0 to 65535, such as 127.0.0.1:5000 or :5000", reader.node(key));
        }
    }

    /** Returns {@code http.prefix} with a leading and a trailing slash, so "v" becomes "/v/". */
    private String prefix() {
        String prefix = reader.string("http.prefix", "/").trim();
        if (!prefix.startsWith("/")) {
            prefix = "/" + prefix;
        }
        if (!prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        if (prefix.contains("//")) {
            reader.problem("http.prefix", "must not contain an empty path segment", reader.node("http.prefix"));
            return "/";
        }
        return prefix;
    }

    /** Returns {@code http.host}, which must be an absolute http or https URL, or null when unset. */
    private String host() {
        String host = reader.string("http.host", null);
        if (host == null || host.isBlank()) {
            return null;
        }
        String problem = null;
        try {
            URI uri = new URI(host);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                problem = "must be an absolute http or https URL, such as https://registry.example.com";
            } else if (uri.getHost() == null) {
                problem = "must name a host, such as https://registry.example.com";
            }
        } catch (URISyntaxException e) {
            problem = "invalid URL, " + e.getReason();
        }
        if (problem != null) {
            reader.problem("http.host", problem, reader.node("http.host"));
            return null;
        }
        return host;
    }

    /** Returns {@code http.headers}. Distribution expects a list per header, and a single string is accepted as a list of one. */
    private Map<String, List<String>> headers() {
        JsonNode headers = reader.node("http.headers");
        if (headers == null) {
            return Map.of();
        }
        if (!headers.isObject()) {
            reader.problem("http.headers", "must be a map of header names to lists of values", headers);
            return Map.of();
        }
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> header : headers.properties()) {
            String path = "http.headers." + header.getKey();
            if (!HEADER_NAME.matcher(header.getKey()).matches()) {
                reader.problem(path, "invalid header name", null);
                continue;
            }
            List<String> values = headerValues(path, header.getValue());
            if (values != null) {
                result.put(header.getKey(), values);
            }
        }
        return result;
    }

    private List<String> headerValues(String path, JsonNode node) {
        if (node.isNull()) {
            return List.of();
        }
        List<JsonNode> nodes = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(nodes::add);
        } else {
            nodes.add(node);
        }
        List<String> values = new ArrayList<>();
        for (JsonNode value : nodes) {
            if (!value.isValueNode() || value.isNull()) {
                reader.problem(path, "must be a list of strings", node);
                return null;
            }
            // A line break would end the header early and let the rest be read as another header.
            if (value.asText().contains("\r") || value.asText().contains("\n")) {
                reader.problem(path, "must not contain a line break", node);
                return null;
            }
            values.add(value.asText());
        }
        return List.copyOf(values);
    }
}
