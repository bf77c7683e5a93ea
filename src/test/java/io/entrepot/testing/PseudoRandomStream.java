package io.entrepot.testing;

import java.io.InputStream;
import java.util.SplittableRandom;

/**
 * A stream of {@code length} pseudo-random bytes from a seed, generated while it is read, so a
 * test can send gigabytes without holding them. The same seed and length always give the same
 * bytes, however the reads are sized.
 */
public final class PseudoRandomStream extends InputStream {

    private final SplittableRandom random;
    private long remaining;
    private long word;
    private int bytesLeftInWord;

    public PseudoRandomStream(long seed, long length) {
        this.random = new SplittableRandom(seed);
        this.remaining = length;
    }

    @Override
    public int read() {
        byte[] single = new byte[1];
        return read(single, 0, 1) < 0 ? -1 : single[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        int count = (int) Math.min(length, remaining);
        for (int i = 0; i < count; i++) {
            if (bytesLeftInWord == 0) {
                word = random.nextLong();
                bytesLeftInWord = Long.BYTES;
            }
            buffer[offset + i] = (byte) word;
            word >>>= 8;
            bytesLeftInWord--;
        }
        remaining -= count;
        return count;
    }

    /** Skips by generating, because the bytes after a skip depend on the generator's state. */
    @Override
    public long skip(long n) {
        byte[] scratch = new byte[64 * 1024];
        long skipped = 0;
        while (skipped < n) {
            int read = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (read < 0) {
                break;
            }
            skipped += read;
        }
        return skipped;
    }
}
