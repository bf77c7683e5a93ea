package io.entrepot.cache;

import java.util.Locale;

/** The state of the collection fence, which decides whether a serving instance's blob descriptor cache serves lookups. */
public enum FenceState {

    /** No fence: the cache is disabled, or the process does not serve requests. */
    NONE,

    /** The last poll read {@code idle}, so the cache serves lookups. */
    OPEN,

    /** A collection is deleting blobs, or the epoch file is not one Entrepot wrote: lookups read storage. */
    SWEEPING,

    /** A {@code sweeping} marker stayed unchanged past the stale limit, so its collector is taken for dead and the cache serves lookups. */
    ABANDONED,

    /** No poll succeeded recently (the epoch file is unreadable, or the first poll has not finished): lookups read storage. */
    LAPSED;

    /** Returns whether lookups read storage instead of the cache in this state. */
    public boolean bypassesCache() {
        return this == SWEEPING || this == LAPSED;
    }

    /** Returns the lower-case name shown by the debug endpoints, such as {@code sweeping}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
