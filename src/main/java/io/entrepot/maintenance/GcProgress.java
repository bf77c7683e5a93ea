package io.entrepot.maintenance;

/** Receives a garbage collection's progress, for a display on a terminal. */
public interface GcProgress {

    /** Progress that is not shown anywhere. */
    GcProgress NONE = new GcProgress() {
        @Override
        public void phase(String name, long total) {}

        @Override
        public void advance() {}
    };

    /** Starts a phase, such as {@code mark} or {@code sweep}, of {@code total} steps, or -1 when unknown. */
    void phase(String name, long total);

    /** Records one finished step of the current phase. */
    void advance();
}
