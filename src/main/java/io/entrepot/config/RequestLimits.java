package io.entrepot.config;

/**
 * Entrepot's own limits on what one client may send, under {@code http}: header size, blob size
 * and open upload sessions. {@code http.maxmanifestsize} stays a field of {@link HttpConfig}.
 *
 * @param maxHeaderBytes largest request line plus headers, in bytes ({@code http.maxheaderbytes});
 *     larger requests get 431, or 414 when the request line alone is too long
 * @param maxBlobSize largest blob an upload may reach, in bytes, or 0 for no limit
 *     ({@code http.maxblobsize})
 * @param maxUploadsPerUser open upload sessions one user, or one client address when anonymous,
 *     may hold on one instance, or 0 for no limit ({@code http.maxuploadsperuser})
 */
public record RequestLimits(long maxHeaderBytes, long maxBlobSize, int maxUploadsPerUser) {

    /**
     * Twice Jetty's default of 8 KiB, so that bearer tokens carrying many scopes still fit, while
     * one request cannot make the server buffer megabytes of headers.
     */
    public static final long DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

    /** Headers limited to the default size; blob size and open uploads not limited. */
    public static final RequestLimits DEFAULT = new RequestLimits(DEFAULT_MAX_HEADER_BYTES, 0, 0);

    public RequestLimits {
        if (maxHeaderBytes <= 0 || maxHeaderBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxHeaderBytes must be from 1 to " + Integer.MAX_VALUE + ": " + maxHeaderBytes);
        }
        if (maxBlobSize < 0) {
            throw new IllegalArgumentException("maxBlobSize must not be negative: " + maxBlobSize);
        }
        if (maxUploadsPerUser < 0) {
            throw new IllegalArgumentException("maxUploadsPerUser must not be negative: " + maxUploadsPerUser);
        }
    }
}
