package io.entrepot.http;

import java.util.List;
import java.util.Map;

/**
 * The settings the API handlers need, taken from the configuration.
 *
 * @param prefix path prefix, starting and ending with "/"
 * @param host absolute base URL for Location headers, or null
 * @param redirectEnabled whether blob GETs may redirect to the driver's URL
 * @param trustedProxies peers whose X-Forwarded-Proto and X-Forwarded-Host headers are believed
 * @param maxBlobSize largest size an upload may reach, in bytes, or 0 for no limit
 * @param maxUploadsPerUser open upload sessions per user or anonymous address, or 0 for no limit
 */
public record ApiOptions(
        String prefix,
        String host,
        boolean relativeUrls,
        Map<String, List<String>> headers,
        boolean deleteEnabled,
        boolean redirectEnabled,
        long maxManifestSize,
        TrustedProxies trustedProxies,
        long maxBlobSize,
        int maxUploadsPerUser) {

    /** Options that trust no proxy. */
    public ApiOptions(String prefix, String host, boolean relativeUrls, Map<String, List<String>> headers,
            boolean deleteEnabled, boolean redirectEnabled, long maxManifestSize) {
        this(prefix, host, relativeUrls, headers, deleteEnabled, redirectEnabled, maxManifestSize, TrustedProxies.NONE);
    }

    /** Options without limits on blob size and open uploads. */
    public ApiOptions(String prefix, String host, boolean relativeUrls, Map<String, List<String>> headers,
            boolean deleteEnabled, boolean redirectEnabled, long maxManifestSize, TrustedProxies trustedProxies) {
        this(prefix, host, relativeUrls, headers, deleteEnabled, redirectEnabled, maxManifestSize, trustedProxies, 0, 0);
    }
}
