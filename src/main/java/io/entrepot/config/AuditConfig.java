package io.entrepot.config;

import java.nio.file.Path;

/**
 * Entrepot's own {@code audit} section: where the audit log of pushes, deletions and
 * authentication failures goes.
 *
 * @param path the file that audit lines are appended to, or null when {@code toStdout} is set or
 *     the audit log is off
 * @param toStdout whether audit lines go to standard output ({@code audit.path: stdout})
 */
public record AuditConfig(Path path, boolean toStdout) {

    /** No audit log. */
    public static final AuditConfig DISABLED = new AuditConfig(null, false);

    /** Returns whether audit lines are written anywhere. */
    public boolean enabled() {
        return toStdout || path != null;
    }
}
