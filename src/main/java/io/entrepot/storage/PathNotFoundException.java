package io.entrepot.storage;

import java.io.IOException;

/** Thrown when a storage path that must exist does not. */
public final class PathNotFoundException extends IOException {

    private final String path;

    public PathNotFoundException(String driver, String path) {
        super(driver + ": path not found: " + path);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
