package io.entrepot.storage;

import java.io.IOException;

/** Thrown when a read starts before the beginning or after the end of a file. */
public final class InvalidOffsetException extends IOException {

    public InvalidOffsetException(String driver, String path, long offset) {
        super(driver + ": invalid offset " + offset + " for " + path);
    }
}
