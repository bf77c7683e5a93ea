package io.entrepot.http;

import io.entrepot.registry.RegistryException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * A request body that may yield at most {@code limit} bytes. Reading past the limit throws the
 * supplied exception rather than returning the extra bytes, so nothing beyond the limit reaches
 * storage.
 */
final class SizeLimitedInputStream extends FilterInputStream {

    private final Supplier<RegistryException> overLimit;
    private long remaining;

    SizeLimitedInputStream(InputStream in, long limit, Supplier<RegistryException> overLimit) {
        super(in);
        this.remaining = limit;
        this.overLimit = overLimit;
    }

    @Override
    public int read() throws IOException {
        if (remaining == 0) {
            checkEnd();
            return -1;
        }
        int value = super.read();
        if (value >= 0) {
            remaining--;
        }
        return value;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (remaining == 0) {
            checkEnd();
            return -1;
        }
        int read = super.read(buffer, offset, (int) Math.min(length, remaining));
        if (read > 0) {
            remaining -= read;
        }
        return read;
    }

    /** At the limit: the body may end here, and one more byte means it is too large. */
    private void checkEnd() throws IOException {
        if (super.read() >= 0) {
            throw overLimit.get();
        }
    }
}
