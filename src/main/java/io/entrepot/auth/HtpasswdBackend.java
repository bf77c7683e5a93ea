package io.entrepot.auth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Users of an htpasswd file of bcrypt hashes, for the built-in token server. Robot names are never looked up here. */
public final class HtpasswdBackend implements IdentityBackend {

    private final ReloadingFile<Htpasswd> users;

    /** @throws IOException when the file cannot be read or contains a hash that is not bcrypt */
    public HtpasswdBackend(Path file) throws IOException {
        this.users = new ReloadingFile<>(file, Htpasswd::load, null);
    }

    @Override
    public String name() {
        return "htpasswd";
    }

    @Override
    public boolean accepts(String user) {
        return !Robots.isRobotName(user);
    }

    @Override
    public Optional<Principal> authenticate(String user, String password) {
        return users.current().verify(user, password) ? Optional.of(Principal.user(user)) : Optional.empty();
    }

    @Override
    public Optional<Principal> lookup(String user) {
        return users.current().contains(user) ? Optional.of(Principal.user(user)) : Optional.empty();
    }
}
