package io.entrepot.testing;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * A stream of {@code length} zero bytes delivered in equal pieces with a pause between two pieces, so
 * that sending it takes about {@code duration}. {@link #started()} opens once the first piece
 * has been read, which tells a test that the request body is on its way.
 */
public final class ThrottledInputStream extends InputStream {

    private final long length;
    private final int pieceSize;
    private final long pauseNanos;
    private final CountDownLatch started = new CountDownLatch(1);
    private long position;

    public ThrottledInputStream(long length, int pieces, Duration duration) {
        this.length = length;
        this.pieceSize = (int) Math.ceilDiv(length, pieces);
        this.pauseNanos = duration.toNanos() / pieces;
    }

    /** Returns a latch that opens when the first piece has been read. */
    public CountDownLatch started() {
        return started;
    }

    @Override
    public int read() throws InterruptedIOException {
        byte[] single = new byte[1];
        return read(single, 0, 1) < 0 ? -1 : single[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) throws InterruptedIOException {
        if (position == length) {
            return -1;
        }
        // Pause only at piece boundaries, so each piece costs one pause however it is read.
        if (position % pieceSize == 0 && position > 0) {
            try {
                Thread.sleep(Duration.ofNanos(pauseNanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("throttled body interrupted at byte " + position);
            }
        }
        long pieceEnd = Math.min(length, (position / pieceSize + 1) * pieceSize);
        int read = (int) Math.min(count, pieceEnd - position);
        Arrays.fill(buffer, offset, offset + read, (byte) 0);
        position += read;
        if (position == pieceEnd) {
            started.countDown();
        }
        return read;
    }
}
