package io.entrepot.auth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** Robot accounts from the robots file, for the built-in token server. Only names with the robot prefix are looked up here. */
public final class RobotBackend implements IdentityBackend {

    private final ReloadingFile<Robots> robots;

    /**
     * Reads {@code file} when it exists; a file that does not exist yet has no robots, and is
     * read once {@code entrepot robot create} writes it.
     *
     * @throws IOException when the file exists and is not a valid robots file
     */
    public RobotBackend(Path file) throws IOException {
        this.robots = new ReloadingFile<>(file, Robots::load, Robots.EMPTY);
    }

    @Override
    public String name() {
        return "robots";
    }

    @Override
    public boolean accepts(String user) {
        return Robots.isRobotName(user);
    }

    @Override
    public Optional<Principal> authenticate(String user, String password) {
        return robots.current().verify(user, password) ? Optional.of(robot(user)) : Optional.empty();
    }

    @Override
    public Optional<Principal> lookup(String user) {
        return robots.current().contains(user) ? Optional.of(robot(user)) : Optional.empty();
    }

    private static Principal robot(String name) {
        return new Principal(name, Principal.Kind.ROBOT, Set.of());
    }
}
