package io.entrepot.auth;

import java.util.Objects;

/**
 * One permission a request needs, in the terms of Docker's token scopes: a resource type
 * ({@code repository} or {@code registry}), a name, and an action ({@code pull}, {@code push},
 * {@code delete}, or {@code *} for the catalog).
 */
public record Access(String type, String name, String action) {

    public Access {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(action, "action");
    }

    public static Access pull(String repository) {
        return new Access("repository", repository, "pull");
    }

    public static Access push(String repository) {
        return new Access("repository", repository, "push");
    }

    public static Access delete(String repository) {
        return new Access("repository", repository, "delete");
    }

    /** The access that listing the catalog needs. */
    public static Access catalog() {
        return new Access("registry", "catalog", "*");
    }
}
