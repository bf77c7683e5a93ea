package io.entrepot.storage;

/** Thrown when a storage path is not absolute, contains empty or dot segments, or bad characters. */
public final class InvalidPathException extends IllegalArgumentException {

    public InvalidPathException(String driver, String path) {
        super(driver + ": invalid storage path: \"" + path + "\"");
    }
}
