package io.entrepot.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Builds the URLs the API returns in {@code Location} and {@code Link} headers, honouring
 * {@code http.prefix}, {@code http.host} and {@code http.relativeurls} as distribution does.
 */
final class Urls {

    private final String prefix;
    private final String host;
    private final boolean relative;

    /**
     * @param prefix the path prefix, starting and ending with "/"
     * @param host the configured absolute base URL, or null to use the request's Host header
     */
    Urls(String prefix, String host, boolean relative) {
        this.prefix = prefix;
        this.host = host == null ? null : host.replaceAll("/+$", "");
        this.relative = relative;
    }

    /** Returns the prefix, such as "/" or "/registry/". */
    String prefix() {
        return prefix;
    }

    /** Returns the URL for an API path such as {@code v2/name/blobs/uploads/id} (no leading slash). */
    String to(Request request, String apiPath) {
        String path = prefix + apiPath;
        if (relative) {
            return path;
        }
        if (host != null) {
            return host + path;
        }
        String authority = request.getHeaders().get(HttpHeader.HOST);
        if (authority == null || authority.isEmpty()) {
            authority = request.getHttpURI().getAuthority();
        }
        return request.getHttpURI().getScheme() + "://" + authority + path;
    }
}
