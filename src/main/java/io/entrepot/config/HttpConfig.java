package io.entrepot.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code http} section.
 *
 * @param addr host:port for {@code tcp}, a socket path for {@code unix}
 * @param net tcp or unix
 * @param prefix path prefix under which the API is served, "/" or like "/registry/"
 * @param host absolute base URL for Location headers, such as {@code https://registry.example.com}, or null
 * @param relativeUrls whether Location headers are relative
 * @param headers extra headers added to every response
 * @param drainTimeout how long requests in flight may run after SIGTERM
 * @param debugAddr host:port of the debug server, or null for none
 * @param maxManifestSize largest manifest accepted by PUT, in bytes (Entrepot's own key {@code http.maxmanifestsize})
 * @param tls the {@code http.tls} section, or null to serve plain HTTP
 * @param trustedProxies addresses or CIDR ranges of the proxies whose {@code X-Forwarded-Proto} and
 *     {@code X-Forwarded-Host} headers are believed (Entrepot's own key {@code http.trustedproxies})
 * @param shutdownDelay how long, after SIGTERM, readiness reports failure while requests are still
 *     served, before the listener closes (Entrepot's own key {@code http.shutdowndelay})
 * @param limits the limits on header size, blob size and open uploads per user
 */
public record HttpConfig(
        String addr,
        Net net,
        String prefix,
        String host,
        boolean relativeUrls,
        Map<String, List<String>> headers,
        Duration drainTimeout,
        String debugAddr,
        long maxManifestSize,
        TlsConfig tls,
        List<String> trustedProxies,
        Duration shutdownDelay,
        RequestLimits limits) {

    public enum Net { TCP, UNIX }

    /** Creates a configuration that serves plain HTTP, trusts no proxy and has no shutdown delay. */
    public HttpConfig(String addr, Net net, String prefix, String host, boolean relativeUrls, Map<String, List<String>> headers,
            Duration drainTimeout, String debugAddr, long maxManifestSize) {
        this(addr, net, prefix, host, relativeUrls, headers, drainTimeout, debugAddr, maxManifestSize, null);
    }

    /** Creates a configuration that trusts no proxy and has no shutdown delay. */
    public HttpConfig(String addr, Net net, String prefix, String host, boolean relativeUrls, Map<String, List<String>> headers,
            Duration drainTimeout, String debugAddr, long maxManifestSize, TlsConfig tls) {
        this(addr, net, prefix, host, relativeUrls, headers, drainTimeout, debugAddr, maxManifestSize, tls, List.of(), Duration.ZERO);
    }

    /** Creates a configuration that serves plain HTTP with the given trusted proxies and shutdown delay. */
    public HttpConfig(String addr, Net net, String prefix, String host, boolean relativeUrls, Map<String, List<String>> headers,
            Duration drainTimeout, String debugAddr, long maxManifestSize, List<String> trustedProxies, Duration shutdownDelay) {
        this(addr, net, prefix, host, relativeUrls, headers, drainTimeout, debugAddr, maxManifestSize, null, trustedProxies, shutdownDelay);
    }

    /** Creates a configuration with the default request limits. */
    public HttpConfig(String addr, Net net, String prefix, String host, boolean relativeUrls, Map<String, List<String>> headers,
            Duration drainTimeout, String debugAddr, long maxManifestSize, TlsConfig tls, List<String> trustedProxies,
            Duration shutdownDelay) {
        this(addr, net, prefix, host, relativeUrls, headers, drainTimeout, debugAddr, maxManifestSize, tls, trustedProxies,
                shutdownDelay, RequestLimits.DEFAULT);
    }

    /** Returns a copy of this configuration with {@code tls} in place of the current TLS settings. */
    public HttpConfig withTls(TlsConfig tls) {
        return new HttpConfig(addr, net, prefix, host, relativeUrls, headers, drainTimeout, debugAddr, maxManifestSize, tls,
                trustedProxies, shutdownDelay, limits);
    }

    /** Returns a copy of this configuration with {@code limits} in place of the current request limits. */
    public HttpConfig withLimits(RequestLimits limits) {
        return new HttpConfig(addr, net, prefix, host, relativeUrls, headers, drainTimeout, debugAddr, maxManifestSize, tls,
                trustedProxies, shutdownDelay, limits);
    }

    /** The OCI Distribution Specification asks registries to accept manifests of at least 4 MiB. */
    public static final long DEFAULT_MAX_MANIFEST_SIZE = 4L * 1024 * 1024;
}
