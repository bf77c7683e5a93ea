package io.entrepot.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Builds the URLs the API returns in {@code Location} headers, honouring {@code http.prefix},
 * {@code http.host} and {@code http.relativeurls} as distribution does, and the
 * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} headers of trusted proxies.
 * {@code Link} headers are relative paths under the prefix, so they stay right behind any proxy
 * that does not rewrite paths.
 */
final class Urls {

    private final String prefix;
    private final String host;
    private final boolean relative;
    private final TrustedProxies trustedProxies;

    /**
     * @param prefix the path prefix, starting and ending with "/"
     * @param host the configured absolute base URL, or null to use the request's Host header
     */
    Urls(String prefix, String host, boolean relative, TrustedProxies trustedProxies) {
        this.prefix = prefix;
        this.host = host == null ? null : host.replaceAll("/+$", "");
        this.relative = relative;
        this.trustedProxies = trustedProxies;
    }

    /** Returns the prefix, such as "/" or "/registry/". */
    String prefix() {
        return prefix;
    }

    /** Returns the URL for an API path such as {@code v2/name/blobs/uploads/id} (no leading slash). */
    String to(Request request, String apiPath) {
        return relative ? prefix + apiPath : absolute(request, apiPath);
    }

    /** Returns the absolute URL for an API path, even when {@code http.relativeurls} is set. */
    String absolute(Request request, String apiPath) {
        String path = prefix + apiPath;
        if (host != null) {
            return host + path;
        }
        String scheme = request.getHttpURI().getScheme();
        String authority = request.getHeaders().get(HttpHeader.HOST);
        if (authority == null || authority.isEmpty()) {
            authority = request.getHttpURI().getAuthority();
        }
        if (trustedProxies.trusts(request.getConnectionMetaData().getRemoteSocketAddress())) {
            String forwardedProto = first(request.getHeaders().get(HttpHeader.X_FORWARDED_PROTO));
            String forwardedHost = first(request.getHeaders().get(HttpHeader.X_FORWARDED_HOST));
            if (forwardedProto != null && (forwardedProto.equalsIgnoreCase("http") || forwardedProto.equalsIgnoreCase("https"))) {
                scheme = forwardedProto.toLowerCase(java.util.Locale.ROOT);
            }
            if (forwardedHost != null && FORWARDED_HOST.matcher(forwardedHost).matches()) {
                authority = forwardedHost;
            }
        }
        return scheme + "://" + authority + path;
    }

    /** A host with an optional port; anything else in X-Forwarded-Host is ignored rather than echoed. */
    private static final java.util.regex.Pattern FORWARDED_HOST =
            java.util.regex.Pattern.compile("(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?");

    /** Returns the first entry of a comma-separated header that chained proxies append to, or null. */
    private static String first(String header) {
        if (header == null) {
            return null;
        }
        String value = header.split(",", 2)[0].trim();
        return value.isEmpty() ? null : value;
    }
}
