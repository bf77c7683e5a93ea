package io.entrepot.storage;

import java.io.IOException;

/** Receives the entries of {@link StorageDriver#walk}. */
@FunctionalInterface
public interface WalkVisitor {

    /** What the walk does after an entry was visited. */
    enum Decision {
        CONTINUE,
        /** For a directory: do not descend into it. For a file: same as CONTINUE. */
        SKIP_DIRECTORY,
        STOP
    }

    Decision visit(FileInfo info) throws IOException;
}
