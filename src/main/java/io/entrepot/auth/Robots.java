package io.entrepot.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The robot accounts file: robots that CI systems log in as, each with the bcrypt hash of a
 * generated secret. The secret itself is shown once, when the robot is created, and never stored.
 *
 * <p>The file is JSON, written by {@code entrepot robot create} and {@code entrepot robot delete}:
 * <pre>{"robots": [{"name": "robot_ci", "secret_hash": "$2a$10$…", "description": "…", "created": "2025-…Z"}]}</pre>
 *
 * <p>Every robot name starts with {@value #PREFIX}. The other identity backends never look up
 * such a name, so a user of the same name in LDAP cannot log in as the robot. The prefix uses
 * an underscore rather than Harbor's {@code robot$}, because {@code $} starts a variable in
 * shells, CI YAML and {@code .env} files, so {@code --creds robot$ci:…} silently loses the name.
 */
public final class Robots {

    /** The prefix of every robot name. */
    public static final String PREFIX = "robot_";

    /** Pattern of a robot name: the prefix, then lower-case letters and digits with single dots, dashes or underscores between them. */
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "[a-z0-9]+(?:[._-][a-z0-9]+)*");

    private static final int MAX_NAME_LENGTH = 64;

    /** 32 random bytes, 256 bits, which no guessing can reach; base64url makes them 43 characters. */
    private static final int SECRET_BYTES = 32;

    /** bcrypt cost of a secret hash; the secret's entropy, not the cost, is what stops guessing. */
    private static final int BCRYPT_COST = 10;

    private static final String UNKNOWN_ROBOT_HASH = BCrypt.hashpw("unknown robot", BCrypt.gensalt(BCRYPT_COST));

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One robot account as stored: never its secret, only the secret's hash. */
    public record Robot(String name, String secretHash, String description, Instant created) {}

    /** A newly created robot with its secret, which the caller shows once. */
    public record Created(Robot robot, String secret) {}

    /** The robots with no file yet. */
    static final Robots EMPTY = new Robots(Map.of());

    private final Map<String, Robot> robots;

    private Robots(Map<String, Robot> robots) {
        this.robots = Map.copyOf(robots);
    }

    /** Returns whether {@code user} starts with the robot prefix, so only the robot backend may hold it. */
    public static boolean isRobotName(String user) {
        return user.startsWith(PREFIX);
    }

    /**
     * Returns the full robot name for {@code name}, adding the prefix when it is missing.
     *
     * @throws IllegalArgumentException when the name has characters other than lower-case
     *     letters, digits and single {@code .}, {@code -} or {@code _} between them, or is too long
     */
    public static String robotName(String name) {
        String full = isRobotName(name) ? name : PREFIX + name;
        if (full.length() > MAX_NAME_LENGTH || !NAME.matcher(full).matches()) {
            throw new IllegalArgumentException("invalid robot name " + name + ": use lower-case letters and digits,"
                    + " with single dots, dashes or underscores between them, at most " + MAX_NAME_LENGTH + " characters with the prefix " + PREFIX);
        }
        return full;
    }

    /**
     * Reads the robots file; a file that does not exist has no robots.
     *
     * @throws IOException when the file cannot be read or is not a valid robots file; the message names the file
     */
    public static Robots load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return EMPTY;
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IOException("invalid robots file " + file + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.path("robots").isArray()) {
            throw new IOException("invalid robots file " + file + ": expected {\"robots\": [...]}");
        }
        Map<String, Robot> robots = new LinkedHashMap<>();
        for (JsonNode entry : root.path("robots")) {
            Robot robot = parse(entry, file);
            if (robots.putIfAbsent(robot.name(), robot) != null) {
                throw new IOException("robot " + robot.name() + " appears twice in " + file);
            }
        }
        return new Robots(robots);
    }

    private static Robot parse(JsonNode entry, Path file) throws IOException {
        String name = entry.path("name").asText("");
        String hash = entry.path("secret_hash").asText("");
        if (!NAME.matcher(name).matches()) {
            throw new IOException("invalid robot name '" + name + "' in " + file);
        }
        if (!hash.startsWith("$2")) {
            throw new IOException("robot " + name + " in " + file + " has no bcrypt secret_hash");
        }
        Instant created;
        try {
            created = Instant.parse(entry.path("created").asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IOException("robot " + name + " in " + file + " has an invalid created time: " + entry.path("created").asText(), e);
        }
        return new Robot(name, hash, entry.path("description").asText(""), created);
    }

    /** Returns the robots, sorted by name. */
    public List<Robot> list() {
        List<Robot> sorted = new ArrayList<>(robots.values());
        sorted.sort(java.util.Comparator.comparing(Robot::name));
        return sorted;
    }

    /** Returns whether a robot named {@code name} exists. */
    public boolean contains(String name) {
        return robots.containsKey(name);
    }

    /** Returns whether {@code secret} is the secret of robot {@code name}. Takes the same time for unknown robots. */
    public boolean verify(String name, String secret) {
        Robot robot = robots.get(name);
        boolean matches;
        try {
            matches = BCrypt.checkpw(secret, robot == null ? UNKNOWN_ROBOT_HASH : robot.secretHash());
        } catch (IllegalArgumentException e) {
            // Spring's BCrypt rejects secrets over 72 bytes; a generated secret is 43.
            matches = false;
        }
        return robot != null && matches;
    }

    /**
     * Returns these robots plus a new one named {@code name}, with a new random secret.
     *
     * @throws IllegalArgumentException when the name is invalid or already taken
     */
    public Created create(String name, String description, Instant now) {
        String full = robotName(name);
        if (robots.containsKey(full)) {
            throw new IllegalArgumentException("robot " + full + " already exists; delete it first to issue a new secret");
        }
        byte[] random = new byte[SECRET_BYTES];
        RANDOM.nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Robot robot = new Robot(full, BCrypt.hashpw(secret, BCrypt.gensalt(BCRYPT_COST)), description == null ? "" : description, now);
        return new Created(robot, secret);
    }

    /** Returns these robots with {@code robot} added. */
    public Robots with(Robot robot) {
        Map<String, Robot> copy = new LinkedHashMap<>(robots);
        copy.put(robot.name(), robot);
        return new Robots(copy);
    }

    /**
     * Returns these robots without {@code name}.
     *
     * @throws IllegalArgumentException when there is no such robot
     */
    public Robots without(String name) {
        String full = robotName(name);
        if (!robots.containsKey(full)) {
            throw new IllegalArgumentException("robot " + full + " not found");
        }
        Map<String, Robot> copy = new LinkedHashMap<>(robots);
        copy.remove(full);
        return new Robots(copy);
    }

    /**
     * Writes the robots to {@code file}, readable by its owner only. The content goes to a
     * temporary file in the same directory that is then moved over {@code file}, so a running
     * registry never reads half a file.
     */
    public void save(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode entries = root.putArray("robots");
        for (Robot robot : list()) {
            ObjectNode entry = entries.addObject();
            entry.put("name", robot.name());
            entry.put("secret_hash", robot.secretHash());
            entry.put("description", robot.description());
            entry.put("created", robot.created().toString());
        }
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(directory, ".robots", ".tmp");
        try {
            setOwnerOnly(temporary);
            Files.writeString(temporary, JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void setOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system; the directory's own permissions then protect the hashes.
        }
    }
}
