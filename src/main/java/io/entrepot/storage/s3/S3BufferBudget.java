package io.entrepot.storage.s3;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The part buffers that all writers of one {@link S3Driver} may hold beyond their first, so that
 * the memory of parts sent in parallel stays bounded however many uploads run at once.
 *
 * <p>Each writer has one buffer of its own, which this budget counts but never withholds, so every
 * upload makes progress and none waits for buffers that other uploads use. A writer takes each
 * further buffer with {@link #tryTakeExtra}, which never waits, and when that fails it waits for
 * its own parts in flight to return their buffers. The buffers of a driver therefore take at most
 * ({@code writers} + {@code extraBuffers}) × {@code chunksize} bytes.
 */
final class S3BufferBudget {

    private final long bufferSize;
    private final int extraBuffers;
    private final Semaphore extraPermits;
    private final AtomicLong buffersInUse = new AtomicLong();
    private final AtomicInteger extrasInUse = new AtomicInteger();
    private final AtomicInteger peakExtrasInUse = new AtomicInteger();

    /** A budget of {@code memory / bufferSize} extra buffers, rounded down. */
    S3BufferBudget(long memory, long bufferSize) {
        if (memory < 0) {
            throw new IllegalArgumentException("memory must not be negative: " + memory);
        }
        this.bufferSize = bufferSize;
        this.extraBuffers = (int) Math.min(Integer.MAX_VALUE, memory / bufferSize);
        this.extraPermits = new Semaphore(extraBuffers);
    }

    /** Counts the first buffer of a writer, which is granted whatever the budget. */
    void takeFirst() {
        buffersInUse.incrementAndGet();
    }

    /** Counts the return of a writer's first buffer. */
    void returnFirst() {
        buffersInUse.decrementAndGet();
    }

    /** Takes one extra buffer if the budget has one left, without waiting; returns whether it did. */
    boolean tryTakeExtra() {
        if (!extraPermits.tryAcquire()) {
            return false;
        }
        int inUse = extrasInUse.incrementAndGet();
        peakExtrasInUse.accumulateAndGet(inUse, Math::max);
        buffersInUse.incrementAndGet();
        return true;
    }

    /** Returns one extra buffer taken with {@link #tryTakeExtra}. */
    void returnExtra() {
        buffersInUse.decrementAndGet();
        // Decremented before the permit returns, so that the count never exceeds the permits taken.
        extrasInUse.decrementAndGet();
        extraPermits.release();
    }

    /** Returns the bytes of the part buffers that writers hold now, first buffers included. */
    long bytesInUse() {
        return buffersInUse.get() * bufferSize;
    }

    /** Returns the number of buffers that writers hold now, first buffers included. */
    long buffersInUse() {
        return buffersInUse.get();
    }

    /** Returns the number of extra buffers the budget allows. */
    int extraBuffers() {
        return extraBuffers;
    }

    /** Returns the number of extra buffers held now. */
    int extrasInUse() {
        return extrasInUse.get();
    }

    /** Returns the most extra buffers held at the same time since the driver was built. */
    int peakExtrasInUse() {
        return peakExtrasInUse.get();
    }
}
