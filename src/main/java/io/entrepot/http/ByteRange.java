package io.entrepot.http;

import io.entrepot.registry.ErrorCode;
import io.entrepot.registry.RegistryException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One inclusive byte range, from a {@code Range} request header or a {@code Content-Range}. */
record ByteRange(long first, long last) {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?");

    long length() {
        return last - first + 1;
    }

    /**
     * Parses a {@code Range: bytes=a-b}, {@code bytes=a-} or {@code bytes=-n} header against a
     * blob of {@code size} bytes. Several ranges are not supported.
     *
     * @throws RegistryException RANGE_INVALID naming the header when it is malformed or cannot be
     *     satisfied; the detail carries the size for the {@code Content-Range: bytes *}{@code /size} reply
     */
    static ByteRange parseRange(String header, long size) {
        Matcher matcher = RANGE.matcher(header.trim());
        if (!matcher.matches() || (matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
            throw invalid("invalid Range header \"" + header + "\": expected a single range bytes=first-last", size);
        }
        try {
            if (matcher.group(1).isEmpty()) {
                long suffix = Long.parseLong(matcher.group(2));
                if (suffix == 0 || size == 0) {
                    throw invalid("Range \"" + header + "\" cannot be satisfied for a blob of " + size + " bytes", size);
                }
                return new ByteRange(Math.max(0, size - suffix), size - 1);
            }
            long first = Long.parseLong(matcher.group(1));
            long last = matcher.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(matcher.group(2)), size - 1);
            if (first >= size || (!matcher.group(2).isEmpty() && Long.parseLong(matcher.group(2)) < first)) {
                throw invalid("Range \"" + header + "\" cannot be satisfied for a blob of " + size + " bytes", size);
            }
            return new ByteRange(first, last);
        } catch (NumberFormatException e) {
            throw invalid("invalid Range header \"" + header + "\": number too large", size);
        }
    }

    /**
     * Parses the {@code Content-Range} of an upload chunk: {@code first-last}, as clients send
     * it, with an optional {@code bytes} unit and {@code /length}.
     *
     * @throws RegistryException RANGE_INVALID naming the header when it is malformed
     */
    static ByteRange parseContentRange(String header) {
        Matcher matcher = CONTENT_RANGE.matcher(header.trim());
        if (!matcher.matches()) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "invalid Content-Range \"" + header + "\": expected first-last");
        }
        try {
            long first = Long.parseLong(matcher.group(1));
            long last = Long.parseLong(matcher.group(2));
            if (last < first) {
                throw new RegistryException(ErrorCode.RANGE_INVALID, "invalid Content-Range \"" + header + "\": last byte before first");
            }
            return new ByteRange(first, last);
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.RANGE_INVALID, "invalid Content-Range \"" + header + "\": number too large");
        }
    }

    private static RegistryException invalid(String message, long size) {
        return new RegistryException(ErrorCode.RANGE_INVALID, message, Map.of("size", size));
    }
}
