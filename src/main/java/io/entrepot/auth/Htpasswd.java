package io.entrepot.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The users of an Apache htpasswd file, each with a bcrypt hash, as {@code htpasswd -B} writes them.
 *
 * <p>Only bcrypt is accepted, as in distribution: the other htpasswd formats (MD5-crypt
 * {@code $apr1$}, SHA-1 {@code {SHA}}, crypt and plain text) are fast to brute-force, so a file
 * containing one is rejected when it is loaded, naming the user.
 */
public final class Htpasswd {

    /** A bcrypt hash: version 2a, 2b or 2y, a two-digit cost, then 53 characters of salt and hash. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");

    /**
     * Verified against for unknown users, so that a wrong user name costs as much time as a
     * wrong password and response times do not reveal which users exist.
     */
    private static final String UNKNOWN_USER_HASH = BCrypt.hashpw("unknown user", BCrypt.gensalt(10));

    private static final int MAX_PASSWORD_BYTES = 72;

    private final Map<String, String> hashes;

    private Htpasswd(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    /**
     * Reads an htpasswd file: one {@code user:hash} per line; blank lines and lines starting with
     * {@code #} are skipped.
     *
     * @throws IOException when the file cannot be read, or a line is malformed or has a hash
     *     that is not bcrypt; the message names the file, the line number and the user
     */
    public static Htpasswd load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> hashes = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("invalid htpasswd entry at " + where + ": expected user:hash");
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            if (!BCRYPT.matcher(hash).matches()) {
                throw new IOException("user " + user + " at " + where + " has a password hash that is not bcrypt;"
                        + " only bcrypt is accepted, create it with htpasswd -B");
            }
            if (hashes.putIfAbsent(user, hash) != null) {
                throw new IOException("user " + user + " appears twice in " + file + ", again at line " + (i + 1));
            }
        }
        return new Htpasswd(hashes);
    }

    /** Returns whether {@code password} is the password of {@code user}. Takes the same time for unknown users. */
    public boolean verify(String user, String password) {
        String hash = hashes.get(user);
        boolean matches = checkBcrypt(password, hash == null ? UNKNOWN_USER_HASH : hash);
        return hash != null && matches;
    }

    /** Returns whether {@code user} has an entry. */
    public boolean contains(String user) {
        return hashes.containsKey(user);
    }

    /** Returns the number of users. */
    public int size() {
        return hashes.size();
    }

    /**
     * bcrypt reads at most 72 bytes of a password, and {@code htpasswd -B} and Go's bcrypt hash
     * longer ones by their first 72 bytes. Spring's BCrypt rejects them instead, so they are cut here.
     */
    private static boolean checkBcrypt(String password, String hash) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PASSWORD_BYTES) {
            bytes = Arrays.copyOf(bytes, MAX_PASSWORD_BYTES);
        }
        try {
            return BCrypt.checkpw(bytes, hash);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
